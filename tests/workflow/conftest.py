"""The real workflow run once, shared by the tests of tests/workflow/ that read its results."""

import pytest


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
