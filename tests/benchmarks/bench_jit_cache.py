"""Benchmark: the fixed cost of numba's compiling in a cluster job, without and with the
on-disk cache of pynndescent's and UMAP's functions (deepclust/jitcache.py).

    make bench-jit        # or: python tests/benchmarks/bench_jit_cache.py [--n 3000]

Each job is a fresh process doing what the cluster rule's script does (import, then
run_algorithm with the schema's settings on 2 threads) on --n seeded 64-dimensional
blobs: DBSCAN on its NN-descent graph (exact_max set below --n, as above 100,000 images)
and umap_gmm. For each way, a new empty NUMBA_CACHE_DIR (a new machine), then two jobs
one after the other: the first compiles what it may cache, the second finds it. "before"
leaves pynndescent's and UMAP's uncached functions uncached, as the code did before.
The labels of all four jobs of an algorithm must be identical.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
from disturbance import watch  # noqa: E402

JOB = """
import json, sys, time
start = time.perf_counter()
sys.path[:0] = [{scripts!r}, {tests!r}]
import numba
import numpy as np
from threadpoolctl import threadpool_limits
import deepclust.jitcache
from config_defaults import algorithm_defaults
from deepclust.cluster import run_algorithm
if {before!r}:
    deepclust.jitcache.cache_jitted = lambda *packages: 0
name, n = {name!r}, {n!r}
params = {{k: v for k, v in algorithm_defaults(name).items() if k != "enabled"}}
if name == "dbscan":
    params |= {{"exact_max": n // 2, "eps": 4.0}}
rng = np.random.default_rng(0)
x = (rng.normal(size=(n, 64)) + 3 * rng.integers(0, 10, n)[:, None]).astype(np.float32)
numba.set_num_threads(2)
with threadpool_limits(2):
    labels, _ = run_algorithm(name, x, params, 0)
print(json.dumps({{"seconds": time.perf_counter() - start, "labels": labels.tolist()}}))
"""


def job(name, n, before, cache):
    code = JOB.format(
        scripts=str(ROOT / "scripts"),
        tests=str(ROOT / "tests" / "helpers"),
        before=before,
        name=name,
        n=n,
    )
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache))
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--algorithms", nargs="+", default=["dbscan", "umap_gmm"])
    args = parser.parse_args()
    print(f"{args.n} points x 64, 2 threads; seconds per job (a fresh process, imports included)")
    print(f"{'algorithm':10s} {'cache':8s} {'first job':>10s} {'second job':>11s}")
    for name in args.algorithms:
        labels = []
        for way in ("before", "now"):
            with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
                runs = [job(name, args.n, way == "before", cache) for _ in range(2)]
            labels += [r["labels"] for r in runs]
            print(
                f"{name:10s} {way:8s} {runs[0]['seconds']:10.1f} {runs[1]['seconds']:11.1f}",
                flush=True,
            )
        same = all(other == labels[0] for other in labels[1:])
        print(f"{name:10s} labels of the four jobs identical: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    with watch():
        main()
