rule train_autoencoder:
    input:
        data=model_images,
        lib=lib("io", "model", "figures", "labels", "provenance", "runlog", "settings"),
    output:
        model="results/{dataset}/seed{seed}/model/autoencoder.pt",
        losses="results/{dataset}/seed{seed}/model/loss.tsv",
        training="results/{dataset}/seed{seed}/model/training.json",
        curve=report(
            "results/{dataset}/seed{seed}/model/loss.png",
            caption="../report/loss.rst",
            category="Training",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "seed": "{seed}", "figure": "loss curve"},
        ),
    log:
        "logs/{dataset}/seed{seed}/train_autoencoder.log",
    benchmark:
        "benchmarks/{dataset}/seed{seed}/train_autoencoder.tsv"
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
        model="results/{dataset}/seed{seed}/model/autoencoder.pt",
        lib=lib("io", "model", "runlog", "settings", "sources.arrays", "sources.errors"),
    output:
        temp("results/{dataset}/seed{seed}/shards/{shard}/embeddings.npy"),
    log:
        "logs/{dataset}/seed{seed}/embed_shard_{shard}.log",
    benchmark:
        "benchmarks/{dataset}/seed{seed}/embed_shard_{shard}.tsv"
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
        model="results/{dataset}/seed{seed}/model/autoencoder.pt",
        lib=lib("io", "model", "runlog", "settings"),
        shards=shard_files("results/{dataset}/seed{seed}/shards/{shard}/embeddings.npy"),
    output:
        "results/{dataset}/seed{seed}/embeddings.npy",
    log:
        "logs/{dataset}/seed{seed}/embed.log",
    benchmark:
        "benchmarks/{dataset}/seed{seed}/embed.tsv"
    conda:
        "../../envs/torch.yaml"
    threads: 2
    resources:
        mem_mb=memory(600, 1.2),
        runtime=10,
    script:
        "../../scripts/embed.py"
