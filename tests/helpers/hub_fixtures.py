"""Build small datasets in Hugging Face Hub layout (parquet + dataset card) for tests."""

import io
from pathlib import Path

import numpy as np


def png_bytes(image):
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


def write_hub_dataset(folder, splits, label_names=None, image_column="image", label_column="label"):
    """Write ``{split: (images uint8, labels or None)}`` as
    ``folder/data/<split>-00000-of-00001.parquet``.

    Images become PNG bytes in an ``Image`` feature; labels a ``ClassLabel`` when names are given.
    """
    import datasets

    folder = Path(folder)
    (folder / "data").mkdir(parents=True, exist_ok=True)
    for split, (images, labels) in splits.items():
        columns = {image_column: [{"bytes": png_bytes(im), "path": None} for im in images]}
        features = {image_column: datasets.Image()}
        if labels is not None:
            columns[label_column] = [int(v) for v in labels]
            features[label_column] = (
                datasets.ClassLabel(names=label_names) if label_names else datasets.Value("int64")
            )
        table = datasets.Dataset.from_dict(columns, features=datasets.Features(features))
        table.to_parquet(folder / "data" / f"{split}-00000-of-00001.parquet")
    return folder


def digits_as_mnist(n=None):
    """scikit-learn's 8x8 digits upscaled to 28x28 uint8 (nearest neighbour, padded)."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = digits.images[:n] if n else digits.images
    big = np.kron(images, np.ones((3, 3)))  # 24 x 24
    big = np.pad(big, ((0, 0), (2, 2), (2, 2)))
    return (big * (255 / 16)).round().astype(np.uint8), digits.target[: len(images)]


def write_digits_dataset(folder):
    """A 1,797-image MNIST stand-in: train 1,497 and test 300, labels '0'..'9'."""
    images, labels = digits_as_mnist()
    return write_hub_dataset(
        folder,
        {"train": (images[:1497], labels[:1497]), "test": (images[1497:], labels[1497:])},
        label_names=[str(i) for i in range(10)],
    )


def resized_subset(source, n, size, split="train"):
    """The first ``n`` images of a local Hub-layout dataset (e.g. ../shared/datasets/mnist),
    resized to ``size`` x ``size`` (PIL's area-averaging box filter), their labels and class
    names."""
    from PIL import Image

    from deepclust.sources.decode import load_image_dataset

    images, labels, names = load_image_dataset(str(source), [split], "image", "label", limit=n)
    small = np.stack(
        [
            np.asarray(Image.fromarray(im).resize((size, size), Image.Resampling.BOX))
            for im in images
        ]
    )
    return small, labels, names


def write_small_dataset(folder, name, shared):
    """One of the small-image test sets in Hub layout (train split only): ``digits8``
    (scikit-learn's 1,797 8x8 digits), ``mnist16`` / ``fashion16`` (the first 5,000 images
    resized to 16x16), ``mnist8`` (the first 2,000 resized to 8x8). ``shared``: the
    folder holding the local ``mnist`` and ``fashion_mnist`` copies."""
    if name == "digits8":
        from sklearn.datasets import load_digits

        digits = load_digits()
        images, labels = (digits.images * (255 / 16)).round().astype(np.uint8), digits.target
        names = [str(i) for i in range(10)]
    else:
        source, n, size = {
            "mnist16": ("mnist", 5000, 16),
            "fashion16": ("fashion_mnist", 5000, 16),
            "mnist8": ("mnist", 2000, 8),
        }[name]
        images, labels, names = resized_subset(Path(shared) / source, n, size)
    return write_hub_dataset(folder, {"train": (images, labels)}, label_names=names)
