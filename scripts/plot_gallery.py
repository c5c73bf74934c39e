"""Rule plot_gallery: the images of each cluster of one clustering, most and least typical."""

import numpy as np

from deepclust.gallery import class_agreement, cluster_members, plot_gallery, row_label
from deepclust.io import save_figure
from deepclust.labels import NOISE
from deepclust.runlog import job_log

settings = snakemake.params.gallery
seed = int(snakemake.wildcards.seed)
with job_log(snakemake.log[0]) as log:
    data = np.load(snakemake.input.data)
    true, class_names = data["labels"], [str(c) for c in data["class_names"]]
    images = np.load(snakemake.input.images, mmap_mode="r")
    x, pred = np.load(snakemake.input.embeddings), np.load(snakemake.input.labels)
    rows = cluster_members(x, pred, settings["typical"], settings["atypical"], seed)
    agreement = class_agreement(true, pred)
    texts = [row_label(row, len(pred), agreement, class_names) for row in rows]
    where = f"{snakemake.wildcards.dataset}, seed {seed}, {snakemake.wildcards.algorithm}"
    fig = plot_gallery(images, rows, f"{where}: images per cluster", texts, settings["rows"])
    save_figure(snakemake.output[0], fig, dpi=120)
    log(
        f"{len(rows)} rows ({sum(r['cluster'] != NOISE for r in rows)} clusters), "
        f"at most {settings['rows']} clusters shown"
    )
