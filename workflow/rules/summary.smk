rule recommend:
    input:
        labels=recommend_labels,
        embeddings=all_seed_embeddings,
        lib=lib(
            "io",
            "kcriteria",
            "kselect",
            "recommend",
            "runlog",
            "labels",
            "silhouette",
        ),
    output:
        RECOMMENDED,
    log:
        log_file(DATASET_DIR, "recommend"),
    benchmark:
        benchmark_file(DATASET_DIR, "recommend")
    conda:
        "../../envs/cluster.yaml"
    threads: 1
    resources:
        **sized(500, 4, runtime=10),
    params:
        clusterings=CLUSTERINGS,
        seeds=[int(s) for s in SEEDS],
    script:
        "../../scripts/recommend.py"


rule summarize:
    input:
        metrics=summary_metrics,
        consensus=consensus_metrics,
        recommended=RECOMMENDED,
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
