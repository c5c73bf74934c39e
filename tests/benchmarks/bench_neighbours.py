"""Benchmark: k-distances and DBSCAN at scale, the exact path against the sampled /
approximate one (deepclust.knee, deepclust.cluster's dbscan).

Data: the default autoencoder (784-128-64, 10 epochs, batch 256, symmetric scaling,
seed 0) trained once on MNIST train; its codes of (a) MNIST train (60k), (b) 5 copies and
(c) 20 copies of it, every copy after the first shifting each image by a seeded random
(dx, dy) in [-2, 2] px with zero fill (300k, 1.2M real-looking embeddings). Cached under
.bench-cache/ (git-ignored) and built when missing (about 2 minutes on 2 cores).

    python tests/benchmarks/bench_neighbours.py [--sizes 60000 300000 1200000]
        [--exact-up-to 300000] [--threads 2] [--source ../shared/datasets/mnist]

Per size: time and peak RSS of the k-distance curve (exact below the threshold, else a
sample), of exact scikit-learn DBSCAN (up to --exact-up-to points) and of the approximate
DBSCAN, and their agreement (ARI, same core/noise status, number of clusters); then the
fitted time exponents (time ~ N^a between consecutive sizes). Each measurement runs in a
fresh process so that the peak RSS is its own.
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "tests" / "helpers")]

from config_defaults import algorithm_defaults, section_defaults  # noqa: E402
from disturbance import watch  # noqa: E402

CACHE = ROOT / ".bench-cache"
SIZES = {60000: 1, 300000: 5, 1200000: 20}  # points -> copies of MNIST train
AUTOENCODER = section_defaults("autoencoder") | {"device": "cpu"}
DBSCAN = algorithm_defaults("dbscan")


def shifted(images, rng, most=2):
    """Each uint8 image ``(N, H, W)`` moved by its own random (dx, dy) in [-most, most]
    pixels, zero fill."""
    out = np.zeros_like(images)
    shifts = rng.integers(-most, most + 1, size=(len(images), 2))
    h, w = images.shape[1:]
    for dy in range(-most, most + 1):
        for dx in range(-most, most + 1):
            rows = np.flatnonzero((shifts[:, 0] == dy) & (shifts[:, 1] == dx))
            out[rows, max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = images[
                rows, max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
            ]
    return out


def embeddings_path(n):
    return CACHE / f"embeddings_{n}.npy"


def build(source, threads):
    """Train the autoencoder once and write the three embedding sets (and labels)."""
    import torch

    from deepclust.model import AutoencoderSettings, encode, scale_images, train_autoencoder
    from deepclust.sources.decode import load_image_dataset

    CACHE.mkdir(exist_ok=True)
    torch.set_num_threads(threads)
    images, labels, _ = load_image_dataset(source, ["train"], "image", "label", n_jobs=threads)
    model_path = CACHE / "autoencoder.pt"
    if model_path.exists():
        model = torch.load(model_path, weights_only=False)
    else:
        start = time.perf_counter()
        settings = AutoencoderSettings.from_params(AUTOENCODER)
        x = scale_images(images, "symmetric")
        model, _ = train_autoencoder(x, settings, 0, log=lambda s: print("  " + s, flush=True))
        torch.save(model, model_path)
        print(f"autoencoder trained in {time.perf_counter() - start:.0f} s", flush=True)
    codes = []
    rng = np.random.default_rng(12345)
    for copy in range(max(SIZES.values())):
        batch = images if copy == 0 else shifted(images, rng)
        codes.append(encode(model, scale_images(batch, "symmetric")))
        n = len(images) * (copy + 1)
        if n in SIZES:
            np.save(embeddings_path(n), np.concatenate(codes))
            np.save(CACHE / f"labels_{n}.npy", np.tile(labels, copy + 1))
            print(f"wrote {embeddings_path(n)}", flush=True)


def load(n):
    return np.load(embeddings_path(n))


def peak_rss_mb():
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(what, n, args):
    """One measurement in this (fresh) process; returns a JSON-able dict."""
    from threadpoolctl import threadpool_limits

    x = load(n)
    result = {"what": what, "n": n}
    with threadpool_limits(args.threads):
        if what == "kdist_exact":  # cached: 214 s at 300k
            from deepclust.knee import auto_eps

            start = time.perf_counter()
            eps, curve, index = auto_eps(x, args.min_samples)
            result["seconds"] = time.perf_counter() - start
            np.save(CACHE / f"kdist_exact_{n}_{args.min_samples}.npy", curve)
        elif what == "kdist_sample":
            from deepclust.knee import auto_eps

            start = time.perf_counter()
            eps, curve, index = auto_eps(x, args.min_samples, args.sample, args.seed)
            result["seconds"] = time.perf_counter() - start
            np.save(CACHE / f"kdist_sample_{n}_{args.min_samples}_{args.sample}.npy", curve)
        elif what == "dbscan_exact":  # cached: 177 s at 300k
            from sklearn.cluster import DBSCAN

            start = time.perf_counter()
            model = DBSCAN(eps=args.eps, min_samples=args.min_samples).fit(x)
            result["seconds"] = time.perf_counter() - start
            core = np.zeros(n, bool)
            core[model.core_sample_indices_] = True
            np.savez(exact_path(n, args), labels=model.labels_, core=core)
        elif what == "dbscan_knn":
            import numba

            from deepclust.neighbours import dbscan_knn, knn_graph

            numba.set_num_threads(args.threads)
            start = time.perf_counter()
            knn_graph(np.random.default_rng(0).normal(size=(3000, x.shape[1])), args.knn, 0)
            result["compile_seconds"] = time.perf_counter() - start
            start = time.perf_counter()
            indices, distances = knn_graph(x, args.knn, args.seed)
            result["graph_seconds"] = time.perf_counter() - start
            labels, info = dbscan_knn(indices, distances, args.eps, args.min_samples)
            result["seconds"] = time.perf_counter() - start
            result |= info
            core = distances[:, args.min_samples - 2] <= args.eps
            np.savez(CACHE / f"dbscan_knn_{n}.npz", labels=labels, core=core)
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def exact_path(n, args):
    return CACHE / f"dbscan_exact_{n}_{args.eps}_{args.min_samples}.npz"


def run(what, n, args):
    """``measure`` in a fresh process, so that its peak RSS is its own."""
    command = [sys.executable, __file__, "--measure", what, str(n), *forwarded(args)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def forwarded(args):
    return [
        f"--threads={args.threads}",
        f"--eps={args.eps}",
        f"--min-samples={args.min_samples}",
        f"--knn={args.knn}",
        f"--sample={args.sample}",
        f"--seed={args.seed}",
    ]


def agreement(n, args):
    """ARI, same core status, same noise status, clusters: approximate vs exact DBSCAN."""
    from sklearn.metrics import adjusted_rand_score

    exact = np.load(exact_path(n, args))
    approx = np.load(CACHE / f"dbscan_knn_{n}.npz")
    a, b = exact["labels"], approx["labels"]
    clusters = [len(np.unique(v[v >= 0])) for v in (a, b)]
    return {
        "ari": adjusted_rand_score(a, b),
        "same_core": float(np.mean(exact["core"] == approx["core"])),
        "same_noise": float(np.mean((a < 0) == (b < 0))),
        "clusters_exact": clusters[0],
        "clusters_knn": clusters[1],
        "noise_exact": float(np.mean(a < 0)),
        "noise_knn": float(np.mean(b < 0)),
    }


def knee_agreement(n, args):
    """Knee quantile and eps of the sampled curve against the exact one."""
    from deepclust.knee import knee_index

    exact = np.load(CACHE / f"kdist_exact_{n}_{args.min_samples}.npy")
    sample = np.load(CACHE / f"kdist_sample_{n}_{args.min_samples}_{args.sample}.npy")
    i, j = knee_index(exact), knee_index(sample)
    q = np.linspace(0.01, 0.99, 99)
    return {
        "knee_q_exact": i / (len(exact) - 1),
        "knee_q_sample": j / (len(sample) - 1),
        "eps_exact": float(exact[i]),
        "eps_sample": float(sample[j]),
        "max_rel_quantile_error": float(
            np.max(np.abs(np.quantile(sample, q) / np.quantile(exact, q) - 1))
        ),
    }


def exponents(times):
    """``[(n0, n1, a)]``: time ~ N^a between consecutive sizes."""
    sizes = sorted(times)
    return [(a, b, np.log(times[b] / times[a]) / np.log(b / a)) for a, b in zip(sizes, sizes[1:])]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=sorted(SIZES), choices=sorted(SIZES)
    )
    parser.add_argument(
        "--exact-up-to",
        type=int,
        default=300000,
        help="run exact DBSCAN and the exact k-distance curve up to this size (cached)",
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--eps", type=float, default=DBSCAN["eps"])
    parser.add_argument("--min-samples", type=int, default=DBSCAN["min_samples"])
    parser.add_argument("--knn", type=int, default=DBSCAN["knn_neighbors"])
    parser.add_argument("--sample", type=int, default=DBSCAN["kdistance_sample"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--source", default=str(ROOT.parent / "shared" / "datasets" / "mnist"))
    parser.add_argument("--measure", nargs=2, metavar=("WHAT", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure[0], int(args.measure[1]), args)))
        return
    if not all(embeddings_path(n).exists() for n in SIZES):
        build(args.source, args.threads)
    print(
        f"eps {args.eps}, min_samples {args.min_samples}, knn {args.knn}, k-distance sample "
        f"{args.sample}, seed {args.seed}, {args.threads} threads",
        flush=True,
    )
    times = {"kdist_sample": {}, "dbscan_knn": {}, "dbscan_exact": {}, "kdist_exact": {}}
    for n in args.sizes:
        for what in ("kdist_exact", "dbscan_exact"):
            cached = (
                exact_path(n, args)
                if what == "dbscan_exact"
                else CACHE / f"kdist_exact_{n}_{args.min_samples}.npy"
            )
            if n <= args.exact_up_to and not cached.exists():
                r = run(what, n, args)
                times[what][n] = r["seconds"]
                print(
                    f"{n:>8} {what:<13} {r['seconds']:8.1f} s  peak RSS {r['peak_rss_mb']:6.0f} MB",
                    flush=True,
                )
        r = run("kdist_sample", n, args)
        times["kdist_sample"][n] = r["seconds"]
        print(
            f"{n:>8} kdist_sample  {r['seconds']:8.1f} s  peak RSS {r['peak_rss_mb']:6.0f} MB",
            flush=True,
        )
        if (CACHE / f"kdist_exact_{n}_{args.min_samples}.npy").exists():
            print(
                f"{'':>8}   sampled vs exact curve: {json.dumps(knee_agreement(n, args))}",
                flush=True,
            )
        r = run("dbscan_knn", n, args)
        times["dbscan_knn"][n] = r["seconds"]
        print(
            f"{n:>8} dbscan_knn    {r['seconds']:8.1f} s  "
            f"(graph {r['graph_seconds']:.1f} s, numba compile "
            f"{r['compile_seconds']:.1f} s not included)  peak RSS {r['peak_rss_mb']:6.0f} MB; "
            f"{r['n_core']} core points, {r['n_saturated']} saturated",
            flush=True,
        )
        if exact_path(n, args).exists():
            print(f"{'':>8}   vs exact DBSCAN: {json.dumps(agreement(n, args))}", flush=True)
    for what in ("kdist_sample", "dbscan_knn"):
        for a, b, e in exponents(times[what]):
            print(f"{what}: time ~ N^{e:.2f} from {a} to {b}")


if __name__ == "__main__":
    if "--measure" in sys.argv:  # a child of this benchmark: its JSON line only
        main()
    else:
        with watch():
            main()
