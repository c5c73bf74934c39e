"""Where a result came from: a hash of its settings, git revision, the packages a job imported."""

import hashlib
import json
import platform
import re
import subprocess
import sys
from importlib import metadata


def settings_hash(settings):
    """sha256 (16 hex digits) of settings as canonical JSON."""
    text = json.dumps(settings, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def distribution_name(name):
    """A distribution's normalised name (PEP 503), as requirements.txt spells it:
    ``PyYAML`` -> ``pyyaml``, ``typing_extensions`` -> ``typing-extensions``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_versions(modules=None):
    """``{"python": ..., "<distribution>": "<version>", ...}`` of every third-party package
    this process has imported: the top-level names of ``modules`` (default ``sys.modules``)
    mapped to their distributions. Call it at the end of a job, so it sees what the job used.

    Standard-library modules, private ones (``_distutils_hack``, interpreter start-up hooks)
    and modules of no installed distribution (``deepclust``, ``__main__``) are left out.
    """
    names = {m.partition(".")[0] for m in list(sys.modules if modules is None else modules)}
    providers = metadata.packages_distributions()
    versions = {}
    for name in names - set(sys.stdlib_module_names):
        if name.startswith("_"):
            continue
        for dist in providers.get(name, []):
            try:
                versions[distribution_name(dist)] = metadata.version(dist)
            except metadata.PackageNotFoundError:  # metadata without an installed version
                continue
    return {"python": platform.python_version(), **dict(sorted(versions.items()))}


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


def provenance(settings, workflow_dir, seed=None, dataset=None):
    """One dict to store beside every result (each job adds its own ``imported_versions()``).

    ``settings`` are the config values the result depends on, as its rule passed them
    (not the whole config: equal hashes mean equal settings for this result).
    """
    record = {
        "settings_sha256": settings_hash(settings),
        "seed": seed,
        "workflow_git_revision": git_revision(workflow_dir),
    }
    if dataset is not None:
        record["dataset"] = dataset
    return record
