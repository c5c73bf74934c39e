"""End to end: the real Snakemake workflow on a small real subset of MNIST."""

import json

import numpy as np
import pytest
import torch
from PIL import Image
from pypdf import PdfReader

from workflow_runner import SMALL_N as N

ALGORITHMS = ["kmeans", "dbscan"]


@pytest.fixture(scope="module")
def run(small_run):
    return small_run


def test_data(run):
    data = np.load(run[0] / "results/mnist/data.npz")
    assert data["images"].shape == (N, 28, 28) and data["images"].dtype == np.uint8
    assert data["labels"].shape == (N,) and data["labels"].dtype == np.int64
    assert set(data["labels"].tolist()) == set(range(10))
    assert list(data["class_names"]) == [str(i) for i in range(10)]


def test_model_and_training_outputs(run):
    model_dir = run[0] / "results/mnist/seed0/model"
    state = torch.load(model_dir / "autoencoder.pt", weights_only=True)
    assert state["architecture"] == {"input_dim": 784, "hidden": [128], "latent_dim": 64, "scaling": "symmetric"}
    assert state["settings"]["epochs"] == 3 and state["settings"]["seed"] == 0
    rows = (model_dir / "loss.tsv").read_text().splitlines()
    assert rows[0] == "epoch\tloss\tseconds" and len(rows) == 4
    losses = [float(r.split("\t")[1]) for r in rows[1:]]
    assert all(0 < v < 1 for v in losses) and losses[-1] < losses[0]
    log = (run[0] / "logs/mnist/seed0/train_autoencoder.log").read_text()
    assert "epoch 1/3" in log and "epoch 3/3" in log


def test_embeddings(run):
    x = np.load(run[0] / "results/mnist/seed0/embeddings.npy")
    assert x.shape == (N, 64) and x.dtype == np.float32 and np.isfinite(x).all()


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_clusters_and_metrics(run, algorithm):
    folder = run[0] / f"results/mnist/seed0/clusters/{algorithm}"
    labels = np.load(folder / "labels.npy")
    assert labels.shape == (N,) and labels.dtype == np.int64 and labels.min() >= -1
    m = json.loads((folder / "metrics.json").read_text())
    assert m["n_samples"] == N
    assert m["n_clusters"] == len(set(labels.tolist()) - {-1})
    assert m["noise_fraction"] == pytest.approx(np.mean(labels == -1))
    assert m["silhouette"] is None or -1 <= m["silhouette"] <= 1
    for key in ("accuracy", "nmi", "ari"):
        assert -1 <= m[key] <= 1
    if algorithm == "kmeans":
        assert m["n_clusters"] == 10 and m["accuracy"] > 0.3 and m["silhouette"] is not None
    prov = m["provenance"]
    assert prov["seed"] == 0 and len(prov["config_sha256"]) == 16 and prov["packages"]["torch"].startswith("2.13.0")
    assert prov["dataset"]["source"].endswith("mnist")


@pytest.mark.parametrize("colouring", ALGORITHMS + ["labels"])
def test_tsne_figures(run, colouring):
    with Image.open(run[0] / f"results/mnist/seed0/figures/tsne_{colouring}.png") as img:
        assert img.format == "PNG" and img.size[0] > 400 and img.size[1] > 300
    coords = np.load(run[0] / "results/mnist/seed0/tsne/coordinates.npz")
    assert coords["coords"].shape == (300, 2) and len(np.unique(coords["indices"])) == 300


@pytest.mark.parametrize("name", ["confusion_kmeans", "confusion_dbscan", "kdistance_dbscan"])
def test_confusion_and_kdistance_figures(run, name):
    with Image.open(run[0] / f"results/mnist/seed0/figures/{name}.png") as img:
        assert img.format == "PNG" and img.size[0] > 300


def test_summary_table(run):
    header, *rows = (run[0] / "results/mnist/summary.tsv").read_text().splitlines()
    cells = [dict(zip(header.split("\t"), row.split("\t"))) for row in rows]
    assert [c["algorithm"] for c in cells] == ALGORITHMS and all(c["seeds"] == "1" for c in cells)
    kmeans = json.loads((run[0] / "results/mnist/seed0/clusters/kmeans/metrics.json").read_text())
    assert float(cells[0]["accuracy_mean"]) == pytest.approx(kmeans["accuracy"], rel=1e-5)
    assert cells[0]["accuracy_std"] == "NA"


def test_report(run):
    folder = run[0] / "results/mnist/report"
    tex = (folder / "report.tex").read_text()
    for section in ("Dataset", "Autoencoder", "Training", "Clustering", "Provenance"):
        assert rf"\section{{{section}}}" in tex
    assert "2,000 images" in tex and "K-Means" in tex and "DBSCAN" in tex
    pdf = PdfReader(folder / "report.pdf")
    assert len(pdf.pages) >= 2
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Deep clustering report" in text and "K-Means" in text
    assert sorted(p.name for p in folder.iterdir()) == ["report.pdf", "report.tex"]


def test_every_rule_left_a_benchmark_and_log(run):
    benchmarks = sorted(p.name for p in (run[0] / "benchmarks/mnist").rglob("*.tsv"))
    assert {"download.tsv", "train_autoencoder.tsv", "embed.tsv", "tsne.tsv", "report.tsv"} <= set(benchmarks)
    assert not list((run[0] / "results").rglob(".*.tmp*")), "temporary files left behind"


def test_two_clean_runs_are_byte_identical(run, mnist_source, tmp_path):
    import hashlib

    from workflow_runner import copy_project, small_config, snakemake, write_config

    workdir = copy_project(tmp_path / "again")
    config = write_config(workdir, small_config(mnist_source, workdir / "hf_cache"))
    targets = [f"results/mnist/seed0/clusters/{a}/labels.npy" for a in ALGORITHMS]
    snakemake(workdir, *targets, "--cores", "2", "--configfile", config)
    for path in ["results/mnist/seed0/embeddings.npy", *targets]:
        digests = {hashlib.sha256((root / path).read_bytes()).hexdigest() for root in (run[0], workdir)}
        assert len(digests) == 1, path


@pytest.mark.parametrize("name", [f"gallery_{a}" for a in ALGORITHMS] + ["tsne_thumbnails"])
def test_gallery_figures(run, name):
    with Image.open(run[0] / f"results/mnist/seed0/figures/{name}.png") as img:
        assert img.format == "PNG" and 1000 <= img.size[0] <= 1400 and 300 <= img.size[1] <= 2000, img.size
    tex = (run[0] / "results/mnist/report/report.tex").read_text()
    assert f"{{../seed0/figures/{name}.png}}" in tex
    # labelled data: the galleries come after the t-SNE views
    assert tex.index(r"\section{What the clusters look like}") > tex.index(r"\section{t-SNE views")
