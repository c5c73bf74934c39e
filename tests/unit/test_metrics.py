import numpy as np
import pytest
from sklearn.metrics import silhouette_samples, silhouette_score

from deepclust.metrics import cluster_accuracy, confusion_after_matching, evaluate, match_clusters

EXACT = {"silhouette_exact_max": None, "silhouette_sample_size": 10000, "seed": 0}


def test_permuted_labelling_is_perfect():
    true = np.array([0, 0, 1, 1, 2, 2])
    pred = np.array([5, 5, 3, 3, 9, 9])
    assert cluster_accuracy(true, pred) == 1.0
    assert match_clusters(true, pred) == {5: 0, 3: 1, 9: 2}


def test_accuracy_hand_checked():
    # best matching: cluster 0 -> class 0 (2 right), cluster 1 -> class 1 (2 right) => 4/6
    true = np.array([0, 0, 0, 1, 1, 1])
    pred = np.array([0, 0, 1, 1, 1, 0])
    assert cluster_accuracy(true, pred) == pytest.approx(4 / 6)


def test_noise_counts_as_wrong_and_extra_clusters_unmatched():
    true = np.array([0, 0, 1, 1])
    assert cluster_accuracy(true, np.array([0, -1, 1, 1])) == 0.75
    # three clusters for two classes: one cluster stays unmatched
    assert cluster_accuracy(true, np.array([0, 2, 1, 1])) == 0.75


def test_evaluate_matches_sklearn_and_reports_noise():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(size=(30, 3)), rng.normal(size=(30, 3)) + 6]).astype(np.float32)
    true = np.repeat([0, 1], 30)
    pred = true.copy()
    pred[:3] = -1
    m = evaluate(x, pred, true, **EXACT)
    keep = pred != -1
    assert m["silhouette"] == pytest.approx(silhouette_score(x[keep], pred[keep]), abs=1e-6)
    assert m["n_clusters"] == 2 and m["noise_fraction"] == pytest.approx(0.05)
    assert m["accuracy"] == pytest.approx(57 / 60) and 0 < m["nmi"] < 1 and 0 < m["ari"] < 1
    assert (
        m["silhouette_method"] == "exact over 57 non-noise points" and m["silhouette_ci95"] is None
    )
    assert m["exactness"] == {"silhouette": "exact over 57 non-noise points"}


def test_silhouette_undefined_and_unlabelled():
    x = np.random.default_rng(0).normal(size=(10, 2))
    m = evaluate(x, np.zeros(10, dtype=int), np.full(10, -1), **EXACT)
    assert m["silhouette"] is None and "need at least 2" in m["silhouette_method"]
    assert m["silhouette_ci95"] is None and m["exactness"] == {}  # nothing computed
    assert m["accuracy"] is None and m["nmi"] is None and "no labels" in m["external_metrics"]
    m = evaluate(x, np.arange(10), np.arange(10), **EXACT)
    assert m["silhouette"] is None and "own cluster" in m["silhouette_method"]


def noisy_blobs():
    """400 points in two blobs plus 10 noise points (label -1) first."""
    rng = np.random.default_rng(1)
    x = np.concatenate(
        [rng.normal(size=(10, 4)) * 5, rng.normal(size=(200, 4)), rng.normal(size=(200, 4)) + 2]
    )
    pred = np.repeat([-1, 0, 1], [10, 200, 200])
    return x, pred


def test_silhouette_is_exact_up_to_the_threshold_of_non_noise_points():
    x, pred = noisy_blobs()
    keep = pred != -1
    exact = silhouette_score(x[keep], pred[keep])
    # 410 points, 400 of them not noise: the threshold counts those
    for exact_max, sample_size in [(400, 100), (None, 100), (2, 400), (10, 1000)]:
        m = evaluate(
            x,
            pred,
            pred,
            silhouette_exact_max=exact_max,
            silhouette_sample_size=sample_size,
            seed=0,
        )
        assert m["silhouette"] == pytest.approx(exact, abs=1e-6)
        assert (
            m["silhouette_method"] == "exact over 400 non-noise points"
            and m["silhouette_ci95"] is None
        )


def test_silhouette_is_estimated_above_the_threshold():
    x, pred = noisy_blobs()
    keep = pred != -1
    m = evaluate(x, pred, pred, silhouette_exact_max=399, silhouette_sample_size=100, seed=3)
    assert m == evaluate(
        x, pred, pred, silhouette_exact_max=399, silhouette_sample_size=100, seed=3
    )
    # drawn among the non-noise points, each scored against all 400 of them
    chosen = np.random.default_rng(3).choice(400, size=100, replace=False)
    assert m["silhouette"] == pytest.approx(
        silhouette_samples(x[keep], pred[keep])[chosen].mean(), abs=1e-6
    )
    low, high = m["silhouette_ci95"]
    assert low < m["silhouette"] < high and low <= silhouette_score(x[keep], pred[keep]) <= high
    assert m["silhouette_method"] == (
        f"estimated from 100 of 400 non-noise points, each against all 400; "
        f"95% CI [{low:.4f}, {high:.4f}]"
    )
    assert m["exactness"] == {"silhouette": m["silhouette_method"]}
    other = evaluate(x, pred, pred, silhouette_exact_max=399, silhouette_sample_size=100, seed=4)
    assert other["silhouette"] != m["silhouette"]  # the seed draws the sample


def test_confusion_puts_matches_on_the_diagonal():
    true = np.array([0, 0, 0, 1, 1, 2, 2, 2])
    pred = np.array([7, 7, 5, 4, 4, 9, 9, -1])
    counts, classes, columns = confusion_after_matching(true, pred)
    assert classes.tolist() == [0, 1, 2]
    assert columns == [(7, 0), (4, 1), (9, 2), (5, None), (-1, None)]
    assert counts.tolist() == [[2, 0, 0, 1, 0], [0, 2, 0, 0, 0], [0, 0, 2, 0, 1]]
    assert counts.sum() == len(true)
