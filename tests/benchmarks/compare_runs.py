"""Run one config at two git revisions on the same data and compare what they computed: every
embeddings.npy and labels.npy (and a consensus's agreement.npy) byte for byte, every
metrics.json value for value but for timings and provenance that legitimately differ.
Prints a table and a verdict; exits 1 when anything differs.

    python tests/benchmarks/compare_runs.py --base 445a830 \
        [--configfile config/presets/every-step.yaml] [--limit 5000] [--cores 2] [--workdir DIR]

The base revision is extracted with ``git archive`` into a scratch folder; the other side is
this working tree as it is (tracked and untracked, not ignored, files). Both run the
dataset's jobs up to ``results/{dataset}/summary.tsv`` (every seed's and consensus's labels
and metrics; no figures or reports, ``--all`` for everything) with the config files given,
then an overlay that makes relative dataset sources absolute and, with ``--limit``, keeps the
first N images of every enabled dataset.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE.parent / "helpers"))

from config_defaults import layered  # noqa: E402

# Fields of metrics.json that differ between two runs of the same results: wall times, the
# code's git revision, the package versions of the environment.
IGNORED = ("seconds", "workflow_git_revision", "versions")
COMPARED = ["*/seed*/embeddings.npy", "*/*/clusters/*/labels.npy", "*/*/clusters/*/agreement.npy"]


def git(*args):
    return subprocess.run(
        ["git", *args], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


def extract_revision(rev, dest):
    """The tree of ``rev`` in ``dest``, as ``git archive`` writes it."""
    dest.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)


def copy_working_tree(dest):
    """This checkout's files as they are now: tracked and untracked, not ignored."""
    files = git("ls-files", "-co", "--exclude-standard", "-z").split("\0")
    for name in filter(None, files):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            (dest / name).write_bytes(src.read_bytes())


def overlay(configfiles, limit):
    """The config overlay both sides get: each enabled dataset's relative source made absolute
    (against this checkout, as the config files mean it), and ``limit`` when given."""
    config = layered(*configfiles)
    datasets = {}
    for name, settings in config["datasets"].items():
        if not settings["enabled"]:
            continue
        datasets[name] = {}
        source = ROOT / settings["source"]
        if not Path(settings["source"]).is_absolute() and source.exists():
            datasets[name]["source"] = str(source.resolve())
        if limit:
            datasets[name]["limit"] = limit
    return {"datasets": datasets}


def run_workflow(workdir, configfiles, extra, cores, everything):
    """Snakemake in ``workdir``: the summaries of every enabled dataset, or everything."""
    (workdir / "overlay.yaml").write_text(yaml.safe_dump(extra, sort_keys=False))
    targets = [] if everything else [f"results/{d}/summary.tsv" for d in extra["datasets"]]
    configs = [str(Path(p).resolve()) for p in configfiles] + ["overlay.yaml"]
    cmd = [sys.executable, "-m", "snakemake", "--cores", str(cores), *targets]
    done = subprocess.run(
        [*cmd, "--configfile", *configs], cwd=workdir, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"snakemake failed in {workdir}:\n{(done.stdout + done.stderr)[-4000:]}")


def without_ignored(value):
    """``value`` (a loaded metrics.json) without the IGNORED fields, at any depth."""
    if isinstance(value, dict):
        return {
            k: without_ignored(v)
            for k, v in value.items()
            if not any(word in k for word in IGNORED)
        }
    return value


def differing_keys(a, b, prefix=""):
    """The dotted keys where two loaded JSON values differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        keys = sorted(set(a) | set(b))
        return [d for k in keys for d in differing_keys(a.get(k), b.get(k), f"{prefix}{k}.")]
    return [] if a == b else [prefix.rstrip(".")]


def compare_array(base, head):
    if base.read_bytes() == head.read_bytes():
        return "identical bytes"
    a, b = np.load(base), np.load(head)
    if a.shape != b.shape or a.dtype != b.dtype:
        return f"DIFFERS: {a.dtype}{a.shape} vs {b.dtype}{b.shape}"
    changed = np.count_nonzero(a != b)
    return f"DIFFERS: {changed} of {a.size} values, max |diff| {np.max(np.abs(a - b)):.3g}"


def compare_metrics(base, head):
    a, b = (without_ignored(json.loads(p.read_text())) for p in (base, head))
    keys = differing_keys(a, b)
    return "equal values" if not keys else f"DIFFERS: {', '.join(keys)}"


def compare(base_results, head_results):
    """``[(path, verdict)]`` for every compared file on either side."""
    patterns = [*COMPARED, "*/*/clusters/*/metrics.json"]
    paths = sorted(
        {
            p.relative_to(r)
            for r in (base_results, head_results)
            for pat in patterns
            for p in r.glob(pat)
        }
    )
    rows = []
    for path in paths:
        base, head = base_results / path, head_results / path
        if not base.exists() or not head.exists():
            rows.append((str(path), f"DIFFERS: only in {'head' if head.exists() else 'base'}"))
        elif path.suffix == ".npy":
            rows.append((str(path), compare_array(base, head)))
        else:
            rows.append((str(path), compare_metrics(base, head)))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="the git revision to compare against")
    parser.add_argument("--configfile", action="append", default=[], help="layered, in order")
    parser.add_argument("--limit", type=int, help="the first N images of every dataset")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--all", action="store_true", help="every target, figures and reports too")
    parser.add_argument("--workdir", help="keep the two runs here (default: a temporary folder)")
    args = parser.parse_args()
    base_rev = git("rev-parse", "--short", args.base).strip()
    head_rev = git("rev-parse", "--short", "HEAD").strip()
    dirty = " + uncommitted changes" if git("status", "--porcelain", "-uno").strip() else ""
    extra = overlay(args.configfile, args.limit)
    with tempfile.TemporaryDirectory(prefix="compare-runs-") as tmp:
        scratch = Path(args.workdir or tmp)
        base, head = scratch / "base", scratch / "head"
        extract_revision(base_rev, base)
        head.mkdir(parents=True)
        copy_working_tree(head)
        for side in (base, head):
            print(f"running {side.name} ...", flush=True)
            run_workflow(side, args.configfile, extra, args.cores, args.all)
        rows = compare(base / "results", head / "results")
    configs = " + ".join(args.configfile) or "config.yaml"
    print(f"\nbase {base_rev} against head {head_rev}{dirty}; {configs}", end="")
    print(f", limit {args.limit}" if args.limit else "")
    width = max(len(p) for p, _ in rows)
    for path, verdict in rows:
        print(f"  {path:<{width}}  {verdict}")
    different = [p for p, v in rows if v.startswith("DIFFERS")]
    print(
        f"verdict: {'DIFFERENT' if different else 'SAME'}: {len(rows) - len(different)} of "
        f"{len(rows)} files equal (npy byte for byte; metrics.json apart from "
        f"{', '.join(IGNORED)})"
    )
    return 1 if different or not rows else 0


if __name__ == "__main__":
    sys.exit(main())
