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
        "results/{dataset}/recommended.json",
    log:
        "logs/{dataset}/recommend.log",
    benchmark:
        "benchmarks/{dataset}/recommend.tsv"
    conda:
        "../../envs/cluster.yaml"
    threads: 1
    resources:
        mem_mb=memory(500, 4),
        runtime=10,
    params:
        clusterings=CLUSTERINGS,
        seeds=[int(s) for s in SEEDS],
    script:
        "../../scripts/recommend.py"


rule summarize:
    input:
        metrics=summary_metrics,
        consensus=consensus_metrics,
        recommended="results/{dataset}/recommended.json",
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
