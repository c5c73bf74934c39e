rule cluster:
    input:
        embeddings=embeddings,
        lib=lib(
            "io",
            "cluster",
            "jitcache",
            "kselect",
            "knee",
            "labels",
            "neighbours",
            "provenance",
            "runlog",
            "silhouette",
        ),
    output:
        labels="results/{dataset}/seed{seed}/clusters/{algorithm}/labels.npy",
        run="results/{dataset}/seed{seed}/clusters/{algorithm}/run.json",
    log:
        "logs/{dataset}/seed{seed}/cluster_{algorithm}.log",
    benchmark:
        "benchmarks/{dataset}/seed{seed}/cluster_{algorithm}.tsv"
    wildcard_constraints:
        algorithm="|".join(ALGORITHMS) or "no-algorithm",
    conda:
        "../../envs/cluster.yaml"
    threads: 2
    resources:
        mem_mb=memory(800, 8),
        runtime=30,
    params:
        settings=algorithm_settings,
    script:
        "../../scripts/cluster.py"


rule self_train:
    input:
        images=model_images,
        labels="results/{dataset}/seed{seed}/clusters/{base}/labels.npy",
        lib=lib(
            "io",
            "labels",
            "model",
            "names",
            "provenance",
            "selftrain",
            "runlog",
            "settings",
        ),
    output:
        labels=f"{SELF_TRAINED_DIR}/labels.npy",
        run=f"{SELF_TRAINED_DIR}/run.json",
    log:
        "logs/{dataset}/seed{seed}/self_train_{base}.log",
    benchmark:
        "benchmarks/{dataset}/seed{seed}/self_train_{base}.tsv"
    wildcard_constraints:
        base="|".join(ALGORITHMS) or "no-algorithm",
    conda:
        "../../envs/torch.yaml"
    threads: 2
    resources:
        mem_mb=memory(1500, 1.5),
        runtime=30,
    params:
        settings=self_training_settings,
    script:
        "../../scripts/self_train.py"


rule evaluate:
    input:
        data=downloaded("data.npz"),
        embeddings=embeddings,
        labels="results/{dataset}/seed{seed}/clusters/{algorithm}/labels.npy",
        run="results/{dataset}/seed{seed}/clusters/{algorithm}/run.json",
        lib=lib("io", "labels", "metrics", "silhouette", "provenance", "runlog"),
    output:
        report(
            "results/{dataset}/seed{seed}/clusters/{algorithm}/metrics.json",
            caption="../report/metrics.rst",
            category="Metrics",
            subcategory="{dataset}",
            labels={
                "dataset": "{dataset}",
                "seed": "{seed}",
                "algorithm": "{algorithm}",
            },
        ),
    log:
        "logs/{dataset}/seed{seed}/evaluate_{algorithm}.log",
    benchmark:
        "benchmarks/{dataset}/seed{seed}/evaluate_{algorithm}.tsv"
    conda:
        "../../envs/cluster.yaml"
    threads: 2
    resources:
        mem_mb=memory(500, 4),
        runtime=20,
    params:
        evaluation=canonical(config["evaluation"]),
        seed=lambda wildcards: int(wildcards.seed),
        settings=result_settings,
    script:
        "../../scripts/evaluate.py"
