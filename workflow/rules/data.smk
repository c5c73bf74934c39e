rule download:
    input:
        lib("io", "data", "runlog"),
    output:
        "results/{dataset}/data.npz",
    log:
        "logs/{dataset}/download.log",
    benchmark:
        "benchmarks/{dataset}/download.tsv"
    conda:
        "../../envs/data.yaml"
    threads: 2
    resources:
        mem_mb=1500,
        runtime=20,
    params:
        dataset=dataset_settings,
    script:
        "../../scripts/download.py"


rule deskew:
    input:
        data="results/{dataset}/data.npz",
        lib=lib("io", "preprocess", "runlog"),
    output:
        "results/{dataset}/deskewed.npz",
    log:
        "logs/{dataset}/deskew.log",
    benchmark:
        "benchmarks/{dataset}/deskew.tsv"
    conda:
        "../../envs/data.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    script:
        "../../scripts/deskew.py"
