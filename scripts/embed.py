"""Rule embed: the encoder's codes for every image -> embeddings.npy (float32 N x latent)."""

import numpy as np
import torch

from deepclust.io import save_npy
from deepclust.model import encode, load_checkpoint, scale_images
from deepclust.runlog import job_log

with job_log(snakemake.log[0]) as log:
    torch.set_num_threads(snakemake.threads)
    model, state = load_checkpoint(snakemake.input.model)
    x = scale_images(np.load(snakemake.input.data)["images"], state["architecture"]["scaling"])
    embeddings = encode(model, x)
    if not np.isfinite(embeddings).all():
        raise FloatingPointError("the encoder produced NaN or inf embeddings")
    save_npy(snakemake.output[0], embeddings)
    log(f"wrote embeddings {embeddings.shape} {embeddings.dtype}")
