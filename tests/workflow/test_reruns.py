"""Snakemake reruns only what is stale: each case starts from a copy of a finished small run."""

import re
import shutil
from collections import Counter

import pytest
import yaml

from workflow_runner import expected_jobs, job_counts, snakemake

pytestmark = pytest.mark.workflow

CONFIG = "test_config.yaml"
MODEL = "results/mnist/seed0/model/autoencoder.pt"
EMBEDDINGS = "results/mnist/seed0/embeddings.npy"
KMEANS = "results/mnist/seed0/clusters/kmeans/labels.npy"
DBSCAN = "results/mnist/seed0/clusters/dbscan/labels.npy"


@pytest.fixture
def finished(small_run, tmp_path):
    """A private copy of the finished small run (timestamps and .snakemake metadata kept)."""
    workdir = tmp_path / "run"
    shutil.copytree(small_run[0], workdir, symlinks=True)
    return workdir


def planned(workdir):
    return job_counts(snakemake(workdir, "-n", "--cores", "2", "--configfile", CONFIG).stdout)


def stale(workdir, changed):
    """The jobs expected_jobs says rerun for the run's config: those ``changed`` picks and
    everything downstream of them."""
    return expected_jobs(yaml.safe_load((workdir / CONFIG).read_text()), changed)


def edit_config(workdir, section, key, value):
    config = yaml.safe_load((workdir / CONFIG).read_text())
    config.setdefault(section, {})
    node = config[section]
    *parents, leaf = key.split(".")
    for parent in parents:
        node = node.setdefault(parent, {})
    node[leaf] = value
    (workdir / CONFIG).write_text(yaml.safe_dump(config))


def mtimes(workdir, *paths):
    return [(workdir / p).stat().st_mtime_ns for p in paths]


def test_second_run_does_nothing(finished):
    out = snakemake(finished, "--cores", "2", "--configfile", CONFIG).stdout
    assert "Nothing to be done" in out


def test_kmeans_parameter_reruns_only_kmeans_and_report(finished):
    edit_config(finished, "algorithms", "kmeans.n_init", 3)
    expected = stale(finished, lambda job: job.rule == "cluster" and job.item == "kmeans")
    assert planned(finished) == expected
    before = mtimes(finished, MODEL, EMBEDDINGS, DBSCAN, KMEANS)
    out = snakemake(finished, "--cores", "2", "--configfile", CONFIG).stdout
    assert (
        "wildcards: dataset=mnist, seed=0, algorithm=kmeans" in out
        and "algorithm=dbscan" not in out
    )
    after = mtimes(finished, MODEL, EMBEDDINGS, DBSCAN, KMEANS)
    assert after[:3] == before[:3], "autoencoder, embeddings or DBSCAN labels were rewritten"
    assert after[3] > before[3]


def test_settings_the_size_check_reads_rerun_no_decode(finished):
    """n_clusters is also a size need (checked, not a job's input); the datasets library's
    cache folder says where files go, not what they hold."""
    edit_config(finished, "algorithms", "kmeans.n_clusters", 9)
    edit_config(finished, "datasets", "mnist.cache_dir", str(finished / "moved_cache"))
    expected = stale(finished, lambda job: job.rule == "cluster" and job.item == "kmeans")
    assert planned(finished) == expected
    assert "survey" not in expected and "decode" not in expected


# What reads only the decoded images: the survey, the decode and the near-duplicates
# (found on thumbnails of the images as decoded, before any deskewing or training).
BEFORE_TRAINING = Counter(survey=1, decode=1, duplicates=1)


def test_epochs_rerun_training_and_everything_downstream(finished):
    edit_config(finished, "autoencoder", "epochs", 2)
    expected = stale(finished, lambda job: job.rule == "train_autoencoder")
    assert expected == stale(finished, lambda job: True) - BEFORE_TRAINING
    assert planned(finished) == expected


def test_deskew_reruns_everything_after_the_decode(finished):
    edit_config(finished, "datasets", "mnist.deskew", True)
    expected = stale(finished, lambda job: job.rule == "deskew")
    assert expected == stale(finished, lambda job: True) - BEFORE_TRAINING
    assert planned(finished) == expected


def executed(stdout):
    """``{rule: n}`` of the jobs a (non-dry) run started."""
    return Counter(re.findall(r"^(?:local)?(?:rule|checkpoint) (\w+):$", stdout, flags=re.M))


def test_changing_shards_reruns_neither_training_nor_clustering(finished):
    """The gathered images and embeddings are byte-identical for any number of shards;
    the decode and embed checkpoints make Snakemake compare checksums after them, so
    training, clustering, scoring and t-SNE are not rerun. (Snakemake re-checks only the
    jobs right after a checkpoint: the figures and the report, planned before, rerun.)"""
    config = yaml.safe_load((finished / CONFIG).read_text())
    (finished / CONFIG).write_text(yaml.safe_dump(dict(config, shards=2)))
    embeddings = (finished / EMBEDDINGS).read_bytes()
    before = mtimes(finished, MODEL, KMEANS, DBSCAN)
    out = snakemake(finished, "--cores", "2", "--configfile", CONFIG).stdout
    ran = executed(out)
    assert {k: ran[k] for k in ("decode_shard", "decode", "embed_shard", "embed")} == dict(
        decode_shard=2, decode=1, embed_shard=2, embed=1
    ), out[-3000:]
    assert not {"train_autoencoder", "cluster", "evaluate", "tsne", "plot_diagnostic"} & set(ran), (
        ran
    )
    assert mtimes(finished, MODEL, KMEANS, DBSCAN) == before
    assert (finished / EMBEDDINGS).read_bytes() == embeddings
    assert (
        "Nothing to be done" in snakemake(finished, "--cores", "2", "--configfile", CONFIG).stdout
    )


def test_self_training_adds_one_clustering_without_reclustering(finished):
    edit_config(finished, "self_training", "enabled", True)
    edit_config(finished, "self_training", "base", "kmeans")
    expected = stale(finished, lambda job: job.rule == "self_train")
    assert planned(finished) == expected
    out = snakemake(finished, "--cores", "2", "--configfile", CONFIG).stdout
    assert "rule cluster:" not in out
    run = yaml.safe_load(
        (finished / "results/mnist/seed0/clusters/kmeans_selftrain/run.json").read_text()
    )
    assert run["algorithm"] == "kmeans_selftrain" and run["params"]["base"] == "kmeans"
    edit_config(finished, "self_training", "epochs", 2)
    assert planned(finished) == expected


def test_editing_a_script_reruns_its_rule_and_descendants(finished):
    script = finished / "scripts/cluster.py"
    script.write_text(script.read_text() + "\n# edited\n")
    expected = stale(finished, lambda job: job.rule == "cluster")
    assert planned(finished) == expected


def test_editing_a_helper_module_reruns_its_users(finished):
    module = finished / "scripts/deepclust/metrics.py"
    module.write_text(module.read_text() + "\n# edited\n")
    # the rules whose scripts may import deepclust.metrics (gallery imports it in a function)
    users = {"evaluate", "plot_confusion", "plot_gallery", "plot_tsne_thumbnails", "explorer"}
    assert planned(finished) == stale(finished, lambda job: job.rule in users)


def test_deleting_one_output_rebuilds_only_it(finished):
    (finished / "results/mnist/report/report.pdf").unlink()
    assert planned(finished) == stale(finished, lambda job: job.rule == "pdf_report")
    # A deleted intermediate is rebuilt when asked for; nothing else runs.
    figure = "results/mnist/seed0/figures/tsne_labels.png"
    (finished / figure).unlink()
    out = snakemake(finished, figure, "--cores", "2", "--configfile", CONFIG).stdout
    assert job_counts(out) == Counter(plot_tsne=1)
    assert (finished / figure).exists()


def test_a_deleted_intermediate_is_named_with_the_command_that_rebuilds_it(finished):
    """A plain rerun says "Nothing to be done" (what uses the file is up to date) and names
    the missing file and the command; that command rebuilds just it."""
    (finished / EMBEDDINGS).unlink()
    out = snakemake(finished, "-n", "--cores", "2", "--configfile", CONFIG).stdout
    assert "Nothing to be done" in out
    found = re.search(
        r"intermediate file\(s\) of a finished run are missing: (.*?); .*"
        r"To rebuild them now: (snakemake .*)",
        out,
    )
    assert found and found.group(1) == EMBEDDINGS, out[-2000:]
    assert found.group(2) == f"snakemake --cores all {EMBEDDINGS} --configfile {CONFIG}"
    out = snakemake(finished, EMBEDDINGS, "--cores", "2", "--configfile", CONFIG).stdout
    assert job_counts(out) == Counter(embed=1) and (finished / EMBEDDINGS).exists()
    assert "are missing" not in snakemake(finished, "-n", "--configfile", CONFIG).stdout
