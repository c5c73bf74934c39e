"""Build folders of image files for tests: mixed sizes, formats and modes, odd files."""

from pathlib import Path

import numpy as np

from hub_fixtures import digits_as_mnist

# A name a user's folder, file or class could have: every character that a shell, make, TSV
# or HTML would act on, and non-Latin letters.
HOSTILE = (
    'we\'ird "$HOME" `touch PWNED1` $(touch PWNED2) $(shell touch PWNED3) ${X} '
    "<img src=x onerror=alert(1)> &amp; a\tb ä漢\nline 2"
)


def nothing_ran(*folders):
    """No file named PWNED* in ``folders`` (a command in :data:`HOSTILE` would have made one)."""
    return not [p for f in folders for p in Path(f).rglob("PWNED*")]


def save(path, image, **kwargs):
    """Save a uint8 (or uint16) array with Pillow; the suffix picks the format."""
    from PIL import Image

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(image).save(path, **kwargs)
    return path


def mixed_digit_folder(folder, n, seed=0, labelled=True):
    """``n`` digits (scikit-learn's, upscaled) saved at random sizes (20-48 px, not always
    square), half grey and half RGB, as PNG and JPEG, in class subfolders ``digit_<k>``
    (or flat when not ``labelled``). Returns the folder and the labels in file order."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    images, labels = digits_as_mnist(n)
    folder = Path(folder)
    for i, (image, label) in enumerate(zip(images, labels)):
        h, w = rng.integers(20, 49, size=2)
        pixels = np.asarray(Image.fromarray(image).resize((int(w), int(h))))
        if i % 2:
            pixels = np.stack([pixels, pixels // 2, 255 - pixels], axis=-1)
        suffix = ".png" if i % 3 else ".jpg"
        sub = f"digit_{label}/" if labelled else ""
        save(folder / f"{sub}img{i:05d}{suffix}", pixels, **({"quality": 95} if i % 3 == 0 else {}))
    order = sorted(range(n), key=lambda i: (f"digit_{labels[i]}" if labelled else "", i))
    return folder, labels[order]


def truncated_jpeg(path, size=(64, 64)):
    """A JPEG of noise cut after 60% of its bytes: its header reads, its pixels do not."""
    noise = np.random.default_rng(0).integers(0, 256, size, dtype=np.uint8)
    good = save(Path(path).with_suffix(".tmp.jpg"), noise, quality=95)
    data = good.read_bytes()
    good.unlink()
    Path(path).write_bytes(data[: len(data) * 6 // 10])
    return Path(path)


def folder_with_copies(folder, n, seed=0):
    """``n`` digits as flat PNG files, and copies of some of them planted among them: resized
    (up and down) and saved again as JPEG, and one byte-for-byte copy. Returns the folder
    and ``{copy file: original file}`` (names relative to the folder)."""
    import shutil

    from PIL import Image

    images, _ = digits_as_mnist(n)
    folder = Path(folder)
    for i, image in enumerate(images):
        save(folder / f"img{i:04d}.png", image)
    rng = np.random.default_rng(seed)
    planted = {}
    for k, i in enumerate(rng.choice(n, size=5, replace=False).tolist()):
        original = f"img{i:04d}.png"
        if k == 0:
            copy = f"copy{k}_exact.png"
            shutil.copyfile(folder / original, folder / copy)
        else:
            side = (20, 40, 56, 36)[k - 1]
            pixels = np.asarray(Image.fromarray(images[i]).resize((side, side), Image.BILINEAR))
            copy = f"copy{k}_{side}px.jpg"
            save(folder / copy, pixels, quality=85)
        planted[copy] = original
    return folder, planted
