"""The small pipeline through profiles/slurm on a real single-node Slurm cluster.

The cluster is started by .ci/slurm/start.sh (root on Debian; it installs Slurm 22.05,
munge and MariaDB when missing) and stopped again by PID afterwards. Elsewhere the test
is skipped, except in CI where it must run. The cluster is this test's own: a new state
folder, free ports, its own munged, and SLURM_CONF instead of /etc/slurm/slurm.conf (also
for the srun inside each job, see srun_wrapper), so that two checkouts can run the test on
one machine at the same time.
"""

import os
import re
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from workflow_runner import (
    ROOT,
    copy_project,
    expected_jobs,
    local_rules,
    small_config,
    snakemake,
    write_config,
)

pytestmark = [pytest.mark.workflow, pytest.mark.slurm]

DEFAULT_CONF = "/etc/slurm/slurm.conf"  # the one path two clusters cannot share
LOCAL_RULES = local_rules()  # localrules: in the Snakefile, run on the login node


@pytest.fixture(scope="module")
def slurm_cluster():
    can_start = os.geteuid() == 0 and shutil.which("apt-get")
    if not can_start:
        if os.environ.get("CI"):
            pytest.fail(
                "CI must run the Slurm test: needs root and apt-get to start a local cluster"
            )
        pytest.skip("starting a local Slurm cluster needs root and apt-get")
    # in the temporary folder (not pytest's, whose 0700 parents the slurm, mysql and munge
    # users could not enter)
    state = Path(tempfile.mkdtemp(prefix="deepclust-slurm-"))
    had_default_conf = os.path.lexists(DEFAULT_CONF)
    db, ctld, slurmd, dbd = free_ports(4)
    env = {
        "SLURM_CONF": str(state / "etc" / "slurm.conf"),  # for sbatch, squeue and sacct
        "DEEPCLUST_SLURM_LINK_CONF": "0",  # /etc/slurm is left alone: see srun_wrapper
        "DEEPCLUST_SLURM_DB_PORT": str(db),
        "DEEPCLUST_SLURM_CTLD_PORT": str(ctld),
        "DEEPCLUST_SLURMD_PORT": str(slurmd),
        "DEEPCLUST_SLURMDBD_PORT": str(dbd),
    }
    start = subprocess.run(
        ["bash", ROOT / ".ci/slurm/start.sh", state],
        capture_output=True,
        text=True,
        env=os.environ | env,
    )
    try:
        assert start.returncode == 0, f"could not start Slurm:\n{start.stdout}\n{start.stderr}"
        assert os.path.lexists(DEFAULT_CONF) == had_default_conf, f"{DEFAULT_CONF} was changed"
        yield (
            env
            | srun_wrapper(state, env["SLURM_CONF"])
            | {
                "DEEPCLUST_SLURM_PARTITION": "main",
                "DEEPCLUST_SLURM_ACCOUNT": "ci",
            }
        )
    finally:
        subprocess.run(["bash", ROOT / ".ci/slurm/stop.sh", state], capture_output=True)
        shutil.rmtree(state, ignore_errors=True)


def srun_wrapper(state, conf):
    """Environment under which the ``srun`` inside each job finds this test's cluster.

    The slurm executor deletes every SLURM_* variable before the job's own ``srun``, so
    SLURM_CONF does not reach it and Slurm would read /etc/slurm/slurm.conf, which two
    clusters on one machine cannot share. Jobs inherit PATH and the other variables, so
    an ``srun`` first on PATH sets SLURM_CONF from DEEPCLUST_TEST_SLURM_CONF and runs the
    real one."""
    real = shutil.which("srun")
    assert real, "Slurm started but srun is not on PATH"
    folder = state / "bin"
    folder.mkdir()
    wrapper = folder / "srun"
    wrapper.write_text(
        "#!/bin/sh\n"
        'export SLURM_CONF="${SLURM_CONF:-$DEEPCLUST_TEST_SLURM_CONF}"\n'
        f'exec "{real}" "$@"\n'
    )
    wrapper.chmod(0o755)
    return {
        "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}",
        "DEEPCLUST_TEST_SLURM_CONF": conf,
    }


def free_ports(n):
    """``n`` distinct TCP ports that are free now: each bound to port 0, so the kernel picks."""
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


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
    # every job but the localrules (13 today: the shards, decode, training, embedding,
    # t-SNE, the DBSCAN figure, clustering and scoring)
    remote = sum(n for rule, n in expected_jobs(settings).items() if rule not in LOCAL_RULES)
    assert len(job_ids) == remote, done.stdout[-3000:]
    states = subprocess.run(
        ["sacct", "-X", "-n", "-P", "-o", "JobID,State", "-j", ",".join(job_ids)],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ | slurm_cluster,
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
