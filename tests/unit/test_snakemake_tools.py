"""The DAG from a dry run and Snakemake's own HTML report."""

import re
import subprocess
import sys

import pytest

from workflow_runner import ROOT, require_tool

RULES = [
    "all",
    "survey",
    "decode",
    "train_autoencoder",
    "embed",
    "cluster",
    "evaluate",
    "tsne",
    "plot_tsne",
    "plot_confusion",
    "plot_diagnostic",
    "plot_gallery",
    "plot_tsne_thumbnails",
    "summarize",
    "pdf_report",
]
OPTIONAL_RULES = ["deskew", "self_train"]  # in config/presets/every-step.yaml


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


def test_committed_rule_graph_is_current():
    svg = (ROOT / "workflow" / "rulegraph.svg").read_text()
    for rule in RULES + OPTIONAL_RULES:
        assert f">{rule}</text>" in svg, (
            f"{rule} missing from workflow/rulegraph.svg "
            "(run make dag CONFIG=config/presets/every-step.yaml)"
        )


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
