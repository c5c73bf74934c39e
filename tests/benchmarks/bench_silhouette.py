"""Benchmark: silhouette_exact against sklearn.metrics.silhouette_score, and silhouette_estimate.

Data: reproducible float32 embeddings like an autoencoder's, 10 overlapping anisotropic
gaussian blobs of unequal size, labelled by nearest blob centre (a K-Means-like
assignment). sklearn runs once; silhouette_exact runs after a warm-up (numba compile or
cache load). Usage: python tests/benchmarks/bench_silhouette.py [--n 70000] [--dim 64] [--repeats 3]

With --estimate: silhouette_exact against silhouette_estimate (--sample-size points) at each
--compare size (time, the estimate's error and whether its 95% interval covers the exact
value), then the estimate alone at each --estimate-only size:
  python tests/benchmarks/bench_silhouette.py --estimate --compare 20000 60000 \
      --estimate-only 300000 1200000
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import silhouette_score

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "helpers"))
from config_defaults import section_defaults
from deepclust.silhouette import silhouette_estimate, silhouette_exact
from disturbance import watch


def embeddings(n, dim, k=10, seed=0):
    """(n, dim) float32 points and (n,) int labels."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=0.7, size=(k, dim))
    blob = rng.choice(k, size=n, p=rng.dirichlet(np.full(k, 5.0)))
    x = rng.normal(size=(n, dim))
    for b in range(k):  # each blob gets its own random shape and spread
        mixing = rng.normal(scale=rng.uniform(0.3, 0.8), size=(dim, dim)) / np.sqrt(dim)
        x[blob == b] = centres[b] + x[blob == b] @ mixing
    labels = np.argmin([((x - c) ** 2).sum(axis=1) for c in centres], axis=0)
    return x.astype(np.float32), labels


def timed(fn):
    """(wall s, process cpu s, value). On a shared machine cpu < n_threads * wall shows
    that other jobs held the cores."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, value


def estimate_main(args):
    """Exact against estimated at the --compare sizes; the estimate alone at --estimate-only."""
    x, labels = embeddings(2000, args.dim)
    warm, _, _ = timed(
        lambda: (silhouette_exact(x, labels), silhouette_estimate(x, labels, 100, 0))
    )
    print(f"warm-up (compile or cache load): {warm:.2f} s; sample size {args.sample_size}")
    for n in args.compare + args.estimate_only:
        x, labels = embeddings(n, args.dim)
        t_est, cpu_est, est = timed(
            lambda x=x, labels=labels: silhouette_estimate(x, labels, args.sample_size, args.seed)
        )
        half = (est.ci_high - est.ci_low) / 2
        line = (
            f"SUMMARY n={n} dim={args.dim} sample={args.sample_size} "
            f"estimate={t_est:.2f}s (cpu {cpu_est:.2f}s) "
            f"value={est.value:.5f} ci95=[{est.ci_low:.5f}, {est.ci_high:.5f}] (+-{half:.5f})"
        )
        if n in args.compare:
            t_ex, cpu_ex, exact = timed(lambda x=x, labels=labels: silhouette_exact(x, labels))
            line += (
                f" exact={t_ex:.2f}s (cpu {cpu_ex:.2f}s) value={exact:.5f} "
                f"error={est.value - exact:+.5f} "
                f"covered={est.ci_low <= exact <= est.ci_high} speedup={t_ex / t_est:.1f}x"
            )
        print(line, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=70000)
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--estimate", action="store_true", help="exact against estimated (see the docstring)"
    )
    parser.add_argument("--compare", type=int, nargs="*", default=[20000, 60000])
    parser.add_argument("--estimate-only", type=int, nargs="*", default=[300000])
    parser.add_argument(
        "--sample-size",
        type=int,
        default=section_defaults("evaluation")["silhouette_sample_size"],
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.estimate:
        estimate_main(args)
        return

    x, labels = embeddings(args.n, args.dim)
    print(f"data: {x.shape} {x.dtype}, {len(np.unique(labels))} clusters")
    warm, _, _ = timed(lambda: silhouette_exact(x[:2000], labels[:2000]))
    print(f"warm-up (compile or cache load): {warm:.2f} s")

    t_sk, cpu, v_sk = timed(lambda: silhouette_score(x, labels))
    print(f"sklearn silhouette_score: {t_sk:.2f} s (cpu {cpu:.2f} s)  value {v_sk:.9f}")
    times = []
    for i in range(args.repeats):
        t, cpu, v = timed(lambda: silhouette_exact(x, labels))
        times.append(t)
        print(f"silhouette_exact run {i + 1}: {t:.2f} s (cpu {cpu:.2f} s)  value {v:.9f}")
    median = statistics.median(times)
    diff = abs(v - v_sk)
    print(
        f"SUMMARY n={args.n} dim={args.dim} sklearn={t_sk:.2f}s exact_median={median:.2f}s "
        f"speedup={t_sk / median:.1f}x absdiff={diff:.2e}"
    )


if __name__ == "__main__":
    with watch():
        main()
