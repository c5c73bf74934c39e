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
        report(
            EXPLORER,
            caption="../report/explorer.rst",
            category="Explorer",
            labels={"dataset": "{dataset}", "file": "explorer.html"},
        ),
    log:
        log_file(DATASET_DIR, "explorer"),
    benchmark:
        benchmark_file(DATASET_DIR, "explorer")
    conda:
        "../../envs/figures.yaml"
    threads: 1
    resources:
        mem_mb=memory(500, 0.2),
        runtime=5,
    params:
        clusterings=CLUSTERINGS,
        consensus=CONSENSUS,
        n_seeds=len(SEEDS),
        seed=SEEDS[0],
        max_points=config["gallery"]["explorer_points"],
    script:
        "../../scripts/explorer.py"
