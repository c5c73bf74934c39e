"""HDBSCAN (scikit-learn's)."""

from sklearn.cluster import HDBSCAN


def hdbscan(x, params, seed):
    """scikit-learn's HDBSCAN (deterministic; noise is -1)."""
    model = HDBSCAN(
        min_cluster_size=params["min_cluster_size"],
        min_samples=params["min_samples"],
        cluster_selection_epsilon=float(params["cluster_selection_epsilon"]),
        cluster_selection_method=params["cluster_selection_method"],
        copy=True,
    )
    return model.fit_predict(x)
