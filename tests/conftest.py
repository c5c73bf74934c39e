"""Shared fixtures: the library on sys.path and a small real dataset in Hub layout; the test
lanes (markers registered in pyproject.toml; ``make test-fast`` leaves out ``workflow``)."""

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests" / "helpers"))

SHARED_MNIST = ROOT.parent / "shared" / "datasets" / "mnist"
# Fixtures that run the real workflow: a test using one is in the workflow lane.
WORKFLOW_FIXTURES = {"small_run"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if WORKFLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.workflow)


@pytest.fixture(autouse=True)
def only_dry_runs_outside_the_workflow_lane(request, monkeypatch):
    """A test not marked ``workflow`` may dry-run or lint the workflow but not run its jobs
    (workflow_runner.snakemake then fails), so the fast lane stays fast."""
    if request.node.get_closest_marker("workflow") is None:
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
def small_run(tmp_path_factory, mnist_source):
    """The real workflow, run once locally on the first 2,000 images: ``(workdir, output)``."""
    from workflow_runner import SMALL_N, copy_project, small_config, snakemake, write_config

    workdir = copy_project(tmp_path_factory.mktemp("pipeline"))
    configfile = write_config(
        workdir, small_config(mnist_source, workdir / "hf_cache", limit=SMALL_N)
    )
    done = snakemake(workdir, "--cores", "2", "--configfile", configfile)
    return workdir, done.stdout
