# The library modules of the jobs that decode a dataset's source.
SOURCE_LIB = lib("io", "labels", "runlog", "sources")


checkpoint survey:
    input:
        followed=followed_survey,
        lib=lib("io", "runlog", *SOURCE_OPENING, "sources.images", "sources.survey"),
    output:
        SURVEY,
    log:
        log_file(DATASET_DIR, "survey"),
    benchmark:
        benchmark_file(DATASET_DIR, "survey")
    conda:
        "../../envs/data.yaml"
    threads: 2
    resources:
        **reading(),
    params:
        dataset=dataset_settings,
        preprocessing=image_settings,
    script:
        "../../scripts/survey.py"


rule decode_shard:
    input:
        survey=surveyed,
        lib=SOURCE_LIB,
    output:
        images=temp(SHARD_IMAGES),
        rows=temp(SHARD_ROWS),
    log:
        log_file(DATASET_DIR, "decode_shard_{shard}"),
    benchmark:
        benchmark_file(DATASET_DIR, "decode_shard_{shard}")
    conda:
        "../../envs/data.yaml"
    threads: 2
    resources:
        **reading(),
    params:
        **DECODING,
        shards=config["shards"],
    script:
        "../../scripts/decode_shard.py"


# The dataset's images in one file: decoded here, or with shards > 1 gathered from the
# decode_shard jobs.
checkpoint decode:
    input:
        survey=surveyed,
        lib=SOURCE_LIB,
        shards=shard_files(SHARD_IMAGES),
        shard_rows=shard_files(SHARD_ROWS),
    output:
        images=IMAGES,
        data=DATA,
        skipped=shown(SKIPPED, "skipped", "Metrics", {"file": "images left out"}),
    log:
        log_file(DATASET_DIR, "decode"),
    benchmark:
        benchmark_file(DATASET_DIR, "decode")
    conda:
        "../../envs/data.yaml"
    threads: 2
    resources:
        **reading(),
    params:
        **DECODING,
    script:
        "../../scripts/decode.py"


rule deskew:
    input:
        images=decoded(IMAGES),
        lib=lib("io", "preprocess", "runlog"),
    output:
        DESKEWED,
    log:
        log_file(DATASET_DIR, "deskew"),
    benchmark:
        benchmark_file(DATASET_DIR, "deskew")
    conda:
        "../../envs/data.yaml"
    threads: 1
    resources:
        **sized(800, 1.2, runtime=10),
    script:
        "../../scripts/deskew.py"
