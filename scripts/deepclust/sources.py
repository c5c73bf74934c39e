"""Where a dataset's images come from (Hub-layout splits or a folder of image files), what
they are (the survey of their headers), and streaming them, fitted to one size, into an
``.npy`` file."""

from collections import Counter
from pathlib import Path

import numpy as np

from .data import (
    NO_LABEL,
    DatasetError,
    class_ids,
    encoded_images,
    label_ids,
    open_splits,
)
from .images import ImageError, Target, choose_channels, choose_size, fitted, image_info

PARALLEL_MIN = 4096  # fewer images than this are read in one process


class HubSource:
    """The rows of the named splits of a Hub-layout dataset (see data.open_splits)."""

    kind = "hub"

    def __init__(self, parts, image_column, label_column):
        self.parts, self.image_column, self.label_column = parts, image_column, label_column
        self.bounds = np.cumsum([0] + [len(split) for _, split in parts])

    def __len__(self):
        return int(self.bounds[-1])

    @property
    def labelled(self):
        return self.label_column is not None

    def _tables(self, start, stop):
        for (_, split), offset in zip(self.parts, self.bounds):
            lo, hi = max(start - offset, 0), min(stop - offset, len(split))
            if lo < hi:
                yield split.with_format("arrow")[int(lo) : int(hi)]

    def items(self, start, stop):
        """The encoded images (bytes) of rows ``[start, stop)``."""
        return [b for t in self._tables(start, stop) for b in encoded_images(t, self.image_column)]

    def label_values(self, start, stop):
        if self.label_column is None:
            return None
        tables = list(self._tables(start, stop))
        if not tables:
            return np.empty(0, dtype=np.int64)
        return np.concatenate([t.column(self.label_column).to_numpy() for t in tables])

    def labels(self, values):
        return label_ids(values, self.parts, self.label_column)

    def describe(self, i):
        split = int(np.searchsorted(self.bounds, i, side="right")) - 1
        return f"image {i} (row {i - self.bounds[split]} of split {self.parts[split][0]!r})"


class FolderSource:
    """The image files of a folder (see imagefolder.list_image_folder), in sorted order."""

    kind = "folder"

    def __init__(self, root, files, classes):
        self.root, self.files, self.classes = Path(root), files, classes

    def __len__(self):
        return len(self.files)

    @property
    def labelled(self):
        return self.classes is not None

    def items(self, start, stop):
        return [str(self.root / f) for f in self.files[start:stop]]

    def label_values(self, start, stop):
        return None if self.classes is None else np.array(self.classes[start:stop], dtype=str)

    def labels(self, values):
        return class_ids(np.asarray(values, dtype=object), None, "class folder")

    def describe(self, i):
        return f"file {str(self.root / self.files[i])!r}"


def open_source(settings, cache_dir, log=print):
    """The images a validated ``datasets.<name>`` entry names, as a HubSource or a
    FolderSource; ``limit`` keeps the first N. Raises DatasetError for what cannot be read."""
    from .imagefolder import is_image_folder, list_image_folder

    source, limit = settings["source"], settings["limit"]
    if not is_image_folder(source):
        parts = open_splits(
            source,
            settings["splits"],
            settings["image_column"],
            settings["label_column"],
            limit,
            cache_dir,
        )
        return HubSource(parts, settings["image_column"], settings["label_column"])
    if settings["splits"] != ["train"]:
        raise DatasetError(
            f"dataset source {source!r} is a folder of image files, which has no splits; "
            f"remove splits ({settings['splits']}) from its entry"
        )
    files, classes, ignored = list_image_folder(source)
    if ignored:
        log(f"{source}: passed over {ignored} files that are not images")
    if settings["label_column"] is None:
        classes = None
    if limit is not None:
        files = files[:limit]
        classes = None if classes is None else classes[:limit]
    how = "unlabelled" if classes is None else f"{len(set(classes))} class subfolders"
    log(f"{source}: a folder of {len(files)} image files, {how}")
    return FolderSource(source, files, classes)


class Workers:
    """Forked worker processes when they pay (PIL holds the GIL: threads do not help);
    ``executor`` is None when one process does the work."""

    def __init__(self, n_jobs, n_items):
        self.executor = None
        if n_jobs > 1 and n_items >= PARALLEL_MIN:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            context = multiprocessing.get_context("fork")
            self.executor = ProcessPoolExecutor(n_jobs, mp_context=context)
        self.n_jobs = n_jobs if self.executor else 1

    def map_chunks(self, fn, items, *args):
        """``fn(items[a:b], a, *args)`` over contiguous chunks, one per worker, in order."""
        if self.executor is None:
            return [fn(items, 0, *args)]
        edges = np.linspace(0, len(items), self.n_jobs + 1).astype(int)
        chunks = [items[a:b] for a, b in zip(edges, edges[1:])]
        extra = [[arg] * self.n_jobs for arg in args]
        return list(self.executor.map(fn, chunks, edges[:-1].tolist(), *extra))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.executor is not None:
            self.executor.shutdown(cancel_futures=True)
        return False


def _survey_chunk(items, offset):
    heights, widths, modes, grey, bad = [], [], [], [], []
    for i, item in enumerate(items, start=offset):
        try:
            info = image_info(item)
        except ImageError as err:
            bad.append((i, str(err)))
            info = None
        heights.append(info.height if info else 0)
        widths.append(info.width if info else 0)
        modes.append(info.mode if info else "")
        grey.append(info.grey if info else True)
    return heights, widths, modes, grey, bad


def survey(source, on_bad_image, n_jobs=1, batch_rows=50_000, log=print):
    """Sizes and modes of every image from its header alone (no pixels decoded).

    Returns a dict of arrays: ``height``, ``width`` (upright, 0 for an unreadable image),
    ``mode``, ``grey`` and ``bad_index``/``bad_reason``. An unreadable image raises
    DatasetError naming it unless ``on_bad_image`` is ``skip``.
    """
    n = len(source)
    if n == 0:
        raise DatasetError("the dataset has no images")
    heights, widths, modes, grey, bad = [], [], [], [], []
    with Workers(n_jobs, n) as workers:
        for a in range(0, n, batch_rows):
            items = source.items(a, min(a + batch_rows, n))
            for h, w, m, g, failed in workers.map_chunks(_survey_chunk, items):
                heights += h
                widths += w
                modes += m
                grey += g
                bad += [(a + i, why) for i, why in failed]
            _check_bad(bad, source, on_bad_image)
            log(f"surveyed {min(a + batch_rows, n)} of {n} images")
    return {
        "height": np.array(heights, dtype=np.int64),
        "width": np.array(widths, dtype=np.int64),
        "mode": np.array(modes, dtype=str),
        "grey": np.array(grey, dtype=bool),
        "bad_index": np.array([i for i, _ in bad], dtype=np.int64),
        "bad_reason": np.array([why for _, why in bad], dtype=str),
    }


def _check_bad(bad, source, on_bad_image):
    if bad and on_bad_image != "skip":
        i, why = bad[0]
        raise DatasetError(
            f"{source.describe(i)} cannot be decoded: {why}; fix or remove it, or set "
            "preprocessing.on_bad_image: skip to leave such images out (listed in skipped.tsv)"
        )


def readable(surveyed):
    """Bool mask of the surveyed images whose header could be read."""
    ok = np.ones(len(surveyed["height"]), bool)
    ok[surveyed["bad_index"]] = False
    return ok


def choose_target(surveyed, settings):
    """The Target (size, channels, fit) of a survey under the ``preprocessing`` settings
    ``size`` (auto or [H, W]), ``max_side``, ``channels`` (auto, grey, rgb) and ``fit``,
    and a sentence saying what was chosen and why."""
    ok = readable(surveyed)
    if not ok.any():
        raise DatasetError("no image of the dataset can be decoded")
    if settings["size"] == "auto":
        (h, w), size_why = choose_size(
            surveyed["height"][ok], surveyed["width"][ok], settings["max_side"]
        )
        size_why = f"{h}x{w}: {size_why}"
    else:
        (h, w), size_why = settings["size"], "as configured (preprocessing.size)"
        size_why = f"{h}x{w}: {size_why}"
    if settings["channels"] == "auto":
        channels, channels_why = choose_channels(surveyed["grey"][ok])
    else:
        channels = 1 if settings["channels"] == "grey" else 3
        channels_why = "as configured (preprocessing.channels)"
    target = Target(int(h), int(w), channels, settings["fit"])
    kind = "grey" if channels == 1 else "RGB"
    return target, f"size {size_why}; {kind} ({channels_why}); fit {settings['fit']}"


SURVEY_KEYS = ("height", "width", "mode", "grey", "bad_index", "bad_reason")


def load_survey(path, source):
    """A survey.npz (rule survey) of ``source``: ``(surveyed, target, decision)``. Raises
    DatasetError when the source no longer holds the images surveyed."""
    with np.load(path) as saved:
        surveyed = {key: saved[key] for key in SURVEY_KEYS}
        h, w, channels = saved["target"].tolist()
        target = Target(h, w, channels, str(saved["fit"]))
        decision = str(saved["decision"])
    if len(surveyed["height"]) != len(source):
        raise DatasetError(
            f"the dataset changed since it was surveyed ({len(surveyed['height'])} images "
            f"then, {len(source)} now); delete {path} and run again"
        )
    return surveyed, target, decision


def size_counts(surveyed):
    """``[(height, width, mode, images)]`` of the readable images, most common first."""
    ok = readable(surveyed)
    counts = Counter(
        zip(
            surveyed["height"][ok].tolist(),
            surveyed["width"][ok].tolist(),
            surveyed["mode"][ok].tolist(),
        )
    )
    return [(h, w, m, c) for (h, w, m), c in counts.most_common()]


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
    image's row is left black (the download rule drops it) unless ``on_bad_image`` is
    ``error``, when DatasetError names it.
    """
    from .io import NpyWriter

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
            _check_bad(bad, source, on_bad_image)
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
    """skipped.tsv: one row per image left out, ``row``, ``image`` (file or split row),
    ``reason``; the header alone when none was. A file name is written as it is, quoted
    when it holds a tab, a newline or a quote (:func:`io.tsv_text`)."""
    from .io import tsv_text

    rows = []
    for i, why in skipped:
        name = source.files[i] if source.kind == "folder" else source.describe(i)
        rows.append([i, name, " ".join(why.split())])
    return tsv_text(["row", "image", "reason"], rows)


def drop_rows(path, rows, chunk_rows=65536):
    """Rewrite the ``.npy`` file ``path`` without the rows ``rows``, a chunk at a time."""
    import os

    from .io import NpyWriter

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
