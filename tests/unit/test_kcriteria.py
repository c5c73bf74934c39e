"""The K criteria of deepclust.kcriteria on synthetic data with a known K: equal blobs, a
dominant split that fools the silhouette, unequal sizes; and sampling above k_sample."""

import numpy as np
import pytest
import scipy.sparse as sp

from deepclust.kcriteria import (
    K_CRITERIA,
    MEDIAN_OF,
    eigengap_curve,
    hdbscan_curve,
    knn_graph,
    laplacian_spectrum,
    median_selection,
    median_votes,
    prediction_strength_curve,
    select_k,
    silhouette_space_curve,
    stability_curve,
)
from deepclust.kselect import silhouette_curve

KS = np.arange(2, 11)


def blobs(centres, sizes, seed=0, spread=1.0):
    rng = np.random.default_rng(seed)
    x = np.concatenate(
        [c + spread * rng.standard_normal((n, len(c))) for c, n in zip(centres, sizes)]
    )
    return x, np.repeat(np.arange(len(sizes)), sizes)


def corners(k, dim=4, distance=12.0):
    """``k`` centres far apart: multiples of ``distance`` along distinct axes and signs."""
    centres = np.zeros((k, dim))
    for i in range(k):
        centres[i, i % dim] = distance * (1 + i // dim) * (1 if i % 2 == 0 else -1)
    return centres


def dominant(seed=0):
    """Two families 200 apart, each of three blobs 12 apart: K is 6, the silhouette's 2."""
    family = corners(3)
    centres = np.concatenate([family, family + 200.0])
    return blobs(centres, [150] * 6, seed)


@pytest.mark.parametrize("criterion", sorted(K_CRITERIA))
def test_every_criterion_finds_the_k_of_separated_blobs(criterion):
    x, _ = blobs(corners(5), [150] * 5)
    selection, note = select_k(x, KS, criterion, seed=0, k_sample=10_000)
    assert selection.chosen == 5
    assert selection.criterion == criterion and "all 750 points" in note
    assert len(selection.k) == len(selection.score)


def test_the_dominant_split_fools_the_silhouette_but_not_eigengap_or_prediction_strength():
    x, _ = dominant()
    fooled = silhouette_curve(x, KS, lambda k: _kmeans_labels(x, k), 900, 0)
    assert fooled.chosen == 2
    assert eigengap_curve(x, KS).chosen == 6
    assert prediction_strength_curve(x, KS).chosen == 6
    assert hdbscan_curve(x, KS).chosen == 6


def _kmeans_labels(x, k):
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, n_init=3, random_state=0).fit_predict(x)


def test_unequal_sizes_keep_the_small_group():
    x, _ = blobs(corners(4), [40, 150, 400, 800])
    assert eigengap_curve(x, KS).chosen == 4
    assert prediction_strength_curve(x, KS).chosen == 4


def test_stability_prefers_the_true_k_of_three_symmetric_blobs():
    x, _ = blobs(corners(3), [200] * 3)
    selection = stability_curve(x, KS, seed=0)
    assert selection.chosen == 3
    assert selection.score[1] == pytest.approx(1.0)  # K 3: the same partition every time


def test_silhouette_space_curve_is_higher_at_the_true_k():
    x, _ = blobs(corners(4), [150] * 4)
    selection = silhouette_space_curve(x, KS, seed=0, sample_size=300)
    assert selection.chosen == 4 and selection.better == "higher"


def test_laplacian_spectrum_counts_components():
    # three disconnected triangles: eigenvalue 0 three times, then 1.5 (a triangle's)
    block = np.ones((3, 3)) - np.eye(3)
    graph = sp.csr_matrix(sp.block_diag([block] * 3))
    values = laplacian_spectrum(graph, 5, seed=0)
    np.testing.assert_allclose(values[:3], 0.0, atol=1e-9)
    assert values[3] == pytest.approx(1.5)


def test_knn_graph_is_symmetric_without_self_loops():
    x, _ = blobs(corners(2), [30, 30])
    graph = knn_graph(x, 5)
    assert (graph != graph.T).nnz == 0
    assert graph.diagonal().sum() == 0
    assert (np.asarray(graph.sum(axis=1)).ravel() >= 5).all()


def test_sweeps_above_k_sample_run_on_a_seeded_sample_and_say_so():
    x, _ = blobs(corners(3), [400] * 3)
    a, note = select_k(x, KS, "eigengap", seed=1, k_sample=300)
    b, _ = select_k(x, KS, "eigengap", seed=1, k_sample=300)
    assert "seeded sample of 300 of 1200" in note
    assert a.chosen == b.chosen == 3
    np.testing.assert_array_equal(a.score, b.score)


def test_unknown_criterion_is_named():
    with pytest.raises(ValueError, match="unknown K criterion 'gap'"):
        select_k(np.zeros((10, 2)), KS, "gap", 0, 100)


def test_median_selection_takes_the_middle_k_and_counts_votes():
    from deepclust.kselect import KSelection

    picks = [
        KSelection(n, KS, np.zeros(len(KS)), "higher", k) for n, k in zip("abcde", [2, 6, 6, 9, 20])
    ]
    selection = median_selection(picks, KS)
    assert selection.criterion == "median" and selection.chosen == 6
    assert selection.score[list(KS).index(6)] == 2 and selection.score.sum() == 4  # 20 not in KS


def test_median_votes_run_each_criterion_once_and_reuse_a_known_one():
    x, _ = blobs(corners(4), [60] * 4)
    known = select_k(x, KS, "prediction_strength", 0, 1000)[0]
    votes = median_votes(x, KS, 0, 1000, {"prediction_strength": known})
    assert [v.criterion for v in votes] == list(MEDIAN_OF)
    assert votes[MEDIAN_OF.index("prediction_strength")] is known
    fresh = median_votes(x, KS, 0, 1000)
    assert [v.chosen for v in fresh] == [v.chosen for v in votes] == [4] * len(MEDIAN_OF)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kmeans_median_finds_the_k_the_silhouette_misses(seed):
    """k-means with ``k_criterion: median`` on the dominant split: the silhouette alone picks
    2, the median of it and four criteria on a UMAP map picks 6, and records both."""
    from config_defaults import algorithm_defaults
    from deepclust.cluster import run_algorithm

    x, truth = dominant(seed)
    params = algorithm_defaults("kmeans") | {"n_clusters": "auto", "k_max": 12}
    _, plain = run_algorithm("kmeans", x.astype(np.float32), params, seed=seed)
    assert plain["n_clusters"] == 2 and "runner_up" not in plain["k_auto"]
    labels, used = run_algorithm(
        "kmeans", x.astype(np.float32), params | {"k_criterion": "median"}, seed=seed
    )
    k_auto = used["k_auto"]
    assert used["n_clusters"] == k_auto["chosen"] == 6 and k_auto["criterion"] == "median"
    assert k_auto["runner_up"]["criterion"] == "silhouette"
    assert k_auto["runner_up"]["chosen"] == 2
    assert sum(k_auto["score"]) == 5  # five votes
    assert "UMAP map of the swept points" in used["exactness"]["n_clusters"]
    assert len(np.unique(labels)) == 6
