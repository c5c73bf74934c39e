"""deepclust.recommend on synthetic data: the recommendation picks the planted best of
several labellings, the consensus check catches a consensus worse than its seeds, and
neither ever sees the true labels."""

import numpy as np
import pytest

from deepclust.labels import NOISE
from deepclust.names import recommended_first
from deepclust.recommend import consensus_check, modularity, neighbour_graph, recommend
from deepclust.stability import coassociation_consensus, most_typical, pairwise_agreement


def blobs(k=5, n=120, seed=0):
    rng = np.random.default_rng(seed)
    centres = np.zeros((k, 6))
    for i in range(k):
        centres[i, i % 6] = 10.0 * (1 + i // 6)
    x = np.concatenate([c + rng.standard_normal((n, 6)) for c in centres])
    return x, np.repeat(np.arange(k), n)


def merged(truth, a, b):
    out = truth.copy()
    out[out == b] = a
    return out


def split(truth, x, c, new):
    """Cluster ``c`` cut in two along its first coordinate's median: ``new`` the upper half."""
    out = truth.copy()
    members = np.flatnonzero(truth == c)
    upper = members[x[members, 0] > np.median(x[members, 0])]
    out[upper] = new
    return out


def test_modularity_of_a_perfect_partition_and_of_one_cluster():
    x, truth = blobs()
    graph = neighbour_graph(x).graph
    assert modularity(graph, np.zeros(len(x), int)) == pytest.approx(0.0)
    assert modularity(graph, truth) == pytest.approx(1 - 1 / 5, abs=0.01)  # 5 equal islands


def test_noise_points_count_as_clusters_of_their_own():
    x, truth = blobs()
    graph = neighbour_graph(x).graph
    noisy = truth.copy()
    noisy[::7] = NOISE
    assert modularity(graph, noisy) < modularity(graph, truth)


def test_recommend_picks_the_planted_best_of_several_labellings():
    x, truth = blobs()
    graphs = [neighbour_graph(x)]
    rng = np.random.default_rng(1)
    shuffled = truth.copy()
    flip = rng.random(len(truth)) < 0.2
    shuffled[flip] = rng.integers(0, 5, flip.sum())
    candidates = {
        "merged_and_split": [split(merged(truth, 0, 1), x, 2, 7)],
        "noisy": [shuffled],
        "planted": [truth],
        "one_split": [split(truth, x, 3, 9)],
    }
    pick, reason, scores = recommend(candidates, graphs)
    assert pick == "planted"
    assert reason.startswith("planted follows") and "ahead of" in reason
    assert scores["planted"] > max(v for n, v in scores.items() if n != "planted")


def test_recommendation_never_depends_on_the_true_labels():
    # the same labellings judged against a data set whose labels were shuffled: same pick
    x, truth = blobs(seed=2)
    candidates = {"a": [merged(truth, 0, 1)], "b": [truth], "c": [split(truth, x, 0, 5)]}
    shuffled_truth = np.random.default_rng(0).permutation(truth)
    from deepclust.metrics import cluster_accuracy

    assert cluster_accuracy(shuffled_truth, truth) < 0.5  # the labels really changed
    pick = recommend(candidates, [neighbour_graph(x)])[0]
    assert pick == recommend(dict(candidates), [neighbour_graph(x.copy())])[0] == "b"


def test_recommend_means_over_seeds_and_checks_lengths():
    x, truth = blobs()
    graphs = [neighbour_graph(x, seed=s) for s in range(2)]
    good = [truth, truth]
    mixed = [truth, merged(truth, 0, 1)]
    assert recommend({"mixed": mixed, "good": good}, graphs)[0] == "good"
    with pytest.raises(ValueError, match="'good' has 1 labellings for 2 seeds"):
        recommend({"good": [truth]}, graphs)


def test_large_sets_are_scored_on_a_seeded_sample():
    x, truth = blobs(n=300)
    graph = neighbour_graph(x, sample=500, seed=3)
    assert len(graph.index) == 500 and "seeded sample of 500 of 1500" in graph.note
    assert graph.modularity(truth) == pytest.approx(0.8, abs=0.02)


def test_seeds_that_split_different_pairs_give_a_trusted_consensus():
    # each seed merges a different pair of the 5 groups: the consensus recovers all five
    x, truth = blobs()
    seeds = [merged(truth, 0, 1), merged(truth, 2, 3), merged(truth, 3, 4)]
    seeds = [split(s, x, 4 if i == 0 else 0, 8) for i, s in enumerate(seeds)]  # back to 5
    graphs = [neighbour_graph(x, seed=s) for s in range(3)]
    pairs, _, _ = pairwise_agreement(seeds)
    reference = most_typical(pairs, 3)
    labels, _ = coassociation_consensus(seeds, reference)
    check = consensus_check(labels, seeds, graphs, reference)
    assert check["trusted"] and check["fallback_index"] is None
    assert check["consensus_modularity"] >= check["seeds_modularity"]


def test_a_consensus_worse_than_its_seeds_falls_back_to_the_most_typical_seed():
    x, truth = blobs()
    seeds = [truth, truth, split(truth, x, 0, 5)]
    graphs = [neighbour_graph(x, seed=s) for s in range(3)]
    bad = merged(merged(truth, 0, 1), 2, 3)
    check = consensus_check(bad, seeds, graphs, reference=1)
    assert not check["trusted"] and check["fallback_index"] == 1
    assert "most typical seed" in check["reason"]
    good = consensus_check(truth, seeds, graphs, reference=1)
    assert good["trusted"]


def test_recommended_first_moves_only_the_pick():
    tables = {"kmeans": 1, "dbscan": 2, "umap_gmm": 3, "gmm": 4}
    assert list(recommended_first(tables, "umap_gmm")) == ["umap_gmm", "kmeans", "dbscan", "gmm"]
    assert recommended_first(tables, "umap_gmm")["umap_gmm"] == 3
    assert list(recommended_first(tables, "kmeans")) == list(tables)
