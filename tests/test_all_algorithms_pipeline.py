"""Every registered algorithm, DBSCAN eps auto, deskewing, self-training and two seeds,
end to end on a small subset."""

import json

import numpy as np
import yaml

from deepclust.clustering import ALGORITHMS
from workflow_runner import ROOT, copy_project, small_config, snakemake, write_config


def test_every_algorithm_and_the_seed_summary(mnist_source, tmp_path):
    workdir = copy_project(tmp_path / "wf")
    shipped = yaml.safe_load((ROOT / "config.yaml").read_text())["algorithms"]
    assert set(shipped) == set(ALGORITHMS), "each registered algorithm needs a config block"
    config = small_config(mnist_source, workdir / "hf_cache", limit=1000, epochs=2)
    config["seeds"] = [0, 1]
    config["algorithms"] = {name: {"enabled": True} for name in shipped}
    config["algorithms"]["dbscan"]["eps"] = "auto"
    config["algorithms"]["hdbscan"] = {"enabled": True, "min_cluster_size": 20}
    config["tsne"] = {"n_samples": 100}
    config["datasets"]["mnist"]["deskew"] = True
    config["self_training"] = {"enabled": True, "base": "umap_gmm", "epochs": 2, "min_steps": 200}
    snakemake(workdir, "--cores", "2", "--configfile", write_config(workdir, config), timeout=1800)

    clusterings = [*shipped, "umap_gmm_selftrain"]
    deskewed, raw = np.load(workdir / "results/mnist/deskewed.npz"), np.load(workdir / "results/mnist/data.npz")
    assert deskewed["images"].shape == raw["images"].shape
    assert not np.array_equal(deskewed["images"], raw["images"])
    np.testing.assert_array_equal(deskewed["labels"], raw["labels"])
    for seed in (0, 1):
        for name in clusterings:
            folder = workdir / f"results/mnist/seed{seed}/clusters/{name}"
            labels = np.load(folder / "labels.npy")
            metrics = json.loads((folder / "metrics.json").read_text())
            assert labels.shape == (1000,) and metrics["algorithm"] == name
            assert 0 <= metrics["accuracy"] <= 1 and metrics["n_clusters"] >= 1
    dbscan = json.loads((workdir / "results/mnist/seed0/clusters/dbscan/metrics.json").read_text())
    assert dbscan["params"]["eps_auto"] is True and dbscan["params"]["eps"] > 0
    header, *rows = (workdir / "results/mnist/summary.tsv").read_text().splitlines()
    assert [r.split("\t")[0] for r in rows] == clusterings
    assert all(r.split("\t")[1] == "2" for r in rows)
    tex = (workdir / "results/mnist/report/report.tex").read_text()
    assert "Over seeds" in tex and "chosen at the knee of the k-distance curve" in tex
    assert "UMAP + GMM (N2D) + self-training" in tex and "every image is deskewed" in tex
    run = json.loads((workdir / "results/mnist/seed0/clusters/umap_gmm_selftrain/run.json").read_text())
    assert run["params"]["base"] == "umap_gmm" and 0 <= run["params"]["changed_fraction"] <= 1
