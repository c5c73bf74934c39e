"""Sorted copies of a folder source as symbolic links (deepclust.export, make export)."""

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from deepclust.assignments import assignment_columns, write_tsv
from deepclust.export import MARKER, export_dataset, export_links

ROOT = Path(__file__).resolve().parents[2]
NAMES = ["cats/a.png", "cats/b\tc.png", "dogs/a.png", "dogs/d.png"]


def photo_folder(tmp_path):
    root = tmp_path / "photos"
    for name in NAMES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(name.encode())
    return root


def results_of(tmp_path, root, kind="folder"):
    """results/photos/ with data.npz and an assignments.tsv of one clustering."""
    base = tmp_path / "results" / "photos"
    base.mkdir(parents=True)
    np.savez(base / "data.npz", source=np.array(str(root)), source_kind=np.array(kind))
    columns = assignment_columns(
        lambda a, b: NAMES[a:b], np.full(4, -1), [], {"kmeans": np.array([1, 0, 1, -1])}
    )
    write_tsv(base / "assignments.tsv", columns)
    return tmp_path / "results"


def test_links_point_at_the_originals_by_cluster(tmp_path):
    root = photo_folder(tmp_path)
    out = tmp_path / "by_cluster" / "kmeans"
    counts = export_links(root, NAMES, [1, 0, 1, -1], out)
    assert counts == {"1": 2, "0": 1, "noise": 1}
    assert (out / "1" / "cats" / "a.png").read_bytes() == b"cats/a.png"
    assert (out / "0" / "cats" / "b\tc.png").is_symlink()
    assert os.readlink(out / "noise" / "dogs" / "d.png") == str(root.resolve() / "dogs/d.png")
    # a second export replaces the first whole
    export_links(root, NAMES, [0, 0, 0, 0], out)
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "0"]
    assert sorted((root / "cats").iterdir())  # the originals are untouched


def test_refuses_a_folder_it_did_not_make_and_names_outside_the_source(tmp_path):
    root = photo_folder(tmp_path)
    mine = tmp_path / "mine"
    (mine / "keep.txt").parent.mkdir()
    (mine / "keep.txt").write_text("x")
    with pytest.raises(FileExistsError, match="not an export"):
        export_links(root, NAMES, [0, 0, 0, 0], mine)
    assert (mine / "keep.txt").exists()
    for bad in ("../secret", "/etc/passwd"):
        with pytest.raises(ValueError, match="not a path inside the source folder"):
            export_links(root, [bad], [0], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_export_dataset_reads_the_table_and_checks_the_source(tmp_path):
    results = results_of(tmp_path, photo_folder(tmp_path))
    out, counts = export_dataset(results, "photos", "kmeans")
    assert out == results / "photos" / "by_cluster" / "kmeans"
    assert counts == {"1": 2, "0": 1, "noise": 1}
    with pytest.raises(KeyError, match="no clustering 'dbscan'; it has: kmeans"):
        export_dataset(results, "photos", "dbscan")
    with pytest.raises(FileNotFoundError, match="make run"):
        export_dataset(results, "other", "kmeans")
    hub = results_of(tmp_path / "hub", tmp_path, kind="hub")
    with pytest.raises(ValueError, match="not a folder of image files"):
        export_dataset(hub, "photos", "kmeans")


def make_export(results, **variables):
    args = [f"{k}={v}" for k, v in variables.items()]
    return subprocess.run(
        ["make", "-s", "--no-print-directory", "-o", ".venv/.installed", "export", *args],
        cwd=ROOT,
        env=os.environ | {"RESULTS": str(results)},
        capture_output=True,
        text=True,
    )


def test_make_export_passes_names_without_a_shell(tmp_path):
    results = results_of(tmp_path, photo_folder(tmp_path))
    done = make_export(results, DATASET="photos", ALGORITHM="kmeans")
    assert done.returncode == 0, done.stderr
    assert "4 links in 3 folders" in done.stdout
    assert (results / "photos" / "by_cluster" / "kmeans" / "1" / "dogs" / "a.png").exists()
    evil = make_export(results, DATASET=f"x'; touch {tmp_path}/pwned; '", ALGORITHM="kmeans")
    assert evil.returncode != 0 and "run the workflow on dataset" in evil.stderr
    assert not (tmp_path / "pwned").exists()
    assert "usage: make export" in make_export(results).stderr
