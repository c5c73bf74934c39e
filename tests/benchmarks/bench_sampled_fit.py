"""What fitting on a sample costs in accuracy: umap_gmm's ``fit_sample`` and self-training's
``train_sample``, measured on a finished run where both were exact.

Reads one seed of a run (its embeddings, the umap_gmm and umap_gmm_selftrain labels and
their parameters), fits each step again on seeded samples of the given sizes, and prints,
per size, the accuracy and NMI against the dataset's labels, the ARI with the exact run's
labels, and the seconds. The labels are read for scoring only.

e.g. on the quality preset's run of MNIST train (60,000 images) that ``make bench-scale
ARGS="--sizes 60000 --config config/presets/quality.yaml --keep /tmp/scale-quality"`` keeps:

    python tests/benchmarks/bench_sampled_fit.py --run /tmp/scale-quality/n60000 \
        --sizes 10000,20000,40000
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from deepclust.jitcache import cache_folder
from disturbance import watch

os.environ["NUMBA_CACHE_DIR"] = cache_folder(os.environ)  # as the workflow's jobs, before numba
from deepclust.cluster import run_algorithm
from deepclust.metrics import cluster_accuracy
from deepclust.selftrain import SelfTrainingSettings, self_train


def scores(true, pred, exact):
    """(accuracy, NMI, ARI with the exact labels)."""
    return (
        cluster_accuracy(true, pred),
        normalized_mutual_info_score(true, pred),
        adjusted_rand_score(exact, pred),
    )


def row(what, size, result, seconds):
    acc, nmi, ari = result
    print(f"{what:20s}{size:>10s}{acc:10.4f}{nmi:8.4f}{ari:12.4f}{seconds:9.1f}", flush=True)


def timed(fit, *args, **kwargs):
    """(fit's first result, seconds)."""
    start = time.perf_counter()
    labels = fit(*args, **kwargs)[0]
    return labels, time.perf_counter() - start


def sampled_umap_gmm(x, true, run, exact, sizes, seed):
    row("umap_gmm", "all", scores(true, exact, exact), run["seconds"])
    for size in sizes:
        params = dict(run["params"], fit_sample=size)
        labels, seconds = timed(run_algorithm, "umap_gmm", x, params, seed)
        row("umap_gmm", str(size), scores(true, labels, exact), seconds)


def sampled_self_training(images, base, true, run, exact, sizes, seed):
    row("self-training", "all", scores(true, exact, exact), run["seconds"])
    fields = set(SelfTrainingSettings.__dataclass_fields__)
    params = {k: v for k, v in run["params"].items() if k in fields}
    for size in sizes:
        settings = SelfTrainingSettings(**dict(params, train_sample=size))
        labels, seconds = timed(self_train, images, base, settings, seed, log=lambda _: None)
        row("self-training", str(size), scores(true, labels, exact), seconds)


def read_clustering(seed_dir, name):
    """(run.json, labels) of one clustering of a seed."""
    folder = seed_dir / "clusters" / name
    return json.loads((folder / "run.json").read_text()), np.load(folder / "labels.npy")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--run", required=True, help="a finished run's project folder")
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sizes", default="10000,20000,40000")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(args.threads)
    data = Path(args.run) / "results" / args.dataset
    seed_dir = data / f"seed{args.seed}"
    true = np.load(data / "data.npz")["labels"]
    x = np.load(seed_dir / "embeddings.npy")
    images_file = data / "deskewed.npy"
    images = np.load(images_file if images_file.exists() else data / "images.npy", mmap_mode="r")
    base_run, base = read_clustering(seed_dir, "umap_gmm")
    self_run, self_labels = read_clustering(seed_dir, "umap_gmm_selftrain")
    if base_run["exactness"] or "exactness" in self_run:
        sys.exit("the run sampled already: give a run below fit_sample and train_sample")
    sizes = [int(s) for s in args.sizes.split(",")]

    print(f"{len(x)} points, seed {args.seed}; ARI against the exact run's labels")
    print(f"{'step':20s}{'sample':>10s}{'accuracy':>10s}{'NMI':>8s}{'ARI exact':>12s}{'s':>9s}")
    with watch(), threadpool_limits(args.threads):
        sampled_umap_gmm(x, true, base_run, base, sizes, args.seed)
        sampled_self_training(images, base, true, self_run, self_labels, sizes, args.seed)


if __name__ == "__main__":
    main()
