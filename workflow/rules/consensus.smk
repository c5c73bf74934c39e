# With two or more seeds: how far the seeds agree, and the clustering they vote for, scored
# and drawn like a seed's (on the first seed's embeddings and t-SNE map).


rule consensus:
    input:
        labels=expand(
            "results/{{dataset}}/seed{seed}/clusters/{{algorithm}}/labels.npy",
            seed=SEEDS,
        ),
        embeddings=all_seed_embeddings,
        lib=lib(
            "io",
            "kcriteria",
            "kselect",
            "labels",
            "provenance",
            "recommend",
            "runlog",
            "silhouette",
            "stability",
        ),
    output:
        labels="results/{dataset}/consensus/clusters/{algorithm}/labels.npy",
        agreement="results/{dataset}/consensus/clusters/{algorithm}/agreement.npy",
        run="results/{dataset}/consensus/clusters/{algorithm}/run.json",
    log:
        "logs/{dataset}/consensus/consensus_{algorithm}.log",
    benchmark:
        "benchmarks/{dataset}/consensus/consensus_{algorithm}.tsv"
    conda:
        "../../envs/cluster.yaml"
    threads: 1
    resources:
        mem_mb=memory(500, 4),
        runtime=10,
    params:
        seeds=[int(s) for s in SEEDS],
        name=lambda wildcards: consensus_of(wildcards.algorithm),
        method=config["consensus"]["method"],
        min_group_share=config["consensus"]["min_group_share"],
    script:
        "../../scripts/consensus.py"


use rule evaluate as evaluate_consensus with:
    input:
        data=downloaded("data.npz"),
        embeddings=first_seed_embeddings,
        labels="results/{dataset}/consensus/clusters/{algorithm}/labels.npy",
        run="results/{dataset}/consensus/clusters/{algorithm}/run.json",
        lib=lib("io", "labels", "metrics", "silhouette", "provenance", "runlog"),
    output:
        report(
            "results/{dataset}/consensus/clusters/{algorithm}/metrics.json",
            caption="../report/metrics.rst",
            category="Metrics",
            subcategory="{dataset}",
            labels={
                "dataset": "{dataset}",
                "seed": "consensus",
                "algorithm": "{algorithm}",
            },
        ),
    log:
        "logs/{dataset}/consensus/evaluate_{algorithm}.log",
    benchmark:
        "benchmarks/{dataset}/consensus/evaluate_{algorithm}.tsv"
    params:
        evaluation=canonical(config["evaluation"]),
        seed=int(SEEDS[0]),
        settings=consensus_result_settings,


use rule plot_tsne as plot_tsne_consensus with:
    input:
        coordinates=f"results/{{dataset}}/seed{SEEDS[0]}/tsne/coordinates.npz",
        data=downloaded("data.npz"),
        labels=["results/{dataset}/consensus/clusters/{colouring}/labels.npy"],
        lib=lib("io", "figures", "labels", "runlog"),
    output:
        report(
            "results/{dataset}/consensus/figures/tsne_{colouring}.png",
            caption="../report/tsne.rst",
            category="t-SNE",
            subcategory="{dataset}",
            labels={
                "dataset": "{dataset}",
                "seed": "consensus",
                "coloured by": "{colouring}",
            },
        ),
    log:
        "logs/{dataset}/consensus/plot_tsne_{colouring}.log",
    benchmark:
        "benchmarks/{dataset}/consensus/plot_tsne_{colouring}.tsv"
    params:
        where=consensus_where,


use rule plot_confusion as plot_confusion_consensus with:
    input:
        data=downloaded("data.npz"),
        labels="results/{dataset}/consensus/clusters/{algorithm}/labels.npy",
        lib=lib("io", "figures", "labels", "metrics", "silhouette", "runlog"),
    output:
        report(
            "results/{dataset}/consensus/figures/confusion_{algorithm}.png",
            caption="../report/confusion.rst",
            category="Confusion matrices",
            subcategory="{dataset}",
            labels={
                "dataset": "{dataset}",
                "seed": "consensus",
                "algorithm": "{algorithm}",
            },
        ),
    log:
        "logs/{dataset}/consensus/plot_confusion_{algorithm}.log",
    benchmark:
        "benchmarks/{dataset}/consensus/plot_confusion_{algorithm}.tsv"
    params:
        max_columns=config["figures"]["confusion_max_columns"],
        where=consensus_where,


use rule plot_gallery as plot_gallery_consensus with:
    input:
        data=downloaded("data.npz"),
        images=downloaded("images.npy"),
        embeddings=first_seed_embeddings,
        labels="results/{dataset}/consensus/clusters/{algorithm}/labels.npy",
        stability="results/{dataset}/consensus/clusters/{algorithm}/run.json",
        lib=lib("io", "figures", "gallery", "labels", "metrics", "silhouette", "runlog"),
    output:
        report(
            "results/{dataset}/consensus/figures/gallery_{algorithm}.png",
            caption="../report/gallery.rst",
            category="Galleries",
            subcategory="{dataset}",
            labels={
                "dataset": "{dataset}",
                "seed": "consensus",
                "figure": "gallery {algorithm}",
            },
        ),
    log:
        "logs/{dataset}/consensus/plot_gallery_{algorithm}.log",
    benchmark:
        "benchmarks/{dataset}/consensus/plot_gallery_{algorithm}.tsv"
    params:
        gallery=gallery_settings,
        seed=int(SEEDS[0]),
        where=consensus_where,
        stability_of="consensus",
