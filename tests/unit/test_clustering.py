import numpy as np
import pytest

from config_defaults import algorithm_defaults
from deepclust.cluster import REGISTRY, check_embeddings, run_algorithm
from deepclust.labels import NOISE


def blobs(n_per=40, seed=0):
    rng = np.random.default_rng(seed)
    centers = np.array([[0, 0], [10, 0], [0, 10]], dtype=np.float32)
    x = np.concatenate([c + rng.normal(size=(n_per, 2)).astype(np.float32) for c in centers])
    return x, np.repeat(np.arange(3), n_per)


def same_partition(a, b):
    pairs = set(zip(a.tolist(), b.tolist()))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def test_registry_has_the_seed_algorithms():
    assert {"kmeans", "dbscan"} <= set(REGISTRY)


def test_kmeans_recovers_blobs_and_is_seeded():
    x, truth = blobs()
    labels, used = run_algorithm("kmeans", x, {"n_clusters": 3, "n_init": 4}, seed=0)
    assert labels.dtype == np.int64 and same_partition(labels, truth)
    assert used == {"n_clusters": 3, "n_init": 4}
    np.testing.assert_array_equal(
        labels, run_algorithm("kmeans", x, {"n_clusters": 3, "n_init": 4}, seed=0)[0]
    )


def test_dbscan_finds_blobs_and_noise():
    x, truth = blobs()
    x = np.vstack([x, [[100.0, 100.0]]])
    params = algorithm_defaults("dbscan") | {"eps": 2.0, "min_samples": 5}
    labels, used = run_algorithm("dbscan", x, params, seed=0)
    exactness = used.pop("exactness")
    assert used == params and set(exactness) == {"dbscan_neighbours"}
    assert exactness["dbscan_neighbours"].startswith("exact (scikit-learn DBSCAN")
    assert labels[-1] == NOISE
    assert same_partition(labels[:-1][labels[:-1] != NOISE], truth[labels[:-1] != NOISE])
    assert len(set(labels[:-1]) - {NOISE}) == 3


def test_errors_name_the_problem():
    x, _ = blobs()
    with pytest.raises(ValueError, match="unknown algorithm 'spectral'; known: "):
        run_algorithm("spectral", x, {}, 0)
    with pytest.raises(
        ValueError, match=r"n_clusters must be between 2 and the number of samples \(120\), got 500"
    ):
        run_algorithm("kmeans", x, {"n_clusters": 500, "n_init": 1}, 0)
    bad = x.copy()
    bad[5, 1] = np.nan
    with pytest.raises(ValueError, match="NaN or inf in 1 of 120 rows \\(first: row 5\\)"):
        run_algorithm("kmeans", bad, {"n_clusters": 3, "n_init": 1}, 0)
    with pytest.raises(ValueError, match="non-empty 2-D"):
        check_embeddings(np.zeros(5))
