rule summarize:
    input:
        metrics=summary_metrics,
        consensus=consensus_metrics,
        lib=lib("io", "summary", "runlog"),
    output:
        shown(SUMMARY, "summary", "Metrics", {"file": "summary over seeds"}),
    log:
        log_file(DATASET_DIR, "summarize"),
    benchmark:
        benchmark_file(DATASET_DIR, "summarize")
    conda:
        "../../envs/report.yaml"
    threads: 1
    resources:
        **sized(500, runtime=5),
    params:
        algorithms=CLUSTERINGS,
        consensus=CONSENSUS,
    script:
        "../../scripts/summarize.py"
