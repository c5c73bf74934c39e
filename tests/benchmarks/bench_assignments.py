"""Benchmark: assignments.tsv (deepclust.assignments) at 1.2 million images: seconds and
peak memory of what the rule does after loading its inputs (goal: <= 60 s, memory bounded).

Data, synthetic and seeded: --rows image names like a folder source's (``class_07/
img_0001234.png``, every 1,000th holding a tab, a newline or a quote), 10 classes, 6
clusterings and 2 consensus columns of 10 to 40 clusters (one with 5% noise), 64-D float32
embeddings (written to a scratch .npy and memory-mapped, as the rule reads them) and 3
seeds' labels of the designated clustering.

    python tests/benchmarks/bench_assignments.py [--rows 1200000]

Prints the seconds of each part (centre distances and typicality, seeds agreeing, writing
the table), the total, the file's size, the peak RSS and whether pandas reads it back.
"""

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT / "scripts"), str(HERE)]

from deepclust.assignments import (  # noqa: E402
    assignment_columns,
    centre_distances,
    seeds_agreeing,
    typicality,
    write_tsv,
)
from disturbance import watch  # noqa: E402

ODD = ["tab\there", "new\nline", 'quo"te']


def inputs(n, folder):
    rng = np.random.default_rng(0)
    true = rng.integers(0, 10, n)
    files = [f"class_{c:02d}/img_{i:07d}.png" for i, c in enumerate(true.tolist())]
    for i in range(0, n, 1000):
        files[i] = f"class_00/{ODD[(i // 1000) % 3]}_{i}.png"
    clusterings = {}
    for j, k in enumerate((10, 20, 40, 10, 15, 30, 10, 10)):
        labels = (true * k // 10 + rng.integers(0, 2, n)) % k
        if j == 2:
            labels[rng.random(n) < 0.05] = -1
        name = f"algo{j}" if j < 6 else f"algo{j - 6}_consensus"
        clusterings[name] = labels.astype(np.int64)
    seeds = [clusterings["algo0"]] + [
        np.where(rng.random(n) < 0.1, rng.integers(0, 10, n), (clusterings["algo0"] + s) % 10)
        for s in (1, 2)
    ]
    x = rng.normal(size=(n, 64)).astype(np.float32) + true[:, None]
    path = Path(folder) / "embeddings.npy"
    np.save(path, x)
    return files, true, [str(c) for c in range(10)], clusterings, seeds, path


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files, true, classes, clusterings, seeds, x_path = inputs(args.rows, tmp)
        out = Path(tmp) / "assignments.tsv"
        start = time.perf_counter()
        x = np.load(x_path, mmap_mode="r")
        typical = typicality(centre_distances(x, seeds[0]), seeds[0])
        t_typical = time.perf_counter()
        agreeing = seeds_agreeing(seeds)
        t_agree = time.perf_counter()
        columns = assignment_columns(
            lambda a, b: files[a:b], true, classes, clusterings, ("algo0", typical, agreeing)
        )
        write_tsv(out, columns)
        end = time.perf_counter()
        size = out.stat().st_size
        import pandas as pd

        table = pd.read_csv(out, sep="\t", keep_default_na=False)
        ok = len(table) == args.rows and table["image"].tolist() == files
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"assignments.tsv of {args.rows:,} rows, {len(columns)} columns")
    print(f"  centre distances and typicality: {t_typical - start:.1f} s")
    print(f"  seeds agreeing (3 seeds): {t_agree - t_typical:.1f} s")
    print(f"  writing the table: {end - t_agree:.1f} s")
    print(f"  total: {end - start:.1f} s (goal <= 60 s); {size / 1e6:.0f} MB")
    print(f"  peak RSS of the process (with the inputs and the pandas check): {peak:.0f} MB")
    print(f"  pandas reads back every row and name: {ok}")


if __name__ == "__main__":
    with watch():
        main()
