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
    with pytest.raises(RuntimeError), atomic_path(tmp_path / "out.npy") as tmp:
        np.save(tmp, np.arange(3))
        raise RuntimeError("killed")
    assert list(tmp_path.iterdir()) == []


def test_npy_writer_and_concatenation_match_np_save_byte_for_byte(tmp_path):
    from deepclust.io import NpyWriter, concatenate_npy

    for array in (
        np.random.default_rng(0).integers(0, 255, (1000, 28, 28), dtype=np.uint8),
        np.random.default_rng(1).standard_normal((777, 64)).astype(np.float32),
    ):
        np.save(tmp_path / "whole.npy", array)
        with NpyWriter(tmp_path / "written.npy", array.dtype, array.shape) as out:
            for start in range(0, len(array), 300):
                out.write(array[start : start + 300])
        cuts = [0, 123, 123, 500, len(array)]  # an empty part too
        for i, (a, b) in enumerate(zip(cuts, cuts[1:])):
            np.save(tmp_path / f"part{i}.npy", array[a:b])
        concatenate_npy(
            [tmp_path / f"part{i}.npy" for i in range(4)], tmp_path / "gathered.npy", chunk_rows=50
        )
        whole = (tmp_path / "whole.npy").read_bytes()
        assert (tmp_path / "written.npy").read_bytes() == whole
        assert (tmp_path / "gathered.npy").read_bytes() == whole


def test_npy_writer_refuses_the_wrong_number_of_rows(tmp_path):
    from deepclust.io import NpyWriter, concatenate_npy

    with (
        pytest.raises(ValueError, match="wrote 2 rows, expected 3"),
        NpyWriter(tmp_path / "a.npy", np.uint8, (3, 2)) as out,
    ):
        out.write(np.zeros((2, 2)))
    with (
        pytest.raises(ValueError, match="does not fit"),
        NpyWriter(tmp_path / "b.npy", np.uint8, (3, 2)) as out,
    ):
        out.write(np.zeros((4, 2)))
    np.save(tmp_path / "c.npy", np.zeros((2, 3)))
    np.save(tmp_path / "d.npy", np.zeros((2, 4)))
    with pytest.raises(ValueError, match="unlike"):
        concatenate_npy([tmp_path / "c.npy", tmp_path / "d.npy"], tmp_path / "e.npy")
    assert not (tmp_path / "e.npy").exists()


def fill_dev_full():
    """A real full-disk error: writes to /dev/full fail with ENOSPC, naming no file."""
    with open("/dev/full", "wb") as full:
        full.write(b"x" * 65536)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_a_full_disk_names_the_output_and_leaves_nothing(tmp_path):
    out = tmp_path / "images.npy"
    with pytest.raises(OSError) as failed, atomic_path(out):
        fill_dev_full()
    assert str(failed.value) == f"[Errno 28] No space left on device: '{out}'"
    assert list(tmp_path.iterdir()) == []
    # an error that names its own file keeps it (e.g. an input read meanwhile)
    with pytest.raises(FileNotFoundError, match="no-such-input"), atomic_path(out):
        (tmp_path / "no-such-input").read_text()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_a_log_on_a_full_disk_is_named(capsys):
    from deepclust.runlog import job_log

    with pytest.raises(SystemExit), job_log("/dev/full") as log:
        log("started")
    assert capsys.readouterr().err == "error: [Errno 28] No space left on device: '/dev/full'\n"
