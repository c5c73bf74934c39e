# The config: validated against the schema (the one home of defaults), and the names the
# rules share (datasets, seeds, clusterings, diagnostic figures).
import os
import sys
from pathlib import Path

import jsonschema
import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

SCHEMA = Path(workflow.basedir) / "workflow" / "schemas" / "config.schema.yaml"
LIB = Path(workflow.basedir) / "scripts" / "deepclust"
REPORT = Path(workflow.basedir) / "workflow" / "report"  # the HTML report's captions
TEMPLATES = Path(workflow.basedir) / "workflow" / "templates"
# One definition of what the steps need: checked against the limit at parse time, and
# against the images the survey and the decode step found before the jobs that use them.
sys.path.insert(0, str(LIB.parent))
from deepclust.config_checks import check_enough_images, config_problems, images_needed
from deepclust.sources.errors import DatasetError

# The diagnostic figures and display names the algorithms declare in their registry entries
# (light: numpy only).
from deepclust.cluster import TITLES as ALGORITHM_TITLES, diagnostic_figures
from deepclust.failures import failure_lines
from deepclust.named_inputs import flat as flat_inputs

# The names of the self-trained relabelling and of the consensus of seeds.
from deepclust.names import consensus_of, self_trained
from deepclust.jitcache import cache_folder

# numba's compiled code (the silhouette's, pynndescent's, UMAP's) in one folder per user, so
# that it is compiled once per machine, not in every job (deepclust/jitcache.py); jobs inherit
# it, remote ones through envvars: in the Snakefile. A NUMBA_CACHE_DIR already set wins.
os.environ["NUMBA_CACHE_DIR"] = cache_folder(os.environ)


def check_config(config):
    """Schema errors as short lines naming the key, then defaults filled in.

    The schema is the one home of every default: validate() fills in each missing key,
    nested sections and every algorithm and dataset entry included, so the rules and
    scripts read settings as ``config[...]`` with no fallbacks of their own.
    """
    schema = yaml.safe_load(SCHEMA.read_text())
    errors = sorted(
        jsonschema.Draft202012Validator(schema).iter_errors(config),
        key=lambda e: list(e.absolute_path),
    )
    if errors:
        raise WorkflowError(
            "invalid config:\n" + "\n".join(map(schema_error_line, errors))
        )
    validate(config, str(SCHEMA))
    # Algorithms in the schema's order, however the config files list them: the order
    # of their jobs, summary.tsv and the report
    config["algorithms"] = {
        name: config["algorithms"][name]
        for name in schema["properties"]["algorithms"]["properties"]
    }
    # what the schema cannot say (deepclust.config_checks); enough_images() checks the
    # real number of images once the survey has counted them
    problems = config_problems(config, enabled_algorithms())
    if problems:
        raise WorkflowError("\n".join(f"invalid config: {p}" for p in problems))


def schema_error_line(err):
    """One schema error as a line naming the key (and what is allowed there)."""
    key = ".".join(map(str, err.absolute_path)) or "(top level)"
    message, allowed = err.message, ""
    if err.validator == "additionalProperties":
        allowed = f"; allowed keys: {', '.join(err.schema.get('properties', {}))}"
    if err.validator == "pattern" and "description" in err.schema:
        # what the pattern allows, in words (e.g. a dataset name)
        message = f"{err.instance!r} is not allowed: {err.schema['description']}"
    return f"  {key}: {message}{allowed}"


def enabled_algorithms():
    """``{name: parameters}`` of the enabled algorithms, without the enabled flag."""
    return {
        name: {k: v for k, v in settings.items() if k != "enabled"}
        for name, settings in config["algorithms"].items()
        if settings["enabled"]
    }


check_config(config)
ALGORITHMS = list(enabled_algorithms())
# Every scored clustering: the algorithms, then the self-trained relabelling.
SELF_TRAINED = (
    [self_trained(config["self_training"]["base"])]
    if config["self_training"]["enabled"]
    else []
)
CLUSTERINGS = ALGORITHMS + SELF_TRAINED
# (figure, algorithm) of every diagnostic figure an enabled algorithm declares, for its
# settings (a figure may be conditional, e.g. drawn only when n_clusters is auto).
DIAGNOSTIC_FIGURES = [
    (f, a) for a, p in enabled_algorithms().items() for f in diagnostic_figures(a, p)
]
DATASETS = [
    name for name, settings in config["datasets"].items() if settings["enabled"]
]
SEEDS = [str(s) for s in config["seeds"]]
# Datasets that follow another's finished run (assign_to): {follower: followed}; the others
# train and cluster.
FOLLOWERS = {
    name: config["datasets"][name]["assign_to"]
    for name in DATASETS
    if config["datasets"][name]["assign_to"]
}
TRAINED = [name for name in DATASETS if name not in FOLLOWERS]


def trained(dataset):
    """The dataset whose encoder and clusterings ``dataset`` uses: the one it follows, or
    itself."""
    return FOLLOWERS.get(dataset, dataset)


# With two or more seeds, every clustering also has a consensus of its seeds.
CONSENSUS = CLUSTERINGS if len(SEEDS) > 1 else []


wildcard_constraints:
    dataset="|".join(DATASETS) or "no-dataset",
    seed=r"\d+",
    shard=r"\d+",
    run=r"seed\d+|consensus",
    algorithm="|".join(CLUSTERINGS) or "no-algorithm",
    colouring="|".join(["labels", *CLUSTERINGS]),


def lib(*modules):
    """Paths of the library modules a script imports, declared as rule inputs. A
    package's name (``"cluster"``) stands for all its modules, ``"sources.hub"`` for that
    module and its package's ``__init__``.

    Relative to the working directory, so moving the project does not make every
    job look stale to Snakemake (it records the set of input paths).
    """
    paths = [LIB / "__init__.py"]
    for name in modules:
        path = LIB.joinpath(*name.split("."))
        if path.is_dir():
            paths += sorted(path.glob("*.py"))
        else:
            packages = [p for p in path.parents if p.is_relative_to(LIB) and p != LIB]
            paths += [p / "__init__.py" for p in reversed(packages)]
            paths.append(path.with_suffix(".py"))
    return [os.path.relpath(p) for p in dict.fromkeys(paths)]


# Library modules that several rules import: opening a source (the image names) and
# fitting or applying a clustering.
SOURCE_OPENING = (
    "sources.arrays",
    "sources.errors",
    "sources.folder",
    "sources.hub",
    "sources.layout",
    "sources.open",
)
CLUSTERING = (
    "io",
    "cluster",
    "jitcache",
    "kcriteria",
    "kselect",
    "knee",
    "labels",
    "neighbours",
    "runlog",
    "silhouette",
)
