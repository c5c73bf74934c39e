"""Ward agglomerative clustering on a sparse kNN connectivity graph."""

from sklearn.cluster import AgglomerativeClustering, ward_tree
from sklearn.neighbors import kneighbors_graph

from ..kselect import cut_tree
from ._ksweep import auto_by_silhouette, check_n_clusters, k_is_auto
from ._predict import NearestCentre, centroids


def _connectivity(x, n_neighbors):
    """The kNN connectivity graph Ward is restricted to (None: unrestricted)."""
    if n_neighbors is None:
        return None
    return kneighbors_graph(x, min(int(n_neighbors), len(x) - 1), include_self=False)


def _ward_partitions(n_neighbors):
    """``points -> (k -> labels)``: one Ward tree of the points, cut at each K."""

    def partitions(points):
        children = ward_tree(points, connectivity=_connectivity(points, n_neighbors))[0]
        return lambda k: cut_tree(children, len(points), k)

    return partitions


def agglomerative(x, params, seed):
    """Ward agglomerative clustering restricted to a sparse kNN connectivity graph.

    Unrestricted Ward keeps an O(N^2) distance matrix (about 29 GB in float64 for 60k
    points). With ``connectivity`` = the symmetrised ``n_neighbors``-nearest-neighbour
    graph (exact, Euclidean), scikit-learn only merges clusters joined by an edge, so
    memory is O(N * n_neighbors) and it runs in seconds to minutes. Merges still
    minimise Ward's variance increase among adjacent clusters; on well-separated data
    the result matches unrestricted Ward. scikit-learn joins the graph's connected
    components itself (with a warning) when the graph is not connected.
    ``n_neighbors: null`` runs unrestricted Ward (only for small N). ``n_clusters:
    auto``: K of highest mean silhouette among ``k_min..k_max``, every K cut from one
    Ward tree of the swept points. Ward has no rule for new points: they join the
    cluster of the nearest centroid.
    """
    used = {}
    if k_is_auto(params):
        partitions = _ward_partitions(params["n_neighbors"])
        used = auto_by_silhouette(x, params, seed, partitions, "cuts of one Ward tree")
    n_clusters = used.get("n_clusters", params["n_clusters"])
    check_n_clusters(n_clusters, x)
    model = AgglomerativeClustering(
        n_clusters=n_clusters, linkage="ward", connectivity=_connectivity(x, params["n_neighbors"])
    )
    labels = model.fit_predict(x)
    return labels, used, NearestCentre(*centroids(x, labels), x)
