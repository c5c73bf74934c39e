# A run's figures (t-SNE maps, confusion matrices, galleries) are drawn for the first seed
# and for the consensus of the seeds, on the first seed's embeddings and t-SNE map; the
# t-SNE map itself, the thumbnail map and the diagnostic figures are a seed's.


rule tsne:
    input:
        embeddings=embeddings,
        lib=lib("io", "figures", "labels", "runlog"),
    output:
        TSNE,
    log:
        log_file(SEED_DIR, "tsne"),
    benchmark:
        benchmark_file(SEED_DIR, "tsne")
    conda:
        "../../envs/figures.yaml"
    threads: 2
    resources:
        **sized(500, 2, runtime=10),
    params:
        tsne=canonical(config["tsne"]),
    script:
        "../../scripts/tsne.py"


rule plot_tsne:
    input:
        coordinates=tsne_coordinates,
        data=decoded(DATA),
        labels=tsne_colouring,
        lib=lib("io", "figures", "labels", "runlog"),
    output:
        shown(TSNE_FIGURE, "tsne", "t-SNE", {"coloured by": "{colouring}"}),
    log:
        log_file(RUN_DIR, "plot_tsne_{colouring}"),
    benchmark:
        benchmark_file(RUN_DIR, "plot_tsne_{colouring}")
    conda:
        "../../envs/figures.yaml"
    threads: 1
    resources:
        **sized(300, 1, runtime=5),
    params:
        where=where,
    script:
        "../../scripts/plot_tsne.py"


rule plot_confusion:
    input:
        data=decoded(DATA),
        labels=LABELS,
        lib=lib("io", "figures", "labels", "metrics", "silhouette", "runlog"),
    output:
        shown(
            CONFUSION, "confusion", "Confusion matrices", {"algorithm": "{algorithm}"}
        ),
    log:
        log_file(RUN_DIR, "plot_confusion_{algorithm}"),
    benchmark:
        benchmark_file(RUN_DIR, "plot_confusion_{algorithm}")
    conda:
        "../../envs/figures.yaml"
    threads: 1
    resources:
        **sized(300, 3, runtime=5),
    params:
        max_columns=config["figures"]["confusion_max_columns"],
        where=where,
    script:
        "../../scripts/plot_confusion.py"


rule plot_diagnostic:
    input:
        embeddings=embeddings,
        run=seed_file(RUN_RECORD),
        lib=lib("io", "diagnostics", "knee", "figures", "labels", "runlog"),
    output:
        shown(
            DIAGNOSTIC,
            "diagnostic",
            "Diagnostics",
            {"algorithm": "{algorithm}", "figure": "{diagnostic}"},
        ),
    log:
        log_file(SEED_DIR, "plot_{diagnostic}_{algorithm}"),
    benchmark:
        benchmark_file(SEED_DIR, "plot_{diagnostic}_{algorithm}")
    wildcard_constraints:
        diagnostic="|".join(sorted({f for f, _ in DIAGNOSTIC_FIGURES}))
        or "no-diagnostic",
        algorithm="|".join(sorted({a for _, a in DIAGNOSTIC_FIGURES})) or "no-algorithm",
    conda:
        "../../envs/figures.yaml"
    threads: 2
    resources:
        **sized(500, 4, runtime=10),
    params:
        settings=algorithm_settings,
        caption=diagnostic_caption,
    script:
        "../../scripts/plot_diagnostic.py"


rule plot_gallery:
    input:
        data=decoded(DATA),
        images=decoded(IMAGES),
        embeddings=embeddings,
        labels=LABELS,
        stability=seed_stability,
        lib=lib("io", "figures", "gallery", "labels", "metrics", "silhouette", "runlog"),
    output:
        shown(GALLERY, "gallery", "Galleries", {"figure": "gallery {algorithm}"}),
    log:
        log_file(RUN_DIR, "plot_gallery_{algorithm}"),
    benchmark:
        benchmark_file(RUN_DIR, "plot_gallery_{algorithm}")
    conda:
        "../../envs/figures.yaml"
    threads: 1
    resources:
        **sized(500, 1.5, runtime=5),
    params:
        gallery=gallery_settings,
        seed=seed_number,
        where=where,
        stability_of=seed_or_consensus,
    script:
        "../../scripts/plot_gallery.py"


rule plot_tsne_thumbnails:
    input:
        coordinates=TSNE,
        images=decoded(IMAGES),
        lib=lib("io", "figures", "gallery", "labels", "metrics", "silhouette", "runlog"),
    output:
        shown(
            THUMBNAIL_MAP,
            "tsne_thumbnails",
            "Galleries",
            {"figure": "t-SNE map of images"},
        ),
    log:
        log_file(SEED_DIR, "plot_tsne_thumbnails"),
    benchmark:
        benchmark_file(SEED_DIR, "plot_tsne_thumbnails")
    conda:
        "../../envs/figures.yaml"
    threads: 1
    resources:
        **sized(500, 0.1, runtime=5),
    params:
        map_thumbnails=config["gallery"]["map_thumbnails"],
    script:
        "../../scripts/plot_tsne_thumbnails.py"
