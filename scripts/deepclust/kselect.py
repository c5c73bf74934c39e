"""Choosing the number of clusters K from the data alone (``n_clusters: auto``), never
from labels. NumPy in, NumPy out; the algorithms of :mod:`deepclust.cluster` call it.

Criteria:

- ``bic`` (gmm): the Bayesian information criterion of a Gaussian mixture fitted with K
  components (scikit-learn's ``GaussianMixture.bic``), lowest wins.
- ``silhouette`` (kmeans, agglomerative): the mean silhouette of the K-cluster partition,
  highest wins; estimated from a seeded subsample of the points
  (:func:`deepclust.silhouette.silhouette_estimate`, each sampled point scored against
  all points), so one K costs O(sample x N) distances.
- ``merge_gap`` (umap_gmm): over-cluster, then merge the two most connected clusters step
  by step (:func:`deepclust.cluster.merge_order`); each merge has a link strength.
  Stopping at K clusters is scored by the log-ratio of the weakest merge done to the
  strongest merge refused, the analogue of cutting a dendrogram at its largest gap;
  highest wins. On UMAP coordinates BIC keeps falling well past the number of classes,
  so it would pick the largest K.

The sweeps of bic and silhouette run on a seeded sample of ``k_sample`` points when there
are more (:func:`sweep_indices`); the final clustering with the chosen K runs on all.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class KSelection:
    """A criterion's curve: ``k`` int64 ``(m,)`` candidates, ``score`` float64 ``(m,)``,
    ``better`` "lower" or "higher", and the ``chosen`` K."""

    criterion: str
    k: np.ndarray
    score: np.ndarray
    better: str
    chosen: int

    def as_dict(self):
        """JSON-able record, as written to run.json ``params["k_auto"]``."""
        return {
            "criterion": self.criterion,
            "k": [int(k) for k in self.k],
            "score": [float(s) for s in self.score],
            "better": self.better,
            "chosen": int(self.chosen),
        }


def k_candidates(k_min, k_max, n_points):
    """int64 candidates ``k_min..k_max``, ``k_max`` capped at ``n_points`` (no more
    clusters than points, or than the components merged). ValueError when ``k_min`` < 2,
    ``k_min > k_max`` or ``k_min`` exceeds ``n_points``."""
    for name, value in (("k_min", k_min), ("k_max", k_max)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 2:
            raise ValueError(f"{name} must be an integer of at least 2, got {value!r}")
    if k_min > k_max:
        raise ValueError(f"k_min ({k_min}) must not exceed k_max ({k_max})")
    if k_min > n_points:
        raise ValueError(f"k_min ({k_min}) exceeds {n_points}, the most clusters possible here")
    return np.arange(k_min, min(k_max, n_points) + 1, dtype=np.int64)


def sweep_indices(n_points, k_sample, seed):
    """Sorted int64 indices of the points a sweep fits: all when ``n_points <= k_sample``,
    else a seeded sample of ``k_sample`` without replacement."""
    if isinstance(k_sample, bool) or not isinstance(k_sample, (int, np.integer)) or k_sample < 2:
        raise ValueError(f"k_sample must be an integer of at least 2, got {k_sample!r}")
    if n_points <= k_sample:
        return np.arange(n_points)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n_points, size=k_sample, replace=False))


def best_k(k, score, better):
    """The K of the best score (``better``: "lower" or "higher"); ties: the smallest K."""
    score = np.asarray(score, dtype=float)
    if better not in ("lower", "higher"):
        raise ValueError(f"better must be 'lower' or 'higher', got {better!r}")
    return int(np.asarray(k)[np.argmin(score) if better == "lower" else np.argmax(score)])


def bic_curve(x, ks, make_mixture):
    """BIC of a mixture fitted to ``x`` (float ``(N, D)``) for each K of ``ks``.

    ``make_mixture(k)`` returns an unfitted scikit-learn mixture of ``k`` components.
    Returns a :class:`KSelection` (criterion bic, lower is better).
    """
    x = np.asarray(x, dtype=np.float64)
    score = np.array([make_mixture(int(k)).fit(x).bic(x) for k in ks])
    return KSelection("bic", np.asarray(ks), score, "lower", best_k(ks, score, "lower"))


def silhouette_curve(x, ks, partition, sample_size, seed):
    """Mean silhouette of ``partition(k)`` (int labels ``(N,)`` of ``x``) for each K.

    ``x``: float ``(N, D)``. The silhouette is estimated from ``min(sample_size, N)``
    points drawn with ``seed`` (the same points for every K), each scored against all N.
    Returns a :class:`KSelection` (criterion silhouette, higher is better).
    """
    from .silhouette import silhouette_estimate

    sample_size = min(int(sample_size), len(x))
    score = np.array(
        [silhouette_estimate(x, partition(int(k)), sample_size, seed).value for k in ks]
    )
    return KSelection("silhouette", np.asarray(ks), score, "higher", best_k(ks, score, "higher"))


def merge_gap_curve(n_before, links, ks, floor):
    """Where to stop merging: score of stopping at each K of ``ks``.

    ``links`` float ``(m,)``: the link strength of each merge, in order, the first taking
    ``n_before`` clusters to ``n_before - 1``. Stopping at K does the merges down to K and
    refuses the rest; its score is ``log(weakest merge done / strongest merge refused)``
    (positive: every merge done was stronger than every merge refused), links below
    ``floor`` counted as ``floor``: clusters with (almost) no contact are islands, and
    the gap between touching clusters and islands would otherwise be infinite and
    outweigh every gap between touching clusters. Stopping at ``n_before`` (no merge
    done) scores 0; ties go to the largest K (no merge distinguishably stronger: refuse
    it). Candidates lie in 2..``n_before``. Returns a :class:`KSelection` (criterion
    merge_gap, higher is better).
    """
    links = np.asarray(links, dtype=float)
    ks = np.asarray(ks, dtype=np.int64)
    if len(links) != n_before - 1:
        raise ValueError(f"{n_before} clusters need {n_before - 1} merge links, got {len(links)}")
    if ks.min() < 2 or ks.max() > n_before:
        raise ValueError(f"candidates must lie in 2..{n_before}, got {ks.min()}..{ks.max()}")
    if not floor > 0:
        raise ValueError(f"floor must be positive, got {floor!r}")
    safe = np.maximum(links, floor)
    score = np.zeros(len(ks))
    for i, k in enumerate(ks):
        if k < n_before:
            score[i] = np.log(safe[: n_before - k].min() / safe[n_before - k :].max())
    chosen = int(ks[len(ks) - 1 - np.argmax(score[::-1])])  # ties: the largest K
    return KSelection("merge_gap", ks, score, "higher", chosen)


def cut_tree(children, n_leaves, n_clusters):
    """Labels of ``n_leaves`` points after the first ``n_leaves - n_clusters`` merges of
    a tree (``children`` int ``(n_leaves - 1, 2)``, scikit-learn's ``children_``: merge
    i joins nodes ``children[i]`` into node ``n_leaves + i``).

    Returns int64 labels ``(n_leaves,)`` numbered 0..n_clusters-1 in order of first
    appearance. Union by pointer jumping: O(N log N).
    """
    children = np.asarray(children, dtype=np.int64)
    n_merges = n_leaves - n_clusters
    if not 0 <= n_merges <= len(children):
        raise ValueError(f"cannot cut a tree of {n_leaves} leaves into {n_clusters} clusters")
    parent = np.arange(n_leaves + len(children))
    done = children[:n_merges]
    parent[done[:, 0]] = parent[done[:, 1]] = n_leaves + np.arange(n_merges)
    while True:
        jumped = parent[parent]
        if np.array_equal(jumped, parent):
            break
        parent = jumped
    _, first, labels = np.unique(parent[:n_leaves], return_index=True, return_inverse=True)
    order = np.argsort(np.argsort(first))  # renumber by first appearance
    return order[labels].astype(np.int64)
