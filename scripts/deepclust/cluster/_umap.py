"""UMAP fitted with umap_gmm's settings, its transform of new points, chunked."""

import contextlib
import warnings

import numpy as np
import umap
import umap.spectral
from sklearn.manifold import SpectralEmbedding

from ..jitcache import cache_jitted
from ._knn import exact_knn


def umap_embed(x, params, seed):
    """UMAP of ``x`` (float32 ``(N, n_components)``) with the knobs of :func:`umap_gmm`."""
    return umap_fit(x, params, seed)[1]


def umap_fit(x, params, seed):
    """``(reducer, coordinates)``: UMAP fitted to ``x`` and its float32 coordinates."""
    cache_jitted("pynndescent", "umap")

    n_neighbors = min(params["n_neighbors"], len(x) - 1)
    deterministic = params["deterministic"]
    kwargs = {}
    if params["knn"] == "exact" and len(x) >= 4096:
        # UMAP computes exact distances itself below 4,096 points.
        indices, dists = exact_knn(x, n_neighbors - 1)
        kwargs["precomputed_knn"] = (indices, dists)
    if not deterministic:
        np.random.seed(seed)  # UMAP draws from the global state when random_state is None
    reducer = umap.UMAP(
        n_components=params["n_components"],
        n_neighbors=n_neighbors,
        min_dist=params["min_dist"],
        n_epochs=params["n_epochs"],
        init=params["init"],
        metric="euclidean",
        random_state=seed if deterministic else None,
        transform_seed=seed,
        n_jobs=1 if deterministic else -1,
        **kwargs,
    )
    with _quiet_umap(), _steady_component_layout():
        return reducer, reducer.fit_transform(x).astype(np.float32)


class _DenseSpectralEmbedding(SpectralEmbedding):
    """SpectralEmbedding as UMAP calls it (n_components, affinity, random_state), solved
    by LOBPCG, which scikit-learn answers with a dense eigh below 5 x n_components + 1
    nodes and seeds from random_state above."""

    def __init__(self, n_components=2, affinity="precomputed", random_state=None):
        super().__init__(
            n_components=n_components,
            affinity=affinity,
            random_state=random_state,
            eigen_solver="lobpcg",
        )


@contextlib.contextmanager
def _steady_component_layout():
    """UMAP's spectral init with one layout for a seed, whatever ran before in the process.
    When the kNN graph falls apart into more than 2 x n_components pieces, UMAP places the
    pieces by a SpectralEmbedding of their centroids, which ARPACK solves; their affinities
    are then near zero, ARPACK restarts from its own random vector, and that generator's
    state lives on between calls (two fits of the same blobs with the same seed differed
    by 11-15 units). LOBPCG seeded from random_state takes its place during the fit."""
    saved = umap.spectral.SpectralEmbedding
    umap.spectral.SpectralEmbedding = _DenseSpectralEmbedding
    try:
        yield
    finally:
        umap.spectral.SpectralEmbedding = saved


@contextlib.contextmanager
def _quiet_umap():
    """UMAP's warnings about settings this module chose on purpose, silenced."""
    with warnings.catch_warnings():
        for message in (".*precomputed_knn.*", ".*knn_search_index.*", ".*n_jobs value.*"):
            warnings.filterwarnings("ignore", message=message)
        warnings.filterwarnings("ignore", message="Cannot cache compiled function")
        yield


def umap_place(reducer, x, chunk=100_000, log=None):
    """Coordinates of new points ``x`` in a fitted UMAP (its transform), ``chunk`` points
    at a time so memory stays bounded; float32 ``(N, n_components)``."""
    parts = []
    for start in range(0, len(x), chunk):
        with _quiet_umap():
            parts.append(reducer.transform(np.asarray(x[start : start + chunk])))
        if log:
            log(f"UMAP transform: {min(start + chunk, len(x))} of {len(x)} points placed")
    return np.concatenate(parts).astype(np.float32)
