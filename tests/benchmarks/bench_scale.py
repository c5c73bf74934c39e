"""Benchmark: the default config on MNIST-like datasets of growing size, per-rule wall
time and peak RSS, with each rule's fitted growth exponent (time ~ N^k).

    python tests/benchmarks/bench_scale.py [--sizes 60000,300000,1200000] [--config extra.yaml]
        [--seeds 0] [--plot curves.png] [--plan 100000000 --plan-shards 1000]

Each dataset is MNIST train repeated: copy 0 as is, every further copy with each image
shifted by a seeded random (dx, dy) in [-2, 2] pixels (zero fill), written as several
parquet shards in the Hub's layout and cached in .bench-cache/scale/ (git-ignored).
Every size runs in its own scratch copy of the project (kept with --keep), so the
per-rule numbers come from the workflow's own benchmark: files.
"""

import argparse
import csv
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1] / "scripts"), str(HERE.parent / "helpers")]

from disturbance import watch  # noqa: E402
from workflow_runner import ROOT, copy_project, snakemake, write_config  # noqa: E402

CACHE = ROOT / ".bench-cache" / "scale"
SHARD_ROWS = 100_000  # images per parquet file of a built dataset
MAX_SHIFT = 2


def shifted(images, rng):
    """Each image moved by its own random (dx, dy) in [-MAX_SHIFT, MAX_SHIFT], zero fill."""
    n, h, w = images.shape
    pad = np.pad(images, ((0, 0), (MAX_SHIFT, MAX_SHIFT), (MAX_SHIFT, MAX_SHIFT)))
    dy, dx = rng.integers(-MAX_SHIFT, MAX_SHIFT + 1, (2, n))
    rows = (np.arange(h)[None, :] + MAX_SHIFT - dy[:, None])[:, :, None]
    cols = (np.arange(w)[None, :] + MAX_SHIFT - dx[:, None])[:, None, :]
    return pad[np.arange(n)[:, None, None], rows, cols]


def build_dataset(n, source):
    """``.bench-cache/scale/mnist-<n>``: n images in Hub layout (cached)."""
    import datasets

    from deepclust.sources.decode import load_image_dataset
    from hub_fixtures import png_bytes

    folder = CACHE / f"mnist-{n}"
    if (folder / "done").exists():
        return folder
    base, labels, names = load_image_dataset(str(source), ["train"], "image", "label")
    rng = np.random.default_rng(0)
    files = -(-n // SHARD_ROWS)
    (folder / "data").mkdir(parents=True, exist_ok=True)
    features = datasets.Features(
        {"image": datasets.Image(), "label": datasets.ClassLabel(names=names)}
    )
    copy, pending_images, pending_labels, written = 0, [], [], 0
    while written < n:
        images = base if copy == 0 else shifted(base, rng)
        pending_images += [png_bytes(im) for im in images]
        pending_labels += labels.tolist()
        copy += 1
        while len(pending_images) >= SHARD_ROWS or (
            pending_images and written + len(pending_images) >= n
        ):
            take = min(SHARD_ROWS, n - written, len(pending_images))
            part = datasets.Dataset.from_dict(
                {
                    "image": [{"bytes": b, "path": None} for b in pending_images[:take]],
                    "label": pending_labels[:take],
                },
                features=features,
            )
            index = written // SHARD_ROWS
            part.to_parquet(folder / "data" / f"train-{index:05d}-of-{files:05d}.parquet")
            written += take
            del pending_images[:take], pending_labels[:take]
            print(f"  {folder.name}: {written} of {n} images written", flush=True)
            if written >= n:
                break
    (folder / "done").write_text("ok\n")
    return folder


def rule_rows(workdir):
    """``{job: (seconds, max_rss_mb)}`` from the run's benchmark: files."""
    rows = {}
    for path in sorted((workdir / "benchmarks").rglob("*.tsv")):
        with open(path) as handle:
            row = next(csv.DictReader(handle, delimiter="\t"))
        rss = float(row["max_rss"]) if row["max_rss"] not in ("NA", "-") else float("nan")
        rows[str(path.relative_to(workdir / "benchmarks").with_suffix(""))] = (float(row["s"]), rss)
    return rows


def rule_name(job):
    """``mnist/seed0/cluster_kmeans`` -> ``cluster_kmeans``; shard numbers dropped."""
    return re.sub(r"_\d+$", "", job.split("/")[-1])


def exponent(sizes, values):
    """Least-squares slope of log(value) against log(size)."""
    ok = [(s, v) for s, v in zip(sizes, values) if v and v > 0 and np.isfinite(v)]
    if len(ok) < 2:
        return float("nan")
    x, y = np.log([s for s, _ in ok]), np.log([v for _, v in ok])
    return float(np.polyfit(x, y, 1)[0])


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="60000,300000,1200000")
    parser.add_argument("--source", default=str(ROOT.parent / "shared" / "datasets" / "mnist"))
    parser.add_argument(
        "--config", action="append", default=[], help="extra config file(s) layered on top"
    )
    parser.add_argument("--seeds", help="comma-separated seeds, e.g. 0 (default: the config's)")
    parser.add_argument("--cores", default="2")
    parser.add_argument("--keep", help="keep the scratch runs under this folder")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--plot", help="write the per-rule cost curves to this PNG or SVG")
    parser.add_argument(
        "--from-json",
        action="append",
        help="report on saved bench-scale.json files (repeat to join runs) instead of running",
    )
    parser.add_argument(
        "--plan", type=int, help="extrapolate every rule's time and peak RSS to this many images"
    )
    parser.add_argument("--plan-shards", type=int, default=100, help="shards assumed by --plan")
    return parser.parse_args()


def run_size(n, folder, workdir, args):
    """Run the workflow on the built dataset ``folder`` of ``n`` images in ``workdir``;
    prints and returns ``(wall seconds, {rule: (seconds, peak MB)}, first seed's scores)``."""
    copy_project(workdir)
    # the built dataset last, so that a preset in --config cannot point elsewhere
    dataset = {"source": str(folder), "splits": ["train"], "cache_dir": str(CACHE / "hf_cache")}
    layered = {"datasets": {"mnist": dataset}}
    if args.seeds:
        layered["seeds"] = [int(s) for s in args.seeds.split(",")]
    configs = [*[str(Path(c).resolve()) for c in args.config], write_config(workdir, layered)]
    start = time.perf_counter()
    snakemake(workdir, "--cores", args.cores, "--configfile", *configs, timeout=4 * 3600)
    wall = time.perf_counter() - start
    jobs = rule_rows(workdir)
    rules = {}
    for job, (seconds, rss) in jobs.items():
        total, peak = rules.get(rule_name(job), (0.0, 0.0))
        rules[rule_name(job)] = (total + seconds, max(peak, rss))
    print(f"\n{n} images: whole run {wall:.0f} s wall, {len(jobs)} jobs", flush=True)
    for name, (seconds, rss) in sorted(rules.items(), key=lambda kv: -kv[1][0]):
        print(f"  {name:28s} {seconds:9.1f} s  {rss:8.0f} MB")
    scores = first_seed_scores(workdir)
    for name, (acc, nmi, estimated) in scores.items():
        print(f"  {name:28s} accuracy {acc:.4f}  NMI {nmi:.4f}  {estimated}")
    return wall, rules, scores


def report(sizes, by_size, walls, args):
    summarise(sizes, by_size, walls)
    if args.plot:
        plot_curves(sizes, by_size, walls, args.plot)
        print(f"wrote {args.plot}")
    if args.plan:
        plan(sizes, by_size, walls, args.plan, args.plan_shards)


def main():
    args = parse_args()
    if args.from_json:
        report(*read_saved(args.from_json), args)
        return
    with watch():  # a report on saved runs above times nothing
        run_all(args)


def run_all(args):
    import json

    sizes = [int(s) for s in args.sizes.split(",")]
    folders = {n: build_dataset(n, args.source) for n in sizes}
    if args.build_only:
        return
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-scale-"))
    by_size, walls, scores = {}, {}, {}
    for n in sizes:
        walls[n], by_size[n], scores[n] = run_size(n, folders[n], root / f"n{n}", args)
    print(f"runs in {root}")
    (root / "bench-scale.json").write_text(
        json.dumps({"sizes": sizes, "walls": walls, "rules": by_size, "scores": scores}, indent=1)
    )
    report(sizes, by_size, walls, args)


def read_saved(paths):
    """``(sizes, by_size, walls)`` joined from saved bench-scale.json files (a later file
    wins for a size both hold)."""
    import json

    by_size, walls = {}, {}
    for path in paths:
        saved = json.loads(Path(path).read_text())
        for n in saved["sizes"]:
            by_size[n] = {r: tuple(v) for r, v in saved["rules"][str(n)].items()}
            walls[n] = saved["walls"][str(n)]
    return sorted(by_size), by_size, walls


def first_seed_scores(workdir):
    """``{clustering: (accuracy, NMI, what was sampled)}`` of the first seed's results."""
    import json

    scores = {}
    seeds = sorted((workdir / "results" / "mnist").glob("seed*"))
    for path in sorted(seeds[0].glob("clusters/*/metrics.json")) if seeds else []:
        m = json.loads(path.read_text())
        sampled = [k for k, v in m.get("exactness", {}).items() if v.startswith("estimated")]
        scores[m["algorithm"]] = (m["accuracy"], m["nmi"], "sampled: " + ", ".join(sampled))
    return scores


def summarise(sizes, by_size, walls):
    """The per-rule table with fitted exponents."""
    names = sorted(
        {r for rules in by_size.values() for r in rules},
        key=lambda r: -by_size[sizes[-1]].get(r, (0, 0))[0],
    )
    head = "".join(f"{n:>12,d}" for n in sizes)
    print(
        "\nper rule (seconds, summed over a rule's jobs; peak RSS MB) "
        "and fitted exponent k, time ~ N^k"
    )
    print(
        f"{'rule':28s}{head}   k(time)  " + "".join(f"{'MB@' + format(n, ','):>12s}" for n in sizes)
    )
    for name in names:
        secs = [by_size[n].get(name, (float("nan"), float("nan")))[0] for n in sizes]
        rss = [by_size[n].get(name, (float("nan"), float("nan")))[1] for n in sizes]
        print(
            f"{name:28s}"
            + "".join(f"{s:12.1f}" for s in secs)
            + f"{exponent(sizes, secs):9.2f}  "
            + "".join(f"{r:12.0f}" for r in rss)
        )
    print(
        f"{'whole run (wall)':28s}"
        + "".join(f"{walls[n]:12.0f}" for n in sizes)
        + f"{exponent(sizes, [walls[n] for n in sizes]):9.2f}"
    )
    worst = max(
        (by_size[n][r][1], r, n) for n in sizes for r in by_size[n] if np.isfinite(by_size[n][r][1])
    )
    print(f"largest peak RSS: {worst[0]:.0f} MB ({worst[1]} at {worst[2]:,} images)")


# Rules whose work a sharded run splits into one job per shard (decode_shard, embed_shard);
# the benchmark runs unsharded, so their per-image cost comes from these.
SHARDED = {"decode": "decode_shard", "embed": "embed_shard"}


def extrapolated_seconds(sizes, secs, n):
    """Seconds at ``n`` images: the larger of a power law (t ~ N^k) and a straight line
    with an intercept (t = a + b N) fitted to the measured sizes. A job's fixed cost
    (imports, compiling) makes the power law's k too low on small sizes; the line does not
    grow too slowly, the power law catches what grows faster than N."""
    ok = np.isfinite(secs)
    size, sec = np.asarray(sizes, dtype=float)[ok], np.asarray(secs, dtype=float)[ok]
    if len(size) < 2:
        return float("nan")
    last = np.argmax(size)
    power = sec[last] * (n / size[last]) ** exponent(size, sec)
    slope, intercept = np.polyfit(size, sec, 1)
    return max(power, intercept + slope * n)


def extrapolated_rss(sizes, rss, n):
    """Peak MB at ``n`` images: a straight line through the measured peaks, never below the
    largest of them."""
    ok = np.isfinite(rss)
    size, mb = np.asarray(sizes, dtype=float)[ok], np.asarray(rss, dtype=float)[ok]
    if len(size) < 2:
        return float(mb.max())
    slope, intercept = np.polyfit(size, mb, 1)
    return max(intercept + slope * n, float(mb.max()))


def plan(sizes, by_size, walls, target, shards):
    """Each rule's time and peak RSS at ``target`` images (extrapolated_seconds,
    extrapolated_rss); the per-shard rules at target/shards images a job."""
    print(
        f"\nplan for {target:,} images ({shards} shards), "
        f"extrapolated from {', '.join(f'{n:,}' for n in sizes)}:"
    )
    print(f"{'rule':28s}{'k':>6s}{'seconds/job':>14s}{'jobs':>6s}{'peak MB/job':>13s}")
    names = sorted({r for rules in by_size.values() for r in rules})
    for name in names:
        secs = np.array([by_size[n].get(name, (np.nan, np.nan))[0] for n in sizes])
        rss = np.array([by_size[n].get(name, (np.nan, np.nan))[1] for n in sizes])
        if not np.isfinite(secs).sum() >= 2:
            continue
        # the sharded rules ran unsharded in the benchmark: their cost is per image
        per_job_n = target / shards if name in SHARDED else target
        seconds = extrapolated_seconds(sizes, secs, per_job_n)
        peak = extrapolated_rss(sizes, rss, per_job_n)
        jobs = shards if name in SHARDED else 1
        k = exponent(sizes, secs)
        label = SHARDED.get(name, name) if shards > 1 else name
        print(f"{label:28s}{k:6.2f}{seconds:14.0f}{jobs:6d}{peak:13.0f}")
    wall = extrapolated_seconds(sizes, [walls[n] for n in sizes], target)
    print(f"whole run on the measuring machine, unsharded: {wall / 60:.0f} min wall")


def plot_curves(sizes, by_size, walls, path):
    """Seconds against images, log-log, one line per rule that takes over 1 s somewhere,
    with N and N log N guides through the whole run's first point."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5.5))
    names = sorted({r for rules in by_size.values() for r in rules})
    for name in names:
        secs = [by_size[n].get(name, (np.nan, np.nan))[0] for n in sizes]
        if np.nanmax(secs) >= 1:
            ax.plot(sizes, secs, marker="o", label=f"{name} (k={exponent(sizes, secs):.2f})")
    whole = [walls[n] for n in sizes]
    ax.plot(
        sizes,
        whole,
        "k-",
        lw=2.5,
        marker="s",
        label=f"whole run, wall (k={exponent(sizes, whole):.2f})",
    )
    n = np.array(sizes, dtype=float)
    ax.plot(n, whole[0] * n / n[0], "k:", lw=1, label="~ N from the first point")
    ax.plot(n, whole[0] * (n / n[0]) ** 2, "k--", lw=1, label="~ N^2 from the first point")
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="images",
        ylabel="seconds (summed over a rule's jobs)",
        title="Cost per rule against dataset size (default config, 2 cores)",
    )
    ax.legend(fontsize=7, loc="upper left")
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    main()
