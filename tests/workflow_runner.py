"""Run the real workflow in a scratch copy of the project (used by the end-to-end tests)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
SMALL_N = 2000  # images in the end-to-end runs
PROJECT_PARTS = ["Snakefile", "config.yaml", "workflow", "scripts", "envs", "profiles"]
DRY_RUNS_ONLY = False  # set by tests/conftest.py for tests outside the workflow lane


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
        # cpu pinned: byte-identity tests rely on CPU determinism (tests/test_gpu.py covers cuda)
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
            "this test runs workflow jobs: mark it @pytest.mark.workflow (or use small_run)"
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
    from collections import Counter

    found = re.search(r"Job stats:\n(.*?)\n\n", output, re.S)
    if not found:
        return Counter()
    rows = [row.split() for row in found.group(1).splitlines()[2:]]
    return Counter({name: int(n) for name, n in rows if name != "total"})


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
