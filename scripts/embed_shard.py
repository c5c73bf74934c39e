"""Rule embed_shard: the encoder's codes for one contiguous shard of the images (the
embed rule gathers them)."""

import numpy as np
import torch

from deepclust.encoders.run import load_state, write_rows
from deepclust.model import load_checkpoint, write_codes
from deepclust.runlog import job_log
from deepclust.sources.arrays import shard_bounds

shard, shards = int(snakemake.wildcards.shard), snakemake.params.shards
name = snakemake.params.encoder
with job_log(snakemake.log[0]) as log:
    torch.set_num_threads(snakemake.threads)
    images = np.load(snakemake.input.data, mmap_mode="r")
    start, stop = shard_bounds(len(images), shards)[shard]
    log(f"shard {shard} of {shards}: rows {start} to {stop} ({name})")
    if name == "autoencoder":
        model, state = load_checkpoint(snakemake.input.model)
        write_codes(snakemake.output[0], model, state, images, start, stop)
    else:
        state = load_state(snakemake.input.state)
        params = snakemake.params.encoders
        checkpoint = snakemake.input.model or None
        write_rows(snakemake.output[0], name, state, images, params, start, stop, checkpoint)
    log(f"wrote {stop - start} codes")
