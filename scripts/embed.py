"""Rule embed: the encoder's codes for every image -> embeddings.npy (float32 N x latent),
encoded chunk by chunk from the memory-mapped images, or, with shards > 1, the shards'
codes concatenated (byte-identical either way)."""

import numpy as np
import torch

from deepclust.io import NpyWriter, atomic_path, concatenate_npy
from deepclust.model import encode_images, load_checkpoint
from deepclust.runlog import job_log

with job_log(snakemake.log[0]) as log:
    if snakemake.input.shards:
        log(f"gathering {len(snakemake.input.shards)} embedded shards")
        concatenate_npy(snakemake.input.shards, snakemake.output[0])
    else:
        torch.set_num_threads(snakemake.threads)
        model, state = load_checkpoint(snakemake.input.model)
        images = np.load(snakemake.input.data, mmap_mode="r")
        shape = (len(images), state["architecture"]["latent_dim"])
        with atomic_path(snakemake.output[0]) as tmp, NpyWriter(tmp, np.float32, shape) as out:
            for codes in encode_images(model, images, state["architecture"]["scaling"]):
                if not np.isfinite(codes).all():
                    raise FloatingPointError("the encoder produced NaN or inf embeddings")
                out.write(codes)
    embeddings = np.load(snakemake.output[0], mmap_mode="r")
    log(f"wrote embeddings {embeddings.shape} {embeddings.dtype}")
