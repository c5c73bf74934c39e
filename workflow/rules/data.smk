rule decode_shard:
    input:
        lib("io", "data", "labels", "runlog"),
    output:
        images=temp("results/{dataset}/shards/{shard}/images.npy"),
        labels=temp("results/{dataset}/shards/{shard}/labels.npy"),
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
    params:
        dataset=dataset_settings,
        shards=config["shards"],
    script:
        "../../scripts/decode_shard.py"


checkpoint download:
    input:
        lib=lib("io", "data", "labels", "runlog"),
        shards=shard_files("results/{dataset}/shards/{shard}/images.npy"),
        shard_labels=shard_files("results/{dataset}/shards/{shard}/labels.npy"),
    output:
        images="results/{dataset}/images.npy",
        data="results/{dataset}/data.npz",
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
    params:
        dataset=dataset_settings,
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
