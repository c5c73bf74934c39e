rule train_autoencoder:
    input:
        data=model_images,
        lib=lib("io", "model", "figures", "labels", "provenance", "runlog", "settings"),
    output:
        model=MODEL,
        losses=LOSSES,
        training=TRAINING,
        curve=report(
            LOSS_CURVE,
            caption="../report/loss.rst",
            category="Training",
            subcategory="{dataset}",
            labels=run_labels({"figure": "loss curve"}),
        ),
    log:
        log_file(SEED_DIR, "train_autoencoder"),
    benchmark:
        benchmark_file(SEED_DIR, "train_autoencoder")
    conda:
        "../../envs/torch.yaml"
    threads: 2
    resources:
        mem_mb=memory(600, 1.2),
        runtime=30,
        gpu=train_resources_gpu,
    params:
        autoencoder=canonical(config["autoencoder"]),
    script:
        "../../scripts/train_autoencoder.py"


rule embed_shard:
    input:
        data=model_images,
        model=MODEL,
        lib=lib("io", "data", "labels", "model", "runlog", "settings"),
    output:
        temp(EMBEDDING_SHARD),
    log:
        log_file(SEED_DIR, "embed_shard_{shard}"),
    benchmark:
        benchmark_file(SEED_DIR, "embed_shard_{shard}")
    wildcard_constraints:
        shard=r"\d+",
    conda:
        "../../envs/torch.yaml"
    threads: 2
    resources:
        mem_mb=memory(600, 1.2),
        runtime=10,
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
        mem_mb=memory(600, 1.2),
        runtime=10,
    script:
        "../../scripts/embed.py"
