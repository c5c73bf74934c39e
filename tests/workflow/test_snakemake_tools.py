"""The DAG of a finished run and Snakemake's own HTML report (both read small_run)."""

import re
import subprocess
import sys

import pytest

from workflow_runner import RULES, require_tool

pytestmark = pytest.mark.workflow


def graph(workdir, kind, *args):
    done = subprocess.run(
        [sys.executable, "-m", "snakemake", f"--{kind}", *args],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.mark.parametrize("kind", ["dag", "rulegraph"])
def test_dot_output_names_every_rule_and_is_clean(small_run, kind):
    dot = graph(small_run[0], kind, "--forceall", "--configfile", "test_config.yaml")
    assert dot.startswith("digraph snakemake_dag {") and dot.rstrip().endswith("}"), dot[:200]
    labels = set(re.findall(r'label = "([A-Za-z_]+)', dot))
    assert set(RULES) <= labels


def test_dot_draws_the_rule_graph(small_run):
    require_tool("dot")  # Graphviz; a skip outside CI, a failure in CI
    dot = graph(small_run[0], "rulegraph", "--forceall", "--configfile", "test_config.yaml")
    svg = subprocess.run(
        ["dot", "-Tsvg"], input=dot, capture_output=True, text=True, check=True
    ).stdout
    assert "<svg" in svg and "train_autoencoder" in svg


def test_html_report_contains_figures_and_metrics(small_run):
    workdir = small_run[0]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "--report",
            "report.html",
            "--configfile",
            "test_config.yaml",
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=True,
    )
    html = (workdir / "report.html").read_text()
    for name in (
        "tsne_kmeans.png",
        "tsne_dbscan.png",
        "tsne_labels.png",
        "confusion_kmeans.png",
        "kdistance_dbscan.png",
        "loss.png",
        "metrics.json",
        "summary.tsv",
        "report.pdf",
        "gallery_kmeans.png",
        "gallery_dbscan.png",
        "tsne_thumbnails.png",
    ):
        assert name in html, name
    assert "t-SNE" in html and "Metrics" in html and "Galleries" in html
    # a diagnostic figure's caption comes from workflow/report/<figure>.rst
    assert "Diagnostics" in html and "Sorted distances of every embedding" in html
