rule map:
    input:
        embeddings=embeddings,
        lib=lib("io", "map2d", "runlog"),
    output:
        "results/{dataset}/seed{seed}/map/coordinates.npz",
    log:
        "logs/{dataset}/seed{seed}/map.log",
    benchmark:
        "benchmarks/{dataset}/seed{seed}/map.tsv"
    conda:
        "../../envs/figures.yaml"
    threads: 2
    resources:
        mem_mb=memory(800, 3),
        runtime=30,
    params:
        map=canonical(config["map"]),
    script:
        "../../scripts/map.py"


rule explore:
    input:
        unpack(explorer_inputs),
        data=downloaded("data.npz"),
        images=downloaded("images.npy"),
        lib=lib(
            "io",
            "assignments",
            "explorer",
            "explorer_tools",
            "gallery",
            "figures",
            "labels",
            "metrics",
            "silhouette",
            "runlog",
            "stability",
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
        mem_mb=memory(800, 0.5),
        runtime=10,
    params:
        clusterings=CLUSTERINGS,
        consensus=CONSENSUS,
        n_seeds=len(SEEDS),
        seed=SEEDS[0],
        max_points=config["gallery"]["explorer_points"],
    script:
        "../../scripts/explore.py"
