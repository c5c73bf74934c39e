"""Rule map: the 2-D map of every image up to map.limit (a seeded sample above it), openTSNE
(deepclust.map2d) -> results/{dataset}/seed{seed}/map/coordinates.npz (indices, coords)."""

import numpy as np
from threadpoolctl import threadpool_limits

from deepclust.io import save_npz
from deepclust.map2d import tsne_map
from deepclust.runlog import job_log

settings = snakemake.params.map
seed = int(snakemake.wildcards.seed)
with job_log(snakemake.log[0]) as log, threadpool_limits(snakemake.threads):
    x = np.load(snakemake.input.embeddings, mmap_mode="r")
    shown = "all" if len(x) <= settings["limit"] else f"a seeded sample of {settings['limit']} of"
    log(f"openTSNE map of {shown} {len(x)} embeddings, seed {seed}, {snakemake.threads} threads")
    indices, coords = tsne_map(
        x, settings["limit"], seed, settings["perplexity"], snakemake.threads
    )
    save_npz(snakemake.output[0], indices=indices, coords=coords)
    log("done")
