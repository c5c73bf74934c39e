import numba
import numpy as np
import pytest
from sklearn.metrics import silhouette_samples, silhouette_score

from deepclust.silhouette import silhouette_estimate, silhouette_exact


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
        (
            X4,
            np.arange(4),
            None,
            "labels has 4 distinct values; valid values are 2 to n_samples - 1",
        ),
        (X4, PAIRS, 0, r"n_threads must be an integer in \[1, "),
        (X4, PAIRS, 1.5, "n_threads must be an integer"),
    ],
)
def test_validation_errors(x, labels, n_threads, match):
    with pytest.raises(ValueError, match=match):
        silhouette_exact(x, labels, n_threads=n_threads)


# silhouette_estimate: a seeded sample of points, each scored against all points


def drawn(n, sample_size, seed):
    """The points silhouette_estimate scores (its documented draw)."""
    return np.random.default_rng(seed).choice(n, size=sample_size, replace=False)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_estimate_of_every_point_is_the_exact_value(dtype):
    x, labels = blobs(3000, 16, 6, seed=8, dtype=dtype)
    labels[0] = 99  # a singleton
    est = silhouette_estimate(x, labels, sample_size=3000, seed=0)
    assert est.value == pytest.approx(silhouette_exact(x, labels), abs=1e-6)
    assert est.ci_low == est.ci_high == est.value and est.std_error == 0  # nothing left to sample
    assert (est.sample_size, est.n) == (3000, 3000)


def test_each_sampled_point_is_scored_against_all_points():
    # the mean of sklearn's per-point silhouettes over the drawn points, not the silhouette
    # of the subsample (which differs: its a(i) and b(i) see only the subsample)
    x, labels = blobs(2000, 8, 5, seed=9)
    labels[:2] = [70, 71]  # singletons score 0
    chosen = drawn(2000, 300, seed=4)
    est = silhouette_estimate(x, labels, sample_size=300, seed=4)
    assert est.value == pytest.approx(silhouette_samples(x, labels)[chosen].mean(), abs=1e-6)
    assert abs(est.value - silhouette_score(x[chosen], labels[chosen])) > 1e-3


def test_hand_computed_singleton_in_the_sample_scores_zero():
    x = np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 0.0]], dtype=np.float32)
    s = {0: 0.8, 1: 0.75, 2: 0.0}  # point 2 is a singleton
    for seed in range(4):
        chosen = drawn(3, 2, seed)
        est = silhouette_estimate(x, np.array([5, 5, 9]), sample_size=2, seed=seed)
        assert est.value == pytest.approx(np.mean([s[i] for i in chosen]), abs=1e-7)


@pytest.mark.parametrize(
    "n, dim, k, seed", [(3000, 8, 4, 10), (4000, 32, 10, 11), (5000, 64, 7, 12)]
)
def test_interval_covers_the_exact_value(n, dim, k, seed):
    x, labels = blobs(n, dim, k, seed)
    exact = silhouette_exact(x, labels)
    est = silhouette_estimate(x, labels, sample_size=500, seed=seed)
    assert est.ci_low <= exact <= est.ci_high
    assert 0 < est.ci_high - est.ci_low < 0.1


def test_interval_is_calibrated_over_seeds():
    """Over 100 seeds the 95% interval covers the exact value about 95 times (P(<= 87) ~ 1e-3
    for a true 95%), and the reported standard error matches the spread of the estimates."""
    x, labels = blobs(3000, 8, 4, seed=13)
    x += np.random.default_rng(13).normal(scale=2.0, size=x.shape).astype(np.float32)  # overlap
    exact = silhouette_exact(x, labels)
    runs = [silhouette_estimate(x, labels, sample_size=300, seed=s) for s in range(100)]
    covered = sum(r.ci_low <= exact <= r.ci_high for r in runs)
    assert covered >= 88
    spread = np.std([r.value for r in runs], ddof=1)
    assert 0.75 < np.mean([r.std_error for r in runs]) / spread < 1.33
    assert abs(np.mean([r.value for r in runs]) - exact) < 3 * spread / np.sqrt(
        len(runs)
    )  # unbiased


def test_block_rows_and_threads_do_not_change_the_value():
    x, labels = blobs(1000, 5, 4, seed=14)
    values = {
        silhouette_estimate(x, labels, 200, seed=1, block_rows=b, n_threads=t).value
        for b in (1, 7, 64, 1000, 5000, None)
        for t in (1, numba.config.NUMBA_NUM_THREADS)
    }
    assert max(values) - min(values) < 1e-12


def test_memory_stays_linear_in_the_number_of_points():
    """A sorted float32 copy of X and (sample, clusters) sums: no (sample, N) distances."""
    import tracemalloc

    x, labels = blobs(40000, 4, 5, seed=15)
    silhouette_estimate(x[:100], labels[:100], 10, seed=0)  # compile outside the measurement
    tracemalloc.start()
    silhouette_estimate(x, labels, 2000, seed=0, block_rows=512)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # 40,000 x 4 float32 = 0.64 MB per copy, a few int64 index arrays of N; the
    # distances of the sample to all points would be 640 MB in float64
    assert peak < 4e6


@pytest.mark.parametrize(
    "sample_size, seed, block_rows, match",
    [
        (1, 0, None, r"sample_size must be an integer in \[2, n_samples\] = \[2, 4\], got 1"),
        (5, 0, None, r"sample_size must be an integer in \[2, n_samples\] = \[2, 4\], got 5"),
        (2.5, 0, None, "sample_size must be an integer"),
        (None, 0, None, "sample_size must be an integer"),
        (2, -1, None, "seed must be a non-negative integer, got -1"),
        (2, None, None, "seed must be a non-negative integer"),
        (2, 0, 0, "block_rows must be a positive integer, got 0"),
    ],
)
def test_estimate_validation_errors(sample_size, seed, block_rows, match):
    with pytest.raises(ValueError, match=match):
        silhouette_estimate(
            X4 + np.arange(4)[:, None], PAIRS, sample_size, seed, block_rows=block_rows
        )


def test_estimate_shares_the_exact_input_checks():
    with pytest.raises(ValueError, match="labels has 1 distinct values"):
        silhouette_estimate(X4, np.zeros(4, dtype=int), 2, 0)
    with pytest.raises(ValueError, match="X must contain only finite"):
        silhouette_estimate(LINE * [[1], [np.nan], [1]], np.array([0, 1, 1]), 2, 0)
    with pytest.raises(ValueError, match="n_threads must be an integer"):
        silhouette_estimate(X4, PAIRS, 2, 0, n_threads=0)


def test_many_clusters_go_in_chunks_of_sampled_rows_with_the_same_estimate(monkeypatch):
    # DBSCAN on millions of points finds about a million clusters: (sample x clusters) sums
    # are taken a few rows at a time; each row's a(i) and b(i) do not depend on its chunk.
    import deepclust.silhouette as silhouette

    rng = np.random.default_rng(5)
    x = rng.normal(size=(2000, 8)).astype(np.float32)
    labels = rng.integers(0, 300, 2000)
    whole = silhouette.silhouette_estimate(x, labels, 400, 1, n_threads=2)
    monkeypatch.setattr(silhouette, "_SUMS_BYTES", 8 * 300 * 24)  # 24 rows a chunk
    assert silhouette.silhouette_estimate(x, labels, 400, 1, n_threads=2) == whole
    monkeypatch.setattr(silhouette, "_SUMS_BYTES", 1)  # one block of 8 rows a chunk
    assert silhouette.silhouette_estimate(x, labels, 400, 1, n_threads=2) == whole
