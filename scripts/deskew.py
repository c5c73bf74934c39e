"""Rule deskew: data.npz -> deskewed.npz (the same arrays, images deskewed)."""

import numpy as np

from deepclust.io import save_npz
from deepclust.preprocess import deskew, slant
from deepclust.runlog import job_log

with job_log(snakemake.log[0]) as log:
    with np.load(snakemake.input.data) as data:
        arrays = dict(data)
    images = arrays["images"]
    log(f"deskewing {len(images)} images of shape {images.shape[1:]}")
    arrays["images"] = deskew(images)
    before, after = np.abs(slant(images)), np.abs(slant(arrays["images"]))
    log(f"mean |slant| {before.mean():.3f} -> {after.mean():.3f}")
    save_npz(snakemake.output[0], **arrays)
