"""Fixed multi-scale features, no training: what a texture or a photograph is made of.

Per image (each independent of the others, so batching does not change them):
- ``texture``: log of the spatial mean of ``|x * psi_{j,theta}|`` over the filter bank
  (first-order scattering of the luminance, J scales x L orientations), and the log of
  each scale's spatial spread (std / mean of the modulus);
- ``layout``: the same moduli averaged in a ``grid`` x ``grid`` layout of cells (where
  things are: digits, garments, centred objects);
- ``intensity``: luminance mean, std, 5 quantiles and a 16-bin histogram (square roots);
- ``colour`` (colour images): the opponent channels O1 = (R - G)/sqrt2,
  O2 = (R + G - 2B)/sqrt6: means, stds, quantiles, an 8 x 8 joint histogram, and their
  band-pass energy at each scale;
- ``lbp``: histograms (square roots) of rotation-invariant uniform local binary patterns
  of the luminance, 8 neighbours at each radius of ``lbp_radii`` (in torch, the batch at
  once): the local micro-structure, unchanged by contrast and brightness;
- ``hue`` (colour images): a finer 8 x 8 joint histogram of O1 and O2 within +-0.15 (values
  beyond counted in the edge bins): the hues of weakly saturated colours, which the
  ``colour`` group's histogram puts in one or two bins.
Then :mod:`.reduce`: standardised, each group weighted, PCA, partly whitened.
"""

from dataclasses import dataclass

import numpy as np

from ..model import DEVICES
from ..settings import Settings, check_choice, check_flag, check_integer, check_number
from .base import ENCODE_CHUNK, as_float, chunk_bounds, gather, sample_rows

GROUPS = ("texture", "layout", "intensity", "colour", "lbp", "hue")
EPS = 1e-3  # added before a log: moduli of [0, 1] images
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass(frozen=True)
class FeatureSettings(Settings):
    """The ``encoders.features`` block: see the schema for each key."""

    scales: int
    orientations: int
    grid: int
    rotation_invariant: bool
    second_order: bool
    weights: dict
    lbp_radii: list
    dimensions: int
    whiten: float
    fit_sample: int
    device: str

    def __post_init__(self):
        check_integer("scales", self.scales, 1)
        check_integer("orientations", self.orientations, 1)
        check_integer("grid", self.grid, 1)
        check_flag("rotation_invariant", self.rotation_invariant)
        check_flag("second_order", self.second_order)
        if not isinstance(self.weights, dict) or set(self.weights) != set(GROUPS):
            raise ValueError(f"weights must name exactly {list(GROUPS)}, got {self.weights!r}")
        for group, weight in self.weights.items():
            check_number(f"weights.{group}", weight, 0)
        if not isinstance(self.lbp_radii, list | tuple) or not self.lbp_radii:
            raise ValueError(f"lbp_radii must be a non-empty list, got {self.lbp_radii!r}")
        for radius in self.lbp_radii:
            check_integer("lbp_radii", radius, 1)
        check_integer("dimensions", self.dimensions, 0)
        check_number("whiten", self.whiten, 0, maximum=1)
        check_integer("fit_sample", self.fit_sample, 2)
        check_choice("device", self.device, DEVICES)


def opponent(x):
    """float ``(B, 3, H, W)`` RGB -> ``(luminance, O1, O2)``, each ``(B, 1, H, W)``."""
    r, g, b = x[:, :1], x[:, 1:2], x[:, 2:3]
    return (r + g + b) / 3, (r - g) / 2**0.5, (r + g - 2 * b) / 6**0.5


def _quantiles(v):
    import torch

    return torch.quantile(v.flatten(1), torch.tensor(QUANTILES, dtype=v.dtype), dim=1).T


def _histogram(v, bins, low, high):
    """``(B, bins)`` square roots of the fractions of each row's values per bin."""
    import torch

    idx = ((v.flatten(1) - low) / (high - low) * bins).long().clamp_(0, bins - 1)
    counts = torch.zeros(len(v), bins).scatter_add_(1, idx, torch.ones_like(v.flatten(1)))
    return (counts / idx.shape[1]).sqrt()


def _orientation_spectrum(energies):
    """``(B, L // 2 + 1)`` moduli of the DFT over orientations of ``(B, L)`` values: the
    same when the image turns by a multiple of ``pi / L``."""
    import torch

    return torch.fft.rfft(energies, dim=1).abs()


def _second_order(bank, maps, size):
    """``(B, J (J - 1) / 2)``: for each pair of scales ``j1 < j2``, the log energy of the
    orientation-averaged moduli at ``j1`` filtered at ``j2`` (averaged over orientations),
    relative to the energy at ``j1``: how the texture's energy is arranged in space."""
    import torch

    out = []
    for j1, m in enumerate(maps[:-1]):
        level = m.mean((1, 2, 3))
        if m.shape[-2:] != size:
            m = torch.nn.functional.interpolate(m, size=size, mode="bilinear", align_corners=False)
        for _, u in bank.moduli(m, first=j1 + 1):
            out.append(torch.log(EPS + u.mean((1, 2, 3, 4))) - torch.log(EPS + level))
    return torch.stack(out, 1)


def _band_features(bank, channel, settings):
    """``(texture (B, .), layout (B, .), level (B, 1))`` of one channel ``(B, 1, H, W)``:
    log band energies relative to the image's total (contrast removed), its spread per
    scale, the grid of local energies, and the log total energy (the contrast)."""
    import torch

    means, spreads, cells, maps = [], [], [], []
    for _, u in bank.moduli(channel):
        u = u[:, 0]  # (B, L, H, W)
        mean = u.mean((2, 3))
        maps.append(u.mean(1, keepdim=True))
        means.append(mean)
        spreads.append(u.flatten(2).std(2).mean(1) / (mean.mean(1) + EPS))
        if settings.grid > 1 and settings.weights["layout"] > 0:
            cells.append(torch.nn.functional.adaptive_avg_pool2d(u, settings.grid).flatten(1))
    means = torch.stack(means, 1)  # (B, J, L)
    level = means.mean((1, 2))
    relative = torch.log(EPS + means) - torch.log(EPS + level)[:, None, None]
    if settings.rotation_invariant:
        relative = _orientation_spectrum(relative.flatten(0, 1)).view(len(u), -1)
    texture = [relative.flatten(1), torch.log(EPS + torch.stack(spreads, 1))]
    if settings.second_order:
        texture.append(_second_order(bank, maps, channel.shape[-2:]))
    texture = torch.cat(texture, 1)
    layout = torch.zeros(len(u), 0)
    if cells:
        layout = torch.log(EPS + torch.cat(cells, 1)) - torch.log(EPS + level)[:, None]
    return texture, layout, torch.log(EPS + level)[:, None]


def _joint_histogram(o1, o2, half_width, bins=8):
    """``(B, bins * bins)`` square roots of the fractions of pixels per cell of an even
    grid of ``(O1, O2)`` over ``[-half_width, half_width]`` squared (edges absorb beyond)."""
    import torch

    a, b = (
        ((c.flatten(1) / (2 * half_width) + 0.5) * bins).long().clamp_(0, bins - 1)
        for c in (o1, o2)
    )
    counts = torch.zeros(len(o1), bins * bins).scatter_add_(
        1, a * bins + b, torch.ones_like(o1.flatten(1))
    )
    return (counts / a.shape[1]).sqrt()


def _colour_features(bank, o1, o2):
    import torch

    parts = []
    for v in (o1, o2):
        parts += [v.mean((1, 2, 3))[:, None], v.std((1, 2, 3))[:, None], _quantiles(v)]
        parts += [torch.log(EPS + u.mean((1, 3, 4))) for _, u in bank.moduli(v)]
    joint = (o1.flatten(1) / 0.72 + 0.5, o2.flatten(1) / 0.83 + 0.5)  # each about [0, 1]
    a, b = ((c * 8).long().clamp_(0, 7) for c in joint)
    counts = torch.zeros(len(o1), 64).scatter_add_(1, a * 8 + b, torch.ones_like(o1.flatten(1)))
    parts.append((counts / a.shape[1]).sqrt())
    return torch.cat(parts, 1)


def _shifted(x, dy, dx, pad):
    """``x`` (B, 1, H, W), padded by ``pad`` (reflect), read at ``(y + dy, x + dx)``
    with bilinear interpolation: ``(B, H, W)``."""
    import math

    h, w = x.shape[-2] - 2 * pad, x.shape[-1] - 2 * pad
    y0, x0 = math.floor(dy), math.floor(dx)
    fy, fx = dy - y0, dx - x0
    out = None
    for oy, wy in ((y0, 1 - fy), (y0 + 1, fy)):
        for ox, wx in ((x0, 1 - fx), (x0 + 1, fx)):
            if wy * wx > 1e-9:
                part = x[:, 0, pad + oy : pad + oy + h, pad + ox : pad + ox + w]
                out = part * (wy * wx) if out is None else out.add_(part, alpha=wy * wx)
    return out


def lbp_histograms(lum, radii, points=8):
    """``(B, len(radii) * (points + 2))`` square roots of the fractions of each image's
    pixels per rotation-invariant uniform local binary pattern (Ojala et al. 2002): the
    ``points`` neighbours on a circle of each radius (bilinear, reflect at the border)
    compared with the centre; a code with at most two 0/1 transitions around the circle
    counts its ones (0 to ``points``), any other is ``points + 1``."""
    import math

    import torch

    x = (lum * 255).round()  # as uint8 grey levels: ties are exact
    out = []
    for radius in radii:
        pad = math.ceil(radius) + 1
        padded = torch.nn.functional.pad(x, (pad, pad, pad, pad), mode="reflect")
        bits, centre = [], x[:, 0] - 1e-3
        for p in range(points):
            angle = 2 * math.pi * p / points
            dy, dx = round(-radius * math.sin(angle), 5), round(radius * math.cos(angle), 5)
            bits.append(_shifted(padded, dy, dx, pad) >= centre)
        ones = sum(b.to(torch.uint8) for b in bits)
        changes = sum((b ^ bits[p - 1]).to(torch.uint8) for p, b in enumerate(bits))
        codes = torch.where(changes <= 2, ones, points + 1).flatten(1)
        rows = torch.arange(len(x))[:, None] * (points + 2)
        counts = torch.bincount((codes + rows).flatten(), minlength=len(x) * (points + 2))
        counts = counts.view(len(x), points + 2).float()
        out.append((counts / codes.shape[1]).sqrt())
    return torch.cat(out, 1)


def raw_features(images, settings, bank):
    """float64 ``(B, F)`` features of uint8 ``images`` and int ``(F,)`` their groups."""
    import torch

    with torch.no_grad():
        x = as_float(images)
        colour = x.shape[1] == 3
        lum, o1, o2 = opponent(x) if colour else (x, None, None)
        texture, layout, level = _band_features(bank, lum, settings)
        intensity = torch.cat(
            [lum.mean((1, 2, 3))[:, None], lum.std((1, 2, 3))[:, None], _quantiles(lum), level]
            + [_histogram(lum, 16, 0.0, 1.0)],
            1,
        )
        parts = [texture, layout, intensity]
        parts.append(_colour_features(bank, o1, o2) if colour else torch.zeros(len(x), 0))
        lbp = settings.weights["lbp"] > 0
        parts.append(lbp_histograms(lum, settings.lbp_radii) if lbp else torch.zeros(len(x), 0))
        hue = colour and settings.weights["hue"] > 0
        parts.append(_joint_histogram(o1, o2, 0.15) if hue else torch.zeros(len(x), 0))
    groups = np.concatenate([np.full(p.shape[1], g) for g, p in enumerate(parts)])
    return torch.cat(parts, 1).cpu().double().numpy(), groups


def _bank(images, settings):
    from ..model import resolve_device
    from .filterbank import FilterBank

    h, w = images.shape[1:3]
    return FilterBank(
        (h, w), settings.scales, settings.orientations, resolve_device(settings.device)
    )


def fit(images, settings, seed, log=print):
    """The state (a dict of arrays and numbers) that :func:`encode` needs: the reducer
    fitted on a seeded sample of ``settings.fit_sample`` images."""
    from .reduce import fit_reducer

    rows = sample_rows(len(images), settings.fit_sample, seed)
    bank = _bank(images, settings)
    parts = [raw_features(chunk, settings, bank) for chunk in gather(images, rows)]
    features, groups = np.concatenate([p[0] for p in parts]), parts[0][1]
    log(f"features: {features.shape[1]} per image, reducer fitted on {len(rows)} images")
    weights = [settings.weights[g] for g in GROUPS]
    reducer = fit_reducer(features, groups, weights, settings.dimensions, settings.whiten)
    return {"reducer": reducer, "shape": list(images.shape[1:])}


def encode(state, images, settings, start=0, stop=None, log=None):
    """Yield float32 codes of ``images[start:stop]``, :data:`ENCODE_CHUNK` rows at a time."""
    from .reduce import apply_reducer

    if list(images.shape[1:]) != state["shape"]:
        raise ValueError(
            f"images of shape {images.shape[1:]}, the encoder was fitted on {state['shape']}"
        )
    bank = _bank(images, settings)
    stop = len(images) if stop is None else stop
    for a, b in chunk_bounds(start, stop, ENCODE_CHUNK):
        features, _ = raw_features(np.asarray(images[a:b]), settings, bank)
        if log is not None:
            log(f"encoded rows {a} to {b}")
        yield apply_reducer(state["reducer"], features)
