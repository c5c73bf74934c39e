"""How else UMAP + GMM could place new images, on a finished bench_assign_to.py run.

    python tests/benchmarks/placement_variants.py --workdir DIR [--seeds 0 1 2 3]

DIR is the work folder of ``bench_assign_to.py --quality --no-retrained --workdir DIR``
(datasets ``mnist``, the run, and ``mnist_test``, its follower). On the saved seed-0 model:
the test images' accuracy placed as the workflow places them (UMAP's transform, the
mixture's component, its cluster), by the mixture's posteriors summed per cluster, by a
vote of the nearest training images in the UMAP space, after a longer transform, and by
label spreading over the kNN graph of training and test images (training images clamped
to their clusters) in the embedding and in the UMAP space. Then per ``--seeds``: UMAP + GMM
fitted again with the run's parameters on the training embeddings (its accuracy, the test
images placed) and on training and test embeddings together (the test rows, the training
rows). Labels are read only to score.
"""

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import joblib
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "scripts")]

from deepclust.cluster._run import fit_algorithm  # noqa: E402
from deepclust.cluster._umap import umap_place  # noqa: E402
from deepclust.metrics import cluster_accuracy  # noqa: E402


def load(results):
    run = results / "mnist" / "seed0" / "clusters" / "umap_gmm"
    return {
        "model": joblib.load(run / "model.pkl"),
        "params": json.loads((run / "run.json").read_text())["params"],
        "clusters": np.load(run / "labels.npy"),
        "x_train": np.load(results / "mnist" / "seed0" / "embeddings.npy"),
        "x_test": np.load(results / "mnist_test" / "seed0" / "embeddings.npy"),
        "y_train": np.load(results / "mnist" / "data.npz")["labels"],
        "y_test": np.load(results / "mnist_test" / "data.npz")["labels"],
    }


def variants(run):
    """``{name: test accuracy}`` of each way of placing the test images in the seed-0 fit."""
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.semi_supervised import LabelSpreading

    model, y, clusters = run["model"], run["y_test"], run["clusters"]
    reducer, mixture, cluster_of = model.reducer, model.mixture, model.cluster_of
    z_test, z_train = umap_place(reducer, run["x_test"]), reducer.embedding_
    out = {"as the workflow places (transform, component)": model.predict(run["x_test"])[0]}
    posterior = mixture.predict_proba(z_test)
    summed = [posterior[:, cluster_of == c].sum(1) for c in range(cluster_of.max() + 1)]
    out["posteriors summed per cluster"] = np.argmax(np.stack(summed, 1), 1)
    for k in (5, 15, 30):
        vote = KNeighborsClassifier(k).fit(z_train, clusters).predict(z_test)
        out[f"vote of {k} nearest in the UMAP space"] = vote
    for epochs in (300, 600):  # the transform runs a third of n_epochs
        reducer.n_epochs = epochs
        out[f"transform of {epochs // 3} epochs"] = cluster_of[
            mixture.predict(umap_place(reducer, run["x_test"]))
        ]
    reducer.n_epochs = run["params"]["n_epochs"]
    spaces = {"embedding": (run["x_train"], run["x_test"]), "UMAP space": (z_train, z_test)}
    for space, (a, b) in spaces.items():
        x = np.concatenate([a, b]).astype(np.float64)
        known = np.concatenate([clusters, -np.ones(len(b), np.int64)])
        for k in (10, 20):
            for alpha in (0.2, 0.8):
                spread = LabelSpreading(kernel="knn", n_neighbors=k, alpha=alpha, max_iter=100)
                placed = spread.fit(x, known).transduction_[len(a) :]
                out[f"label spreading in the {space}, k {k}, alpha {alpha}"] = placed
    return {name: cluster_accuracy(y, labels) for name, labels in out.items()}


def refits(run, seeds):
    params = {k: v for k, v in run["params"].items() if k not in ("k_auto", "exactness")}
    both = np.concatenate([run["x_train"], run["x_test"]])
    n = len(run["x_train"])
    for seed in seeds:
        start = time.perf_counter()
        labels, _, model = fit_algorithm("umap_gmm", run["x_train"], params, seed)
        placed = model.predict(run["x_test"])[0]
        together = fit_algorithm("umap_gmm", both, params, seed)[0]
        yield (
            seed,
            {
                "train": cluster_accuracy(run["y_train"], labels),
                "placed": cluster_accuracy(run["y_test"], placed),
                "clustered in": cluster_accuracy(run["y_test"], together[n:]),
                "clustered in (train rows)": cluster_accuracy(run["y_train"], together[:n]),
                "seconds": time.perf_counter() - start,
            },
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2, 3])
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    run = load(args.workdir / "results")
    print("test images placed in the seed-0 fit | accuracy")
    for name, accuracy in variants(run).items():
        print(f"{name} | {accuracy:.4f}", flush=True)
    print("seed | train | placed (test) | clustered in (test) | gap | clustered in (train rows)")
    gaps = []
    for seed, r in refits(run, args.seeds):
        gaps.append(r["clustered in"] - r["placed"])
        print(
            f"{seed} | {r['train']:.4f} | {r['placed']:.4f} | {r['clustered in']:.4f} | "
            f"{gaps[-1]:+.4f} | {r['clustered in (train rows)']:.4f} ({r['seconds']:.0f} s)",
            flush=True,
        )
    if gaps:
        print(f"median gap (clustered in - placed): {np.median(gaps):+.4f}")


if __name__ == "__main__":
    main()
