"""Run the real workflow in a scratch copy of the project (used by the end-to-end tests)."""

import os
import shutil
import subprocess
import sys
from collections import Counter, namedtuple
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[2]
SMALL_N = 2000  # images in the end-to-end runs
PROJECT_PARTS = ["Snakefile", "config.yaml", "workflow", "scripts", "envs", "profiles"]
# The rules every run has, and those only config/presets/every-step.yaml adds.
RULES = [
    "all",
    "survey",
    "decode",
    "train_autoencoder",
    "embed",
    "cluster",
    "evaluate",
    "tsne",
    "plot_tsne",
    "plot_confusion",
    "plot_diagnostic",
    "plot_gallery",
    "plot_tsne_thumbnails",
    "recommend",
    "summarize",
    "pdf_report",
]
OPTIONAL_RULES = [
    "deskew",
    "self_train",
    "fit_encoder",
    "assign",
    "assign_self_trained",
    "follower_assignments",
]
DRY_RUNS_ONLY = False  # set by tests/conftest.py for the tests in tests/unit/


def copy_project(dest):
    """Copy what the workflow needs (not results, not the venv) into ``dest``."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            shutil.copy2(src, dest / part)
    return dest


def small_config(source, cache_dir, limit=SMALL_N, epochs=3, **overrides):
    """A quick config on the first ``limit`` images; ``overrides`` replace top-level sections."""
    config = {
        "datasets": {
            "mnist": {
                "source": str(source),
                "splits": ["train"],
                "limit": limit,
                "cache_dir": str(cache_dir),
            }
        },
        # cpu pinned: byte-identity tests rely on CPU determinism (test_gpu.py covers cuda)
        "autoencoder": {"epochs": epochs, "batch_size": 64, "device": "cpu"},
        "tsne": {"n_samples": 300},
    }
    config.update(overrides)
    return config


def require_tool(*names):
    """Skip the calling test when none of ``names`` is on PATH, with the reason; in CI
    (``CI`` set), where every tool must be installed, fail instead."""
    if any(shutil.which(name) for name in names):
        return
    import pytest

    reason = f"needs {' or '.join(names)} on PATH"
    if os.environ.get("CI"):
        pytest.fail(f"CI must run this test, but it {reason}")
    pytest.skip(reason)


def write_config(workdir, config, name="test_config.yaml"):
    path = Path(workdir) / name
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path.name


def snakemake(workdir, *args, check=True, timeout=900, env=None):
    """``snakemake *args`` in ``workdir``; returns the CompletedProcess (stdout+stderr merged).

    Put targets before ``--configfile``, which takes every argument after it.

    ``env`` adds environment variables for this call.
    """
    if DRY_RUNS_ONLY and not {"-n", "--dry-run", "--lint"} & set(args):
        raise AssertionError(
            "this test runs workflow jobs: move it to tests/workflow/ (tests/unit/ runs none)"
        )
    cmd = [sys.executable, "-m", "snakemake", *args]
    done = subprocess.run(
        cmd,
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        env=dict(os.environ, **(env or {})),
    )
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout[-6000:]}")
    return done


def job_counts(output):
    """``{rule: n}`` from the 'Job stats' table Snakemake prints (empty when nothing to do)."""
    import re

    found = re.search(r"Job stats:\n(.*?)\n\n", output, re.S)
    if not found:
        return Counter()
    rows = [row.split() for row in found.group(1).splitlines()[2:]]
    return Counter({name: int(n) for name, n in rows if name != "total"})


Job = namedtuple("Job", "rule dataset seed item", defaults=(None, None, None))
# The diagnostic figures an algorithm draws of its own (first seed, rule plot_diagnostic):
# DBSCAN's k-distance curve always, the K selection curve when n_clusters is auto.
AUTO_K = ("kmeans", "gmm", "agglomerative", "umap_gmm")


def diagnostics(algorithm, settings):
    """The diagnostic figures ``algorithm`` with ``settings`` (its config block) draws."""
    figures = ["kdistance"] if algorithm == "dbscan" else []
    if algorithm in AUTO_K and settings["n_clusters"] == "auto":
        figures.append("kselection")
    return figures


def effective_config(overrides=None):
    """config.yaml with ``overrides`` (a --configfile's content) merged in as Snakemake merges
    them (nested dicts key by key), then the schema's defaults filled in."""
    from config_defaults import merged

    return merged(yaml.safe_load((ROOT / "config.yaml").read_text()), overrides)


def planned_jobs(config):
    """Every job of a full run of ``config`` (see effective_config), each with the jobs whose
    outputs it reads: ``{Job: [Job, ...]}``. Written down from what the workflow promises, not
    from its code, so that a dry run can disagree:

    - per dataset: a survey of the images' sizes, a decode (fed by ``shards`` decode_shard
      jobs when shards > 1), deskew
      when the dataset (or else ``preprocessing``) says so, one recommend (every seed's
      labellings and embeddings), one summarize, one report;
    - per seed: an autoencoder, its embeddings (``shards`` embed_shard jobs when shards > 1),
      one cluster job per enabled algorithm, self_train on its base when enabled, and one
      evaluate per clustering (the algorithms, then the self-trained one);
    - the figures for the first seed only: t-SNE, a t-SNE plot per clustering and one by the
      true labels, a confusion matrix and a gallery per clustering, the thumbnail map, and
      each enabled algorithm's own diagnostic figures (diagnostics), from the embeddings
      and the clustering's run.json; the cluster explorer page (one per dataset), from the
      map of every image (``map``), every clustering, the recommended one and assignments.tsv,
      which the report names;
    - per dataset: assignments.tsv (every clustering in every seed, each consensus, the
      recommendation) and duplicates.tsv (the images' thumbnails);
    - per follower (assign_to): a survey (after the followed one's), decode, deskew as the
      followed dataset, an embed with the followed dataset's first-seed encoder, one
      assign per algorithm (the followed first seed's cluster job) and per self-trained
      clustering (its self_train and the base's assign), and follower_assignments (the
      placements, the followed run's recommendation, clusterings and embeddings);
    - with two or more seeds, per clustering: a consensus of its seeds' labels (checked on
      every seed's embeddings), scored and
      drawn (t-SNE map, gallery, confusion matrix) on the first seed's outputs; the first
      seed's gallery prints each cluster's stability from it;
    - one ``all``, needing every report.
    """
    jobs = {}

    def add(job, *needs):
        jobs[job] = [n for n in needs if n is not None]
        return job

    shards = config["shards"]
    seeds = config["seeds"]
    algorithms = [a for a, s in config["algorithms"].items() if s["enabled"]]
    self_training = config["self_training"]
    reports, done = [], {}  # done: a trained dataset's jobs a follower needs
    enabled = {d: s for d, s in config["datasets"].items() if s["enabled"]}
    for d, dataset in sorted(enabled.items(), key=lambda item: bool(item[1]["assign_to"])):
        if dataset["assign_to"]:
            reports.append(follower_jobs(config, add, d, done[dataset["assign_to"]]))
            continue
        survey = add(Job("survey", d))
        decoded = (
            [add(Job("decode_shard", d, item=i), survey) for i in range(shards)]
            if shards > 1
            else []
        )
        decode = add(Job("decode", d), survey, *decoded)
        deskew = (
            config["preprocessing"]["deskew"] if dataset["deskew"] is None else dataset["deskew"]
        )
        images = add(Job("deskew", d), decode) if deskew else decode
        evaluations, per_seed = [], []
        for seed in seeds:
            train = encoder_jobs(config, add, d, seed, images)
            parts = (
                [add(Job("embed_shard", d, seed, i), images, train) for i in range(shards)]
                if shards > 1
                else []
            )
            embed = add(Job("embed", d, seed), images, train, *parts)
            clusterings = {a: add(Job("cluster", d, seed, a), embed) for a in algorithms}
            if self_training["enabled"]:
                base = self_training["base"]
                clusterings[f"{base}_selftrain"] = add(
                    Job("self_train", d, seed, base), images, clusterings[base]
                )
            evaluations += [
                add(Job("evaluate", d, seed, c), decode, embed, job)
                for c, job in clusterings.items()
            ]
            per_seed.append((seed, train, embed, clusterings))
        seed, _, embed, clusterings = per_seed[0]  # the figures: first seed only
        tsne = add(Job("tsne", d, seed), embed)
        figures = [add(Job("plot_tsne", d, seed, "labels"), tsne, decode)]

        def draw(run, c, job, d=d, tsne=tsne, decode=decode, embed=embed):
            """A run's figures of clustering ``c`` (the same rules for a seed and the
            consensus): t-SNE map, confusion matrix, gallery."""
            return [
                add(Job("plot_tsne", d, run, c), tsne, decode, job),
                add(Job("plot_confusion", d, run, c), decode, job),
                add(Job("plot_gallery", d, run, c), decode, embed, job),
            ]

        for c, job in clusterings.items():
            figures += draw(seed, c, job)
        figures += [
            add(Job("plot_diagnostic", d, seed, f"{f}_{a}"), embed, clusterings[a])
            for a in algorithms
            for f in diagnostics(a, config["algorithms"][a])
        ]
        figures.append(add(Job("plot_tsne_thumbnails", d, seed), tsne, decode))
        mapped = add(Job("map", d, seed), embed)
        labellings = [job for j in per_seed for job in j[3].values()]
        embeds = [j[2] for j in per_seed]
        recommended = add(Job("recommend", d), *labellings, *embeds)
        assigned = add(Job("assignments", d), decode, embed, *labellings, recommended)
        tables = [assigned, add(Job("duplicates", d), decode)]
        shown_on_map = (mapped, decode, assigned, recommended, *clusterings.values())
        figures.append(add(Job("explorer", d), *shown_on_map))
        consensus_scores, extras = [], []
        if len(seeds) > 1:  # the seeds' agreement and consensus, scored on the first seed's
            for c in clusterings:
                voted = add(
                    Job("consensus", d, "consensus", c),
                    *(j[3][c] for j in per_seed),
                    *(j[2] for j in per_seed),
                )
                consensus_scores.append(
                    add(Job("evaluate", d, "consensus", c), decode, embed, voted)
                )
                tsne_map, confusion, gallery = draw("consensus", c, voted)
                figures += [tsne_map, gallery]
                extras.append(confusion)
                jobs[Job("plot_gallery", d, seed, c)].append(voted)  # each row's stability
                jobs[Job("explorer", d)].append(voted)  # coloured by the seeds' agreement
                jobs[assigned].append(voted)  # a column of its own
        done[d] = (survey, per_seed[0], recommended, deskew)
        summary = add(Job("summarize", d), *evaluations, *consensus_scores, recommended)
        trainings = [train for _, train, _, _ in per_seed]
        reports.append(
            add(
                Job("pdf_report", d),
                decode,
                *trainings,
                *evaluations,
                *consensus_scores,
                summary,
                recommended,
                *figures,
            )
        )
        reports += extras + tables
    add(Job("all"), *reports)
    return jobs


def local_rules():
    """The Snakefile's ``localrules:``, which run where Snakemake runs, never through a
    scheduler."""
    import re

    block = re.search(r"^localrules:\n((?:    .*\n)+)", (ROOT / "Snakefile").read_text(), re.M)
    return {name.strip(",") for name in block.group(1).split()}


def log_name(job):
    """Where ``job`` logs, under ``logs/{dataset}/`` (and its benchmark, under
    ``benchmarks/{dataset}/``): ``[seed<seed>/ or consensus/]<rule>[_<item>]``."""
    folder = (
        ""
        if job.seed is None
        else f"{job.seed}/"
        if job.seed == "consensus"
        else f"seed{job.seed}/"
    )
    rule = "plot" if job.rule == "plot_diagnostic" else job.rule  # plot_<figure>_<algorithm>
    return folder + rule + ("" if job.item is None else f"_{job.item}")


def log_names(config):
    """Every job's log_name in a full run of ``config`` (a --configfile's content)."""
    return sorted(
        log_name(job) for job in planned_jobs(effective_config(config)) if job.rule != "all"
    )


def follower_jobs(config, add, d, followed):
    """The jobs of follower ``d`` (see planned_jobs); ``followed``: the followed dataset's
    ``(survey, (seed, encoder, embed, clusterings) of its first seed, recommend, deskew)``.
    Returns its follower_assignments job."""
    survey, (seed, train, embed, clusterings), recommended, deskew = followed
    decode = add(Job("decode", d), add(Job("survey", d), survey))
    images = add(Job("deskew", d), decode) if deskew else decode
    own = add(Job("embed", d, seed), images, train)
    placed = {}
    for c, job in clusterings.items():
        if job.rule == "cluster":
            placed[c] = add(Job("assign", d, item=c), own, job)
    for c, job in clusterings.items():
        if job.rule == "self_train":
            base = job.item
            placed[c] = add(Job("assign_self_trained", d, item=base), images, job, placed[base])
    needs = [decode, own, *placed.values(), recommended, *clusterings.values(), embed]
    return add(Job("follower_assignments", d), *needs)


def encoder_jobs(config, add, dataset, seed, images):
    """The jobs that make a seed's encoder: train_autoencoder (autoencoder, or a combined
    view of it) and fit_encoder (any other encoder); the last one made."""
    encoder, views = config["encoder"], config["encoders"]["combined"]["views"]
    uses_autoencoder = encoder == "autoencoder" or (
        encoder == "combined" and views.get("autoencoder")
    )
    job = add(Job("train_autoencoder", dataset, seed), images) if uses_autoencoder else None
    if encoder == "autoencoder":
        return job
    return add(Job("fit_encoder", dataset, seed), images, *([job] if job else []))


def expected_jobs(config, changed=None):
    """``{rule: number of jobs}`` a dry run of ``config`` (a --configfile's content) plans:
    every job of a full run, or with ``changed(job) -> bool`` the jobs it picks (stale, new
    or missing ones) and every job downstream of them."""
    jobs = planned_jobs(effective_config(config))
    if changed is None:
        return Counter(job.rule for job in jobs)
    users = {job: [] for job in jobs}
    for job, needs in jobs.items():
        for need in needs:
            users[need].append(job)
    stale = {job for job in jobs if changed(job)}
    todo = list(stale)
    while todo:
        for user in users[todo.pop()]:
            if user not in stale:
                stale.add(user)
                todo.append(user)
    return Counter(job.rule for job in stale)


def recomputed_metrics(true, pred, x):
    """The scores of metrics.json recomputed from scratch (scikit-learn, scipy), independently
    of deepclust.metrics: noise (-1) counts as wrong for accuracy, is left out of the silhouette."""
    from scipy.optimize import linear_sum_assignment
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score, silhouette_score

    keep = pred != -1
    clusters, classes = np.unique(pred[keep]), np.unique(true)
    table = np.array(
        [[np.sum((pred == c) & (true == k)) for k in classes] for c in clusters]
    ).reshape(len(clusters), -1)
    rows, cols = linear_sum_assignment(table, maximize=True)
    return {
        "n_clusters": len(clusters),
        "noise_fraction": float(np.mean(~keep)),
        "accuracy": table[rows, cols].sum() / len(true),
        "nmi": normalized_mutual_info_score(true, pred),
        "ari": adjusted_rand_score(true, pred),
        "silhouette": (
            float(silhouette_score(x[keep].astype(np.float64), pred[keep]))
            if 2 <= len(clusters) < keep.sum()
            else None
        ),
    }


def assert_metrics_match(metrics, expected):
    """``metrics`` (a metrics.json) agrees with recomputed_metrics' ``expected``."""
    import pytest

    for key, value in expected.items():
        if value is None:
            assert metrics[key] is None, key
        else:
            assert metrics[key] == pytest.approx(value, rel=1e-5, abs=1e-6), key
