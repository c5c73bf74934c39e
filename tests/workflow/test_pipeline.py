"""End to end: the real Snakemake workflow on a small real subset of MNIST."""

import json

import numpy as np
import pytest
import torch
from PIL import Image
from pypdf import PdfReader

from workflow_runner import SMALL_N as N
from workflow_runner import assert_metrics_match, log_names, recomputed_metrics, small_config

pytestmark = pytest.mark.workflow

ALGORITHMS = ["kmeans", "dbscan"]


@pytest.fixture(scope="module")
def run(small_run):
    return small_run


def test_data(run):
    data = np.load(run[0] / "results/mnist/data.npz")
    images = np.load(run[0] / "results/mnist/images.npy", mmap_mode="r")
    assert images.shape == (N, 28, 28) and images.dtype == np.uint8
    assert "images" not in data.files  # the images are their own memory-mappable file
    assert data["labels"].shape == (N,) and data["labels"].dtype == np.int64
    assert set(data["labels"].tolist()) == set(range(10))
    assert list(data["class_names"]) == [str(i) for i in range(10)]


def test_model_and_training_outputs(run):
    model_dir = run[0] / "results/mnist/seed0/model"
    state = torch.load(model_dir / "autoencoder.pt", weights_only=True)
    assert state["architecture"] == {
        "input_dim": 784,
        "hidden": [128],
        "latent_dim": 64,
        "scaling": "symmetric",
    }
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
def test_metrics_recomputed_from_the_labels(run, algorithm):
    folder = run[0] / f"results/mnist/seed0/clusters/{algorithm}"
    pred = np.load(folder / "labels.npy")
    true = np.load(run[0] / "results/mnist/data.npz")["labels"]
    x = np.load(run[0] / "results/mnist/seed0/embeddings.npy")
    m = json.loads((folder / "metrics.json").read_text())
    assert_metrics_match(m, recomputed_metrics(true, pred, x))


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
    if algorithm == "kmeans":  # 0.49 / 0.44 on the first 2,000 MNIST images (3 epochs, CPU)
        assert (
            m["n_clusters"] == 10
            and m["accuracy"] > 0.45
            and m["nmi"] > 0.4
            and m["silhouette"] > 0.1
        )
    else:  # DBSCAN with eps 3: 13 clusters, 87% noise
        assert (
            m["n_clusters"] >= 2 and 0.5 < m["noise_fraction"] < 1 and m["silhouette"] is not None
        )
    prov = m["provenance"]
    assert prov["seed"] == 0 and len(prov["settings_sha256"]) == 16
    assert prov["dataset"]["source"].endswith("mnist")


def test_each_job_records_the_versions_it_imported(run):
    """training.json, run.json and metrics.json each name the packages of their own job."""
    seed0 = run[0] / "results/mnist/seed0"
    training = json.loads((seed0 / "model/training.json").read_text())["versions"]
    assert training["torch"] == torch.__version__ and "matplotlib" in training
    for algorithm in ALGORITHMS:
        folder = seed0 / f"clusters/{algorithm}"
        clustering = json.loads((folder / "run.json").read_text())["versions"]
        scoring = json.loads((folder / "metrics.json").read_text())["versions"]
        assert "scikit-learn" in clustering and "torch" not in clustering
        assert "numba" in scoring and "torch" not in scoring
        assert all(versions["python"] for versions in (training, clustering, scoring))


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


# every job of the small run, as its log/benchmark name under {logs,benchmarks}/mnist/
JOBS = log_names(small_config("source", "cache"))


def test_every_job_left_a_benchmark_and_log(run):
    from workflow_runner import job_counts

    workdir, output = run
    counts = job_counts(output)
    assert sum(counts.values()) - counts["all"] == len(JOBS), counts
    for job in JOBS:
        log = workdir / f"logs/mnist/{job}.log"
        assert log.exists() and log.stat().st_size > 0, f"{job}: no log"
        header, *rows = (workdir / f"benchmarks/mnist/{job}.tsv").read_text().splitlines()
        assert header.startswith("s\th:m:s\tmax_rss") and len(rows) == 1, f"{job}: {header}"
    assert sorted(
        p.relative_to(workdir / "logs/mnist").with_suffix("").as_posix()
        for p in (workdir / "logs/mnist").rglob("*.log")
    ) == sorted(JOBS)
    assert not list((workdir / "results").rglob(".*.tmp*")), "temporary files left behind"


def test_results_are_readable_like_a_normal_write(run):
    """Every output has 0666 less the umask (the tests run with the caller's umask), not 0600."""
    import os
    import stat

    mask = os.umask(0o022)
    os.umask(mask)
    modes = {
        p.relative_to(run[0]).as_posix(): stat.S_IMODE(p.stat().st_mode)
        for p in (run[0] / "results").rglob("*")
        if p.is_file()
    }
    assert len(modes) > 20
    wrong = {path: oct(mode) for path, mode in modes.items() if mode != 0o666 & ~mask}
    assert not wrong, f"expected {oct(0o666 & ~mask)}: {wrong}"


def test_two_clean_runs_are_byte_identical(run, mnist_source, tmp_path):
    import hashlib

    from workflow_runner import copy_project, small_config, snakemake, write_config

    workdir = copy_project(tmp_path / "again")
    config = write_config(workdir, small_config(mnist_source, workdir / "hf_cache"))
    targets = [f"results/mnist/seed0/clusters/{a}/labels.npy" for a in ALGORITHMS]
    snakemake(workdir, *targets, "--cores", "2", "--configfile", config)
    for path in ["results/mnist/seed0/embeddings.npy", *targets]:
        digests = {
            hashlib.sha256((root / path).read_bytes()).hexdigest() for root in (run[0], workdir)
        }
        assert len(digests) == 1, path


@pytest.mark.parametrize("name", [f"gallery_{a}" for a in ALGORITHMS] + ["tsne_thumbnails"])
def test_gallery_figures(run, name):
    with Image.open(run[0] / f"results/mnist/seed0/figures/{name}.png") as img:
        assert img.format == "PNG" and 1000 <= img.size[0] <= 1400 and 300 <= img.size[1] <= 2000, (
            img.size
        )
    tex = (run[0] / "results/mnist/report/report.tex").read_text()
    assert f"{{../seed0/figures/{name}.png}}" in tex
    # labelled data: the galleries come after the t-SNE views
    assert tex.index(r"\section{What the clusters look like}") > tex.index(r"\section{t-SNE views")
