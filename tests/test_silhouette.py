import numba
import numpy as np
import pytest
from sklearn.metrics import silhouette_score

from deepclust.silhouette import silhouette_exact


def blobs(n, dim, k, seed, dtype=np.float32):
    """Overlapping gaussian blobs; labels are the blob ids."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=3.0, size=(k, dim))
    labels = np.concatenate([np.arange(k), rng.integers(0, k, n - k)])  # every blob used
    x = centres[labels] + rng.normal(size=(n, dim))
    return x.astype(dtype), labels


def test_hand_computed_line():
    # 0, 1 | 4, 5: a = 1 for all; b = 4.5 for the outer points, 3.5 for the inner ones
    x = np.array([[0.0], [1.0], [4.0], [5.0]])
    expected = ((4.5 - 1) / 4.5 + (3.5 - 1) / 3.5) / 2
    assert silhouette_exact(x, np.array([0, 0, 1, 1])) == pytest.approx(expected, abs=1e-7)


def test_hand_computed_singleton_scores_zero():
    # 0, 2 | 10: s = (10 - 2) / 10 and (8 - 2) / 8; the singleton counts as 0
    x = np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 0.0]], dtype=np.float32)
    expected = (0.8 + 0.75 + 0.0) / 3
    assert silhouette_exact(x, np.array([5, 5, 9])) == pytest.approx(expected, abs=1e-7)


@pytest.mark.parametrize(
    "n, dim, k, seed",
    [(12, 2, 3, 0), (257, 5, 4, 1), (600, 64, 10, 2), (300, 3, 120, 3), (3000, 16, 2, 4)],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matches_sklearn(n, dim, k, seed, dtype):
    x, labels = blobs(n, dim, k, seed, dtype)
    labels = np.array([3, 7, -2, 11, 40, -9, 5, 0, 8, 6, 1, 2])[labels % 12] * 10 + labels // 12
    labels[0] = 1000  # a singleton cluster
    assert silhouette_exact(x, labels) == pytest.approx(silhouette_score(x, labels), abs=1e-6)


def test_float64_far_from_origin_matches_sklearn():
    x, labels = blobs(400, 8, 5, seed=5, dtype=np.float64)
    x += 1e4
    assert silhouette_exact(x, labels) == pytest.approx(silhouette_score(x, labels), abs=1e-6)


def test_duplicate_points_and_identical_clusters():
    x = np.repeat(np.random.default_rng(6).normal(size=(5, 3)), 4, axis=0).astype(np.float32)
    labels = np.repeat([0, 1, 1, 2, 2], 4)
    assert silhouette_exact(x, labels) == pytest.approx(silhouette_score(x, labels), abs=1e-6)
    assert silhouette_exact(np.zeros((6, 2)), np.array([0, 0, 1, 1, 2, 2])) == 0.0


def test_thread_counts_agree_and_setting_is_restored():
    x, labels = blobs(3000, 16, 3, seed=7)  # large enough for the parallel path
    before = numba.get_num_threads()
    one = silhouette_exact(x, labels, n_threads=1)
    assert numba.get_num_threads() == before
    many = silhouette_exact(x, labels, n_threads=numba.config.NUMBA_NUM_THREADS)
    assert many == pytest.approx(one, abs=1e-12)


X4, PAIRS = np.zeros((4, 2)), np.array([0, 0, 1, 1])
LINE = np.array([[0.0], [1.0], [2.0]])


@pytest.mark.parametrize(
    "x, labels, n_threads, match",
    [
        (np.zeros(5), np.arange(5) % 2, None, "X must be a non-empty 2-D array"),
        (np.zeros((0, 3)), np.zeros(0, dtype=int), None, "X must be a non-empty 2-D array"),
        (LINE * [[1], [np.nan], [1]], np.array([0, 1, 1]), None, "X must contain only finite"),
        (LINE * [[1], [np.inf], [1]], np.array([0, 1, 1]), None, "X must contain only finite"),
        (X4, np.array([0, 1, 1]), None, r"labels must be 1-D with one entry per row of X \(4\)"),
        (X4, np.zeros((4, 1), dtype=int), None, "labels must be 1-D"),
        (X4, np.zeros(4, dtype=int), None, "labels has 1 distinct values; valid values are 2"),
        (X4, np.arange(4), None, "labels has 4 distinct values; valid values are 2 to n_samples - 1"),
        (X4, PAIRS, 0, r"n_threads must be an integer in \[1, "),
        (X4, PAIRS, 1.5, "n_threads must be an integer"),
    ],
)
def test_validation_errors(x, labels, n_threads, match):
    with pytest.raises(ValueError, match=match):
        silhouette_exact(x, labels, n_threads=n_threads)
