"""Benchmark: the quality preset (config/presets/mnist-quality.yaml) through the real
pipeline on the local MNIST copy, one seed at a time, then per seed and mean/std of the
scores of every algorithm and the seconds of every rule.

    python tests/benchmarks/bench_quality.py [--preset config/presets/mnist-quality.yaml]
        [--seeds 0 1 2] [--workdir DIR] [--cores 2]

The project is copied to ``WORKDIR/main`` with ``WORKDIR/shared`` linked to this
checkout's ``../shared``, so the preset's relative source (../shared/datasets/mnist)
resolves as it does in the checkout. Each seed runs as its own ``snakemake`` call
(a second --configfile with ``seeds: [s]``, everything up to that seed's report) so its wall time is the
time of one seed's whole run (the first also downloads); a last call with all seeds
rebuilds the report over all of them.
Goal of the preset: accuracy >= 0.98 and NMI >= 0.95 (mean over the seeds), one seed in
<= 300 s on 2 cores.
"""

import argparse
import csv
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1] / "scripts"), str(HERE.parent)]

from workflow_runner import ROOT, copy_project, snakemake, write_config  # noqa: E402

SCORES = ("accuracy", "nmi", "ari", "silhouette")


def rule_seconds(workdir, dataset, seed):
    """``{job: seconds}`` from the benchmark tsv files of one seed (plus the per-dataset
download and deskew, which only the first seed's run pays for)."""
    bench = workdir / "benchmarks" / dataset
    paths = sorted((bench / f"seed{seed}").glob("*.tsv"))
    paths[:0] = [bench / f"{job}.tsv" for job in ("download", "deskew") if (bench / f"{job}.tsv").exists()]
    times = {}
    for path in paths:
        with open(path) as handle:
            times[path.stem] = float(next(csv.DictReader(handle, delimiter="\t"))["s"])
    return times


def scores(workdir, dataset, seed):
    """``{algorithm: metrics dict}`` of one seed."""
    folder = workdir / "results" / dataset / f"seed{seed}" / "clusters"
    return {p.parent.name: json.loads(p.read_text()) for p in sorted(folder.glob("*/metrics.json"))}


def final_clustering(preset):
    """The clustering the preset is judged by: the self-trained one when it is on, else umap_gmm."""
    import yaml

    config = yaml.safe_load(Path(preset).read_text())
    self_training = config.get("self_training", {})
    if self_training.get("enabled"):
        return f"{self_training.get('base', 'umap_gmm')}_selftrain"
    return "umap_gmm"


def fmt(value):
    return "  n/a " if value is None else f"{value:6.4f}"


def mean_std(values):
    values = [v for v in values if v is not None]
    if not values:
        return "n/a"
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.fmean(values):.4f} +- {std:.4f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="config/presets/mnist-quality.yaml")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--workdir", help="scratch folder (default: a new temporary one, kept)")
    parser.add_argument("--cores", default="2")
    parser.add_argument("--skip-report", action="store_true", help="stop after the per-seed runs")
    args = parser.parse_args()

    base = Path(args.workdir or tempfile.mkdtemp(prefix="bench_quality_"))
    workdir = copy_project(base / "main")
    (workdir / "config").mkdir(exist_ok=True)
    shutil.copytree(ROOT / "config", workdir / "config", dirs_exist_ok=True)
    shared = base / "shared"
    if not shared.exists():
        shared.symlink_to(ROOT.parent / "shared")
    print(f"workdir {workdir}, preset {args.preset}, seeds {args.seeds}", flush=True)

    wall = {}
    for seed in args.seeds:
        start = time.perf_counter()
        snakemake(workdir, "--cores", args.cores, "--configfile", args.preset,
                  write_config(workdir, {"seeds": [seed]}, f"seeds_{seed}.yaml"), timeout=3600)
        wall[seed] = time.perf_counter() - start
        print(f"seed {seed}: {wall[seed]:.1f} s wall", flush=True)
    if not args.skip_report:
        snakemake(workdir, "--cores", args.cores, "--configfile", args.preset,
                  write_config(workdir, {"seeds": args.seeds}, "seeds_all.yaml"), timeout=3600)

    per_seed = {seed: scores(workdir, args.dataset, seed) for seed in args.seeds}
    algorithms = sorted({a for s in per_seed.values() for a in s})
    print("\nscores per seed")
    print(f"{'algorithm':18s} {'seed':>4s} " + " ".join(f"{k:>10s}" for k in SCORES) + "  n_clusters  noise")
    for algo in algorithms:
        for seed in args.seeds:
            m = per_seed[seed].get(algo)
            if m is None:
                continue
            print(f"{algo:18s} {seed:4d} " + " ".join(f"{fmt(m[k]):>10s}" for k in SCORES)
                  + f"  {m['n_clusters']:10d}  {m['noise_fraction']:.3f}")
    print("\nmean +- std over seeds")
    for algo in algorithms:
        cells = [mean_std([per_seed[s].get(algo, {}).get(k) for s in args.seeds]) for k in SCORES]
        print(f"{algo:18s} " + "  ".join(f"{k} {c}" for k, c in zip(SCORES, cells)))

    print("\nseconds per rule (benchmark: files)")
    times = {seed: rule_seconds(workdir, args.dataset, seed) for seed in args.seeds}
    jobs = sorted({j for t in times.values() for j in t})
    print(f"{'job':33s} " + " ".join(f"{'seed' + str(s):>8s}" for s in args.seeds))
    for job in jobs:
        print(f"{job:33s} " + " ".join(f"{times[s].get(job, float('nan')):8.1f}" for s in args.seeds))
    print(f"{'sum of rules':33s} " + " ".join(f"{sum(times[s].values()):8.1f}" for s in args.seeds))
    print(f"{'wall (snakemake call)':33s} " + " ".join(f"{wall[s]:8.1f}" for s in args.seeds))
    final = final_clustering(workdir / args.preset)
    if final in algorithms:
        acc = statistics.fmean(per_seed[s][final]["accuracy"] for s in args.seeds)
        nmi = statistics.fmean(per_seed[s][final]["nmi"] for s in args.seeds)
        ok = acc >= 0.98 and nmi >= 0.95 and max(wall.values()) <= 300
        print(f"\n{final} mean accuracy {acc:.4f}, NMI {nmi:.4f}, slowest seed {max(wall.values()):.0f} s: "
              f"goal {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
