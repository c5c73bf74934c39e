"""Rule report: every result of one dataset -> report.tex, compiled to report.pdf."""

import json
import os
from pathlib import Path

import numpy as np
from deepclust.io import save_text
from deepclust.provenance import provenance
from deepclust.report import (
    comparison_sentence,
    compile_pdf,
    exactness_text,
    params_text,
    provenance_text,
    render,
    title,
    tsne_subset_text,
)
from deepclust.runlog import job_log
from deepclust.summary import read_tsv

inp, params = snakemake.input, snakemake.params
report_dir = Path(snakemake.output.tex).parent
seeds = [int(s) for s in snakemake.config["seeds"]]


def rel(path):
    return os.path.relpath(path, report_dir)


def load_json(path):
    return json.loads(Path(path).read_text())


def gallery_caption(algorithm, metrics, settings, labelled):
    text = (
        f"{title(algorithm)}: one row per cluster, largest first (seed {seeds[0]}); left of the red "
        f"line its {settings['typical']} images nearest the cluster's mean embedding, right of it "
        f"its {settings['atypical']} farthest."
    )
    if metrics["n_clusters"] > settings["rows"]:
        hidden = metrics["n_clusters"] - settings["rows"]
        text += (
            " The smallest cluster is" if hidden == 1 else f" The {hidden} smallest clusters are"
        )
        text += " summarised below the rows."
    if metrics["noise_fraction"] > 0:
        text += " The last row is a random sample of the noise."
    if labelled:
        text += " Beside each row: the class matched to the cluster and its purity."
    return text


def silhouette_rule_text(evaluation):
    """The config's rule for an exact or an estimated silhouette, in words."""
    if evaluation["silhouette_exact_max"] is None:
        return "all non-noise points, exactly"
    return (
        f"the non-noise points: exactly up to {evaluation['silhouette_exact_max']:,} of them, above "
        f"that estimated from a seeded sample of {evaluation['silhouette_sample_size']:,}, each "
        "scored against all of them, with a 95% confidence interval"
    )


def self_training_text(settings, by_seed):
    if not settings["enabled"]:
        return ""
    name = settings["base"] + "_selftrain"
    runs = {s: m[name] for s, m in by_seed.items()}
    used = next(iter(runs.values()))["params"]
    text = (
        f" Self-training: a small CNN (two strided convolutions of {settings['conv_width']} and "
        f"{2 * settings['conv_width']} channels, one hidden layer of 128) is trained on the images "
        f"with the labels of {title(settings['base'])} as targets ({used['epochs_run']} epochs, "
        f"at least {settings['min_steps']} optimiser steps, batch size {settings['batch_size']}, "
        f"Adam with a one-cycle schedule peaking at {settings['learning_rate']:g}, random shifts "
        f"of up to {settings['shift_fraction']:.1%} of the image side), then relabels every image; "
        f"it is scored as {title(name)}. A guard keeps the base's labels when the relabelling "
        f"collapses (fewer clusters, a final loss above {settings['max_loss_ratio']:g} x chance, "
        f"or more than {settings['max_changed_fraction']:.0%} of the points moved)"
    )
    kept = {s: m["guard"]["reasons"] for s, m in runs.items() if m["guard"]["kept_base"]}
    if not kept:
        return text + "; it did not trigger."
    return (
        text
        + "; it triggered, and the base's labels were kept, for "
        + "; ".join(f"seed {s} ({', '.join(r)})" for s, r in kept.items())
        + "."
    )


with job_log(snakemake.log[0]) as log:
    data = np.load(inp.data)
    images, class_names = np.load(inp.images, mmap_mode="r"), list(data["class_names"])
    training = [load_json(p) for p in inp.training]
    metrics = [load_json(p) for p in inp.metrics]
    algos = params.algorithms
    by_seed = {
        s: dict(zip(algos, metrics[i * len(algos) : (i + 1) * len(algos)]))
        for i, s in enumerate(seeds)
    }
    titles = {a: title(a) for a in algos}
    settings = params.autoencoder
    figures = {
        kind: [p for p in inp.figures if Path(p).name.startswith(kind + "_")]
        for kind in ("tsne", "confusion", "kdistance")
    }
    first = by_seed[seeds[0]]
    rows = [
        (titles[a] + (f" (seed {s})" if len(seeds) > 1 else ""), by_seed[s][a])
        for s in seeds
        for a in algos
    ]
    ctx = {
        "date": f"config {first[algos[0]]['provenance']['config_sha256']}" if algos else "",
        "dataset": {
            "name": snakemake.wildcards.dataset,
            "source": str(data["source"]),
            "splits": list(data["splits"]),
            "n_images": len(images),
            "image_shape": "x".join(map(str, images.shape[1:3])),
            "color": "RGB, flattened with its 3 channels" if images.ndim == 4 else "grayscale",
            "n_classes": len(class_names) if class_names else "no labelled",
            "fingerprint": str(data["fingerprint"]),
            "preprocessing": (
                "Before the autoencoder, every image is deskewed: sheared so that the principal "
                "axis of its ink is vertical, with its centre of mass moved to the middle "
                "(second-order moments, bilinear resampling)."
                if params.deskew
                else ""
            ),
        },
        "architecture": training[0]["architecture"]
        | {
            "scaling_range": "[-1, 1]" if settings["scaling"] == "symmetric" else "[0, 1]",
            "output": "tanh" if settings["scaling"] == "symmetric" else "linear",
        },
        "training": {
            "learning_rate": settings["learning_rate"],
            "batch_size": settings["batch_size"],
            "epochs": training[0]["epochs_run"],
            "seeds": ", ".join(map(str, seeds)),
            "device": training[0]["device"],
            "final_loss": training[0]["final_loss"],
            "seconds": training[0]["seconds"],
        },
        "loss_curve": rel(inp.loss_curves[0]),
        "clustering_intro": (
            "Each algorithm clusters the embeddings of all images. Silhouette is computed over "
            + silhouette_rule_text(params.evaluation)
            + "; accuracy uses the best one-to-one matching of clusters to classes (Hungarian), "
            "with noise counted as wrong." + self_training_text(params.self_training, by_seed)
        ),
        "metric_rows": rows,
        "table_caption": "Scores per algorithm"
        + ("" if class_names else " (external metrics not available: the dataset has no labels)")
        + ". Parameters: "
        + "; ".join(f"{titles[a]}: {params_text(first[a]['params'])}" for a in algos)
        + ".",
        "comparison": comparison_sentence(first, titles) if algos else "",
        "exactness": exactness_text(rows),
        "tsne_intro": (
            f"t-SNE (PCA initialisation, perplexity {params.tsne['perplexity']:g}) of "
            f"{tsne_subset_text(params.tsne['n_samples'], len(images), seeds[0])}; "
            "noise points are grey."
        ),
        "tsne_figures": [
            (rel(p), f"t-SNE coloured by {Path(p).stem.removeprefix('tsne_')}")
            for p in figures["tsne"]
        ],
        "titles": titles,
        "summary_rows": read_tsv(Path(inp.summary).read_text()),
        "summary_intro": (
            f"Mean and sample standard deviation over {len(seeds)} seeds ({', '.join(map(str, seeds))}); "
            "each seed trains its own autoencoder."
            if len(seeds) > 1
            else "One seed; the standard deviation needs several (config key seeds)."
        ),
        "summary_caption": "Scores over seeds (results/"
        + snakemake.wildcards.dataset
        + "/summary.tsv).",
        "confusion_figures": [
            (
                rel(p),
                f"{titles[Path(p).stem.removeprefix('confusion_')]}: true classes against clusters "
                f"(seed {seeds[0]}), clusters ordered by their matched class.",
            )
            for p in figures["confusion"]
        ],
        "kdistance_figure": (
            (
                rel(figures["kdistance"][0]),
                "DBSCAN: sorted distances to the min_samples-th neighbour.",
            )
            if figures["kdistance"]
            else None
        ),
        "kdistance_intro": (
            f"DBSCAN used eps {first['dbscan']['params'].get('eps', '?')}"
            + (
                " chosen at the knee of the k-distance curve."
                if first["dbscan"]["params"].get("eps_auto")
                else " as configured; the k-distance curve shows where its knee lies."
            )
            if "dbscan" in first
            else ""
        ),
        "galleries_first": not class_names,
        "gallery_intro": (
            "The images of each cluster: its most typical members and its least typical ones, "
            "by distance to the mean of the cluster's embeddings (for every algorithm; the "
            "posteriors of the mixture models are not stored), with the cluster's size and share"
            + (" and the class matched to it with the cluster's purity." if class_names else ".")
            + f" The t-SNE map shows {min(params.gallery['map_thumbnails'], params.tsne['n_samples'], len(images))} "
            "of its points as their image."
            + ("" if class_names else " The dataset has no labels, so these views come first.")
        ),
        "thumbnail_map": (
            rel(inp.thumbnail_map),
            f"t-SNE map of seed {seeds[0]} with images in place of dots.",
        ),
        "gallery_figures": [
            (titles[a], rel(p), gallery_caption(a, first[a], params.gallery, bool(class_names)))
            for a, p in zip(algos, inp.galleries)
        ],
        "provenance": provenance_text(
            provenance(
                snakemake.config,
                snakemake.scriptdir,
                seeds,
                {"source": str(data["source"]), "fingerprint": str(data["fingerprint"])},
            )
        ),
    }
    tex = render(ctx)
    save_text(snakemake.output.tex, tex)
    log(f"wrote {snakemake.output.tex}; compiling")
    compile_pdf(snakemake.output.tex, snakemake.output.pdf, log)
    log(f"wrote {snakemake.output.pdf}")
