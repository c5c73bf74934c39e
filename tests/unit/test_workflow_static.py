"""The workflow as Snakemake sees it: dry run, lint, formatting, pinned conda envs."""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from workflow_runner import (
    OPTIONAL_RULES,
    ROOT,
    RULES,
    copy_project,
    expected_jobs,
    job_counts,
    small_config,
    snakemake,
    write_config,
)

CONDA_NAMES = {"pytorch": "torch"}  # conda-forge name -> PyPI name


def rule_text():
    """The Snakefile and every rule file, as one text."""
    files = [ROOT / "Snakefile", *sorted((ROOT / "workflow" / "rules").glob("*.smk"))]
    return "\n".join(p.read_text() for p in files)


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
    pattern = r"[A-Za-z0-9_.-]+==[0-9][0-9A-Za-z.+]*"
    assert all(re.fullmatch(pattern, line) for line in lines), lines
    assert requirement_pins()["torch"] == "2.13.0"


def test_constraints_pin_every_requirement_at_its_version():
    """constraints.txt fixes the whole install; it must not contradict requirements.txt."""
    constraints = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][0-9A-Za-z.]*", line), line
            name, version = line.split("==")
            constraints[re.sub(r"[-_.]+", "-", name.lower())] = version
    for name, version in requirement_pins().items():
        assert constraints.get(re.sub(r"[-_.]+", "-", name)) == version, name


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


def rule_bodies(text):
    """``{rule name: its text}`` of every rule and checkpoint in ``text``."""
    bodies = re.split(r"\n(?:rule|checkpoint) ", "\n" + text)[1:]
    return {body.split(":")[0]: body for body in bodies}


def test_every_rule_has_log_benchmark_conda_and_resources():
    text = "\n".join(p.read_text() for p in (ROOT / "workflow" / "rules").glob("*.smk"))
    rules = rule_bodies(text)  # checkpoints too
    assert len(rules) >= 16
    for name, body in rules.items():
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


def test_dry_run_lists_the_expected_jobs(scratch, mnist_source):
    workdir, configfile = scratch
    out = snakemake(workdir, "-n", "--configfile", configfile).stdout
    assert job_counts(out) == expected_jobs(small_config(mnist_source, workdir / "hf_cache"))


def test_deskew_and_self_training_add_their_jobs(scratch, mnist_source):
    workdir, _ = scratch
    config = small_config(mnist_source, workdir / "hf_cache")
    config["datasets"]["mnist"]["deskew"] = True
    config["self_training"] = {"enabled": True, "base": "kmeans"}
    out = snakemake(
        workdir, "-n", "--configfile", write_config(workdir, config, "selftrain.yaml")
    ).stdout
    assert job_counts(out) == expected_jobs(config)
    added = expected_jobs(config) - expected_jobs(small_config(mnist_source, "cache"))
    assert added["deskew"] == added["self_train"] == added["evaluate"] == 1
    assert "results/mnist/seed0/clusters/kmeans_selftrain/labels.npy" in out


def test_a_follower_adds_its_placement_jobs_and_no_training(scratch, mnist_source):
    workdir, _ = scratch
    config = small_config(mnist_source, workdir / "hf_cache")
    config["datasets"]["mnist"]["deskew"] = True
    config["datasets"]["mnist_test"] = config["datasets"]["mnist"] | {
        "splits": ["test"],
        "deskew": None,
        "assign_to": "mnist",
    }
    config["self_training"] = {"enabled": True, "base": "kmeans"}
    out = snakemake(
        workdir, "-n", "--configfile", write_config(workdir, config, "follow.yaml")
    ).stdout
    assert job_counts(out) == expected_jobs(config)
    alone = dict(config, datasets={"mnist": config["datasets"]["mnist"]})
    added = expected_jobs(config) - expected_jobs(alone)
    assert added == {
        "survey": 1,
        "decode": 1,
        "deskew": 1,  # as the followed dataset
        "embed": 1,
        "assign": 2,
        "assign_self_trained": 1,
        "follower_assignments": 1,
    }
    assert "results/mnist_test/assigned/kmeans_selftrain.npz" in out


def test_n_clusters_auto_adds_its_k_selection_figure(scratch, mnist_source):
    workdir, _ = scratch
    config = small_config(mnist_source, workdir / "hf_cache")
    config["algorithms"] = {"kmeans": {"n_clusters": "auto"}}
    out = snakemake(
        workdir, "-n", "--configfile", write_config(workdir, config, "auto.yaml")
    ).stdout
    assert job_counts(out) == expected_jobs(config)
    added = expected_jobs(config) - expected_jobs(small_config(mnist_source, "cache"))
    assert added == {"plot_diagnostic": 1}
    assert "results/mnist/seed0/figures/kselection_kmeans.png" in out


def test_seeds_and_shards_multiply_their_jobs(scratch, mnist_source):
    workdir, _ = scratch
    config = small_config(mnist_source, workdir / "hf_cache", seeds=[0, 1], shards=3)
    out = snakemake(
        workdir, "-n", "--configfile", write_config(workdir, config, "seeds.yaml")
    ).stdout
    assert job_counts(out) == expected_jobs(config)
    planned = expected_jobs(config)
    assert planned["decode_shard"] == 3 and planned["embed_shard"] == 6
    # 2 seeds x 2 clusterings, then the 2 consensus clusterings, by the same rule
    assert planned["train_autoencoder"] == 2 and planned["evaluate"] == 6
    # figures: the first seed's (with the true labels) and the consensus's
    assert planned["plot_tsne"] == 5 and planned["summarize"] == 1
    assert "results/mnist/consensus/clusters/kmeans/metrics.json" in out
    assert "logs/mnist/consensus/plot_gallery_dbscan.log" in out


def test_every_step_preset_plans_every_rule(scratch, mnist_source):
    workdir, _ = scratch
    config = yaml.safe_load((ROOT / "config/presets/every-step.yaml").read_text())
    config["datasets"]["mnist"]["source"] = mnist_source
    out = snakemake(
        workdir, "-n", "--configfile", write_config(workdir, config, "every.yaml")
    ).stdout
    assert job_counts(out) == expected_jobs(config)
    rules = set(re.findall(r"^(?:rule|checkpoint) (\w+):", rule_text(), re.M))
    assert set(expected_jobs(config)) == rules - {"decode_shard", "embed_shard"}  # shards: 1


def test_rules_are_written_once_and_paths_spelled_once():
    """A seed's run and the consensus share their rules ({run}); every results/ path is a
    pattern in paths.smk; no rule file outgrows one stage."""
    text = rule_text()
    assert "use rule" not in text
    assert not re.findall(r"^(?:rule|checkpoint) \w+_consensus:", text, re.M)
    for path in (ROOT / "workflow" / "rules").glob("*.smk"):
        lines = path.read_text().splitlines()
        assert len(lines) <= 250, f"{path.name}: {len(lines)} lines"
        if path.name != "paths.smk":
            assert "results/" not in path.read_text(), f"{path.name} spells a results/ path"
    assert "results/" not in (ROOT / "Snakefile").read_text()


def test_local_rules_are_rules():
    from workflow_runner import local_rules

    rules = set(re.findall(r"^(?:rule|checkpoint) (\w+):", rule_text(), re.M))
    assert local_rules() and local_rules() <= rules, local_rules() - rules


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


IMPORT_TO_CONDA = {  # import name -> conda-forge package, where they differ
    "torch": "pytorch",
    "sklearn": "scikit-learn",
    "PIL": "pillow",
    "yaml": "pyyaml",
    "umap": "umap-learn",
    "openTSNE": "opentsne",
}
LIB = ROOT / "scripts" / "deepclust"


def module_file(key):
    """The file of library module ``key`` (dotted, below deepclust): ``sources.hub`` is
    sources/hub.py, a package ``cluster`` its __init__.py."""
    path = LIB.joinpath(*key.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def with_parents(key):
    """``key`` and the packages it lies in (importing a module runs their __init__ too)."""
    parts = key.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts) + 1)}


def lazy_names(package):
    """A package's names imported on first use (its ``_LAZY`` table): name -> module key."""
    import ast

    for node in ast.parse(module_file(package).read_text()).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "_LAZY":
            table = ast.literal_eval(node.value)
            return {name: f"{package}.{module.lstrip('.')}" for name, module in table.items()}
    return {}


def dynamic_imports():
    """Modules imported by name at run time: run_algorithm imports the module each registry
    entry names."""
    from deepclust.cluster import REGISTRY

    return {"cluster._run": {f"cluster.{e.module.lstrip('.')}" for e in REGISTRY.values()}}


def imports_of(path, key=None):
    """``(deepclust modules, third-party top-level packages)`` that ``path`` (library module
    ``key``, or None for a script) imports anywhere: module level or inside functions,
    absolute or relative (``from ..labels import NOISE``). Modules are dotted keys below
    deepclust, with the packages they lie in; ``from deepclust.sources import open_source``
    reaches the module the package's ``_LAZY`` table names."""
    import ast

    package = key if key and path.name == "__init__.py" else (key or "").rpartition(".")[0]
    modules, packages = set(), set()

    def add(name, names=()):
        top, _, rest = name.partition(".")
        if top != "deepclust":
            if top not in sys.stdlib_module_names:
                packages.add(top)
            return
        if rest:
            modules.update(with_parents(rest))
        for alias in names:
            sub = f"{rest}.{alias}" if rest else alias
            if module_file(sub).exists():
                modules.update(with_parents(sub))
            elif rest and alias in lazy_names(rest):
                modules.update(with_parents(lazy_names(rest)[alias]))

    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ["deepclust", *package.split(".")] if package else ["deepclust"]
                base = base[: len(base) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module
            add(name, [alias.name for alias in node.names])
    return modules, packages


def script_imports(script):
    """What running ``script`` may import: the deepclust modules it reaches, following each
    module's own imports (in functions too, and those made by name at run time), and every
    third-party package any of them names."""
    modules, packages = imports_of(script)
    dynamic = dynamic_imports()
    todo = list(modules)
    while todo:
        key = todo.pop()
        more, found = imports_of(module_file(key), key)
        more |= set().union(*(with_parents(m) for m in dynamic.get(key, ())))
        packages |= found
        todo += sorted(more - modules)
        modules |= more
    return modules, packages


def declared_modules(names):
    """The module keys ``lib(*names)`` declares: a package's name stands for all its modules,
    ``package.module`` for that module and its package's __init__ (as lib() in the rules)."""
    keys = set()
    for name in names:
        folder = LIB.joinpath(*name.split("."))
        if folder.is_dir():
            inside = {f"{name}.{p.stem}" for p in folder.glob("*.py") if p.stem != "__init__"}
            keys |= {name} | inside
        else:
            keys |= with_parents(name)
    return keys


def test_import_scan_sees_relative_and_function_level_imports(tmp_path):
    """The scan itself: it must see what a scan of module-level absolute imports misses."""
    (tmp_path / "module.py").write_text(
        "import numpy as np\n"
        "from ..labels import NOISE\n"
        "from . import _knn\n"
        "from deepclust import knee\n"
        "import deepclust.sources.errors\n"
        "from deepclust.sources import open_source\n"
        "def plot():\n"
        "    import matplotlib.pyplot as plt\n"
        "    from sklearn.manifold import TSNE\n"
        "    from ..metrics import contingency\n"
        "    import json, os.path\n"
    )
    assert imports_of(tmp_path / "module.py", "cluster._example") == (
        {
            "labels",
            "cluster",
            "cluster._knn",
            "knee",
            "sources",
            "sources.errors",
            "sources.open",
            "metrics",
        },
        {"numpy", "matplotlib", "sklearn"},
    )
    # transitively: gallery imports metrics inside a function, metrics imports silhouette there
    modules, packages = script_imports(ROOT / "scripts" / "plot_tsne_thumbnails.py")
    assert {"gallery", "metrics", "silhouette"} <= modules and "numba" in packages
    # run_algorithm imports each algorithm's module by its registry entry's name
    modules, packages = script_imports(ROOT / "scripts" / "cluster.py")
    assert declared_modules(["cluster"]) <= modules and "umap" in packages


def rules_with_scripts():
    for name, body in rule_bodies(rule_text()).items():
        script = re.search(r'script:\s*"([^"]+)"', body)
        if script:
            env = re.search(r'conda:\s*"([^"]+)"', body).group(1)
            named = re.search(r"\blib=([A-Z_]+),", body)  # a list shared by rules
            if named:
                body = re.search(rf"^{named[1]} = (lib\(.*?\))", rule_text(), re.M | re.S)[1]
            lib = re.search(r"lib\((.*?)\)", body, re.S)
            names = lib.group(1) if lib else ""
            for shared in re.findall(r"\*([A-Z_]+)", names):  # a tuple of names rules share
                names += re.search(rf"^{shared} = \((.*?)\)", rule_text(), re.M | re.S)[1]
            modules = declared_modules(re.findall(r'"([\w.]+)"', names))
            rules_dir = ROOT / "workflow" / "rules"
            yield (
                name,
                (rules_dir / script.group(1)).resolve(),
                (rules_dir / env).resolve(),
                modules,
            )


RULES_WITH_SCRIPTS = list(rules_with_scripts())


def test_every_rule_with_a_script_is_checked():
    names = {rule for rule, *_ in RULES_WITH_SCRIPTS}
    assert names == set(re.findall(r"^(?:rule|checkpoint) (\w+):", rule_text(), re.M)) - {"all"}


@pytest.mark.parametrize(
    "rule, script, env, declared", RULES_WITH_SCRIPTS, ids=[r[0] for r in RULES_WITH_SCRIPTS]
)
def test_rule_declares_exactly_the_library_modules_its_script_reaches(rule, script, env, declared):
    """Editing a module reruns exactly the jobs whose script may import it."""
    modules, _ = script_imports(script)
    assert declared == modules, (
        f"rule {rule}: lib() lacks {sorted(modules - declared)}, "
        f"declares unused {sorted(declared - modules)}"
    )


@pytest.mark.parametrize(
    "rule, script, env, declared", RULES_WITH_SCRIPTS, ids=[r[0] for r in RULES_WITH_SCRIPTS]
)
def test_rule_conda_env_provides_every_package_its_script_may_import(rule, script, env, declared):
    """Every third-party package the script or its modules import (in functions too) is in the
    rule's conda env; the envs cannot be built here."""
    provided = {dep.partition("=")[0] for dep in yaml.safe_load(env.read_text())["dependencies"]}
    _, packages = script_imports(script)
    missing = {IMPORT_TO_CONDA.get(name, name) for name in packages} - provided
    assert not missing, f"rule {rule}: {env.name} lacks {sorted(missing)}"


# What a rule script may read of its job: what the rule declares, and where the script lives
# (for the git revision). Never snakemake.config: a setting read behind the rule's back
# reruns nothing when it changes.
DECLARED = {"input", "output", "params", "log", "threads", "resources", "wildcards", "scriptdir"}


@pytest.mark.parametrize("script", sorted((ROOT / "scripts").glob("*.py")), ids=lambda p: p.name)
def test_scripts_read_only_what_their_rule_declares(script):
    tree = ast.parse(script.read_text())
    read = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "snakemake"
    }
    assert read, f"{script.name} reads nothing of its job"
    assert read <= DECLARED, f"{script.name} reads snakemake.{', '.join(sorted(read - DECLARED))}"


def test_committed_rule_graph_is_current():
    svg = (ROOT / "workflow" / "rulegraph.svg").read_text()
    for rule in RULES + OPTIONAL_RULES:
        assert f">{rule}</text>" in svg, (
            f"{rule} missing from workflow/rulegraph.svg "
            "(run make dag CONFIG=config/presets/every-step.yaml)"
        )


def test_no_test_here_runs_a_job(tmp_path):
    """The fast lane is this folder: a job started from it fails (tests/conftest.py)."""
    with pytest.raises(AssertionError, match="move it to tests/workflow/"):
        snakemake(tmp_path, "--cores", "1")
    # the finished run is a fixture of tests/workflow/ only: a test here cannot ask for it
    assert "def small_run" in (ROOT / "tests" / "workflow" / "conftest.py").read_text()
    assert "def small_run" not in (ROOT / "tests" / "conftest.py").read_text()
