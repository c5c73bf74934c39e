"""End to end with each encoder but the autoencoder (which every other workflow test runs):
a small folder of mixed sizes, grey and colour, to the report; embeddings.npy of the
width the encoder says, the job that fits it, the report naming it, two shards equal to
one pass."""

import json

import numpy as np
import pytest
import torch

from image_folders import mixed_digit_folder
from workflow_runner import copy_project, snakemake, write_config

QUICK = {
    "autoencoder": {"epochs": 2, "min_steps": 0, "batch_size": 64, "device": "cpu"},
    "tsne": {"n_samples": 150},
    "algorithms": {"kmeans": {"enabled": True, "n_clusters": 10}},
}
SMALL = {
    "features": {"dimensions": 12, "fit_sample": 100, "device": "cpu"},
    "conv_autoencoder": {"channels": [4, 8], "steps": 20, "batch_size": 32, "device": "cpu"},
    "combined": {"views": {"autoencoder": 1.0, "features": 2.0}},
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return mixed_digit_folder(tmp_path_factory.mktemp("digits") / "digits", 150)[0]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    from transformers import Dinov2Config, Dinov2Model

    torch.manual_seed(0)
    config = Dinov2Config(
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        image_size=32,
        patch_size=8,
    )
    path = tmp_path_factory.mktemp("tiny_dinov2")
    Dinov2Model(config).save_pretrained(path)
    return str(path)


def run(tmp_path, folder, encoder, encoders, shards=1):
    workdir = copy_project(tmp_path / "wf")
    config = QUICK | {
        "datasets": {"mnist": {"enabled": False}, "mine": {"source": str(folder)}},
        "encoder": encoder,
        "encoders": encoders,
        "shards": shards,
    }
    write_config(workdir, config)
    snakemake(workdir, "--cores", "2", "--configfile", "test_config.yaml")
    return workdir / "results" / "mine"


WIDTHS = {"features": 12, "conv_autoencoder": 10, "pretrained": 16, "combined": 64 + 12}


@pytest.mark.workflow
@pytest.mark.parametrize("encoder", ["features", "conv_autoencoder", "pretrained", "combined"])
def test_each_encoder_runs_to_the_report(tmp_path, folder, tiny_model, encoder):
    encoders = SMALL | {"pretrained": {"model": tiny_model, "device": "cpu", "batch_size": 16}}
    results = run(tmp_path, folder, encoder, encoders)
    seed0 = results / "seed0"
    embeddings = np.load(seed0 / "embeddings.npy")
    assert embeddings.shape == (150, WIDTHS[encoder]) and embeddings.dtype == np.float32
    summary = json.loads((seed0 / "model" / "encoder.json").read_text())
    assert summary["encoder"] == encoder and summary["width"] == WIDTHS[encoder]
    assert (seed0 / "model" / "autoencoder.pt").exists() == (encoder == "combined")
    metrics = json.loads((seed0 / "clusters" / "kmeans" / "metrics.json").read_text())
    assert metrics["n_clusters"] == 10
    tex = (results / "report" / "report.tex").read_text()
    assert "Encoder \\texttt{" + encoder.replace("_", "\\_") + "}" in tex
    assert (results / "report" / "report.pdf").stat().st_size > 0


@pytest.mark.workflow
def test_features_in_two_shards_equal_one_pass(tmp_path, folder):
    one = np.load(run(tmp_path / "one", folder, "features", SMALL) / "seed0" / "embeddings.npy")
    two = run(tmp_path / "two", folder, "features", SMALL, shards=2)
    np.testing.assert_array_equal(np.load(two / "seed0" / "embeddings.npy"), one)
