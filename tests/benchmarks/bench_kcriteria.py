"""Benchmark: label-free criteria for K, one table: criterion x evaluation set -> chosen K.

    python tests/benchmarks/bench_kcriteria.py [--sets blobs6 ...] [--n 5000] [--seed 0]
        [--cache DIR] [--k-sample 10000]

Sets (true K beside each): synthetic blobs in 10-D (``blobs6`` six equal groups;
``dominant8`` two far-apart families of four, a split that fools the silhouette;
``unequal7`` sizes 60 to 1,500), scikit-learn's 8 x 8 ``digits8``, the first ``--n``
images of MNIST (``mnist``) and Fashion-MNIST (``fashion``) from ../shared/datasets, and
six folders of tests/benchmarks/eval_folders.py (``textures``, ``grey_photo_textures``,
``photos``, ``colour_textures`` and the held-out ``heldout_textures``, ``heldout_photos``).
Embeddings: the blobs are their own; the MNIST-like images go through the autoencoder
(deepclust.model, the own-images preset's settings, seed ``--seed``), cached in
``--cache``; the folders are read as the own-images preset reads them and encoded as it
does (the ``features`` encoder, bench_encoders.py), at most ``--folder-limit`` images (a
seeded sample; 0: all); ``--pixels`` instead uses 64 principal components of their pixels
at 32 x 32 RGB (the stand-in of the first version of this table). Then UMAP (the schema's
umap_gmm settings; for the folders the own-images preset's) and each criterion:
``silhouette_raw`` (today's kmeans auto: k-means on the embedding), ``merge_gap`` (today's
umap_gmm auto: 20 components merged by kNN links), those of deepclust.kcriteria on the
UMAP coordinates, and ``kmeans_median`` (the workflow's kmeans with ``k_criterion:
median``, run as a job runs it). Above ``--k-sample`` points the criteria run on a
seeded sample. Prints the table, how many sets each criterion gets within +-1, and its
seconds relative to one fit (UMAP + a mixture of the true K on all points; UMAP, which the
fit needs anyway, not counted in the criterion's). Labels are read only to print the true K.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "tests" / "helpers"), str(HERE)]

from config_defaults import layered  # noqa: E402
from deepclust.cluster import run_algorithm  # noqa: E402
from deepclust.kcriteria import K_CRITERIA, select_k  # noqa: E402
from deepclust.kselect import merge_gap_curve, silhouette_curve, sweep_indices  # noqa: E402
from disturbance import watch  # noqa: E402

SHARED = ROOT.parent / "shared" / "datasets"
KS = np.arange(2, 21)
# what counts as right beyond +-1 (issue 32): MNIST 9-11, Fashion-MNIST 8-12
ACCEPT = {"mnist": (9, 11), "fashion": (8, 12)}
MEDIAN_OF = ("merge_gap", "eigengap", "silhouette", "prediction_strength", "hdbscan")


def separated_centres(k, dim, distance, rng):
    """``k`` centres in ``dim`` dimensions, each at least ``distance`` from the others."""
    centres = []
    while len(centres) < k:
        c = rng.uniform(-distance * 1.5, distance * 1.5, dim)
        if all(np.linalg.norm(c - o) >= distance for o in centres):
            centres.append(c)
    return np.array(centres)


def blobs(name, seed):
    rng = np.random.default_rng(seed)
    if name == "blobs6":
        centres, sizes = separated_centres(6, 10, 8.0, rng), [500] * 6
    elif name == "dominant8":
        family = [separated_centres(4, 10, 8.0, rng) for _ in range(2)]
        centres, sizes = np.concatenate([family[0], family[1] + 80.0]), [400] * 8
    else:  # unequal7
        centres, sizes = separated_centres(7, 10, 8.0, rng), [60, 120, 250, 400, 700, 1000, 1500]
    x = np.concatenate([c + rng.standard_normal((n, 10)) for c, n in zip(centres, sizes)])
    return x.astype(np.float32), np.repeat(np.arange(len(sizes)), sizes)


def images(name, n):
    """uint8 images and labels of an image set (no labels used but to print the true K)."""
    if name == "digits8":
        from sklearn.datasets import load_digits

        d = load_digits()
        return (d.images * (255 / 16)).round().astype(np.uint8), d.target
    from deepclust.sources import load_image_dataset

    source = SHARED / {"mnist": "mnist", "fashion": "fashion_mnist"}[name]
    x, y, _ = load_image_dataset(str(source), ["train"], "image", "label", limit=n)
    return x, y


FOLDERS = (
    "textures",
    "grey_photo_textures",
    "photos",
    "colour_textures",
    "heldout_textures",
    "heldout_photos",
)


def folder_pixels(name, seed, side=32):
    """An evaluation folder of eval_folders.py (built on first use) as uint8 RGB pixels
    ``(N, side * side * 3)`` (each image resized to side x side) and its class ids."""
    import eval_folders
    from PIL import Image

    path = eval_folders.build(name, seed)
    kinds = sorted(p.name for p in path.iterdir() if p.is_dir())
    pixels, truth = [], []
    for i, kind in enumerate(kinds):
        for file in sorted((path / kind).iterdir()):
            with Image.open(file) as img:
                small = img.convert("RGB").resize((side, side), Image.Resampling.BOX)
            pixels.append(np.asarray(small).ravel())
            truth.append(i)
    return np.stack(pixels), np.array(truth)


def folder_features(name, seed, limit):
    """An evaluation folder encoded as the own-images preset encodes it, and its labels."""
    import bench_encoders

    preset = layered(bench_encoders.PRESET)
    changes = preset["encoders"]["features"] | {"device": "cpu"}
    fit = preset["preprocessing"]
    images, truth = bench_encoders.load_folder(name, seed, fit["max_side"], fit["fit"], limit)
    return bench_encoders.features_encoder(**changes)(images, seed), truth


def embedding(name, n, seed, cache, pixels=False, folder_limit=0):
    """``(x, truth)``: the set's embedding and true labels (images: autoencoder codes,
    cached; folders: the features encoder, or 64 principal components of their pixels)."""
    if name in ("blobs6", "dominant8", "unequal7"):
        return blobs(name, seed)
    if name in FOLDERS and not pixels:
        return folder_features(name, seed, folder_limit)
    if name in FOLDERS:
        from sklearn.decomposition import PCA

        pixels, truth = folder_pixels(name, seed)
        scaled = pixels.astype(np.float32) / 255.0
        return PCA(64, random_state=seed).fit_transform(scaled).astype(np.float32), truth
    path = Path(cache) / f"{name}_n{n}_seed{seed}.npz"
    if path.exists():
        saved = np.load(path)
        return saved["x"], saved["truth"]
    from deepclust.model import AutoencoderSettings, encode, scale_images, train_autoencoder

    pixels, truth = images(name, n)
    block = layered(ROOT / "config" / "presets" / "own-images.yaml")["autoencoder"]
    settings = AutoencoderSettings.from_params(block)
    scaled = scale_images(pixels, settings.scaling)
    start = time.perf_counter()
    model, _ = train_autoencoder(scaled, settings, seed, log=lambda line: None)
    print(f"  {name}: autoencoder on {len(scaled)} images, {time.perf_counter() - start:.0f} s")
    x = encode(model, scaled)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, x=x, truth=np.asarray(truth))
    return x, np.asarray(truth)


def umap_params(name):
    """The schema's umap_gmm settings; the own-images preset's for the folders."""
    preset = ROOT / "config" / "presets" / "own-images.yaml"
    block = layered(*([preset] if name in FOLDERS else []))["algorithms"]["umap_gmm"]
    return {k: v for k, v in block.items() if k != "enabled"}


def kmeans_median_params(name):
    """The kmeans settings the workflow would use (the own-images preset's for the
    folders), K auto in 2..20 by ``k_criterion: median``."""
    preset = ROOT / "config" / "presets" / "own-images.yaml"
    block = layered(*([preset] if name in FOLDERS else []))["algorithms"]["kmeans"]
    block = {k: v for k, v in block.items() if k != "enabled"}
    return block | {"n_clusters": "auto", "k_min": 2, "k_max": 20, "k_criterion": "median"}


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def merge_gap(z, params, seed):
    """Today's umap_gmm auto on given UMAP coordinates: 20 components, merged."""
    from sklearn.mixture import GaussianMixture

    from deepclust.cluster import merge_order

    labels = GaussianMixture(20, covariance_type="full", random_state=seed).fit_predict(z)
    _, merges, links = merge_order(z, labels, params["merge_neighbors"])
    n_before = len(merges) + 1
    ks = KS[: max(0, n_before - 1)]
    return merge_gap_curve(n_before, links, ks, params["merge_gap_floor"]).chosen


def silhouette_raw(x, seed, k_sample):
    from sklearn.cluster import KMeans

    index = sweep_indices(len(x), k_sample, seed)
    points = np.asarray(x[index], dtype=np.float64)

    def partition(k):
        return KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(points)

    return silhouette_curve(points, KS, partition, 2000, seed).chosen


def one_set(name, args):
    from sklearn.mixture import GaussianMixture

    from deepclust.cluster import umap_embed

    x, truth = embedding(name, args.n, args.seed, args.cache, args.pixels, args.folder_limit)
    params = umap_params(name)
    true_k = len(np.unique(truth))
    z, umap_s = timed(umap_embed, x, params, args.seed)
    _, gmm_s = timed(GaussianMixture(true_k, random_state=args.seed).fit, z)
    fit_s = umap_s + gmm_s
    chosen, cost = {}, {}
    chosen["silhouette_raw"], s = timed(silhouette_raw, x, args.seed, args.k_sample)
    cost["silhouette_raw"] = s / fit_s
    chosen["merge_gap"], s = timed(merge_gap, z, params, args.seed)
    cost["merge_gap"] = s / fit_s
    for criterion in K_CRITERIA:
        (selection, _), s = timed(select_k, z, KS, criterion, args.seed, args.k_sample)
        chosen[criterion], cost[criterion] = selection.chosen, s / fit_s
    # the median of five criteria's K (their costs add up)
    chosen["median5"] = int(np.median([chosen[c] for c in MEDIAN_OF]))
    cost["median5"] = sum(cost[c] for c in MEDIAN_OF)
    # the workflow's kmeans with k_criterion median (its own UMAP map, counted in its cost)
    (_, used), s = timed(run_algorithm, "kmeans", x, kmeans_median_params(name), args.seed)
    chosen["kmeans_median"], cost["kmeans_median"] = used["n_clusters"], s / fit_s
    pick = recommendation(x, z, true_k, truth, args.seed)
    print(
        f"  {name}: {len(x)} points, true K {true_k}, one fit {fit_s:.1f} s "
        f"(UMAP {umap_s:.1f} s); " + ", ".join(f"{c} {k}" for c, k in chosen.items()),
        flush=True,
    )
    return true_k, chosen, cost, pick


def recommendation(x, z, k, truth, seed):
    """Three clusterings of the true K (k-means and Ward on the embedding, a mixture on the
    UMAP coordinates), the one deepclust.recommend picks, and the best by labels:
    ``(pick, its accuracy, best, its accuracy)``."""
    from sklearn.cluster import AgglomerativeClustering, KMeans
    from sklearn.mixture import GaussianMixture

    from deepclust.metrics import cluster_accuracy
    from deepclust.recommend import neighbour_graph, recommend

    runs = {
        "umap_gmm": GaussianMixture(k, random_state=seed, n_init=3).fit_predict(z),
        "kmeans": KMeans(k, n_init=10, random_state=seed).fit_predict(x),
        "ward": AgglomerativeClustering(k).fit_predict(x[:10_000]) if len(x) <= 10_000 else None,
    }
    runs = {n: [lab] for n, lab in runs.items() if lab is not None}
    pick = recommend(runs, [neighbour_graph(x, seed=seed)])[0]
    acc = {n: cluster_accuracy(truth, lab[0]) for n, lab in runs.items()}
    best = max(acc, key=acc.get)
    return pick, acc[pick], best, acc[best]


def within(name, true_k, k):
    low, high = ACCEPT.get(name, (true_k - 1, true_k + 1))
    return low <= k <= high


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sets",
        nargs="+",
        default=["blobs6", "dominant8", "unequal7", "digits8", "mnist", "fashion", *FOLDERS],
    )
    parser.add_argument("--n", type=int, default=5000, help="images of MNIST / Fashion-MNIST")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--k-sample", type=int, default=10000)
    parser.add_argument("--cache", default="/tmp/bench_kcriteria")
    parser.add_argument("--folder-limit", type=int, default=0, help="images a folder (0: all)")
    parser.add_argument("--pixels", action="store_true", help="folders: PCA of pixels")
    args = parser.parse_args()
    with watch():
        results = {name: one_set(name, args) for name in args.sets}
        criteria = list(next(iter(results.values()))[1])
        print(f"\n{'criterion':20s} " + " ".join(f"{n:>9s}" for n in results) + "  within  cost")
        print(f"{'true K':20s} " + " ".join(f"{r[0]:9d}" for r in results.values()))
        for c in criteria:
            hits = sum(within(n, r[0], r[1][c]) for n, r in results.items())
            cost = np.mean([r[2][c] for r in results.values()])
            cells = " ".join(f"{r[1][c]:9d}" for r in results.values())
            print(f"{c:20s} {cells}  {hits:3d}/{len(results)}  {cost:5.2f}x")
        print("within: K within +-1 (MNIST 9-11, Fashion-MNIST 8-12); cost: mean seconds / one fit")
        print("\nrecommendation at the true K (one seed): set, pick, accuracy, best by labels, gap")
        for name, r in results.items():
            pick, acc, best, best_acc = r[3]
            print(f"{name:20s} {pick:9s} {acc:.4f}  {best:9s} {best_acc:.4f}  {best_acc - acc:.4f}")


if __name__ == "__main__":
    main()
