"""End to end: folders of images following a finished run (assign_to). The same folder
again lands in the same clusters; other images get the followed run's columns, and
drift.json says how many lie far from every cluster."""

import json

import numpy as np
import pandas as pd
import pytest

from image_folders import mixed_digit_folder
from workflow_runner import copy_project, snakemake, write_config

pytestmark = pytest.mark.workflow
CLUSTERINGS = ["kmeans", "dbscan", "gmm", "kmeans_selftrain"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("follow")
    digits, _ = mixed_digit_folder(tmp / "digits", 300)
    others, _ = mixed_digit_folder(tmp / "others", 60, seed=1, labelled=False)
    workdir = copy_project(tmp / "wf")
    config = {
        "datasets": {
            "mnist": {"enabled": False},
            "digits": {"source": str(digits)},
            "again": {"source": str(digits), "assign_to": "digits"},
            "others": {"source": str(others), "assign_to": "digits"},
        },
        "autoencoder": {"epochs": 3, "batch_size": 64, "device": "cpu"},
        "algorithms": {"gmm": {"enabled": True, "n_clusters": 10}},
        "self_training": {"enabled": True, "base": "kmeans", "epochs": 1, "min_steps": 0},
        "tsne": {"n_samples": 300},
    }
    configfile = write_config(workdir, config)
    targets = [
        f"results/{d}/{f}" for d in ("again", "others") for f in ("assignments.tsv", "drift.json")
    ]
    snakemake(
        workdir,
        *targets,
        "results/digits/assignments.tsv",
        "--cores",
        "2",
        "--configfile",
        configfile,
    )
    return workdir


def read(path):
    return pd.read_csv(path, sep="\t", keep_default_na=False)


def recommended(workdir):
    return json.loads((workdir / "results/digits/recommended.json").read_text())["recommended"]


def test_the_same_images_land_in_the_same_clusters(run):
    followed, again = (
        read(run / "results/digits/assignments.tsv"),
        read(run / "results/again/assignments.tsv"),
    )
    best = recommended(run)
    assert list(again.columns) == ["row", "image", "label", *CLUSTERINGS, f"{best}_typicality"]
    assert again["image"].tolist() == followed["image"].tolist()
    for name in ("kmeans", "gmm", "kmeans_selftrain"):
        labels = np.load(run / f"results/digits/seed0/clusters/{name}/labels.npy")
        np.testing.assert_array_equal(again[name], labels, err_msg=name)
    core = followed["dbscan"] >= 0  # DBSCAN: members placed by their nearest core point
    assert not core.any() or (again["dbscan"][core] == followed["dbscan"][core]).mean() >= 0.95
    # typicality ranks against the followed members: the same images score about the same
    kept = followed[f"{best}_typicality"] != ""
    a = again[f"{best}_typicality"][kept].astype(float)
    b = followed[f"{best}_typicality"][kept].astype(float)
    assert np.abs(a - b).max() <= 0.1 and np.corrcoef(a, b)[0, 1] > 0.99


def test_a_follower_has_no_run_of_its_own_and_reports_drift(run):
    assert not (run / "results/again/seed0/model").exists()
    assert not (run / "results/again/seed0/clusters").exists()
    drift = json.loads((run / "results/again/drift.json").read_text())
    assert drift["followed"] == "digits" and drift["images"] == 300
    assert set(drift["far_share_by_clustering"]) == set(CLUSTERINGS)
    # its own training images: beyond the 99th percentile, at most one per small cluster
    assert drift["far_share_by_clustering"]["kmeans"] <= 0.05
    log = (run / "logs/again/follower_assignments.log").read_text()
    assert "of the images far from every cluster of digits" in log


def test_other_images_get_the_followed_columns_without_labels(run):
    others = read(run / "results/others/assignments.tsv")
    assert list(others.columns) == ["row", "image", *CLUSTERINGS, f"{recommended(run)}_typicality"]
    assert len(others) == 60 and others["kmeans"].between(0, 9).all()
    assert others["kmeans_selftrain"].between(0, 9).all()
