"""One image at a time: open it, say what it is (size, mode), and fit it to the dataset's
size and channels. Pillow does the work: ``ImageOps.exif_transpose`` (orientation),
``ImageOps.pad`` / ``ImageOps.fit`` / ``Image.resize`` (the three fits), ``Image.draft``
(a large JPEG decoded at a reduced scale). The dataset-wide choices (choose_size,
choose_channels) are numpy in, numbers out.
"""

import io
from collections import Counter
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

GREY_MODES = {"1", "L", "LA", "I", "F", "I;16", "I;16L", "I;16B", "I;16N"}
FITS = ("pad", "crop", "stretch")
ORIENTATION_TAG = 0x0112  # EXIF orientation; 5-8 swap width and height
_TRANSPOSED = {5, 6, 7, 8}


class ImageError(ValueError):
    """An image that cannot be decoded; the message says why."""


@dataclass(frozen=True)
class ImageInfo:
    """What an image's header says: its upright size, its mode and whether it is grey."""

    height: int
    width: int
    mode: str
    grey: bool


@dataclass(frozen=True)
class Target:
    """The size and channels every image is fitted to, and how."""

    height: int
    width: int
    channels: int  # 1 (grey) or 3 (RGB)
    fit: str  # one of FITS

    @property
    def shape(self):
        return (self.height, self.width) if self.channels == 1 else (self.height, self.width, 3)


def open_image(item):
    """A lazily decoded PIL image from a file path or the bytes of an encoded image."""
    try:
        return Image.open(io.BytesIO(item) if isinstance(item, bytes) else item)
    except (UnidentifiedImageError, OSError, ValueError, TypeError) as err:
        raise ImageError(_reason(err)) from None


def _reason(err):
    text = str(err) or type(err).__name__
    if "cannot identify image file" in text:
        return "not an image Pillow can read (unknown or damaged format)"
    return text


def orientation(img):
    """The EXIF orientation (1-8; 1 when absent), read without decoding the pixels.

    JPEG, WebP and PNG files with their EXIF block before the pixels carry it in
    ``img.info``; TIFF in its tags. A PNG eXIf chunk after the pixels is not seen.
    """
    if "exif" not in img.info and getattr(img, "tag_v2", None) is None:
        return 1
    try:
        value = img.getexif().get(ORIENTATION_TAG, 1)
    except Exception:  # a damaged EXIF block: the pixels may still be fine
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def is_grey(img):
    """Whether an image holds grey values only: a grey mode, or a palette of greys."""
    if img.mode in GREY_MODES:
        return True
    if img.mode in ("P", "PA"):
        palette = np.asarray(img.getpalette() or [], dtype=np.int16)
        rgb = palette[: len(palette) // 3 * 3].reshape(-1, 3)
        return bool(len(rgb)) and bool((rgb == rgb[:, :1]).all())
    return False


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# PNG colour type -> (Pillow mode at 8 bits, grey); palettes (3) are left to Pillow
_PNG_MODES = {0: ("L", True), 2: ("RGB", False), 4: ("LA", True), 6: ("RGBA", False)}


def _png_info(data):
    """ImageInfo read straight from a PNG's IHDR chunk, or None when Pillow must look
    (not a PNG, a palette, an EXIF chunk that may turn it, an odd bit depth)."""
    if data[:8] != PNG_SIGNATURE or data[12:16] != b"IHDR" or b"eXIf" in data:
        return None
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    depth, colour = data[24], data[25]
    if colour not in _PNG_MODES or depth not in (8, 16):
        return None
    mode, grey = _PNG_MODES[colour]
    if depth == 16:
        if colour != 0:
            return None
        mode = "I;16"
    return ImageInfo(height, width, mode, grey)


def image_info(item):
    """ImageInfo of a path or encoded bytes from the header alone (no pixel decoding);
    the bytes of a plain PNG are read directly (about 20 times faster than Pillow)."""
    if isinstance(item, bytes):
        info = _png_info(item)
        if info is not None:
            return info
    img = open_image(item)
    width, height = img.size
    if orientation(img) in _TRANSPOSED:
        width, height = height, width
    return ImageInfo(height, width, img.mode, is_grey(img))


def choose_size(heights, widths, max_side):
    """The size ``(H, W)`` images of these sizes are fitted to, and why, in words.

    The most common size when at least half of the images have it (a dataset of one size
    keeps it); otherwise a square whose side is the median of the images' shorter sides.
    Either is scaled down, aspect kept, until its longer side is at most ``max_side``.
    """
    heights, widths = np.asarray(heights, int), np.asarray(widths, int)
    if len(heights) == 0:
        raise ValueError("no image sizes to choose from")
    (h, w), count = Counter(zip(heights.tolist(), widths.tolist())).most_common(1)[0]
    if count * 2 >= len(heights):
        why = f"the most common size ({count} of {len(heights)} images are {h}x{w})"
    else:
        side = int(np.median(np.minimum(heights, widths)))
        h = w = side
        why = f"a square of the median shorter side ({side} px; no size is shared by half)"
    if max(h, w) > max_side:
        scale = max_side / max(h, w)
        h, w = max(1, round(h * scale)), max(1, round(w * scale))
        why += f", scaled down to at most {max_side} px a side"
    return (h, w), why


def choose_channels(grey):
    """1 when every image is grey (``grey`` a bool array), else 3; and why, in words."""
    grey = np.asarray(grey, bool)
    if grey.all():
        return 1, "every image is grey"
    return 3, f"{int((~grey).sum())} of {len(grey)} images are in colour"


def fitted(item, target):
    """The pixels of a path or encoded bytes fitted to ``target``: uint8 ``target.shape``.

    Upright by its EXIF orientation; 16-bit and float grey scaled to 0-255; transparent
    pixels composited over black; then resized to the target by ``target.fit``: ``pad``
    keeps the aspect and pads with black, ``crop`` keeps the aspect and cuts the centre,
    ``stretch`` resizes to the target's aspect. Raises ImageError naming what failed.
    """
    img = open_image(item)
    try:
        if img.format == "JPEG" and max(img.size) > 2 * max(target.height, target.width):
            img.draft(img.mode, (2 * target.width, 2 * target.height))  # decode at 1/2-1/8
        img.load()
        img = _upright(img)
        img = _as_mode(img, "L" if target.channels == 1 else "RGB")
        img = _resized(img, target)
        pixels = np.asarray(img, dtype=np.uint8)
    except (OSError, ValueError, SyntaxError, EOFError) as err:  # truncated or damaged data
        raise ImageError(_reason(err)) from None
    return pixels


def _upright(img):
    return ImageOps.exif_transpose(img) if orientation(img) != 1 else img


def _as_mode(img, mode):
    """``img`` in mode L or RGB: high-bit-depth grey scaled, transparency over black."""
    if img.mode in ("I", "F") or img.mode.startswith("I;16"):
        values = np.asarray(img).astype(np.float64)
        top = 255.0 if values.max(initial=0) <= 255 else 65535.0
        img = Image.fromarray(np.clip(values * (255.0 / top), 0, 255).round().astype(np.uint8))
    if img.mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
    if img.mode in ("RGBA", "LA", "PA", "La", "RGBa"):
        rgba = img.convert("RGBA")
        black = Image.new("RGBA", rgba.size, (0, 0, 0, 255))
        img = Image.alpha_composite(black, rgba)
    return img if img.mode == mode else img.convert(mode)


def _resized(img, target):
    size = (target.width, target.height)
    if img.size == size:
        return img
    lanczos = Image.Resampling.LANCZOS
    if target.fit == "pad":
        return ImageOps.pad(img, size, lanczos, color=0)
    if target.fit == "crop":
        return ImageOps.fit(img, size, lanczos)
    if target.fit == "stretch":
        return img.resize(size, lanczos)
    raise ValueError(f"fit must be one of {', '.join(FITS)}, got {target.fit!r}")
