"""The algorithm registry: every shipped algorithm, errors, extension, DBSCAN eps auto."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from config_defaults import BLOB_SETTINGS, algorithm_defaults
from deepclust import cluster
from deepclust.cluster import REGISTRY, Algorithm, exact_knn, run_algorithm
from deepclust.labels import NOISE

# Each shipped algorithm's schema defaults, with what three small blobs need changed
SHIPPED = {name: algorithm_defaults(name) | changed for name, changed in BLOB_SETTINGS.items()}
MERGE_NEIGHBORS = algorithm_defaults("umap_gmm")["merge_neighbors"]


def blobs(n_per=100, seed=0, dim=5):
    rng = np.random.default_rng(seed)
    centers = 10 * np.eye(3, dim)
    x = np.concatenate([c + rng.normal(size=(n_per, dim)) for c in centers]).astype(np.float32)
    return x, np.repeat(np.arange(3), n_per)


def agreement(labels, truth):
    """Fraction of points in the majority class of their cluster (noise counts as wrong)."""
    hits = sum(np.bincount(truth[labels == c]).max() for c in set(labels.tolist()) - {NOISE})
    return hits / len(truth)


def test_every_shipped_algorithm_is_registered():
    assert set(SHIPPED) <= set(REGISTRY)


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_shipped_algorithm_clusters_blobs(name):
    x, truth = blobs()
    labels, used = run_algorithm(name, x, SHIPPED[name], seed=0)
    assert labels.dtype == np.int64 and labels.shape == (len(x),)
    assert labels.min() >= NOISE
    assert agreement(labels, truth) > 0.9
    json.dumps(used)  # JSON-able
    assert set(SHIPPED[name]) <= set(used)


@pytest.mark.parametrize("name", ["kmeans", "gmm", "agglomerative", "hdbscan", "umap_gmm"])
def test_algorithms_are_deterministic_for_a_seed(name):
    x, _ = blobs(seed=3)
    a, _ = run_algorithm(name, x, SHIPPED[name], seed=1)
    b, _ = run_algorithm(name, x, SHIPPED[name], seed=1)
    np.testing.assert_array_equal(a, b)


def test_umap_of_many_separate_blobs_repeats_exactly_within_a_process():
    """Five far-apart blobs: a kNN graph of five pieces, more than UMAP lays out without a
    spectral embedding of their centroids (whose ARPACK restart state survives a fit);
    three fits with the same seed give the same coordinates."""
    from sklearn.datasets import make_blobs

    from deepclust.cluster._umap import umap_fit

    x, _ = make_blobs([60] * 5, n_features=32, centers=None, center_box=(-20, 20), random_state=5)
    params = algorithm_defaults("umap_gmm") | {"n_components": 2, "n_neighbors": 10, "n_epochs": 30}
    first, *again = (umap_fit(x.astype(np.float32), params, seed=1)[1] for _ in range(3))
    for coords in again:
        np.testing.assert_array_equal(first, coords)


def test_unknown_algorithm_is_a_clear_error():
    x, _ = blobs()
    with pytest.raises(
        ValueError, match=r"unknown algorithm 'spectral'; known: \['agglomerative', "
    ):
        run_algorithm("spectral", x, {}, 0)


def register(monkeypatch, tmp_path, name, source):
    """Register algorithm ``name``: a module of its own (``source``) and a registry entry."""
    (tmp_path / f"algorithm_{name}.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    entry = Algorithm(name, f"algorithm_{name}", "fit", name.replace("_", " ").capitalize())
    monkeypatch.setitem(REGISTRY, name, entry)


def test_adding_a_module_and_an_entry_registers_it(monkeypatch, tmp_path):
    register(
        monkeypatch,
        tmp_path,
        "first_coordinate_sign",
        "import numpy as np\n"
        "def fit(x, params, seed):\n"
        "    return (x[:, 0] > params['threshold']).astype(int), {'extra': np.float32(1.5)}\n",
    )
    assert cluster.algorithm_function("first_coordinate_sign").__module__ == (
        "algorithm_first_coordinate_sign"
    )
    x, _ = blobs()
    labels, used = run_algorithm("first_coordinate_sign", x, {"threshold": 5}, 0)
    assert labels.dtype == np.int64 and set(labels.tolist()) == {0, 1}
    assert used == {"threshold": 5, "extra": 1.5} and type(used["extra"]) is float


def test_wrong_label_shape_is_an_error(monkeypatch, tmp_path):
    register(
        monkeypatch,
        tmp_path,
        "broken",
        "import numpy as np\ndef fit(x, p, s):\n    return np.zeros(3)\n",
    )
    with pytest.raises(
        ValueError, match=r"'broken' returned labels of shape \(3,\), expected \(300,\)"
    ):
        run_algorithm("broken", blobs()[0], {}, 0)


def test_every_entry_names_a_function_of_a_module_of_the_package():
    """The registry is data: each entry's module and function exist, and its module is one of
    the package's own (an algorithm per module)."""
    modules = {entry.module for entry in REGISTRY.values()}
    assert len(modules) == len(REGISTRY)
    for name, entry in REGISTRY.items():
        assert entry.module == f"._{name}"
        assert callable(cluster.algorithm_function(name))


def test_importing_the_registry_imports_no_algorithm():
    """The Snakefile imports the package at parse time: no scikit-learn, UMAP or numba."""
    code = (
        "import sys; import deepclust.cluster; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'umap', 'numba', "
        "'scipy', 'pynndescent'}))"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(cluster.__file__).parents[2])}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "[]", out


def test_dbscan_eps_auto_end_to_end_on_blobs():
    x, truth = blobs()
    rng = np.random.default_rng(5)
    x = np.vstack([x, rng.uniform(-40, 50, size=(6, x.shape[1])).astype(np.float32)])
    labels, used = run_algorithm("dbscan", x, SHIPPED["dbscan"], seed=0)
    assert used["eps_auto"] is True and isinstance(used["eps"], float) and used["eps"] > 0
    assert used["min_samples"] == 5 and 0 <= used["eps_knee_index"] < len(x)
    assert len(set(labels.tolist()) - {NOISE}) == 3
    assert (labels[-6:] == NOISE).all()
    assert agreement(labels[:-6], truth) > 0.95
    fixed, used_fixed = run_algorithm("dbscan", x, SHIPPED["dbscan"] | {"eps": used["eps"]}, seed=0)
    np.testing.assert_array_equal(labels, fixed)
    assert "eps_auto" not in used_fixed
    with pytest.raises(ValueError, match="positive number or 'auto'"):
        run_algorithm("dbscan", x, SHIPPED["dbscan"] | {"eps": "knee"}, 0)


def test_agglomerative_without_connectivity_matches_with_on_separated_blobs():
    x, _ = blobs(n_per=50)
    full, _ = run_algorithm("agglomerative", x, {"n_clusters": 3, "n_neighbors": None}, 0)
    sparse, _ = run_algorithm("agglomerative", x, {"n_clusters": 3, "n_neighbors": 10}, 0)
    assert agreement(full, sparse) == 1.0


def test_exact_knn_matches_brute_force():
    x, _ = blobs(n_per=40)
    x = np.vstack([x, x[:2]])  # duplicates: the point itself must still come first
    idx, dist = exact_knn(x, 5)
    d = np.sqrt(((x[:, None].astype(np.float64) - x[None]) ** 2).sum(-1))
    assert idx.shape == (122, 6) and (idx[:, 0] == np.arange(122)).all() and (dist[:, 0] == 0).all()
    expected = np.sort(d, axis=1)[:, 1:6]
    np.testing.assert_allclose(dist[:, 1:], expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(
        np.take_along_axis(d, idx[:, 1:], axis=1), expected, rtol=1e-4, atol=1e-4
    )


def test_merge_clusters_joins_the_halves_of_a_class_not_two_classes():
    """Three well-separated blobs, one of them split in two halves (4 clusters): the
    halves share a boundary, the blobs none, so merging to 3 rejoins the halves."""
    x, truth = blobs(n_per=200, seed=3, dim=2)
    over = truth.copy()
    first = np.flatnonzero(truth == 0)
    over[first[x[first, 0] > np.median(x[first, 0])]] = 3  # blob 0 cut down the middle
    merged = cluster.merge_clusters(x, over, 3, MERGE_NEIGHBORS)
    assert merged.dtype == np.int64 and set(merged.tolist()) == {0, 1, 2}
    assert agreement(merged, truth) == 1.0
    np.testing.assert_array_equal(merged, cluster.merge_clusters(x, over, 3, MERGE_NEIGHBORS))
    # nothing to merge
    np.testing.assert_array_equal(cluster.merge_clusters(x, over, 4, MERGE_NEIGHBORS), over)
    with pytest.raises(ValueError, match="cannot merge 4 clusters into 5"):
        cluster.merge_clusters(x, over, 5, MERGE_NEIGHBORS)


def test_umap_gmm_over_clusters_then_merges():
    x, truth = blobs(n_per=150, seed=4)
    params = SHIPPED["umap_gmm"] | {"gmm_n_init": 1, "over_clusters": 6, "merge_neighbors": 10}
    labels, used = run_algorithm("umap_gmm", x, params, seed=0)
    assert len(set(labels.tolist())) == 3 and agreement(labels, truth) > 0.98
    assert used["over_clusters"] == 6
    with pytest.raises(ValueError, match=r"over_clusters \(2\) must be at least n_clusters \(3\)"):
        run_algorithm("umap_gmm", x, params | {"over_clusters": 2}, seed=0)


def test_umap_gmm_fits_a_sample_and_places_the_rest():
    """Above fit_sample points: the sample is clustered exactly as on its own, every other
    point gets its component's cluster, and exactness says what was sampled."""
    x, truth = blobs(n_per=700, seed=5)
    params = SHIPPED["umap_gmm"] | {"gmm_n_init": 1, "over_clusters": 6, "merge_neighbors": 10}
    labels, used = run_algorithm("umap_gmm", x, params | {"fit_sample": 1000}, seed=2)
    sample = cluster.fit_sample(len(x), 1000, seed=2)
    alone, _ = run_algorithm("umap_gmm", x[sample], params | {"fit_sample": None}, seed=2)
    np.testing.assert_array_equal(labels[sample], alone)
    assert len(set(labels.tolist())) == 3 and agreement(labels, truth) > 0.98
    note = used["exactness"]["umap_gmm_fit"]
    assert note.startswith("estimated:") and "sample of 1000 of 2100 points" in note
    again, _ = run_algorithm("umap_gmm", x, params | {"fit_sample": 1000}, seed=2)
    np.testing.assert_array_equal(labels, again)


def test_umap_gmm_below_fit_sample_fits_every_point():
    x, _ = blobs(seed=6)
    params = SHIPPED["umap_gmm"]
    a, used = run_algorithm("umap_gmm", x, params | {"fit_sample": len(x)}, seed=0)
    b, _ = run_algorithm("umap_gmm", x, params | {"fit_sample": None}, seed=0)
    np.testing.assert_array_equal(a, b)
    assert "exactness" not in used and cluster.fit_sample(len(x), len(x), 0) is None


def test_every_algorithm_has_a_title_in_its_registry_entry():
    from deepclust.cluster import TITLES
    from deepclust.names import consensus_of, self_trained, title

    assert set(TITLES) == set(REGISTRY) and all(TITLES.values())
    assert title("dbscan", TITLES) == "DBSCAN"
    assert title(self_trained("umap_gmm"), TITLES) == "UMAP + GMM (N2D) + self-training"
    assert (
        title(consensus_of(self_trained("kmeans")), TITLES)
        == "K-Means + self-training, consensus of seeds"
    )
