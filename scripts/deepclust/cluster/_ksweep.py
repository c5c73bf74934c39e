"""What the algorithms with ``n_clusters: auto`` share: the points and Ks a sweep fits, what
it records, the silhouette sweep, and the check of a fixed K."""

from ..kselect import k_candidates, silhouette_curve, sweep_indices


def k_is_auto(params):
    """Whether the settings ask for the number of clusters to be chosen (``auto``)."""
    return params["n_clusters"] == "auto"


def check_n_clusters(n_clusters, x):
    if not 1 < n_clusters <= len(x):
        raise ValueError(
            f"n_clusters must be between 2 and the number of samples ({len(x)}), got {n_clusters}"
        )


def sweep_points(x, params, seed, below=0):
    """The points a K sweep fits (a seeded sample of ``k_sample`` above it), their
    candidate Ks (at most the points swept minus ``below``), and notes on what the sweep
    saw, for ``used["exactness"]``: ``(points, ks, notes)``."""
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


def chosen(selection, notes, estimated):
    """What an algorithm with ``n_clusters: auto`` adds to ``used``; ``notes`` say how the
    sweep went, ``estimated`` whether it sampled anything."""
    how = "estimated" if estimated else "exact"
    return {
        "n_clusters": selection.chosen,
        "k_auto": selection.as_dict(),
        "exactness": {"n_clusters": f"{how}: " + "; ".join(notes)},
    }


def auto_by_silhouette(x, params, seed, partitions, what, criterion="silhouette"):
    """K of highest sampled silhouette; ``partitions(points)`` returns ``k -> labels``.
    With ``criterion`` "median" (kmeans' ``k_criterion``), the median of that K and
    the K of the four criteria of :data:`deepclust.kcriteria.MEDIAN_OF` on a UMAP map of the
    swept points (:func:`median_with_umap_criteria`); the silhouette is then the runner-up."""
    points, ks, notes = sweep_points(x, params, seed, below=1)  # silhouette: K < N
    sample = min(params["k_silhouette_sample"], len(points))
    selection = silhouette_curve(points, ks, partitions(points), sample, seed)
    notes.append(
        f"K of highest mean silhouette of {what}, from {sample} of the {len(points)} swept "
        "points (seeded), each scored against all of them"
    )
    runner_up = None
    if criterion == "median":
        selection, runner_up, note = median_with_umap_criteria(points, ks, selection, params, seed)
        notes.append(note)
    notes.append(f"the final clustering with K {selection.chosen} fits all {len(x)} points")
    used = chosen(selection, notes, estimated=sample < len(x))
    if runner_up is not None:
        used["k_auto"]["runner_up"] = runner_up.as_dict()
    return used


def median_with_umap_criteria(points, ks, silhouette, params, seed):
    """``(median, silhouette, note)``: the median K of ``silhouette`` (a KSelection on
    ``points``) and of eigengap, silhouette, prediction strength and HDBSCAN's count on a
    seeded UMAP map of ``points`` (``k_umap_components`` dimensions, ``k_umap_neighbors``
    neighbours, min_dist 0, spectral init): five votes, so the median is one of theirs."""
    from ..kcriteria import median_selection, median_votes
    from ._umap import umap_embed

    umap = {
        "n_components": params["k_umap_components"],
        "n_neighbors": params["k_umap_neighbors"],
        "min_dist": 0.0,
        "n_epochs": None,
        "init": "spectral",
        "knn": "umap",
        "deterministic": True,
    }
    z = umap_embed(points, umap, seed)
    parts = [silhouette] + median_votes(z, ks, seed, len(points))
    found = ", ".join(f"{p.criterion} {p.chosen}" for p in parts[1:])
    note = (
        f"K: the median of the silhouette's {silhouette.chosen} and, on a "
        f"{umap['n_components']}-d UMAP map of the swept points, {found}"
    )
    return median_selection(parts, ks), silhouette, note
