"""Image preprocessing before the autoencoder: deskewing (moment-based shear correction)."""

import numpy as np


def _moments(intensity):
    """Centre of mass ``(row, col)`` and slant ``alpha = cov(row, col) / var(row)`` per image.

    A blank image gets its geometric centre and no slant.
    """
    intensity = intensity.astype(np.float64, copy=False)
    n, h, w = intensity.shape
    rows = np.arange(h, dtype=np.float64)
    cols = np.arange(w, dtype=np.float64)
    row_mass = intensity.sum(axis=2)  # (n, h)
    col_mass = intensity.sum(axis=1)  # (n, w)
    total = row_mass.sum(axis=1)
    blank = total <= 0
    total = np.where(blank, 1.0, total)
    mean_r = row_mass @ rows / total
    mean_c = col_mass @ cols / total
    var_r = row_mass @ rows**2 / total - mean_r**2
    cov = np.einsum("nhw,h,w->n", intensity, rows, cols) / total - mean_r * mean_c
    alpha = np.where(var_r > 1e-12, cov / np.where(var_r > 1e-12, var_r, 1.0), 0.0)
    mean_r[blank], mean_c[blank], alpha[blank] = h / 2, w / 2, 0.0
    return mean_r, mean_c, alpha


def _bilinear(images, src_r, src_c):
    """Sample float ``images`` (n, h, w, c) at float source coordinates (n, h, w); zeros outside."""
    n, h, w, c = images.shape
    flat = images.reshape(n, h * w, c)
    r0 = np.floor(src_r).astype(np.int64)
    c0 = np.floor(src_c).astype(np.int64)
    fr = (src_r - r0).astype(np.float32)
    fc = (src_c - c0).astype(np.float32)
    out = np.zeros((n, h, w, c), dtype=np.float32)
    for dr, dc, weight in (
        (0, 0, (1 - fr) * (1 - fc)),
        (0, 1, (1 - fr) * fc),
        (1, 0, fr * (1 - fc)),
        (1, 1, fr * fc),
    ):
        rr, cc = r0 + dr, c0 + dc
        inside = (rr >= 0) & (rr < h) & (cc >= 0) & (cc < w)
        index = (np.clip(rr, 0, h - 1) * w + np.clip(cc, 0, w - 1)).reshape(n, h * w, 1)
        values = np.take_along_axis(flat, index, axis=1).reshape(n, h, w, c)
        out += values * (weight * inside)[..., None]
    return out


def deskew(images, chunk_size=8192):
    """Deskew uint8 images ``(N, H, W)`` or ``(N, H, W, C)``; same shape and dtype out.

    The classic MNIST preprocessing (LeCun et al. 1998): each image is sheared so that
    the principal axis of its ink is vertical, and shifted so that its centre of mass is
    in the middle. The slant and centre come from the second-order moments of the
    intensity (channel mean for colour images); resampling is bilinear with zeros
    outside. Unsupervised: no labels are used. Deterministic; ``chunk_size`` bounds the
    memory (about 100 bytes per pixel of a chunk).
    """
    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim not in (3, 4):
        raise ValueError(
            f"deskew expects uint8 images (N, H, W) or (N, H, W, C), "
            f"got {images.dtype} {images.shape}"
        )
    colour = images.ndim == 4
    pixels = images if colour else images[..., None]
    n, h, w, _ = pixels.shape
    out = np.empty_like(pixels)
    out_r = np.arange(h, dtype=np.float64)[None, :, None] - h / 2
    out_c = np.arange(w, dtype=np.float64)[None, None, :] - w / 2
    for begin in range(0, n, chunk_size):
        part = pixels[begin : begin + chunk_size].astype(np.float32)
        mean_r, mean_c, alpha = _moments(part.mean(axis=3))
        src_r = out_r + mean_r[:, None, None] + 0 * out_c
        src_c = alpha[:, None, None] * out_r + out_c + mean_c[:, None, None]
        sampled = _bilinear(part, src_r, src_c)
        out[begin : begin + chunk_size] = np.clip(np.rint(sampled), 0, 255).astype(np.uint8)
    return out if colour else out[..., 0]


def slant(images):
    """Slant ``cov(row, col) / var(row)`` of each uint8 image (channel mean), float64 ``(N,)``."""
    images = np.asarray(images)
    intensity = images.mean(axis=3) if images.ndim == 4 else images
    return _moments(intensity)[2]
