"""tests/benchmarks/compare_runs.py: what counts as the same result at two revisions."""

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from compare_runs import compare, overlay

RUN = "mnist/seed0/clusters/kmeans"


def write_run(results, labels, metrics):
    folder = results / RUN
    folder.mkdir(parents=True)
    np.save(folder / "labels.npy", labels)
    (folder / "metrics.json").write_text(json.dumps(metrics))


def test_timings_and_provenance_may_differ_scores_and_labels_may_not(tmp_path):
    labels = np.arange(10) % 3
    metrics = {"nmi": 0.5, "cluster_seconds": 1.0, "provenance": {"seed": 0}}
    write_run(tmp_path / "base", labels, metrics)
    later = metrics | {"cluster_seconds": 2.0, "versions": {"numpy": "9"}}
    write_run(tmp_path / "head", labels, later)
    assert compare(tmp_path / "base", tmp_path / "head") == [
        (f"{RUN}/labels.npy", "identical bytes"),
        (f"{RUN}/metrics.json", "equal values"),
    ]
    changed = labels.copy()
    changed[0] = 2
    write_run(tmp_path / "other", changed, metrics | {"provenance": {"seed": 1}})
    (tmp_path / "other" / "mnist" / "consensus" / "clusters" / "kmeans").mkdir(parents=True)
    np.save(
        tmp_path / "other" / "mnist" / "consensus" / "clusters" / "kmeans" / "labels.npy", labels
    )
    assert compare(tmp_path / "base", tmp_path / "other") == [
        ("mnist/consensus/clusters/kmeans/labels.npy", "DIFFERS: only in head"),
        (f"{RUN}/labels.npy", "DIFFERS: 1 of 10 values, max |diff| 2"),
        (f"{RUN}/metrics.json", "DIFFERS: provenance.seed"),
    ]


def test_the_overlay_makes_sources_absolute_and_limits_every_enabled_dataset(tmp_path):
    extra = overlay([], 500)
    assert list(extra["datasets"]) == ["mnist"]
    mnist = extra["datasets"]["mnist"]
    assert mnist["limit"] == 500
    assert Path(mnist.get("source", "/")).is_absolute()
