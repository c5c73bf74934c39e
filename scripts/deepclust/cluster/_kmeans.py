"""K-Means (scikit-learn's)."""

from sklearn.cluster import KMeans

from ._ksweep import auto_by_silhouette, check_n_clusters, k_is_auto
from ._predict import NearestCentre


def kmeans(x, params, seed):
    """scikit-learn's k-means. ``n_clusters: auto``: K of highest mean silhouette among
    ``k_min..k_max`` (k-means of each K on the swept points, :func:`sweep_points`), or with
    ``k_criterion: median`` the median of that K and four criteria's on a UMAP map of the
    swept points (:func:`~._ksweep.auto_by_silhouette`). New points: the nearest centre."""

    def fit(points, k):
        return KMeans(n_clusters=k, n_init=params["n_init"], random_state=seed).fit(points)

    used = {}
    if k_is_auto(params):
        used = auto_by_silhouette(
            x,
            params,
            seed,
            lambda points: lambda k: fit(points, k).labels_,
            "k-means",
            params["k_criterion"],
        )
    n_clusters = used.get("n_clusters", params["n_clusters"])
    check_n_clusters(n_clusters, x)
    model = fit(x, n_clusters)
    centres = model.cluster_centers_
    return model.labels_, used, NearestCentre(centres, range(len(centres)), x)
