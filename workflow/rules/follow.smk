# A follower (a dataset with assign_to): its images, embedded with the followed dataset's
# encoder (inputs.smk), placed in the followed run's clusters by the models its cluster
# jobs saved (first seed; nothing is refitted), then its assignments.tsv and drift.json.


rule assign:
    input:
        embeddings=first_seed_embeddings,
        model=followed(CLUSTER_MODEL),
        lib=lib(*CLUSTERING),
    output:
        ASSIGNED,
    log:
        log_file(DATASET_DIR, "assign_{algorithm}"),
    benchmark:
        benchmark_file(DATASET_DIR, "assign_{algorithm}")
    wildcard_constraints:
        dataset="|".join(FOLLOWERS) or "no-follower",
        algorithm="|".join(ALGORITHMS) or "no-algorithm",
    conda:
        "../../envs/cluster.yaml"
    threads: 2
    resources:
        **sized(800, 2, runtime=20),
    script:
        "../../scripts/assign.py"


rule assign_self_trained:
    input:
        images=model_images,
        model=followed(CLASSIFIER),
        base=fill(ASSIGNED, algorithm="{base}"),
        lib=lib("io", "labels", "model", "runlog", "selftrain", "settings"),
    output:
        fill(ASSIGNED, algorithm=self_trained("{base}")),
    log:
        log_file(DATASET_DIR, "assign_self_trained_{base}"),
    benchmark:
        benchmark_file(DATASET_DIR, "assign_self_trained_{base}")
    wildcard_constraints:
        dataset="|".join(FOLLOWERS) or "no-follower",
        base="|".join(ALGORITHMS) or "no-algorithm",
    conda:
        "../../envs/torch.yaml"
    threads: 2
    resources:
        **sized(800, 1.5, runtime=20),
    script:
        "../../scripts/assign_self_trained.py"


rule follower_assignments:
    input:
        unpack(follower_inputs),
        embeddings=first_seed_embeddings,
        data=decoded(DATA),
        lib=lib(
            "io",
            "assignments",
            "follow",
            "labels",
            "runlog",
            *SOURCE_OPENING,
            "stability",
        ),
    output:
        assignments=shown(
            ASSIGNMENTS, "assignments", "Metrics", {"file": "assignments.tsv"}
        ),
        drift=DRIFT,
    log:
        log_file(DATASET_DIR, "follower_assignments"),
    benchmark:
        benchmark_file(DATASET_DIR, "follower_assignments")
    wildcard_constraints:
        dataset="|".join(FOLLOWERS) or "no-follower",
    conda:
        "../../envs/assignments.yaml"
    threads: 1
    resources:
        **sized(800, 1, runtime=10),
        cache_dir=cache_dir,
    params:
        dataset=dataset_settings,
        clusterings=CLUSTERINGS,
        followed=lambda wildcards: FOLLOWERS[wildcards.dataset],
    script:
        "../../scripts/follower_assignments.py"
