"""End to end on a folder with planted copies, two seeds: assignments.tsv names every file
with its clusters, duplicates.tsv finds the copies, the explorer names the images, and
``make export`` sorts the files into cluster folders."""

import json
import os
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

from image_folders import folder_with_copies
from workflow_runner import ROOT, copy_project, snakemake, write_config

pytestmark = pytest.mark.workflow
ODD = 'odd\tname, "quoted".png'


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("photos")
    folder, planted = folder_with_copies(tmp / "photos", 400)
    shutil.copyfile(folder / "img0001.png", folder / ODD)  # an exact copy, oddly named
    planted[ODD] = "img0001.png"
    workdir = copy_project(tmp / "wf")
    config = {
        "datasets": {"mnist": {"enabled": False}, "photos": {"source": str(folder)}},
        "seeds": [0, 1],
        "autoencoder": {"epochs": 3, "batch_size": 64, "device": "cpu"},
        "tsne": {"n_samples": 300},
    }
    configfile = write_config(workdir, config)
    targets = [
        f"results/photos/{f}" for f in ("assignments.tsv", "duplicates.tsv", "explorer.html")
    ]
    snakemake(workdir, *targets, "--cores", "2", "--configfile", configfile)
    return workdir, folder, planted


def read(path):
    return pd.read_csv(path, sep="\t", keep_default_na=False)


def test_assignments_name_every_file_with_its_clusters(run):
    workdir, folder, _ = run
    table = read(workdir / "results/photos/assignments.tsv")
    files = sorted(p.name for p in folder.iterdir())
    assert table["image"].tolist() == files and table["row"].tolist() == list(range(len(files)))
    # typicality and seed agreement: of the clustering rule recommend recommends
    best = json.loads((workdir / "results/photos/recommended.json").read_text())["recommended"]
    assert list(table.columns) == [
        "row",
        "image",
        "kmeans",
        "dbscan",
        "kmeans_consensus",
        "dbscan_consensus",
        f"{best}_typicality",
        f"{best}_seeds_agreeing",
    ]
    labels = np.load(workdir / "results/photos/seed0/clusters/kmeans/labels.npy")
    assert np.array_equal(table["kmeans"], labels)
    clustered = table[best] >= 0
    typical = table[f"{best}_typicality"][clustered].astype(float)
    assert typical.between(0, 1).all()
    assert table[f"{best}_seeds_agreeing"].isin([1, 2]).all()


def test_duplicates_find_every_planted_copy(run):
    workdir, _, planted = run
    pairs = read(workdir / "results/photos/duplicates.tsv")
    found = {frozenset(p) for p in zip(pairs["first_image"], pairs["second_image"])}
    missing = [c for c, o in planted.items() if frozenset((c, o)) not in found]
    assert not missing, (missing, pairs.head(20))
    exact = pairs[pairs["exact"].astype(str) == "True"]
    assert {frozenset(p) for p in zip(exact["first_image"], exact["second_image"])} >= {
        frozenset((c, o)) for c, o in planted.items() if c == ODD or c.endswith("_exact.png")
    }


def test_explorer_names_the_images(run):
    workdir, _, _ = run
    page = (workdir / "results/photos/explorer.html").read_text(encoding="utf-8")
    assert "img0001.png" in page and "Download selected as CSV" in page


def test_make_export_sorts_the_files_into_cluster_folders(run):
    workdir, folder, _ = run
    done = subprocess.run(
        ["make", "-s", "-o", ".venv/.installed", "export", "DATASET=photos", "ALGORITHM=kmeans"],
        cwd=ROOT,
        env=os.environ | {"RESULTS": str(workdir / "results")},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    out = workdir / "results/photos/by_cluster/kmeans"
    links = sorted(p for p in out.rglob("*") if p.is_symlink())
    assert len(links) == len(list(folder.iterdir()))
    table = read(workdir / "results/photos/assignments.tsv")
    cluster = dict(zip(table["image"], table["kmeans"]))
    for link in links:
        assert link.parent.name == str(cluster[link.name])
        assert link.resolve() == (folder / link.name).resolve()
