"""Atomic writes: nothing half-written, and the permissions a normal write would give."""

import os
import stat

import numpy as np
import pytest

from deepclust.io import atomic_path, save_json, save_npy, save_npz, save_text


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask():
    """Set a umask for one test and restore the previous one afterwards."""
    previous = os.umask(0o022)
    os.umask(previous)

    def set_mask(mask):
        os.umask(mask)

    yield set_mask
    os.umask(previous)


@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077])
def test_outputs_honour_the_umask(tmp_path, umask, mask):
    umask(mask)
    plain = tmp_path / "plain.txt"
    plain.write_text("x")  # what a normal write gives
    save_text(tmp_path / "a.txt", "x")
    save_json(tmp_path / "a.json", {"a": 1})
    save_npy(tmp_path / "a.npy", np.arange(3))
    save_npz(tmp_path / "a.npz", x=np.arange(3))
    for name in ("a.txt", "a.json", "a.npy", "a.npz"):
        assert mode(tmp_path / name) == mode(plain) == 0o666 & ~mask, name


def test_failed_write_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError):
        with atomic_path(tmp_path / "out.npy") as tmp:
            np.save(tmp, np.arange(3))
            raise RuntimeError("killed")
    assert list(tmp_path.iterdir()) == []
