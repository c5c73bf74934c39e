rule summarize:
    input:
        metrics=summary_metrics,
        consensus=consensus_metrics,
        lib=lib("io", "summary", "runlog"),
    output:
        report(
            SUMMARY,
            caption="../report/summary.rst",
            category="Metrics",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "file": "summary over seeds"},
        ),
    log:
        log_file(DATASET_DIR, "summarize"),
    benchmark:
        benchmark_file(DATASET_DIR, "summarize")
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
