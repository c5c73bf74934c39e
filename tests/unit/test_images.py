"""Reading folders of image files of any size, mode and format (deepclust.sources: images,
folder, survey, decode)."""

import io

import numpy as np
import pytest

from deepclust.sources.decode import load_image_dataset, skipped_rows, skipped_table, write_fitted
from deepclust.sources.errors import DatasetError
from deepclust.sources.folder import is_image_folder, list_image_folder
from deepclust.sources.images import (
    ImageError,
    Target,
    choose_channels,
    choose_size,
    fitted,
    image_info,
)
from deepclust.sources.open import open_source
from deepclust.sources.survey import choose_target, size_counts, survey
from hub_fixtures import write_hub_dataset
from image_folders import mixed_digit_folder, save, truncated_jpeg

AUTO = {"size": "auto", "max_side": 64, "channels": "auto", "fit": "pad"}


def folder_settings(path, **changes):
    settings = {
        "source": str(path),
        "splits": ["train"],
        "image_column": "image",
        "label_column": "label",
        "limit": None,
    }
    return settings | changes


def read_folder(path, preprocessing=AUTO, on_bad_image="error", n_jobs=1, **changes):
    """Survey and decode a folder as the survey and decode rules do: (images, labels, bad)."""
    source = open_source(folder_settings(path, **changes), None, log=lambda _: None)
    surveyed = survey(source, on_bad_image, n_jobs, log=lambda _: None)
    target, decision = choose_target(surveyed, preprocessing)
    out = path.parent / f"{path.name}.npy"
    values, failed = write_fitted(
        out, source, target, 0, len(source), on_bad_image, n_jobs, log=lambda _: None
    )
    labels = source.labels(values) if source.labelled else None
    return np.load(out), labels, skipped_rows(surveyed, failed), decision


def test_choose_size_keeps_a_common_size_else_the_median_square():
    assert choose_size([28] * 6 + [30] * 4, [28] * 6 + [32] * 4, 64)[0] == (28, 28)
    assert choose_size([20, 30, 40], [60, 30, 45], 64)[0] == (30, 30)
    (h, w), why = choose_size([3000] * 3, [4000] * 3, 64)
    assert (h, w) == (48, 64) and "scaled down to at most 64" in why
    with pytest.raises(ValueError, match="no image sizes"):
        choose_size([], [], 64)


def test_choose_channels_is_grey_only_when_every_image_is():
    assert choose_channels([True, True])[0] == 1
    channels, why = choose_channels([True, False, False])
    assert channels == 3 and why == "2 of 3 images are in colour"


@pytest.mark.parametrize("fit", ["pad", "crop", "stretch"])
def test_each_fit_gives_the_target_shape(tmp_path, fit):
    wide = np.zeros((20, 40), np.uint8)
    wide[:, :20] = 255  # left half white
    path = save(tmp_path / "wide.png", wide)
    out = fitted(str(path), Target(10, 10, 1, fit))
    assert out.shape == (10, 10) and out.dtype == np.uint8
    if fit == "pad":  # whole image kept, black bands above and below
        assert out[0].max() == 0 and out[5, 0] > 200 and out[5, -1] < 50
    if fit == "crop":  # the centre: left half white, right half black
        assert out[5, 0] > 200 and out[5, -1] < 50 and out[0, 0] > 200
    if fit == "stretch":
        assert out[0, 0] > 200 and out[0, -1] < 50


def test_modes_become_grey_or_rgb(tmp_path):
    from PIL import Image

    grey16 = (np.arange(64, dtype=np.uint16).reshape(8, 8) * 1000).astype(np.uint16)
    tiff = save(tmp_path / "deep.tif", grey16)
    info = image_info(str(tiff))
    assert info.grey and info.mode.startswith("I")
    out = fitted(str(tiff), Target(8, 8, 1, "pad"))
    np.testing.assert_array_equal(out, np.round(grey16 / 65535 * 255).astype(np.uint8))

    rgba = np.zeros((6, 6, 4), np.uint8)
    rgba[..., 0] = 200
    rgba[:3, :, 3] = 255  # top half opaque red, bottom transparent
    path = save(tmp_path / "alpha.png", rgba)
    out = fitted(str(path), Target(6, 6, 3, "pad"))
    assert out[0, 0].tolist() == [200, 0, 0] and out[5, 0].tolist() == [0, 0, 0]

    palette = Image.fromarray(np.arange(36, dtype=np.uint8).reshape(6, 6) * 7).convert("P")
    palette.save(tmp_path / "palette.png")
    assert image_info(str(tmp_path / "palette.png")).grey
    colour = Image.new("P", (4, 4))
    colour.putpalette([255, 0, 0] * 256)
    colour.save(tmp_path / "colour.png")
    assert not image_info(str(tmp_path / "colour.png")).grey
    assert fitted(str(tmp_path / "colour.png"), Target(4, 4, 3, "pad"))[0, 0].tolist() == [
        255,
        0,
        0,
    ]


def test_exif_orientation_is_honoured(tmp_path):
    from PIL import Image

    image = np.zeros((10, 20), np.uint8)
    image[:, :5] = 255  # white band on the left of a wide image
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: shown turned 90 degrees clockwise
    path = tmp_path / "rotated.jpg"
    Image.fromarray(image).save(path, exif=exif, quality=95)
    info = image_info(str(path))
    assert (info.height, info.width) == (20, 10)  # upright it is tall
    out = fitted(str(path), Target(20, 10, 1, "stretch"))
    assert out[:5].mean() > 200 and out[-5:].mean() < 50  # the band is now at the top


def test_a_truncated_jpeg_is_named_or_skipped(tmp_path):
    folder = tmp_path / "photos"
    for i in range(3):
        save(folder / f"ok{i}.jpg", np.full((30, 40), 60 * i, np.uint8))
    truncated_jpeg(folder / "broken.jpg")
    with pytest.raises(DatasetError, match=r"file '.*broken\.jpg' cannot be decoded: .*skip"):
        read_folder(folder)
    images, labels, bad, _ = read_folder(folder, on_bad_image="skip")
    assert labels is None and len(images) == 4
    assert [i for i, _ in bad] == [0]  # broken.jpg sorts first
    source = open_source(folder_settings(folder), None, log=lambda _: None)
    table = skipped_table(source, bad).splitlines()
    assert table[0] == "row\timage\treason" and table[1].startswith("0\tbroken.jpg\t")


def test_a_file_that_is_not_an_image_is_named(tmp_path):
    folder = tmp_path / "imgs"
    save(folder / "a.png", np.zeros((5, 5), np.uint8))
    (folder / "b.png").write_bytes(b"this is text")
    with pytest.raises(DatasetError, match=r"b\.png' cannot be decoded: not an image Pillow"):
        read_folder(folder)
    with pytest.raises(ImageError):
        image_info(str(folder / "b.png"))


def test_mixed_folder_is_read_whole_with_class_labels(tmp_path):
    folder, labels = mixed_digit_folder(tmp_path / "digits", 60)
    assert is_image_folder(folder)
    images, (ids, names), bad, decision = read_folder(folder, n_jobs=1)
    assert images.shape[0] == 60 and images.ndim == 4 and images.shape[-1] == 3
    assert images.shape[1] == images.shape[2] and 20 <= images.shape[1] <= 48
    assert names == sorted({f"digit_{k}" for k in labels}) and bad == []
    np.testing.assert_array_equal(ids, labels)
    assert "square of the median shorter side" in decision and "in colour" in decision
    sizes = size_counts(survey(open_source(folder_settings(folder), None), "error", 1))
    assert sum(c for *_, c in sizes) == 60 and {m for _, _, m, _ in sizes} == {"L", "RGB"}


def test_parallel_reading_matches_serial(tmp_path, monkeypatch):
    from deepclust.sources import survey as survey_module

    folder, _ = mixed_digit_folder(tmp_path / "digits", 40, labelled=False)
    serial, _, _, _ = read_folder(folder, n_jobs=1)
    monkeypatch.setattr(survey_module, "PARALLEL_MIN", 10)
    parallel, labels, _, _ = read_folder(folder, n_jobs=2)
    np.testing.assert_array_equal(parallel, serial)
    assert labels is None


def test_fixed_size_grey_and_limit(tmp_path):
    folder, labels = mixed_digit_folder(tmp_path / "digits", 30)
    fixed = {"size": [16, 12], "max_side": 64, "channels": "grey", "fit": "crop"}
    images, (ids, _), _, decision = read_folder(folder, fixed, limit=7)
    assert images.shape == (7, 16, 12) and decision.startswith("size 16x12: as configured")
    np.testing.assert_array_equal(ids, labels[:7])


def test_folder_layout_errors(tmp_path):
    deep = tmp_path / "deep"
    save(deep / "cats" / "young" / "a.png", np.zeros((4, 4), np.uint8))
    with pytest.raises(DatasetError, match=r"deeper than expected: '.*cats/young'"):
        list_image_folder(deep)
    mixed = tmp_path / "mixed"
    save(mixed / "a.png", np.zeros((4, 4), np.uint8))
    save(mixed / "dogs" / "b.png", np.zeros((4, 4), np.uint8))
    with pytest.raises(DatasetError, match="holds images at its top .* and in class subfolders"):
        list_image_folder(mixed)
    empty = tmp_path / "empty"
    (empty / "sub").mkdir(parents=True)
    (empty / "notes.txt").write_text("x")
    with pytest.raises(DatasetError, match="holds no image files .* it holds: notes.txt, sub/"):
        list_image_folder(empty)
    assert not is_image_folder(empty)
    save(tmp_path / "flat" / "a.bmp", np.zeros((4, 4), np.uint8))
    (tmp_path / "flat" / "README.md").write_text("x")
    assert list_image_folder(tmp_path / "flat") == (["a.bmp"], None, 1)
    with pytest.raises(DatasetError, match="has no splits; remove splits"):
        open_source(folder_settings(tmp_path / "flat", splits=["test"]), None)


def test_unreadable_folder_is_named(tmp_path, monkeypatch):
    """As root a chmod 0 folder is still readable, so the refusal is simulated."""
    import os

    from deepclust.sources import folder as imagefolder

    folder = tmp_path / "locked"
    save(folder / "a" / "x.png", np.zeros((4, 4), np.uint8))
    real = os.scandir

    def scandir(path):
        if str(path).endswith("/a"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(imagefolder.os, "scandir", scandir)
    with pytest.raises(DatasetError, match=r"cannot list folder '.*locked/a': Permission denied"):
        list_image_folder(folder)


def test_hub_layout_of_mixed_sizes_is_fitted_too(tmp_path):
    small = np.full((3, 28, 28), 100, np.uint8)
    big = np.full((2, 40, 40), 200, np.uint8)
    src = write_hub_dataset(tmp_path / "hub", {"train": (list(small) + list(big), None)})
    images, labels, bad, decision = read_folder(src, label_column=None)
    assert images.shape == (5, 28, 28) and labels is None and bad == []
    assert "3 of 5 images are 28x28" in decision
    with pytest.raises(DatasetError, match="images have mixed sizes"):
        load_image_dataset(str(src), ["train"], "image", None, cache_dir=tmp_path / "c")


@pytest.mark.parametrize(
    "array",
    [
        np.arange(35, dtype=np.uint8).reshape(5, 7),
        np.arange(105, dtype=np.uint8).reshape(5, 7, 3),
        np.arange(140, dtype=np.uint8).reshape(5, 7, 4),
        (np.arange(35, dtype=np.uint16) * 1000).reshape(5, 7),
    ],
)
def test_png_headers_read_directly_agree_with_pillow(array):
    from PIL import Image

    from deepclust.sources.images import _png_info
    from hub_fixtures import png_bytes

    data = png_bytes(array)
    img = Image.open(io.BytesIO(data))
    info = _png_info(data)
    assert (info.width, info.height, info.mode) == (*img.size, img.mode)
    assert info.grey == (array.ndim == 2)


@pytest.mark.parametrize("suffix", [".webp", ".bmp", ".tif", ".gif"])
def test_other_formats_are_read(tmp_path, suffix):
    folder = tmp_path / "formats"
    grey = np.tile(np.arange(0, 240, 20, dtype=np.uint8), (10, 1))  # 10 x 12
    save(folder / f"a{suffix}", grey, **({"lossless": True} if suffix == ".webp" else {}))
    save(folder / f"b{suffix}", grey[:, ::-1], **({"lossless": True} if suffix == ".webp" else {}))
    images, labels, bad, decision = read_folder(folder)
    assert labels is None and bad == [] and "size 10x12" in decision
    np.testing.assert_array_equal(images[0].reshape(10, 12, -1)[..., 0], grey)
