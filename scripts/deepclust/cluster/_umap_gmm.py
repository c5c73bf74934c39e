"""UMAP + GMM (the N2D recipe), with over-clustering then merging and a sampled fit."""

import numpy as np
from sklearn.mixture import GaussianMixture

from ..kcriteria import median_selection, median_votes, select_k
from ..kselect import k_candidates, merge_gap_curve
from ._ksweep import check_n_clusters, chosen, k_is_auto
from ._merge import apply_merges, merge_order
from ._predict import Mixture
from ._umap import umap_fit, umap_place

# k_criterion (other than merge_gap): how its K is chosen, for run.json's notes
CRITERIA_NOTES = {
    "prediction_strength": "the largest K whose k-means on one seeded half predicts the "
    "other half's pairs at least 0.8 of the time; components merged to it",
    "eigengap": "K before the largest gap in the kNN graph's Laplacian spectrum; "
    "components merged to it",
    "silhouette": "the K of highest mean silhouette of k-means; components merged to it",
    "stability": "the largest K near the highest agreement of k-means on seeded halves; "
    "components merged to it",
    "hdbscan": "the cluster count most HDBSCAN runs find; components merged to it",
    "median": "",
}


def fit_sample(n, size, seed):
    """Sorted indices of a seeded sample of ``size`` of ``n`` points, or None when
    ``size`` is None or not below ``n`` (then everything is fitted)."""
    if size is None or n <= size:
        return None
    return np.sort(np.random.default_rng(seed).choice(n, size, replace=False))


def umap_gmm(x, params, seed):
    # long because: its docstring is most of it; the body is one fit, in order
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
    merge's link; K in ``k_min..k_max`` (capped at the components) by ``k_criterion``:
    ``prediction_strength`` on the UMAP coordinates (:mod:`deepclust.kcriteria`), or
    ``merge_gap`` (:func:`deepclust.kselect.merge_gap_curve`, links below
    ``merge_gap_floor`` count as no contact); the other is kept as the runner-up.

    Above ``fit_sample`` points, UMAP, the mixture and the merging see a seeded sample of
    that size; every other point is placed by UMAP's transform and the mixture's predict
    and takes its component's cluster (``exactness`` says so), as new points are later.
    """
    auto = k_is_auto(params)
    n_clusters, over = _umap_gmm_components(x, params, auto)
    sample = fit_sample(len(x), params["fit_sample"], seed)
    fitted = x if sample is None else np.asarray(x[sample])
    reducer, z, model, labels = _umap_mixture(fitted, over or n_clusters, params, seed)
    if auto:
        merged, used = _auto_by_merge_gap(z, labels, params, len(x), seed)
    elif over is None or over == n_clusters:
        merged, used = labels, {}
    else:
        index, merges, _ = merge_order(z, labels, params["merge_neighbors"])
        merged, used = apply_merges(index, merges, n_clusters), {}
    cluster_of = _cluster_of(model, labels, merged)
    predictor = Mixture(model, z, cluster_of, reducer)  # places new points
    if sample is None:
        return merged, used, predictor
    return *_place_the_rest(x, sample, reducer, model, cluster_of, merged, used), predictor


def _umap_mixture(x, n_components, params, seed):
    """``(reducer, z, model, labels)``: UMAP fitted to ``x``, its coordinates ``z``, the
    best of ``gmm_n_init`` mixtures of ``n_components`` fitted to them and its labels."""
    reducer, z = umap_fit(x, params, seed)
    model = GaussianMixture(
        n_components=n_components,
        covariance_type=params["covariance_type"],
        n_init=params["gmm_n_init"],
        random_state=seed,
    )
    return reducer, z, model, model.fit_predict(z)


def _cluster_of(model, labels, merged):
    """The cluster of each mixture component: the one its points (``labels`` components
    -> ``merged`` clusters) were merged into; a component no point chose takes its
    nearest mean's."""
    cluster_of = np.full(model.n_components, -1, np.int64)
    cluster_of[labels] = merged
    if (cluster_of < 0).any():
        known = np.flatnonzero(cluster_of >= 0)
        for c in np.flatnonzero(cluster_of < 0):
            near = known[np.argmin(((model.means_[known] - model.means_[c]) ** 2).sum(1))]
            cluster_of[c] = cluster_of[near]
    return cluster_of


def _place_the_rest(x, sample, reducer, model, cluster_of, merged, used):
    """umap_gmm fitted on ``sample``: every other point of ``x`` placed by UMAP's transform
    and the mixture's predict, then given the cluster its component has in the sample
    (``cluster_of``)."""
    rest = np.setdiff1d(np.arange(len(x)), sample)
    components = model.predict(umap_place(reducer, x[rest]))
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
    check_n_clusters(n_clusters, x)
    if over is not None:
        check_n_clusters(over, x)
        if over < n_clusters:
            name = "k_min" if auto else "n_clusters"
            raise ValueError(f"over_clusters ({over}) must be at least {name} ({n_clusters})")
    return n_clusters, over


def _auto_by_merge_gap(z, labels, params, n_points, seed=0):
    """umap_gmm's ``n_clusters: auto`` from its over-clustering ``labels`` of ``z`` (all
    ``n_points`` points, or a sample of them): K by ``k_criterion``, the other criterion's
    curve kept as the runner-up; the components merged down to K."""
    index, merges, links = merge_order(z, labels, params["merge_neighbors"])
    n_before = len(merges) + 1
    which = f"all {len(z)} points" if len(z) == n_points else f"{len(z)} sampled points"
    ks = k_candidates(params["k_min"], params["k_max"], n_before)
    gap = merge_gap_curve(n_before, links, ks, params["merge_gap_floor"])
    gap_note = (
        f"the {n_before} mixture components of {which} merged by kNN "
        f"connectivity; K where the merge links drop most (links below "
        f"{params['merge_gap_floor']} count as no contact); no refit"
    )
    criterion = params["k_criterion"]
    other = "prediction_strength" if criterion in ("merge_gap", "median") else criterion
    strength, strength_note = select_k(z, ks, other, seed, params["k_sample"])
    strength_note = f"{strength_note} of the UMAP coordinates ({CRITERIA_NOTES[other]})"
    if criterion == "median":
        known = {"prediction_strength": strength}
        parts = [gap] + median_votes(z, ks, seed, params["k_sample"], known)
        found = ", ".join(f"{p.criterion} {p.chosen}" for p in parts)
        selection, runner_up = median_selection(parts, ks), strength
        notes = [f"the median of the K of {found} on the UMAP coordinates; components merged"]
    elif criterion == "merge_gap":
        selection, runner_up, notes = gap, strength, [gap_note]
    else:
        selection, runner_up, notes = strength, gap, [strength_note]
    if ks[-1] < params["k_max"]:
        notes.append(f"k_max {params['k_max']} capped at the {n_before} components")
    used = chosen(selection, notes, estimated=len(z) > params["k_sample"])
    used["k_auto"]["runner_up"] = runner_up.as_dict()
    used["k_auto"]["merge_links"] = [float(v) for v in links]
    return apply_merges(index, merges, selection.chosen), used
