"""n_clusters: auto against the fixed K, on the embeddings the workflow saved for one seed
(quality preset: deskewed images, the seed's autoencoder). For each algorithm: the fixed-K
run (n_clusters 10) and the auto run, each timed as the cluster rule runs it
(run_algorithm, 2 threads, after a warm-up on 1,000 points that compiles numba's kernels),
with the chosen K, its accuracy and the cost ratio.

    snakemake --cores 2 results/mnist/seed0/embeddings.npy \\
        --configfile config/presets/quality.yaml my.yaml   # my.yaml: seeds [0] (+ fashion)
    python tests/benchmarks/bench_auto_k.py [--datasets mnist fashion] [--seed 0]
        [--algorithms umap_gmm kmeans agglomerative gmm]

Settings: the quality preset's layered over the schema's (umap_gmm: gmm_n_init 10,
over_clusters 20); auto keeps them and sets n_clusters auto (defaults k_min 2, k_max 20).
Prints one line per run, as it finishes; for umap_gmm also the K that other
``merge_gap_floor`` values would choose from the same recorded merges (``--floors``).
"""

import argparse
import sys
import time
from pathlib import Path

import numba
import numpy as np
from threadpoolctl import threadpool_limits

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "tests" / "helpers")]

from config_defaults import layered  # noqa: E402
from deepclust.cluster import run_algorithm  # noqa: E402
from deepclust.kselect import merge_gap_curve  # noqa: E402
from deepclust.metrics import cluster_accuracy  # noqa: E402
from disturbance import watch  # noqa: E402


def settings(name):
    """The algorithm's quality-preset settings, without enabled."""
    block = layered(ROOT / "config" / "presets" / "quality.yaml")["algorithms"][name]
    return {k: v for k, v in block.items() if k != "enabled"}


def timed(name, x, params, seed):
    start = time.perf_counter()
    labels, used = run_algorithm(name, x, params, seed)
    return labels, used, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["mnist", "fashion"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--algorithms", nargs="+", default=["umap_gmm", "kmeans", "agglomerative", "gmm"]
    )
    parser.add_argument(
        "--floors",
        type=float,
        nargs="+",
        default=[0.02, 0.05, 0.1, 0.2, 0.5],
        help="merge_gap_floor values whose K umap_gmm's recorded merges would give",
    )
    args = parser.parse_args()
    numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
    print("dataset  algorithm      fixed K  acc     s      | auto K  acc     s      | ratio")
    for dataset in args.datasets:
        results = ROOT / "results" / dataset
        x = np.load(results / f"seed{args.seed}" / "embeddings.npy")
        truth = np.load(results / "data.npz")["labels"]
        for name in args.algorithms:
            params = settings(name)
            with threadpool_limits(2):
                # warm-up: numba compiles UMAP's and the silhouette's kernels on first use
                run_algorithm(name, x[:1000], params | {"n_clusters": 10}, args.seed)
                run_algorithm(name, x[:1000], params | {"n_clusters": "auto"}, args.seed)
                fixed, _, fixed_s = timed(name, x, params | {"n_clusters": 10}, args.seed)
                auto, used, auto_s = timed(name, x, params | {"n_clusters": "auto"}, args.seed)
            k_auto = used["k_auto"]
            print(
                f"{dataset:8} {name:14} {10:7d}  {cluster_accuracy(truth, fixed):.4f}  "
                f"{fixed_s:6.1f} | {used['n_clusters']:6d}  {cluster_accuracy(truth, auto):.4f}  "
                f"{auto_s:6.1f} | {auto_s / fixed_s:5.2f}",
                flush=True,
            )
            curve = ", ".join(f"{k}: {s:.4g}" for k, s in zip(k_auto["k"], k_auto["score"]))
            print(f"    {k_auto['criterion']} ({k_auto['better']} is better): {curve}", flush=True)
            print(f"    {used['exactness']['n_clusters']}", flush=True)
            if "merge_links" in k_auto:  # umap_gmm: the K other merge_gap_floor values choose
                links = k_auto["merge_links"]
                chosen = [
                    (floor, merge_gap_curve(len(links) + 1, links, k_auto["k"], floor).chosen)
                    for floor in args.floors
                ]
                print("    K by merge_gap_floor: " + ", ".join(f"{f}: {k}" for f, k in chosen))


if __name__ == "__main__":
    with watch():
        main()
