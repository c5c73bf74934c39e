"""The schema's defaults for tests, benchmarks and the config reference: filled in by the
validation the workflow itself runs (snakemake.utils.validate in workflow/rules/config.smk),
never typed by hand. The schema, workflow/schemas/config.schema.yaml, is their one home."""

import copy
from functools import cache
from pathlib import Path

import yaml
from snakemake.utils import update_config, validate

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "workflow" / "schemas" / "config.schema.yaml"
# datasets has no default (each entry needs a source); a placeholder entry fills the rest
PLACEHOLDER = {"datasets": {"example": {"source": "example"}}}


def filled(config):
    """A copy of ``config`` validated against the schema, every default filled in
    (``jsonschema.ValidationError`` for an invalid config)."""
    config = copy.deepcopy(config)
    validate(config, str(SCHEMA))
    return config


def merged(*configs):
    """``configs`` (dicts) merged in order the way Snakemake layers each ``--configfile``
    over the ones before (nested keys one by one, the last wins), filled in."""
    config = {}
    for layer in configs:
        update_config(config, copy.deepcopy(layer or {}))
    return filled(config)


def layered(*files, base=ROOT / "config.yaml"):
    """``base``, then each of ``files`` layered over it (see merged), filled in."""
    return merged(*(yaml.safe_load(Path(path).read_text()) for path in [base, *files]))


@cache
def _defaults():
    return filled(PLACEHOLDER)


def default_config():
    """Every setting at its schema default (a fresh copy; datasets holds the placeholder)."""
    return copy.deepcopy(_defaults())


def section_defaults(section):
    """The defaults of one top-level section, e.g. ``section_defaults("autoencoder")``."""
    return default_config()[section]


def algorithm_defaults(name):
    """What the cluster rule hands algorithm ``name`` by default: its settings without
    ``enabled`` (as workflow/rules/config.smk's enabled_algorithms)."""
    settings = default_config()["algorithms"][name]
    del settings["enabled"]
    return settings


# What three small, well separated blobs need changed from each algorithm's defaults
# (the unit tests of the algorithms and of their placement of new points).
BLOB_SETTINGS = {
    "kmeans": {"n_clusters": 3, "n_init": 2},
    "dbscan": {"eps": "auto"},
    "gmm": {"n_clusters": 3},
    "agglomerative": {"n_clusters": 3},
    "hdbscan": {"min_cluster_size": 20},
    "umap_gmm": {"n_clusters": 3, "n_components": 2, "n_neighbors": 10, "n_epochs": 50},
}
