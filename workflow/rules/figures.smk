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
    params:
        where=seed_where,
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
    params:
        max_columns=config["figures"]["confusion_max_columns"],
        where=seed_where,
    script:
        "../../scripts/plot_confusion.py"


rule plot_diagnostic:
    input:
        embeddings=embeddings,
        run="results/{dataset}/seed{seed}/clusters/{algorithm}/run.json",
        lib=lib("io", "diagnostics", "knee", "figures", "labels", "runlog"),
    output:
        report(
            "results/{dataset}/seed{seed}/figures/{diagnostic}_{algorithm}.png",
            caption="../report/diagnostic.rst",
            category="Diagnostics",
            subcategory="{dataset}",
            labels={
                "dataset": "{dataset}",
                "seed": "{seed}",
                "algorithm": "{algorithm}",
                "figure": "{diagnostic}",
            },
        ),
    log:
        "logs/{dataset}/seed{seed}/plot_{diagnostic}_{algorithm}.log",
    benchmark:
        "benchmarks/{dataset}/seed{seed}/plot_{diagnostic}_{algorithm}.tsv"
    wildcard_constraints:
        diagnostic="|".join(sorted({f for f, _ in DIAGNOSTIC_FIGURES}))
        or "no-diagnostic",
        algorithm="|".join(sorted({a for _, a in DIAGNOSTIC_FIGURES})) or "no-algorithm",
    conda:
        "../../envs/figures.yaml"
    threads: 2
    resources:
        mem_mb=memory(500, 4),
        runtime=10,
    params:
        settings=algorithm_settings,
        caption=diagnostic_caption,
    script:
        "../../scripts/plot_diagnostic.py"


rule plot_gallery:
    input:
        data=downloaded("data.npz"),
        images=downloaded("images.npy"),
        embeddings=embeddings,
        labels="results/{dataset}/seed{seed}/clusters/{algorithm}/labels.npy",
        stability=seed_stability,
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
        seed=lambda wildcards: int(wildcards.seed),
        where=seed_where,
        stability_of=lambda wildcards: wildcards.seed,
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
