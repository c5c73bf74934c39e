"""Rule tsne: 2-D t-SNE coordinates of a seeded random subset of the embeddings."""

import numpy as np
from threadpoolctl import threadpool_limits

from deepclust.figures import tsne_coordinates
from deepclust.io import save_npz
from deepclust.runlog import job_log

settings = snakemake.params.tsne
seed = int(snakemake.wildcards.seed)
with job_log(snakemake.log[0]) as log, threadpool_limits(snakemake.threads):
    x = np.load(snakemake.input.embeddings)
    if settings["n_samples"] > len(x):
        log(
            f"note: tsne.n_samples ({settings['n_samples']}) is larger than the dataset "
            f"({len(x)} images); t-SNE uses all {len(x)}"
        )
    log(f"t-SNE of {min(settings['n_samples'], len(x))} of {len(x)} embeddings, seed {seed}")
    indices, coords = tsne_coordinates(x, settings["n_samples"], seed, settings["perplexity"])
    save_npz(snakemake.output[0], indices=indices, coords=coords)
    log("done")
