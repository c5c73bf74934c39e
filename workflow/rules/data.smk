checkpoint survey:
    input:
        lib=lib(
            "io",
            "runlog",
            "sources.arrays",
            "sources.errors",
            "sources.folder",
            "sources.hub",
            "sources.images",
            "sources.layout",
            "sources.open",
            "sources.survey",
        ),
    output:
        "results/{dataset}/survey.npz",
    log:
        "logs/{dataset}/survey.log",
    benchmark:
        "benchmarks/{dataset}/survey.tsv"
    conda:
        "../../envs/data.yaml"
    threads: 2
    resources:
        mem_mb=memory(1500),
        runtime=20,
        cache_dir=cache_dir,
    params:
        dataset=dataset_settings,
        preprocessing=image_settings,
    script:
        "../../scripts/survey.py"


rule decode_shard:
    input:
        survey=surveyed,
        lib=lib("io", "labels", "runlog", "sources"),
    output:
        images=temp("results/{dataset}/shards/{shard}/images.npy"),
        rows=temp("results/{dataset}/shards/{shard}/rows.npz"),
    log:
        "logs/{dataset}/decode_shard_{shard}.log",
    benchmark:
        "benchmarks/{dataset}/decode_shard_{shard}.tsv"
    wildcard_constraints:
        shard=r"\d+",
    conda:
        "../../envs/data.yaml"
    threads: 2
    resources:
        mem_mb=memory(1500),
        runtime=20,
        cache_dir=cache_dir,
    params:
        dataset=dataset_settings,
        on_bad_image=config["preprocessing"]["on_bad_image"],
        shards=config["shards"],
    script:
        "../../scripts/decode_shard.py"


checkpoint download:
    input:
        survey=surveyed,
        lib=lib("io", "labels", "runlog", "sources"),
        shards=shard_files("results/{dataset}/shards/{shard}/images.npy"),
        shard_rows=shard_files("results/{dataset}/shards/{shard}/rows.npz"),
    output:
        images="results/{dataset}/images.npy",
        data="results/{dataset}/data.npz",
        skipped=report(
            "results/{dataset}/skipped.tsv",
            caption="../report/skipped.rst",
            category="Metrics",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "file": "images left out"},
        ),
    log:
        "logs/{dataset}/download.log",
    benchmark:
        "benchmarks/{dataset}/download.tsv"
    conda:
        "../../envs/data.yaml"
    threads: 2
    resources:
        mem_mb=memory(1500),
        runtime=20,
        cache_dir=cache_dir,
    params:
        dataset=dataset_settings,
        on_bad_image=config["preprocessing"]["on_bad_image"],
    script:
        "../../scripts/download.py"


rule deskew:
    input:
        images=downloaded("images.npy"),
        lib=lib("io", "preprocess", "runlog"),
    output:
        "results/{dataset}/deskewed.npy",
    log:
        "logs/{dataset}/deskew.log",
    benchmark:
        "benchmarks/{dataset}/deskew.tsv"
    conda:
        "../../envs/data.yaml"
    threads: 1
    resources:
        mem_mb=memory(800, 1.2),
        runtime=10,
    script:
        "../../scripts/deskew.py"
