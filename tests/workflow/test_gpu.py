"""Training and embedding on a GPU (autoencoder.device: cuda); runs only where torch sees one.

The other end-to-end tests pin device: cpu, whose determinism the byte-identity checks
rely on; this one covers the cuda path.
"""

import json

import numpy as np
import pytest
import torch

from workflow_runner import copy_project, small_config, snakemake, write_config

pytestmark = [
    pytest.mark.workflow,
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU visible to torch"),
]


def test_training_on_the_gpu_clusters_as_well_as_on_the_cpu(mnist_source, tmp_path):
    workdir = copy_project(tmp_path / "gpu")
    config = small_config(mnist_source, workdir / "hf_cache")
    config["autoencoder"]["device"] = "cuda"
    target = "results/mnist/seed0/clusters/kmeans/metrics.json"
    snakemake(workdir, target, "--cores", "2", "--configfile", write_config(workdir, config))
    training = json.loads((workdir / "results/mnist/seed0/model/training.json").read_text())
    assert training["device"] == "cuda"
    losses = [
        float(row.split("\t")[1])
        for row in (workdir / "results/mnist/seed0/model/loss.tsv").read_text().splitlines()[1:]
    ]
    assert losses[-1] < losses[0] < 1
    x = np.load(workdir / "results/mnist/seed0/embeddings.npy")
    assert x.shape == (2000, 64) and np.isfinite(x).all()
    metrics = json.loads((workdir / target).read_text())
    assert (
        metrics["accuracy"] > 0.45 and metrics["nmi"] > 0.4
    )  # the CPU run's floors (tests/workflow/test_pipeline.py)
