"""Sorted copies on request (``make export DATASET=x ALGORITHM=y``): a folder source's images
laid out as ``results/{dataset}/by_cluster/{clustering}/{cluster}/<file>``, symbolic links to
the original files (a file keeps its path below the source folder, so two files of the same
name in different class folders stay apart; noise goes to ``noise/``).

The clusters come from ``results/{dataset}/assignments.tsv``, the source folder from
``data.npz``. A new export replaces the previous one of the same clustering whole (built
beside it, then swapped in); a folder there that no export made is left alone.
"""

import csv
import os
import shutil
import sys
import tempfile
from pathlib import Path, PurePosixPath

import numpy as np

from .labels import NOISE

MARKER = ".deepclust-export"  # in every folder an export made, so only those are replaced


def cluster_folder(cluster):
    """The folder name of a cluster id: the id, or ``noise``."""
    return "noise" if int(cluster) == NOISE else str(int(cluster))


def _relative(name):
    """``name`` as a safe relative path (no absolute path, no ``..``); ValueError if not."""
    path = PurePosixPath(name)
    if not name or path.is_absolute() or ".." in path.parts or "\0" in name:
        raise ValueError(f"image name {name!r} is not a path inside the source folder")
    return path


def export_links(root, names, clusters, out_dir):
    """Make ``out_dir/<cluster>/<name>`` a symbolic link to ``root/<name>`` for every image
    (``names``: paths relative to ``root``; ``clusters``: int ids, NOISE for noise).

    Returns ``{cluster folder: images}``. Raises ValueError for a name outside ``root`` and
    FileExistsError when ``out_dir`` exists and is not an earlier export.
    """
    root, out_dir = Path(root).expanduser().resolve(), Path(out_dir)
    if len(names) != len(clusters):
        raise ValueError(f"{len(names)} image names for {len(clusters)} clusters")
    if out_dir.exists() and not (out_dir / MARKER).exists():
        raise FileExistsError(
            f"{out_dir} exists and is not an export of clusters; move it away first"
        )
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}."))
    counts = {}
    try:
        for name, cluster in zip(names, clusters):
            folder = cluster_folder(cluster)
            link = build / folder / _relative(name)
            link.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(root / _relative(name), link)
            counts[folder] = counts.get(folder, 0) + 1
        (build / MARKER).write_text(f"symbolic links to the files of {root}\n")
        os.chmod(build, 0o777 & ~_umask())
        old = None
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.old."))
            os.replace(out_dir, old / "export")
        os.replace(build, out_dir)
        if old is not None:
            shutil.rmtree(old)  # removes the links, never what they point to
    finally:
        if build.exists():
            shutil.rmtree(build)
    return counts


def _umask():
    from .io import current_umask

    return current_umask()


def read_assignments(path, column):
    """The ``image`` names and the int ``column`` of an assignments.tsv."""
    with open(path, newline="", encoding="utf-8", errors="surrogateescape") as f:
        reader = csv.reader(f, delimiter="\t")
        header = next(reader)
        if column not in header:
            choices = ", ".join(h for h in header if h not in ("row", "image", "label"))
            raise KeyError(f"{path} has no clustering {column!r}; it has: {choices}")
        image, where = header.index("image"), header.index(column)
        names, clusters = [], []
        for row in reader:
            names.append(row[image])
            clusters.append(int(row[where]))
    return names, np.array(clusters, dtype=np.int64)


def export_dataset(results, dataset, clustering):
    """``make export``: the links of ``dataset``'s ``clustering`` under ``results``.
    Returns ``(out_dir, counts)``; ValueError for a dataset that is not a folder source."""
    base = Path(results) / dataset
    table, data = base / "assignments.tsv", base / "data.npz"
    for path in (table, data):
        if not path.exists():
            raise FileNotFoundError(
                f"{path} not found: run the workflow on dataset {dataset!r} first (make run)"
            )
    with np.load(data) as saved:
        kind, source = str(saved["source_kind"]), str(saved["source"])
    if kind != "folder":
        raise ValueError(
            f"dataset {dataset!r} is read from {source!r} ({kind} layout), not a folder of "
            "image files: there are no files to link to"
        )
    names, clusters = read_assignments(table, clustering)
    out_dir = base / "by_cluster" / clustering
    return out_dir, export_links(source, names, clusters, out_dir)


def main(environ):
    """Run from the Makefile: the names come in the environment (DATASET, ALGORITHM), never
    through a shell command line."""
    dataset, clustering = environ.get("DATASET", ""), environ.get("ALGORITHM", "")
    if not dataset or not clustering:
        sys.exit("usage: make export DATASET=<dataset> ALGORITHM=<clustering column>")
    try:
        out_dir, counts = export_dataset(environ.get("RESULTS", "results"), dataset, clustering)
    except (OSError, KeyError, ValueError) as err:
        sys.exit(f"make export: {err.args[0] if isinstance(err, KeyError) else err}")
    order = sorted(counts, key=lambda k: (k == "noise", k.zfill(12)))
    shown = ", ".join(f"{k}: {counts[k]}" for k in order)
    print(f"{out_dir}: {sum(counts.values())} links in {len(counts)} folders ({shown})")


if __name__ == "__main__":
    main(os.environ)
