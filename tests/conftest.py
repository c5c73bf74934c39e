"""Shared fixtures: the library on sys.path and a small real dataset in Hub layout. The fast
lane is a folder: ``make test-fast`` runs tests/unit/, where no job may run; the real runs
are in tests/workflow/ (its conftest.py holds ``small_run``; markers in pyproject.toml)."""

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests" / "helpers"))

SHARED_MNIST = ROOT.parent / "shared" / "datasets" / "mnist"
UNIT = ROOT / "tests" / "unit"


@pytest.fixture(autouse=True)
def no_jobs_in_the_unit_folder(request, monkeypatch):
    """A test in tests/unit/ may dry-run or lint the workflow but not run its jobs
    (workflow_runner.snakemake then fails), so the fast lane, chosen by folder, stays fast."""
    if Path(request.node.path).is_relative_to(UNIT):
        import workflow_runner

        monkeypatch.setattr(workflow_runner, "DRY_RUNS_ONLY", True)


@pytest.fixture(scope="session")
def mnist_source(tmp_path_factory):
    """The local MNIST copy in Hub layout; without ../shared, a tiny stand-in built from
    scikit-learn's digits (in CI the real copy is required)."""
    if SHARED_MNIST.exists():
        return str(SHARED_MNIST)
    if os.environ.get("CI"):
        pytest.fail(f"CI must test on the real MNIST copy, but {SHARED_MNIST} is missing")
    import warnings

    from hub_fixtures import write_digits_dataset

    warnings.warn(
        f"{SHARED_MNIST} is missing: the end-to-end tests run on a stand-in built from "
        "scikit-learn's digits, not on MNIST (in CI this fails)",
        stacklevel=1,
    )
    return str(write_digits_dataset(tmp_path_factory.mktemp("digits")))


@pytest.fixture(scope="session")
def real_mnist():
    """The local MNIST copy itself, for a test of what only MNIST has (no stand-in): skipped
    without ../shared, a failure in CI, where it must exist."""
    if SHARED_MNIST.exists():
        return str(SHARED_MNIST)
    if os.environ.get("CI"):
        pytest.fail(f"CI must test on the real MNIST copy, but {SHARED_MNIST} is missing")
    pytest.skip(f"needs MNIST itself: {SHARED_MNIST} is missing (in CI this fails)")
