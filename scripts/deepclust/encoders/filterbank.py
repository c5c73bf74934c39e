"""A bank of oriented band-pass (Gabor/Morlet-like) filters applied by FFT in torch: the
moduli ``|x * psi_{j,theta}|`` of first-order scattering, and their local averages.

Filters live in the Fourier domain: an elliptical Gaussian centred at frequency
``xi_j = 0.7 pi / 2**j`` (radians a pixel) in direction ``theta_l = pi l / L``, one octave
wide along its direction and ``pi / L`` across it, with no DC response.
"""

import math

import torch


def subsampling(j):
    """Each scale's moduli are computed on every ``2**(j-1)``-th pixel (its band-pass
    output has no frequency above that grid's Nyquist limit)."""
    return 2 ** max(j - 1, 0)


def padded_layout(height, width, scales):
    """``(pad, padded_h, padded_w)``: reflect padding of ``pad`` at the top and left (at
    least that at the bottom and right) to sizes divisible by every scale's subsampling."""
    step = subsampling(scales - 1)
    pad = max(step, 2 ** (scales - 2) if scales > 1 else 1)
    size = [-(-(side + 2 * pad) // step) * step for side in (height, width)]
    return pad, size[0], size[1]


def filters(size, scales, orientations):
    """float32 ``(scales, orientations, H, W)`` filters for images of ``size`` (H, W)."""
    h, w = size
    fy = torch.fft.fftfreq(h, dtype=torch.float64)[:, None] * 2 * math.pi
    fx = torch.fft.fftfreq(w, dtype=torch.float64)[None, :] * 2 * math.pi
    bank = torch.empty(scales, orientations, h, w, dtype=torch.float64)
    for j in range(scales):
        xi = 0.7 * math.pi / 2**j
        sigma_r, sigma_t = 0.42 * xi, xi * math.tan(math.pi / (2 * orientations))
        for k in range(orientations):
            theta = math.pi * k / orientations
            along = fx * math.cos(theta) + fy * math.sin(theta) - xi
            across = -fx * math.sin(theta) + fy * math.cos(theta)
            bank[j, k] = torch.exp(-(along**2) / (2 * sigma_r**2) - across**2 / (2 * sigma_t**2))
    bank[..., 0, 0] = 0.0
    return bank.float()


def _low_band(n, s):
    """Indices of the ``n // s`` lowest frequencies of an ``n``-point FFT, in FFT order."""
    m = n // s
    return torch.cat([torch.arange(0, (m + 1) // 2), torch.arange(n - m // 2, n)])


class FilterBank:
    """Moduli of ``x`` (float32 ``(B, C, H, W)``) filtered by the bank, one scale at a time.

    Scale ``j`` keeps only the lowest ``1 / subsampling(j)`` of the frequencies (where its
    filters live): the inverse FFT then gives the moduli on a grid that much coarser.
    """

    def __init__(self, size, scales, orientations, device="cpu"):
        self.size = tuple(size)
        self.pad, ph, pw = padded_layout(*self.size, scales)
        self.padded = (ph, pw)
        bank = filters(self.padded, scales, orientations)
        self.bands = []
        for j in range(scales):
            s = subsampling(j)
            rows, cols = _low_band(ph, s), _low_band(pw, s)
            self.bands.append(
                (
                    s,
                    rows.to(device),
                    cols.to(device),
                    bank[j][:, rows][:, :, cols].to(device) / s**2,
                )
            )
        self.device = device

    def moduli(self, x, first=0):
        """Yield ``(j, U)``: ``U`` float32 ``(B, C, L, h_j, w_j)``, the moduli at scale
        ``j`` on every ``subsampling(j)``-th pixel of the image (padding cropped off), for
        the scales from ``first`` on."""
        p, (h, w), (ph, pw) = self.pad, self.size, self.padded
        x = x.to(self.device)
        x = torch.nn.functional.pad(x, (p, pw - w - p, p, ph - h - p), mode="reflect")
        spectrum = torch.fft.fft2(x)[:, :, None]
        for j, (s, rows, cols, band) in enumerate(self.bands):
            if j < first:
                continue
            y = spectrum if s == 1 else spectrum[..., rows, :][..., cols]
            y = torch.fft.ifft2(y * band)
            u = torch.hypot(y.real, y.imag)
            yield j, u[..., p // s : (p + h) // s, p // s : (p + w) // s]
