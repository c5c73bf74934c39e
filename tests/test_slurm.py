"""The small pipeline through profiles/slurm on a real single-node Slurm cluster.

The cluster is started by .ci/slurm/start.sh (root on Debian; it installs Slurm 22.05,
munge and MariaDB when missing) and stopped again by PID afterwards. Elsewhere the test
is skipped, except in CI where it must run.
"""

import os
import re
import shutil
import subprocess

import pytest

from workflow_runner import (
    ROOT,
    copy_project,
    expected_jobs,
    small_config,
    snakemake,
    write_config,
)

pytestmark = [pytest.mark.workflow, pytest.mark.slurm]

STATE = "/tmp/deepclust-slurm-test"
LOCAL_RULES = {  # localrules: in the Snakefile, run on the login node
    "all",
    "plot_tsne",
    "plot_confusion",
    "plot_gallery",
    "plot_tsne_thumbnails",
    "explore",
    "summarize",
    "pdf_report",
}


@pytest.fixture(scope="module")
def slurm_cluster():
    can_start = os.geteuid() == 0 and shutil.which("apt-get")
    if not can_start:
        if os.environ.get("CI"):
            pytest.fail(
                "CI must run the Slurm test: needs root and apt-get to start a local cluster"
            )
        pytest.skip("starting a local Slurm cluster needs root and apt-get")
    start = subprocess.run(
        ["bash", ROOT / ".ci/slurm/start.sh", STATE], capture_output=True, text=True
    )
    try:
        assert start.returncode == 0, f"could not start Slurm:\n{start.stdout}\n{start.stderr}"
        yield {"DEEPCLUST_SLURM_PARTITION": "main", "DEEPCLUST_SLURM_ACCOUNT": "ci"}
    finally:
        subprocess.run(["bash", ROOT / ".ci/slurm/stop.sh", STATE], capture_output=True)


def test_pipeline_through_slurm_profile_matches_local_run(
    slurm_cluster, small_run, mnist_source, tmp_path
):
    """Sharded in 2 (decoding and embedding as 2 jobs each, side by side), against the
    unsharded local run: the gathered images and embeddings are byte-identical."""
    workdir = copy_project(tmp_path / "slurm")
    settings = small_config(mnist_source, workdir / "hf_cache", shards=2)
    config = write_config(workdir, settings)
    # as users run it: Snakemake adds profiles/default, the workflow profile, by itself
    done = snakemake(
        workdir,
        "--profile",
        str(ROOT / "profiles/slurm"),
        "--configfile",
        config,
        "--slurm-init-seconds-before-status-checks",
        "2",
        timeout=1200,
        env=slurm_cluster,
    )
    # Every non-local job went through sbatch, and Slurm's accounting saw each complete.
    job_ids = re.findall(r"SLURM jobid (\d+)", done.stdout)
    # every job but the localrules (13 today: the shards, download, training, embedding,
    # t-SNE, the DBSCAN figure, clustering and scoring)
    remote = sum(n for rule, n in expected_jobs(settings).items() if rule not in LOCAL_RULES)
    assert len(job_ids) == remote, done.stdout[-3000:]
    states = subprocess.run(
        ["sacct", "-X", "-n", "-P", "-o", "JobID,State", "-j", ",".join(job_ids)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert sorted(states) == sorted(f"{j}|COMPLETED" for j in job_ids)
    # The same files a local run makes, byte for byte.
    local = small_run[0]
    same = ["results/mnist/seed0/embeddings.npy"] + [
        f"results/mnist/seed0/clusters/{a}/labels.npy" for a in ("kmeans", "dbscan")
    ]
    for path in same:
        assert (workdir / path).read_bytes() == (local / path).read_bytes(), path
    for path in ("results/mnist/images.npy", "results/mnist/data.npz"):
        assert (workdir / path).read_bytes() == (local / path).read_bytes(), path
    assert (workdir / "results/mnist/report/report.pdf").stat().st_size > 0
