"""Running a registered algorithm: the embeddings checked, its function imported from the
module its registry entry names, the labels and the parameters it used checked."""

import importlib

import numpy as np

from ._registry import REGISTRY


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


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def algorithm_function(name):
    """The function ``fn(x, params, seed)`` of registered algorithm ``name``, imported from
    the module its entry names (only that algorithm's module and what it uses)."""
    if name not in REGISTRY:
        raise ValueError(f"unknown algorithm {name!r}; known: {sorted(REGISTRY)}")
    entry = REGISTRY[name]
    return getattr(importlib.import_module(entry.module, __package__), entry.function)


def run_algorithm(name, x, params, seed):
    """Validate the embeddings, run the registered algorithm ``name``.

    Returns ``(labels, used_params)``: int64 labels ``(N,)`` and a JSON-able dict of the
    parameters actually used (``params`` with automatic values resolved, plus whatever
    the algorithm reports, e.g. ``eps_auto`` for DBSCAN).
    """
    return fit_algorithm(name, x, params, seed)[:2]


def fit_algorithm(name, x, params, seed):
    """:func:`run_algorithm`, and the fitted model that places new points: ``(labels,
    used_params, model)``, ``model`` an object with ``predict(x) -> (labels, far)``
    (deepclust.cluster._predict) or None when the algorithm returns none."""
    result = algorithm_function(name)(check_embeddings(x), dict(params), seed)
    used, model = dict(params), None
    if isinstance(result, tuple):
        result, extra, *rest = result
        used.update(extra)
        model = rest[0] if rest else None
    labels = np.asarray(result, dtype=np.int64)
    if labels.shape != (len(x),):
        raise ValueError(
            f"algorithm {name!r} returned labels of shape {labels.shape}, expected ({len(x)},)"
        )
    return labels, _jsonable(used), model
