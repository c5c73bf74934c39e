"""What every encoder shares: images to float tensors, rows in chunks, codes to a file."""

import numpy as np

from ..model import ENCODE_CHUNK  # rows per pass; shard boundaries are multiples of it


def as_float(images):
    """uint8 ``(B, H, W)`` or ``(B, H, W, 3)`` -> float32 torch ``(B, C, H, W)`` in [0, 1]."""
    import torch

    x = torch.from_numpy(np.ascontiguousarray(images)).float().div_(255.0)
    return x[:, None] if x.ndim == 3 else x.permute(0, 3, 1, 2).contiguous()


def chunk_bounds(start, stop, size=ENCODE_CHUNK):
    """``[(a, b), ...]`` covering ``[start, stop)`` in pieces of ``size`` rows."""
    return [(a, min(a + size, stop)) for a in range(start, stop, size)]


def sample_rows(n, size, seed):
    """Sorted row indices of a seeded sample of ``size`` of ``n`` rows (all when ``n <= size``)."""
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size, replace=False))


def gather(images, rows, size=ENCODE_CHUNK):
    """Yield the uint8 images at sorted ``rows``, ``size`` at a time (memory-mapped input
    is read chunk by chunk)."""
    for a in range(0, len(rows), size):
        yield np.asarray(images[rows[a : a + size]])


def write_codes(path, codes, n_rows, width):
    """Write the float32 chunks ``codes`` (an iterator) into the ``.npy`` file ``path``
    atomically; raises FloatingPointError on a NaN or inf code."""
    from ..io import NpyWriter, atomic_path

    with atomic_path(path) as tmp, NpyWriter(tmp, np.float32, (n_rows, width)) as out:
        for chunk in codes:
            if not np.isfinite(chunk).all():
                raise FloatingPointError("the encoder produced NaN or inf embeddings")
            out.write(np.asarray(chunk, dtype=np.float32))
