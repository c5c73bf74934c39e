"""Rule survey: every image's size and mode from its header, and the size and channels they
are all fitted to (preprocessing.size, channels, fit) -> results/{dataset}/survey.npz.
A dataset with assign_to takes the target of the dataset it follows. The workflow then
checks that enough images are readable for the enabled steps."""

from pathlib import Path

import numpy as np

from deepclust.io import save_npz
from deepclust.runlog import job_log
from deepclust.sources.images import set_max_pixels
from deepclust.sources.open import open_source
from deepclust.sources.survey import choose_target, followed_target, size_counts, survey

settings, preprocessing = snakemake.params.dataset, snakemake.params.preprocessing
set_max_pixels(preprocessing["max_image_pixels"])
with job_log(snakemake.log[0]) as log:
    source = open_source(settings, snakemake.resources.cache_dir or None, log)
    surveyed = survey(source, preprocessing["on_bad_image"], snakemake.threads, log=log)
    sizes = size_counts(surveyed)
    shown = ", ".join(f"{c} {h}x{w} {m}" for h, w, m, c in sizes[:8])
    log(f"{len(sizes)} kinds of image (size, mode): {shown}{', ...' if len(sizes) > 8 else ''}")
    if len(surveyed["bad_index"]):
        log(f"{len(surveyed['bad_index'])} images cannot be read; they will be skipped")
    if snakemake.input.followed:  # a follower: fitted as the dataset it follows
        followed = snakemake.input.followed  # results/<followed>/survey.npz
        target, decision = followed_target(followed, Path(followed).parent.name)
    else:
        target, decision = choose_target(surveyed, preprocessing)
    log(f"every image becomes {decision}")
    save_npz(
        snakemake.output[0],
        **surveyed,
        target=np.array([target.height, target.width, target.channels]),
        fit=np.array(target.fit),
        decision=np.array(decision),
    )
