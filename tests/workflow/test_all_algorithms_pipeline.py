"""Every registered algorithm, DBSCAN eps auto, deskewing, self-training and two seeds,
end to end on a small subset."""

import json

import numpy as np
import pytest

from config_defaults import default_config
from deepclust.cluster import REGISTRY
from workflow_runner import (
    assert_metrics_match,
    copy_project,
    recomputed_metrics,
    small_config,
    snakemake,
    write_config,
)

pytestmark = pytest.mark.workflow


def test_every_algorithm_and_the_seed_summary(mnist_source, tmp_path):
    workdir = copy_project(tmp_path / "wf")
    shipped = default_config()["algorithms"]
    assert set(shipped) == set(REGISTRY), "each registered algorithm needs a schema block"
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
    deskewed, raw = (
        np.load(workdir / "results/mnist/deskewed.npy"),
        np.load(workdir / "results/mnist/images.npy"),
    )
    assert deskewed.shape == raw.shape and deskewed.dtype == raw.dtype == np.uint8
    assert not np.array_equal(deskewed, raw)
    true = np.load(workdir / "results/mnist/data.npz")["labels"]
    scores = {}
    for seed in (0, 1):
        x = np.load(workdir / f"results/mnist/seed{seed}/embeddings.npy")
        for name in clusterings:
            folder = workdir / f"results/mnist/seed{seed}/clusters/{name}"
            labels = np.load(folder / "labels.npy")
            metrics = json.loads((folder / "metrics.json").read_text())
            assert labels.shape == (1000,) and metrics["algorithm"] == name
            # every metrics.json agrees with its labels.npy, recomputed independently
            assert_metrics_match(metrics, recomputed_metrics(true, labels, x))
            scores[seed, name] = metrics
    # Floors on the first 1,000 MNIST images, 2 epochs (measured: K-Means 0.45 and 0.46,
    # UMAP + GMM 0.57 and 0.56, its self-training 0.53 and 0.49 for seeds 0 and 1)
    for seed in (0, 1):
        assert scores[seed, "kmeans"]["accuracy"] > 0.4 and scores[seed, "kmeans"]["nmi"] > 0.38
        assert scores[seed, "umap_gmm"]["accuracy"] > 0.5 and scores[seed, "umap_gmm"]["nmi"] > 0.45
        assert scores[seed, "umap_gmm_selftrain"]["accuracy"] > 0.4
        assert (
            scores[seed, "umap_gmm"]["n_clusters"] == 10
            and scores[seed, "kmeans"]["n_clusters"] == 10
        )
    dbscan = json.loads((workdir / "results/mnist/seed0/clusters/dbscan/metrics.json").read_text())
    assert dbscan["params"]["eps_auto"] is True and dbscan["params"]["eps"] > 0
    header, *rows = (workdir / "results/mnist/summary.tsv").read_text().splitlines()
    consensus = [f"{c}_consensus" for c in clusterings]
    assert [r.split("\t")[0] for r in rows] == clusterings + consensus
    assert all(r.split("\t")[1] == "2" for r in rows)
    # the seeds' agreement, recomputed here from their labels with scikit-learn
    from sklearn.metrics import adjusted_rand_score

    for name in clusterings:
        folder = workdir / f"results/mnist/consensus/clusters/{name}"
        metrics = json.loads((folder / "metrics.json").read_text())
        seeds = [
            np.load(workdir / f"results/mnist/seed{s}/clusters/{name}/labels.npy") for s in (0, 1)
        ]
        assert metrics["algorithm"] == f"{name}_consensus"
        assert metrics["stability"]["mean_ari"] == pytest.approx(adjusted_rand_score(*seeds))
        voted = np.load(folder / "labels.npy")
        assert_metrics_match(
            metrics,
            recomputed_metrics(
                true, voted, np.load(workdir / "results/mnist/seed0/embeddings.npy")
            ),
        )
        # images both seeds put together stay together, in at most as many clusters as the
        # reference has (fewer when some of its clusters hold only small groups)
        pairs = np.stack([*seeds, voted], axis=1)
        assert len(np.unique(pairs, axis=0)) == len(np.unique(pairs[:, :2], axis=0))
        reference = seeds[(0, 1).index(metrics["stability"]["reference_seed"])]
        k_voted, k_reference = (len(np.unique(x[x >= 0])) for x in (voted, reference))
        assert k_voted == k_reference if name == "kmeans" else k_voted <= k_reference
        assert (workdir / f"results/mnist/consensus/figures/gallery_{name}.png").stat().st_size > 0
    tex = (workdir / "results/mnist/report/report.tex").read_text()
    assert "Over seeds" in tex and "chosen at the knee of the k-distance curve" in tex
    assert "Do the seeds agree?" in tex and "UMAP + GMM (N2D), consensus of seeds" in tex
    assert "UMAP + GMM (N2D) + self-training" in tex and "every image is deskewed" in tex
    run = json.loads(
        (workdir / "results/mnist/seed0/clusters/umap_gmm_selftrain/run.json").read_text()
    )
    assert run["params"]["base"] == "umap_gmm"
    base, relabelled = (
        np.load(workdir / f"results/mnist/seed0/clusters/{c}/labels.npy")
        for c in ("umap_gmm", "umap_gmm_selftrain")
    )
    # labels.npy differs from the base's labels in exactly the recorded fraction, unless the
    # guard kept the base's labels: then in none
    if run["guard"]["kept_base"]:
        assert np.array_equal(base, relabelled)
    else:
        assert run["params"]["changed_fraction"] == np.mean(base != relabelled)
