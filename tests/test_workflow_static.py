"""The workflow as Snakemake sees it: dry run, lint, formatting, pinned conda envs."""

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from config_defaults import default_config
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
    lines = [
        line
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    pin = r"[A-Za-z0-9_.-]+==[0-9][0-9A-Za-z.+]*"
    assert all(re.fullmatch(pin, line) for line in lines), lines
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
            assert pins[CONDA_NAMES.get(name, name)] == version, (
                f"{env_file.name}: {dep} differs from requirements.txt"
            )


def test_every_rule_has_log_benchmark_conda_and_resources():
    text = "\n".join(p.read_text() for p in (ROOT / "workflow" / "rules").glob("*.smk"))
    rules = re.split(r"\nrule ", "\n" + text)[1:]
    assert len(rules) >= 11
    for body in rules:
        name = body.split(":")[0]
        for directive in ("log:", "benchmark:", "conda:", "threads:", "resources:"):
            assert directive in body, f"rule {name} lacks {directive}"
        env = re.search(r'conda:\s*"([^"]+)"', body).group(1)
        assert (ROOT / "workflow" / "rules" / env).resolve().is_file(), (
            f"rule {name}: {env} missing"
        )


@pytest.fixture(scope="module")
def scratch(tmp_path_factory, mnist_source):
    workdir = copy_project(tmp_path_factory.mktemp("static"))
    return workdir, write_config(workdir, small_config(mnist_source, workdir / "hf_cache"))


def test_dry_run_lists_the_expected_jobs(scratch):
    workdir, configfile = scratch
    out = snakemake(workdir, "-n", "--configfile", configfile).stdout
    assert job_counts(out) == Counter(
        all=1,
        download=1,
        train_autoencoder=1,
        embed=1,
        cluster=2,
        evaluate=2,
        tsne=1,
        plot_tsne=3,
        plot_confusion=2,
        plot_diagnostic=1,
        plot_gallery=2,
        plot_tsne_thumbnails=1,
        summarize=1,
        report=1,
    )


def test_deskew_and_self_training_add_their_jobs(scratch, mnist_source):
    workdir, _ = scratch
    config = small_config(mnist_source, workdir / "hf_cache")
    config["datasets"]["mnist"]["deskew"] = True
    config["self_training"] = {"enabled": True, "base": "kmeans"}
    out = snakemake(
        workdir, "-n", "--configfile", write_config(workdir, config, "selftrain.yaml")
    ).stdout
    assert job_counts(out) == Counter(
        all=1,
        download=1,
        deskew=1,
        train_autoencoder=1,
        embed=1,
        cluster=2,
        self_train=1,
        evaluate=3,
        tsne=1,
        plot_tsne=4,
        plot_confusion=3,
        plot_diagnostic=1,
        plot_gallery=3,
        plot_tsne_thumbnails=1,
        summarize=1,
        report=1,
    )
    assert "results/mnist/seed0/clusters/kmeans_selftrain/labels.npy" in out


def test_every_step_preset_plans_every_rule(scratch, mnist_source):
    workdir, _ = scratch
    config = yaml.safe_load((ROOT / "config/presets/every-step.yaml").read_text())
    config["datasets"]["mnist"]["source"] = mnist_source
    out = snakemake(
        workdir, "-n", "--configfile", write_config(workdir, config, "every.yaml")
    ).stdout
    algorithms = list(default_config()["algorithms"])
    assert job_counts(out) == Counter(
        all=1,
        download=1,
        deskew=1,
        train_autoencoder=1,
        embed=1,
        cluster=len(algorithms),
        self_train=1,
        evaluate=len(algorithms) + 1,
        tsne=1,
        plot_tsne=len(algorithms) + 2,
        plot_confusion=len(algorithms) + 1,
        plot_diagnostic=1,
        plot_gallery=len(algorithms) + 1,
        plot_tsne_thumbnails=1,
        summarize=1,
        report=1,
    )


def test_lint_is_clean():
    done = subprocess.run(
        [sys.executable, "-m", "snakemake", "--lint"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0 and "Congratulations" in done.stdout + done.stderr, (
        done.stdout + done.stderr
    )


def test_snakefmt_is_clean():
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    done = subprocess.run(
        [sys.executable, "-m", "snakefmt", "--check", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr


IMPORT_TO_CONDA = {
    "torch": "pytorch",
    "sklearn": "scikit-learn",
    "PIL": "pillow",
    "yaml": "pyyaml",
    "umap": "umap-learn",
}


def imported_modules(path, top_level_only=False):
    """Top-level names of the modules ``path`` imports (all imports, or module-level only)."""
    import ast

    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else ast.walk(tree)
    names = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module)
    return names


def rules_with_scripts():
    text = "\n".join(p.read_text() for p in (ROOT / "workflow" / "rules").glob("*.smk"))
    for body in re.split(r"\nrule ", "\n" + text)[1:]:
        script = re.search(r'script:\s*"([^"]+)"', body)
        if script:
            env = re.search(r'conda:\s*"([^"]+)"', body).group(1)
            lib = re.search(r"lib\((.*?)\)", body, re.S)
            modules = set(re.findall(r'"(\w+)"', lib.group(1))) if lib else set()
            rules_dir = ROOT / "workflow" / "rules"
            yield (
                body.split(":")[0],
                (rules_dir / script.group(1)).resolve(),
                (rules_dir / env).resolve(),
                modules,
            )


@pytest.mark.parametrize(
    "rule, script, env, declared",
    list(rules_with_scripts()),
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_scripts_import_only_declared_modules_and_env_packages(rule, script, env, declared):
    """What a script imports (and the deepclust modules it pulls in, module level) must be a
    declared lib() input or a package of the rule's conda env; the envs cannot be built here."""
    packages = {dep.partition("=")[0] for dep in yaml.safe_load(env.read_text())["dependencies"]}
    seen, todo, third_party = set(), [(script, False)], set()
    while todo:
        path, top_level_only = todo.pop()
        for name in imported_modules(path, top_level_only):
            if name.startswith("deepclust."):
                module = name.split(".")[1]
                assert module in declared, (
                    f"rule {rule}: {path.name} imports deepclust.{module}, not a lib() input"
                )
                if module not in seen:
                    seen.add(module)
                    todo.append((ROOT / "scripts" / "deepclust" / f"{module}.py", True))
            elif name.split(".")[0] not in sys.stdlib_module_names and name != "deepclust":
                third_party.add(name.split(".")[0])
    missing = {IMPORT_TO_CONDA.get(n, n) for n in third_party} - packages
    assert not missing, f"rule {rule}: {env.name} lacks {sorted(missing)}"
