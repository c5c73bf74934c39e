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
    threads: 1
    resources:
        mem_mb=4000,
        runtime=20,
    params:
        dataset=dataset_settings,
    script:
        "../../scripts/download.py"
