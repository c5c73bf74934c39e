"""How far the seeds agree, without labels, and one clustering they agree on.

Every quantity here comes from contingency tables of two labellings (clusters x clusters),
built in O(N) with ``np.bincount``: never distances or pairs of points.
"""

import numpy as np

from .labels import NOISE


def _table(a, b):
    """Counts ``(len(ids_a), len(ids_b))`` of two labellings, and their sorted ids."""
    ids_a, ia = np.unique(a, return_inverse=True)
    ids_b, ib = np.unique(b, return_inverse=True)
    counts = np.bincount(ia * len(ids_b) + ib, minlength=len(ids_a) * len(ids_b))
    return counts.reshape(len(ids_a), len(ids_b)), ids_a, ids_b


def _check(labellings):
    labellings = [np.asarray(x) for x in labellings]
    if len(labellings) < 2:
        raise ValueError(f"need at least 2 labellings to compare, got {len(labellings)}")
    n = {len(x) for x in labellings}
    if len(n) != 1 or 0 in n:
        raise ValueError(f"labellings must be non-empty and equally long, got lengths {sorted(n)}")
    return labellings


def pair_scores(a, b):
    """``(ARI, NMI)`` of two labellings (noise counts as one group of its own)."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    return float(adjusted_rand_score(a, b)), float(normalized_mutual_info_score(a, b))


def pairwise_agreement(labellings):
    """ARI and NMI of every pair: ``[(i, j, ari, nmi)]`` for ``i < j``, and their means."""
    labellings = _check(labellings)
    pairs = [
        (i, j, *pair_scores(labellings[i], labellings[j]))
        for i in range(len(labellings))
        for j in range(i + 1, len(labellings))
    ]
    return pairs, float(np.mean([p[2] for p in pairs])), float(np.mean([p[3] for p in pairs]))


def best_jaccard(a, b):
    """Per cluster of ``a`` (noise left out): the largest Jaccard overlap |c & d| / |c | d|
    with any cluster ``d`` of ``b`` that is not noise. ``{cluster id: overlap}``."""
    counts, ids_a, ids_b = _table(a, b)
    size_a, size_b = counts.sum(axis=1), counts.sum(axis=0)
    union = size_a[:, None] + size_b[None, :] - counts
    jaccard = counts / union
    jaccard[:, ids_b == NOISE] = 0.0
    return {int(c): float(jaccard[i].max()) for i, c in enumerate(ids_a) if c != NOISE}


def cluster_stability(labellings):
    """Per labelling, per cluster: the mean over the other labellings of its best Jaccard
    overlap there (1: every other seed has the very same cluster). ``[{id: stability}]``."""
    labellings = _check(labellings)
    out = []
    for i, a in enumerate(labellings):
        best = [best_jaccard(a, b) for j, b in enumerate(labellings) if j != i]
        out.append({c: float(np.mean([m[c] for m in best])) for c in best[0]})
    return out


def align(reference, other):
    """``{cluster of other: cluster of reference}``: one-to-one by the largest total overlap
    (Hungarian); a cluster left over (``other`` has more) goes to the reference cluster it
    overlaps most. Noise maps to noise, and nothing else does."""
    from scipy.optimize import linear_sum_assignment

    counts, ids_ref, ids_other = _table(reference, other)
    keep_ref, keep_other = ids_ref != NOISE, ids_other != NOISE
    counts, ids_ref, ids_other = (
        counts[keep_ref][:, keep_other],
        ids_ref[keep_ref],
        ids_other[keep_other],
    )
    mapping = {NOISE: NOISE}
    if len(ids_ref) == 0:
        return mapping | {int(c): NOISE for c in ids_other}
    rows, cols = linear_sum_assignment(counts, maximize=True)
    mapping |= {int(ids_other[c]): int(ids_ref[r]) for r, c in zip(rows, cols)}
    for c, column in zip(ids_other, counts.T):
        mapping.setdefault(int(c), int(ids_ref[column.argmax()]))
    return mapping


def consensus(labellings, reference):
    """One labelling the seeds agree on: every labelling aligned to ``labellings[reference]``
    (:func:`align`), then a vote per point; a tie goes to the reference's cluster, else to
    the earliest labelling among the winners.

    Returns ``(labels, agreement)``: clusters renumbered 0..K-1 by decreasing size (ties by
    the reference's id), noise stays ``NOISE``; ``agreement`` float32 ``(N,)``, the share of
    labellings that voted for the point's cluster. Cost O(S^2 N) for S labellings.
    """
    labellings = _check(labellings)
    ref = labellings[reference]
    aligned = np.empty((len(labellings), len(ref)), dtype=np.int64)
    for s, x in enumerate(labellings):
        if s == reference:
            aligned[s] = x
            continue
        mapping = align(ref, x)
        keys = np.array(sorted(mapping))
        aligned[s] = np.array([mapping[k] for k in keys])[np.searchsorted(keys, x)]
    votes = np.stack([(aligned == row).sum(axis=0) for row in aligned])  # (S, N)
    top = votes.max(axis=0)
    winner = np.where(votes[reference] == top, reference, votes.argmax(axis=0))
    voted = aligned[winner, np.arange(len(ref))]
    return renumber(voted), (top / len(labellings)).astype(np.float32)


def renumber(labels):
    """Clusters as 0..K-1 by decreasing size (ties by old id); noise stays ``NOISE``."""
    labels = np.asarray(labels)
    ids, inverse, sizes = np.unique(labels, return_inverse=True, return_counts=True)
    order = [k for k in np.lexsort((ids, -sizes)) if ids[k] != NOISE]
    new = np.full(len(ids), NOISE, dtype=np.int64)
    new[order] = np.arange(len(order))
    return new[inverse]


def seed_agreement(labellings, seeds):
    """Everything the reports say about how far ``labellings`` (one per seed, config order)
    agree, and the consensus of them, as a JSON-ready record and the consensus labels.

    The reference is the labelling with the highest mean ARI to the others (the most
    typical seed; ties to the first), chosen without labels.
    """
    pairs, mean_ari, mean_nmi = pairwise_agreement(labellings)
    mean_to_others = [np.mean([p[2] for p in pairs if i in p[:2]]) for i in range(len(labellings))]
    reference = int(np.argmax(mean_to_others))
    labels, agreement = consensus(labellings, reference)
    stability = cluster_stability(labellings)
    consensus_stability = [best_jaccard(labels, x) for x in labellings]
    record = {
        "seeds": [int(s) for s in seeds],
        "mean_ari": mean_ari,
        "mean_nmi": mean_nmi,
        "pairs": [
            {"seeds": [int(seeds[i]), int(seeds[j])], "ari": ari, "nmi": nmi}
            for i, j, ari, nmi in pairs
        ],
        "reference_seed": int(seeds[reference]),
        "unanimous_fraction": float(np.mean(agreement == 1.0)),
        "cluster_stability": {
            str(seed): {str(c): v for c, v in s.items()} for seed, s in zip(seeds, stability)
        },
        "consensus_cluster_stability": {
            str(c): float(np.mean([m[c] for m in consensus_stability]))
            for c in consensus_stability[0]
        },
    }
    return labels, agreement, record
