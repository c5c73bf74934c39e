"""Benchmark: the label-free recommendation and the consensus check on a finished run.

    python tests/benchmarks/bench_recommend.py --results DIR/results/DATASET [--method vote]

DIR is a finished run with one or more seeds (e.g. the work folder
``tests/benchmarks/bench_quality.py --dataset digits8 --workdir DIR`` made: its ``main/``).
Per seed: every clustering's accuracy (true labels from ``data.npz``), the one
deepclust.recommend picks from that seed's embedding (kNN-graph modularity), the best by
labels and the gap. With two or more seeds, per clustering: the seeds' mean accuracy, the
consensus (deepclust.stability, ``--method``), whether deepclust.recommend.consensus_check
trusts it, and the accuracy of what the workflow would keep (the consensus, or the most
typical seed when not trusted) against the seeds' mean (goal: never below by more than
0.005). Labels are read only to score.
"""

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "tests" / "helpers")]

from deepclust.metrics import cluster_accuracy  # noqa: E402
from deepclust.recommend import consensus_check, neighbour_graph, recommend  # noqa: E402
from deepclust.stability import (  # noqa: E402
    coassociation_consensus,
    consensus,
    most_typical,
    pairwise_agreement,
)
from disturbance import watch  # noqa: E402

MAX_RECOMMEND_GAP = 0.02
MAX_CONSENSUS_LOSS = 0.005


def seeds_of(results):
    return sorted(results.glob("seed*"), key=lambda p: int(p.name[4:]))


def labellings_of(seed_dir):
    return {p.parent.name: np.load(p) for p in sorted(seed_dir.glob("clusters/*/labels.npy"))}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, required=True, help="results/<dataset> folder")
    parser.add_argument("--method", default="coassociation", choices=["coassociation", "vote"])
    args = parser.parse_args()
    truth = np.load(args.results / "data.npz")["labels"]
    seeds = seeds_of(args.results)
    print(f"{args.results}: {', '.join(s.name for s in seeds)}, {len(truth)} images")
    per_seed = [labellings_of(s) for s in seeds]
    names = [n for n in per_seed[0] if all(n in r for r in per_seed)]
    graphs = [neighbour_graph(np.load(s / "embeddings.npy"), seed=i) for i, s in enumerate(seeds)]
    for i, seed_dir in enumerate(seeds):
        acc = {n: cluster_accuracy(truth, per_seed[i][n]) for n in names}
        print(f"{seed_dir.name}: " + ", ".join(f"{n} {acc[n]:.4f}" for n in names))
    clusterings = {n: [r[n] for r in per_seed] for n in names}
    pick, reason, scores = recommend(clusterings, graphs)
    mean_acc = {
        n: statistics.fmean(cluster_accuracy(truth, lab) for lab in runs)
        for n, runs in clusterings.items()
    }
    best = max(mean_acc, key=mean_acc.get)
    gap = mean_acc[best] - mean_acc[pick]
    print(
        ", ".join(
            f"{n}: modularity {scores[n]:.4f}, mean accuracy {mean_acc[n]:.4f}" for n in names
        )
    )
    print(
        f"recommended {pick} ({mean_acc[pick]:.4f}), best by labels {best} ({mean_acc[best]:.4f})"
    )
    print(f"reason: {reason}")
    print(
        f"recommendation: {gap:.4f} below the best (limit {MAX_RECOMMEND_GAP}): "
        f"goal {'met' if gap <= MAX_RECOMMEND_GAP else 'NOT met'}"
    )
    if len(seeds) < 2:
        return
    function = coassociation_consensus if args.method == "coassociation" else consensus
    worst = np.inf
    print(f"\n{'clustering':20s} seeds' mean  consensus  trusted  kept     vs mean")
    for name in names:
        runs = [r[name] for r in per_seed]
        pairs, _, _ = pairwise_agreement(runs)
        reference = most_typical(pairs, len(runs))
        labels, _ = function(runs, reference)
        check = consensus_check(labels, runs, graphs, reference)
        kept = labels if check["trusted"] else runs[reference]
        mean = statistics.fmean(cluster_accuracy(truth, r) for r in runs)
        gap = cluster_accuracy(truth, kept) - mean
        worst = min(worst, gap)
        print(
            f"{name:20s} {mean:11.4f}  {cluster_accuracy(truth, labels):9.4f}  "
            f"{str(check['trusted']):7s}  {cluster_accuracy(truth, kept):.4f}  {gap:+.4f}"
            f"  (modularity {check['consensus_modularity']:.4f}, "
            f"seeds {check['seeds_modularity']:.4f}, typical seed {reference})"
        )
    print(
        f"kept labelling against the seeds' mean: worst {worst:+.4f} (limit "
        f"-{MAX_CONSENSUS_LOSS}): goal {'met' if worst >= -MAX_CONSENSUS_LOSS else 'NOT met'}"
    )


if __name__ == "__main__":
    with watch():
        main()
