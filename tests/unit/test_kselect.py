"""n_clusters: auto: the criteria of deepclust.kselect, and every algorithm that offers auto
finding the K of well-separated blobs exactly (no Snakemake)."""

import json

import numpy as np
import pytest
from sklearn.cluster import AgglomerativeClustering
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import GaussianMixture

from config_defaults import algorithm_defaults
from deepclust.cluster import diagnostic_figures, merge_clusters, run_algorithm
from deepclust.config_checks import images_needed
from deepclust.kselect import (
    KSelection,
    best_k,
    bic_curve,
    cut_tree,
    k_candidates,
    merge_gap_curve,
    silhouette_curve,
    sweep_indices,
)

AUTO = {"n_clusters": "auto", "k_min": 2, "k_max": 12}
SETTINGS = {
    "kmeans": {"n_init": 2},
    "gmm": {},
    "agglomerative": {},
    "umap_gmm": {"n_components": 2, "n_neighbors": 10, "n_epochs": 50, "over_clusters": 16},
}
# UMAP may break a blob into fragments, which k-means halves predict perfectly: the default
# prediction_strength found these blobs' K under 35 of 36 seeds, median and merge_gap under
# all 36 (tests/benchmarks/umap_gmm_k_by_seed.py)
STEADY_UMAP_GMM = {"k_criterion": "median"}


def blobs(k, dim, n_per=60, seed=0):
    x, y = make_blobs(
        n_samples=[n_per] * k, n_features=dim, centers=None, center_box=(-20, 20), random_state=seed
    )
    return x.astype(np.float32), y


def test_k_candidates_cap_and_errors():
    np.testing.assert_array_equal(k_candidates(2, 5, 100), [2, 3, 4, 5])
    np.testing.assert_array_equal(k_candidates(3, 20, 4), [3, 4])  # capped at the points
    with pytest.raises(ValueError, match=r"k_min \(6\) must not exceed k_max \(5\)"):
        k_candidates(6, 5, 100)
    with pytest.raises(ValueError, match=r"k_min \(5\) exceeds 4, the most clusters possible"):
        k_candidates(5, 8, 4)
    with pytest.raises(ValueError, match="k_max must be an integer of at least 2"):
        k_candidates(2, "auto", 10)


def test_sweep_indices_sample_only_above_k_sample():
    np.testing.assert_array_equal(sweep_indices(5, 10, 0), np.arange(5))
    a, b = sweep_indices(1000, 100, 3), sweep_indices(1000, 100, 3)
    np.testing.assert_array_equal(a, b)
    assert len(a) == 100 and len(set(a.tolist())) == 100 and (np.diff(a) > 0).all()
    assert not np.array_equal(a, sweep_indices(1000, 100, 4))


def test_best_k_ties_go_to_the_smallest_k():
    assert best_k([2, 3, 4], [1.0, 0.5, 0.5], "lower") == 3
    assert best_k([2, 3, 4], [0.1, 0.9, 0.9], "higher") == 3
    with pytest.raises(ValueError, match="better must be"):
        best_k([2], [0.0], "smaller")


def test_merge_gap_by_hand():
    # 5 clusters: two strong merges (0.5, 0.4), then weak ones (0.01, 0.02): stop at 3
    selection = merge_gap_curve(5, [0.5, 0.4, 0.01, 0.02], [2, 3, 4, 5], floor=0.001)
    assert selection.chosen == 3 and selection.better == "higher"
    expected = np.log([0.01 / 0.02, 0.4 / 0.02, 0.5 / 0.4, 1])  # K = 5: no merge done, 0
    np.testing.assert_allclose(selection.score, expected)
    with pytest.raises(ValueError, match="5 clusters need 4 merge links"):
        merge_gap_curve(5, [0.5], [2], floor=0.1)


def test_merge_gap_floor_keeps_islands_from_outweighing_touching_classes():
    # 6 clusters: a strong merge (2.0), a drop to 0.5 (touching classes), then islands
    links = [2.0, 0.5, 0.3, 0.001, 0.0]
    assert merge_gap_curve(6, links, range(2, 7), floor=1e-6).chosen == 2  # 0.001 vs 0
    assert merge_gap_curve(6, links, range(2, 7), floor=0.1).chosen == 5
    # nothing but islands: no merge is stronger than another, none is done
    assert merge_gap_curve(4, [0.0, 0.01, 0.0], range(2, 5), floor=0.1).chosen == 4


def test_cut_tree_matches_scikit_learn_ward():
    x, _ = blobs(4, 10, n_per=30)
    model = AgglomerativeClustering(n_clusters=2, compute_full_tree=True).fit(x)
    for k in (1, 2, 3, 4, 7, len(x)):
        ours = cut_tree(model.children_, len(x), k)
        assert len(np.unique(ours)) == k and ours[0] == 0
        theirs = AgglomerativeClustering(n_clusters=k).fit_predict(x) if k > 1 else ours
        assert adjusted_rand_score(ours, theirs) == 1.0
    with pytest.raises(ValueError, match="cannot cut a tree of 120 leaves into 0"):
        cut_tree(model.children_, len(x), 0)


def test_bic_and_silhouette_curves_find_blobs():
    x, y = blobs(4, 12)
    ks = k_candidates(2, 8, len(x))

    def mixture(k):
        return GaussianMixture(k, random_state=0)

    bic = bic_curve(x, ks, mixture)
    assert bic.chosen == 4 and bic.criterion == "bic" and len(bic.score) == len(ks)
    sil = silhouette_curve(x, ks, lambda k: mixture(k).fit_predict(x), 100, 0)
    assert sil.chosen == 4 and sil.better == "higher"
    record = sil.as_dict()
    assert json.loads(json.dumps(record)) == record and record["k"] == list(range(2, 9))


@pytest.mark.parametrize("k, dim", [(3, 10), (5, 32), (8, 64)])
@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_auto_finds_the_k_of_blobs(name, k, dim):
    x, y = blobs(k, dim, seed=k)
    params = algorithm_defaults(name) | SETTINGS[name] | AUTO
    if name == "umap_gmm":
        params |= STEADY_UMAP_GMM
    if name == "gmm" and dim > 10:
        # BIC charges a full covariance D(D+1)/2 parameters (2,080 in 64-d) per component:
        # with 60 points per blob it only pays to split blobs whose covariance is cheap
        params["covariance_type"] = "diag"
    labels, used = run_algorithm(name, x, params, seed=0)
    assert used["n_clusters"] == k, used["k_auto"]
    assert len(np.unique(labels)) == k and adjusted_rand_score(y, labels) > 0.99
    k_auto = used["k_auto"]
    assert (
        k_auto["chosen"] == k and k_auto["k"][0] == 2 and len(k_auto["score"]) == len(k_auto["k"])
    )
    assert used["exactness"]["n_clusters"].startswith("exact")
    json.dumps(used)


def test_sweep_above_k_sample_is_sampled_and_says_so():
    x, y = blobs(3, 10, n_per=200)
    params = algorithm_defaults("kmeans") | AUTO | {"k_sample": 150, "k_silhouette_sample": 50}
    labels, used = run_algorithm("kmeans", x, params, seed=0)
    assert used["n_clusters"] == 3 and len(labels) == len(x)
    assert used["exactness"]["n_clusters"].startswith(
        "estimated: 600 > k_sample 150: the sweep fits a seeded sample of 150 of 600 points"
    )


def test_k_max_is_capped_at_the_points():
    x, _ = blobs(3, 10, n_per=3)
    params = algorithm_defaults("kmeans") | AUTO | {"k_max": 50}
    _, used = run_algorithm("kmeans", x, params, seed=0)
    # the silhouette needs fewer clusters than points
    assert (
        used["k_auto"]["k"][-1] == 8
        and "k_max 50 capped at 8 for 9 points" in (used["exactness"]["n_clusters"])
    )


def test_fixed_n_clusters_is_unchanged_and_has_no_kselection_figure():
    x, _ = blobs(3, 10)
    params = algorithm_defaults("gmm") | {"n_clusters": 3}
    labels, used = run_algorithm("gmm", x, params, seed=0)
    assert used["n_clusters"] == 3 and "k_auto" not in used
    assert diagnostic_figures("gmm", params) == []
    assert diagnostic_figures("gmm", params | {"n_clusters": "auto"}) == ["kselection"]
    assert diagnostic_figures("dbscan", algorithm_defaults("dbscan")) == ["kdistance"]


def test_merge_clusters_unchanged_by_the_merge_order_refactor():
    # two blobs each split in two: merging back joins the halves
    x, y = blobs(2, 2, n_per=100)
    halves = y * 2 + (x[:, 0] > np.array([np.median(x[y == c, 0]) for c in (0, 1)])[y])
    merged = merge_clusters(x, halves, 2, 10)
    assert adjusted_rand_score(y, merged) == 1.0 and merged.dtype == np.int64


def test_images_needed_counts_k_min_with_auto():
    algorithms = {
        "kmeans": algorithm_defaults("kmeans") | {"enabled": True} | AUTO | {"k_min": 4},
    }
    needs = dict(images_needed(algorithms, {}))
    assert needs["algorithms.kmeans.k_min"] == 4 and "algorithms.kmeans.n_clusters" not in needs


def test_kselection_is_a_frozen_record():
    selection = KSelection("bic", np.array([2, 3]), np.array([1.0, 0.0]), "lower", 3)
    with pytest.raises(AttributeError):
        selection.chosen = 2


@pytest.mark.parametrize(
    "criterion, runner",
    [
        ("prediction_strength", "merge_gap"),
        ("merge_gap", "prediction_strength"),
        ("silhouette", "merge_gap"),
        ("hdbscan", "merge_gap"),
        ("median", "prediction_strength"),
    ],
)
def test_umap_gmm_records_its_criterion_and_the_runner_up(criterion, runner, tmp_path):
    from deepclust.diagnostics import describe_kselection, draw_kselection

    x, y = blobs(4, 10, seed=4)
    params = algorithm_defaults("umap_gmm") | SETTINGS["umap_gmm"] | AUTO
    labels, used = run_algorithm("umap_gmm", x, params | {"k_criterion": criterion}, seed=0)
    k_auto = used["k_auto"]
    assert k_auto["criterion"] == criterion and k_auto["runner_up"]["criterion"] == runner
    assert used["n_clusters"] == k_auto["chosen"] == len(np.unique(labels))
    if criterion != "prediction_strength":  # it may count a UMAP fragment (see above)
        assert k_auto["chosen"] == 4 and adjusted_rand_score(y, labels) > 0.99
    text, caption = describe_kselection("UMAP + GMM", used)
    assert f"would choose K = {k_auto['runner_up']['chosen']}" in text and "runner-up" in caption
    run = {"params": json.loads(json.dumps(used)), "algorithm": "umap_gmm", "exactness": {}}
    fig = draw_kselection(x, params, 0, "seed 0", lambda line: None, run)
    assert len(fig.axes) == 2  # the runner-up on its own axis, from run.json alone
