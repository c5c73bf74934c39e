"""Rule decode_shard: one contiguous shard of a dataset, each image fitted to the surveyed
size -> its images.npy, raw label values and the rows that failed (the decode rule
gathers the shards, drops failed rows and maps labels to class ids)."""

import numpy as np

from deepclust.io import atomic_path, save_npz
from deepclust.labels import NO_LABEL
from deepclust.runlog import job_log
from deepclust.sources.arrays import class_ids, shard_bounds
from deepclust.sources.decode import write_fitted
from deepclust.sources.open import open_source
from deepclust.sources.survey import load_survey

settings, on_bad_image = snakemake.params.dataset, snakemake.params.on_bad_image
shard, shards = int(snakemake.wildcards.shard), snakemake.params.shards
with job_log(snakemake.log[0]) as log:
    source = open_source(settings, snakemake.resources.cache_dir or None, log)
    _, target, decision = load_survey(snakemake.input.survey, source)
    start, stop = shard_bounds(len(source), shards)[shard]
    log(f"shard {shard} of {shards}: rows {start} to {stop}; every image becomes {decision}")
    with atomic_path(snakemake.output.images) as tmp:
        values, failed = write_fitted(
            tmp, source, target, start, stop, on_bad_image, snakemake.threads, log=log
        )
    if values is None:
        values = np.full(stop - start, NO_LABEL, dtype=np.int64)
    elif values.dtype.kind in "OU":
        class_ids(values, None, settings["label_column"])  # names empty labels, in this shard
        values = values.astype(str)
    save_npz(
        snakemake.output.rows,
        values=values,
        failed_index=np.array([i for i, _ in failed], dtype=np.int64),
        failed_reason=np.array([why for _, why in failed], dtype=str),
    )
    log(f"wrote {stop - start} images ({len(failed)} failed)")
