"""DBSCAN: exact up to ``exact_max`` points, on an NN-descent kNN graph above it."""

from sklearn.cluster import DBSCAN

from ..knee import auto_eps, sample_size_for
from ..neighbours import dbscan_knn, knn_graph
from ._predict import CorePoints


def dbscan(x, params, seed):
    """DBSCAN; ``eps: auto`` takes eps at the knee of the k-distance curve
    (:func:`deepclust.knee.auto_eps`) and records it with the knee's position.

    Up to ``exact_max`` points (null: always) scikit-learn's exact DBSCAN, O(N^2) in 64
    dimensions, and the exact k-distance curve. Above it: eps auto from a seeded sample of
    ``kdistance_sample`` points (each point's k-distance exact), and DBSCAN on a
    ``knn_neighbors``-nearest-neighbour graph from NN-descent
    (:func:`deepclust.neighbours.dbscan_knn`), about O(N log N). ``used["exactness"]``
    says which parts were exact and which estimated. New points: the cluster of the
    nearest core point within eps, else noise.
    """
    eps, min_samples, exact_max = params["eps"], params["min_samples"], params["exact_max"]
    # checks exact_max and kdistance_sample whatever eps is
    sample_size = sample_size_for(len(x), exact_max, params["kdistance_sample"])
    used, exactness = {}, {}
    if eps == "auto":
        used, exactness["eps"] = _dbscan_auto_eps(x, min_samples, sample_size, seed)
        eps = used["eps"]
    elif isinstance(eps, bool) or not isinstance(eps, (int, float)) or eps <= 0:
        raise ValueError(f"dbscan eps must be a positive number or 'auto', got {eps!r}")
    if exact_max is None or len(x) <= exact_max:
        labels, core, exactness["dbscan_neighbours"] = _dbscan_exact(x, eps, min_samples, exact_max)
    else:
        labels, core, knn_used, exactness["dbscan_neighbours"] = _dbscan_on_knn_graph(
            x, eps, min_samples, params["knn_neighbors"], exact_max, seed
        )
        used.update(knn_used)
    used["exactness"] = exactness
    return labels, used, CorePoints(x[core], labels[core], eps)


def _dbscan_auto_eps(x, min_samples, sample_size, seed):
    """DBSCAN's ``eps: auto``: ``(used, note)``, what it records (eps, the knee's position,
    the sample size when sampled) and how exact it is. ``sample_size`` None: all points."""
    eps, curve, index = auto_eps(x, min_samples, sample_size, seed)
    used = {
        "eps": eps,
        "eps_auto": True,
        "eps_knee_index": int(index),
        "eps_knee_quantile": float(index / max(len(curve) - 1, 1)),
    }
    if sample_size is None:
        return used, f"exact: knee of the k-distance curve of all {len(x)} points"
    used["eps_sample_size"] = len(curve)
    return used, (
        f"estimated: knee of the k-distance curve of a seeded sample of {len(curve)} of "
        f"{len(x)} points (seed {seed}; each sampled point's k-distance exact among all "
        "points)"
    )


def _dbscan_exact(x, eps, min_samples, exact_max):
    """scikit-learn's exact DBSCAN of ``x``: ``(labels, core point indices, note)``."""
    model = DBSCAN(eps=eps, min_samples=min_samples).fit(x)
    labels = model.labels_
    limit = "no limit" if exact_max is None else f"{len(x)} <= exact_max {exact_max}"
    return (
        labels,
        model.core_sample_indices_,
        f"exact (scikit-learn DBSCAN, brute-force eps-neighbourhoods; {limit})",
    )


def _dbscan_on_knn_graph(x, eps, min_samples, k, exact_max, seed):
    """DBSCAN of ``x`` on its ``k``-nearest-neighbour graph from NN-descent:
    ``(labels, core mask, used, note)``, ``used`` the graph's core point counts."""
    if isinstance(k, bool) or not isinstance(k, int) or k < max(min_samples - 1, 1):
        raise ValueError(
            f"dbscan knn_neighbors must be an integer of at least min_samples - 1 "
            f"({max(min_samples - 1, 1)}), got {k!r}"
        )
    labels, info = dbscan_knn(*knn_graph(x, k, seed), eps, min_samples)
    used = {"knn_core_points": info["n_core"], "knn_saturated_core_points": info["n_saturated"]}
    note = (
        f"approximate: {len(x)} > exact_max {exact_max}; DBSCAN on a {k}-nearest-neighbour "
        f"graph from NN-descent (pynndescent, seed {seed}): core points from the graph's "
        f"(min_samples-1)-th neighbour distance, clusters = connected components of core "
        f"points over graph edges <= eps ({info['n_saturated']} of {info['n_core']} core "
        f"points have all {k} graph neighbours within eps and may miss further links), "
        "border points join their nearest core neighbour"
    )
    return labels, info["core"], used, note
