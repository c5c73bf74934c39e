import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from deepclust.labels import NOISE
from deepclust.stability import (
    _average_linkage,
    align,
    best_jaccard,
    cluster_stability,
    coassociation_consensus,
    consensus,
    pairwise_agreement,
    renumber,
    seed_agreement,
)


def noisy_copy(truth, share, rng, permute=True):
    """``truth`` with ``share`` of its points moved to a random cluster, ids permuted."""
    k = truth.max() + 1
    out = truth.copy()
    moved = rng.random(len(truth)) < share
    out[moved] = rng.integers(0, k, moved.sum())
    return rng.permutation(k)[out] if permute else out


def test_identical_labellings_under_other_names_agree_fully():
    a = np.repeat(np.arange(4), 25)
    b = np.array([3, 0, 2, 1])[a]
    pairs, ari, nmi = pairwise_agreement([a, b, a])
    assert [p[:2] for p in pairs] == [(0, 1), (0, 2), (1, 2)]
    assert ari == pytest.approx(1.0) and nmi == pytest.approx(1.0)
    assert all(v == pytest.approx(1.0) for s in cluster_stability([a, b]) for v in s.values())


def test_best_jaccard_by_hand():
    a = np.array([0, 0, 0, 0, 1, 1])
    b = np.array([5, 5, 5, 7, 7, 7])
    # cluster 0 of a: 3 of its 4 points in 5, union 4 -> 0.75; cluster 1: {4,5} vs 7 {3,4,5} -> 2/3
    assert best_jaccard(a, b) == pytest.approx({0: 0.75, 1: 2 / 3})


def test_noise_is_not_a_cluster_nor_a_match():
    a = np.array([0, 0, 1, 1, NOISE, NOISE])
    b = np.array([NOISE, NOISE, 1, 1, 0, 0])
    best = best_jaccard(a, b)
    assert set(best) == {0, 1} and best[0] == 0.0 and best[1] == 1.0
    assert align(a, b)[NOISE] == NOISE


def test_align_matches_one_to_one_then_sends_leftovers_to_their_largest_overlap():
    ref = np.repeat([0, 1, 2], 10)
    other = np.concatenate([np.full(10, 7), np.full(6, 8), np.full(4, 9), np.full(10, 4)])
    assert align(ref, other) == {NOISE: NOISE, 7: 0, 8: 1, 4: 2, 9: 1}


def test_consensus_recovers_the_truth_better_than_any_seed():
    rng = np.random.default_rng(0)
    truth = np.repeat(np.arange(6), 500)
    seeds = [noisy_copy(truth, 0.3, rng) for _ in range(5)]
    labels, agreement = consensus(seeds, reference=2)
    best_seed = max(adjusted_rand_score(truth, s) for s in seeds)
    assert adjusted_rand_score(truth, labels) > best_seed + 0.1
    assert agreement.dtype == np.float32 and agreement.min() >= 0.2 and agreement.max() == 1.0


def test_consensus_ties_go_to_the_reference_and_labels_are_renumbered_by_size():
    a = np.array([0, 0, 0, 1, 1])
    b = np.array([0, 0, 1, 1, 1])
    labels, agreement = consensus([a, b], reference=1)
    # b is the reference: on the disagreeing point (index 2) its cluster wins the tie
    assert labels.tolist() == [1, 1, 0, 0, 0]
    assert agreement.tolist() == [1.0, 1.0, 0.5, 1.0, 1.0]


def test_renumber_keeps_noise_and_orders_by_size():
    assert renumber(np.array([5, 5, NOISE, 2, 5, 2, 9])).tolist() == [0, 0, NOISE, 1, 0, 1, 2]


def test_seed_agreement_record_and_reference():
    rng = np.random.default_rng(1)
    truth = np.repeat(np.arange(4), 200)
    seeds = [noisy_copy(truth, 0.5, rng), noisy_copy(truth, 0.05, rng), noisy_copy(truth, 0.5, rng)]
    labels, agreement, record = seed_agreement(seeds, [0, 1, 2])
    assert record["reference_seed"] == 1  # the least noisy agrees most with the others
    assert record["seeds"] == [0, 1, 2] and len(record["pairs"]) == 3
    assert set(record["cluster_stability"]) == {"0", "1", "2"}
    assert all(0 <= v <= 1 for v in record["consensus_cluster_stability"].values())
    assert record["unanimous_fraction"] == pytest.approx(np.mean(agreement == 1))
    again = seed_agreement(seeds, [0, 1, 2])
    assert np.array_equal(again[0], labels) and again[2] == record


@pytest.mark.parametrize("bad", [[np.zeros(3)], [np.zeros(3), np.zeros(4)], [[], []]])
def test_bad_labellings_are_rejected(bad):
    with pytest.raises(ValueError, match="labellings"):
        pairwise_agreement(bad)


def split_and_merge(truth, split, merge, k):
    """``truth`` with class ``split`` cut in two (every other point to new id ``k``) and class
    ``merge`` put into ``merge - 1``: what one seed of a clustering does to two classes."""
    out = truth.copy()
    out[(truth == split) & (np.arange(len(truth)) % 2 == 0)] = k
    out[truth == merge] = merge - 1
    return out


def test_coassociation_follows_what_most_seeds_say_of_each_split_and_merge():
    truth = np.repeat(np.arange(6), 100)
    seeds = [split_and_merge(truth, 0, 2, 6), split_and_merge(truth, 3, 5, 6), truth.copy()]
    # a one-to-one vote aligned to a seed that split and merged keeps its mistakes
    assert adjusted_rand_score(truth, consensus(seeds, reference=0)[0]) < 0.9
    for reference in range(3):
        labels, agreement = coassociation_consensus(seeds, reference)
        assert adjusted_rand_score(truth, labels) == 1.0
        assert agreement.dtype == np.float32 and agreement.max() == 1.0
    # a point's agreement: the share of seeds whose aligned cluster is its own
    assert agreement[truth == 2] == pytest.approx(np.full(100, 2 / 3))
    assert agreement[truth == 1].min() == 1


def test_coassociation_recovers_the_truth_from_noisy_seeds():
    rng = np.random.default_rng(0)
    truth = np.repeat(np.arange(6), 500)
    seeds = [noisy_copy(truth, 0.3, rng) for _ in range(5)]
    labels, _ = coassociation_consensus(seeds, reference=2)
    assert len(np.unique(labels)) == 6
    best_seed = max(adjusted_rand_score(truth, s) for s in seeds)
    assert adjusted_rand_score(truth, labels) > best_seed + 0.1


def test_coassociation_keeps_noise_of_most_seeds_and_places_rare_signatures(monkeypatch):
    import deepclust.stability as stability

    truth = np.repeat(np.arange(4), 50)
    a, b, c = truth.copy(), truth.copy(), truth.copy()
    a[:10] = b[:10] = NOISE  # noise in two of three seeds: noise
    c[10] = 3  # one point elsewhere in one seed: a signature of its own, placed by the rest
    labels, _ = coassociation_consensus([a, b, c], reference=2)
    assert (labels[:10] == NOISE).all() and (labels[10:] != NOISE).all()
    assert adjusted_rand_score(truth[10:], labels[10:]) == 1.0
    # with room for only a few signatures the rest still go to the cluster they share most with
    monkeypatch.setattr(stability, "MAX_CORE_SIGNATURES", 4)
    assert np.array_equal(coassociation_consensus([a, b, c], reference=2)[0], labels)


def test_average_linkage_joins_the_closest_groups_by_their_mean_similarity():
    similarity = np.array(
        [
            [1.0, 0.9, 0.1, 0.0],
            [0.9, 1.0, 0.5, 0.0],
            [0.1, 0.5, 1.0, 0.4],
            [0.0, 0.0, 0.4, 1.0],
        ]
    )
    assert _average_linkage(similarity, np.ones(4), 3).tolist() == [0, 0, 1, 2]
    # {0,1} to 2: (0.1 + 0.5) / 2 = 0.3 < 0.4, so 2 joins 3; unless 1 weighs much more
    assert _average_linkage(similarity, np.ones(4), 2).tolist() == [0, 0, 1, 1]
    assert _average_linkage(similarity, np.array([1, 9, 1, 1]), 2).tolist() == [0, 0, 0, 1]


def test_coassociation_of_noise_and_of_groups_all_too_small():
    noise = np.full(6, NOISE)
    labels, agreement = coassociation_consensus([noise, noise], reference=0)
    assert (labels == NOISE).all() and agreement.tolist() == [1.0] * 6
    # three seeds that never agree: every signature is one point, so all take part
    a = np.array([0, 1, 2, 3])
    labels, _ = coassociation_consensus([a, a[[1, 2, 3, 0]], a[[2, 3, 0, 1]]], reference=0)
    assert sorted(labels.tolist()) == [0, 1, 2, 3]


def test_closest_group_is_the_same_in_chunks():
    from deepclust.stability import _closest_group, _signatures

    rng = np.random.default_rng(3)
    truth = np.repeat(np.arange(5), 80)
    rows, _, counts = _signatures([noisy_copy(truth, 0.4, rng) for _ in range(3)])
    core = counts >= 3
    groups = np.arange(core.sum()) % 5
    rest = np.flatnonzero(~core)
    whole = _closest_group(rows, counts, core, groups, rest)
    assert np.array_equal(_closest_group(rows, counts, core, groups, rest, chunk_bytes=80), whole)
