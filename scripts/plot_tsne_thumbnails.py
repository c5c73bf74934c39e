"""Rule plot_tsne_thumbnails: the t-SNE map with a spread-out subset drawn as images."""

import numpy as np

from deepclust.gallery import plot_thumbnail_map, spread_subset
from deepclust.io import save_figure
from deepclust.runlog import job_log

seed = int(snakemake.wildcards.seed)
with job_log(snakemake.log[0]) as log:
    tsne = np.load(snakemake.input.coordinates)
    images = np.load(snakemake.input.images, mmap_mode="r")[tsne["indices"]]
    chosen = spread_subset(tsne["coords"], snakemake.params.map_thumbnails, seed)
    where = f"{snakemake.wildcards.dataset}, seed {seed}"
    title = f"{where}: t-SNE map, {len(chosen)} of {len(images)} points drawn as their image"
    save_figure(
        snakemake.output[0], plot_thumbnail_map(tsne["coords"], images, chosen, title), dpi=150
    )
    log(f"{len(chosen)} thumbnails on {len(images)} points")
