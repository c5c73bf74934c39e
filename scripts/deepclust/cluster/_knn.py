"""Exact Euclidean k nearest neighbours (scikit-learn's brute force)."""

import numpy as np
from sklearn.neighbors import NearestNeighbors


def exact_knn(x, k):
    """Exact Euclidean k nearest neighbours of every row among the other rows.

    Returns ``(indices int64 (N, k+1), distances float32 (N, k+1))`` with the point itself
    first (distance 0), as UMAP's ``precomputed_knn`` expects. scikit-learn's brute-force
    search (chunked matmul plus argpartition): deterministic for a given machine and
    thread count, memory O(chunk * N).
    """
    x = np.ascontiguousarray(x, dtype=np.float32)
    n = len(x)
    k1 = min(k + 1, n)
    dists, indices = NearestNeighbors(n_neighbors=k1, algorithm="brute").fit(x).kneighbors(x)
    indices = indices.astype(np.int64)
    rows = np.arange(n)
    for i in np.flatnonzero(indices[:, 0] != rows):  # duplicates can put another point first
        others = indices[i][indices[i] != i][: k1 - 1]
        indices[i] = np.concatenate([[i], others])
        dists[i] = np.concatenate([[0.0], np.linalg.norm(x[others] - x[i], axis=1)])
    dists[:, 0] = 0.0
    return indices, dists.astype(np.float32)
