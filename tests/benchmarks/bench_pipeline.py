"""Benchmark: the full default pipeline on the local MNIST copy, per-rule wall times,
and the two hot spots against their slow references, measured in the same run.

    python tests/benchmarks/bench_pipeline.py [--source ../shared/datasets/mnist] [--workdir DIR]
"""

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1] / "scripts"), str(HERE.parent / "helpers")]

from disturbance import watch  # noqa: E402
from workflow_runner import ROOT, copy_project, snakemake, write_config  # noqa: E402


def rule_times(workdir):
    """``[(job, seconds, max_rss_mb)]`` from the benchmark: files."""
    rows = []
    for path in sorted((workdir / "benchmarks").rglob("*.tsv")):
        with open(path) as handle:
            row = next(csv.DictReader(handle, delimiter="\t"))
        rss = row["max_rss"]
        rows.append(
            (
                str(path.relative_to(workdir / "benchmarks").with_suffix("")),
                float(row["s"]),
                float(rss) if rss not in ("NA", "-") else float("nan"),
            )
        )
    return rows


def decode_speedup(source, cache_dir):
    """Ours (2 processes) vs the datasets numpy formatter on train+test (70,000 images),
    both from a warm datasets cache."""
    import datasets

    from deepclust.sources.decode import load_image_dataset

    start = time.perf_counter()
    ours, _, _ = load_image_dataset(
        source, ["train", "test"], "image", "label", None, cache_dir, n_jobs=2
    )
    fast = time.perf_counter() - start
    start = time.perf_counter()
    dd = datasets.load_dataset(source, cache_dir=cache_dir).with_format("numpy")
    reference = np.concatenate([dd["train"]["image"], dd["test"]["image"]])
    slow = time.perf_counter() - start
    assert np.array_equal(ours, reference), "decoders disagree"
    return slow, fast


def silhouette_speedup(workdir):
    """Exact fused silhouette vs scikit-learn on the run's K-Means clustering."""
    from sklearn.metrics import silhouette_score

    from deepclust.silhouette import silhouette_exact

    x = np.load(workdir / "results/mnist/seed0/embeddings.npy")
    labels = np.load(workdir / "results/mnist/seed0/clusters/kmeans/labels.npy")
    silhouette_exact(x[:500], labels[:500])  # compile
    start = time.perf_counter()
    ours = silhouette_exact(x, labels)
    fast = time.perf_counter() - start
    start = time.perf_counter()
    reference = silhouette_score(x, labels)
    slow = time.perf_counter() - start
    return slow, fast, abs(ours - reference), len(x)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--source", default=str(ROOT.parent / "shared" / "datasets" / "mnist"))
    parser.add_argument("--workdir", help="scratch folder (default: a new temporary one)")
    parser.add_argument("--cores", default="2")
    parser.add_argument("--skip-references", action="store_true", help="only the pipeline run")
    args = parser.parse_args()

    workdir = copy_project(Path(args.workdir or tempfile.mkdtemp(prefix="deepclust-bench-")))
    cache = workdir / "hf_cache"
    config = write_config(
        workdir,
        {
            "datasets": {
                "mnist": {"source": str(Path(args.source).resolve()), "cache_dir": str(cache)}
            }
        },
    )
    print(f"running the default pipeline in {workdir} on {args.cores} cores ...", flush=True)
    start = time.perf_counter()
    snakemake(workdir, "--cores", args.cores, "--configfile", config, timeout=3600)
    total = time.perf_counter() - start

    print(f"\n{'job':<45}{'seconds':>10}{'max RSS MB':>12}")
    for job, seconds, rss in rule_times(workdir):
        print(f"{job:<45}{seconds:>10.1f}{rss:>12.0f}")
    print(f"{'total wall time (snakemake, incl. scheduling)':<45}{total:>10.1f}")
    if args.skip_references:
        return
    slow, fast = decode_speedup(str(Path(args.source).resolve()), cache)
    print(
        f"\ndecode 70,000 images: datasets numpy formatter {slow:.1f} s, ours {fast:.1f} s, "
        f"speed-up {slow / fast:.1f}x"
    )
    slow, fast, diff, n = silhouette_speedup(workdir)
    print(
        f"exact silhouette {n:,} x 64: scikit-learn {slow:.1f} s, ours {fast:.1f} s, "
        f"speed-up {slow / fast:.1f}x, |difference| {diff:.1e}"
    )


if __name__ == "__main__":
    with watch():
        main()
