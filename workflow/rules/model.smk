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


rule embed_shard:
    input:
        data=model_images,
        model=MODEL,
        lib=lib("io", "model", "runlog", "settings", "sources.arrays", "sources.errors"),
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
        shards=config["shards"],
    script:
        "../../scripts/embed_shard.py"


checkpoint embed:
    input:
        data=model_images,
        model=MODEL,
        lib=lib("io", "model", "runlog", "settings"),
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
    script:
        "../../scripts/embed.py"
