"""Per-algorithm diagnostic figures: declared in the algorithm registry, drawn and described
by deepclust.diagnostics, and named by no rule or report code."""

import re

import numpy as np
import pytest

from deepclust.cluster import DIAGNOSTICS, REGISTRY
from deepclust.diagnostics import FIGURES, draw
from workflow_runner import ROOT

DBSCAN = {"eps": "auto", "min_samples": 5, "exact_max": 100000, "kdistance_sample": 20000}


def test_every_declared_figure_exists_with_a_caption():
    assert DIAGNOSTICS["dbscan"] == ("kdistance",) and DIAGNOSTICS["hdbscan"] == ()
    assert DIAGNOSTICS["kmeans"] == ("kselection",)  # drawn only when n_clusters is auto
    assert set(DIAGNOSTICS) == set(REGISTRY)
    for algorithm, figures in DIAGNOSTICS.items():
        for name in figures:
            assert name in FIGURES, f"{algorithm} declares an unknown figure {name}"
            assert (ROOT / "workflow" / "report" / f"{name}.rst").is_file()
            # figures/<name>_<algorithm>.png must not look like the report's other figures
            assert name not in ("tsne", "confusion", "gallery", "metrics", "run")


def test_kdistance_is_drawn_and_described():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 0.1, (100, 4)), rng.normal(3, 0.1, (100, 4))])
    lines = []
    fig = draw("kdistance", x, DBSCAN, 0, "toy, seed 0", lines.append)
    assert fig.axes[0].get_title() == "toy, seed 0: DBSCAN k-distance"
    assert lines[0] == "exact k-distance curve of all 200 points" and "knee at point" in lines[1]
    describe = FIGURES["kdistance"].describe
    assert describe("DBSCAN", {"eps": 0.123456, "eps_auto": True}) == (
        "DBSCAN used eps 0.1235 chosen at the knee of the k-distance curve.",
        "DBSCAN: sorted distances to the min_samples-th neighbour.",
    )
    assert describe("DBSCAN", {"eps": 3.0})[0] == (
        "DBSCAN used eps 3 as configured; the k-distance curve shows where its knee lies."
    )


def test_an_unknown_figure_is_refused():
    known = "kdistance, kselection"
    with pytest.raises(ValueError, match=f"no diagnostic figure 'silhouette'; known: {known}"):
        draw("silhouette", np.zeros((10, 2)), DBSCAN, 0, "toy", print)


def test_no_rule_or_report_code_names_an_algorithm():
    """A new algorithm's figure needs no rule or report edit: they read the registry."""
    files = [
        *(ROOT / "workflow" / "rules").glob("*.smk"),
        ROOT / "workflow" / "templates" / "pdf_report.tex.jinja",
        ROOT / "scripts" / "pdf_report.py",
        ROOT / "scripts" / "plot_diagnostic.py",
    ]
    for path in files:
        text = path.read_text().lower()
        for name in REGISTRY:
            assert not re.search(rf"\b{name}\b", text), f"{path.name} names {name}"
        assert "kdistance" not in text, path.name


def test_kselection_is_drawn_from_the_run_record_and_described():
    """The K sweep of n_clusters auto is plotted from run.json, not recomputed."""
    k_auto = {"criterion": "bic", "k": [2, 3, 4], "score": [5.0, 1.0, 2.0], "better": "lower"}
    run = {
        "algorithm": "gmm",
        "params": {"n_clusters": 3, "k_auto": k_auto | {"chosen": 3}},
        "exactness": {"n_clusters": "estimated: 600 > k_sample 150; ..."},
    }
    lines = []
    fig = draw("kselection", None, {"n_clusters": "auto"}, 0, "toy, seed 0", lines.append, run)
    ax = fig.axes[0]
    assert ax.get_title() == "toy, seed 0: gmm K selection (sampled)"
    assert ax.get_ylabel() == "BIC" and "chosen K 3" in ax.get_legend_handles_labels()[1]
    assert lines == ["K 2: bic 5", "K 3: bic 1", "K 4: bic 2", "chosen K 3 (lower bic is better)"]
    assert FIGURES["kselection"].describe("Gaussian mixture", run["params"]) == (
        "Gaussian mixture chose K = 3 among 2 to 4 by the lowest BIC of a mixture fitted for "
        "each K.",
        "Gaussian mixture: BIC against K; the chosen K is marked.",
    )
