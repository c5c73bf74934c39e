# From clusters to decisions: the table of every image and its clusters, and the pairs of
# duplicate images (deepclust.assignments, deepclust.duplicates).


rule assignments:
    input:
        unpack(assignment_inputs),
        data=downloaded("data.npz"),
        lib=lib(
            "io",
            "assignments",
            "labels",
            "names",
            "runlog",
            "sources.arrays",
            "sources.errors",
            "sources.folder",
            "sources.hub",
            "sources.layout",
            "sources.open",
            "stability",
        ),
    output:
        report(
            "results/{dataset}/assignments.tsv",
            caption="../report/assignments.rst",
            category="Metrics",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "file": "assignments.tsv"},
        ),
    log:
        "logs/{dataset}/assignments.log",
    benchmark:
        "benchmarks/{dataset}/assignments.tsv"
    conda:
        "../../envs/assignments.yaml"
    threads: 1
    resources:
        mem_mb=memory(800, 1),
        runtime=10,
        cache_dir=cache_dir,
    params:
        dataset=dataset_settings,
        clusterings=CLUSTERINGS,
        consensus=CONSENSUS,
        designated=DESIGNATED,
    script:
        "../../scripts/assignments.py"


rule duplicates:
    input:
        data=downloaded("data.npz"),
        embeddings=first_seed_embeddings,
        lib=lib(
            "io",
            "assignments",
            "duplicates",
            "jitcache",
            "labels",
            "neighbours",
            "runlog",
            "sources.arrays",
            "sources.errors",
            "sources.folder",
            "sources.hub",
            "sources.layout",
            "sources.open",
            "stability",
        ),
    output:
        report(
            "results/{dataset}/duplicates.tsv",
            caption="../report/duplicates.rst",
            category="Metrics",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "file": "duplicates.tsv"},
        ),
    log:
        "logs/{dataset}/duplicates.log",
    benchmark:
        "benchmarks/{dataset}/duplicates.tsv"
    conda:
        "../../envs/assignments.yaml"
    threads: 2
    resources:
        mem_mb=memory(800, 3),
        runtime=20,
        cache_dir=cache_dir,
    params:
        dataset=dataset_settings,
        settings=canonical(config["duplicates"]),
        seed=int(SEEDS[0]),
    script:
        "../../scripts/duplicates.py"
