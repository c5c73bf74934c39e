"""Diagnostic figures that an algorithm declares beside its labels.

An algorithm names its figures in its registry entry,
``Algorithm("dbscan", ..., diagnostics=("kdistance",))`` (:mod:`deepclust.cluster`); each name
is a :class:`Diagnostic` in ``FIGURES`` here. Rule plot_diagnostic draws it as
``figures/<name>_<algorithm>.png`` for the first seed, Snakemake's HTML report captions it
with ``workflow/report/<name>.rst`` and the PDF report shows it after the confusion matrices,
with the text ``describe`` returns. Adding one touches only this module, the algorithm's
registry entry and that caption file. A figure declared with a condition,
``diagnostics=[("kselection", k_is_auto)]``, exists only for the settings it holds for.

A figure is drawn from what the clustering recorded (its run.json) where it can be, never
by repeating the clustering's work: ``kselection`` plots the K sweep of ``n_clusters: auto``.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Diagnostic:
    """``draw(x, params, seed, where, log, run) -> figure``: from the embeddings ``x``, the
    algorithm's configured parameters, the seed and the clustering's run.json ``run``
    (``run["params"]``: the parameters it used); ``where`` starts the figure's title.
    ``describe(title, used) -> (intro, caption)``: plain text for the PDF report from the
    algorithm's display title and the parameters its clustering used (metrics.json
    ``params``)."""

    draw: Callable
    describe: Callable


def draw_kdistance(x, params, seed, where, log, run):
    """DBSCAN's k-distance curve with its knee and the eps used.

    Above ``exact_max`` points the curve is estimated from a seeded sample (the same one
    DBSCAN's eps auto draws for this seed), and the figure and the log say so.
    """
    from .figures import plot_kdistance
    from .knee import auto_eps, sample_size_for

    sample_size = sample_size_for(len(x), params["exact_max"], params["kdistance_sample"])
    knee_eps, curve, knee = auto_eps(x, params["min_samples"], sample_size, seed)
    eps = knee_eps if params["eps"] == "auto" else params["eps"]
    if sample_size is None:
        log(f"exact k-distance curve of all {len(x)} points")
    else:
        log(
            f"estimated k-distance curve: a seeded sample (seed {seed}) of {len(curve)} of "
            f"{len(x)} points, each point's k-distance exact among all {len(x)}"
        )
    log(f"knee at point {knee} of {len(curve)}: eps {knee_eps:.4g}; eps used {eps:.4g}")
    title = f"{where}: DBSCAN k-distance"
    return plot_kdistance(curve, knee, eps, params["min_samples"], title, n_points=len(x))


def describe_kdistance(title, used):
    how = (
        "chosen at the knee of the k-distance curve."
        if used.get("eps_auto")
        else "as configured; the k-distance curve shows where its knee lies."
    )
    return (
        f"{title} used eps {used['eps']:.4g} {how}",
        f"{title}: sorted distances to the min_samples-th neighbour.",
    )


# How each criterion of deepclust.kselect is named in figures and the PDF report.
CRITERIA = {
    "bic": ("BIC", "the lowest BIC of a mixture fitted for each K"),
    "silhouette": ("mean silhouette", "the highest mean silhouette of a clustering for each K"),
    "merge_gap": (
        "log(weakest merge done / strongest refused)",
        "the largest drop in kNN-connectivity link while merging the over-clustering",
    ),
    "prediction_strength": (
        "prediction strength",
        "the largest K whose k-means on one half of the UMAP coordinates keeps at least 0.8 "
        "of the other half's pairs together (prediction strength)",
    ),
    "eigengap": (
        "eigengap of the kNN graph's Laplacian",
        "the K before the largest gap in the kNN graph's Laplacian spectrum (eigengap)",
    ),
    "stability": (
        "ARI of k-means on two halves",
        "the largest K near the highest agreement of k-means fitted on two halves",
    ),
    "hdbscan": ("HDBSCAN runs finding K", "the cluster count most HDBSCAN runs find"),
    "median": (
        "criteria choosing K",
        "the median of five criteria's K (prediction strength, eigengap, silhouette and "
        "HDBSCAN on a UMAP map, with UMAP + GMM's merge gap or K-Means' silhouette in the "
        "embedding)",
    ),
}


def draw_kselection(x, params, seed, where, log, run):
    """The criterion of ``n_clusters: auto`` against K, as the clustering recorded it
    (run.json ``params["k_auto"]``), with the chosen K marked. Nothing is recomputed."""
    from .figures import plot_kselection

    k_auto = run["params"]["k_auto"]
    criterion = k_auto["criterion"]
    for k, score in zip(k_auto["k"], k_auto["score"]):
        log(f"K {k}: {criterion} {score:.6g}")
    log(f"chosen K {k_auto['chosen']} ({k_auto['better']} {criterion} is better)")
    sample = run.get("exactness", {}).get("n_clusters", "")
    title = f"{where}: {run['algorithm']} K selection"
    if sample.startswith("estimated"):
        title += " (sampled)"
    runner = k_auto.get("runner_up")
    if runner:
        log(f"runner-up: {runner['criterion']} chose K {runner['chosen']}")
        runner = (runner["k"], runner["score"], runner["chosen"], CRITERIA[runner["criterion"]][0])
    return plot_kselection(
        k_auto["k"], k_auto["score"], k_auto["chosen"], CRITERIA[criterion][0], title, runner
    )


def describe_kselection(title, used):
    k_auto = used["k_auto"]
    ks = k_auto["k"]
    runner = k_auto.get("runner_up")
    also = (
        f" The runner-up, {CRITERIA[runner['criterion']][1]}, would choose K = {runner['chosen']}."
        if runner
        else ""
    )
    return (
        f"{title} chose K = {k_auto['chosen']} among {ks[0]} to {ks[-1]} by "
        f"{CRITERIA[k_auto['criterion']][1]}.{also}",
        f"{title}: {CRITERIA[k_auto['criterion']][0]} against K; the chosen K is marked"
        + (
            f", and the runner-up's ({CRITERIA[runner['criterion']][0]}, right axis)."
            if runner
            else "."
        ),
    )


FIGURES = {
    "kdistance": Diagnostic(draw_kdistance, describe_kdistance),
    "kselection": Diagnostic(draw_kselection, describe_kselection),
}


def draw(name, x, params, seed, where, log, run=None):
    """Diagnostic figure ``name`` (a key of ``FIGURES``) of one algorithm's embeddings and
    its clustering's run.json ``run``."""
    if name not in FIGURES:
        raise ValueError(f"no diagnostic figure {name!r}; known: {', '.join(sorted(FIGURES))}")
    return FIGURES[name].draw(x, params, seed, where, log, run)
