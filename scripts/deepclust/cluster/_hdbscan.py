"""HDBSCAN (scikit-learn's)."""

from sklearn.cluster import HDBSCAN

from ..labels import NOISE
from ._predict import CorePoints, core_distances


def hdbscan(x, params, seed):
    """scikit-learn's HDBSCAN (deterministic; noise is -1). New points (it has no
    predict): the cluster of the nearest clustered point when within that point's core
    distance (its ``min_samples``-th nearest neighbour), else noise."""
    model = HDBSCAN(
        min_cluster_size=params["min_cluster_size"],
        min_samples=params["min_samples"],
        cluster_selection_epsilon=float(params["cluster_selection_epsilon"]),
        cluster_selection_method=params["cluster_selection_method"],
        copy=True,
    )
    labels = model.fit_predict(x)
    kept = labels != NOISE
    radius = core_distances(x, params["min_samples"] or params["min_cluster_size"])
    return labels, {}, CorePoints(x[kept], labels[kept], radius[kept])
