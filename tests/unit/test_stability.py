import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from deepclust.labels import NOISE
from deepclust.stability import (
    align,
    best_jaccard,
    cluster_stability,
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
