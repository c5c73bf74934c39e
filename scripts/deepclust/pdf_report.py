"""The PDF report's content: the context its template (workflow/templates/pdf_report.tex.jinja)
reads, one builder per section, from the loaded results. The wording lives in the template;
the builders put in each section the tables and sentences of deepclust.pdf_tables.
deepclust.latex renders it, deepclust.compile_tex compiles it.
"""

import os

import numpy as np

from . import diagnostics
from .latex import Tex, fmt, tabular, tex_escape
from .latex import render as render_latex
from .names import consensus_of, self_trained
from .names import title as clustering_title
from .pdf_tables import (
    comparison,
    exactness,
    metrics_table,
    missing_scores,
    params_text,
    summary_table,
    versions_table,
)


def _check_runs(name, kind, records, seeds):
    """``records`` (loaded JSONs, one per seed) belong to clustering ``name`` and to
    ``seeds`` in that order: the report never relies on the order of its inputs alone."""
    for record, seed in zip(records, seeds, strict=True):
        found = (
            record["algorithm"],
            record["seed"] if kind == "run" else record["provenance"]["seed"],
        )
        if found != (name, seed):
            raise ValueError(f"{kind} of {name}, seed {seed}: the file holds {found}")


def agreement_context(consensus, metrics, titles, figures):
    """The report's section on how far the seeds agree, and their consensus clusterings.

    ``consensus``: ``{clustering: metrics.json of the consensus of its seeds}`` (its
    ``stability`` record, see deepclust.stability.seed_agreement); ``metrics``: ``{clustering:
    [metrics.json per seed]}``; ``figures``: ``{clustering: {"tsne", "gallery"}}`` paths.
    ``None`` with a single seed.
    """
    if not consensus:
        return None

    rows, drawn = [], []
    for name, m in consensus.items():
        record = m["stability"]
        rows.append(_agreement_row(titles[name], m, metrics[name]))
        stabilities = list(record["consensus_cluster_stability"].values())
        drawn.append(
            {
                "title": titles[consensus_of(name)],
                "tsne": figures[name]["tsne"],
                "gallery": figures[name]["gallery"],
                "least_stable": min(stabilities) if stabilities else None,
            }
        )
    header = ["clustering", "ARI", "NMI", "unanimous", "reference", "clusters"]
    if len(rows[0]) > len(header):
        header += ["ACC (seeds)", "NMI (seeds)"]
    # the label-free pick: the clustering whose seeds agree most (as printed; ties to the first)
    agreement = {name: round(m["stability"]["mean_ari"], 3) for name, m in consensus.items()}
    most = max(agreement, key=agreement.get)
    return {
        "table": Tex(tabular(header, rows)),
        "figures": drawn,
        "most_stable": {"title": titles[most], "ari": agreement[most]},
        "method": consensus[most]["stability"].get("method", "vote"),
    }


def _agreement_row(title, m, seeds):
    """One row of the seeds' agreement table: ``m`` the consensus's metrics.json, ``seeds``
    the metrics.json of each seed (their mean scores follow the consensus's in brackets)."""

    def mean(key):
        values = [s.get(key) for s in seeds]
        return None if any(v is None for v in values) else float(np.mean(values))

    record = m["stability"]
    cells = [
        tex_escape(title),
        fmt(record["mean_ari"], "{:.3f}"),
        fmt(record["mean_nmi"], "{:.3f}"),
        fmt(record["unanimous_fraction"], "{:.1%}"),
        str(record["reference_seed"]),
        str(m["n_clusters"]),
    ]
    if m.get("accuracy") is not None:
        cells += [f"{fmt(m[k], '{:.3f}')} ({fmt(mean(k), '{:.3f}')})" for k in ("accuracy", "nmi")]
    return cells


def original_images(sizes, modes):
    """What the images were, in words: ``sizes`` rows ``(height, width, images)`` and their
    ``modes`` (data.npz ``original_sizes``/``original_modes``), most common first."""
    sizes = np.asarray(sizes, dtype=np.int64).reshape(-1, 3)
    n = int(sizes[:, 2].sum())
    shapes = {(int(h), int(w)) for h, w, _ in sizes}
    if len(shapes) == 1:
        ((h, w),) = shapes
        text = f"all {n:,} of {h}x{w} pixels"
    else:
        h, w = sizes[:, 0], sizes[:, 1]
        text = (
            f"{n:,} of {len(shapes):,} sizes, {h.min()} to {h.max()} pixels high and "
            f"{w.min()} to {w.max()} wide (most common {sizes[0, 0]}x{sizes[0, 1]}, "
            f"{sizes[0, 2]:,} images)"
        )
    counts = {}
    for (_, _, c), mode in zip(sizes, modes):
        counts[mode] = counts.get(mode, 0) + int(c)
    by_mode = ", ".join(f"{c:,} {m}" for m, c in sorted(counts.items(), key=lambda x: -x[1]))
    return f"{text}; Pillow modes {by_mode}"


def report_context(
    dataset,
    seeds,
    training,
    metrics,
    runs,
    summary_rows,
    settings,
    figures,
    record,
    consensus,
    algorithm_titles,
):
    """Everything workflow/templates/pdf_report.tex.jinja reads, from the loaded results.

    ``dataset``: name, source, splits, class_names, fingerprint and ``shape`` of the image
    array; ``seeds``: config order; ``training``: the training.json of each seed;
    ``metrics``/``runs``: ``{clustering: [metrics.json / run.json of each seed]}`` (in the
    order to report); ``summary_rows``: summary.read_tsv rows; ``settings``: the config
    sections autoencoder, self_training, evaluation, tsne and gallery, and ``deskew``;
    ``figures``: paths relative to the report, ``loss_curve``, ``thumbnail_map``, ``explorer``
    (the page, named in the text), and
    ``{clustering: path}`` per ``tsne`` (plus ``labels`` if any), ``confusion`` and ``gallery``,
    and ``diagnostics``: ``[(figure, algorithm, path)]``, and ``consensus``: ``{clustering:
    {"tsne", "gallery"}}``; ``record``: provenance() of the report job; ``consensus``:
    ``{clustering: metrics.json of the consensus of its seeds}`` (empty with one seed);
    ``algorithm_titles``: ``{algorithm: display name}`` from the registry. Figures are of
    the first seed.
    """
    # long because: the one list of every key the template reads, one line per section
    for name in metrics:
        _check_runs(name, "metrics", metrics[name], seeds)
        _check_runs(name, "run", runs[name], seeds)
    names = list(metrics)
    titles = {
        name: clustering_title(name, algorithm_titles)
        for name in [*names, *map(consensus_of, names)]
    }
    first = {name: metrics[name][0] for name in names}
    labelled = bool(dataset["class_names"])
    return {
        "settings_sha256": record["settings_sha256"],
        "dataset": dataset_section(dataset, settings["deskew"]),
        "labelled": labelled,
        "seeds": list(seeds),
        "autoencoder": autoencoder_section(training[0], settings["autoencoder"]),
        "loss_curve": figures["loss_curve"],
        "evaluation": settings["evaluation"],
        "self_training": self_training_section(settings, seeds, metrics, runs, titles),
        **scores_section(metrics, seeds, titles, labelled),
        "summary_rows": summary_rows,
        "summary_estimated": any(
            r["silhouette_estimated"] and r["silhouette_mean"] is not None for r in summary_rows
        ),
        "titles": titles,
        "confusion_figures": [(figures["confusion"][name], titles[name]) for name in names],
        "diagnostics": diagnostics_section(figures["diagnostics"], first, titles),
        "tsne": tsne_section(settings["tsne"], figures, names),
        "gallery": gallery_section(settings, figures, first, titles, dataset["shape"][0]),
        "agreement": agreement_context(consensus, metrics, titles, figures["consensus"]),
        "provenance": record,
        "versions": Tex(
            versions_table(
                {
                    "training": training,
                    "clustering": [r for name in names for r in runs[name]],
                    "evaluation": [m for name in names for m in metrics[name]],
                }
            )
        ),
    }


def dataset_section(dataset, deskewed):
    """What the images are: source, size, classes, fingerprint, what was done to them."""
    shape = dataset["shape"]
    return {
        "name": dataset["name"],
        "source": dataset["source"],
        "splits": list(dataset["splits"]),
        "n_images": shape[0],
        "image_shape": "x".join(map(str, shape[1:3])),
        "rgb": len(shape) == 4,
        "n_classes": len(dataset["class_names"]),
        "fingerprint": dataset["fingerprint"],
        "deskewed": deskewed,
        "folder": dataset["kind"] == "folder",
        "original": original_images(dataset["original_sizes"], dataset["original_modes"]),
        "preprocessing": dataset["preprocessing"],
        "n_skipped": dataset["n_skipped"],
    }


def autoencoder_section(training, autoencoder):
    """The autoencoder as trained for the first seed (``training``: its training.json)."""
    architecture = training["architecture"]
    return {
        "sizes": [architecture["input_dim"], *architecture["hidden"], architecture["latent_dim"]],
        "symmetric": autoencoder["scaling"] == "symmetric",
        "learning_rate": autoencoder["learning_rate"],
        "batch_size": autoencoder["batch_size"],
        "epochs": training["epochs_run"],
        "device": training["device"],
        "final_loss": training["final_loss"],
        "seconds": training["seconds"],
    }


def self_training_section(settings, seeds, metrics, runs, titles):
    """Self-training's settings, and the seeds whose guard kept the base's labels (with
    why); ``None`` when self-training is off."""
    if not settings["self_training"]["enabled"]:
        return None
    base = settings["self_training"]["base"]
    name = self_trained(base)
    return settings["self_training"] | {
        "base_title": titles[base],
        "title": titles[name],
        "epochs_run": runs[name][0]["params"]["epochs_run"],
        "kept": [
            (seed, ", ".join(m["guard"]["reasons"]))
            for seed, m in zip(seeds, metrics[name])
            if m["guard"]["kept_base"]
        ],
    }


def scores_section(metrics, seeds, titles, labelled):
    """The scores table's rows (every seed), the parameters used, the comparison of the
    clusterings, and what was estimated or is missing."""
    names = list(metrics)
    first = {name: metrics[name][0] for name in names}
    rows = [
        (titles[name] + (f" (seed {seed})" if len(seeds) > 1 else ""), metrics[name][i])
        for i, seed in enumerate(seeds)
        for name in names
    ]
    return {
        "metric_rows": rows,
        "parameters": [(titles[name], params_text(first[name]["params"])) for name in names],
        "comparison": comparison(first, titles) if names else None,
        "exactness": exactness(rows),
        "missing_scores": missing_scores(rows, labelled),
    }


def diagnostics_section(drawn, first, titles):
    """Each diagnostic figure's introduction, caption and path (``drawn``:
    ``[(figure, algorithm, path)]``; ``first``: the first seed's metrics per clustering)."""
    section = []
    for figure, algorithm, path in drawn:
        used = first[algorithm]["params"]
        intro, caption = diagnostics.FIGURES[figure].describe(titles[algorithm], used)
        section.append({"intro": intro, "caption": caption, "path": path})
    return section


def tsne_section(tsne, figures, names):
    """The t-SNE settings, its maps (one per clustering, plus the labels' if any) and the
    explorer page's name."""
    return {
        "perplexity": tsne["perplexity"],
        "n_samples": tsne["n_samples"],
        "figures": [(figures["tsne"][c], c) for c in [*names, "labels"] if c in figures["tsne"]],
        "explorer": os.path.basename(figures["explorer"]),
    }


def gallery_section(settings, figures, first, titles, n_images):
    """The thumbnail map and each clustering's gallery (rows hidden past ``gallery.rows``)."""
    gallery = settings["gallery"]
    return {
        "map_thumbnails": min(gallery["map_thumbnails"], settings["tsne"]["n_samples"], n_images),
        "thumbnail_map": figures["thumbnail_map"],
        "typical": gallery["typical"],
        "atypical": gallery["atypical"],
        "figures": [
            {
                "title": titles[name],
                "path": figures["gallery"][name],
                "hidden": max(m["n_clusters"] - gallery["rows"], 0),
                "noise": m["noise_fraction"] > 0,
            }
            for name, m in first.items()
        ],
    }


def render(template, ctx):
    """``report.tex`` text: the template at path ``template`` filled with ``ctx``
    (:func:`report_context`)."""
    return render_latex(
        template, ctx, {"metrics_table": metrics_table, "summary_table": summary_table}
    )
