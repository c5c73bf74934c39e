"""Clustering algorithms behind one registry: ``fn(embeddings, params, seed) -> labels``.

Labels are int64 ``(N,)``; ``-1`` marks noise. Adding an algorithm is one function
decorated with ``@algorithm("name", title="Display name")`` plus its block under
``algorithms:`` in the schema (each setting with its default and description). ``params``
holds every setting of that block but ``enabled``, validated: read them as
``params["key"]``, with no fallback defaults of their own. A function may instead return
``(labels, used)`` where ``used`` is a dict of parameters it resolved itself (e.g. DBSCAN's
automatic eps); :func:`run_algorithm` merges it over the given parameters and returns both.

An algorithm may also declare diagnostic figures, ``@algorithm("name",
diagnostics=["figure"])``: rule plot_diagnostic draws each as ``figures/<figure>_<name>.png``
and both reports show it (see :mod:`deepclust.diagnostics`). A figure that exists only for
some settings is declared as ``(figure, when)``, ``when(params) -> bool`` on the
algorithm's settings (e.g. :func:`k_is_auto`); :func:`diagnostic_figures` says which apply.

``n_clusters: auto`` (kmeans, gmm, agglomerative, umap_gmm) chooses K in
``k_min..k_max`` by a criterion of :mod:`deepclust.kselect` and records the chosen K as
``used["n_clusters"]`` and the criterion's curve as ``used["k_auto"]``.
"""

import contextlib

import numpy as np

from .labels import NOISE as NOISE  # re-exported: scripts use deepclust.clustering.NOISE

ALGORITHMS = {}
# Algorithm name -> its display name in figures and reports.
TITLES = {}
# Algorithm name -> names of its diagnostic figures (keys of deepclust.diagnostics.FIGURES).
# Read by the Snakefile at parse time: this module imports nothing heavy at top level.
DIAGNOSTICS = {}
# (algorithm, figure) -> when(params) -> bool, for figures drawn only for some settings.
_DIAGNOSTIC_WHEN = {}


def algorithm(name, title, diagnostics=()):
    """Register ``fn(x, params, seed)`` as algorithm ``name``, shown as ``title``.
    ``diagnostics``: figure names, each drawn always, or ``(figure, when)`` pairs, drawn
    when ``when(params)``."""

    def register(fn):
        ALGORITHMS[name] = fn
        TITLES[name] = title
        figures = []
        for entry in diagnostics:
            figure, when = (entry, None) if isinstance(entry, str) else entry
            figures.append(figure)
            if when is not None:
                _DIAGNOSTIC_WHEN[name, figure] = when
        DIAGNOSTICS[name] = tuple(figures)
        return fn

    return register


def diagnostic_figures(name, params):
    """The diagnostic figures algorithm ``name`` draws with settings ``params`` (its
    validated block without ``enabled``): every declared one whose condition holds."""
    return [
        figure
        for figure in DIAGNOSTICS.get(name, ())
        if _DIAGNOSTIC_WHEN.get((name, figure), lambda p: True)(params)
    ]


def k_is_auto(params):
    """Whether the settings ask for the number of clusters to be chosen (``auto``)."""
    return params["n_clusters"] == "auto"


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
        raise ValueError(
            f"n_clusters must be between 2 and the number of samples ({len(x)}), got {n_clusters}"
        )


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def run_algorithm(name, x, params, seed):
    """Validate the embeddings, run the registered algorithm ``name``.

    Returns ``(labels, used_params)``: int64 labels ``(N,)`` and a JSON-able dict of the
    parameters actually used (``params`` with automatic values resolved, plus whatever
    the algorithm reports, e.g. ``eps_auto`` for DBSCAN).
    """
    if name not in ALGORITHMS:
        raise ValueError(f"unknown algorithm {name!r}; known: {sorted(ALGORITHMS)}")
    result = ALGORITHMS[name](check_embeddings(x), dict(params), seed)
    used = dict(params)
    if isinstance(result, tuple):
        result, extra = result
        used.update(extra)
    labels = np.asarray(result, dtype=np.int64)
    if labels.shape != (len(x),):
        raise ValueError(
            f"algorithm {name!r} returned labels of shape {labels.shape}, expected ({len(x)},)"
        )
    return labels, _jsonable(used)


def _sweep_points(x, params, seed, below=0):
    """The points a K sweep fits (a seeded sample of ``k_sample`` above it), their
    candidate Ks (at most the points swept minus ``below``), and notes on what the sweep
    saw, for ``used["exactness"]``: ``(points, ks, notes)``."""
    from .kselect import k_candidates, sweep_indices

    index = sweep_indices(len(x), params["k_sample"], seed)
    ks = k_candidates(params["k_min"], params["k_max"], len(index) - below)
    if len(index) == len(x):
        notes = [f"the sweep fits all {len(x)} points"]
    else:
        notes = [
            f"{len(x)} > k_sample {params['k_sample']}: the sweep fits a seeded sample of "
            f"{len(index)} of {len(x)} points (seed {seed})"
        ]
    if ks[-1] < params["k_max"]:
        notes.append(f"k_max {params['k_max']} capped at {ks[-1]} for {len(index)} points")
    return x[index], ks, notes


def _chosen(selection, notes, estimated):
    """What an algorithm with ``n_clusters: auto`` adds to ``used``; ``notes`` say how the
    sweep went, ``estimated`` whether it sampled anything."""
    how = "estimated" if estimated else "exact"
    return {
        "n_clusters": selection.chosen,
        "k_auto": selection.as_dict(),
        "exactness": {"n_clusters": f"{how}: " + "; ".join(notes)},
    }


def _auto_by_silhouette(x, params, seed, partitions, what):
    """K of highest sampled silhouette; ``partitions(points)`` returns ``k -> labels``."""
    from .kselect import silhouette_curve

    points, ks, notes = _sweep_points(x, params, seed, below=1)  # silhouette: K < N
    sample = min(params["k_silhouette_sample"], len(points))
    selection = silhouette_curve(points, ks, partitions(points), sample, seed)
    notes += [
        f"K of highest mean silhouette of {what}, from {sample} of the {len(points)} swept "
        "points (seeded), each scored against all of them",
        f"the final clustering with K {selection.chosen} fits all {len(x)} points",
    ]
    return _chosen(selection, notes, estimated=sample < len(x))


@algorithm("kmeans", title="K-Means", diagnostics=[("kselection", k_is_auto)])
def kmeans(x, params, seed):
    """scikit-learn's k-means. ``n_clusters: auto``: K of highest mean silhouette among
    ``k_min..k_max`` (k-means of each K on the swept points, :func:`_sweep_points`)."""
    from sklearn.cluster import KMeans

    def fit(points, k):
        return KMeans(n_clusters=k, n_init=params["n_init"], random_state=seed).fit_predict(points)

    used = {}
    if k_is_auto(params):
        used = _auto_by_silhouette(
            x, params, seed, lambda points: lambda k: fit(points, k), "k-means"
        )
    n_clusters = used.get("n_clusters", params["n_clusters"])
    _check_n_clusters(n_clusters, x)
    return fit(x, n_clusters), used


@algorithm("dbscan", title="DBSCAN", diagnostics=["kdistance"])
def dbscan(x, params, seed):
    """DBSCAN; ``eps: auto`` takes eps at the knee of the k-distance curve
    (:func:`deepclust.knee.auto_eps`) and records it with the knee's position.

    Up to ``exact_max`` points (null: always) scikit-learn's exact DBSCAN, O(N^2) in 64
    dimensions, and the exact k-distance curve. Above it: eps auto from a seeded sample of
    ``kdistance_sample`` points (each point's k-distance exact), and DBSCAN on a
    ``knn_neighbors``-nearest-neighbour graph from NN-descent
    (:func:`deepclust.neighbours.dbscan_knn`), about O(N log N). ``used["exactness"]``
    says which parts were exact and which estimated.
    """
    from .knee import sample_size_for

    eps, min_samples, exact_max = params["eps"], params["min_samples"], params["exact_max"]
    # checks exact_max and kdistance_sample whatever eps is
    sample_size = sample_size_for(len(x), exact_max, params["kdistance_sample"])
    used, exactness = {}, {}
    if eps == "auto":
        used, exactness["eps"] = _dbscan_auto_eps(x, min_samples, sample_size, seed)
        eps = used["eps"]
    elif isinstance(eps, bool) or not isinstance(eps, (int, float)) or eps <= 0:
        raise ValueError(f"dbscan eps must be a positive number or 'auto', got {eps!r}")
    if exact_max is None or len(x) <= exact_max:
        labels, exactness["dbscan_neighbours"] = _dbscan_exact(x, eps, min_samples, exact_max)
    else:
        labels, knn_used, exactness["dbscan_neighbours"] = _dbscan_on_knn_graph(
            x, eps, min_samples, params["knn_neighbors"], exact_max, seed
        )
        used.update(knn_used)
    used["exactness"] = exactness
    return labels, used


def _dbscan_auto_eps(x, min_samples, sample_size, seed):
    """DBSCAN's ``eps: auto``: ``(used, note)``, what it records (eps, the knee's position,
    the sample size when sampled) and how exact it is. ``sample_size`` None: all points."""
    from .knee import auto_eps

    eps, curve, index = auto_eps(x, min_samples, sample_size, seed)
    used = {
        "eps": eps,
        "eps_auto": True,
        "eps_knee_index": int(index),
        "eps_knee_quantile": float(index / max(len(curve) - 1, 1)),
    }
    if sample_size is None:
        return used, f"exact: knee of the k-distance curve of all {len(x)} points"
    used["eps_sample_size"] = len(curve)
    return used, (
        f"estimated: knee of the k-distance curve of a seeded sample of {len(curve)} of "
        f"{len(x)} points (seed {seed}; each sampled point's k-distance exact among all "
        "points)"
    )


def _dbscan_exact(x, eps, min_samples, exact_max):
    """scikit-learn's exact DBSCAN of ``x``: ``(labels, note)``."""
    from sklearn.cluster import DBSCAN

    labels = DBSCAN(eps=eps, min_samples=min_samples).fit_predict(x)
    limit = "no limit" if exact_max is None else f"{len(x)} <= exact_max {exact_max}"
    return labels, f"exact (scikit-learn DBSCAN, brute-force eps-neighbourhoods; {limit})"


def _dbscan_on_knn_graph(x, eps, min_samples, k, exact_max, seed):
    """DBSCAN of ``x`` on its ``k``-nearest-neighbour graph from NN-descent:
    ``(labels, used, note)``, ``used`` the graph's core point counts."""
    from .neighbours import dbscan_knn, knn_graph

    if isinstance(k, bool) or not isinstance(k, int) or k < max(min_samples - 1, 1):
        raise ValueError(
            f"dbscan knn_neighbors must be an integer of at least min_samples - 1 "
            f"({max(min_samples - 1, 1)}), got {k!r}"
        )
    labels, info = dbscan_knn(*knn_graph(x, k, seed), eps, min_samples)
    used = {"knn_core_points": info["n_core"], "knn_saturated_core_points": info["n_saturated"]}
    note = (
        f"approximate: {len(x)} > exact_max {exact_max}; DBSCAN on a {k}-nearest-neighbour "
        f"graph from NN-descent (pynndescent, seed {seed}): core points from the graph's "
        f"(min_samples-1)-th neighbour distance, clusters = connected components of core "
        f"points over graph edges <= eps ({info['n_saturated']} of {info['n_core']} core "
        f"points have all {k} graph neighbours within eps and may miss further links), "
        "border points join their nearest core neighbour"
    )
    return labels, used, note


@algorithm("gmm", title="Gaussian mixture", diagnostics=[("kselection", k_is_auto)])
def gmm(x, params, seed):
    """Gaussian mixture (EM, k-means initialisation), the component of highest posterior.

    Fitted in float64 with ``reg_covar`` added to every covariance's diagonal:
    autoencoder codes often span fewer dimensions than the latent size (on the seed's
    64-d MNIST codes the covariance has eigenvalues near 1e-13), and a full covariance
    then fails in float32 with scikit-learn's default 1e-6. ``n_clusters: auto``: the
    number of components of lowest BIC among ``k_min..k_max`` on the swept points.
    """
    from sklearn.mixture import GaussianMixture

    from .kselect import bic_curve

    def mixture(k):
        return GaussianMixture(
            n_components=k,
            covariance_type=params["covariance_type"],
            n_init=params["n_init"],
            max_iter=params["max_iter"],
            reg_covar=params["reg_covar"],
            random_state=seed,
        )

    x64 = np.asarray(x, dtype=np.float64)
    used = {}
    if k_is_auto(params):
        points, ks, notes = _sweep_points(x64, params, seed)
        selection = bic_curve(points, ks, mixture)
        notes += [
            "K of lowest BIC",
            f"the final mixture of {selection.chosen} components fits all {len(x)} points",
        ]
        used = _chosen(selection, notes, estimated=len(points) < len(x))
    n_clusters = used.get("n_clusters", params["n_clusters"])
    _check_n_clusters(n_clusters, x)
    return mixture(n_clusters).fit_predict(x64), used


def _connectivity(x, n_neighbors):
    """The kNN connectivity graph Ward is restricted to (None: unrestricted)."""
    from sklearn.neighbors import kneighbors_graph

    if n_neighbors is None:
        return None
    return kneighbors_graph(x, min(int(n_neighbors), len(x) - 1), include_self=False)


def _ward_partitions(n_neighbors):
    """``points -> (k -> labels)``: one Ward tree of the points, cut at each K."""
    from sklearn.cluster import ward_tree

    from .kselect import cut_tree

    def partitions(points):
        children = ward_tree(points, connectivity=_connectivity(points, n_neighbors))[0]
        return lambda k: cut_tree(children, len(points), k)

    return partitions


@algorithm("agglomerative", title="Ward (kNN graph)", diagnostics=[("kselection", k_is_auto)])
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
    Ward tree of the swept points.
    """
    from sklearn.cluster import AgglomerativeClustering

    used = {}
    if k_is_auto(params):
        partitions = _ward_partitions(params["n_neighbors"])
        used = _auto_by_silhouette(x, params, seed, partitions, "cuts of one Ward tree")
    n_clusters = used.get("n_clusters", params["n_clusters"])
    _check_n_clusters(n_clusters, x)
    model = AgglomerativeClustering(
        n_clusters=n_clusters, linkage="ward", connectivity=_connectivity(x, params["n_neighbors"])
    )
    return model.fit_predict(x), used


@algorithm("hdbscan", title="HDBSCAN")
def hdbscan(x, params, seed):
    """scikit-learn's HDBSCAN (deterministic; noise is -1)."""
    from sklearn.cluster import HDBSCAN

    model = HDBSCAN(
        min_cluster_size=params["min_cluster_size"],
        min_samples=params["min_samples"],
        cluster_selection_epsilon=float(params["cluster_selection_epsilon"]),
        cluster_selection_method=params["cluster_selection_method"],
        copy=True,
    )
    return model.fit_predict(x)


def exact_knn(x, k):
    """Exact Euclidean k nearest neighbours of every row among the other rows.

    Returns ``(indices int64 (N, k+1), distances float32 (N, k+1))`` with the point itself
    first (distance 0), as UMAP's ``precomputed_knn`` expects. scikit-learn's brute-force
    search (chunked matmul plus argpartition): deterministic for a given machine and
    thread count, memory O(chunk * N).
    """
    from sklearn.neighbors import NearestNeighbors

    x = np.ascontiguousarray(x, dtype=np.float32)
    n = len(x)
    k1 = min(k + 1, n)
    dists, indices = NearestNeighbors(n_neighbors=k1, algorithm="brute").fit(x).kneighbors(x)
    indices = indices.astype(np.int64)
    rows = np.arange(n)
    for i in np.flatnonzero(indices[:, 0] != rows):  # duplicates can put another point first
        others = indices[i][indices[i] != i][: k1 - 1]
        indices[i] = np.concatenate([[i], others])
        dists[i] = np.concatenate([[0.0], np.linalg.norm(x[others] - x[i], axis=1)])
    dists[:, 0] = 0.0
    return indices, dists.astype(np.float32)


def umap_embed(x, params, seed):
    """UMAP of ``x`` (float32 ``(N, n_components)``) with the knobs of :func:`umap_gmm`."""
    return umap_fit(x, params, seed)[1]


def umap_fit(x, params, seed):
    """``(reducer, coordinates)``: UMAP fitted to ``x`` and its float32 coordinates."""
    import umap

    from .jitcache import cache_jitted

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
    with _quiet_umap():
        return reducer, reducer.fit_transform(x).astype(np.float32)


@contextlib.contextmanager
def _quiet_umap():
    """UMAP's warnings about settings this module chose on purpose, silenced."""
    import warnings

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


def fit_sample(n, size, seed):
    """Sorted indices of a seeded sample of ``size`` of ``n`` points, or None when
    ``size`` is None or not below ``n`` (then everything is fitted)."""
    if size is None or n <= size:
        return None
    return np.sort(np.random.default_rng(seed).choice(n, size, replace=False))


def merge_order(z, labels, n_neighbors):
    """The order in which :func:`merge_clusters` joins the clusters of ``labels`` (int
    ``(N,)``, no noise), down to one, on the kNN graph of ``z`` (float ``(N, D)``).

    Link of two clusters: the number of kNN edges between them divided by the size of
    the smaller one; each step joins the pair of strongest link. Returns ``(index,
    merges, links)``: int64 ``(N,)`` each point's cluster among ``np.unique(labels)``,
    int64 ``(k - 1, 2)`` the pairs ``(i, j)`` (j joined into i) in order, and float64
    ``(k - 1,)`` the link of each when joined.
    """
    from sklearn.neighbors import NearestNeighbors

    clusters, index = np.unique(np.asarray(labels), return_inverse=True)
    k = len(clusters)
    n_neighbors = min(n_neighbors, len(z) - 1)
    _, neighbours = NearestNeighbors(n_neighbors=n_neighbors + 1).fit(z).kneighbors(z)
    edges = np.zeros((k, k))
    np.add.at(edges, (np.repeat(index, n_neighbors), index[neighbours[:, 1:].ravel()]), 1.0)
    edges += edges.T
    sizes = np.bincount(index, minlength=k).astype(float)
    alive = np.ones(k, bool)
    merges, links = [], []
    for _ in range(k - 1):
        link = edges / np.minimum.outer(sizes, sizes)
        link[~alive] = link[:, ~alive] = -1.0
        np.fill_diagonal(link, -1.0)
        i, j = np.unravel_index(np.argmax(link), link.shape)
        merges.append((i, j))
        links.append(link[i, j])
        edges[i] += edges[j]
        edges[:, i] += edges[:, j]
        sizes[i] += sizes[j]
        alive[j] = False
    return index.astype(np.int64), np.array(merges, np.int64).reshape(-1, 2), np.array(links)


def apply_merges(index, merges, n_clusters):
    """Labels after the first ``len(merges) + 1 - n_clusters`` merges of
    :func:`merge_order`, numbered 0..n_clusters-1 in the order of the smallest original
    cluster id each merged cluster holds (int64 ``(N,)``)."""
    k = len(merges) + 1
    if not 1 <= n_clusters <= k:
        raise ValueError(f"cannot merge {k} clusters into {n_clusters}")
    group = np.arange(k)  # merged cluster of each original cluster
    for i, j in merges[: k - n_clusters]:
        group[group == j] = i
    _, merged = np.unique(group, return_inverse=True)
    return merged[index].astype(np.int64)


def merge_clusters(z, labels, n_clusters, n_neighbors):
    """Merge clusters of ``labels`` (int ``(N,)``, no noise) until ``n_clusters`` remain,
    always joining the two most connected in the kNN graph of ``z`` (float ``(N, D)``):
    the number of kNN edges between them divided by the size of the smaller one. Clusters
    that halve one class share most of their boundary, so they are joined before clusters
    of different classes. A tree search (KD-tree) and one pass over the edges: cost
    O(N log N) plus O(K^3) for K clusters, never all pairs of points.

    Returns int64 labels ``(N,)`` numbered 0..n_clusters-1 in the order of the smallest
    original cluster id each merged cluster holds; deterministic for given inputs.
    """
    k = len(np.unique(np.asarray(labels)))
    if not 1 <= n_clusters <= k:
        raise ValueError(f"cannot merge {k} clusters into {n_clusters}")
    index, merges, _ = merge_order(z, labels, n_neighbors)
    return apply_merges(index, merges, n_clusters)


@algorithm("umap_gmm", title="UMAP + GMM (N2D)", diagnostics=[("kselection", k_is_auto)])
def umap_gmm(x, params, seed):
    """The N2D recipe (McConville et al. 2020): UMAP of the embeddings to
    ``n_components`` dimensions (``n_neighbors``, ``min_dist``), then a Gaussian mixture
    of ``n_clusters`` components (``covariance_type``) on the UMAP coordinates.

    Speed and determinism: ``knn: umap`` (default) lets UMAP find neighbours with its
    NN-descent (pynndescent), which is seeded and single-threaded when ``deterministic``
    and takes a few seconds for 70,000 x 64 once numba has compiled; ``knn: exact``
    computes the exact kNN graph here (chunked matmul, deterministic) and hands it to
    UMAP as ``precomputed_knn`` (scikit-learn brute force; slower than NN-descent).
    ``deterministic: true`` fixes UMAP's ``random_state``: identical results for a seed,
    but UMAP runs single-threaded (its parallel SGD layout is Hogwild-style and cannot be
    reproducible). ``false`` runs NN-descent and the layout on all numba threads without
    a seed (UMAP's initial state then comes from ``np.random.seed(seed)``, but the
    parallel layout still varies between runs). ``n_epochs: null`` is UMAP's default (200
    above 10,000 points); ``init``: spectral (needed for quality), pca or random.
    ``gmm_n_init`` restarts the mixture and keeps the best likelihood, which guards against
    a local optimum that merges two digits. ``over_clusters`` (null: off) fits that many
    components instead and joins them back to ``n_clusters`` with :func:`merge_clusters`
    on the UMAP coordinates: a mixture of exactly ``n_clusters`` tends to split an easy,
    elongated class in two and merge hard classes, and over-clustering then merging by
    connectivity undoes the split.

    ``n_clusters: auto``: the mixture has ``over_clusters`` components (null: ``k_max``)
    on all points, merged one by one as above down to one cluster while recording each
    merge's link; K in ``k_min..k_max`` (``k_max`` capped at the components) is where the
    links drop most (:func:`deepclust.kselect.merge_gap_curve`), like cutting a dendrogram
    at its largest gap, links below ``merge_gap_floor`` counting as no contact (UMAP
    leaves some classes as islands). No refit per K: one kNN search and O(K^3).

    Above ``fit_sample`` points, UMAP, the mixture and the merging see a seeded sample of
    that size; every other point is placed by UMAP's transform and the mixture's predict
    and takes its component's cluster (``exactness`` says so).
    """
    auto = k_is_auto(params)
    n_clusters, over = _umap_gmm_components(x, params, auto)
    sample = fit_sample(len(x), params["fit_sample"], seed)
    fitted = x if sample is None else np.asarray(x[sample])
    reducer, z, model, labels = _umap_mixture(fitted, over or n_clusters, params, seed)
    if auto:
        merged, used = _auto_by_merge_gap(z, labels, params, len(x))
    elif over is None or over == n_clusters:
        merged, used = labels, {}
    else:
        index, merges, _ = merge_order(z, labels, params["merge_neighbors"])
        merged, used = apply_merges(index, merges, n_clusters), {}
    if sample is None:
        return (merged, used) if used else merged
    return _place_the_rest(x, sample, reducer, model, labels, merged, used)


def _umap_mixture(x, n_components, params, seed):
    """``(reducer, z, model, labels)``: UMAP fitted to ``x``, its coordinates ``z``, the
    best of ``gmm_n_init`` mixtures of ``n_components`` fitted to them and its labels."""
    from sklearn.mixture import GaussianMixture

    reducer, z = umap_fit(x, params, seed)
    model = GaussianMixture(
        n_components=n_components,
        covariance_type=params["covariance_type"],
        n_init=params["gmm_n_init"],
        random_state=seed,
    )
    return reducer, z, model, model.fit_predict(z)


def _place_the_rest(x, sample, reducer, model, labels, merged, used):
    """umap_gmm fitted on ``sample``: every other point of ``x`` placed by UMAP's transform
    and the mixture's predict, then given the cluster its component has in the sample
    (``labels`` components -> ``merged`` clusters)."""
    rest = np.setdiff1d(np.arange(len(x)), sample)
    components = model.predict(umap_place(reducer, x[rest]))
    cluster_of = np.full(model.n_components, -1, np.int64)
    cluster_of[labels] = merged
    if (cluster_of < 0).any():  # a component no sample point chose: its nearest mean's
        known = np.flatnonzero(cluster_of >= 0)
        for c in np.flatnonzero(cluster_of < 0):
            near = known[np.argmin(((model.means_[known] - model.means_[c]) ** 2).sum(1))]
            cluster_of[c] = cluster_of[near]
    out = np.empty(len(x), np.int64)
    out[sample], out[rest] = merged, cluster_of[components]
    note = (
        f"estimated: UMAP, the mixture and the merging fitted on a seeded sample of "
        f"{len(sample)} of {len(x)} points (fit_sample); the other {len(rest)} placed by "
        "UMAP's transform and the mixture's predict"
    )
    used = dict(used)
    used["exactness"] = used.get("exactness", {}) | {"umap_gmm_fit": note}
    return out, used


def _umap_gmm_components(x, params, auto):
    """``(n_clusters, over)``: the clusters umap_gmm returns (``k_min`` when ``auto``) and
    the mixture components it fits first when more (None: as many as clusters), checked."""
    n_clusters = params["k_min"] if auto else params["n_clusters"]
    over = params["over_clusters"]
    if auto and over is None:
        over = params["k_max"]
    _check_n_clusters(n_clusters, x)
    if over is not None:
        _check_n_clusters(over, x)
        if over < n_clusters:
            name = "k_min" if auto else "n_clusters"
            raise ValueError(f"over_clusters ({over}) must be at least {name} ({n_clusters})")
    return n_clusters, over


def _auto_by_merge_gap(z, labels, params, n_points):
    """umap_gmm's ``n_clusters: auto`` from its over-clustering ``labels`` of ``z`` (all
    ``n_points`` points, or a sample of them)."""
    from .kselect import k_candidates, merge_gap_curve

    index, merges, links = merge_order(z, labels, params["merge_neighbors"])
    n_before = len(merges) + 1
    which = f"all {len(z)} points" if len(z) == n_points else f"{len(z)} sampled points"
    ks = k_candidates(params["k_min"], params["k_max"], n_before)
    selection = merge_gap_curve(n_before, links, ks, params["merge_gap_floor"])
    notes = [
        f"the {n_before} mixture components of {which} merged by kNN "
        f"connectivity; K where the merge links drop most (links below "
        f"{params['merge_gap_floor']} count as no contact); no refit"
    ]
    if ks[-1] < params["k_max"]:
        notes.append(f"k_max {params['k_max']} capped at the {n_before} components")
    used = _chosen(selection, notes, estimated=False)
    used["k_auto"]["merge_links"] = [float(v) for v in links]
    return apply_merges(index, merges, selection.chosen), used
