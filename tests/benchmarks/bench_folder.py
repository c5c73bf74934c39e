"""Reading images: a folder of 60,000 PNG files in each layout and Hub-layout parquet, timed.

    make bench-folder            # or: python tests/benchmarks/bench_folder.py [--repeats 3]

1. Hub layout, per image, one process: reading as it was before folders and resizing came
   (open the split, decode each PNG with Image.open + numpy, what deepclust.data, now
   deepclust.sources.hub, did until then) against the same plus the survey of the headers
   and write_fitted (the survey and decode rules' work). Goal: at most 1.5x.
2. MNIST's train split saved as 60,000 PNG files (built once in .bench-cache/ from the local
   copy's PNG bytes) in two layouts: class subfolders (mnist_png/digit_<k>/) and the Hub's
   split layout (mnist_png_split/{train,test}/digit_<k>/, the first 50,000 in train, the
   rest in test, hard links to the same files; read with splits [train, test]). Each is
   listed, surveyed, decoded and written by the library with 2 processes, then by the
   workflow's survey and decode jobs (Snakemake's benchmark files). Goal: at most 30 s on
   2 cores for the two jobs, in each layout. ``--before``: the split layout once through
   the datasets library's folder loader (as it was read before issue 34), timed the same way.

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
SPLIT_CACHE = ROOT / ".bench-cache" / "mnist_png_split"
TRAIN_ROWS = 50_000  # the split layout's train/; the other rows are its test/


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


def build_split_folder(folder, labels):
    """The same files in the Hub's split layout: train/digit_<k>/ and test/digit_<k>/
    (hard links to ``folder``'s files, written once)."""
    if (SPLIT_CACHE / "done").exists():
        return SPLIT_CACHE
    shutil.rmtree(SPLIT_CACHE, ignore_errors=True)
    for split in ("train", "test"):
        for digit in range(10):
            (SPLIT_CACHE / split / f"digit_{digit}").mkdir(parents=True)
    for i, label in enumerate(labels):
        name = f"digit_{label}/{i:05d}.png"
        split = "train" if i < TRAIN_ROWS else "test"
        (SPLIT_CACHE / split / name).hardlink_to(folder / name)
    (SPLIT_CACHE / "done").write_text("")
    return SPLIT_CACHE


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


def settings(source, splits=("train",)):
    return {
        "source": str(source),
        "splits": list(splits),
        "image_column": "image",
        "label_column": "label",
        "limit": None,
    }


PREPROCESSING = {"size": "auto", "max_side": 64, "channels": "auto", "fit": "pad"}


def read_all(source_path, n_jobs, out, splits=("train",), cache=None, through_hub=False):
    """Survey and write_fitted, as rules survey and decode do: seconds per stage.
    ``through_hub`` opens a folder with the datasets library, as before issue 34."""
    from deepclust.sources.decode import write_fitted
    from deepclust.sources.hub import HubSource, open_splits
    from deepclust.sources.open import open_source
    from deepclust.sources.survey import choose_target, survey

    quiet = lambda _: None  # noqa: E731
    cache = cache or str(ROOT / ".bench-cache" / "hf")
    times = {}
    start = time.perf_counter()
    if through_hub:
        parts = open_splits(str(source_path), list(splits), "image", "label", None, cache)
        source = HubSource(parts, "image", "label")
    else:
        source = open_source(settings(source_path, splits), cache, quiet)
    assert len(source) == 60_000, len(source)
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


def workflow_jobs(folder, workdir, splits=("train",)):
    """The survey and decode jobs of the workflow on ``folder``: seconds of each (benchmark)."""
    import yaml

    png = {"source": str(folder), "splits": list(splits)}
    config = {"datasets": {"mnist": {"enabled": False}, "png": png}}
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


LAYOUTS = {  # name: (folder, splits, what it is)
    "class": (CACHE, ["train"], "10 class subfolders"),
    "split": (SPLIT_CACHE, ["train", "test"], "split layout train/ + test/"),
}


def main(machine):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-hub", action="store_true", help="only the folders")
    before = "also the split layout once through the datasets library's loader (~80 s)"
    parser.add_argument("--before", action="store_true", help=before)
    args = parser.parse_args()
    encoded, labels = mnist_png_bytes()
    folder = build_folder(encoded, labels)
    build_split_folder(folder, labels)
    n = len(encoded)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if not args.skip_hub:
            hub_ratio(machine, args.repeats, n, tmp)
        rows = []
        for layout, (root, splits, what) in LAYOUTS.items():
            runs = [read_all(root, 2, tmp / "folder.npy", splits) for _ in range(args.repeats)]
            jobs, wall = workflow_jobs(root, tmp / f"wf-{layout}", splits)
            rows.append((what, {k: np.median([r[k] for r in runs]) for k in runs[0]}, jobs, wall))
        if args.before:
            cache = tmp / "hf"  # a fresh cache: the first read of a folder, as a user has it
            before = read_all(SPLIT_CACHE, 2, tmp / "before.npy", ["train", "test"], cache, True)
            rows.append(("split layout, datasets library (before)", before, None, None))
        print(f"Folders of {n} PNG files, 2 processes (library: median of {args.repeats}):")
        print("| layout | open | survey | decode | total | workflow: survey + decode job |")
        print("|---|---|---|---|---|---|")
        for what, t, jobs, wall in rows:
            job = "not run"
            if jobs is not None:
                job = f"{jobs['survey']:.1f} + {jobs['decode']:.1f} = {sum(jobs.values()):.1f}"
                job += f" (snakemake wall {wall:.1f}, start-up included)"
            print(
                f"| {what} | {t['open']:.2f} | {t['survey']:.2f} | {t['decode']:.2f} | "
                f"{t['total']:.2f} | {job} |"
            )
        for what, _, jobs, _ in rows:
            if jobs is not None:
                total = sum(jobs.values())
                machine.verdict(
                    f"{what}: the two jobs {total:.1f} s (goal <= 30 s)", verdict(total <= 30)
                )


def hub_ratio(machine, repeats, n, tmp):
    cache = str(ROOT / ".bench-cache" / "hf")
    old = [_timed(old_pipeline, cache) for _ in range(repeats)]
    new = [read_all(MNIST, 1, tmp / "hub.npy")["total"] for _ in range(repeats)]
    ratio = np.median(new) / np.median(old)
    print(f"Hub layout, {n} MNIST images, 1 process (median of {repeats}):")
    for what, times in (("before (open + decode)", old), ("now (+ survey, fit)", new)):
        t = np.median(times)
        print(f"  {what:21s} {t:.2f} s, {t / n * 1e6:.0f} us/image")
    print(f"  ratio {ratio:.2f}")
    machine.verdict(f"Hub layout: ratio {ratio:.2f} (goal <= 1.5)", verdict(ratio <= 1.5))


def verdict(ok):
    return "met" if ok else "NOT met"


def _timed(fn, *args):
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


if __name__ == "__main__":
    with watch() as machine:
        main(machine)
