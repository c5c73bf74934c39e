"""A follower dataset (``assign_to``): its images placed in a finished run's clusters.

The followed run's fitted models (model.pkl, model.pt) place each new image
(:mod:`deepclust.cluster._predict`, :func:`deepclust.selftrain.classify`) and say whether
it lies far from every cluster. Here: how typical a new image is of its cluster, measured
against the followed run's own members, and the drift summary (drift.json).
"""

import numpy as np

from .assignments import CHUNK_ROWS
from .labels import NOISE

# The share of far images above which the log warns of drift. A model calls a point far
# beyond what 1% of its training points reach (FAR_QUANTILE 0.99), so images like the
# training ones give about 1%.
DRIFT_WARNING = 0.05


def cluster_centres(x, labels, chunk_rows=CHUNK_ROWS):
    """``{cluster: mean of its rows of x}`` (noise left out), ``x`` read a chunk at a time."""
    labels = np.asarray(labels)
    ids = np.unique(labels[labels != NOISE])
    index = np.searchsorted(ids, labels)
    sums, counts = np.zeros((len(ids), x.shape[1])), np.zeros(len(ids))
    for a in range(0, len(x), chunk_rows):
        part, ok = (
            np.asarray(x[a : a + chunk_rows], np.float64),
            labels[a : a + chunk_rows] != NOISE,
        )
        np.add.at(sums, index[a : a + chunk_rows][ok], part[ok])
        counts += np.bincount(index[a : a + chunk_rows][ok], minlength=len(ids))
    return dict(zip(ids.tolist(), sums / np.maximum(counts, 1)[:, None]))


def distances_to(x, labels, centres, chunk_rows=CHUNK_ROWS):
    """Each row's distance to the centre of its cluster in ``labels``; NaN for noise and
    for a cluster ``centres`` does not hold."""
    labels = np.asarray(labels)
    out = np.full(len(labels), np.nan)
    for c, centre in centres.items():
        rows = np.flatnonzero(labels == c)
        for a in range(0, len(rows), chunk_rows):
            part = rows[a : a + chunk_rows]
            out[part] = np.linalg.norm(np.asarray(x[part], np.float64) - centre, axis=1)
    return out


def typicality_against(distances, labels, ref_distances, ref_labels):
    """Per new image, the share of its cluster's members in the followed run (``ref_``)
    that lie farther from the centre than it does: 1 nearer than all, 0 farther than all
    (a followed image itself scores about its typicality there); NaN for noise or a
    cluster with no members. Float64 ``(N,)``."""
    labels, ref_labels = np.asarray(labels), np.asarray(ref_labels)
    out = np.full(len(labels), np.nan)
    for c in np.unique(labels[labels != NOISE]):
        ref = np.sort(ref_distances[ref_labels == c])
        rows = np.flatnonzero(labels == c)
        if len(ref):
            out[rows] = 1.0 - np.searchsorted(ref, distances[rows], side="right") / len(ref)
    return out


def drift_summary(far, recommended, followed):
    """drift.json: per clustering the share of new images far from every cluster
    (``far``: ``{clustering: bool (N,)}``), the recommended one's, and whether it is above
    :data:`DRIFT_WARNING`."""
    shares = {c: float(np.mean(f)) if len(f) else 0.0 for c, f in far.items()}
    share = shares[recommended]
    return {
        "followed": followed,
        "images": len(far[recommended]),
        "recommended": recommended,
        "far_share": share,
        "far_share_by_clustering": shares,
        "warning_above": DRIFT_WARNING,
        "drift": share > DRIFT_WARNING,
        "far_means": (
            "beyond the distance (or below the density, or the classifier's confidence) "
            "that 99% of the followed run's images reach in their own cluster; for DBSCAN "
            "and HDBSCAN, noise"
        ),
    }
