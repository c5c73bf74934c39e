"""Diagnostic figures that an algorithm declares beside its labels.

An algorithm names its figures in its registry entry,
``@algorithm("dbscan", diagnostics=["kdistance"])`` (:mod:`deepclust.clustering`); each name
is a :class:`Diagnostic` in ``FIGURES`` here. Rule plot_diagnostic draws it as
``figures/<name>_<algorithm>.png`` for the first seed, Snakemake's HTML report captions it
with ``workflow/report/<name>.rst`` and the PDF report shows it after the confusion matrices,
with the text ``describe`` returns. Adding one touches only this module, the algorithm's
registry entry and that caption file.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Diagnostic:
    """``draw(x, params, seed, where, log) -> figure``: from the embeddings ``x``, the
    algorithm's configured parameters and the seed; ``where`` starts the figure's title.
    ``describe(title, used) -> (intro, caption)``: plain text for the PDF report from the
    algorithm's display title and the parameters its clustering used (metrics.json
    ``params``)."""

    draw: Callable
    describe: Callable


def draw_kdistance(x, params, seed, where, log):
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


FIGURES = {"kdistance": Diagnostic(draw_kdistance, describe_kdistance)}


def draw(name, x, params, seed, where, log):
    """Diagnostic figure ``name`` (a key of ``FIGURES``) of one algorithm's embeddings."""
    if name not in FIGURES:
        raise ValueError(f"no diagnostic figure {name!r}; known: {', '.join(sorted(FIGURES))}")
    return FIGURES[name].draw(x, params, seed, where, log)
