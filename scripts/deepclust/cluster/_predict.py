"""Fitted clusterings that place new points: what a cluster job saves as model.pkl, so
that images of a follower dataset (``assign_to``) join the clusters without a refit.

Each model has ``predict(x) -> (labels, far)``: int64 cluster ids (-1 noise) and a bool
per point, True where the point lies farther from every cluster than nearly all (by
default 99%, ``FAR_QUANTILE``) of the training points lay from theirs:

- :class:`NearestCentre` (K-Means: its centres; agglomerative: each cluster's centroid,
  Ward has no rule for new points): the nearest centre; far beyond that cluster's
  99th-percentile member distance.
- :class:`Mixture` (gmm; umap_gmm with UMAP's transform first and the merge map of its
  over-clustering): the component of highest posterior; far below the 1st percentile of
  the training points' log density.
- :class:`CorePoints` (DBSCAN: core points within eps; HDBSCAN: clustered points within
  their own core distance): the nearest such point's cluster, else noise (= far).
"""

import numpy as np
from sklearn.neighbors import NearestNeighbors

from ..labels import NOISE

FAR_QUANTILE = 0.99
CHUNK = 4096


def save_model(path, model):
    """Pickle a fitted ``model`` to ``path`` atomically, with joblib (compressed)."""
    import joblib

    from ..io import atomic_path

    with atomic_path(path) as tmp:
        joblib.dump(model, tmp, compress=3)


def load_model(path):
    """A model :func:`save_model` wrote (only the workflow's own files: unpickling runs
    code)."""
    import joblib

    return joblib.load(path)


def _chunks(x, chunk=CHUNK):
    for a in range(0, len(x), chunk):
        yield a, np.asarray(x[a : a + chunk], dtype=np.float64)


class NearestCentre:
    """The nearest of ``centres`` (float ``(K, D)``) whose cluster ids are ``ids``."""

    def __init__(self, centres, ids, x):
        self.centres = np.asarray(centres, dtype=np.float64)
        self.ids = np.asarray(ids, dtype=np.int64)
        # each centre's limit: the quantile of the training points' distances to it among
        # those it is nearest to (inf: none)
        d, nearest = self._nearest(x)
        self.limit = np.full(len(self.ids), np.inf)
        for c in np.unique(nearest):
            self.limit[c] = np.quantile(d[nearest == c], FAR_QUANTILE)

    def _nearest(self, x):
        dist, index = np.empty(len(x)), np.empty(len(x), np.int64)
        sq = (self.centres**2).sum(1)
        for a, part in _chunks(x):
            d2 = (part**2).sum(1)[:, None] - 2 * part @ self.centres.T + sq
            index[a : a + len(part)] = d2.argmin(1)
            dist[a : a + len(part)] = np.sqrt(np.maximum(d2.min(1), 0))
        return dist, index

    def predict(self, x):
        d, nearest = self._nearest(x)
        return self.ids[nearest], d > self.limit[nearest]


def centroids(x, labels):
    """``(centres, ids)``: the mean of each cluster of ``labels`` (noise left out)."""
    labels = np.asarray(labels)
    ids = np.unique(labels[labels != NOISE])
    return np.stack([np.asarray(x[labels == i], np.float64).mean(0) for i in ids]), ids


class Mixture:
    """A fitted GaussianMixture; ``cluster_of[component]`` the cluster of each component
    (None: the component itself); ``reducer`` a fitted UMAP applied first (None: none)."""

    def __init__(self, mixture, points, cluster_of=None, reducer=None):
        self.mixture, self.reducer = mixture, reducer
        self.cluster_of = None if cluster_of is None else np.asarray(cluster_of, np.int64)
        self.floor = float(np.quantile(mixture.score_samples(points), 1 - FAR_QUANTILE))

    def _space(self, x):
        if self.reducer is None:
            return np.asarray(x, dtype=np.float64)
        from ._umap import umap_place

        chunk = 100_000
        if getattr(self.reducer, "_knn_search_index", True) is None:
            # knn: exact handed UMAP no search index, so its transform would refuse: it
            # takes exact distances to the training points instead (umap-learn 0.5's path
            # for small data), in chunks of 1,000 points against all of them
            del self.reducer._knn_search_index
            self.reducer._small_data, chunk = True, 1000
        return umap_place(self.reducer, x, chunk=chunk)

    def predict(self, x):
        z = self._space(x)
        components = self.mixture.predict(z)
        labels = components if self.cluster_of is None else self.cluster_of[components]
        return np.asarray(labels, np.int64), self.mixture.score_samples(z) < self.floor


class CorePoints:
    """The cluster of the nearest of ``points`` (``labels`` theirs) if within its
    ``radius`` (one number, or one per point), else noise."""

    def __init__(self, points, labels, radius):
        self.points = np.asarray(points, dtype=np.float32)
        self.labels = np.asarray(labels, dtype=np.int64)
        self.radius = np.broadcast_to(np.asarray(radius, np.float64), len(self.points)).copy()

    def predict(self, x):
        labels = np.full(len(x), NOISE, np.int64)
        if len(self.points):
            index = NearestNeighbors(n_neighbors=1, algorithm="brute").fit(self.points)
            for a, part in _chunks(x):
                d, i = index.kneighbors(part.astype(np.float32))
                near = d[:, 0] <= self.radius[i[:, 0]]
                labels[a : a + len(part)][near] = self.labels[i[near, 0]]
        return labels, labels == NOISE


def core_distances(x, min_samples):
    """Each point's distance to its ``min_samples``-th nearest point, itself counted (as
    scikit-learn's HDBSCAN defines it)."""
    k = min(min_samples, len(x))
    d, _ = NearestNeighbors(n_neighbors=k, algorithm="brute").fit(x).kneighbors(x)
    return d[:, -1]
