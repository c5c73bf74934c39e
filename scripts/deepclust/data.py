"""Load an image dataset in Hugging Face Hub layout into plain numpy arrays."""

import hashlib
import os
from pathlib import Path

import numpy as np

from .labels import NO_LABEL as NO_LABEL  # re-exported: scripts use deepclust.data.NO_LABEL


class DatasetError(ValueError):
    """The dataset source, its splits, columns or images are not usable."""


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
DATA_SUFFIXES = (".parquet", ".arrow")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")


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


def shard_bounds(n_rows, shards, align=4096):
    """Row ranges ``[(start, stop)]`` of ``shards`` contiguous shards of ``n_rows`` rows.

    Boundaries are multiples of ``align`` (the encoder's chunk size), so every shard
    encodes the same chunks as one unsharded job and the gathered results are
    byte-identical. Trailing shards may be empty when there are few rows.
    """
    if shards < 1:
        raise ValueError(f"shards must be at least 1, got {shards}")
    chunks = -(-n_rows // align)
    edges = [min(n_rows, align * (chunks * i // shards)) for i in range(shards + 1)]
    return list(zip(edges[:-1], edges[1:]))


def _label_names(parts, label_column):
    """Class names from the label feature (None when only the values can name them)."""
    names = getattr(parts[0][1].features[label_column], "names", None)
    return [str(n) for n in names] if names else None


def label_ids(values, parts, label_column):
    """Raw label values (from sources.write_fitted) -> ``(int64 class ids, class names)``:
    the label feature's names when it has them, else the distinct values."""
    names = _label_names(parts, label_column)
    return class_ids(values, names if names is not None else _value_names(values), label_column)


def class_ids(values, names, column="label"):
    """Labels as int64 class ids, with their class names.

    Integer ``values`` are kept (``names`` as given); strings become ids in the sorted
    order of their distinct values, which are then the class names. Anything else
    (floats, booleans, empty labels) raises DatasetError saying what the column holds.
    """
    if np.issubdtype(values.dtype, np.integer):
        return values.astype(np.int64), names
    if values.dtype.kind in "OU":
        missing = [i for i, v in enumerate(values) if v is None]
        if missing:
            raise DatasetError(
                f"label column {column!r} has {len(missing)} empty label(s) "
                f"(first: row {missing[0]})"
            )
        if all(isinstance(v, str) for v in values):
            distinct, ids = np.unique(values.astype(str), return_inverse=True)
            return ids.astype(np.int64).reshape(-1), [str(n) for n in distinct]
    if np.issubdtype(values.dtype, np.floating) and np.isnan(values).any():
        first = int(np.flatnonzero(np.isnan(values))[0])
        raise DatasetError(f"label column {column!r} has empty label(s) (first: row {first})")
    kinds = {"f": "floating-point numbers", "b": "booleans", "c": "complex numbers"}
    example = values[:1].tolist()[0] if len(values) else None
    raise DatasetError(
        f"label column {column!r} holds {kinds.get(values.dtype.kind, f'{values.dtype} values')} "
        f"(e.g. {example!r}); expected integer class ids or strings (class names)"
    )


def _value_names(values):
    """Class names of integer label values: the distinct values (None for other types,
    which class_ids names or rejects)."""
    if not np.issubdtype(values.dtype, np.integer):
        return None
    return [str(v) for v in np.unique(values)]


def fingerprint(*arrays, chunk_rows=65536):
    """Short sha256 over the bytes, dtypes and shapes of arrays (read ``chunk_rows`` rows
    at a time, so a memory-mapped array is never loaded whole; a C-ordered one is read
    from its file with plain reads, so its pages do not stay mapped into this process)."""
    digest = hashlib.sha256()
    for array in arrays:
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        if array.ndim == 0:
            digest.update(np.ascontiguousarray(array).tobytes())
        elif _whole_mapped_file(array):
            for chunk in _file_chunks(array, chunk_rows * array[:1].nbytes):
                digest.update(chunk)
        else:
            for start in range(0, len(array), chunk_rows):
                digest.update(np.ascontiguousarray(array[start : start + chunk_rows]).tobytes())
    return digest.hexdigest()[:16]


def _whole_mapped_file(array):
    """True for a C-ordered array mapped straight from a file (np.load's mmap_mode), not a
    view of one: its ``filename`` and ``offset`` say where its bytes are."""
    import mmap

    return (
        isinstance(array, np.memmap)
        and isinstance(array.base, mmap.mmap)
        and array.flags.c_contiguous
        and bool(array.filename)
    )


def _file_chunks(mapped, chunk_bytes):
    """The bytes of a C-ordered memory-mapped array, read from its file in chunks."""
    left = mapped.nbytes
    with open(mapped.filename, "rb") as handle:
        handle.seek(mapped.offset)
        while left > 0:
            chunk = handle.read(min(chunk_bytes, left))
            if not chunk:
                raise ValueError(f"{mapped.filename} is shorter than its array")
            left -= len(chunk)
            yield chunk
