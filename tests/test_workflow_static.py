"""The workflow as Snakemake sees it: dry run, lint, formatting, pinned conda envs."""

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from workflow_runner import ROOT, copy_project, job_counts, small_config, snakemake, write_config

CONDA_NAMES = {"pytorch": "torch"}  # conda-forge name -> PyPI name


def requirement_pins():
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.lower()] = version
    return pins


def test_requirements_are_exact_pins():
    lines = [l for l in (ROOT / "requirements.txt").read_text().splitlines() if l.strip() and not l.startswith("#")]
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][0-9A-Za-z.+]*", l) for l in lines), lines
    assert requirement_pins()["torch"] == "2.13.0"


@pytest.mark.parametrize("env_file", sorted((ROOT / "envs").glob("*.yaml")), ids=lambda p: p.name)
def test_conda_env_pins_match_requirements(env_file):
    env = yaml.safe_load(env_file.read_text())
    assert env["channels"][0] == "conda-forge"
    pins = requirement_pins()
    for dep in env["dependencies"]:
        name, _, version = dep.partition("=")
        assert version, f"{env_file.name}: {dep} is not pinned"
        if name == "python":
            assert version == "3.11"
        elif name in CONDA_NAMES or name in pins:
            assert pins[CONDA_NAMES.get(name, name)] == version, f"{env_file.name}: {dep} differs from requirements.txt"


def test_every_rule_has_log_benchmark_conda_and_resources():
    text = "\n".join(p.read_text() for p in (ROOT / "workflow" / "rules").glob("*.smk"))
    rules = re.split(r"\nrule ", "\n" + text)[1:]
    assert len(rules) >= 11
    for body in rules:
        name = body.split(":")[0]
        for directive in ("log:", "benchmark:", "conda:", "threads:", "resources:"):
            assert directive in body, f"rule {name} lacks {directive}"
        env = re.search(r'conda:\s*"([^"]+)"', body).group(1)
        assert (ROOT / "workflow" / "rules" / env).resolve().is_file(), f"rule {name}: {env} missing"


@pytest.fixture(scope="module")
def scratch(tmp_path_factory, mnist_source):
    workdir = copy_project(tmp_path_factory.mktemp("static"))
    return workdir, write_config(workdir, small_config(mnist_source, workdir / "hf_cache"))


def test_dry_run_lists_the_expected_jobs(scratch):
    workdir, configfile = scratch
    out = snakemake(workdir, "-n", "--configfile", configfile).stdout
    assert job_counts(out) == Counter(
        all=1, download=1, train_autoencoder=1, embed=1, cluster=2, evaluate=2, tsne=1, plot_tsne=3,
        plot_confusion=2, plot_kdistance=1, summarize=1, report=1,
    )


def test_lint_is_clean():
    done = subprocess.run([sys.executable, "-m", "snakemake", "--lint"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0 and "Congratulations" in done.stdout + done.stderr, done.stdout + done.stderr


def test_snakefmt_is_clean():
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    done = subprocess.run([sys.executable, "-m", "snakefmt", "--check", "."], cwd=ROOT, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
