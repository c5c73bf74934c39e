"""Ablation: umap_gmm's mixture of exactly n_clusters against over-clustering then merging
by kNN connectivity (``umap_gmm.over_clusters``), on the quality preset's embedding of a
whole dataset (deskewed images, the seed's autoencoder, UMAP to 10 dimensions).

    python tests/benchmarks/ablation_overcluster.py [--dataset fashion_mnist] [--seed 0]
        [--cache DIR] [--over 15 20 25] [--n-init 3 10]
        [--autoencoder hidden=500,500,2000 latent_dim=10 epochs=30] [--starts 10]

The UMAP coordinates are cached in DIR (default .bench-cache/, git-ignored) as
``umap_<dataset>_seed<seed>.npy`` with the labels beside them, so a second run only refits
the mixtures (seconds). ``--autoencoder`` changes the schema's autoencoder (KEY=VALUE, lists
comma-separated; cached under a name of its own). Prints accuracy, NMI and the largest
cluster sizes of each variant. ``--starts N`` instead fits N single-start mixtures of each
size and prints, per start, the two label-free scores one could choose a start by (the
mixture's mean log-likelihood, what ``gmm_n_init`` keeps the best of, and the modularity on
the UMAP coordinates' kNN graph, what the recommendation uses) beside accuracy and NMI.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "tests" / "helpers")]

from config_defaults import algorithm_defaults, section_defaults  # noqa: E402
from deepclust.cluster import merge_clusters, umap_embed  # noqa: E402
from deepclust.metrics import cluster_accuracy  # noqa: E402
from disturbance import watch  # noqa: E402


def autoencoder_changes(pairs):
    """``{key: value}`` from KEY=VALUE words: integers, floats, comma-separated lists of them."""

    def number(text):
        return float(text) if "." in text or "e" in text else int(text)

    changes = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        changes[key] = [number(v) for v in value.split(",")] if "," in value else number(value)
    return changes


def embedding(dataset, seed, cache, changes=None):
    """``(umap coordinates, labels)`` of all 70,000 images, computed once and cached."""
    changes = changes or {}
    tag = "".join(f"_{k}{'-'.join(map(str, np.atleast_1d(v)))}" for k, v in sorted(changes.items()))
    path = cache / f"umap_{dataset}{tag}_seed{seed}.npy"
    labels_path = cache / f"labels_{dataset}.npy"
    if path.exists() and labels_path.exists():
        return np.load(path), np.load(labels_path)
    import torch

    from deepclust.model import AutoencoderSettings, encode, scale_images, train_autoencoder
    from deepclust.preprocess import deskew
    from deepclust.sources.decode import load_image_dataset

    torch.set_num_threads(2)
    source = ROOT.parent / "shared" / "datasets" / dataset
    images, labels, _ = load_image_dataset(
        str(source), ["train", "test"], "image", "label", n_jobs=2
    )
    x = scale_images(deskew(images), "symmetric").reshape(len(images), -1)
    params = section_defaults("autoencoder") | changes | {"device": "cpu"}  # the schema's
    settings = AutoencoderSettings.from_params(params)
    start = time.perf_counter()
    model, _ = train_autoencoder(x, settings, seed, log=lambda m: None)
    print(f"autoencoder {changes or 'as the schema has it'}: {time.perf_counter() - start:.0f} s")
    z = umap_embed(encode(model, x), algorithm_defaults("umap_gmm"), seed)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, z)
    np.save(labels_path, labels)
    return z, labels


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="fashion_mnist", help="mnist or fashion_mnist")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=ROOT / ".bench-cache")
    parser.add_argument("--over", type=int, nargs="+", default=[15, 20, 25])
    parser.add_argument("--n-init", type=int, nargs="+", default=[3, 10])
    parser.add_argument("--autoencoder", nargs="*", default=[], metavar="KEY=VALUE")
    parser.add_argument("--starts", type=int, help="score N single starts, one by one")
    args = parser.parse_args()
    changes = autoencoder_changes(args.autoencoder)
    z, truth = embedding(args.dataset, args.seed, args.cache, changes)
    merge_neighbors = algorithm_defaults("umap_gmm")["merge_neighbors"]
    print(f"{args.dataset}, seed {args.seed}, {len(z)} images")
    if args.starts:
        for over in sorted({10, *args.over}):
            print_starts(z, truth, over, args.starts, merge_neighbors, args.seed)
        return
    print(f"{'variant':34s} {'accuracy':>8s} {'NMI':>7s}  largest clusters")
    for over in [10, *args.over]:
        for n_init in args.n_init:
            print_variant(z, truth, over, n_init, merge_neighbors, args.seed)


def fit_mixture(z, over, n_init, merge_neighbors, random_state):
    """``(mixture, labels)``: the best of ``n_init`` full-covariance mixtures of ``over``
    components fitted to ``z``, its labels merged to 10 clusters when ``over`` is more."""
    from sklearn.mixture import GaussianMixture

    mixture = GaussianMixture(
        over, covariance_type="full", n_init=n_init, random_state=random_state
    )
    labels = mixture.fit_predict(z)
    if over > 10:
        labels = merge_clusters(z, labels, 10, merge_neighbors)
    return mixture, labels


def print_starts(z, truth, over, starts, merge_neighbors, seed):
    """One mixture of ``over`` components (merged to 10 when more) per start, seeded
    ``seed * 1000 + start``: its log-likelihood, modularity, accuracy and NMI, then the
    start each label-free score picks."""
    from sklearn.metrics import normalized_mutual_info_score

    from deepclust.recommend import neighbour_graph

    graph = neighbour_graph(z, seed=seed)
    rows = []
    for start in range(starts):
        mixture, labels = fit_mixture(z, over, 1, merge_neighbors, seed * 1000 + start)
        rows.append(
            (
                mixture.score(z),
                graph.modularity(labels),
                cluster_accuracy(truth, labels),
                normalized_mutual_info_score(truth, labels),
            )
        )
        print(
            f"gmm {over}, start {start}: log-likelihood {rows[-1][0]:.4f}, modularity "
            f"{rows[-1][1]:.4f}, accuracy {rows[-1][2]:.4f}, NMI {rows[-1][3]:.4f}",
            flush=True,
        )
    rows = np.array(rows)
    for column, score in enumerate(["log-likelihood", "modularity"]):
        best = rows[np.argmax(rows[:, column])]
        print(
            f"gmm {over}, the start of highest {score}: accuracy {best[2]:.4f}, NMI {best[3]:.4f}"
        )
    print(
        f"gmm {over}, {starts} starts: accuracy {rows[:, 2].min():.4f} to {rows[:, 2].max():.4f} "
        f"(mean {rows[:, 2].mean():.4f}), NMI {rows[:, 3].min():.4f} to {rows[:, 3].max():.4f}"
    )


def print_variant(z, truth, over, n_init, merge_neighbors, seed, composition=False):
    """Fit a mixture of ``over`` components to ``z`` (merged to 10 when more) and print its
    accuracy, NMI, largest clusters and seconds; with ``composition`` also each cluster's
    size and its three largest classes."""
    from sklearn.metrics import normalized_mutual_info_score

    start = time.perf_counter()
    _, labels = fit_mixture(z, over, n_init, merge_neighbors, seed)
    sizes = np.sort(np.bincount(labels))[::-1][:3].tolist()
    name = f"gmm {over}" + (" -> merged to 10" if over > 10 else "") + f", n_init {n_init}"
    print(
        f"{name:34s} {cluster_accuracy(truth, labels):8.4f} "
        f"{normalized_mutual_info_score(truth, labels):7.4f}  {sizes}  "
        f"({time.perf_counter() - start:.0f} s)",
        flush=True,
    )
    if composition:
        for c in np.argsort(-np.bincount(labels), kind="stable"):
            counts = np.bincount(truth[labels == c], minlength=truth.max() + 1)
            top = np.argsort(-counts, kind="stable")[:3]
            print(f"    {counts.sum():6d}: " + ", ".join(f"class {k} {counts[k]}" for k in top))


if __name__ == "__main__":
    with watch():
        main()
