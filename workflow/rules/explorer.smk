rule explorer:
    input:
        unpack(explorer_inputs),
        data=decoded(DATA),
        images=decoded(IMAGES),
        lib=lib(
            "io",
            "explorer",
            "gallery",
            "figures",
            "labels",
            "metrics",
            "silhouette",
            "runlog",
        ),
    output:
        shown(
            EXPLORER,
            "explorer",
            "Explorer",
            {"file": "explorer.html"},
            subcategory=None,
        ),
    log:
        log_file(DATASET_DIR, "explorer"),
    benchmark:
        benchmark_file(DATASET_DIR, "explorer")
    conda:
        "../../envs/figures.yaml"
    threads: 1
    resources:
        **sized(500, 0.2, runtime=5),
    params:
        clusterings=CLUSTERINGS,
        consensus=CONSENSUS,
        n_seeds=len(SEEDS),
        seed=SEEDS[0],
        max_points=config["gallery"]["explorer_points"],
    script:
        "../../scripts/explorer.py"
