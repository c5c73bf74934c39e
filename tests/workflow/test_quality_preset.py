"""The quality preset on a dataset of small images, added the way a user adds one: a second
config file that disables mnist and names only the new dataset's source and splits."""

import json

import numpy as np
import pytest

from hub_fixtures import write_hub_dataset
from workflow_runner import ROOT, copy_project, snakemake, write_config

pytestmark = pytest.mark.workflow

N_IMAGES = 1000


def test_quality_preset_on_small_images_never_ends_below_its_base(tmp_path):
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = (digits.images[:N_IMAGES] * (255 / 16)).round().astype(np.uint8)  # 8x8
    source = write_hub_dataset(
        tmp_path / "digits8",
        {"train": (images, digits.target[:N_IMAGES])},
        label_names=[str(i) for i in range(10)],
    )
    workdir = copy_project(tmp_path / "wf")
    (workdir / "config").mkdir()
    (workdir / "config" / "presets").mkdir()
    (workdir / "config" / "presets" / "quality.yaml").write_text(
        (ROOT / "config" / "presets" / "quality.yaml").read_text()
    )
    mine = write_config(
        workdir,
        {
            "datasets": {
                "mnist": {"enabled": False},
                "digits8": {"source": str(source), "splits": ["train"]},
            },
        },
        "my.yaml",
    )
    quick = write_config(workdir, {"seeds": [0], "tsne": {"n_samples": 300}}, "quick.yaml")
    snakemake(
        workdir,
        "--cores",
        "2",
        "--configfile",
        "config/presets/quality.yaml",
        mine,
        quick,
        timeout=1800,
        env={"HF_DATASETS_CACHE": str(tmp_path / "hf_cache")},
    )

    results = workdir / "results" / "digits8"
    assert (results / "deskewed.npy").exists(), (
        "the preset's deskewing reaches a dataset it does not name"
    )
    clusters = results / "seed0" / "clusters"
    base = json.loads((clusters / "umap_gmm" / "metrics.json").read_text())
    refined = json.loads((clusters / "umap_gmm_selftrain" / "metrics.json").read_text())
    assert base["accuracy"] > 0.6, base  # the base clustering itself works on 8x8 images
    assert refined["accuracy"] >= base["accuracy"] - 0.01, (base["accuracy"], refined["accuracy"])
    assert refined["n_clusters"] == base["n_clusters"] == 10
    assert set(refined["guard"]) == {"kept_base", "reasons"}
    run = json.loads((clusters / "umap_gmm_selftrain" / "run.json").read_text())
    assert run["params"]["epochs_run"] >= 200  # 8 batches per epoch, at least 2,000 steps
    log = (workdir / "logs" / "digits8" / "seed0" / "self_train_umap_gmm.log").read_text()
    assert "random shifts of up to 1 px" in log
    tex = (results / "report" / "report.tex").read_text()
    assert "A guard keeps the base's labels" in tex and "every image is deskewed" in tex
