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


def relabel(labels, mapping):
    """``labels`` with every id replaced by ``mapping[id]`` (a dict over all its ids)."""
    keys = np.array(sorted(mapping))
    return np.array([mapping[k] for k in keys])[np.searchsorted(keys, labels)]


def most_typical(pairs, n):
    """Index of the labelling with the highest mean ARI to the other ``n - 1`` (ties to the
    first), from :func:`pairwise_agreement`'s ``pairs``."""
    return int(np.argmax([np.mean([p[2] for p in pairs if i in p[:2]]) for i in range(n)]))


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
        aligned[s] = relabel(x, align(ref, x))
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


def seed_agreement(labellings, seeds, method="coassociation", min_group_share=0.1):
    """Everything the reports say about how far ``labellings`` (one per seed, config order)
    agree, and the consensus of them, as a JSON-ready record and the consensus labels.

    The reference is the labelling with the highest mean ARI to the others (the most
    typical seed; ties to the first), chosen without labels. ``method``: ``coassociation``
    (:func:`coassociation_consensus`) or ``vote`` (:func:`consensus`).
    """
    pairs, mean_ari, mean_nmi = pairwise_agreement(labellings)
    reference = most_typical(pairs, len(labellings))
    if method == "coassociation":
        labels, agreement = coassociation_consensus(labellings, reference, min_group_share)
    elif method == "vote":
        labels, agreement = consensus(labellings, reference)
    else:
        raise ValueError(f"consensus method must be coassociation or vote, got {method!r}")
    stability = cluster_stability(labellings)
    record = {
        "seeds": [int(s) for s in seeds],
        "mean_ari": mean_ari,
        "mean_nmi": mean_nmi,
        "pairs": [
            {"seeds": [int(seeds[i]), int(seeds[j])], "ari": ari, "nmi": nmi}
            for i, j, ari, nmi in pairs
        ],
        "method": method,
        "reference_seed": int(seeds[reference]),
        "cluster_stability": {
            str(seed): {str(c): v for c, v in s.items()} for seed, s in zip(seeds, stability)
        },
    } | consensus_record(labels, agreement, labellings)
    return labels, agreement, record


def consensus_record(labels, agreement, labellings):
    """What the record says of one consensus ``labels`` of ``labellings`` with per-point
    ``agreement``: ``unanimous_fraction`` and ``consensus_cluster_stability``."""
    best = [best_jaccard(labels, x) for x in labellings]
    return {
        "unanimous_fraction": float(np.mean(agreement == 1.0)),
        "consensus_cluster_stability": {
            str(c): float(np.mean([m[c] for m in best])) for c in best[0]
        },
    }


# At most this many of the most frequent signatures are joined by average linkage (O(M^2)
# memory, O(M^2) per join); every other point goes to the group it shares most with.
MAX_CORE_SIGNATURES = 1000


def _signatures(labellings):
    """The distinct rows of ``(labels in seed 0, ..., labels in seed S-1)``, most frequent
    first (ties by the row): ``(rows (U, S), point -> row (N,), counts (U,))``."""
    stacked = np.stack(labellings, axis=1)
    rows, inverse, counts = np.unique(stacked, axis=0, return_inverse=True, return_counts=True)
    order = np.lexsort((np.arange(len(rows)), -counts))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rows[order], rank[inverse.ravel()], counts[order]


def _average_linkage(similarity, weights, k):
    """Join nodes, weighted by ``weights``, by average linkage on ``similarity`` until ``k``
    groups are left (ties to the lowest indices). Returns each node's group, 0..k-1."""
    total = similarity * np.outer(weights, weights)
    size = weights.astype(np.float64)
    mean = total / np.outer(size, size)
    np.fill_diagonal(mean, -np.inf)
    group = np.arange(len(weights))
    gone = np.zeros(len(weights), dtype=bool)
    for _ in range(len(weights) - k):
        i, j = sorted(np.unravel_index(np.argmax(mean), mean.shape))
        total[i] += total[j]
        total[:, i] += total[:, j]
        size[i] += size[j]
        group[group == j] = i
        gone[j] = True
        mean[i] = mean[:, i] = np.where(gone, -np.inf, total[i] / (size[i] * size))
        mean[j] = mean[:, j] = mean[i, i] = -np.inf
    return np.unique(group, return_inverse=True)[1]


def coassociation_consensus(labellings, reference, min_group_share=0.1):
    """One labelling that follows what most seeds say of each pair of points, splits and
    merges included (evidence accumulation, on signatures instead of pairs of points).

    Points with the same cluster in every seed share a signature. Two signatures' similarity
    is the share of seeds that put them in one cluster (noise never counts). The
    signatures of at least ``min_group_share`` of an average cluster (N / K points for the
    reference's K clusters; at least 2 points, at most the MAX_CORE_SIGNATURES most
    frequent) are joined by average linkage, weighted by their points, into K clusters;
    every other point goes to the cluster whose points share its cluster in the most
    seeds, per point of that cluster (so no cluster rests on a handful of points). Points
    that are noise in more than half of the seeds stay noise. Returns ``(labels,
    agreement)`` as :func:`consensus` does, the agreement from each seed's clusters aligned
    to the result. Cost O(N log N + M^3) for M groups in the linkage.
    """
    labellings = _check(labellings)
    rows, inverse, counts = _signatures(labellings)
    clustered = (rows != NOISE).sum(axis=1) * 2 >= len(labellings)
    k = len(np.unique(labellings[reference][labellings[reference] != NOISE]))
    signature_label = np.full(len(rows), NOISE, dtype=np.int64)
    if k and clustered.any():
        core = clustered & (counts >= max(2, min_group_share * len(inverse) / k))
        if not core.any():  # every group is small: all take part
            core = clustered
        core &= np.cumsum(core) <= MAX_CORE_SIGNATURES
        core_rows = rows[core]
        shared = (core_rows[:, None] == core_rows[None, :]) & (core_rows[:, None] != NOISE)
        groups = _average_linkage(shared.mean(axis=2), counts[core], min(k, int(core.sum())))
        signature_label[core] = groups
        rest = np.flatnonzero(clustered & ~core)
        signature_label[rest] = _closest_group(rows, counts, core, groups, rest)
    labels = renumber(signature_label[inverse])
    return labels, point_agreement(labels, labellings)


def _closest_group(rows, counts, core, groups, rest, chunk_bytes=2**28):
    """For the signatures ``rest``: the group whose core points share their cluster in the
    most seeds, per point of the group (the mean co-association); NOISE when none does.
    Scored ``chunk_bytes`` of (signatures x groups) at a time."""
    n_groups = groups.max() + 1
    size = np.bincount(groups, weights=counts[core], minlength=n_groups)
    tables = []  # per seed: (its clusters x groups) core points, and each signature's row
    for s in range(rows.shape[1]):
        ids, index = np.unique(rows[:, s], return_inverse=True)
        table = np.zeros((len(ids), n_groups))
        np.add.at(table, (index[core], groups), counts[core])
        table[ids == NOISE] = 0.0
        tables.append((table / size, index))
    out = np.empty(len(rest), dtype=np.int64)
    step = max(1, chunk_bytes // (8 * n_groups))
    for start in range(0, len(rest), step):
        part = rest[start : start + step]
        score = sum(table[index[part]] for table, index in tables)
        out[start : start + step] = np.where(score.max(axis=1) > 0, score.argmax(axis=1), NOISE)
    return out


def point_agreement(labels, labellings):
    """Per point, the share of labellings whose cluster, aligned to ``labels``, is its own."""
    agree = np.zeros(len(labels), dtype=np.float32)
    for x in labellings:
        agree += relabel(x, align(labels, x)) == labels
    return agree / len(labellings)
