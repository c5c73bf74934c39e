"""Rule survey: every image's size and mode from its header, and the size and channels they
are all fitted to (preprocessing.size, channels, fit) -> results/{dataset}/survey.npz."""

import numpy as np

from deepclust.data import check_enough_images, images_needed
from deepclust.io import save_npz
from deepclust.runlog import job_log
from deepclust.sources import choose_target, open_source, size_counts, survey

settings, preprocessing = snakemake.params.dataset, snakemake.params.preprocessing
with job_log(snakemake.log[0]) as log:
    cache_dir = snakemake.config["datasets"][snakemake.wildcards.dataset]["cache_dir"]
    source = open_source(settings, cache_dir, log)
    surveyed = survey(source, preprocessing["on_bad_image"], snakemake.threads, log=log)
    sizes = size_counts(surveyed)
    shown = ", ".join(f"{c} {h}x{w} {m}" for h, w, m, c in sizes[:8])
    log(f"{len(sizes)} kinds of image (size, mode): {shown}{', ...' if len(sizes) > 8 else ''}")
    if len(surveyed["bad_index"]):
        log(f"{len(surveyed['bad_index'])} images cannot be read; they will be skipped")
    needs = images_needed(snakemake.config["algorithms"], snakemake.config["tsne"])
    n_readable = len(source) - len(surveyed["bad_index"])
    check_enough_images(n_readable, needs, snakemake.wildcards.dataset)
    target, decision = choose_target(surveyed, preprocessing)
    log(f"every image becomes {decision}")
    save_npz(
        snakemake.output[0],
        **surveyed,
        target=np.array([target.height, target.width, target.channels]),
        fit=np.array(target.fit),
        decision=np.array(decision),
    )
