import functools
import os
import shutil
import sys
from pathlib import Path

import jsonschema
import numpy as np
import yaml
from snakemake.exceptions import IncompleteCheckpointException, WorkflowError
from snakemake.logging import logger
from snakemake.utils import validate

SCHEMA = Path(workflow.basedir) / "workflow" / "schemas" / "config.schema.yaml"
LIB = Path(workflow.basedir) / "scripts" / "deepclust"
REPORT = Path(workflow.basedir) / "workflow" / "report"  # the HTML report's captions
TEMPLATES = Path(workflow.basedir) / "workflow" / "templates"
# One definition of what the steps need: checked against the limit at parse time, and
# against the images the survey and the download found before the jobs that use them.
sys.path.insert(0, str(LIB.parent))
from deepclust.config_checks import check_enough_images, config_problems, images_needed
from deepclust.sources.errors import DatasetError

# The diagnostic figures and display names the algorithms declare in their registry entries
# (light: numpy only).
from deepclust.cluster import TITLES as ALGORITHM_TITLES, diagnostic_figures
from deepclust.failures import failure_lines

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
        lines = []
        for err in errors:
            key = ".".join(map(str, err.absolute_path)) or "(top level)"
            message, allowed = err.message, ""
            if err.validator == "additionalProperties":
                allowed = (
                    f"; allowed keys: {', '.join(err.schema.get('properties', {}))}"
                )
            if err.validator == "pattern" and "description" in err.schema:
                # what the pattern allows, in words (e.g. a dataset name)
                message = (
                    f"{err.instance!r} is not allowed: {err.schema['description']}"
                )
            lines.append(f"  {key}: {message}{allowed}")
        raise WorkflowError("invalid config:\n" + "\n".join(lines))
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


def canonical(value):
    """Dicts with sorted keys, recursively: reordering keys in a config file then does
    not look like a parameter change to Snakemake's params trigger."""
    if isinstance(value, dict):
        return {k: canonical(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


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
# Where the self-trained relabelling of clustering {base} goes.
SELF_TRAINED_DIR = f"results/{{dataset}}/seed{{seed}}/clusters/{self_trained('{base}')}"
# (figure, algorithm) of every diagnostic figure an enabled algorithm declares, for its
# settings (a figure may be conditional, e.g. drawn only when n_clusters is auto).
DIAGNOSTIC_FIGURES = [
    (f, a) for a, p in enabled_algorithms().items() for f in diagnostic_figures(a, p)
]
DATASETS = [
    name for name, settings in config["datasets"].items() if settings["enabled"]
]
SEEDS = [str(s) for s in config["seeds"]]


# With two or more seeds, every clustering also has a consensus of its seeds.
CONSENSUS = CLUSTERINGS if len(SEEDS) > 1 else []


wildcard_constraints:
    dataset="|".join(DATASETS) or "no-dataset",
    seed=r"\d+",
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


def enough_images(dataset, n_images):
    """Stop the run, naming the dataset and the settings, when it has fewer images than
    the enabled steps need: a check, not a job, so changing those settings reruns nothing.
    """
    needs = images_needed(config["algorithms"], config["tsne"])
    try:
        check_enough_images(n_images, needs, dataset)
    except DatasetError as err:
        raise WorkflowError(str(err)) from None


def surveyed(wildcards):
    """Input function: the survey, once it shows that the dataset has enough readable
    images (before any image is decoded)."""
    path = checkpoints.survey.get(dataset=wildcards.dataset).output[0]
    with np.load(path) as survey:
        enough_images(
            wildcards.dataset, len(survey["height"]) - len(survey["bad_index"])
        )
    return path


def cache_dir(wildcards):
    """The datasets library's cache folder ("": its own default). A resource, like
    tmpdir: where a job keeps files, so moving it reruns nothing."""
    return config["datasets"][wildcards.dataset]["cache_dir"] or ""


def dataset_settings(wildcards):
    """What defines the dataset's arrays (not where it is cached)."""
    settings = config["datasets"][wildcards.dataset]
    return canonical(
        {
            k: v
            for k, v in settings.items()
            if k not in ("cache_dir", "enabled", "deskew")
        }
    )


def image_settings(wildcards):
    """How images are fitted to one size (preprocessing, but deskew: a step of its own)."""
    return canonical(
        {k: v for k, v in config["preprocessing"].items() if k != "deskew"}
    )


def algorithm_settings(wildcards):
    return canonical(enabled_algorithms()[wildcards.algorithm])


def deskews(dataset):
    """Whether ``dataset`` is deskewed: its own setting, else preprocessing.deskew."""
    own = config["datasets"][dataset]["deskew"]
    return config["preprocessing"]["deskew"] if own is None else own


def downloaded(name):
    """Input function: ``results/{dataset}/<name>``, written by the download checkpoint.

    Snakemake looks at the jobs after a checkpoint again once it has run. The gathered
    images are byte-identical for any ``shards``, so with the profiles'
    max-checksum-file-size a change of ``shards`` reruns no job after them.
    """

    def path(wildcards):
        checkpoints.download.get(dataset=wildcards.dataset)
        enough_images(wildcards.dataset, downloaded_count(wildcards.dataset))
        return f"results/{wildcards.dataset}/{name}"

    return path


def downloaded_count(dataset):
    """The number of images the download kept (some may fail to decode)."""
    path = Path(f"results/{dataset}/data.npz")
    return _image_count(str(path), path.stat().st_mtime_ns)


@functools.lru_cache
def _image_count(path, mtime_ns):
    with np.load(path) as data:
        return len(data["labels"])


def embeddings(wildcards):
    """The embeddings of the embed checkpoint (byte-identical for any ``shards``)."""
    checkpoints.embed.get(dataset=wildcards.dataset, seed=wildcards.seed)
    return f"results/{wildcards.dataset}/seed{wildcards.seed}/embeddings.npy"


def first_seed_embeddings(wildcards):
    """The first seed's embeddings: where a consensus is scored and drawn."""
    checkpoints.embed.get(dataset=wildcards.dataset, seed=SEEDS[0])
    return f"results/{wildcards.dataset}/seed{SEEDS[0]}/embeddings.npy"


def seed_where(wildcards):
    """Where a figure comes from, for its title: dataset, seed and clustering."""
    w = dict(wildcards.items())
    clustering = w.get("algorithm", w.get("colouring"))
    return ", ".join(
        [w["dataset"], f"seed {w['seed']}", *([clustering] if clustering else [])]
    )


def consensus_where(wildcards):
    w = dict(wildcards.items())
    clustering = w.get("algorithm", w.get("colouring"))
    return f"{w['dataset']}, consensus of seeds {', '.join(SEEDS)}, {clustering}"


def seed_stability(wildcards):
    """The consensus run.json (per-cluster stability) when there are seeds to compare."""
    if not CONSENSUS:
        return []
    return (
        f"results/{wildcards.dataset}/consensus/clusters/{wildcards.algorithm}/run.json"
    )


def model_images(wildcards):
    """The images the autoencoder and the self-training see: deskewed or as downloaded."""
    if deskews(wildcards.dataset):
        return f"results/{wildcards.dataset}/deskewed.npy"
    return downloaded("images.npy")(wildcards)


def shard_files(pattern):
    """Input function: ``pattern`` for each shard when ``shards`` > 1, else nothing
    (one job then does the whole dataset itself)."""

    def files(wildcards):
        if config["shards"] == 1:
            return []
        return [
            pattern.format(shard=i, **dict(wildcards.items()))
            for i in range(config["shards"])
        ]

    return files


def memory(base_mb, per_input_mb=0.0):
    """``mem_mb`` of a rule: ``base_mb`` plus ``per_input_mb`` per MB of its input files
    (set from the peaks measured at 60,000 and 300,000 images; not yet refitted at 1.2
    million), times 1.5 per retry, so a job
    killed for memory asks for more when run with ``--retries``."""

    def mem_mb(wildcards, input, attempt):
        return int((base_mb + per_input_mb * input.size_mb) * 1.5 ** (attempt - 1))

    return mem_mb


def self_training_settings(wildcards):
    return canonical(
        {
            k: v
            for k, v in config["self_training"].items()
            if k not in ("enabled", "base")
        }
    )


def gallery_settings(wildcards):
    """What the per-cluster galleries depend on (not the t-SNE map's thumbnails, nor the
    explorer's points)."""
    return canonical(
        {
            k: v
            for k, v in config["gallery"].items()
            if k not in ("map_thumbnails", "explorer_points")
        }
    )


def train_resources_gpu(wildcards):
    return 1 if config["autoencoder"]["device"] == "cuda" else 0


def seed_dirs(dataset):
    return expand("results/{dataset}/seed{seed}", dataset=dataset, seed=SEEDS)


def summary_metrics(wildcards):
    """Every metrics.json of the dataset: all seeds, all clusterings."""
    return [
        f"{s}/clusters/{a}/metrics.json"
        for s in seed_dirs(wildcards.dataset)
        for a in CLUSTERINGS
    ]


def consensus_metrics(wildcards):
    """The metrics.json of every consensus (none with a single seed)."""
    return [
        f"results/{wildcards.dataset}/consensus/clusters/{c}/metrics.json"
        for c in CONSENSUS
    ]


def pdf_report_inputs(wildcards):
    """The report's inputs by name. Per clustering ``c``: ``metrics_<c>`` and ``run_<c>``
    (one per seed, in config order) and the first seed's figures ``tsne_<c>``,
    ``confusion_<c>``, ``gallery_<c>``; per declared diagnostic figure ``<figure>_<algorithm>``;
    with several seeds, per clustering ``consensus_metrics_<c>``, ``consensus_tsne_<c>`` and
    ``consensus_gallery_<c>``.
    """
    d = wildcards.dataset
    dirs = seed_dirs(d)
    figures = f"{dirs[0]}/figures"
    inputs = {
        "template": os.path.relpath(TEMPLATES / "pdf_report.tex.jinja"),
        "data": f"results/{d}/data.npz",
        "images": f"results/{d}/images.npy",
        "training": [f"{s}/model/training.json" for s in dirs],
        "loss_curves": [f"{s}/model/loss.png" for s in dirs],
        "summary": f"results/{d}/summary.tsv",
        "thumbnail_map": f"{figures}/tsne_thumbnails.png",
        "explorer": f"results/{d}/explorer.html",
    }
    if labelled(d):
        inputs["tsne_labels"] = f"{figures}/tsne_labels.png"
    for c in CLUSTERINGS:
        inputs[f"metrics_{c}"] = [f"{s}/clusters/{c}/metrics.json" for s in dirs]
        inputs[f"run_{c}"] = [f"{s}/clusters/{c}/run.json" for s in dirs]
        for kind in ("tsne", "confusion", "gallery"):
            inputs[f"{kind}_{c}"] = f"{figures}/{kind}_{c}.png"
    for figure, algorithm in DIAGNOSTIC_FIGURES:
        inputs[f"{figure}_{algorithm}"] = f"{figures}/{figure}_{algorithm}.png"
    for c in CONSENSUS:
        inputs[f"consensus_metrics_{c}"] = (
            f"results/{d}/consensus/clusters/{c}/metrics.json"
        )
        for kind in ("tsne", "gallery"):
            inputs[f"consensus_{kind}_{c}"] = (
                f"results/{d}/consensus/figures/{kind}_{c}.png"
            )
    return inputs


def labelled(dataset):
    """Whether ``dataset`` has labels (data.npz lists its classes). Known once the download
    checkpoint has run (Snakemake then looks at the report's inputs again); until then
    assumed, so a dry run plans the label-coloured t-SNE figure."""
    try:
        checkpoints.download.get(dataset=dataset)
    except IncompleteCheckpointException:
        return True
    with np.load(f"results/{dataset}/data.npz") as data:
        return len(data["class_names"]) > 0


def explorer_inputs(wildcards):
    """The explorer's inputs of the first seed: the t-SNE points and each clustering's
    labels (``labels``, in CLUSTERINGS order); with several seeds, the share of seeds
    behind each image's consensus cluster (``agreement``, in CONSENSUS order)."""
    first = seed_dirs(wildcards.dataset)[0]
    d = wildcards.dataset
    return {
        "coordinates": f"{first}/tsne/coordinates.npz",
        "labels": [f"{first}/clusters/{c}/labels.npy" for c in CLUSTERINGS],
        "agreement": [
            f"results/{d}/consensus/clusters/{c}/agreement.npy" for c in CONSENSUS
        ],
    }


def clustering_settings(name):
    """The settings that make clustering ``name``: its algorithm's, and self-training's
    for the self-trained relabelling."""
    if name in ALGORITHMS:
        return {name: enabled_algorithms()[name]}
    base = config["self_training"]["base"]
    return {base: enabled_algorithms()[base], "self_training": config["self_training"]}


def dataset_lineage(dataset):
    """Every setting the dataset's images and embeddings depend on."""
    own = config["datasets"][dataset]
    return {
        "dataset": {k: v for k, v in own.items() if k not in ("cache_dir", "enabled")}
        | {"deskew": deskews(dataset)},
        "preprocessing": config["preprocessing"],
        "autoencoder": config["autoencoder"],
        "evaluation": config["evaluation"],
    }


def result_settings(wildcards):
    """What a scored clustering depends on, hashed into its provenance: the dataset's
    settings and the clustering's (never the whole config, so an edit elsewhere reruns
    nothing)."""
    settings = dataset_lineage(wildcards.dataset)
    return canonical(settings | clustering_settings(wildcards.algorithm))


def consensus_result_settings(wildcards):
    """A consensus's settings: its clustering's and the seeds voting."""
    return result_settings(wildcards) | {"seeds": config["seeds"]}


def pdf_report_lineage(wildcards):
    """What the dataset's report depends on, hashed into its provenance."""
    settings = dataset_lineage(wildcards.dataset) | {"seeds": config["seeds"]}
    for name in CLUSTERINGS:
        settings |= clustering_settings(name)
    return canonical(settings | {k: config[k] for k in ("tsne", "gallery")})


def pdf_report_settings(wildcards):
    """The config sections the report describes, and whether the dataset is deskewed."""
    sections = ("autoencoder", "self_training", "evaluation", "tsne", "gallery")
    return canonical(
        {key: config[key] for key in sections} | {"deskew": deskews(wildcards.dataset)}
    )


def diagnostic_caption(wildcards):
    """The HTML report's caption of a diagnostic figure: workflow/report/<figure>.rst."""
    return (REPORT / f"{wildcards.diagnostic}.rst").read_text()


def final_targets():
    """The reports, and the consensus confusion matrices (in the HTML report only)."""
    return expand(
        "results/{dataset}/report/report.{ext}",
        dataset=DATASETS,
        ext=["tex", "pdf"],
    ) + expand(
        "results/{dataset}/consensus/figures/confusion_{algorithm}.png",
        dataset=DATASETS,
        algorithm=CONSENSUS,
    )


def tsne_colouring(wildcards):
    """Cluster labels to colour by, or nothing when colouring by the true labels."""
    if wildcards.colouring == "labels":
        return []
    return [
        f"results/{wildcards.dataset}/seed{wildcards.seed}/clusters/{wildcards.colouring}/labels.npy"
    ]


def warn_if_no_tex(dag):
    """onstart: when a report job will run and no TeX engine is found, say so now, not
    when it fails after every other job."""
    if shutil.which("latexmk") or shutil.which("pdflatex"):
        return
    datasets = sorted(
        job.wildcards["dataset"]
        for job in dag.needrun_jobs()
        if job.rule.name == "pdf_report"
    )
    if datasets:
        from deepclust.compile_tex import TEX_PACKAGES

        logger.warning(
            f"warning: no TeX engine (latexmk or pdflatex) found, so the pdf_report job of "
            f"{', '.join(datasets)} will fail once the rest has run; install it first: "
            f"apt-get install {TEX_PACKAGES} (or make system-packages as root)"
        )


def report_failures(log):
    """onerror: a last line per failed job naming its dataset, rule and log, so a
    --keep-going run of several datasets ends saying which one failed."""
    paths = [log] if isinstance(log, (str, Path)) else log  # Snakemake 9: a list
    text = "".join(Path(p).read_text() for p in paths[:1] if Path(p).exists())
    for line in failure_lines(text):
        logger.error(line)
