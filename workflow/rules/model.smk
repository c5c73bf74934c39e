rule train_autoencoder:
    input:
        data=model_images,
        lib=lib("io", "model", "figures", "labels", "provenance", "runlog", "settings"),
    output:
        model=MODEL,
        losses=LOSSES,
        training=TRAINING,
        curve=shown(LOSS_CURVE, "loss", "Training", {"figure": "loss curve"}),
    log:
        log_file(SEED_DIR, "train_autoencoder"),
    benchmark:
        benchmark_file(SEED_DIR, "train_autoencoder")
    conda:
        "../../envs/torch.yaml"
    threads: 2
    resources:
        **sized(600, 1.2, runtime=30),
        gpu=train_resources_gpu,
    params:
        autoencoder=canonical(config["autoencoder"]),
    script:
        "../../scripts/train_autoencoder.py"


# Every encoder but the autoencoder: fitted (or, for fixed features, its PCA) on the
# images, its state saved for the embed rules.
rule fit_encoder:
    input:
        data=model_images,
        model=autoencoder_view,
        lib=lib(
            "encoders",
            "io",
            "model",
            "figures",
            "labels",
            "provenance",
            "runlog",
            "settings",
        ),
    output:
        state=ENCODER_STATE,
        training=ENCODER_RECORD,
        curve=shown(ENCODER_FIGURE, "encoder", "Training", {"figure": "encoder"}),
    log:
        log_file(SEED_DIR, "fit_encoder"),
    benchmark:
        benchmark_file(SEED_DIR, "fit_encoder")
    conda:
        "../../envs/torch.yaml"
    threads: 2
    resources:
        **sized(1500, 1.2, runtime=30),
        gpu=encoder_resources_gpu,
    params:
        **ENCODER_PARAMS,
    script:
        "../../scripts/fit_encoder.py"


rule embed_shard:
    input:
        unpack(encoder_files),
        data=model_images,
        lib=lib(
            "encoders",
            "io",
            "model",
            "runlog",
            "settings",
            "sources.arrays",
            "sources.errors",
        ),
    output:
        temp(EMBEDDING_SHARD),
    log:
        log_file(SEED_DIR, "embed_shard_{shard}"),
    benchmark:
        benchmark_file(SEED_DIR, "embed_shard_{shard}")
    conda:
        "../../envs/torch.yaml"
    threads: 2
    resources:
        **sized(600, 1.2, runtime=10),
    params:
        **ENCODER_PARAMS,
        shards=config["shards"],
    script:
        "../../scripts/embed_shard.py"


checkpoint embed:
    input:
        unpack(encoder_files),
        data=model_images,
        lib=lib("encoders", "io", "model", "runlog", "settings"),
        shards=shard_files(EMBEDDING_SHARD),
    output:
        EMBEDDINGS,
    log:
        log_file(SEED_DIR, "embed"),
    benchmark:
        benchmark_file(SEED_DIR, "embed")
    conda:
        "../../envs/torch.yaml"
    threads: 2
    resources:
        **sized(600, 1.2, runtime=10),
    params:
        **ENCODER_PARAMS,
    script:
        "../../scripts/embed.py"
