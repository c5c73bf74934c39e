"""Rule embed: the encoder's codes for every image -> embeddings.npy (float32 N x width),
encoded chunk by chunk from the memory-mapped images, or, with shards > 1, the shards'
codes concatenated (byte-identical either way)."""

import numpy as np
import torch

from deepclust.encoders.run import load_state, write_rows
from deepclust.io import concatenate_npy
from deepclust.model import load_checkpoint, write_codes
from deepclust.runlog import job_log

name = snakemake.params.encoder
with job_log(snakemake.log[0]) as log:
    if snakemake.input.shards:
        log(f"gathering {len(snakemake.input.shards)} embedded shards")
        concatenate_npy(snakemake.input.shards, snakemake.output[0])
    elif name == "autoencoder":
        torch.set_num_threads(snakemake.threads)
        model, state = load_checkpoint(snakemake.input.model)
        write_codes(snakemake.output[0], model, state, np.load(snakemake.input.data, mmap_mode="r"))
    else:
        torch.set_num_threads(snakemake.threads)
        images = np.load(snakemake.input.data, mmap_mode="r")
        state = load_state(snakemake.input.state)
        params, checkpoint = snakemake.params.encoders, snakemake.input.model or None
        write_rows(snakemake.output[0], name, state, images, params, checkpoint=checkpoint)
    embeddings = np.load(snakemake.output[0], mmap_mode="r")
    log(f"wrote embeddings {embeddings.shape} {embeddings.dtype} ({name})")
