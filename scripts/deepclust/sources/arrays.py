"""Light helpers on the arrays a source becomes: the row ranges of shards, class ids of label
values, and a fingerprint of arrays. NumPy only: the encoder's jobs use shard_bounds too."""

import hashlib
import mmap

import numpy as np

from .errors import DatasetError


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
