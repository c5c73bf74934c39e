"""Joining clusters by kNN connectivity: the merge order, its cuts, and merging to K."""

import numpy as np
from sklearn.neighbors import NearestNeighbors


def merge_order(z, labels, n_neighbors):
    """The order in which :func:`merge_clusters` joins the clusters of ``labels`` (int
    ``(N,)``, no noise), down to one, on the kNN graph of ``z`` (float ``(N, D)``).

    Link of two clusters: the number of kNN edges between them divided by the size of
    the smaller one; each step joins the pair of strongest link. Returns ``(index,
    merges, links)``: int64 ``(N,)`` each point's cluster among ``np.unique(labels)``,
    int64 ``(k - 1, 2)`` the pairs ``(i, j)`` (j joined into i) in order, and float64
    ``(k - 1,)`` the link of each when joined.
    """
    clusters, index = np.unique(np.asarray(labels), return_inverse=True)
    k = len(clusters)
    n_neighbors = min(n_neighbors, len(z) - 1)
    _, neighbours = NearestNeighbors(n_neighbors=n_neighbors + 1).fit(z).kneighbors(z)
    edges = np.zeros((k, k))
    np.add.at(edges, (np.repeat(index, n_neighbors), index[neighbours[:, 1:].ravel()]), 1.0)
    edges += edges.T
    sizes = np.bincount(index, minlength=k).astype(float)
    alive = np.ones(k, bool)
    merges, links = [], []
    for _ in range(k - 1):
        link = edges / np.minimum.outer(sizes, sizes)
        link[~alive] = link[:, ~alive] = -1.0
        np.fill_diagonal(link, -1.0)
        i, j = np.unravel_index(np.argmax(link), link.shape)
        merges.append((i, j))
        links.append(link[i, j])
        edges[i] += edges[j]
        edges[:, i] += edges[:, j]
        sizes[i] += sizes[j]
        alive[j] = False
    return index.astype(np.int64), np.array(merges, np.int64).reshape(-1, 2), np.array(links)


def apply_merges(index, merges, n_clusters):
    """Labels after the first ``len(merges) + 1 - n_clusters`` merges of
    :func:`merge_order`, numbered 0..n_clusters-1 in the order of the smallest original
    cluster id each merged cluster holds (int64 ``(N,)``)."""
    k = len(merges) + 1
    if not 1 <= n_clusters <= k:
        raise ValueError(f"cannot merge {k} clusters into {n_clusters}")
    group = np.arange(k)  # merged cluster of each original cluster
    for i, j in merges[: k - n_clusters]:
        group[group == j] = i
    _, merged = np.unique(group, return_inverse=True)
    return merged[index].astype(np.int64)


def merge_clusters(z, labels, n_clusters, n_neighbors):
    """Merge clusters of ``labels`` (int ``(N,)``, no noise) until ``n_clusters`` remain,
    always joining the two most connected in the kNN graph of ``z`` (float ``(N, D)``):
    the number of kNN edges between them divided by the size of the smaller one. Clusters
    that halve one class share most of their boundary, so they are joined before clusters
    of different classes. A tree search (KD-tree) and one pass over the edges: cost
    O(N log N) plus O(K^3) for K clusters, never all pairs of points.

    Returns int64 labels ``(N,)`` numbered 0..n_clusters-1 in the order of the smallest
    original cluster id each merged cluster holds; deterministic for given inputs.
    """
    k = len(np.unique(np.asarray(labels)))
    if not 1 <= n_clusters <= k:
        raise ValueError(f"cannot merge {k} clusters into {n_clusters}")
    index, merges, _ = merge_order(z, labels, n_neighbors)
    return apply_merges(index, merges, n_clusters)
