import numpy as np
import pytest

from deepclust.knee import auto_eps, k_distances, knee_index


def test_k_distances_match_brute_force():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 5))
    d = np.sqrt(((x[:, None] - x[None]) ** 2).sum(-1))
    np.fill_diagonal(d, np.inf)
    for k in (1, 4):
        expected = np.sort(np.sort(d, axis=1)[:, k - 1])
        got = k_distances(x, k)
        assert got.dtype == np.float64 and got.shape == (200,)
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9)
        assert np.all(np.diff(got) >= 0)


def test_knee_of_a_piecewise_linear_curve():
    # flat-ish for 80 points, then steep: the bend is at index 79
    y = np.concatenate([np.linspace(0.0, 1.0, 80), np.linspace(1.0 + 10 / 20, 11.0, 20)])
    assert knee_index(y) == 79


def test_knee_of_a_convex_curve_is_where_the_chord_is_farthest():
    t = np.linspace(0, 1, 1001)
    y = t**4  # normalised gap t - t^4 is largest at t = 4^(-1/3)
    assert knee_index(y) == int(round(1000 * 4 ** (-1 / 3)))


def test_knee_edge_cases():
    assert knee_index(np.array([1.0])) == 0
    assert knee_index(np.ones(10)) == 9
    assert knee_index(np.linspace(0, 1, 10)) == 9  # straight line: no knee
    with pytest.raises(ValueError, match="ascending"):
        knee_index(np.array([3.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match="k must be between 1 and 9"):
        k_distances(np.zeros((10, 2)), 10)


def test_auto_eps_separates_blob_spacing_from_outlier_spacing():
    rng = np.random.default_rng(1)
    blobs = np.concatenate([c + 0.1 * rng.normal(size=(300, 2)) for c in ([0, 0], [5, 0], [0, 5])])
    outliers = rng.uniform(-20, 25, size=(30, 2))
    x = np.vstack([blobs, outliers])
    eps, curve, index = auto_eps(x, min_samples=5)
    assert curve.shape == (930,) and eps == curve[index]
    # eps lies above the typical within-blob 4-NN distance and well below the blob gap
    within = np.median(k_distances(blobs, 4))
    assert within < eps < 2.0
    assert index >= 850  # the knee is where the outliers start
