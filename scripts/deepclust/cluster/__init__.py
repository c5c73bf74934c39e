"""Clustering algorithms behind one registry: ``fn(embeddings, params, seed) -> labels``.

Labels are int64 ``(N,)``; ``-1`` (deepclust.labels.NOISE) marks noise. Each algorithm is
one private module (``_kmeans``, ``_dbscan``, ...), in the manner of scikit-learn's
``sklearn.cluster``. Adding an algorithm is its module with one function, its entry in
:data:`REGISTRY` (``_registry.py``: name, module, function, title, diagnostic figures) and
its block under ``algorithms:`` in the schema (each setting with its default and
description). ``params`` holds every setting of that block but ``enabled``, validated: read
them as ``params["key"]``, with no fallback defaults of their own. A function may instead
return ``(labels, used)`` where ``used`` is a dict of parameters it resolved itself (e.g.
DBSCAN's automatic eps); :func:`run_algorithm` merges it over the given parameters and
returns both. A third element, ``(labels, used, model)``, is the fitted model that places
new points (``_predict``: ``model.predict(x) -> (labels, far)``); :func:`fit_algorithm`
returns it and rule cluster saves it as model.pkl.

An entry may declare diagnostic figures: rule plot_diagnostic draws each as
``figures/<figure>_<name>.png`` and both reports show it (see :mod:`deepclust.diagnostics`).
A figure that exists only for some settings is declared as ``(figure, (setting, value))``;
:func:`diagnostic_figures` says which apply.

``n_clusters: auto`` (kmeans, gmm, agglomerative, umap_gmm) chooses K in
``k_min..k_max`` by a criterion of :mod:`deepclust.kselect` and records the chosen K as
``used["n_clusters"]`` and the criterion's curve as ``used["k_auto"]``.

Importing this package is light (the registry is data, running imports numpy): the
Snakefile imports it at parse time. The helpers below, whose modules import scikit-learn or
UMAP, are imported on first use (PEP 562), as is each algorithm's module when it runs.
"""

import importlib

from ._registry import DIAGNOSTICS, REGISTRY, TITLES, Algorithm, diagnostic_figures
from ._run import algorithm_function, check_embeddings, fit_algorithm, run_algorithm

# Name -> the module defining it, imported when the name is first used.
_LAZY = {
    "exact_knn": "._knn",
    "fit_sample": "._umap_gmm",
    "load_model": "._predict",
    "merge_order": "._merge",
    "save_model": "._predict",
    "apply_merges": "._merge",
    "merge_clusters": "._merge",
    "umap_embed": "._umap",
    "umap_fit": "._umap",
    "umap_place": "._umap",
}

__all__ = [
    "DIAGNOSTICS",
    "REGISTRY",
    "TITLES",
    "Algorithm",
    "algorithm_function",
    "check_embeddings",
    "diagnostic_figures",
    "fit_algorithm",
    "run_algorithm",
    *_LAZY,
]


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
