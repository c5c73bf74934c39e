"""Rule deskew: images.npy -> deskewed.npy (same shape and dtype), chunk by chunk."""

import numpy as np

from deepclust.io import NpyWriter, atomic_path
from deepclust.preprocess import deskew, slant
from deepclust.runlog import job_log

CHUNK = 65536  # images per step; memory stays O(chunk)
with job_log(snakemake.log[0]) as log:
    images = np.load(snakemake.input.images, mmap_mode="r")
    log(f"deskewing {len(images)} images of shape {images.shape[1:]}")
    before = after = 0.0
    with atomic_path(snakemake.output[0]) as tmp, NpyWriter(tmp, np.uint8, images.shape) as out:
        for start in range(0, len(images), CHUNK):
            chunk = np.asarray(images[start : start + CHUNK])
            straight = deskew(chunk)
            before += np.abs(slant(chunk)).sum()
            after += np.abs(slant(straight)).sum()
            out.write(straight)
            log(f"deskewed {start + len(chunk)} of {len(images)} images")
    log(f"mean |slant| {before / len(images):.3f} -> {after / len(images):.3f}")
