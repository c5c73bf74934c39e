# What a rule's params and resources are made of: the settings each job depends on (so
# that an edit elsewhere in the config reruns nothing), and its memory.


def canonical(value):
    """Dicts with sorted keys, recursively: reordering keys in a config file then does
    not look like a parameter change to Snakemake's params trigger."""
    if isinstance(value, dict):
        return {k: canonical(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


def without(section, *keys):
    """``section`` of the config, canonical, without ``keys``."""
    return canonical({k: v for k, v in section.items() if k not in keys})


def cache_dir(wildcards):
    """The datasets library's cache folder ("": its own default). A resource, like
    tmpdir: where a job keeps files, so moving it reruns nothing."""
    return config["datasets"][wildcards.dataset]["cache_dir"] or ""


def dataset_settings(wildcards):
    """What defines the dataset's arrays (not where it is cached, nor whom it follows:
    the followed dataset's survey is an input of a follower's)."""
    return without(
        config["datasets"][wildcards.dataset],
        "cache_dir",
        "enabled",
        "deskew",
        "assign_to",
    )


def image_settings(wildcards):
    """How images are fitted to one size (preprocessing, but deskew: a step of its own)."""
    return without(config["preprocessing"], "deskew")


def algorithm_settings(wildcards):
    return canonical(enabled_algorithms()[wildcards.algorithm])


def self_training_settings(wildcards):
    return without(config["self_training"], "enabled", "base")


def gallery_settings(wildcards):
    """What the per-cluster galleries depend on (not the t-SNE map's thumbnails, nor the
    explorer's points)."""
    return without(config["gallery"], "map_thumbnails", "explorer_points")


def deskews(dataset):
    """Whether ``dataset`` is deskewed: its own setting, else preprocessing.deskew; a
    follower as the dataset it follows."""
    own = config["datasets"][trained(dataset)]["deskew"]
    return config["preprocessing"]["deskew"] if own is None else own


def memory(base_mb, per_input_mb=0.0):
    """``mem_mb`` of a rule: ``base_mb`` plus ``per_input_mb`` per MB of its input files
    (set from the peaks measured at 60,000 and 300,000 images; not yet refitted at 1.2
    million), times 1.5 per retry, so a job
    killed for memory asks for more when run with ``--retries``."""

    def mem_mb(wildcards, input, attempt):
        return int((base_mb + per_input_mb * input.size_mb) * 1.5 ** (attempt - 1))

    return mem_mb


def sized(base_mb, per_input_mb=0.0, runtime=10):
    """A rule's memory (see memory()) and runtime in minutes, as its resources."""
    return {"mem_mb": memory(base_mb, per_input_mb), "runtime": runtime}


def reading():
    """The resources of a job that reads a dataset's source, its cache folder included."""
    return sized(1500, runtime=20) | {"cache_dir": cache_dir}


def train_resources_gpu(wildcards):
    return 1 if config["autoencoder"]["device"] == "cuda" else 0


def encoder_resources_gpu(wildcards):
    """1 when the chosen encoder (or a combined view) is set to run on CUDA."""
    encoders = config["encoders"]
    names = [config["encoder"]]
    if names[0] == "combined":
        names = [v for v, w in encoders["combined"]["views"].items() if w > 0]
    devices = [
        config["autoencoder"]["device"] if n == "autoencoder" else encoders[n]["device"]
        for n in names
    ]
    return 1 if "cuda" in devices else 0


# The params of the rules that decode images (one shard or all).
DECODING = {
    "dataset": dataset_settings,
    "on_bad_image": config["preprocessing"]["on_bad_image"],
    "max_image_pixels": config["preprocessing"]["max_image_pixels"],
}


# The params of the rules that fit or apply the chosen encoder.
ENCODER_PARAMS = {
    "encoder": config["encoder"],
    "encoders": canonical(config["encoders"]),
}


def run_seed(wildcards):
    """The seed whose embeddings and t-SNE map a run is scored and drawn on: its own, or
    the first seed's for the consensus."""
    w = dict(wildcards.items())
    if "seed" in w:
        return w["seed"]
    return SEEDS[0] if w["run"] == CONSENSUS_RUN else w["run"].removeprefix("seed")


def seed_number(wildcards):
    return int(run_seed(wildcards))


def seed_or_consensus(wildcards):
    """A run's seed (e.g. "0"), or "consensus": whose per-cluster stability a gallery
    prints, and the HTML report's "seed" label."""
    consensus = dict(wildcards.items()).get("run") == CONSENSUS_RUN
    return CONSENSUS_RUN if consensus else run_seed(wildcards)


def where(wildcards):
    """Where a figure comes from, for its title: dataset, run and clustering."""
    w = dict(wildcards.items())
    clustering = w.get("algorithm", w.get("colouring"))
    if w.get("run") == CONSENSUS_RUN:
        return f"{w['dataset']}, consensus of seeds {', '.join(SEEDS)}, {clustering}"
    return ", ".join(
        [
            w["dataset"],
            f"seed {run_seed(wildcards)}",
            *([clustering] if clustering else []),
        ]
    )


def shown(path, caption, category, labels, subcategory="{dataset}"):
    """``path`` in Snakemake's HTML report: its caption workflow/report/<caption>.rst, in
    ``category`` (per dataset), labelled by its dataset, its seed (or consensus) where it
    has one, then ``labels``."""

    def all_labels(wildcards):
        w = dict(wildcards.items())
        seed = (
            {"seed": seed_or_consensus(wildcards)} if {"seed", "run"} & set(w) else {}
        )
        return {"dataset": "{dataset}"} | seed | labels

    return report(
        path,
        caption=f"../report/{caption}.rst",
        category=category,
        subcategory=subcategory,
        labels=all_labels,
    )


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
        "dataset": {
            k: v
            for k, v in own.items()
            if k not in ("cache_dir", "enabled", "assign_to")
        }
        | {"deskew": deskews(dataset)},
        "preprocessing": config["preprocessing"],
        "autoencoder": config["autoencoder"],
        "evaluation": config["evaluation"],
    } | encoder_lineage()


def encoder_lineage():
    """The encoder's settings, when it is not the autoencoder (so that the default's
    provenance is as it was)."""
    if config["encoder"] == "autoencoder":
        return {}
    return {"encoder": config["encoder"], "encoders": config["encoders"]}


def result_settings(wildcards):
    """What a scored clustering depends on, hashed into its provenance: the dataset's
    settings and the clustering's (never the whole config, so an edit elsewhere reruns
    nothing); a consensus's also the seeds voting."""
    settings = dataset_lineage(wildcards.dataset)
    settings = canonical(settings | clustering_settings(wildcards.algorithm))
    if wildcards.run == CONSENSUS_RUN:
        settings |= {"seeds": config["seeds"]}
    return settings


def pdf_report_lineage(wildcards):
    """What the dataset's report depends on, hashed into its provenance."""
    settings = dataset_lineage(wildcards.dataset) | {"seeds": config["seeds"]}
    for name in CLUSTERINGS:
        settings |= clustering_settings(name)
    return canonical(settings | {k: config[k] for k in ("tsne", "gallery")})


def pdf_report_settings(wildcards):
    """The config sections the report describes, and whether the dataset is deskewed."""
    sections = ("autoencoder", "encoder", "encoders", "self_training", "evaluation")
    sections += ("tsne", "gallery")
    return canonical(
        {key: config[key] for key in sections} | {"deskew": deskews(wildcards.dataset)}
    )


def diagnostic_caption(wildcards):
    """The HTML report's caption of a diagnostic figure: workflow/report/<figure>.rst."""
    return (REPORT / f"{wildcards.diagnostic}.rst").read_text()
