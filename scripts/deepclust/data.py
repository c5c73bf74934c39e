"""Load an image dataset in Hugging Face Hub layout into plain numpy arrays."""

import hashlib
import io
from pathlib import Path

import numpy as np

NO_LABEL = -1


class DatasetError(ValueError):
    """The dataset source, its splits, columns or images are not usable."""


def decode_images(encoded, n_jobs=1):
    """Decode a sequence of PNG/JPEG byte strings into one uint8 array.

    Returns ``(N, H, W)`` for grayscale images and ``(N, H, W, 3)`` for colour ones.
    Raises DatasetError naming the first image that is not decodable or whose
    size or colour mode differs from the others. ``n_jobs`` > 1 decodes large inputs
    in that many forked processes (PIL holds the GIL, so threads do not help).
    """
    if len(encoded) == 0:
        raise DatasetError("the dataset has no images")
    if n_jobs <= 1 or len(encoded) < 10_000:
        return _decode_range(encoded, 0)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    bounds = np.linspace(0, len(encoded), n_jobs + 1).astype(int)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(n_jobs, mp_context=context) as pool:
        parts = list(pool.map(_decode_range, [encoded[a:b] for a, b in zip(bounds, bounds[1:])], bounds[:-1]))
    for part, start in zip(parts[1:], bounds[1:]):
        if part.shape[1:] != parts[0].shape[1:]:
            raise DatasetError(_mixed_sizes(0, parts[0].shape[1:], start, part.shape[1:]))
    return np.concatenate(parts)


def _decode_range(encoded, offset):
    """Decode ``encoded``; error messages count images from ``offset``."""
    from PIL import Image, UnidentifiedImageError

    out = None
    for i, data in enumerate(encoded, start=offset):
        try:
            img = Image.open(io.BytesIO(data))
            if img.mode not in ("L", "RGB"):
                img = img.convert("L" if img.mode in ("1", "I", "I;16", "F") else "RGB")
            pixels = np.asarray(img)
        except (UnidentifiedImageError, OSError, TypeError) as err:
            raise DatasetError(f"image {i} cannot be decoded as an image: {err}") from None
        if out is None:
            out = np.empty((len(encoded),) + pixels.shape, dtype=np.uint8)
        elif pixels.shape != out.shape[1:]:
            raise DatasetError(_mixed_sizes(offset, out.shape[1:], i, pixels.shape))
        out[i - offset] = pixels
    return out


def _mixed_sizes(i, shape_i, j, shape_j):
    return (
        f"images have mixed sizes: image {i} is {_shape(shape_i)}, "
        f"image {j} is {_shape(shape_j)}; resize them to one size first"
    )


def _shape(shape):
    return "x".join(map(str, shape[:2])) + (f"x{shape[2]}" if len(shape) > 2 else " grayscale")


def _encoded_images(table, column):
    """The raw bytes of an ``Image`` column of an arrow table (no per-row formatter)."""
    values = table.column(column).combine_chunks()
    if not hasattr(values, "field") or values.type.get_field_index("bytes") < 0:
        raise DatasetError(
            f"column {column!r} does not hold images (its type is {values.type}); "
            "choose the image column with image_column"
        )
    encoded = values.field("bytes").to_pylist()
    paths = values.field("path").to_pylist() if values.type.get_field_index("path") >= 0 else []
    for i, data in enumerate(encoded):
        if data is None:
            if i < len(paths) and paths[i]:
                encoded[i] = Path(paths[i]).read_bytes()
            else:
                raise DatasetError(f"image {i} of column {column!r} is empty")
    return encoded


def open_hub_dataset(source, cache_dir=None):
    """``datasets.load_dataset(source)`` with errors that say what went wrong."""
    import datasets

    local = Path(source).expanduser()
    if source.startswith((".", "/", "~")) and not local.exists():
        raise DatasetError(f"dataset source {source!r} does not exist (no such folder)")
    try:
        return datasets.load_dataset(str(local) if local.exists() else source, cache_dir=cache_dir)
    except Exception as err:  # the library raises many types for one cause
        raise DatasetError(
            f"could not load dataset source {source!r} ({type(err).__name__}: {err}). "
            "If it is a Hub id, check the name and that the Hugging Face Hub can be reached; "
            "otherwise point source at a local folder in Hub layout."
        ) from None


def load_image_dataset(source, splits, image_column, label_column, limit=None, cache_dir=None, n_jobs=1):
    """Read the named splits of a Hub-layout dataset, in order, as numpy arrays.

    Returns ``(images, labels, class_names)``: uint8 ``(N, H, W[, 3])``, int64 ``(N,)``
    (``NO_LABEL`` everywhere when ``label_column`` is None) and a list of str.
    ``limit`` keeps the first N images over the concatenated splits; ``n_jobs``
    processes decode the images.
    """
    if limit is not None and limit < 1:
        raise DatasetError(f"limit must be a positive number of images, got {limit}")
    dataset = open_hub_dataset(source, cache_dir)
    missing = [s for s in splits if s not in dataset]
    if missing:
        raise DatasetError(
            f"split(s) {missing} not in dataset {source!r}; it has: {sorted(dataset)}"
        )
    encoded, labels, class_names = [], [], None
    for name in splits:
        split = dataset[name]
        if limit is not None:
            split = split.select(range(min(len(split), limit - len(encoded))))
        for column in (image_column, label_column):
            if column is not None and column not in split.column_names:
                raise DatasetError(
                    f"column {column!r} not in split {name!r} of {source!r}; "
                    f"columns there: {split.column_names}"
                )
        table = split.with_format("arrow")[:]
        encoded += _encoded_images(table, image_column)
        if label_column is not None:
            labels.append(table.column(label_column).to_numpy())
            class_names = class_names or _class_names(split.features[label_column], labels)
        if limit is not None and len(encoded) >= limit:
            break
    images = decode_images(encoded, n_jobs)
    if label_column is None:
        return images, np.full(len(images), NO_LABEL, dtype=np.int64), []
    labels = np.concatenate(labels)
    if not np.issubdtype(labels.dtype, np.integer):
        raise DatasetError(
            f"label column {label_column!r} holds {labels.dtype} values, expected integer class ids"
        )
    return images, labels.astype(np.int64), class_names


def _class_names(feature, labels):
    names = getattr(feature, "names", None)
    if names:
        return [str(n) for n in names]
    return [str(v) for v in np.unique(np.concatenate(labels))]


def fingerprint(*arrays):
    """Short sha256 over the bytes, dtypes and shapes of arrays."""
    digest = hashlib.sha256()
    for array in arrays:
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()[:16]
