# Input functions of a dataset's own outputs: the summary, the tables of every image, the
# explorer, the PDF report, a follower's placements, and the run's final targets.


def seed_runs():
    return [fill(SEED_RUN, seed=s) for s in SEEDS]


def summary_metrics(wildcards):
    """Every metrics.json of the dataset: all seeds, all clusterings."""
    return run_files(METRICS, wildcards.dataset, seed_runs(), CLUSTERINGS)


def consensus_metrics(wildcards):
    """The metrics.json of every consensus (none with a single seed)."""
    return run_files(METRICS, wildcards.dataset, [CONSENSUS_RUN], CONSENSUS)


def labelled(dataset):
    """Whether ``dataset`` has labels (data.npz lists its classes). Known once the decode
    checkpoint has run (Snakemake then looks at the report's inputs again); until then
    assumed, so a dry run plans the label-coloured t-SNE figure."""
    try:
        checkpoints.decode.get(dataset=dataset)
    except IncompleteCheckpointException:
        return True
    with np.load(fill(DATA, dataset=dataset)) as data:
        return len(data["class_names"]) > 0


def explorer_inputs(wildcards):
    """The explorer's inputs of the first seed: the map's points, the images' names (in
    assignments.tsv), the recommended clustering (coloured first) and each clustering's
    labels (``labels``, in CLUSTERINGS order); with
    several seeds, the share of seeds behind each image's consensus cluster
    (``agreement``, in CONSENSUS order)."""
    d, first = wildcards.dataset, seed_runs()[:1]
    return {
        "coordinates": fill(MAP, dataset=d, seed=SEEDS[0]),
        "assignments": fill(ASSIGNMENTS, dataset=d),
        "recommended": fill(RECOMMENDED, dataset=d),
        "labels": run_files(LABELS, d, first, CLUSTERINGS),
        "agreement": run_files(AGREEMENT, d, [CONSENSUS_RUN], CONSENSUS),
    }


def assignment_inputs(wildcards):
    """assignments.tsv's inputs: every clustering's labels in every seed (``labels``,
    seed-major, CLUSTERINGS order: the first seed's are columns, the recommended
    clustering's in every seed give its typicality and seed agreement), each consensus
    (``consensus``, CONSENSUS order) and the first seed's embeddings."""
    d = wildcards.dataset
    return {
        "labels": run_files(LABELS, d, seed_runs(), CLUSTERINGS),
        "consensus": run_files(LABELS, d, [CONSENSUS_RUN], CONSENSUS),
        "embeddings": first_seed_embeddings(wildcards),
    }


def first_seed_embeddings(wildcards):
    """The first seed's embeddings (assignments.tsv's typicality, duplicates.tsv)."""
    checkpoints.embed.get(dataset=wildcards.dataset, seed=SEEDS[0])
    return fill(EMBEDDINGS, dataset=wildcards.dataset, seed=SEEDS[0])


def final_targets():
    """The reports, the tables of assignments and duplicates, and the consensus confusion
    matrices (in the HTML report only); of a follower (assign_to), its assignments.tsv
    and drift.json."""
    return (
        expand(REPORT_FILE, dataset=TRAINED, ext=["tex", "pdf"])
        + expand([ASSIGNMENTS, DUPLICATES], dataset=TRAINED)
        + expand(consensus_file(CONFUSION), dataset=TRAINED, algorithm=CONSENSUS)
        + expand([ASSIGNMENTS, DRIFT], dataset=list(FOLLOWERS))
    )


def pdf_report_inputs(wildcards):
    """The report's inputs, nested by what they are (deepclust.named_inputs flattens them
    to Snakemake's names, the script nests them again): per seed ``training`` and
    ``loss_curves``; per clustering, each seed's ``metrics`` and ``runs`` and the first
    seed's figures (``tsne`` also by the true labels of a labelled dataset); the
    ``diagnostics`` per algorithm and figure; with several seeds, per clustering the
    ``consensus``'s metrics, t-SNE map and gallery."""
    d, seeds, first = wildcards.dataset, seed_runs(), seed_runs()[0]

    def of(pattern, **values):
        return fill(pattern, **{"dataset": d, "seed": SEEDS[0], "run": first} | values)

    tsne = [*CLUSTERINGS, *(["labels"] if labelled(d) else [])]
    diagnostics = {}  # {algorithm: {figure: path}}
    for f, a in DIAGNOSTIC_FIGURES:
        diagnostics.setdefault(a, {})[f] = of(DIAGNOSTIC, diagnostic=f, algorithm=a)
    consensus = {"metrics": METRICS, "tsne": TSNE_FIGURE, "gallery": GALLERY}
    return flat_inputs(
        {
            "template": os.path.relpath(TEMPLATES / "pdf_report.tex.jinja"),
            "data": of(DATA),
            "images": of(IMAGES),
            "training": [of(encoder_summaries()[0], seed=s) for s in SEEDS],
            "loss_curves": [of(encoder_summaries()[1], seed=s) for s in SEEDS],
            "summary": of(SUMMARY),
            "recommended": of(RECOMMENDED),
            "thumbnail_map": of(THUMBNAIL_MAP),
            "explorer": of(EXPLORER),
            "metrics": {c: run_files(METRICS, d, seeds, [c]) for c in CLUSTERINGS},
            "runs": {c: run_files(RUN_RECORD, d, seeds, [c]) for c in CLUSTERINGS},
            "tsne": {c: of(TSNE_FIGURE, colouring=c) for c in tsne},
            "confusion": {c: of(CONFUSION, algorithm=c) for c in CLUSTERINGS},
            "gallery": {c: of(GALLERY, algorithm=c) for c in CLUSTERINGS},
            "diagnostics": diagnostics,
            "consensus": {
                c: {
                    kind: of(consensus_file(pattern), algorithm=c, colouring=c)
                    for kind, pattern in consensus.items()
                }
                for c in CONSENSUS
            },
        }
    )


def followed(pattern):
    """Input function: ``pattern`` of the followed dataset's first seed, for the job's
    clustering (``{algorithm}``, or the self-trained one of ``{base}``)."""

    def path(wildcards):
        w = dict(wildcards.items())
        algorithm = w.get("algorithm") or self_trained(w["base"])
        return fill(
            seed_file(pattern),
            dataset=FOLLOWERS[wildcards.dataset],
            seed=SEEDS[0],
            algorithm=algorithm,
        )

    return path


def follower_inputs(wildcards):
    """The follower's placements (``assigned``, CLUSTERINGS order); the followed run's recommendation, first-seed labels (``followed_labels``, CLUSTERINGS
    order) and embeddings (the typicality's reference)."""
    d, f = wildcards.dataset, FOLLOWERS[wildcards.dataset]
    return {
        "assigned": [fill(ASSIGNED, dataset=d, algorithm=c) for c in CLUSTERINGS],
        "recommended": fill(RECOMMENDED, dataset=f),
        "followed_labels": run_files(LABELS, f, seed_runs()[:1], CLUSTERINGS),
        "followed_embeddings": fill(EMBEDDINGS, dataset=f, seed=SEEDS[0]),
    }
