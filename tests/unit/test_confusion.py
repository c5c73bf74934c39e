"""Confusion matrices readable for any number of clusters: figures.cap_clusters and the figure."""

import numpy as np
import pytest

from deepclust.figures import OTHER, cap_clusters, confusion_column_names, plot_confusion
from deepclust.labels import NOISE
from deepclust.metrics import confusion_after_matching


def many_clusters(n_clusters=25, n=4000, seed=0):
    """10 classes spread over ``n_clusters`` clusters of unequal size, 20% noise."""
    rng = np.random.default_rng(seed)
    true = rng.integers(0, 10, n)
    # most points in one cluster per class, the rest spread over all clusters
    pred = np.where(rng.random(n) < 0.6, true * (n_clusters // 10), rng.integers(0, n_clusters, n))
    pred[rng.random(n) < 0.2] = NOISE
    return true, pred


def test_few_clusters_are_left_as_they_are():
    counts = np.array([[3, 0, 1], [0, 2, 5]])
    capped, ids, n_other = cap_clusters(counts, [NOISE, 4, 7], max_clusters=2)
    assert n_other == 0 and ids.tolist() == [4, 7, NOISE]  # noise moves last
    assert capped.tolist() == [[0, 1, 3], [2, 5, 0]]


def test_the_largest_clusters_keep_their_columns_and_the_rest_is_summed():
    counts = np.array(
        [
            [5, 0, 1, 0, 2, 4],
            [0, 6, 0, 1, 2, 0],
        ]
    )
    clusters = [3, 0, 9, 8, 1, NOISE]  # sizes 5, 6, 1, 1, 4; noise 4
    capped, ids, n_other = cap_clusters(counts, clusters, max_clusters=3)
    assert ids.tolist() == [3, 0, OTHER, NOISE]  # the two largest in their order
    assert n_other == 3
    assert capped.tolist() == [[5, 0, 3, 4], [0, 6, 3, 0]]
    # ties: the earlier column stays
    _, ids, _ = cap_clusters(np.ones((1, 4), int), [5, 6, 7, 8], max_clusters=3)
    assert ids.tolist() == [5, 6, OTHER]


@pytest.mark.parametrize("max_clusters", [2, 5, 12, 25, 40])
def test_counts_are_conserved(max_clusters):
    true, pred = many_clusters()
    counts, classes, columns = confusion_after_matching(true, pred)
    clusters = np.array([c for c, _ in columns])
    capped, ids, n_other = cap_clusters(counts, clusters, max_clusters)
    assert capped.sum(axis=1).tolist() == np.bincount(true).tolist()  # row sums: class totals
    assert (ids != NOISE).sum() == min(max_clusters, 25)
    assert (
        ids[-1] == NOISE and capped[:, -1].tolist() == counts[:, clusters == NOISE][:, 0].tolist()
    )
    if n_other:
        kept = np.isin(clusters, ids)
        rest = ~kept & (clusters != NOISE)
        assert n_other == rest.sum() == 25 - (max_clusters - 1)
        assert capped[:, ids == OTHER][:, 0].tolist() == counts[:, rest].sum(axis=1).tolist()
        # every kept cluster is at least as large as every summed one
        sizes = counts.sum(axis=0)
        assert sizes[kept & (clusters != NOISE)].min() >= sizes[rest].max()
    else:
        assert OTHER not in ids and max_clusters >= 25


def test_cap_refuses_bad_arguments():
    with pytest.raises(ValueError, match="at least 2"):
        cap_clusters(np.ones((2, 3), int), [0, 1, 2], 1)
    with pytest.raises(ValueError, match="one column per cluster"):
        cap_clusters(np.ones((2, 3), int), [0, 1], 5)


def test_column_names():
    names = confusion_column_names(
        [2, 5, OTHER, NOISE], matched={2: 1}, class_names={0: "zero", 1: "one"}, n_other=7
    )
    assert names == ["2\n→one", "5\n(extra)", "7\nothers", "noise"]


def test_the_figure_stays_within_a_page_for_many_clusters():
    true, pred = many_clusters(n_clusters=60)
    counts, classes, columns = confusion_after_matching(true, pred)
    capped, ids, n_other = cap_clusters(counts, [c for c, _ in columns], 12)
    names = {int(c): str(c) for c in classes}
    labels = confusion_column_names(
        ids, dict(c for c in columns if c[1] is not None), names, n_other
    )
    fig = plot_confusion(capped, list(names.values()), labels, "many clusters")
    width, height = fig.get_size_inches()
    assert capped.shape == (10, 13) and width <= 7.2 and height <= 5  # shown at about its own size
