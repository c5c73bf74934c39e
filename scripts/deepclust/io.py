"""Atomic file writing: a killed job never leaves a file that looks complete.

Finished files get the permissions a plain ``open(path, "w")`` would give (0666 less
the umask), not the private 0600 of a temporary file, so colleagues sharing a results
folder can read them.
"""

import contextlib
import csv
import errno
import io
import json
import os
import tempfile
from pathlib import Path

import numpy as np


def current_umask():
    """The process's umask (read by setting it and restoring it at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path next to ``path``; rename it onto ``path`` on success.

    The temporary name keeps the suffix, so writers that append one (``np.save``)
    or pick a format from it (matplotlib) behave as with the final name.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}"
    )
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, path)
    except OSError as err:
        named = output_error(err, tmp, path)
        if named is err:
            raise
        raise named from err
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


# What a write says when the disk or quota is full or the file too large: no file name.
WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def output_error(err, tmp, path):
    """``err``, an OSError while writing ``path`` via its temporary file ``tmp``, naming
    ``path`` if it named no file (a write's ``[Errno 28] No space left on device``) or
    ``tmp``; an error naming another file is returned as it is."""
    named = None if err.filename is None else os.fspath(err.filename)
    if named == os.fspath(tmp) or (named is None and err.errno in WRITE_ERRORS):
        return OSError(err.errno, err.strerror, os.fspath(path))
    return err


def save_npy(path, array):
    with atomic_path(path) as tmp:
        np.save(tmp, array)


class NpyWriter:
    """Write an ``.npy`` file of known dtype and shape block by block, with plain file
    writes: memory stays one block (a memory-mapped write would keep every written page
    resident in the job's RSS). The file is byte-identical to ``np.save`` of the whole
    array; writing fewer or more rows than ``shape`` says raises ValueError.
    """

    def __init__(self, path, dtype, shape):
        self.dtype, self.shape, self.rows = np.dtype(dtype), tuple(shape), 0
        self.file = open(path, "wb")  # noqa: SIM115 (closed by close()/__exit__)
        header = {
            "descr": np.lib.format.dtype_to_descr(self.dtype),
            "fortran_order": False,
            "shape": self.shape,
        }
        np.lib.format.write_array_header_1_0(self.file, header)

    def write(self, block):
        block = np.ascontiguousarray(block, dtype=self.dtype)
        if block.shape[1:] != self.shape[1:] or self.rows + len(block) > self.shape[0]:
            raise ValueError(
                f"block {block.shape} does not fit the rows left of {self.shape} after {self.rows}"
            )
        self.file.write(block.tobytes())
        self.rows += len(block)

    def close(self):
        self.file.close()
        if self.rows != self.shape[0]:
            raise ValueError(f"wrote {self.rows} rows, expected {self.shape[0]}")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            self.close()
        else:
            self.file.close()


def concatenate_npy(paths, path, chunk_rows=65536):
    """Concatenate the ``.npy`` files ``paths`` along their first axis into ``path``,
    atomically, ``chunk_rows`` rows at a time (memory bounded by one chunk).

    The result is byte-identical to ``np.save`` of the concatenated arrays.
    """
    parts = [np.load(p, mmap_mode="r") for p in paths]
    for p, part in zip(paths, parts):
        if part.shape[1:] != parts[0].shape[1:] or part.dtype != parts[0].dtype:
            raise ValueError(
                f"{p} holds {part.dtype} {part.shape}, "
                f"unlike {paths[0]} ({parts[0].dtype} {parts[0].shape})"
            )
    shape = (sum(len(p) for p in parts), *parts[0].shape[1:])
    with atomic_path(path) as tmp, NpyWriter(tmp, parts[0].dtype, shape) as out:
        for part in parts:
            for start in range(0, len(part), chunk_rows):
                out.write(part[start : start + chunk_rows])


def save_npz(path, **arrays):
    with atomic_path(path) as tmp:
        np.savez(tmp, **arrays)


def save_json(path, obj):
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, sort_keys=True) + "\n")


def save_text(path, text):
    with atomic_path(path) as tmp:
        tmp.write_text(text)


def save_figure(path, fig, **kwargs):
    with atomic_path(path) as tmp:
        fig.savefig(tmp, **kwargs)


def tsv_text(header, rows):
    """A table as TSV text: a cell holding a tab, a newline or a quote is quoted (the csv
    module's rules, which pandas reads back), so a name from a user's folder stays one cell."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def tsv_rows(text):
    """``(header, rows)`` of TSV text as :func:`tsv_text` writes it (rows: lists of str)."""
    header, *rows = csv.reader(io.StringIO(text, newline=""), delimiter="\t")
    return header, rows
