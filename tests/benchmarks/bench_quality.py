"""Benchmark: the quality preset (config/presets/quality.yaml) through the real pipeline on
one dataset, one seed at a time, then per seed and mean/std of the scores of every
clustering, the seconds of every rule and the verdict against the preset's goals.

    python tests/benchmarks/bench_quality.py [--dataset mnist] \
        [--preset config/presets/quality.yaml [more layered files, e.g. n2d-autoencoder.yaml]]
        [--seeds 0 1 2] [--workdir DIR] [--cores 2]

Datasets: ``mnist`` and ``fashion_mnist`` (all 70,000 images of the local copies in
../shared/datasets) and the small-image sets of tests/helpers/hub_fixtures.py (``digits8``,
``mnist16``, ``fashion16``, ``mnist8``), built into WORKDIR/datasets on first use. A
dataset other than mnist is added the way a user would: a second config file that
disables ``mnist`` and gives the new dataset only its ``source`` and ``splits``.

The project is copied to ``WORKDIR/main`` with ``WORKDIR/shared`` linked to this
checkout's ``../shared``, so the preset's relative source (../shared/datasets/mnist)
resolves as it does in the checkout. Each seed runs as its own ``snakemake`` call (one
more --configfile with ``seeds: [s]``) so its wall time is that of one seed's whole run
(the first also downloads and deskews); a last call with all seeds builds the report.
Goals (issue 9): MNIST accuracy >= 0.990 and NMI >= 0.970, Fashion-MNIST >= 0.70 and
>= 0.70 (means over the seeds), one seed in <= 600 s on 2 cores; on the small sets no
refinement ends more than 0.01 accuracy below its base on any seed. The last line is a
digest of every score, equal for two runs of the same code and config.
"""

import argparse
import csv
import hashlib
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1] / "scripts"), str(HERE.parent / "helpers")]

from config_defaults import layered  # noqa: E402
from disturbance import watch  # noqa: E402
from hub_fixtures import write_small_dataset  # noqa: E402
from workflow_runner import ROOT, copy_project, snakemake, write_config  # noqa: E402

SCORES = ("accuracy", "nmi", "ari", "silhouette")
SHARED = {"mnist": "mnist", "fashion_mnist": "fashion_mnist"}  # 70,000 images, train + test
SMALL = ("digits8", "mnist16", "fashion16", "mnist8")  # train only, 1,797 to 5,000 images
# issue 19's bars (accuracy, NMI): past the best verified anchor (MNIST DEC-DA, Fashion-MNIST
# N2D), then the stretch goal
GOALS = {
    "mnist": [(0.985, 0.960), (0.990, 0.970)],
    "fashion_mnist": [(0.672, 0.684), (0.70, 0.70)],
}
MAX_SEED_SECONDS = 900  # 15 minutes a seed on 2 cores, consensus included
MAX_REFINEMENT_LOSS = 0.01
MAX_CONSENSUS_LOSS = 0.005


def rule_seconds(workdir, dataset, seed):
    """``{job: seconds}`` from the benchmark tsv files of one seed (plus the per-dataset
    decode and deskew, which only the first seed's run pays for)."""
    bench = workdir / "benchmarks" / dataset
    paths = sorted((bench / f"seed{seed}").glob("*.tsv"))
    paths[:0] = [
        bench / f"{job}.tsv" for job in ("decode", "deskew") if (bench / f"{job}.tsv").exists()
    ]
    times = {}
    for path in paths:
        with open(path) as handle:
            times[path.stem] = float(next(csv.DictReader(handle, delimiter="\t"))["s"])
    return times


def scores(workdir, dataset, seed):
    """``{algorithm: metrics dict}`` of one seed."""
    folder = workdir / "results" / dataset / f"seed{seed}" / "clusters"
    return {p.parent.name: json.loads(p.read_text()) for p in sorted(folder.glob("*/metrics.json"))}


def consensus_scores(workdir, dataset):
    """``{clustering: metrics dict of the consensus of its seeds}`` (none with one seed)."""
    folder = workdir / "results" / dataset / "consensus" / "clusters"
    return {p.parent.name: json.loads(p.read_text()) for p in sorted(folder.glob("*/metrics.json"))}


def print_agreement(per_seed, consensus, seeds):
    """How far the seeds agree and what their consensus scores against their mean (issue
    19: the consensus never more than MAX_CONSENSUS_LOSS accuracy below its seeds' mean)."""
    print("\nagreement between seeds, and the consensus (accuracy / NMI: consensus, seeds' mean)")
    worst = None
    for algo, m in consensus.items():
        record = m["stability"]
        acc = [per_seed[s][algo]["accuracy"] for s in seeds]
        nmi = [per_seed[s][algo]["nmi"] for s in seeds]
        line = (
            f"{algo:18s} seed ARI {record['mean_ari']:.4f}  NMI {record['mean_nmi']:.4f}  "
            f"unanimous {record['unanimous_fraction']:.3f}  "
        )
        if m["accuracy"] is not None:
            gap = m["accuracy"] - statistics.fmean(acc)
            worst = gap if worst is None else min(worst, gap)
            line += (
                f"accuracy {m['accuracy']:.4f} / {statistics.fmean(acc):.4f} ({gap:+.4f})  "
                f"NMI {m['nmi']:.4f} / {statistics.fmean(nmi):.4f}"
            )
        print(line)
    most = max(consensus, key=lambda a: consensus[a]["stability"]["mean_ari"])
    print(
        f"label-free pick (seeds agree most): {most}, its consensus accuracy "
        f"{fmt(consensus[most]['accuracy'])}; best seeds' mean accuracy "
        + fmt(
            max(statistics.fmean(per_seed[s][a]["accuracy"] or 0 for s in seeds) for a in consensus)
        )
    )
    if worst is not None:
        ok = worst >= -MAX_CONSENSUS_LOSS
        print(
            f"consensus against its seeds' mean: worst {worst:+.4f} "
            f"(limit -{MAX_CONSENSUS_LOSS}): goal {'met' if ok else 'NOT met'}"
        )


def final_clustering(config):
    """``(refined, base)``: the clustering the preset is judged by (the self-trained one when
    it is on, else umap_gmm) and the one it refines (None without self-training)."""
    self_training = config["self_training"]
    if self_training["enabled"]:
        base = self_training["base"]
        return f"{base}_selftrain", base
    return "umap_gmm", None


def dataset_config(name, base):
    """The user's second config file for ``name``: ``{}`` for the preset's own mnist."""
    if name == "mnist":
        return {}
    if name in SHARED:
        source, splits = (
            (ROOT.parent / "shared" / "datasets" / SHARED[name]).resolve(),
            ["train", "test"],
        )
    elif name in SMALL:
        source, splits = base / "datasets" / name, ["train"]
        if not source.exists():
            write_small_dataset(source, name, ROOT.parent / "shared" / "datasets")
    else:
        raise SystemExit(
            f"unknown dataset {name!r}; known: mnist, {', '.join([*SHARED][1:] + list(SMALL))}"
        )
    return {
        "datasets": {"mnist": {"enabled": False}, name: {"source": str(source), "splits": splits}}
    }


def verdict(name, per_seed, final, base, wall):
    """``(the goal for name and what the run did, whether it met it)``."""
    seeds = list(per_seed)
    if name in GOALS:
        acc = statistics.fmean(per_seed[s][final]["accuracy"] for s in seeds)
        nmi = statistics.fmean(per_seed[s][final]["nmi"] for s in seeds)
        fast = max(wall.values()) <= MAX_SEED_SECONDS
        met = [acc >= a and nmi >= n and fast for a, n in GOALS[name]]
        bars = ", ".join(f"{a} / {n}" for a, n in GOALS[name])
        return (
            f"{final} mean accuracy {acc:.4f}, NMI {nmi:.4f} (bars {bars}), "
            f"slowest seed {max(wall.values()):.0f} s (goal {MAX_SEED_SECONDS})",
            f"bars met: {sum(met)} of {len(met)}",
        )
    if base is None:
        return "no refinement step", "nothing to judge"
    drops = {s: per_seed[s][base]["accuracy"] - per_seed[s][final]["accuracy"] for s in seeds}
    kept = [s for s in seeds if per_seed[s][final].get("guard", {}).get("kept_base")]
    ok = max(drops.values()) <= MAX_REFINEMENT_LOSS
    return (
        f"{final} against {base}: largest accuracy drop {max(drops.values()):+.4f} "
        f"(limit {MAX_REFINEMENT_LOSS}), guard kept the base for seeds {kept or 'none'}",
        f"goal {'met' if ok else 'NOT met'}",
    )


def fmt(value):
    return "  n/a " if value is None else f"{value:6.4f}"


def mean_std(values):
    values = [v for v in values if v is not None]
    if not values:
        return "n/a"
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.fmean(values):.4f} +- {std:.4f}"


def main(machine):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--preset",
        nargs="+",
        default=["config/presets/quality.yaml"],
        help="one or more config files, layered in this order",
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument(
        "--dataset", default="mnist", help=f"mnist, {', '.join([*SHARED][1:] + list(SMALL))}"
    )
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
    print(
        f"workdir {workdir}, preset {args.preset}, dataset {args.dataset}, seeds {args.seeds}",
        flush=True,
    )
    configs = [
        "--configfile",
        *args.preset,
        write_config(workdir, dataset_config(args.dataset, base), "dataset.yaml"),
    ]

    wall = {}
    for seed in args.seeds:
        start = time.perf_counter()
        snakemake(
            workdir,
            "--cores",
            args.cores,
            *configs,
            write_config(workdir, {"seeds": [seed]}, f"seeds_{seed}.yaml"),
            timeout=3600,
        )
        wall[seed] = time.perf_counter() - start
        print(f"seed {seed}: {wall[seed]:.1f} s wall", flush=True)
    if not args.skip_report:
        snakemake(
            workdir,
            "--cores",
            args.cores,
            *configs,
            write_config(workdir, {"seeds": args.seeds}, "seeds_all.yaml"),
            timeout=3600,
        )

    per_seed = {seed: scores(workdir, args.dataset, seed) for seed in args.seeds}
    algorithms = sorted({a for s in per_seed.values() for a in s})
    print("\nscores per seed")
    print(
        f"{'algorithm':18s} {'seed':>4s} "
        + " ".join(f"{k:>10s}" for k in SCORES)
        + "  n_clusters  noise"
    )
    for algo in algorithms:
        for seed in args.seeds:
            m = per_seed[seed].get(algo)
            if m is None:
                continue
            print(
                f"{algo:18s} {seed:4d} "
                + " ".join(f"{fmt(m[k]):>10s}" for k in SCORES)
                + f"  {m['n_clusters']:10d}  {m['noise_fraction']:.3f}"
            )
    print("\nmean +- std over seeds")
    for algo in algorithms:
        cells = [mean_std([per_seed[s].get(algo, {}).get(k) for s in args.seeds]) for k in SCORES]
        print(f"{algo:18s} " + "  ".join(f"{k} {c}" for k, c in zip(SCORES, cells)))

    consensus = consensus_scores(workdir, args.dataset)
    if consensus:
        print_agreement(per_seed, consensus, args.seeds)

    print("\nseconds per rule (benchmark: files)")
    times = {seed: rule_seconds(workdir, args.dataset, seed) for seed in args.seeds}
    jobs = sorted({j for t in times.values() for j in t})
    print(f"{'job':33s} " + " ".join(f"{'seed' + str(s):>8s}" for s in args.seeds))
    for job in jobs:
        print(
            f"{job:33s} " + " ".join(f"{times[s].get(job, float('nan')):8.1f}" for s in args.seeds)
        )
    print(f"{'sum of rules':33s} " + " ".join(f"{sum(times[s].values()):8.1f}" for s in args.seeds))
    print(f"{'wall (snakemake call)':33s} " + " ".join(f"{wall[s]:8.1f}" for s in args.seeds))
    final, refined_base = final_clustering(layered(*(workdir / p for p in args.preset)))
    machine.verdict(*verdict(args.dataset, per_seed, final, refined_base, wall))
    numbers = [
        [per_seed[s][a].get(k) for k in SCORES]
        for s in args.seeds
        for a in algorithms
        if a in per_seed[s]
    ]
    print("scores digest " + hashlib.sha256(json.dumps(numbers).encode()).hexdigest()[:16])


if __name__ == "__main__":
    with watch() as machine:
        main(machine)
