"""End to end on a folder of image files of mixed sizes, formats and modes, as
`make run SOURCE=...` runs it: the dataset named after the folder, own-images preset."""

import subprocess

import numpy as np
import pytest
import yaml

from image_folders import mixed_digit_folder, truncated_jpeg
from workflow_runner import ROOT, copy_project, snakemake, write_config


@pytest.fixture(scope="module")
def folder_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("own")
    folder, labels = mixed_digit_folder(tmp / "my digits", 400)
    truncated_jpeg(folder / "digit_0" / "zz_broken.jpg", size=(64, 64))
    source_config = tmp / "source.yaml"
    subprocess.run(
        ["make", "-s", "source-config", f"SOURCE={folder}", f"SOURCE_CONFIG={source_config}"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    workdir = copy_project(tmp / "wf")
    quick = {  # a quick run: few steps, small t-SNE; bad files skipped
        "autoencoder": {"epochs": 3, "min_steps": 0, "batch_size": 64, "device": "cpu"},
        "tsne": {"n_samples": 300},
        "preprocessing": {"on_bad_image": "skip"},
    }
    write_config(workdir, quick, "quick.yaml")
    configs = [str(ROOT / "config/presets/own-images.yaml"), str(source_config), "quick.yaml"]
    done = snakemake(workdir, "--cores", "2", "--configfile", *configs)
    return workdir, source_config, labels, done


@pytest.mark.workflow
def test_make_source_config_names_the_dataset_after_the_folder(folder_run):
    _, source_config, _, _ = folder_run
    config = yaml.safe_load(source_config.read_text())
    assert config["datasets"]["mnist"] == {"enabled": False}
    assert config["datasets"]["my_digits"]["source"].endswith("my digits")


@pytest.mark.workflow
def test_a_mixed_folder_runs_to_the_report(folder_run):
    workdir, _, labels, _ = folder_run
    results = workdir / "results" / "my_digits"
    data = np.load(results / "data.npz")
    images = np.load(results / "images.npy", mmap_mode="r")
    assert images.shape == (400, 28, 28, 3)  # 20-48 px, median shorter side 28; half RGB
    np.testing.assert_array_equal(data["labels"], labels)
    assert str(data["source_kind"]) == "folder" and int(data["n_skipped"]) == 1
    skipped = (results / "skipped.tsv").read_text().splitlines()
    assert len(skipped) == 2 and skipped[1].split("\t")[1] == "digit_0/zz_broken.jpg"
    assert (results / "report" / "report.pdf").stat().st_size > 0
    tex = (results / "report" / "report.tex").read_text()
    assert "The source is a folder of image files, labelled by the names of their subfolders" in tex
    assert "each became size 28x28: a square of the median shorter side" in tex
    assert "images could not be decoded and were left out" in tex


@pytest.mark.workflow
def test_k_is_chosen_and_shown_for_a_folder(folder_run):
    """The own-images preset chooses K for K-Means and UMAP + GMM without the labels and
    draws how; the 10 digit classes are recovered roughly (a quick 3-epoch embedding)."""
    import json

    workdir, _, _, _ = folder_run
    seed0 = workdir / "results" / "my_digits" / "seed0"
    for algorithm in ("kmeans", "umap_gmm"):
        metrics = json.loads((seed0 / "clusters" / algorithm / "metrics.json").read_text())
        chosen = metrics["params"]["n_clusters"]
        assert isinstance(chosen, int) and 2 <= chosen <= 20, algorithm
        assert metrics["n_clusters"] == chosen
        assert (seed0 / "figures" / f"kselection_{algorithm}.png").stat().st_size > 0
    tex = (workdir / "results" / "my_digits" / "report" / "report.tex").read_text()
    assert "kselection_kmeans.png" in tex and "kselection_umap_gmm.png" in tex


@pytest.mark.workflow
def test_a_split_layout_folder_is_read_without_the_datasets_library(tmp_path):
    """root/{train,test}/digit_<k>/*.png with splits [test, train]: the survey and decode
    jobs read it themselves (nothing in the datasets library's cache), test first, one
    class id per subfolder name across the splits."""
    from hub_fixtures import digits_as_mnist
    from image_folders import save

    images, labels = digits_as_mnist(80)
    root = tmp_path / "split digits"
    for i, (image, label) in enumerate(zip(images, labels)):
        save(root / ("train" if i < 60 else "test") / f"digit_{label}" / f"{i:03d}.png", image)
    workdir = copy_project(tmp_path / "wf")
    hf = tmp_path / "hf"
    dataset = {"source": str(root), "splits": ["test", "train"], "cache_dir": str(hf / "c")}
    name = write_config(workdir, {"datasets": {"mnist": {"enabled": False}, "digits": dataset}})
    snakemake(
        workdir, "--cores", "2", "results/digits/data.npz", "--configfile", name,
        env={"HF_HOME": str(hf / "home")},
    )  # fmt: skip
    data = np.load(workdir / "results" / "digits" / "data.npz")
    order = sorted(range(80), key=lambda i: (i < 60, labels[i], i))  # test/, class, file
    assert [str(n) for n in data["class_names"]] == [f"digit_{k}" for k in range(10)]
    np.testing.assert_array_equal(data["labels"], labels[order])
    assert str(data["source_kind"]) == "folder" and data["splits"].tolist() == ["test", "train"]
    stored = np.load(workdir / "results" / "digits" / "images.npy")
    np.testing.assert_array_equal(stored, images[order])
    assert not hf.exists()  # no copy in the datasets library's cache
    log = (workdir / "logs" / "digits" / "survey.log").read_text()
    assert "split subfolders test/, train/, read: ['test', 'train']" in log
