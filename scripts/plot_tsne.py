"""Rule plot_tsne: the t-SNE map coloured by one clustering or by the true labels."""

import numpy as np

from deepclust.figures import plot_clusters
from deepclust.io import save_figure
from deepclust.labels import NO_LABEL
from deepclust.runlog import job_log

colouring = snakemake.wildcards.colouring
with job_log(snakemake.log[0]) as log:
    tsne = np.load(snakemake.input.coordinates)
    data = np.load(snakemake.input.data)
    where = snakemake.params.where
    if colouring == "labels":
        labels, names = data["labels"][tsne["indices"]], list(data["class_names"])
        title, legend = f"{where}: t-SNE coloured by true label", "label"
        if (labels == NO_LABEL).all():  # drawn only if asked for: one colour, never "noise"
            labels, names = np.zeros_like(labels), ["no label"]
            title = f"{where}: t-SNE (dataset has no labels)"
    else:
        labels, names = np.load(snakemake.input.labels[0])[tsne["indices"]], None
        title, legend = f"{where}: t-SNE coloured by {colouring} cluster", "cluster"
    fig = plot_clusters(tsne["coords"], labels, title, legend, names)
    save_figure(snakemake.output[0], fig, dpi=120)
    log(f"plotted {len(labels)} points")
