"""Fitted models placing new points (deepclust.cluster._predict): a model fitted on blobs
puts held-out points of the same blobs in the clusters of their blob, far points are
flagged (DBSCAN/HDBSCAN: noise), and a model survives pickling as rule cluster saves it."""

import pickle

import numpy as np
import pytest

from config_defaults import BLOB_SETTINGS, algorithm_defaults
from deepclust.cluster import fit_algorithm
from deepclust.cluster._predict import CorePoints, NearestCentre
from deepclust.labels import NOISE

SETTINGS = {**BLOB_SETTINGS, "umap_gmm_over": {**BLOB_SETTINGS["umap_gmm"], "over_clusters": 6}}


def blobs(n_per, seed, dim=5):
    rng = np.random.default_rng(seed)
    centers = 10 * np.eye(3, dim)
    x = np.concatenate([c + rng.normal(size=(n_per, dim)) for c in centers]).astype(np.float32)
    return x, np.repeat(np.arange(3), n_per)


def fitted(name):
    algorithm = name.removesuffix("_over")
    params = algorithm_defaults(algorithm) | SETTINGS[name]
    x, truth = blobs(100, seed=0)
    labels, _, model = fit_algorithm(algorithm, x, params, seed=0)
    return labels, truth, model


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_held_out_points_join_their_blobs_cluster(name):
    labels, truth, model = fitted(name)
    blob_cluster = [
        np.bincount(labels[truth == b][labels[truth == b] >= 0]).argmax() for b in range(3)
    ]
    assert len(set(blob_cluster)) == 3
    new, new_truth = blobs(30, seed=7)
    placed, far = pickle.loads(pickle.dumps(model)).predict(new)
    assert placed.dtype == np.int64 and far.shape == (len(new),)
    expected = np.array(blob_cluster)[new_truth]
    assert np.mean(placed == expected) >= 0.95
    assert far.mean() <= 0.1


@pytest.mark.parametrize("name", ["kmeans", "gmm", "agglomerative", "dbscan", "hdbscan"])
def test_points_far_from_every_blob_are_far(name):
    _, _, model = fitted(name)
    far_points = np.full((5, 5), 100.0, dtype=np.float32) + np.arange(5)[:, None]
    placed, far = model.predict(far_points)
    assert far.all()
    if name in ("dbscan", "hdbscan"):
        assert (placed == NOISE).all()


def test_training_points_get_their_own_labels_back():
    labels, _, model = fitted("kmeans")
    x, _ = blobs(100, seed=0)
    placed, far = model.predict(x)
    np.testing.assert_array_equal(placed, labels)
    assert far.mean() <= 0.02  # beyond each centre's 99th percentile


def test_core_points_by_hand():
    model = CorePoints(np.array([[0.0], [1.0], [10.0]]), np.array([0, 0, 1]), [0.5, 0.5, 2.0])
    placed, far = model.predict(np.array([[1.4], [8.5], [5.0], [0.2]]))
    np.testing.assert_array_equal(placed, [0, 1, NOISE, 0])
    np.testing.assert_array_equal(far, [False, False, True, False])


def test_nearest_centre_limits_per_centre():
    x = np.array([[0.0], [1.0], [10.0], [10.1]])
    model = NearestCentre(np.array([[0.5], [10.05]]), [4, 7], x)
    placed, far = model.predict(np.array([[0.6], [2.0], [10.03], [11.0]]))
    np.testing.assert_array_equal(placed, [4, 4, 7, 7])
    np.testing.assert_array_equal(far, [False, True, False, True])


def test_umap_gmm_with_exact_neighbours_places_new_points():
    """knn: exact above 4,096 points gives UMAP no search index; the model still places."""
    params = algorithm_defaults("umap_gmm") | SETTINGS["umap_gmm"] | {"knn": "exact"}
    x, truth = blobs(1400, seed=0)
    labels, _, model = fit_algorithm("umap_gmm", x, params | {"n_epochs": 20}, seed=0)
    new, new_truth = blobs(20, seed=7)
    placed, _ = pickle.loads(pickle.dumps(model)).predict(new)
    blob_cluster = [np.bincount(labels[truth == b]).argmax() for b in range(3)]
    assert np.mean(placed == np.array(blob_cluster)[new_truth]) >= 0.95
