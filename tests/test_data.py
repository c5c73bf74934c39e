import numpy as np
import pytest

from deepclust.data import NO_LABEL, DatasetError, decode_images, fingerprint, load_image_dataset
from hub_fixtures import digits_as_mnist, png_bytes, write_hub_dataset


def test_decode_roundtrip_grayscale_and_rgb():
    rng = np.random.default_rng(0)
    gray = rng.integers(0, 256, (3, 5, 4), dtype=np.uint8)
    rgb = rng.integers(0, 256, (2, 5, 4, 3), dtype=np.uint8)
    np.testing.assert_array_equal(decode_images([png_bytes(im) for im in gray]), gray)
    np.testing.assert_array_equal(decode_images([png_bytes(im) for im in rgb]), rgb)


def test_decode_rejects_mixed_sizes_and_non_images():
    a, b = np.zeros((4, 4), np.uint8), np.zeros((5, 4), np.uint8)
    with pytest.raises(DatasetError, match="mixed sizes: image 0 is 4x4 grayscale, image 1 is 5x4"):
        decode_images([png_bytes(a), png_bytes(b)])
    with pytest.raises(DatasetError, match="image 1 cannot be decoded"):
        decode_images([png_bytes(a), b"not a png"])


def test_load_real_mnist_subset(mnist_source, tmp_path):
    images, labels, names = load_image_dataset(mnist_source, ["train"], "image", "label", 50, tmp_path)
    assert images.shape == (50, 28, 28) and images.dtype == np.uint8
    assert labels.dtype == np.int64 and names == [str(i) for i in range(10)]
    if "shared" in mnist_source:  # the dataset card's first ten train labels
        assert labels[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]


def test_limit_spans_splits_in_order(tmp_path):
    images, labels = digits_as_mnist(30)
    src = write_hub_dataset(tmp_path / "ds", {"train": (images[:20], labels[:20]), "test": (images[20:], labels[20:])}, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"])
    got, got_labels, _ = load_image_dataset(str(src), ["train", "test"], "image", "label", 25, tmp_path / "c")
    np.testing.assert_array_equal(got, images[:25])
    np.testing.assert_array_equal(got_labels, labels[:25])


def test_unlabelled_dataset(tmp_path):
    images, _ = digits_as_mnist(10)
    src = write_hub_dataset(tmp_path / "ds", {"train": (images, None)})
    got, labels, names = load_image_dataset(str(src), ["train"], "image", None, None, tmp_path / "c")
    assert len(got) == 10 and (labels == NO_LABEL).all() and names == []


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"source": "./no/such/folder"}, "does not exist"),
        ({"splits": ["train", "validation"]}, r"split\(s\) \['validation'\] not in dataset .* it has: \['test', 'train'\]"),
        ({"image_column": "picture"}, r"column 'picture' not in split 'train'.*columns there: \['image', 'label'\]"),
        ({"label_column": "digit"}, r"column 'digit' not in split"),
        ({"image_column": "label"}, "does not hold images"),
        ({"limit": 0}, "limit must be a positive number"),
    ],
)
def test_clear_errors(mnist_source, tmp_path, kwargs, message):
    args = {"source": mnist_source, "splits": ["train"], "image_column": "image", "label_column": "label", "limit": 5}
    args |= kwargs
    with pytest.raises(DatasetError, match=message):
        load_image_dataset(**args, cache_dir=tmp_path)


def test_fingerprint_sees_values_dtype_and_shape():
    a = np.arange(6, dtype=np.int64)
    assert fingerprint(a) == fingerprint(a.copy())
    assert fingerprint(a) != fingerprint(a.astype(np.int32))
    assert fingerprint(a) != fingerprint(a.reshape(2, 3))
    assert fingerprint(a) != fingerprint(a + 1)


def test_parallel_decoding_matches_serial_and_checks_sizes():
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (12_000, 6, 5), dtype=np.uint8)
    encoded = [png_bytes(im) for im in images]
    np.testing.assert_array_equal(decode_images(encoded, n_jobs=2), images)
    encoded[-1] = png_bytes(np.zeros((7, 5), np.uint8))
    with pytest.raises(DatasetError, match="mixed sizes: image 6000 is 6x5 grayscale, image 11999 is 7x5"):
        decode_images(encoded, n_jobs=2)
    encoded[-1] = png_bytes(np.zeros((6, 5, 3), np.uint8))
    with pytest.raises(DatasetError, match="mixed sizes"):
        decode_images(encoded[:6000] + [encoded[-1]] * 6000, n_jobs=2)
