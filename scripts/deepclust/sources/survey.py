"""What a source's images are, from their headers alone (the survey), the target size and
mode chosen from it, and the worker processes that read images in parallel."""

import multiprocessing
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from .errors import DatasetError
from .images import ImageError, Target, choose_channels, choose_size, image_info

PARALLEL_MIN = 4096  # fewer images than this are read in one process


class Workers:
    """Forked worker processes when they pay (PIL holds the GIL: threads do not help);
    ``executor`` is None when one process does the work."""

    def __init__(self, n_jobs, n_items):
        self.executor = None
        if n_jobs > 1 and n_items >= PARALLEL_MIN:
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
            check_bad(bad, source, on_bad_image)
            log(f"surveyed {min(a + batch_rows, n)} of {n} images")
    return {
        "height": np.array(heights, dtype=np.int64),
        "width": np.array(widths, dtype=np.int64),
        "mode": np.array(modes, dtype=str),
        "grey": np.array(grey, dtype=bool),
        "bad_index": np.array([i for i, _ in bad], dtype=np.int64),
        "bad_reason": np.array([why for _, why in bad], dtype=str),
    }


def check_bad(bad, source, on_bad_image):
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


def followed_target(path, name):
    """The Target and decision of dataset ``name``'s survey.npz at ``path``: what a dataset
    that follows it (assign_to) is fitted to, so its images suit the trained encoder."""
    with np.load(path) as followed:
        h, w, channels = (int(v) for v in followed["target"])
        decision = str(followed["decision"])
        target = Target(h, w, channels, str(followed["fit"]))
    return target, f"as {name}'s images, which this dataset follows (assign_to): {decision}"


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
