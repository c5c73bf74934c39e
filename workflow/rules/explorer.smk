rule explore:
    input:
        unpack(explorer_inputs),
        data=downloaded("data.npz"),
        images=downloaded("images.npy"),
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
            "results/{dataset}/explorer.html",
            caption="../report/explorer.rst",
            category="Explorer",
            labels={"dataset": "{dataset}", "file": "explorer.html"},
        ),
    log:
        "logs/{dataset}/explore.log",
    benchmark:
        "benchmarks/{dataset}/explore.tsv"
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
        "../../scripts/explore.py"
