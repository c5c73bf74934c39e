"""More criteria for the number of clusters K, all label-free, compared on many sets by
tests/benchmarks/bench_kcriteria.py (docs/benchmarks.md). NumPy in, :class:`KSelection` out.

Every criterion scores candidates ``ks`` on a space ``z`` (UMAP coordinates, or the
embedding), the same space the final clustering uses:

- ``eigengap``: the normalised Laplacian of the symmetric kNN graph of ``z``; K before the
  largest gap between consecutive smallest eigenvalues (K loosely joined groups give K
  eigenvalues near 0). Sparse: one kNN search (tree, N log N) and ``eigsh``.
- ``silhouette``: mean silhouette of k-means of each K on ``z`` (in UMAP space, not the raw
  embedding), estimated from a seeded sample of points.
- ``stability``: k-means of each K on two seeded halves of the points, each predicting all;
  the mean ARI of the two labellings over ``pairs`` draws. The largest K near the highest
  wins.
- ``prediction_strength`` (Tibshirani & Walther 2005): k-means on a seeded half predicts
  the other half; per cluster of the other half's own k-means, the share of its pairs kept
  together; the minimum over clusters. The largest K whose strength is at least
  ``threshold`` wins.
- ``hdbscan``: HDBSCAN's number of clusters on ``z`` for a few minimum cluster sizes
  (N / (f x k_max)); the count most of them give wins (ties: the larger size's).

:func:`median_selection` takes the median of several criteria's K (umap_gmm's ``median``:
the four of :data:`MEDIAN_OF` and the merge gap).

:func:`select_k` runs one of them on a seeded sample of ``k_sample`` points when there are
more (:func:`deepclust.kselect.sweep_indices`).
"""

import numpy as np

from .kselect import KSelection, best_k, silhouette_curve, sweep_indices


def knn_graph(z, n_neighbors):
    """Symmetric 0/1 kNN graph of ``z`` (scipy CSR ``(N, N)``, no self loops)."""
    from sklearn.neighbors import kneighbors_graph

    n_neighbors = min(int(n_neighbors), len(z) - 1)
    graph = kneighbors_graph(z, n_neighbors, mode="connectivity", include_self=False)
    return graph.maximum(graph.T).tocsr()


def _spectrum(graph, count, seed):
    """The ``count`` smallest eigenvalues of the normalised Laplacian of a connected graph."""
    import scipy.sparse as sp
    from scipy.sparse.linalg import eigsh

    n = graph.shape[0]
    degree = np.asarray(graph.sum(axis=1)).ravel()
    scale = sp.diags(1.0 / np.sqrt(np.maximum(degree, 1e-12)))
    adjacency = scale @ graph @ scale
    if n <= max(2000, 3 * count):  # small: dense is exact and fast
        values = np.linalg.eigvalsh(adjacency.toarray())[::-1][:count]
    else:
        v0 = np.random.default_rng(seed).random(n)
        values = eigsh(adjacency, k=count, which="LA", v0=v0, tol=1e-8, return_eigenvectors=False)
    return 1.0 - np.asarray(values, dtype=np.float64)


def laplacian_spectrum(graph, count, seed, min_share=0.005):
    """The ``count`` smallest eigenvalues (ascending, float64) of the normalised Laplacian
    ``I - D^-1/2 A D^-1/2`` of ``graph``, found per connected component (a Krylov solver
    misses repeated eigenvalues, e.g. one 0 per component) and merged. Components of fewer
    than ``min_share`` of the points (stray islands) are left out."""
    from scipy.sparse.csgraph import connected_components

    _, component = connected_components(graph, directed=False)
    sizes = np.bincount(component)
    values = []
    for c in np.flatnonzero(sizes >= max(2, min_share * graph.shape[0])):
        members = np.flatnonzero(component == c)
        part = graph[members][:, members]
        values.append(_spectrum(part, min(count, len(members) - 1), seed))
    return np.sort(np.concatenate(values))[:count]


def eigengap_curve(z, ks, n_neighbors=15, seed=0):
    """Score of K: the gap ``lambda_{K+1} - lambda_K`` of the normalised Laplacian's
    eigenvalues (1-based, ascending) of the kNN graph of ``z``; highest wins."""
    ks = np.asarray(ks, dtype=np.int64)
    values = laplacian_spectrum(knn_graph(z, n_neighbors), int(ks.max()) + 1, seed)
    score = np.array([values[k] - values[k - 1] if k < len(values) else 0.0 for k in ks])
    return KSelection("eigengap", ks, score, "higher", best_k(ks, score, "higher"))


def _kmeans(z, k, seed, n_init=3):
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=int(k), n_init=n_init, random_state=seed).fit(z)


def silhouette_space_curve(z, ks, seed=0, sample_size=2000):
    """Mean silhouette of k-means of each K on ``z`` (from ``sample_size`` seeded points,
    :func:`deepclust.kselect.silhouette_curve`); highest wins."""
    return silhouette_curve(z, ks, lambda k: _kmeans(z, k, seed).labels_, sample_size, seed)


def _halves(n, rng):
    order = rng.permutation(n)
    return np.sort(order[: n // 2]), np.sort(order[n // 2 :])


def stability_curve(z, ks, seed=0, pairs=2, tolerance=0.02):
    """Mean ARI over ``pairs`` draws of two k-means, each fitted on one seeded half of
    ``z`` and predicting all points. The largest K within ``tolerance`` of the highest
    wins (merging whole groups is stable too, so K 2 often ties with the true K)."""
    from sklearn.metrics import adjusted_rand_score

    ks = np.asarray(ks, dtype=np.int64)
    rng = np.random.default_rng(seed)
    draws = [_halves(len(z), rng) for _ in range(pairs)]
    score = np.zeros(len(ks))
    for i, k in enumerate(ks):
        aris = []
        for d, (a, b) in enumerate(draws):
            la = _kmeans(z[a], k, seed + d, n_init=1).predict(z)
            lb = _kmeans(z[b], k, seed + d, n_init=1).predict(z)
            aris.append(adjusted_rand_score(la, lb))
        score[i] = np.mean(aris)
    chosen = int(ks[np.flatnonzero(score >= score.max() - tolerance)[-1]])
    return KSelection("stability", ks, score, "higher", chosen)


def _strength(test_labels, predicted):
    """Per cluster of ``test_labels``, the share of its pairs ``predicted`` keeps together;
    the minimum over clusters with at least 2 points."""
    ids_t, it = np.unique(test_labels, return_inverse=True)
    ids_p, ip = np.unique(predicted, return_inverse=True)
    table = np.bincount(it * len(ids_p) + ip, minlength=len(ids_t) * len(ids_p))
    table = table.reshape(len(ids_t), len(ids_p)).astype(float)
    size = table.sum(axis=1)
    keep = size >= 2
    together = (table * (table - 1)).sum(axis=1)[keep]
    return float(np.min(together / (size[keep] * (size[keep] - 1))))


def prediction_strength_curve(z, ks, seed=0, threshold=0.8):
    """Prediction strength of each K (one seeded split in halves); the largest K of
    strength at least ``threshold`` wins (none: the strongest)."""
    ks = np.asarray(ks, dtype=np.int64)
    train, test = _halves(len(z), np.random.default_rng(seed))
    score = np.array(
        [
            _strength(
                _kmeans(z[test], k, seed).labels_, _kmeans(z[train], k, seed).predict(z[test])
            )
            for k in ks
        ]
    )
    passing = np.flatnonzero(score >= threshold)
    chosen = int(ks[passing[-1]]) if len(passing) else best_k(ks, score, "higher")
    return KSelection("prediction_strength", ks, score, "higher", chosen)


def hdbscan_curve(z, ks, fractions=(1, 2, 4)):
    """HDBSCAN on ``z`` with ``min_cluster_size`` N / (f x max K) for f in ``fractions``;
    score of K: how many of the runs found K clusters (noise aside). The most found wins,
    ties to the run of the larger size; a count outside ``ks`` is clipped into it."""
    from sklearn.cluster import HDBSCAN

    ks = np.asarray(ks, dtype=np.int64)
    score = np.zeros(len(ks))
    first = {}
    for rank, f in enumerate(fractions):
        size = max(5, len(z) // (int(f) * int(ks.max())))
        labels = HDBSCAN(min_cluster_size=size, copy=True).fit_predict(z)
        count = int(np.clip(len(np.unique(labels[labels >= 0])), ks.min(), ks.max()))
        score[count - ks.min()] += 1
        first.setdefault(count, rank)
    top = np.flatnonzero(score == score.max())
    chosen = int(min((first[int(ks[i])], int(ks[i])) for i in top)[1])
    return KSelection("hdbscan", ks, score, "higher", chosen)


K_CRITERIA = {
    "eigengap": eigengap_curve,
    "silhouette": silhouette_space_curve,
    "stability": stability_curve,
    "prediction_strength": prediction_strength_curve,
    "hdbscan": lambda z, ks, seed=0: hdbscan_curve(z, ks),
}


# the criteria whose median K ``median_selection`` takes (with umap_gmm's merge gap)
MEDIAN_OF = ("eigengap", "silhouette", "prediction_strength", "hdbscan")


def median_selection(selections, ks):
    """A :class:`KSelection` "median": the median of the ``selections``' chosen K (an odd
    number of them, so it is one of theirs); score of K: how many chose it."""
    chosen = [int(s.chosen) for s in selections]
    ks = np.asarray(ks, dtype=np.int64)
    votes = np.array([chosen.count(int(k)) for k in ks], dtype=np.float64)
    return KSelection("median", ks, votes, "higher", int(np.median(chosen)))


def median_votes(z, ks, seed, k_sample, known=None):
    """The :class:`KSelection` of each criterion of :data:`MEDIAN_OF` on ``z`` (by
    :func:`select_k`), in that order; ``known`` maps a criterion to a selection already made."""
    known = known or {}
    return [
        known[name] if name in known else select_k(z, ks, name, seed, k_sample)[0]
        for name in MEDIAN_OF
    ]


def select_k(z, ks, criterion, seed, k_sample):
    """``(KSelection, note)``: ``criterion`` (a key of K_CRITERIA) on ``z``, or on a seeded
    sample of ``k_sample`` of its points when there are more; ``note`` says which."""
    if criterion not in K_CRITERIA:
        raise ValueError(f"unknown K criterion {criterion!r}; known: {sorted(K_CRITERIA)}")
    index = sweep_indices(len(z), k_sample, seed)
    z = np.asarray(z, dtype=np.float64)
    ks = np.asarray(ks, dtype=np.int64)
    ks = ks[ks < len(index)]
    if len(index) == len(z):
        note = f"{criterion} on all {len(z)} points"
    else:
        note = f"{criterion} on a seeded sample of {len(index)} of {len(z)} points (k_sample)"
    return K_CRITERIA[criterion](z[index], ks, seed=seed), note
