"""Rule embed_shard: the encoder's codes for one contiguous shard of the images (the
embed rule gathers them)."""

import numpy as np
import torch

from deepclust.data import shard_bounds
from deepclust.io import NpyWriter, atomic_path
from deepclust.model import encode_images, load_checkpoint
from deepclust.runlog import job_log

shard, shards = int(snakemake.wildcards.shard), snakemake.params.shards
with job_log(snakemake.log[0]) as log:
    torch.set_num_threads(snakemake.threads)
    model, state = load_checkpoint(snakemake.input.model)
    images = np.load(snakemake.input.data, mmap_mode="r")
    start, stop = shard_bounds(len(images), shards)[shard]
    log(f"shard {shard} of {shards}: rows {start} to {stop}")
    shape = (stop - start, state["architecture"]["latent_dim"])
    with atomic_path(snakemake.output[0]) as tmp, NpyWriter(tmp, np.float32, shape) as out:
        for codes in encode_images(model, images, state["architecture"]["scaling"], start, stop):
            if not np.isfinite(codes).all():
                raise FloatingPointError("the encoder produced NaN or inf embeddings")
            out.write(codes)
    log(f"wrote {shape[0]} codes")
