rule cluster:
    input:
        embeddings=embeddings,
        lib=lib(*CLUSTERING, "provenance"),
    output:
        labels=seed_file(LABELS),
        run=seed_file(RUN_RECORD),
        model=seed_file(CLUSTER_MODEL),
    log:
        log_file(SEED_DIR, "cluster_{algorithm}"),
    benchmark:
        benchmark_file(SEED_DIR, "cluster_{algorithm}")
    wildcard_constraints:
        algorithm="|".join(ALGORITHMS) or "no-algorithm",
    conda:
        "../../envs/cluster.yaml"
    threads: 2
    resources:
        **sized(800, 8, runtime=30),
    params:
        settings=algorithm_settings,
    script:
        "../../scripts/cluster.py"


rule self_train:
    input:
        images=model_images,
        labels=fill(seed_file(LABELS), algorithm="{base}"),
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
        labels=fill(seed_file(LABELS), algorithm=self_trained("{base}")),
        run=fill(seed_file(RUN_RECORD), algorithm=self_trained("{base}")),
        model=fill(seed_file(CLASSIFIER), algorithm=self_trained("{base}")),
    log:
        log_file(SEED_DIR, "self_train_{base}"),
    benchmark:
        benchmark_file(SEED_DIR, "self_train_{base}")
    wildcard_constraints:
        base="|".join(ALGORITHMS) or "no-algorithm",
    conda:
        "../../envs/torch.yaml"
    threads: 2
    resources:
        **sized(1500, 1.5, runtime=30),
    params:
        settings=self_training_settings,
    script:
        "../../scripts/self_train.py"


# A seed's clustering, or the consensus of the seeds scored on the first seed's embeddings.
rule evaluate:
    input:
        data=decoded(DATA),
        embeddings=embeddings,
        labels=LABELS,
        run=RUN_RECORD,
        lib=lib("io", "labels", "metrics", "silhouette", "provenance", "runlog"),
    output:
        shown(METRICS, "metrics", "Metrics", {"algorithm": "{algorithm}"}),
    log:
        log_file(RUN_DIR, "evaluate_{algorithm}"),
    benchmark:
        benchmark_file(RUN_DIR, "evaluate_{algorithm}")
    conda:
        "../../envs/cluster.yaml"
    threads: 2
    resources:
        **sized(500, 4, runtime=20),
    params:
        evaluation=canonical(config["evaluation"]),
        seed=seed_number,
        settings=result_settings,
    script:
        "../../scripts/evaluate.py"
