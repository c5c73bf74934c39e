"""Rule assign_self_trained: a follower's images + the followed run's self-training CNN
(model.pt) -> each new image's cluster and whether the CNN is unsure of it; where the
followed run's guard kept its base's labels, the base's placement."""

import shutil

import numpy as np
import torch

from deepclust.io import save_npz
from deepclust.runlog import job_log
from deepclust.selftrain import classify

with job_log(snakemake.log[0]) as log:
    torch.set_num_threads(snakemake.threads)
    saved = torch.load(snakemake.input.model)
    if saved["kept_base"]:
        log("the followed run kept its base's labels (guard): taking the base's placement")
        shutil.copyfile(snakemake.input.base, snakemake.output[0])
    else:
        images = np.load(snakemake.input.images, mmap_mode="r")
        labels, far = classify(saved, images)
        log(f"{len(images)} images relabelled, {np.mean(far):.1%} below the confidence floor")
        save_npz(snakemake.output[0], labels=labels, far=far)
