"""Atomic file writing: a killed job never leaves a file that looks complete.

Finished files get the permissions a plain ``open(path, "w")`` would give (0666 less
the umask), not the private 0600 of a temporary file, so colleagues sharing a results
folder can read them.
"""

import contextlib
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
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def save_npy(path, array):
    with atomic_path(path) as tmp:
        np.save(tmp, array)


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
