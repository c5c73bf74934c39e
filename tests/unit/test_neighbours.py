"""Scale: the sampled k-distance curve and the kNN-graph DBSCAN against their exact forms."""

import numpy as np
import pytest
from sklearn.cluster import DBSCAN
from sklearn.metrics import adjusted_rand_score

from config_defaults import algorithm_defaults
from deepclust.cluster import run_algorithm
from deepclust.knee import auto_eps, k_distances, sample_indices, sample_size_for
from deepclust.labels import NOISE
from deepclust.neighbours import dbscan_knn, knn_graph

# DBSCAN's scale settings at their schema defaults
SCALE = {
    key: algorithm_defaults("dbscan")[key]
    for key in ("exact_max", "kdistance_sample", "knn_neighbors")
}


def blobs(n_per=300, seed=0, dim=8, n_noise=40):
    """Three well-separated gaussian blobs and uniform noise around them, float32."""
    rng = np.random.default_rng(seed)
    centres = 12 * np.eye(3, dim)
    x = [c + rng.normal(size=(n_per, dim)) for c in centres]
    x.append(rng.uniform(-15, 27, size=(n_noise, dim)))
    return np.concatenate(x).astype(np.float32)


def brute_knn(x, k):
    """Exact ``(indices, distances)`` of the k nearest other rows, ascending."""
    d = np.sqrt(((x[:, None].astype(np.float64) - x[None]) ** 2).sum(-1))
    np.fill_diagonal(d, np.inf)
    order = np.argsort(d, axis=1, kind="stable")[:, :k]
    return order, np.take_along_axis(d, order, axis=1)


def test_sampled_k_distances_follow_the_exact_curve():
    x = blobs(n_per=1000, n_noise=100)
    exact = k_distances(x, 4)
    sample = k_distances(x, 4, sample_size=600, random_state=3)
    assert sample.shape == (600,) and np.all(np.diff(sample) >= 0)
    # Every sampled value is one of the exact curve's values (exact among all points) ...
    assert np.isin(sample, exact).all()
    # ... and its quantiles track the exact curve's: each sampled value's rank in the sample
    # and in the exact curve agree within the Kolmogorov-Smirnov bound (1.63 / sqrt(600)).
    rank_exact = np.searchsorted(exact, sample, side="right") / len(exact)
    rank_sample = np.arange(1, 601) / 600
    assert np.max(np.abs(rank_exact - rank_sample)) < 1.63 / np.sqrt(600)
    q = np.linspace(0.02, 0.9, 23)
    np.testing.assert_allclose(np.quantile(sample, q), np.quantile(exact, q), rtol=0.03)
    np.testing.assert_array_equal(sample, k_distances(x, 4, sample_size=600, random_state=3))
    assert not np.array_equal(sample, k_distances(x, 4, sample_size=600, random_state=4))
    # A sample of all N points (or more) is the exact curve, bit for bit.
    np.testing.assert_array_equal(k_distances(x, 4, sample_size=len(x)), exact)
    np.testing.assert_array_equal(k_distances(x, 4, sample_size=10 * len(x)), exact)


def test_sampled_knee_estimates_the_exact_knee():
    x = blobs(n_per=1000, n_noise=100)
    eps, curve, index = auto_eps(x, 5)
    eps_s, curve_s, index_s = auto_eps(x, 5, sample_size=800, random_state=0)
    assert len(curve) == len(x) and len(curve_s) == 800
    assert abs(index_s / 799 - index / (len(x) - 1)) < 0.03
    assert abs(eps_s - eps) < 0.15 * eps


def test_sample_size_for_the_threshold():
    assert sample_size_for(60000, 100000, 20000) is None
    assert sample_size_for(100000, 100000, 20000) is None
    assert sample_size_for(100001, 100000, 20000) == 20000
    assert sample_size_for(10**7, None, 20000) is None
    assert sample_size_for(300, 100, 300) is None  # the sample would be every point
    with pytest.raises(ValueError, match="exact_max must be a positive integer or None"):
        sample_size_for(10, 0, 5)
    with pytest.raises(ValueError, match="kdistance_sample must be an integer of at least 2"):
        sample_size_for(10, 5, 1.5)
    idx = sample_indices(1000, 100, 7)
    assert len(np.unique(idx)) == 100 and np.all(np.diff(idx) > 0)
    np.testing.assert_array_equal(idx, sample_indices(1000, 100, 7))


def test_dbscan_on_the_full_exact_graph_is_exact_dbscan():
    """With every neighbour in the graph (k = N - 1) only the border rule may differ, and
    on well-separated blobs there is no ambiguity: the labels equal scikit-learn's."""
    x = blobs(n_per=60, n_noise=15)
    indices, distances = brute_knn(x, len(x) - 1)
    for eps, min_samples in [(2.5, 5), (3.5, 10), (1.0, 1)]:
        expected = DBSCAN(eps=eps, min_samples=min_samples).fit_predict(x)
        labels, info = dbscan_knn(indices, distances, eps, min_samples)
        assert labels.dtype == np.int64
        np.testing.assert_array_equal(labels, expected)
        core = np.zeros(len(x), bool)
        core[DBSCAN(eps=eps, min_samples=min_samples).fit(x).core_sample_indices_] = True
        assert info["n_core"] == core.sum()
        np.testing.assert_array_equal(info["core"], core)


def test_dbscan_knn_by_hand():
    # A chain 0-1-2 (spacing 1) and a far point 3; eps 1.5, min_samples 2 (one other).
    x = np.array([[0.0], [1.0], [2.0], [10.0]])
    indices, distances = brute_knn(x, 2)
    labels, info = dbscan_knn(indices, distances, 1.5, 2)
    np.testing.assert_array_equal(labels, [0, 0, 0, NOISE])
    np.testing.assert_array_equal(info.pop("core"), [True, True, True, False])
    assert info == {"n_core": 3, "n_saturated": 1}  # point 1 has both graph neighbours within eps
    # min_samples 3 (two others): only 1 is core; 0 and 2 are its border points.
    labels, _ = dbscan_knn(indices, distances, 1.5, 3)
    np.testing.assert_array_equal(labels, [0, 0, 0, NOISE])
    with pytest.raises(
        ValueError, match=r"knn_neighbors \(2\) must be at least min_samples - 1 \(3\)"
    ):
        dbscan_knn(indices, distances, 1.5, 4)
    with pytest.raises(ValueError, match="eps must be positive"):
        dbscan_knn(indices, distances, 0.0, 2)


def test_knn_graph_finds_the_nearest_neighbours_and_drops_self():
    x = blobs(n_per=300)
    x = np.vstack([x, x[:3]])  # exact duplicates stay as neighbours, the point itself goes
    indices, distances = knn_graph(x, 10, random_state=0)
    assert indices.shape == distances.shape == (len(x), 10)
    assert indices.dtype == np.int64 and distances.dtype == np.float64
    assert not (indices == np.arange(len(x))[:, None]).any()
    assert np.all(np.diff(distances, axis=1) >= 0)
    assert distances[0, 0] == 0 and indices[0, 0] == len(x) - 3
    _, exact = brute_knn(x, 10)
    # Approximate: never nearer than the true j-th neighbour, and nearly always it.
    assert np.all(distances >= exact - 1e-4)
    found = np.isclose(distances, exact, rtol=1e-4, atol=1e-4)
    assert found.mean() > 0.97 and found[:, :4].mean() > 0.99
    again = knn_graph(x, 10, random_state=0)
    np.testing.assert_array_equal(indices, again[0])
    with pytest.raises(
        ValueError,
        match=r"knn_neighbors must be an integer between 1 and 942 \(rows - 1\), got 943",
    ):
        knn_graph(x, len(x), 0)


def test_row_chunks_change_nothing_in_the_graph_nor_in_dbscan():
    # Memory is bounded by working in row chunks; chunks that split the duplicates' rows
    # (a row of k + 1 duplicates has no "self" slot) and the clusters give the same arrays.
    x = np.vstack([blobs(n_per=200, n_noise=30), np.zeros((12, 8), np.float32)])
    indices, distances = knn_graph(x, 8, random_state=0)
    small = knn_graph(x, 8, random_state=0, chunk_rows=37)
    np.testing.assert_array_equal(indices, small[0])
    np.testing.assert_array_equal(distances, small[1])
    whole = dbscan_knn(indices, distances, 2.5, 5)
    for chunk_rows in (1, 53):
        labels, info = dbscan_knn(indices, distances, 2.5, 5, chunk_rows=chunk_rows)
        np.testing.assert_array_equal(labels, whole[0])
        np.testing.assert_array_equal(info.pop("core"), whole[1]["core"])
        assert info == {k: v for k, v in whole[1].items() if k != "core"}
    assert len(np.unique(whole[0][whole[0] >= 0])) >= 3


def test_approximate_dbscan_matches_exact_dbscan_on_blobs():
    x = blobs(n_per=500, n_noise=60)
    params = {"eps": 2.5, "min_samples": 5, **SCALE, "exact_max": 100, "knn_neighbors": 15}
    labels, used = run_algorithm("dbscan", x, params, seed=0)
    expected = DBSCAN(eps=2.5, min_samples=5).fit_predict(x)
    assert adjusted_rand_score(expected, labels) > 0.99
    np.testing.assert_array_equal(labels == NOISE, expected == NOISE)
    assert len(set(labels.tolist()) - {NOISE}) == len(set(expected.tolist()) - {NOISE}) == 3
    exactness = used["exactness"]
    assert exactness["dbscan_neighbours"].startswith(
        "approximate: 1560 > exact_max 100; DBSCAN on a 15-nearest"
    )
    assert "eps" not in exactness
    assert used["knn_core_points"] == len(
        DBSCAN(eps=2.5, min_samples=5).fit(x).core_sample_indices_
    )
    np.testing.assert_array_equal(labels, run_algorithm("dbscan", x, params, seed=0)[0])


def test_approximate_dbscan_with_eps_auto_says_the_curve_was_sampled():
    x = blobs(n_per=500, n_noise=60)
    params = {
        "eps": "auto",
        "min_samples": 5,
        "exact_max": 1000,
        "kdistance_sample": 400,
        "knn_neighbors": 10,
    }
    labels, used = run_algorithm("dbscan", x, params, seed=1)
    assert used["eps_auto"] and used["eps_sample_size"] == 400 and 0 <= used["eps_knee_index"] < 400
    assert used["exactness"]["eps"].startswith(
        "estimated: knee of the k-distance curve of a seeded sample of 400 of 1560"
    )
    assert used["exactness"]["dbscan_neighbours"].startswith("approximate")
    exact_eps, _, _ = auto_eps(x, 5)
    assert abs(used["eps"] - exact_eps) < 0.15 * exact_eps
    expected = DBSCAN(eps=used["eps"], min_samples=5).fit_predict(x)
    assert adjusted_rand_score(expected, labels) > 0.99


def test_exact_path_below_the_threshold_is_scikit_learns_dbscan():
    x = blobs(n_per=200, n_noise=30)
    for exact_max in (len(x), None):
        params = {
            "eps": "auto",
            "min_samples": 5,
            **SCALE,
            "exact_max": exact_max,
            "kdistance_sample": 50,
        }
        labels, used = run_algorithm("dbscan", x, params, seed=0)
        eps, curve, index = auto_eps(x, 5)
        assert (
            used["eps"] == eps and used["eps_knee_index"] == index and "eps_sample_size" not in used
        )
        np.testing.assert_array_equal(labels, DBSCAN(eps=eps, min_samples=5).fit_predict(x))
        assert used["exactness"]["dbscan_neighbours"].startswith("exact (scikit-learn DBSCAN")
        assert (
            used["exactness"]["eps"]
            == f"exact: knee of the k-distance curve of all {len(x)} points"
        )


def test_bad_scale_settings_are_named():
    x = blobs(n_per=100)
    base = {"eps": 2.5, "min_samples": 5, **SCALE, "exact_max": 50}
    with pytest.raises(
        ValueError,
        match=r"knn_neighbors must be an integer of at least min_samples - 1 \(4\), got 3",
    ):
        run_algorithm("dbscan", x, base | {"knn_neighbors": 3}, 0)
    with pytest.raises(ValueError, match="exact_max must be a positive integer or None, got -1"):
        run_algorithm("dbscan", x, base | {"exact_max": -1}, 0)
    with pytest.raises(
        ValueError, match="kdistance_sample must be an integer of at least 2, got 1"
    ):
        run_algorithm("dbscan", x, base | {"kdistance_sample": 1}, 0)
