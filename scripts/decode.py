"""Rule decode: a dataset (Hub layout or a folder of image files) -> results/{dataset}/
images.npy (uint8, every image fitted to the surveyed size; memory-mappable), data.npz
(labels, class names, source, what the images were and became, fingerprint) and
skipped.tsv (images left out, with why). Decodes batch by batch into the file, or, with
shards > 1, concatenates the decoded shards."""

import numpy as np

from deepclust.io import atomic_path, concatenate_npy, save_npz, save_text
from deepclust.labels import NO_LABEL
from deepclust.runlog import job_log
from deepclust.sources.arrays import fingerprint
from deepclust.sources.decode import drop_rows, skipped_rows, skipped_table, write_fitted
from deepclust.sources.images import set_max_pixels
from deepclust.sources.open import open_source
from deepclust.sources.survey import load_survey, size_counts

settings, on_bad_image = snakemake.params.dataset, snakemake.params.on_bad_image
set_max_pixels(snakemake.params.max_image_pixels)
output = snakemake.output
with job_log(snakemake.log[0]) as log:
    source = open_source(settings, snakemake.resources.cache_dir or None, log)
    surveyed, target, decision = load_survey(snakemake.input.survey, source)
    log(f"every image becomes {decision}")
    with atomic_path(output.images) as tmp:
        if snakemake.input.shards:
            log(f"gathering {len(snakemake.input.shards)} decoded shards")
            concatenate_npy(snakemake.input.shards, tmp)
            rows = [np.load(p) for p in snakemake.input.shard_rows]
            values = np.concatenate([r["values"] for r in rows])
            failed = [(i, w) for r in rows for i, w in zip(r["failed_index"], r["failed_reason"])]
        else:
            values, failed = write_fitted(
                tmp, source, target, 0, len(source), on_bad_image, snakemake.threads, log=log
            )
        skipped = skipped_rows(surveyed, failed)
        if skipped:
            log(f"skipping {len(skipped)} images that cannot be decoded (see {output.skipped})")
            drop_rows(tmp, [i for i, _ in skipped])
    images = np.load(output.images, mmap_mode="r")
    keep = np.ones(len(source), bool)
    keep[[i for i, _ in skipped]] = False
    if not source.labelled:
        labels, class_names = np.full(len(images), NO_LABEL, dtype=np.int64), []
    else:
        labels, class_names = source.labels(values[keep])
    log(f"{len(images)} images of shape {images.shape[1:]}, {len(class_names)} classes")
    sizes = size_counts(surveyed)
    save_text(output.skipped, skipped_table(source, skipped))
    save_npz(
        output.data,
        labels=labels,
        class_names=np.array(class_names, dtype=str),
        source=np.array(settings["source"]),
        source_kind=np.array(source.kind),
        splits=np.array(settings["splits"], dtype=str),
        preprocessing=np.array(decision),
        original_sizes=np.array([[h, w, c] for h, w, _, c in sizes], dtype=np.int64),
        original_modes=np.array([m for _, _, m, _ in sizes], dtype=str),
        n_skipped=np.array(len(skipped)),
        source_rows=np.flatnonzero(keep),  # each image's row in the source (assignments.tsv)
        fingerprint=np.array(fingerprint(images, labels)),
    )
    log(f"wrote {output.images}, {output.data} and {output.skipped}")
