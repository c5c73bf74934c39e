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
