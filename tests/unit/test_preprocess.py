"""Deskewing: known slants removed, centring, blank and colour images, real MNIST."""

import numpy as np
import pytest

from deepclust.preprocess import deskew, slant


def slanted_bar(slope, centre_col=14.0, size=28):
    """A 1-pixel-wide stroke ``col = centre_col + slope * (row - 14)`` over rows 4..24."""
    image = np.zeros((size, size), np.uint8)
    for row in range(4, 25):
        col = centre_col + slope * (row - 14)
        left = int(np.floor(col))
        frac = col - left
        image[row, left] = round(255 * (1 - frac))
        if frac:
            image[row, left + 1] = round(255 * frac)
    return image


def centre_of_mass(image):
    rows, cols = np.indices(image.shape)
    total = image.sum()
    return (rows * image).sum() / total, (cols * image).sum() / total


@pytest.mark.parametrize("slope", [-0.4, -0.15, 0.2, 0.5])
def test_a_slanted_stroke_becomes_upright_and_centred(slope):
    image = slanted_bar(slope)
    assert abs(slant(image[None])[0] - slope) < 0.02  # the moments measure the slope
    out = deskew(image[None])[0]
    assert abs(slant(out[None])[0]) < 0.02
    cols = np.flatnonzero(out.sum(axis=0) > 0)
    assert cols.max() - cols.min() <= 2, "the stroke should occupy one or two columns"
    r, c = centre_of_mass(out.astype(float))
    assert abs(r - 14) < 0.6 and abs(c - 14) < 0.6
    assert abs(int(out.sum()) - int(image.sum())) < 0.03 * image.sum()  # ink is kept


def test_an_off_centre_blob_moves_to_the_middle():
    image = np.zeros((28, 28), np.uint8)
    image[3:7, 18:22] = 200
    out = deskew(image[None])[0]
    r, c = centre_of_mass(out.astype(float))
    assert abs(r - 14) < 0.5 and abs(c - 14) < 0.5
    assert int(out.sum()) == int(image.sum())


def test_an_upright_centred_image_is_unchanged_and_blank_stays_blank():
    upright = slanted_bar(0.0)
    upright[:, 14] = 0
    upright[4:25, 14] = 255  # rows 4..24: centre of mass exactly (14, 14)
    blank = np.zeros((28, 28), np.uint8)
    out = deskew(np.stack([upright, blank]))
    np.testing.assert_array_equal(out[0], upright)
    np.testing.assert_array_equal(out[1], blank)


def test_colour_images_get_the_shear_of_their_mean_intensity():
    grey = np.stack([slanted_bar(0.3), slanted_bar(-0.2)])
    rgb = np.repeat(grey[..., None], 3, axis=3)
    out = deskew(rgb)
    assert out.shape == rgb.shape and out.dtype == np.uint8
    for channel in range(3):
        np.testing.assert_array_equal(out[..., channel], deskew(grey))


def test_chunks_do_not_change_the_result():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(50, 12, 10), dtype=np.uint8)
    np.testing.assert_array_equal(deskew(images, chunk_size=7), deskew(images))


def test_only_uint8_images_are_accepted():
    with pytest.raises(ValueError, match="uint8 images"):
        deskew(np.zeros((2, 28, 28), np.float32))
    with pytest.raises(ValueError, match="uint8 images"):
        deskew(np.zeros((28, 28), np.uint8))


def test_real_digits_lose_their_slant(real_mnist):
    """MNIST's handwriting slants (scikit-learn's 8x8 digits barely do: no stand-in)."""
    from deepclust.sources.decode import load_image_dataset

    images, _, _ = load_image_dataset(real_mnist, ["test"], "image", "label", limit=500)
    before, after = np.abs(slant(images)), np.abs(slant(deskew(images)))
    assert before.mean() > 0.15
    assert after.mean() < before.mean() / 10
