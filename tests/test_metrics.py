import numpy as np
import pytest
from sklearn.metrics import silhouette_score

from deepclust.metrics import cluster_accuracy, confusion_after_matching, evaluate, match_clusters


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
    m = evaluate(x, pred, true)
    keep = pred != -1
    assert m["silhouette"] == pytest.approx(silhouette_score(x[keep], pred[keep]), abs=1e-6)
    assert m["n_clusters"] == 2 and m["noise_fraction"] == pytest.approx(0.05)
    assert m["accuracy"] == pytest.approx(57 / 60) and 0 < m["nmi"] < 1 and 0 < m["ari"] < 1


def test_silhouette_undefined_and_unlabelled():
    x = np.random.default_rng(0).normal(size=(10, 2))
    m = evaluate(x, np.zeros(10, dtype=int), np.full(10, -1))
    assert m["silhouette"] is None and "need at least 2" in m["silhouette_method"]
    assert m["accuracy"] is None and m["nmi"] is None and "no labels" in m["external_metrics"]
    m = evaluate(x, np.arange(10), np.arange(10))
    assert m["silhouette"] is None and "own cluster" in m["silhouette_method"]


def test_sampled_silhouette_is_seeded():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(400, 4))
    pred = (x[:, 0] > 0).astype(int)
    a = evaluate(x, pred, pred, sample_size=100, seed=3)
    assert a == evaluate(x, pred, pred, sample_size=100, seed=3)
    assert "sampled 100" in a["silhouette_method"]


def test_confusion_puts_matches_on_the_diagonal():
    true = np.array([0, 0, 0, 1, 1, 2, 2, 2])
    pred = np.array([7, 7, 5, 4, 4, 9, 9, -1])
    counts, classes, columns = confusion_after_matching(true, pred)
    assert classes.tolist() == [0, 1, 2]
    assert columns == [(7, 0), (4, 1), (9, 2), (5, None), (-1, None)]
    assert counts.tolist() == [[2, 0, 0, 1, 0], [0, 2, 0, 0, 0], [0, 0, 2, 0, 1]]
    assert counts.sum() == len(true)
