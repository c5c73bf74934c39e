"""Rule plot_gallery: the images of each cluster of one clustering, most and least typical."""

import json
from pathlib import Path

import numpy as np

from deepclust.gallery import class_agreement, cluster_members, plot_gallery, row_label
from deepclust.io import save_figure
from deepclust.labels import NOISE
from deepclust.runlog import job_log

settings = snakemake.params.gallery
seed = snakemake.params.seed
with job_log(snakemake.log[0]) as log:
    data = np.load(snakemake.input.data)
    true, class_names = data["labels"], [str(c) for c in data["class_names"]]
    images = np.load(snakemake.input.images, mmap_mode="r")
    x, pred = np.load(snakemake.input.embeddings), np.load(snakemake.input.labels)
    rows = cluster_members(x, pred, settings["typical"], settings["atypical"], seed)
    agreement = class_agreement(true, pred)
    stability = {}  # per cluster, with two or more seeds: how well the other seeds find it
    if snakemake.input.stability:
        record = json.loads(Path(snakemake.input.stability).read_text())["stability"]
        of = snakemake.params.stability_of
        stability = (
            record["consensus_cluster_stability"]
            if of == "consensus"
            else record["cluster_stability"][of]
        )
    texts = [row_label(row, len(pred), agreement, class_names, stability) for row in rows]
    where = snakemake.params.where
    fig = plot_gallery(images, rows, f"{where}: images per cluster", texts, settings["rows"])
    save_figure(snakemake.output[0], fig, dpi=120)
    log(
        f"{len(rows)} rows ({sum(r['cluster'] != NOISE for r in rows)} clusters), "
        f"at most {settings['rows']} clusters shown"
    )
