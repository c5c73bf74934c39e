rule summarize:
    input:
        metrics=summary_metrics,
        consensus=consensus_metrics,
        lib=lib("io", "summary", "runlog"),
    output:
        report(
            "results/{dataset}/summary.tsv",
            caption="../report/summary.rst",
            category="Metrics",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "file": "summary over seeds"},
        ),
    log:
        "logs/{dataset}/summarize.log",
    benchmark:
        "benchmarks/{dataset}/summarize.tsv"
    conda:
        "../../envs/report.yaml"
    threads: 1
    resources:
        mem_mb=memory(500),
        runtime=5,
    params:
        algorithms=CLUSTERINGS,
        consensus=CONSENSUS,
    script:
        "../../scripts/summarize.py"
