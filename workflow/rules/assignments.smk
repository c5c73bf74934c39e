# From clusters to decisions: the table of every image and its clusters, and the pairs of
# duplicate images (deepclust.assignments, deepclust.duplicates).


rule assignments:
    input:
        unpack(assignment_inputs),
        recommended=RECOMMENDED,
        data=decoded(DATA),
        lib=lib(
            "io",
            "assignments",
            "labels",
            "names",
            "runlog",
            *SOURCE_OPENING,
            "stability",
        ),
    output:
        shown(ASSIGNMENTS, "assignments", "Metrics", {"file": "assignments.tsv"}),
    log:
        log_file(DATASET_DIR, "assignments"),
    benchmark:
        benchmark_file(DATASET_DIR, "assignments")
    wildcard_constraints:
        dataset="|".join(TRAINED) or "no-dataset",
    conda:
        "../../envs/assignments.yaml"
    threads: 1
    resources:
        **sized(800, 1, runtime=10),
        cache_dir=cache_dir,
    params:
        dataset=dataset_settings,
        clusterings=CLUSTERINGS,
        consensus=CONSENSUS,
        seeds=len(SEEDS),
    script:
        "../../scripts/assignments.py"


rule duplicates:
    input:
        data=decoded(DATA),
        images=decoded(IMAGES),
        lib=lib(
            "io",
            "assignments",
            "duplicates",
            "jitcache",
            "labels",
            "neighbours",
            "runlog",
            *SOURCE_OPENING,
            "stability",
        ),
    output:
        shown(DUPLICATES, "duplicates", "Metrics", {"file": "duplicates.tsv"}),
    log:
        log_file(DATASET_DIR, "duplicates"),
    benchmark:
        benchmark_file(DATASET_DIR, "duplicates")
    conda:
        "../../envs/assignments.yaml"
    threads: 2
    resources:
        **sized(800, 3, runtime=20),
        cache_dir=cache_dir,
    params:
        dataset=dataset_settings,
        settings=canonical(config["duplicates"]),
        seed=int(SEEDS[0]),
    script:
        "../../scripts/duplicates.py"
