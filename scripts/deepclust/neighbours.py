"""Neighbour search that scales: an approximate kNN graph and DBSCAN on it (numpy in/out).

Exact DBSCAN needs every point's eps-neighbourhood; in 64 dimensions scikit-learn does
that by brute force, O(N^2) (9 s at 60,000 points, 177 s at 300,000 on 2 cores), and a
KD- or ball tree is slower still there. :func:`knn_graph` builds the k-nearest-neighbour
graph with NN-descent (pynndescent; random-projection-tree initialisation, seeded,
about O(N log N)), and :func:`dbscan_knn` runs DBSCAN's definitions on that graph:

- core point: its (min_samples - 1)-th nearest other point lies within eps (scikit-learn
  counts the point itself in min_samples). Exact wherever that neighbour is (NN-descent
  finds it for about 99.5% of points); where it misses, the distance is overestimated and
  a core point can be taken for a non-core one, never the reverse.
- clusters: connected components of the core points joined by graph edges of length
  <= eps. A core point with more than k neighbours within eps ("saturated") only links to
  its k nearest; its clusters stay joined through chains of closer points in practice.
- border points: a non-core point has fewer than min_samples - 1 others within eps, so
  all of them are among its k nearest: it joins the cluster of its nearest core
  neighbour within eps (scikit-learn gives it the first cluster that reaches it instead).

Clusters are numbered by their lowest-index core point, as scikit-learn numbers them.
"""

import numpy as np

from .labels import NOISE


def knn_graph(x, k, random_state=0, chunk_rows=1 << 20):
    """Approximate k nearest other points of every row of ``x`` ``(N, D)`` (Euclidean).

    Returns ``(indices int64 (N, k), distances float64 (N, k))``, each row ascending by
    distance, the point itself left out (an exact duplicate of it stays in); a slot that
    NN-descent could not fill holds index -1 and distance inf. Deterministic for a given
    ``random_state`` and thread count; runs on numba's current number of threads
    (``numba.set_num_threads``). pynndescent's functions are compiled on first use and
    cached on disk (:mod:`deepclust.jitcache`); those that take the distance function as an
    argument cannot be cached and compile again in every process.
    """
    import warnings

    import pynndescent

    from .jitcache import cache_jitted

    cache_jitted("pynndescent")

    x = np.ascontiguousarray(x, dtype=np.float32)
    n = len(x)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k < n:
        raise ValueError(
            f"knn_neighbors must be an integer between 1 and {n - 1} (rows - 1), got {k!r}"
        )
    with warnings.catch_warnings():  # numba: the ones it cannot cache
        warnings.filterwarnings("ignore", message="Cannot cache compiled function")
        index = pynndescent.NNDescent(
            x,
            n_neighbors=k + 1,
            metric="euclidean",
            random_state=random_state,
            n_jobs=-1,
            compressed=True,
        )
        graph = index.neighbor_graph
    del index  # its own copy of the graph; what follows goes in row chunks (memory)
    indices, distances = np.empty((n, k), np.int64), np.empty((n, k), np.float64)
    for a in range(0, n, chunk_rows):
        rows = slice(a, min(a + chunk_rows, n))
        indices[rows], distances[rows] = _without_self(graph[0][rows], graph[1][rows], a)
    missing = indices < 0
    indices[missing], distances[missing] = -1, np.inf
    return indices, distances


def _without_self(indices, distances, first_row):
    """Rows of NN-descent's graph (``first_row`` the index of the first) with each row's
    own index dropped; a row without it (k + 1 exact duplicates) drops its last."""
    indices = indices.astype(np.int64)
    own = indices == np.arange(first_row, first_row + len(indices))[:, None]
    own[~own.any(axis=1), -1] = True
    own &= np.cumsum(own, axis=1) == 1
    keep = ~own
    k = indices.shape[1] - 1
    return indices[keep].reshape(-1, k), distances.astype(np.float64)[keep].reshape(-1, k)


def _check_graph(indices, distances, eps, min_samples):
    """dbscan_knn's arguments checked; returns ``indices`` and ``distances`` as arrays."""
    indices = np.asarray(indices)
    distances = np.asarray(distances)
    n, k = indices.shape
    if distances.shape != (n, k):
        raise ValueError(
            f"distances shape {distances.shape} differs from indices shape {indices.shape}"
        )
    if (
        isinstance(min_samples, bool)
        or not isinstance(min_samples, (int, np.integer))
        or min_samples < 1
    ):
        raise ValueError(f"min_samples must be a positive integer, got {min_samples!r}")
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps!r}")
    if k < min_samples - 1:
        raise ValueError(
            f"knn_neighbors ({k}) must be at least min_samples - 1 ({min_samples - 1})"
        )
    return indices, distances


def dbscan_knn(indices, distances, eps, min_samples, chunk_rows=1 << 20):
    """DBSCAN labels from a kNN graph (see the module docstring for what is exact).

    ``indices`` int ``(N, k)`` and ``distances`` float ``(N, k)`` as :func:`knn_graph`
    returns them (rows ascending, self excluded, -1/inf for empty slots), with
    ``k >= min_samples - 1``. Returns ``(labels int64 (N,), info)``; ``info`` holds
    ``n_core``, ``n_saturated`` (core points with all k neighbours within eps, whose
    further eps-neighbours the graph does not see) and ``core`` (bool ``(N,)``).
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    indices, distances = _check_graph(indices, distances, eps, min_samples)
    n, k = indices.shape
    within = distances <= eps
    core = np.ones(n, bool) if min_samples == 1 else within[:, min_samples - 2]
    labels = np.full(n, NOISE, dtype=np.int64)
    n_core = int(core.sum())
    if n_core:
        # a neighbour within eps that is a core point (rows ascending by distance)
        reach = _reaches_core(indices, within, core, chunk_rows)
        rows, cols = _core_edges(indices, reach, core, chunk_rows)
        graph = coo_matrix((np.ones(len(rows), np.int8), (rows, cols)), shape=(n, n))
        _, component = connected_components(graph.tocsr(), directed=True, connection="weak")
        # Number clusters by their lowest-index core point, as scikit-learn's DBSCAN does.
        core_ids = np.flatnonzero(core)
        first = np.full(n, n, dtype=np.int64)
        np.minimum.at(first, component[core_ids], core_ids)
        labels[core_ids] = np.unique(first[component[core_ids]], return_inverse=True)[1]
        # Border points: the nearest core neighbour within eps.
        border = ~core & reach.any(axis=1)
        nearest = indices[border, np.argmax(reach[border], axis=1)]
        labels[border] = labels[nearest]
    n_saturated = int((core & within[:, -1]).sum()) if k else 0
    return labels, {"n_core": n_core, "n_saturated": n_saturated, "core": core}


def _reaches_core(indices, within, core, chunk_rows):
    """bool ``(N, k)``: the neighbour is a point (not an empty slot), within eps, and core."""
    reach = np.empty(within.shape, bool)
    for a in range(0, len(indices), chunk_rows):
        rows = slice(a, a + chunk_rows)
        neighbour = indices[rows]
        reach[rows] = within[rows] & core[np.maximum(neighbour, 0)] & (neighbour >= 0)
    return reach


def _core_edges(indices, reach, core, chunk_rows):
    """``(rows, cols)``: the graph's edges between core points within eps, row by row;
    int32 when the indices fit (half the memory of int64)."""
    dtype = np.int32 if len(indices) < np.iinfo(np.int32).max else np.int64
    rows, cols = [], []
    for a in range(0, len(indices), chunk_rows):
        chunk = slice(a, a + chunk_rows)
        row, slot = np.nonzero(reach[chunk] & core[chunk, None])
        rows.append((row + a).astype(dtype))
        cols.append(indices[chunk][row, slot].astype(dtype))
    return np.concatenate(rows), np.concatenate(cols)
