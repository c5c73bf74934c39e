"""Rule download: a Hub-layout dataset -> results/{dataset}/data.npz."""

import numpy as np

from deepclust.data import check_enough_images, fingerprint, images_needed, load_image_dataset
from deepclust.io import save_npz
from deepclust.runlog import job_log

settings = snakemake.params.dataset
with job_log(snakemake.log[0]) as log:
    log(f"loading {settings['source']} splits {settings['splits']} (limit {settings['limit']})")
    images, labels, class_names = load_image_dataset(
        settings["source"],
        settings["splits"],
        settings["image_column"],
        settings["label_column"],
        settings["limit"],
        cache_dir=snakemake.config["datasets"][snakemake.wildcards.dataset]["cache_dir"],
        n_jobs=snakemake.threads,
    )
    log(f"decoded {len(images)} images of shape {images.shape[1:]}, {len(class_names)} classes")
    needs = images_needed(snakemake.config["algorithms"], snakemake.config["tsne"])
    check_enough_images(len(images), needs, snakemake.wildcards.dataset)
    save_npz(
        snakemake.output[0],
        images=images,
        labels=labels,
        class_names=np.array(class_names, dtype=str),
        source=np.array(settings["source"]),
        splits=np.array(settings["splits"], dtype=str),
        fingerprint=np.array(fingerprint(images, labels)),
    )
    log(f"wrote {snakemake.output[0]}")
