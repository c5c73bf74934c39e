"""Exact and near-duplicate images (deepclust.duplicates)."""

import numpy as np
import pytest

from deepclust.duplicates import (
    content_hash,
    duplicate_threshold,
    exact_duplicate_pairs,
    find_duplicates,
    near_duplicate_pairs,
    thumbnail_features,
)
from deepclust.sources.decode import write_fitted
from deepclust.sources.open import open_source
from deepclust.sources.survey import choose_target, survey
from image_folders import folder_with_copies

AUTO = {"size": "auto", "max_side": 64, "channels": "auto", "fit": "pad"}
FACTOR = 0.3  # the schema's default


def test_exact_pairs_join_each_copy_to_the_first_of_its_group():
    digests = [b"a", b"b", b"a", b"c", b"a", b"b"]
    assert exact_duplicate_pairs(digests).tolist() == [[0, 2], [0, 4], [1, 5]]
    assert exact_duplicate_pairs([b"a", b"b"]).shape == (0, 2)


def test_content_hash_of_a_file_equals_that_of_its_bytes(tmp_path):
    path = tmp_path / "x.bin"
    path.write_bytes(b"pixels")
    assert content_hash(str(path)) == content_hash(b"pixels") != content_hash(b"pixel")


def test_threshold_is_a_fraction_of_the_median_nearest_distance():
    distances = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, np.inf], [6.0, 7.0]])
    assert duplicate_threshold(distances, 0.5) == pytest.approx(0.5 * 4.0)  # 0 left out
    assert duplicate_threshold(np.zeros((3, 1)), 0.5) == 0.0
    with pytest.raises(ValueError, match="factor must be positive"):
        duplicate_threshold(distances, 0)


def test_near_pairs_are_listed_once_by_distance():
    indices = np.array([[1, 2], [0, 2], [1, 0], [-1, -1]])
    distances = np.array([[0.1, 0.5], [0.1, 0.3], [0.3, 0.5], [np.inf, np.inf]])
    pairs, found = near_duplicate_pairs(indices, distances, 0.3)
    assert pairs.tolist() == [[0, 1], [1, 2]]
    assert found.tolist() == [0.1, 0.3]


def test_every_planted_copy_is_found(tmp_path):
    folder, planted = folder_with_copies(tmp_path / "photos", 120)
    settings = {
        "source": str(folder),
        "splits": ["train"],
        "image_column": "image",
        "label_column": None,
        "limit": None,
    }
    source = open_source(settings, None, log=lambda _: None)
    target, _ = choose_target(survey(source, "error", 1, log=lambda _: None), AUTO)
    out = tmp_path / "images.npy"
    write_fitted(out, source, target, 0, len(source), "error", 1, log=lambda _: None)
    x = thumbnail_features(np.load(out))  # what rule duplicates compares
    digests = [content_hash(item) for item in source.items(0, len(source))]
    table, threshold = find_duplicates(x, digests, FACTOR, 5, 0)
    found = {
        (source.files[a], source.files[b]): exact
        for a, b, exact in zip(table["first"], table["second"], table["exact"])
    }
    for copy, original in planted.items():
        pair = tuple(sorted([copy, original], key=source.files.index))
        assert pair in found, (copy, original, threshold)
        assert found[pair] == copy.endswith("_exact.png")
    # the digits themselves (some drawn alike) give at most a few pairs besides
    assert len(found) <= len(planted) + 3, sorted(found)
    assert np.all(np.diff(table["distance"]) >= 0) and threshold > 0


def test_thumbnails_are_box_averages():
    images = np.zeros((2, 16, 16), np.uint8)
    images[1, :8, :8] = 255
    x = thumbnail_features(images, side=2)
    assert x.shape == (2, 4) and x.dtype == np.float32
    assert x[0].tolist() == [0, 0, 0, 0] and x[1].tolist() == [1, 0, 0, 0]
    assert thumbnail_features(np.zeros((1, 8, 8, 3), np.uint8), side=4).shape == (1, 48)
