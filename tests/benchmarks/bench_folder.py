"""Reading images: a folder of 60,000 PNG files and Hub-layout parquet, timed.

    make bench-folder            # or: python tests/benchmarks/bench_folder.py [--repeats 3]

1. Hub layout, per image, one process: reading as it was before folders and resizing came
   (open the split, decode each PNG with Image.open + numpy, what deepclust.data, now
   deepclust.sources.hub, did until then) against the same plus the survey of the headers
   and write_fitted (the survey and decode rules' work). Goal: at most 1.5x.
2. MNIST's train split saved as 60,000 PNG files in class subfolders (built once in
   .bench-cache/mnist_png from the local copy's PNG bytes): listed, surveyed, decoded and
   written by the library with 2 processes, then by the workflow's survey and decode jobs
   (Snakemake's benchmark files). Goal: at most 30 s on 2 cores.

Run it with `make bench-folder` (one benchmark at a time); it prints what else ran meanwhile
and says "disturbed: not a valid timing" instead of a verdict when that was too much.
"""

import argparse
import io
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from disturbance import watch  # noqa: E402

MNIST = ROOT.parent / "shared" / "datasets" / "mnist"
CACHE = ROOT / ".bench-cache" / "mnist_png"


def mnist_png_bytes():
    import pyarrow.parquet as pq

    table = pq.read_table(next((MNIST / "mnist").glob("train-*.parquet")))
    encoded = table.column("image").combine_chunks().field("bytes").to_pylist()
    return encoded, table.column("label").to_numpy()


def build_folder(encoded, labels):
    """60,000 PNG files in ten class subfolders (written once; the bytes are MNIST's own)."""
    if (CACHE / "done").exists():
        return CACHE
    shutil.rmtree(CACHE, ignore_errors=True)
    for digit in range(10):
        (CACHE / f"digit_{digit}").mkdir(parents=True)
    for i, (data, label) in enumerate(zip(encoded, labels)):
        (CACHE / f"digit_{label}" / f"{i:05d}.png").write_bytes(data)
    (CACHE / "done").write_text("")
    return CACHE


def old_decode(encoded):
    """Decoding as it was: each PNG opened and copied into one array (no survey, no fit)."""
    from PIL import Image

    out = None
    for i, data in enumerate(encoded):
        pixels = np.asarray(Image.open(io.BytesIO(data)))
        if out is None:
            out = np.empty((len(encoded),) + pixels.shape, dtype=np.uint8)
        out[i] = pixels
    return out


def old_pipeline(cache_dir):
    """Reading Hub layout as it was: open the split, then per batch of 20,000 rows take the
    PNG bytes and decode them (no survey, no fitting)."""
    from deepclust.sources.hub import encoded_images, open_splits

    split = open_splits(str(MNIST), ["train"], "image", "label", None, cache_dir)[0][1]
    for a in range(0, len(split), 20_000):
        old_decode(encoded_images(split.with_format("arrow")[a : a + 20_000], "image"))


def settings(source):
    return {
        "source": str(source),
        "splits": ["train"],
        "image_column": "image",
        "label_column": "label",
        "limit": None,
    }


PREPROCESSING = {"size": "auto", "max_side": 64, "channels": "auto", "fit": "pad"}


def read_all(source_path, n_jobs, out):
    """Survey and write_fitted, as rules survey and decode do: seconds per stage."""
    from deepclust.sources.decode import write_fitted
    from deepclust.sources.open import open_source
    from deepclust.sources.survey import choose_target, survey

    quiet = lambda _: None  # noqa: E731
    times = {}
    start = time.perf_counter()
    source = open_source(settings(source_path), str(ROOT / ".bench-cache" / "hf"), quiet)
    times["open"] = time.perf_counter() - start
    start = time.perf_counter()
    surveyed = survey(source, "error", n_jobs, log=quiet)
    target, _ = choose_target(surveyed, PREPROCESSING)
    times["survey"] = time.perf_counter() - start
    start = time.perf_counter()
    write_fitted(out, source, target, 0, len(source), "error", n_jobs, log=quiet)
    times["decode"] = time.perf_counter() - start
    times["total"] = sum(times.values())
    return times


def workflow_jobs(folder, workdir):
    """The survey and decode jobs of the workflow on ``folder``: seconds of each (benchmark)."""
    import yaml

    config = {"datasets": {"mnist": {"enabled": False}, "png": {"source": str(folder)}}}
    workdir.mkdir(parents=True)
    (workdir / "bench.yaml").write_text(yaml.safe_dump(config))
    for part in ("Snakefile", "config.yaml", "workflow", "scripts", "envs", "profiles"):
        src = ROOT / part
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, workdir / part)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", "results/png/data.npz"]
        + ["--configfile", "bench.yaml"],
        cwd=workdir,
        check=True,
        capture_output=True,
    )
    wall = time.perf_counter() - start
    jobs = {}
    for rule in ("survey", "decode"):
        rows = (workdir / "benchmarks" / "png" / f"{rule}.tsv").read_text().splitlines()
        jobs[rule] = float(rows[1].split("\t")[0])
    return jobs, wall


def main(machine):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    encoded, labels = mnist_png_bytes()
    folder = build_folder(encoded, labels)
    n = len(encoded)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cache = str(ROOT / ".bench-cache" / "hf")
        old = [_timed(old_pipeline, cache) for _ in range(args.repeats)]
        new = [read_all(MNIST, 1, tmp / "hub.npy")["total"] for _ in range(args.repeats)]
        ratio = np.median(new) / np.median(old)
        print(f"Hub layout, {n} MNIST images, 1 process (median of {args.repeats}):")
        for what, times in (("before (open + decode)", old), ("now (+ survey, fit)", new)):
            t = np.median(times)
            print(f"  {what:21s} {t:.2f} s, {t / n * 1e6:.0f} us/image")
        print(f"  ratio {ratio:.2f}")
        machine.verdict(f"Hub layout: ratio {ratio:.2f} (goal <= 1.5)", verdict(ratio <= 1.5))
        runs = [read_all(folder, 2, tmp / "folder.npy") for _ in range(args.repeats)]
        print(f"Folder of {n} PNG files, 10 class subfolders, 2 processes ({args.repeats} runs):")
        for stage in ("open", "survey", "decode", "total"):
            print(f"  {stage:7s} {np.median([r[stage] for r in runs]):6.2f} s")
        jobs, wall = workflow_jobs(folder, tmp / "wf")
        total = sum(jobs.values())
        print(
            f"  workflow: survey job {jobs['survey']:.1f} s + decode job {jobs['decode']:.1f} s"
            f" = {total:.1f} s (snakemake wall {wall:.1f} s, start-up included)"
        )
        machine.verdict(f"folder: the two jobs {total:.1f} s (goal <= 30 s)", verdict(total <= 30))


def verdict(ok):
    return "met" if ok else "NOT met"


def _timed(fn, *args):
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


if __name__ == "__main__":
    with watch() as machine:
        main(machine)
