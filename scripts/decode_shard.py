"""Rule decode_shard: one contiguous shard of a Hub-layout dataset -> its images.npy and
raw label values (the download rule gathers the shards and maps labels to class ids)."""

import numpy as np

from deepclust.data import NO_LABEL, class_ids, open_configured, shard_bounds, write_images
from deepclust.io import atomic_path, save_npy
from deepclust.runlog import job_log

settings = snakemake.params.dataset
shard, shards = int(snakemake.wildcards.shard), snakemake.params.shards
with job_log(snakemake.log[0]) as log:
    parts = open_configured(
        settings, snakemake.config["datasets"][snakemake.wildcards.dataset]["cache_dir"]
    )
    start, stop = shard_bounds(sum(len(split) for _, split in parts), shards)[shard]
    log(f"shard {shard} of {shards}: rows {start} to {stop}")
    with atomic_path(snakemake.output.images) as tmp:
        values = write_images(
            tmp,
            parts,
            settings["image_column"],
            settings["label_column"],
            start,
            stop,
            n_jobs=snakemake.threads,
            log=log,
        )
    if values is None:
        values = np.full(stop - start, NO_LABEL, dtype=np.int64)
    elif values.dtype.kind == "O":
        class_ids(values, None, settings["label_column"])  # names empty labels, in this shard
        values = values.astype(str)
    save_npy(snakemake.output.labels, values)
    log(f"wrote {stop - start} images")
