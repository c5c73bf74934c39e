"""Clustering algorithms behind one registry: ``fn(embeddings, params, seed) -> labels``.

Labels are int64 ``(N,)``; ``-1`` marks noise. Adding an algorithm is one function
decorated with ``@algorithm("name")`` plus one block under ``algorithms:`` in the config.
"""

import numpy as np

NOISE = -1
ALGORITHMS = {}


def algorithm(name):
    def register(fn):
        ALGORITHMS[name] = fn
        return fn

    return register


def check_embeddings(x):
    """Refuse what no clustering should see: non-2-D, empty or non-finite embeddings."""
    x = np.asarray(x)
    if x.ndim != 2 or len(x) == 0:
        raise ValueError(f"embeddings must be a non-empty 2-D array, got shape {x.shape}")
    bad = ~np.isfinite(x).all(axis=1)
    if bad.any():
        raise ValueError(
            f"embeddings contain NaN or inf in {int(bad.sum())} of {len(x)} rows "
            f"(first: row {int(np.flatnonzero(bad)[0])}); retrain the autoencoder"
        )
    return x


def _check_n_clusters(n_clusters, x):
    if not 1 < n_clusters <= len(x):
        raise ValueError(f"n_clusters must be between 2 and the number of samples ({len(x)}), got {n_clusters}")


def run_algorithm(name, x, params, seed):
    """Validate the embeddings, then run the registered algorithm ``name``."""
    if name not in ALGORITHMS:
        raise ValueError(f"unknown algorithm {name!r}; known: {sorted(ALGORITHMS)}")
    labels = ALGORITHMS[name](check_embeddings(x), params, seed)
    return np.asarray(labels, dtype=np.int64)


@algorithm("kmeans")
def kmeans(x, params, seed):
    from sklearn.cluster import KMeans

    _check_n_clusters(params["n_clusters"], x)
    model = KMeans(n_clusters=params["n_clusters"], n_init=params["n_init"], random_state=seed)
    return model.fit_predict(x)


@algorithm("dbscan")
def dbscan(x, params, seed):
    from sklearn.cluster import DBSCAN

    eps = params["eps"]
    if not isinstance(eps, (int, float)) or eps <= 0:
        raise ValueError(f"dbscan eps must be a positive number, got {eps!r}")
    return DBSCAN(eps=eps, min_samples=params["min_samples"]).fit_predict(x)
