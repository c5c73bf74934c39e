"""Scores of a clustering: silhouette on the embeddings, accuracy/NMI/ARI against labels."""

import numpy as np

from .labels import NO_LABEL, NOISE


def contingency(true, pred):
    """Counts ``(n_pred_clusters, n_true_classes)`` and the two label lists."""
    pred_ids, pred_idx = np.unique(pred, return_inverse=True)
    true_ids, true_idx = np.unique(true, return_inverse=True)
    table = np.zeros((len(pred_ids), len(true_ids)), dtype=np.int64)
    np.add.at(table, (pred_idx, true_idx), 1)
    return table, pred_ids, true_ids


def match_clusters(true, pred):
    """Hungarian matching of cluster ids to classes maximising agreement.

    Returns ``{cluster_id: class_id}``; noise and clusters left over when there are
    more clusters than classes are not in the mapping.
    """
    from scipy.optimize import linear_sum_assignment

    keep = pred != NOISE
    table, pred_ids, true_ids = contingency(true[keep], pred[keep])
    rows, cols = linear_sum_assignment(table, maximize=True)
    return {int(pred_ids[r]): int(true_ids[c]) for r, c in zip(rows, cols)}


def cluster_accuracy(true, pred):
    """Fraction of points whose cluster maps to their class (noise counts as wrong)."""
    true, pred = np.asarray(true), np.asarray(pred)
    if len(true) != len(pred) or len(true) == 0:
        raise ValueError(
            f"true and pred must be non-empty and equally long, got {len(true)} and {len(pred)}"
        )
    mapping = match_clusters(true, pred)
    mapped = np.array([mapping.get(int(p), NO_LABEL - 1) for p in pred])
    return float(np.mean(mapped == true))


def silhouette(x, pred, exact_max, sample_size, seed):
    """Silhouette over the non-noise points, exact or estimated.

    Exact when there are at most ``exact_max`` non-noise points (``None``: always), or no
    more than ``sample_size``; otherwise estimated from a seeded sample of ``sample_size``
    of them, each scored against all (``silhouette.silhouette_estimate``).
    Returns ``(value, ci95, how)``: ``ci95`` is ``[low, high]`` for an estimate and ``None``
    when exact; ``value`` is ``None`` with the reason in ``how`` when it is undefined.
    """
    keep = pred != NOISE
    x, pred = x[keep], pred[keep]
    n = len(pred)
    n_clusters = len(np.unique(pred))
    if n_clusters < 2:
        return None, None, f"undefined: {n_clusters} cluster(s) outside noise, need at least 2"
    if n_clusters >= n:
        return None, None, "undefined: every point is its own cluster"
    # numba: imported only where it is used
    from .silhouette import silhouette_estimate, silhouette_exact

    if exact_max is None or n <= max(exact_max, sample_size):
        return silhouette_exact(x, pred), None, f"exact over {n} non-noise points"
    est = silhouette_estimate(x, pred, sample_size, seed)
    ci95 = [est.ci_low, est.ci_high]
    return (
        est.value,
        ci95,
        (
            f"estimated from {sample_size} of {n} non-noise points, each against all {n}; "
            f"95% CI [{ci95[0]:.4f}, {ci95[1]:.4f}]"
        ),
    )


def evaluate(x, pred, true, silhouette_exact_max, silhouette_sample_size, seed):
    """All scores of one clustering as a JSON-ready dict.

    ``exactness`` maps each computed quantity to a sentence starting "exact" or "estimated";
    an undefined silhouette is left out of it.
    """
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    pred = np.asarray(pred)
    true = np.asarray(true)
    noise = pred == NOISE
    score, ci95, how = silhouette(x, pred, silhouette_exact_max, silhouette_sample_size, seed)
    result = {
        "n_samples": int(len(pred)),
        "n_clusters": int(len(np.unique(pred[~noise]))),
        "noise_fraction": float(noise.mean()),
        "silhouette": score,
        "silhouette_method": how,
        "silhouette_ci95": ci95,
        "exactness": {} if score is None else {"silhouette": how},
    }
    if (true == NO_LABEL).all():
        external = dict.fromkeys(("accuracy", "nmi", "ari"))
        external["external_metrics"] = "not available: the dataset has no labels"
    else:
        external = {
            "accuracy": cluster_accuracy(true, pred),
            "nmi": float(normalized_mutual_info_score(true, pred)),
            "ari": float(adjusted_rand_score(true, pred)),
            "external_metrics": "against the dataset labels; noise counts as wrong for accuracy",
        }
    return result | external


def confusion_after_matching(true, pred):
    """Confusion matrix of classes vs clusters, clusters ordered by their matched class.

    Returns ``(counts, classes, columns)``: int64 ``(n_classes, n_columns)``, the sorted
    class ids, and one ``(cluster_id, matched_class or None)`` per column. Matched clusters
    come first (in class order, so agreement lies on the diagonal), then unmatched
    clusters, then noise (cluster id -1) when present.
    """
    true, pred = np.asarray(true), np.asarray(pred)
    mapping = match_clusters(true, pred)
    clusters = [int(c) for c in np.unique(pred)]
    matched = sorted(mapping, key=mapping.get)
    rest = [c for c in clusters if c not in mapping and c != NOISE]
    order = matched + rest + ([NOISE] if NOISE in clusters else [])
    classes = np.unique(true)
    counts = np.zeros((len(classes), len(order)), dtype=np.int64)
    column = {c: j for j, c in enumerate(order)}
    np.add.at(counts, (np.searchsorted(classes, true), [column[int(p)] for p in pred]), 1)
    return counts, classes, [(c, mapping.get(c)) for c in order]
