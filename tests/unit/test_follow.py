"""A follower's typicality against the followed run's members, and its drift summary
(deepclust.follow)."""

import numpy as np

from deepclust.follow import (
    DRIFT_WARNING,
    cluster_centres,
    distances_to,
    drift_summary,
    typicality_against,
)
from deepclust.labels import NOISE


def test_centres_and_distances_chunked_as_whole():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 3))
    labels = rng.integers(-1, 3, 50)
    whole = cluster_centres(x, labels)
    chunked = cluster_centres(x, labels, chunk_rows=7)
    assert sorted(whole) == [0, 1, 2]
    for c in whole:
        np.testing.assert_allclose(whole[c], x[labels == c].mean(0))
        np.testing.assert_allclose(chunked[c], whole[c])
    d = distances_to(x, labels, whole, chunk_rows=4)
    assert np.isnan(d[labels == NOISE]).all()
    np.testing.assert_allclose(d[labels == 1], np.linalg.norm(x[labels == 1] - whole[1], axis=1))
    assert np.isnan(distances_to(x[:2], np.array([5, 5]), whole)).all()  # unknown cluster


def test_typicality_ranks_a_new_image_among_the_followed_members():
    ref_d = np.array([1.0, 2.0, 3.0, 4.0, 10.0])
    ref_labels = np.array([0, 0, 0, 0, 1])
    new_d = np.array([0.5, 2.5, 5.0, 1.0, 3.0, 9.0])
    new_labels = np.array([0, 0, 0, NOISE, 2, 1])
    out = typicality_against(new_d, new_labels, ref_d, ref_labels)
    np.testing.assert_allclose(out[:3], [1.0, 0.5, 0.0])
    assert np.isnan(out[3]) and np.isnan(out[4])  # noise; a cluster with no members
    assert out[5] == 1.0


def test_drift_summary_warns_above_the_share():
    far = {"kmeans": np.array([True] + [False] * 99), "gmm": np.array([True] * 10 + [False] * 90)}
    calm = drift_summary(far, "kmeans", "mnist")
    assert calm["far_share"] == 0.01 and not calm["drift"] and calm["images"] == 100
    drifted = drift_summary(far, "gmm", "mnist")
    assert drifted["far_share"] == 0.1 > DRIFT_WARNING and drifted["drift"]
    assert drifted["far_share_by_clustering"] == {"kmeans": 0.01, "gmm": 0.1}
