"""Rule download: a Hub-layout dataset -> results/{dataset}/images.npy (uint8, memory-
mappable) and data.npz (labels, class names, source, fingerprint). Decodes batch by
batch into the file, or, with shards > 1, concatenates the decoded shards."""

import numpy as np

from deepclust.data import (
    NO_LABEL,
    check_enough_images,
    fingerprint,
    images_needed,
    label_ids,
    open_configured,
    write_images,
)
from deepclust.io import atomic_path, concatenate_npy, save_npz
from deepclust.runlog import job_log

settings = snakemake.params.dataset
shards = snakemake.input.shards
with job_log(snakemake.log[0]) as log:
    log(f"loading {settings['source']} splits {settings['splits']} (limit {settings['limit']})")
    parts = open_configured(
        settings, snakemake.config["datasets"][snakemake.wildcards.dataset]["cache_dir"]
    )
    n_rows = sum(len(split) for _, split in parts)
    needs = images_needed(snakemake.config["algorithms"], snakemake.config["tsne"])
    check_enough_images(n_rows, needs, snakemake.wildcards.dataset)
    if shards:
        log(f"gathering {len(shards)} decoded shards")
        concatenate_npy(shards, snakemake.output.images)
        values = np.concatenate([np.load(p) for p in snakemake.input.shard_labels])
    else:
        with atomic_path(snakemake.output.images) as tmp:
            values = write_images(
                tmp,
                parts,
                settings["image_column"],
                settings["label_column"],
                0,
                n_rows,
                n_jobs=snakemake.threads,
                log=log,
            )
    images = np.load(snakemake.output.images, mmap_mode="r")
    if settings["label_column"] is None:
        labels, class_names = np.full(len(images), NO_LABEL, dtype=np.int64), []
    else:
        labels, class_names = label_ids(values, parts, settings["label_column"])
    log(f"{len(images)} images of shape {images.shape[1:]}, {len(class_names)} classes")
    save_npz(
        snakemake.output.data,
        labels=labels,
        class_names=np.array(class_names, dtype=str),
        source=np.array(settings["source"]),
        splits=np.array(settings["splits"], dtype=str),
        fingerprint=np.array(fingerprint(images, labels)),
    )
    log(f"wrote {snakemake.output.images} and {snakemake.output.data}")
