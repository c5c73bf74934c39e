"""Label-free judgements between clusterings: which one to recommend, and whether a
consensus of seeds can be trusted. NumPy in, plain records out; never labels.

Both rest on one score computed in one space for every clustering: the modularity of a
labelling on the symmetric kNN graph of a seed's embedding (the space every algorithm
starts from), i.e. the share of kNN edges inside clusters minus what clusters of those
sizes would hold by chance. It rewards clusters that follow the neighbourhoods and punishes
both a cut through a dense group and one giant cluster; it needs no K and nothing beyond
one kNN search per seed (N log N, on a seeded sample above ``sample`` points).

- :func:`recommend`: of several clusterings (each with a labelling per seed), the one of
  highest mean modularity over the seeds, each seed's labelling on its own seed's graph.
- :func:`consensus_check`: a consensus is trusted unless its mean modularity over the
  seeds' graphs falls more than ``tolerance`` below the seeds' labellings' on the same
  graphs; else the most typical seed's labelling stands in for it.
"""

from dataclasses import dataclass

import numpy as np

from .labels import NOISE


@dataclass(frozen=True)
class NeighbourGraph:
    """One seed's kNN graph: ``index`` int64 ``(n,)`` the points it holds (all, or a
    seeded sample), ``graph`` scipy CSR ``(n, n)`` symmetric 0/1, ``note`` how it was made."""

    index: np.ndarray
    graph: object
    note: str

    def modularity(self, labels):
        """Modularity of ``labels`` (int ``(N,)``, all points) on this graph."""
        return modularity(self.graph, np.asarray(labels)[self.index])


def neighbour_graph(x, n_neighbors=15, sample=20000, seed=0):
    """The :class:`NeighbourGraph` of embedding ``x`` (float ``(N, D)``), on a seeded
    sample of ``sample`` points when there are more."""
    from .kcriteria import knn_graph

    x = np.asarray(x, dtype=np.float64)
    if len(x) > sample:
        index = np.sort(np.random.default_rng(seed).choice(len(x), sample, replace=False))
        note = f"kNN graph ({n_neighbors} neighbours), seeded sample of {sample} of {len(x)} points"
    else:
        index = np.arange(len(x))
        note = f"the kNN graph ({n_neighbors} neighbours) of all {len(x)} points"
    return NeighbourGraph(index, knn_graph(x[index], n_neighbors), note)


def modularity(graph, labels):
    """Newman's modularity of ``labels`` (int ``(N,)``) on the symmetric weighted graph
    ``graph`` (scipy sparse ``(N, N)``); each noise point counts as a cluster of its own."""
    labels = np.asarray(labels).copy()
    noise = labels == NOISE
    if noise.any():
        labels[noise] = labels.max() + 1 + np.arange(noise.sum())
    _, index = np.unique(labels, return_inverse=True)
    coo = graph.tocoo()
    total = coo.data.sum()
    inside = coo.data[index[coo.row] == index[coo.col]].sum()
    degree = np.bincount(index, weights=np.asarray(graph.sum(axis=1)).ravel())
    return float(inside / total - ((degree / total) ** 2).sum())


def _check(clusterings, graphs):
    if not clusterings:
        raise ValueError("recommend needs at least one clustering")
    for name, runs in clusterings.items():
        if len(runs) != len(graphs):
            raise ValueError(
                f"clustering {name!r} has {len(runs)} labellings for {len(graphs)} seeds"
            )


def recommend(clusterings, graphs):
    """Which of ``clusterings`` (``{name: [int labels (N,) per seed]}``, in order of
    preference on a tie) to recommend: the highest mean over seeds of the modularity of
    its labelling on that seed's graph (``graphs``: one :class:`NeighbourGraph` per seed).
    Returns ``(name, reason, scores)``, ``scores`` ``{name: mean modularity}``."""
    _check(clusterings, graphs)
    scores = {
        name: float(np.mean([g.modularity(lab) for g, lab in zip(graphs, runs)]))
        for name, runs in clusterings.items()
    }
    order = list(scores)
    best = max(order, key=lambda name: (scores[name], -order.index(name)))
    others = sorted((v, -order.index(n), n) for n, v in scores.items() if n != best)
    runner = f", ahead of {others[-1][2]} ({others[-1][0]:.3f})" if others else ""
    seeds = f"mean over {len(graphs)} seeds" if len(graphs) > 1 else "one seed"
    reason = (
        f"{best} follows the embedding's neighbourhoods best: kNN-graph modularity "
        f"{scores[best]:.3f} ({seeds}){runner}"
    )
    return best, reason, scores


def consensus_check(consensus, labellings, graphs, reference, tolerance=0.005):
    """Can ``consensus`` (int ``(N,)``) of ``labellings`` (one per seed) be trusted? Its
    mean modularity on the seeds' ``graphs`` against the seeds' labellings' mean on the
    same graphs: trusted unless lower by more than ``tolerance``. ``reference``: the
    most typical seed's index, whose labelling stands in when not trusted. Returns a
    JSON-able record: ``trusted``, ``consensus_modularity``, ``seeds_modularity``,
    ``fallback_index`` (None when trusted) and a one-sentence ``reason``."""
    if len(labellings) != len(graphs):
        raise ValueError(f"{len(labellings)} labellings for {len(graphs)} seed graphs")
    agreed = float(np.mean([g.modularity(consensus) for g in graphs]))
    own = float(np.mean([g.modularity(lab) for g in graphs for lab in labellings]))
    trusted = agreed >= own - tolerance
    if trusted:
        reason = (
            f"the consensus follows the seeds' neighbourhoods as well as the seeds do "
            f"(kNN-graph modularity {agreed:.3f} against their {own:.3f})"
        )
    else:
        reason = (
            f"the consensus follows the seeds' neighbourhoods worse than the seeds do "
            f"(kNN-graph modularity {agreed:.3f} against their {own:.3f}): the most typical "
            "seed's labelling is used instead"
        )
    return {
        "trusted": bool(trusted),
        "consensus_modularity": agreed,
        "seeds_modularity": own,
        "tolerance": tolerance,
        "fallback_index": None if trusted else int(reference),
        "reason": reason,
    }
