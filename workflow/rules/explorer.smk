rule map:
    input:
        embeddings=embeddings,
        lib=lib("io", "map2d", "runlog"),
    output:
        MAP,
    log:
        log_file(SEED_DIR, "map"),
    benchmark:
        benchmark_file(SEED_DIR, "map")
    conda:
        "../../envs/figures.yaml"
    threads: 2
    resources:
        **sized(800, 3, runtime=30),
    params:
        map=canonical(config["map"]),
    script:
        "../../scripts/map.py"


rule explorer:
    input:
        unpack(explorer_inputs),
        data=decoded(DATA),
        images=decoded(IMAGES),
        lib=lib(
            "io",
            "assignments",
            "explorer",
            "explorer_tools",
            "gallery",
            "figures",
            "labels",
            "metrics",
            "names",
            "silhouette",
            "runlog",
            "stability",
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
        **sized(800, 0.5, runtime=10),
    params:
        clusterings=CLUSTERINGS,
        consensus=CONSENSUS,
        n_seeds=len(SEEDS),
        seed=SEEDS[0],
        max_points=config["gallery"]["explorer_points"],
    script:
        "../../scripts/explorer.py"
