"""Rule embed_shard: the encoder's codes for one contiguous shard of the images (the
embed rule gathers them)."""

import numpy as np
import torch

from deepclust.model import load_checkpoint, write_codes
from deepclust.runlog import job_log
from deepclust.sources.arrays import shard_bounds

shard, shards = int(snakemake.wildcards.shard), snakemake.params.shards
with job_log(snakemake.log[0]) as log:
    torch.set_num_threads(snakemake.threads)
    model, state = load_checkpoint(snakemake.input.model)
    images = np.load(snakemake.input.data, mmap_mode="r")
    start, stop = shard_bounds(len(images), shards)[shard]
    log(f"shard {shard} of {shards}: rows {start} to {stop}")
    write_codes(snakemake.output[0], model, state, images, start, stop)
    log(f"wrote {stop - start} codes")
