rule tsne:
    input:
        embeddings=embeddings,
        lib=lib("io", "figures", "labels", "runlog"),
    output:
        "results/{dataset}/seed{seed}/tsne/coordinates.npz",
    log:
        "logs/{dataset}/seed{seed}/tsne.log",
    benchmark:
        "benchmarks/{dataset}/seed{seed}/tsne.tsv"
    conda:
        "../../envs/figures.yaml"
    threads: 2
    resources:
        mem_mb=memory(500, 2),
        runtime=10,
    params:
        tsne=canonical(config["tsne"]),
    script:
        "../../scripts/tsne.py"


rule plot_tsne:
    input:
        coordinates="results/{dataset}/seed{seed}/tsne/coordinates.npz",
        data=downloaded("data.npz"),
        labels=tsne_colouring,
        lib=lib("io", "figures", "labels", "runlog"),
    output:
        report(
            "results/{dataset}/seed{seed}/figures/tsne_{colouring}.png",
            caption="../report/tsne.rst",
            category="t-SNE",
            subcategory="{dataset}",
            labels={
                "dataset": "{dataset}",
                "seed": "{seed}",
                "coloured by": "{colouring}",
            },
        ),
    log:
        "logs/{dataset}/seed{seed}/plot_tsne_{colouring}.log",
    benchmark:
        "benchmarks/{dataset}/seed{seed}/plot_tsne_{colouring}.tsv"
    conda:
        "../../envs/figures.yaml"
    threads: 1
    resources:
        mem_mb=memory(300, 1),
        runtime=5,
    script:
        "../../scripts/plot_tsne.py"


rule plot_confusion:
    input:
        data=downloaded("data.npz"),
        labels="results/{dataset}/seed{seed}/clusters/{algorithm}/labels.npy",
        lib=lib("io", "figures", "labels", "metrics", "silhouette", "runlog"),
    output:
        report(
            "results/{dataset}/seed{seed}/figures/confusion_{algorithm}.png",
            caption="../report/confusion.rst",
            category="Confusion matrices",
            subcategory="{dataset}",
            labels={
                "dataset": "{dataset}",
                "seed": "{seed}",
                "algorithm": "{algorithm}",
            },
        ),
    log:
        "logs/{dataset}/seed{seed}/plot_confusion_{algorithm}.log",
    benchmark:
        "benchmarks/{dataset}/seed{seed}/plot_confusion_{algorithm}.tsv"
    conda:
        "../../envs/figures.yaml"
    threads: 1
    resources:
        mem_mb=memory(300, 3),
        runtime=5,
    script:
        "../../scripts/plot_confusion.py"


rule plot_kdistance:
    input:
        embeddings=embeddings,
        lib=lib("io", "figures", "knee", "labels", "runlog"),
    output:
        report(
            "results/{dataset}/seed{seed}/figures/kdistance_dbscan.png",
            caption="../report/kdistance.rst",
            category="DBSCAN eps",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "seed": "{seed}", "figure": "k-distance"},
        ),
    log:
        "logs/{dataset}/seed{seed}/plot_kdistance.log",
    benchmark:
        "benchmarks/{dataset}/seed{seed}/plot_kdistance.tsv"
    conda:
        "../../envs/figures.yaml"
    threads: 2
    resources:
        mem_mb=memory(500, 4),
        runtime=10,
    params:
        dbscan=canonical(config["algorithms"]["dbscan"]),
    script:
        "../../scripts/plot_kdistance.py"


rule plot_gallery:
    input:
        data=downloaded("data.npz"),
        images=downloaded("images.npy"),
        embeddings=embeddings,
        labels="results/{dataset}/seed{seed}/clusters/{algorithm}/labels.npy",
        lib=lib("io", "figures", "gallery", "labels", "metrics", "silhouette", "runlog"),
    output:
        report(
            "results/{dataset}/seed{seed}/figures/gallery_{algorithm}.png",
            caption="../report/gallery.rst",
            category="Galleries",
            subcategory="{dataset}",
            labels={
                "dataset": "{dataset}",
                "seed": "{seed}",
                "figure": "gallery {algorithm}",
            },
        ),
    log:
        "logs/{dataset}/seed{seed}/plot_gallery_{algorithm}.log",
    benchmark:
        "benchmarks/{dataset}/seed{seed}/plot_gallery_{algorithm}.tsv"
    conda:
        "../../envs/figures.yaml"
    threads: 1
    resources:
        mem_mb=memory(500, 1.5),
        runtime=5,
    params:
        gallery=gallery_settings,
    script:
        "../../scripts/plot_gallery.py"


rule plot_tsne_thumbnails:
    input:
        coordinates="results/{dataset}/seed{seed}/tsne/coordinates.npz",
        images=downloaded("images.npy"),
        lib=lib("io", "figures", "gallery", "labels", "metrics", "silhouette", "runlog"),
    output:
        report(
            "results/{dataset}/seed{seed}/figures/tsne_thumbnails.png",
            caption="../report/tsne_thumbnails.rst",
            category="Galleries",
            subcategory="{dataset}",
            labels={
                "dataset": "{dataset}",
                "seed": "{seed}",
                "figure": "t-SNE map of images",
            },
        ),
    log:
        "logs/{dataset}/seed{seed}/plot_tsne_thumbnails.log",
    benchmark:
        "benchmarks/{dataset}/seed{seed}/plot_tsne_thumbnails.tsv"
    conda:
        "../../envs/figures.yaml"
    threads: 1
    resources:
        mem_mb=memory(500, 0.1),
        runtime=5,
    params:
        map_thumbnails=config["gallery"]["map_thumbnails"],
    script:
        "../../scripts/plot_tsne_thumbnails.py"
