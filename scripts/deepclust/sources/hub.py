"""Hugging Face Hub-layout sources: checking a local copy, opening its splits, reading a
split's encoded images and labels (HubSource). The ``datasets`` and ``pyarrow`` libraries
are imported where a Hub source is opened, so a folder source's jobs never load them."""

import os
from pathlib import Path

import numpy as np

from .arrays import class_ids
from .errors import DatasetError
from .layout import DATA_SUFFIXES, IMAGE_SUFFIXES


def encoded_images(table, column):
    """The raw bytes of an ``Image`` column of an arrow table (no per-row formatter)."""
    values = table.column(column).combine_chunks()
    if not hasattr(values, "field") or values.type.get_field_index("bytes") < 0:
        raise DatasetError(
            f"column {column!r} does not hold images (its type is {values.type}); "
            "choose the image column with image_column"
        )
    encoded = values.field("bytes").to_pylist()
    paths = values.field("path").to_pylist() if values.type.get_field_index("path") >= 0 else []
    for i, data in enumerate(encoded):
        if data is None:
            if i < len(paths) and paths[i]:
                encoded[i] = Path(paths[i]).read_bytes()
            else:
                raise DatasetError(f"image {i} of column {column!r} is empty")
    return encoded


EXPECTED_SOURCE = (
    "a Hub id (e.g. ylecun/mnist) or a local folder of <split>-*.parquet files "
    "(or a Hub dataset repository laid out like data/<split>-00000-of-00001.parquet)"
)
LOCAL_COPY_HINT = (
    "to work offline, point source at a local copy in Hub layout, e.g. "
    "--configfile config/presets/mnist-local.yaml (source ../shared/datasets/mnist)"
)


def _listing(folder, most=10):
    """``"README.md, notes.txt, sub/"``: what a folder holds (first ``most`` names)."""
    names = sorted(p.name + ("/" if p.is_dir() else "") for p in folder.iterdir())
    if not names:
        return "nothing (it is empty)"
    more = f" and {len(names) - most} more" if len(names) > most else ""
    return ", ".join(names[:most]) + more


def _data_files(folder):
    """Data files (parquet, arrow, images) under ``folder``, hidden folders skipped."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [
            Path(root) / f
            for f in sorted(files)
            if f.lower().endswith(DATA_SUFFIXES + IMAGE_SUFFIXES)
        ]
    return found


def check_local_source(source):
    """Check that a local ``source`` is a folder with readable data files.

    Raises DatasetError for a missing path, a file instead of a folder, a folder
    without data files (listing what it holds) and a parquet file that cannot be
    read (naming the file).
    """
    path = Path(source).expanduser()
    if not path.exists():
        raise DatasetError(
            f"dataset source {source!r} does not exist (no such folder); expected {EXPECTED_SOURCE}"
        )
    if not path.is_dir():
        raise DatasetError(
            f"dataset source {source!r} is a file, not a folder; expected {EXPECTED_SOURCE}. "
            f"If it holds the data, set source to its folder ({str(path.parent)!r}) "
            "and name the file <split>-00000-of-00001.parquet"
        )
    files = _data_files(path)
    if not files:
        raise DatasetError(
            f"dataset source {source!r} holds no data files (.parquet, .arrow or images); "
            f"it holds: {_listing(path)}. Expected {EXPECTED_SOURCE}"
        )
    import pyarrow.parquet as pq

    for file in files:
        if file.suffix.lower() == ".parquet":
            try:
                pq.ParquetFile(file).close()
            except Exception as err:  # pyarrow raises ArrowInvalid, OSError, ...
                raise DatasetError(
                    f"data file {str(file)!r} of dataset source {source!r} is corrupt: "
                    f"not a readable parquet file ({type(err).__name__}: {err}); "
                    "replace it with a good copy"
                ) from None


def open_hub_dataset(source, cache_dir):
    """``datasets.load_dataset(source)`` with errors that say what went wrong.

    A local source (a path that exists, or one starting with ``.``, ``/`` or ``~``)
    is checked first with check_local_source.
    """
    import datasets

    local = Path(source).expanduser()
    is_local = source.startswith((".", "/", "~")) or local.exists()
    if is_local:
        check_local_source(source)
    try:
        return datasets.load_dataset(str(local) if is_local else source, cache_dir=cache_dir)
    except Exception as err:  # the library raises many types for one cause
        if is_local:
            raise DatasetError(
                f"could not load local dataset source {source!r} ({type(err).__name__}: {err}); "
                f"expected {EXPECTED_SOURCE}"
            ) from None
        raise DatasetError(
            f"could not load dataset source {source!r} ({type(err).__name__}: {err}). "
            "If it is a Hub id, check the name and that the Hugging Face Hub can be reached; "
            f"{LOCAL_COPY_HINT}."
        ) from None


def open_splits(source, splits, image_column, label_column, limit, cache_dir):
    """The named splits of a Hub-layout dataset, each cut to the rows that are used.

    Returns ``[(name, split)]`` in the order given; ``limit`` keeps the first N images
    over the concatenated splits (None: all), ``cache_dir`` is the datasets library's
    cache (None: its own). Raises DatasetError for a bad limit, a missing split
    or column. Nothing is decoded: the splits are memory-mapped arrow tables.
    """
    if limit is not None and limit < 1:
        raise DatasetError(f"limit must be a positive number of images, got {limit}")
    dataset = open_hub_dataset(source, cache_dir)
    missing = [s for s in splits if s not in dataset]
    if missing:
        raise DatasetError(
            f"split(s) {missing} not in dataset {source!r}; it has: {sorted(dataset)}"
        )
    parts, taken = [], 0
    for name in splits:
        split = dataset[name]
        if limit is not None:
            split = split.select(range(min(len(split), limit - taken)))
        for column in (image_column, label_column):
            if column is not None and column not in split.column_names:
                raise DatasetError(
                    f"column {column!r} not in split {name!r} of {source!r}; "
                    f"columns there: {split.column_names}"
                )
        parts.append((name, split))
        taken += len(split)
        if limit is not None and taken >= limit:
            break
    return parts


def _label_names(parts, label_column):
    """Class names from the label feature (None when only the values can name them)."""
    names = getattr(parts[0][1].features[label_column], "names", None)
    return [str(n) for n in names] if names else None


def label_ids(values, parts, label_column):
    """Raw label values (from decode.write_fitted) -> ``(int64 class ids, class names)``:
    the label feature's names when it has them, else the distinct values."""
    names = _label_names(parts, label_column)
    return class_ids(values, names if names is not None else _value_names(values), label_column)


def _value_names(values):
    """Class names of integer label values: the distinct values (None for other types,
    which class_ids names or rejects)."""
    if not np.issubdtype(values.dtype, np.integer):
        return None
    return [str(v) for v in np.unique(values)]


class HubSource:
    """The rows of the named splits of a Hub-layout dataset (see open_splits)."""

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
