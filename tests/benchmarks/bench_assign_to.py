"""Benchmark: new images placed in a finished run's clusters (assign_to) score as the run.

    ../shared/tools/quiet .venv/bin/python tests/benchmarks/bench_assign_to.py \\
        [--train 10000] [--test 2000] [--epochs 10] [--quality] [--no-retrained] [--workdir DIR]

Runs the workflow on the local MNIST copy (as the mnist-local preset) on the first
``--train`` training images, every algorithm and self-training on K-Means, with a follower
dataset of the first ``--test`` test images (``assign_to: mnist``), and a third dataset of
both sets together (the test images clustered in, written to a Hub-layout folder in the work
folder). Prints per clustering: the accuracy of the run's clustering of the training images,
that of the test images as placed by the saved models, that of the same test images when
clustered in with the training ones (each by deepclust.metrics.cluster_accuracy, its own
Hungarian matching), the placed test images scored with the training images' matching, the
share of far test images, and whether the placed accuracy is within 0.01 of the clustered-in
one (the goal of issue 33). Labels are read only to score. ``--workdir`` of an earlier run
reuses its results.

The third dataset trains an encoder of its own, so its column also carries the spread between
two encoders. ``same encoder``: each algorithm fitted again, with the run's parameters (its
run.json, K resolved) and seed, on the run's embeddings of the training images followed by
the test images' (the run's encoder): the test images clustered in with nothing else
changed, which is what placing should match. ``--no-retrained`` skips the third dataset.
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "tests" / "helpers")]

from deepclust.cluster import REGISTRY, run_algorithm  # noqa: E402
from deepclust.labels import NOISE  # noqa: E402
from deepclust.metrics import cluster_accuracy, match_clusters  # noqa: E402
from disturbance import watch  # noqa: E402
from workflow_runner import copy_project, snakemake, write_config  # noqa: E402

GOAL = 0.01
MNIST = ROOT.parent / "shared" / "datasets" / "mnist"


def combined_source(folder, train, test):
    """A Hub-layout folder whose one split holds the first ``train`` training images, then
    the first ``test`` test images."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    parts = [
        pq.read_table(MNIST / "mnist" / f"{split}-00000-of-00001.parquet").slice(0, n)
        for split, n in (("train", train), ("test", test))
    ]
    (folder / "mnist").mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.concat_tables(parts), folder / "mnist" / "train-00000-of-00001.parquet")
    return folder


def quality_config(train, test, combined):
    """The quality preset's settings (deskewing, UMAP + GMM of 20 merged to 10, its
    self-training), one seed, on the same datasets."""
    preset = yaml.safe_load((ROOT / "config/presets/quality.yaml").read_text())
    preset["datasets"] = config(train, test, None, combined)["datasets"]
    preset["seeds"] = [0]
    preset["autoencoder"] = {**preset.get("autoencoder", {}), "device": "cpu"}
    return preset


def config(train, test, epochs, combined):
    retrained = {} if combined is None else {"mnist_in": {"source": str(combined)}}
    return {
        "datasets": {
            **retrained,
            "mnist": {"source": str(MNIST), "limit": train},
            "mnist_test": {
                "source": str(MNIST),
                "splits": ["test"],
                "limit": test,
                "assign_to": "mnist",
            },
        },
        "autoencoder": {"epochs": epochs, "device": "cpu"},
        "algorithms": {
            "gmm": {"enabled": True},
            "agglomerative": {"enabled": True},
            "hdbscan": {"enabled": True},
            "umap_gmm": {"enabled": True},
        },
        "self_training": {"enabled": True, "base": "kmeans", "epochs": 3},
    }


def mapped_accuracy(true, pred, mapping):
    """Accuracy of ``pred`` under a given cluster -> class ``mapping`` (noise wrong)."""
    mapped = np.array([mapping.get(int(p), -2) if p != NOISE else -2 for p in pred])
    return float(np.mean(mapped == true))


def same_encoder_accuracy(results, name, test_truth):
    """Accuracy on the test images of algorithm ``name`` fitted with the run's parameters
    and seed on the run's training embeddings followed by the test images' (None for a
    self-trained clustering, which trains a network of its own)."""
    record = results / f"mnist/seed0/clusters/{name}/run.json"
    run = json.loads(record.read_text())
    if run["algorithm"] not in REGISTRY:
        return None
    x = np.concatenate(
        [np.load(results / f"{d}/seed0/embeddings.npy") for d in ("mnist", "mnist_test")]
    )
    labels, _ = run_algorithm(run["algorithm"], x, run["params"], int(run["seed"]))
    return cluster_accuracy(test_truth, labels[-len(test_truth) :])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=10000)
    parser.add_argument("--test", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--no-retrained", action="store_true", help="skip the third dataset")
    parser.add_argument(
        "--quality", action="store_true", help="the quality preset's settings (one seed)"
    )
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench_assign_to_"))
    if not (workdir / "Snakefile").exists():
        copy_project(workdir)
    combined = (
        None if args.no_retrained else combined_source(workdir / "combined", args.train, args.test)
    )
    settings = (
        quality_config(args.train, args.test, combined)
        if args.quality
        else config(args.train, args.test, args.epochs, combined)
    )
    configfile = write_config(workdir, settings)
    with watch() as machine:
        targets = ["results/mnist_test/assignments.tsv", "results/mnist_test/drift.json"]
        targets += [] if combined is None else ["results/mnist_in/assignments.tsv"]
        snakemake(workdir, *targets, "--cores", "2", "--configfile", configfile, timeout=3600)
        results = workdir / "results"
        train_truth = np.load(results / "mnist/data.npz")["labels"]
        test_truth = np.load(results / "mnist_test/data.npz")["labels"]
        table = pd.read_csv(results / "mnist_test/assignments.tsv", sep="\t")
        drift = json.loads((results / "mnist_test/drift.json").read_text())
        names = list(drift["far_share_by_clustering"])
        print(
            f"MNIST: a run on the first {len(train_truth)} training images, the first "
            f"{len(test_truth)} test images placed by its saved models "
            f"({'the quality preset, seed 0' if args.quality else f'{args.epochs} epochs'})"
        )
        retrained = None
        if combined is not None:
            retrained = pd.read_csv(results / "mnist_in/assignments.tsv", sep="\t")
        print(
            "clustering | run (train) | placed (test) | clustered in, same encoder (test) | "
            "clustered in, own encoder (test) | placed, train's matching | far | within 0.01 "
            "of the same encoder's"
        )
        met = []
        for name in names:
            train = np.load(results / f"mnist/seed0/clusters/{name}/labels.npy")
            placed = table[name].to_numpy()
            a_train = cluster_accuracy(train_truth, train)
            a_test = cluster_accuracy(test_truth, placed)
            a_same = same_encoder_accuracy(results, name, test_truth)
            a_own = "not run"
            if retrained is not None:
                own = retrained[name].to_numpy()[-len(test_truth) :]
                a_own = f"{cluster_accuracy(test_truth, own):.4f}"
            a_mapped = mapped_accuracy(test_truth, placed, match_clusters(train_truth, train))
            ok = None if a_same is None else abs(a_test - a_same) <= GOAL
            if ok is not None:
                met.append(ok)
            far = drift["far_share_by_clustering"][name]
            print(
                f"{name} | {a_train:.4f} | {a_test:.4f} | "
                f"{'n/a' if a_same is None else f'{a_same:.4f}'} | {a_own} | {a_mapped:.4f} | "
                f"{far:.1%} | {'n/a' if ok is None else 'yes' if ok else 'no'}"
            )
        print(f"recommended: {drift['recommended']}, drift warning: {drift['drift']}")
        machine.verdict(
            f"{sum(met)} of {len(met)} clusterings place the test images within {GOAL} of their "
            "accuracy clustered in with the same encoder",
            "met" if all(met) else "not met",
        )


if __name__ == "__main__":
    main()
