"""Evaluation folders for the encoders: image folders like a user's, with class subfolders
so that a clustering can be scored. Built once, deterministic for a seed, cached in
.bench-cache/eval/<name>-s<seed>/ (a file ``done`` marks a finished folder).

    python tests/benchmarks/eval_folders.py [--seed 0] [--names textures photos ...]

Folders (mixed sizes, PNG and JPEG in each):
- ``textures``: 7 procedural grey texture families (gratings, blobs, clouds, checks,
  fine grain, cell walls, streaks) at random scale, orientation, contrast and brightness,
  24-64 px;
- ``grey_photo_textures``: grey patches, 24-48 px, cut at random scales from 6 of
  scikit-image's bundled grey photographs (brick, grass, gravel, coins, moon, page);
- ``photos``: colour patches, 40-120 px, some not square, cut at random scales and flips
  from 7 bundled colour photographs (scikit-image: astronaut, chelsea, coffee, rocket,
  motorcycle; scikit-learn: china, flower);
- ``colour_textures``: 6 kinds = 3 texture families x 2 palettes (warm, cool), hue jittered,
  32-96 px, so colour alone or texture alone does not tell them apart;
- ``photo_regions``: colour patches, 32-96 px, some not square, cut at random scales and flips
  from 7 regions of bundled photographs that differ in weak tints and texture (astronaut's
  face and suit, chelsea's fur, coffee's wooden table, china's temple, flower's petals,
  grace_hopper's face);
- ``small_photo_patches``: colour patches, 24-56 px, zoomed in (scale 0.5-1.5), from 8
  bundled photographs: those of ``photos`` less the motorcycle, plus matplotlib's
  grace_hopper and Minduka (the present, on white);
- ``fashion`` and ``mnist``: 2,000 images of Fashion-MNIST / MNIST (200 a class) from
  ../shared/datasets, resized to 24-64 px, half of them tinted a random colour.

Held out (never tuned on; a check of what was tuned on the folders above):
- ``heldout_textures``: 3,600 grey patches, 24-48 px, of 6 procedural families none of the
  above uses (dot lattices, plaids, cracks, speckle, marble, fibres), own seed stream;
- ``heldout_photos``: 2,400 colour patches, 40-120 px, some not square, from 6 bundled
  photographs none of the above uses (scikit-image: hubble_deep_field, immunohistochemistry, retina,
  motorcycle's right view, camera and cell, the last two grey).
"""

import argparse
import io
import shutil
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".bench-cache" / "eval"
DATASETS = ROOT.parent / "shared" / "datasets"


def _blur(x, sigma):
    from scipy.ndimage import gaussian_filter

    return gaussian_filter(x, sigma, mode="wrap")


def _coords(size, rng):
    """Pixel coordinates rotated by a random angle: (u, v) float arrays of ``size``."""
    h, w = size
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    theta = rng.uniform(0, np.pi)
    return x * np.cos(theta) + y * np.sin(theta), -x * np.sin(theta) + y * np.cos(theta)


def grating(size, rng):
    u, v = _coords(size, rng)
    period = rng.uniform(4, 16)
    wobble = _blur(rng.normal(size=size), 4) * rng.uniform(0, 8)
    return np.sin(2 * np.pi * u / period + wobble)


def blobs(size, rng):
    h, w = size
    radius = rng.uniform(1.5, 5)
    n = int(h * w / (radius**2 * rng.uniform(6, 14)))
    cy, cx = rng.uniform(0, h, n), rng.uniform(0, w, n)
    y, x = np.mgrid[0:h, 0:w]
    d2 = np.min((y[..., None] - cy) ** 2 + (x[..., None] - cx) ** 2, axis=-1)
    return (d2 < radius**2).astype(np.float64) + 0.1 * rng.normal(size=size)


def clouds(size, rng):
    return _blur(rng.normal(size=size), rng.uniform(2, 6))


def checks(size, rng):
    u, v = _coords(size, rng)
    period = rng.uniform(5, 16)
    return np.sign(np.sin(np.pi * u / period) * np.sin(np.pi * v / period)) + 0.2 * rng.normal(
        size=size
    )


def grain(size, rng):
    return _blur(rng.normal(size=size), rng.uniform(0.3, 0.9))


def cells(size, rng):
    h, w = size
    n = max(3, int(h * w / rng.uniform(60, 250)))
    cy, cx = rng.uniform(0, h, n), rng.uniform(0, w, n)
    y, x = np.mgrid[0:h, 0:w]
    d = np.sort((y[..., None] - cy) ** 2 + (x[..., None] - cx) ** 2, axis=-1)
    return -np.clip(np.sqrt(d[..., 1]) - np.sqrt(d[..., 0]), 0, 3)


def streaks(size, rng):
    from scipy.ndimage import gaussian_filter, rotate

    side = int(max(size) * 1.5) + 4
    noise = gaussian_filter(rng.normal(size=(side, side)), (rng.uniform(0.5, 1.2), 6))
    noise = rotate(noise, rng.uniform(0, 180), reshape=False, mode="wrap")
    top, left = (side - size[0]) // 2, (side - size[1]) // 2
    return noise[top : top + size[0], left : left + size[1]]


GREY_FAMILIES = {
    "gratings": grating,
    "blobs": blobs,
    "clouds": clouds,
    "checks": checks,
    "grain": grain,
    "cells": cells,
    "streaks": streaks,
}


def lattice_dots(size, rng):
    u, v = _coords(size, rng)
    period, radius = rng.uniform(4, 12), rng.uniform(0.2, 0.4)
    du = (u / period) % 1 - 0.5
    dv = (v / period) % 1 - 0.5
    return (np.hypot(du, dv) < radius).astype(np.float64) + 0.15 * rng.normal(size=size)


def plaid(size, rng):
    u, v = _coords(size, rng)
    p1, p2 = rng.uniform(4, 14, size=2)
    return np.sin(2 * np.pi * u / p1) + rng.uniform(0.4, 1) * np.sin(2 * np.pi * v / p2)


def cracks(size, rng):
    field = _blur(rng.normal(size=size), rng.uniform(2, 5))
    return -np.exp(-np.abs(field) / (field.std() * rng.uniform(0.05, 0.15)))


def speckle(size, rng):
    dots = (rng.random(size) < rng.uniform(0.01, 0.05)).astype(np.float64)
    return _blur(dots, rng.uniform(0.5, 1.2)) + 0.02 * rng.normal(size=size)


def marble(size, rng):
    u, _ = _coords(size, rng)
    turbulence = _blur(rng.normal(size=size), rng.uniform(3, 8)) * rng.uniform(20, 40)
    return np.sin(2 * np.pi * u / rng.uniform(10, 24) + turbulence)


def fibres(size, rng):
    h, w = size
    out = np.zeros(size)
    t = np.linspace(-1, 1, 24)
    for _ in range(int(h * w / rng.uniform(30, 60))):
        cy, cx, theta = rng.uniform(0, h), rng.uniform(0, w), rng.uniform(0, np.pi)
        length = rng.uniform(4, 10)
        ys = np.clip((cy + t * length * np.sin(theta)).astype(int), 0, h - 1)
        xs = np.clip((cx + t * length * np.cos(theta)).astype(int), 0, w - 1)
        out[ys, xs] = 1.0
    return _blur(out, 0.6)


HELDOUT_FAMILIES = {
    "dots": lattice_dots,
    "plaid": plaid,
    "cracks": cracks,
    "speckle": speckle,
    "marble": marble,
    "fibres": fibres,
}


def _to_uint8(x, rng):
    """Standardised ``x`` at a random contrast and brightness, as uint8."""
    x = (x - x.mean()) / (x.std() + 1e-9)
    x = x * rng.uniform(20, 60) + rng.uniform(70, 185)
    return np.clip(x, 0, 255).round().astype(np.uint8)


def _save(pixels, path_stem, rng):
    """PNG or JPEG (quality 70-95), at random."""
    from PIL import Image

    img = Image.fromarray(pixels)
    if rng.random() < 0.5:
        img.save(f"{path_stem}.png")
    else:
        img.save(f"{path_stem}.jpg", quality=int(rng.integers(70, 96)))


def build_textures(out, rng, per_kind=250):
    for kind, fn in GREY_FAMILIES.items():
        (out / kind).mkdir(parents=True)
        for i in range(per_kind):
            side = int(rng.integers(24, 65))
            _save(_to_uint8(fn((side, side), rng), rng), out / kind / f"{i:04d}", rng)


def _bundled_photos(names):
    """uint8 photographs shipped by scikit-image and scikit-learn (no network)."""
    import skimage.data
    from sklearn.datasets import load_sample_image

    photos = {}
    for name in names:
        if name in ("china", "flower"):
            photos[name] = load_sample_image(f"{name}.jpg")
        elif name == "motorcycle":
            photos[name] = skimage.data.stereo_motorcycle()[0]
        elif name == "motorcycle_right":
            photos[name] = skimage.data.stereo_motorcycle()[1]
        elif name in ("grace_hopper", "minduka"):
            from matplotlib import cbook
            from PIL import Image

            file = {"grace_hopper": "grace_hopper.jpg", "minduka": "Minduka_Present_Blue_Pack.png"}
            img = Image.open(cbook.get_sample_data(file[name], asfileobj=False))
            if img.mode == "RGBA":  # the present on white
                img = Image.alpha_composite(Image.new("RGBA", img.size, "white"), img)
            photos[name] = np.asarray(img.convert("RGB"))
        elif name == "retina":  # the disc's inside (no black border)
            photos[name] = skimage.data.retina()[300:1100, 300:1100]
        else:
            photos[name] = np.asarray(getattr(skimage.data, name)())
    return photos


def _patch(photo, side_hw, rng, min_scale, max_scale):
    """A random crop of ``photo`` covering ``scale`` x the output size, resized, flipped."""
    from PIL import Image

    h, w = side_hw
    scale = rng.uniform(min_scale, max_scale)
    ch, cw = min(int(h * scale), photo.shape[0]), min(int(w * scale), photo.shape[1])
    top = int(rng.integers(0, photo.shape[0] - ch + 1))
    left = int(rng.integers(0, photo.shape[1] - cw + 1))
    crop = Image.fromarray(photo[top : top + ch, left : left + cw]).resize((w, h), Image.LANCZOS)
    pixels = np.asarray(crop)
    if rng.random() < 0.5:
        pixels = pixels[:, ::-1]
    return np.ascontiguousarray(pixels)


def _save_patches(folder, photo, rng, per_kind, sides, scales, tall=False):
    """``per_kind`` patches of ``photo``, sides drawn from ``sides``; 30% get an aspect ratio
    of 0.75-1.33, stretching the width (or, with ``tall``, the height)."""
    folder.mkdir(parents=True)
    for i in range(per_kind):
        side = int(rng.integers(*sides))
        aspect = rng.uniform(0.75, 1.33) if rng.random() < 0.3 else 1.0
        hw = (side, max(24, int(side * aspect)))
        _save(_patch(photo, hw[::-1] if tall else hw, rng, *scales), folder / f"{i:04d}", rng)


def build_photos(out, rng, per_kind=300):
    names = ["astronaut", "chelsea", "coffee", "rocket", "motorcycle", "china", "flower"]
    for kind, photo in _bundled_photos(names).items():
        _save_patches(out / kind, photo, rng, per_kind, (40, 121), (0.6, 2.5))


def build_grey_photo_textures(out, rng, per_kind=300):
    names = ["brick", "grass", "gravel", "coins", "moon", "page"]
    for kind, photo in _bundled_photos(names).items():
        (out / kind).mkdir(parents=True)
        for i in range(per_kind):
            side = int(rng.integers(24, 49))
            pixels = np.rot90(_patch(photo, (side, side), rng, 0.8, 2.0), int(rng.integers(4)))
            _save(np.ascontiguousarray(pixels), out / kind / f"{i:04d}", rng)


# photo_regions: (photograph, rows, columns) of each kind
REGIONS = {
    "astronaut_face": ("astronaut", (30, 200), (165, 295)),
    "astronaut_suit": ("astronaut", (250, 500), (20, 220)),
    "chelsea_fur": ("chelsea", (0, 300), (0, 140)),
    "coffee_table": ("coffee", (0, 400), (0, 90)),
    "china_temple": ("china", (60, 380), (60, 300)),
    "flower_petals": ("flower", (140, 320), (240, 420)),
    "grace_face": ("grace_hopper", (130, 330), (160, 340)),
}


def build_photo_regions(out, rng, per_kind=300):
    photos = _bundled_photos(sorted({photo for photo, _, _ in REGIONS.values()}))
    for kind, (name, (top, bottom), (left, right)) in REGIONS.items():
        region = photos[name][top:bottom, left:right]
        _save_patches(out / kind, region, rng, per_kind, (32, 97), (0.5, 2.0))


def build_small_photo_patches(out, rng, per_kind=300):
    names = ["astronaut", "chelsea", "coffee", "rocket", "china", "flower", "grace_hopper"]
    for kind, photo in _bundled_photos(names + ["minduka"]).items():
        (out / kind).mkdir(parents=True)
        for i in range(per_kind):
            side = int(rng.integers(24, 57))
            _save(_patch(photo, (side, side), rng, 0.5, 1.5), out / kind / f"{i:04d}", rng)


def build_heldout_textures(out, rng, per_kind=600):
    for kind, fn in HELDOUT_FAMILIES.items():
        (out / kind).mkdir(parents=True)
        for i in range(per_kind):
            side = int(rng.integers(24, 49))
            _save(_to_uint8(fn((side, side), rng), rng), out / kind / f"{i:04d}", rng)


def build_heldout_photos(out, rng, per_kind=400):
    names = [
        "hubble_deep_field",
        "immunohistochemistry",
        "retina",
        "motorcycle_right",
        "camera",
        "cell",
    ]
    for kind, photo in _bundled_photos(names).items():
        if photo.ndim == 2:
            photo = np.repeat(photo[..., None], 3, axis=2)
        _save_patches(out / kind, photo, rng, per_kind, (40, 121), (0.5, 2.0), tall=True)


PALETTES = {"warm": (0.0, 0.12), "cool": (0.45, 0.7)}  # hue ranges (0-1)


def _colourise(x, hue_range, rng):
    """Grey texture ``x`` mapped between two colours of hues drawn from ``hue_range``."""
    from matplotlib.colors import hsv_to_rgb

    t = (x - x.min()) / (np.ptp(x) + 1e-9)
    h1, h2 = rng.uniform(*hue_range, size=2)
    dark = hsv_to_rgb([h1, rng.uniform(0.5, 1), rng.uniform(0.15, 0.45)])
    light = hsv_to_rgb([h2, rng.uniform(0.3, 0.9), rng.uniform(0.7, 1)])
    rgb = dark + t[..., None] * (light - dark)
    return np.clip(rgb * 255, 0, 255).round().astype(np.uint8)


def build_colour_textures(out, rng, per_kind=300):
    for family in ("gratings", "blobs", "clouds"):
        for palette, hues in PALETTES.items():
            kind = f"{family}_{palette}"
            (out / kind).mkdir(parents=True)
            for i in range(per_kind):
                side = int(rng.integers(32, 97))
                x = GREY_FAMILIES[family]((side, side), rng)
                _save(_colourise(x, hues, rng), out / kind / f"{i:04d}", rng)


def _hub_images(dataset, per_class, rng):
    import pyarrow.parquet as pq
    from PIL import Image

    table = pq.read_table(next((DATASETS / dataset / dataset).glob("train-*.parquet")))
    labels = table.column("label").to_numpy()
    encoded = table.column("image").combine_chunks().field("bytes")
    for label in np.unique(labels):
        rows = rng.choice(np.flatnonzero(labels == label), per_class, replace=False)
        for row in rows:
            yield int(label), np.asarray(Image.open(io.BytesIO(encoded[int(row)].as_py())))


def _build_hub(dataset, out, rng, per_class=200):
    from PIL import Image

    for i, (label, pixels) in enumerate(_hub_images(dataset, per_class, rng)):
        folder = out / f"class_{label}"
        folder.mkdir(parents=True, exist_ok=True)
        side = int(rng.integers(24, 65))
        img = np.asarray(Image.fromarray(pixels).resize((side, side), Image.BICUBIC))
        if rng.random() < 0.5:
            tint = rng.uniform(0.3, 1.0, size=3)
            img = (img[..., None] * tint).round().astype(np.uint8)
        _save(img, folder / f"{i:05d}", rng)


BUILDERS = {
    "textures": build_textures,
    "grey_photo_textures": build_grey_photo_textures,
    "photos": build_photos,
    "colour_textures": build_colour_textures,
    "fashion": lambda out, rng: _build_hub("fashion_mnist", out, rng),
    "mnist": lambda out, rng: _build_hub("mnist", out, rng),
    "heldout_textures": build_heldout_textures,
    "heldout_photos": build_heldout_photos,
    "photo_regions": build_photo_regions,
    "small_photo_patches": build_small_photo_patches,
}
HELDOUT = ("heldout_textures", "heldout_photos")  # a check: never tuned on
# each folder's random stream: [seed, its number], fixed so that adding a folder rebuilds
# none of the others (the first six sorted by name, the held-out ones 100+, later ones 200+)
STREAMS = {
    "colour_textures": 0,
    "fashion": 1,
    "grey_photo_textures": 2,
    "mnist": 3,
    "photos": 4,
    "textures": 5,
    "heldout_textures": 100,
    "heldout_photos": 101,
    "photo_regions": 200,
    "small_photo_patches": 201,
}


def build(name, seed=0, cache=CACHE):
    """The folder ``name`` for ``seed`` (built on first use): its path."""
    if name not in BUILDERS:
        raise ValueError(f"unknown evaluation folder {name!r}; one of {sorted(BUILDERS)}")
    out = Path(cache) / f"{name}-s{seed}"
    if (out / "done").exists():
        return out
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    offset = STREAMS[name]
    BUILDERS[name](out, np.random.default_rng([seed, offset]))
    (out / "done").write_text("")
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--names", nargs="+", default=list(BUILDERS))
    args = parser.parse_args()
    for name in args.names:
        path = build(name, args.seed)
        kinds = sorted(p.name for p in path.iterdir() if p.is_dir())
        count = sum(len(list((path / k).iterdir())) for k in kinds)
        print(f"{name}: {count} images, {len(kinds)} kinds ({', '.join(kinds)}) in {path}")
