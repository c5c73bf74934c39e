"""Ablation: two consensus clusterings of the same seeds' labellings, against the seeds.

    python tests/benchmarks/ablation_consensus.py --results DIR/results/DATASET

DIR is a finished run with two or more seeds, e.g. the work folder that
``make bench-quality ARGS="--dataset digits8 --workdir DIR"`` printed (its ``main/``). For
each clustering found in every seed it prints the seeds' mean accuracy and NMI (true labels
from ``data.npz``), then both consensus methods of ``deepclust.stability``: ``vote``
(clusters matched one-to-one to the most typical seed, a vote per image) and
``coassociation`` (signatures joined by average linkage, which can follow a split or a
merge that most seeds make) at each ``--shares`` value of ``min_group_share``, with each
one's gap to the seeds' mean accuracy and its time.
"""

import argparse
import statistics
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "tests" / "helpers")]

from deepclust.metrics import cluster_accuracy  # noqa: E402
from deepclust.stability import (  # noqa: E402
    coassociation_consensus,
    consensus,
    most_typical,
    pairwise_agreement,
)
from disturbance import watch  # noqa: E402


def seed_labellings(results):
    """``{clustering: [labels of each seed, seed order]}`` for clusterings every seed has."""
    seeds = sorted(results.glob("seed*"), key=lambda p: int(p.name[4:]))
    names = set.intersection(
        *[{p.parent.name for p in s.glob("clusters/*/labels.npy")} for s in seeds]
    )
    return [s.name for s in seeds], {
        name: [np.load(s / "clusters" / name / "labels.npy") for s in seeds]
        for name in sorted(names)
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, required=True, help="results/<dataset> folder")
    parser.add_argument("--shares", type=float, nargs="+", default=[0.0, 0.05, 0.1, 0.2, 0.3])
    args = parser.parse_args()
    methods = {"vote": consensus} | {
        f"coassoc {share:g}": partial(coassociation_consensus, min_group_share=share)
        for share in args.shares
    }
    from sklearn.metrics import normalized_mutual_info_score as nmi

    truth = np.load(args.results / "data.npz")["labels"]
    seeds, labellings = seed_labellings(args.results)
    print(f"{args.results}: {', '.join(seeds)}, {len(truth)} images")
    print(f"{'clustering':20s} {'method':14s} {'accuracy':>8s} {'NMI':>7s} {'vs seeds':>8s}  time")
    for name, runs in labellings.items():
        pairs, ari, _ = pairwise_agreement(runs)
        typical = most_typical(pairs, len(runs))
        mean_acc = statistics.fmean(cluster_accuracy(truth, x) for x in runs)
        mean_nmi = statistics.fmean(nmi(truth, x) for x in runs)
        print(
            f"{name:20s} {'seeds (mean)':14s} {mean_acc:8.4f} {mean_nmi:7.4f}  seed ARI {ari:.3f}"
        )
        for method, function in methods.items():
            start = time.perf_counter()
            labels, _ = function(runs, typical)
            seconds = time.perf_counter() - start
            acc = cluster_accuracy(truth, labels)
            smallest = sorted(np.bincount(labels[labels >= 0]).tolist())[:2]
            print(
                f"{'':20s} {method:14s} {acc:8.4f} {nmi(truth, labels):7.4f} "
                f"{acc - mean_acc:+8.4f}  {seconds:.2f} s  smallest clusters {smallest}",
                flush=True,
            )


if __name__ == "__main__":
    with watch():
        main()
