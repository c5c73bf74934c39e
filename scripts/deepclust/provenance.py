"""Where a result came from: config hash, package versions, workflow git revision."""

import hashlib
import json
import platform
import subprocess
from importlib import metadata

PACKAGES = ("numpy", "torch", "scikit-learn", "datasets", "snakemake", "umap-learn")


def config_hash(config):
    """sha256 (16 hex digits) of the config as canonical JSON."""
    text = json.dumps(config, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def package_versions(names=PACKAGES):
    versions = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def git_revision(directory):
    """``<commit>`` (with ``-dirty`` when tracked files changed) or ``unknown``."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=directory, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=directory,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("-dirty" if dirty else "")


def provenance(config, workflow_dir, seed=None, dataset=None):
    """One dict to store beside every result."""
    record = {
        "config_sha256": config_hash(config),
        "seed": seed,
        "workflow_git_revision": git_revision(workflow_dir),
        "packages": package_versions(),
    }
    if dataset is not None:
        record["dataset"] = dataset
    return record
