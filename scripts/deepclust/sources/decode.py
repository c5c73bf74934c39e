"""Streaming a source's images, each fitted to one size, into an ``.npy`` file, and what
was left out; and a whole small dataset in memory (load_image_dataset)."""

import os

import numpy as np

from ..io import NpyWriter
from ..labels import NO_LABEL
from .errors import DatasetError
from .images import ImageError, Target, fitted
from .open import open_source
from .survey import Workers, check_bad, size_counts, survey


def _fit_chunk(items, offset, target):
    out = np.zeros((len(items), *target.shape), dtype=np.uint8)
    bad = []
    for i, item in enumerate(items):
        try:
            out[i] = fitted(item, target)
        except ImageError as err:
            bad.append((offset + i, str(err)))
    return out, bad


def write_fitted(
    path, source, target, start, stop, on_bad_image, n_jobs=1, batch_rows=20_000, log=print
):
    """Decode rows ``[start, stop)`` of ``source``, each fitted to ``target``, straight into
    the ``.npy`` file ``path`` batch by batch (memory: one batch, whatever the size).

    Returns ``(raw label values or None, [(row, reason)] of images that failed)``; a failed
    image's row is left black (the decode rule drops it) unless ``on_bad_image`` is
    ``error``, when DatasetError names it.
    """
    values, bad = [], []
    with (
        NpyWriter(path, np.uint8, (stop - start, *target.shape)) as out,
        Workers(n_jobs, stop - start) as workers,
    ):
        for a in range(start, stop, batch_rows):
            b = min(a + batch_rows, stop)
            parts = workers.map_chunks(_fit_chunk, source.items(a, b), target)
            for images, failed in parts:
                out.write(images)
                bad += [(a + i, why) for i, why in failed]
            check_bad(bad, source, on_bad_image)
            raw = source.label_values(a, b)
            if raw is not None:
                values.append(raw)
            log(f"decoded {b - start} of {stop - start} images")
    if not source.labelled:
        return None, bad
    return (np.concatenate(values) if values else source.label_values(start, start)), bad


def load_image_dataset(
    source, splits, image_column, label_column, limit=None, cache_dir=None, n_jobs=1
):
    """The images of a dataset of one size, in memory: ``(images uint8 (N, H, W[, 3]),
    int64 labels (NO_LABEL without a label column), class names)``. For tests and
    notebooks; the workflow streams any dataset, of any sizes, with write_fitted."""
    settings = {
        "source": str(source),
        "splits": list(splits),
        "image_column": image_column,
        "label_column": label_column,
        "limit": limit,
    }
    images_source = open_source(settings, cache_dir, log=lambda _: None)
    surveyed = survey(images_source, "error", n_jobs, log=lambda _: None)
    sizes = size_counts(surveyed)
    if len({(h, w) for h, w, _, _ in sizes}) > 1:
        raise DatasetError(
            f"images have mixed sizes ({', '.join(f'{h}x{w}' for h, w, _, _ in sizes[:3])}, ...); "
            "the workflow fits them to one size (preprocessing.size)"
        )
    h, w = int(surveyed["height"][0]), int(surveyed["width"][0])
    channels = 1 if surveyed["grey"].all() else 3
    target = Target(h, w, channels, "stretch")
    n = len(images_source)
    with Workers(n_jobs, n) as workers:
        parts = workers.map_chunks(_fit_chunk, images_source.items(0, n), target)
    images = np.concatenate([p[0] for p in parts])
    values = images_source.label_values(0, n)
    if values is None:
        return images, np.full(n, NO_LABEL, dtype=np.int64), []
    labels, names = images_source.labels(values)
    return images, labels, names


def skipped_rows(surveyed, failed):
    """``[(row, reason)]`` of the images left out, sorted by row: unreadable headers
    (from the survey) and images whose pixels failed to decode (``failed``)."""
    reasons = dict(zip(surveyed["bad_index"].tolist(), surveyed["bad_reason"].tolist()))
    for i, why in failed:
        reasons.setdefault(int(i), str(why))
    return sorted(reasons.items())


def skipped_table(source, skipped):
    """skipped.tsv: one line per image left out, ``row``, ``image`` (file or split row),
    ``reason``; the header alone when none was."""
    lines = ["row\timage\treason"]
    for i, why in skipped:
        name = source.files[i] if source.kind == "folder" else source.describe(i)
        lines.append(f"{i}\t{name}\t{' '.join(why.split())}")
    return "\n".join(lines) + "\n"


def drop_rows(path, rows, chunk_rows=65536):
    """Rewrite the ``.npy`` file ``path`` without the rows ``rows``, a chunk at a time."""
    array = np.load(path, mmap_mode="r")
    keep = np.ones(len(array), bool)
    keep[np.asarray(rows, dtype=np.int64)] = False
    compact = f"{path}.compact"
    try:
        with NpyWriter(compact, array.dtype, (int(keep.sum()), *array.shape[1:])) as out:
            for a in range(0, len(array), chunk_rows):
                out.write(array[a : a + chunk_rows][keep[a : a + chunk_rows]])
        del array
        os.replace(compact, path)
    finally:
        if os.path.exists(compact):
            os.unlink(compact)
