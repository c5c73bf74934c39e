"""Folders in the Hub's split layout (root/train/<class>/*.png) read by the project's own
folder reader (deepclust.sources.folder): the layout rule, the choice of splits, the errors,
labels across splits, and one walk of the folder."""

import os

import numpy as np
import pytest

from deepclust.sources import folder as folder_module
from deepclust.sources.errors import DatasetError
from deepclust.sources.folder import (
    is_image_folder,
    list_image_folder,
    scan_folder,
    split_folders,
)
from deepclust.sources.open import open_source
from deepclust.sources.survey import choose_target, survey
from image_folders import save

AUTO = {"size": "auto", "max_side": 64, "channels": "auto", "fit": "pad"}


def settings(path, splits=("train",), **changes):
    base = {
        "source": str(path),
        "splits": list(splits),
        "image_column": "image",
        "label_column": "label",
        "limit": None,
    }
    return base | changes


def tile(value, side=6):
    return np.full((side, side), value, np.uint8)


def make(root, files):
    """Save ``{relative path: grey value}`` as 6x6 PNG files under ``root``."""
    for rel, value in files.items():
        save(root / rel, tile(value))
    return root


SPLIT = {
    "train/cat/1.png": 10,
    "train/cat/2.png": 11,
    "train/dog/1.png": 20,
    "test/cat/9.png": 12,
    "test/dog/8.png": 21,
    "test/fox/7.png": 30,
}


def test_split_layout_is_recognised_and_class_layout_is_not(tmp_path):
    root = make(tmp_path / "split", SPLIT)
    (root / "README.md").write_text("files at the top are passed over")
    tree = scan_folder(root)
    assert is_image_folder(root, tree)  # images two levels down
    assert split_folders(tree) == {"test": "test", "train": "train"}
    # A class called train among classes that are not split names: class layout.
    classes = make(tmp_path / "classes", {"train/a.png": 1, "tram/b.png": 2})
    assert split_folders(scan_folder(classes)) is None
    assert list_image_folder(classes)[1] == ["train", "tram"]
    # Images at the top: never split layout, whatever the subfolders are called.
    top = make(tmp_path / "top", {"x.png": 1, "test/y.png": 2})
    assert split_folders(scan_folder(top)) is None
    # Only split names at the top, images directly inside: unlabelled splits.
    flat = make(tmp_path / "flat", {"Train/a.png": 1, "val/b.png": 2})
    assert split_folders(scan_folder(flat)) == {"Train": "train", "val": "validation"}
    assert list_image_folder(flat) == (["Train/a.png"], None, 0)


def test_hub_layout_and_not_folders_are_left_to_the_hub_reader(tmp_path):
    hub = make(tmp_path / "hub", {"train/a.png": 1})
    (hub / "data").mkdir()
    (hub / "data" / "train-00000-of-00001.parquet").write_bytes(b"x")
    assert scan_folder(hub) is None and not is_image_folder(hub)
    assert scan_folder(tmp_path / "missing") is None
    (tmp_path / "file.png").write_bytes(b"x")
    assert not is_image_folder(tmp_path / "file.png")
    hidden = make(tmp_path / "hidden", {"train/a.png": 1})
    (hidden / ".cache").mkdir()
    (hidden / ".cache" / "x.arrow").write_bytes(b"x")  # hidden folders are not read
    assert is_image_folder(hidden)


def test_splits_are_read_in_the_order_given_with_paths_relative_to_the_root(tmp_path):
    root = make(tmp_path / "split", SPLIT)
    files, classes, ignored = list_image_folder(root)
    assert files == ["train/cat/1.png", "train/cat/2.png", "train/dog/1.png"]
    assert classes == ["cat", "cat", "dog"] and ignored == 0
    files, classes, _ = list_image_folder(root, ["test", "train"])
    assert files[:3] == ["test/cat/9.png", "test/dog/8.png", "test/fox/7.png"]
    assert files[3:] == ["train/cat/1.png", "train/cat/2.png", "train/dog/1.png"]
    source = open_source(settings(root, ["test", "train"], limit=4), None, log=lambda _: None)
    assert source.files == files[:4] and source.items(0, 1) == [str(root / "test/cat/9.png")]
    assert source.describe(3) == f"file {str(root / 'train/cat/1.png')!r}"


def test_labels_are_the_class_folders_with_one_id_across_splits(tmp_path):
    root = make(tmp_path / "split", SPLIT)
    source = open_source(settings(root, ["train", "test"]), None, log=lambda _: None)
    ids, names = source.labels(source.label_values(0, len(source)))
    assert names == ["cat", "dog", "fox"]  # fox only in test
    np.testing.assert_array_equal(ids, [0, 0, 1, 0, 1, 2])
    unlabelled = open_source(settings(root, label_column=None), None, log=lambda _: None)
    assert not unlabelled.labelled


def test_a_split_folder_is_surveyed_and_decoded_like_a_class_folder(tmp_path):
    from deepclust.sources.decode import write_fitted

    root = make(tmp_path / "split", SPLIT)
    source = open_source(settings(root, ["test", "train"]), None, log=lambda _: None)
    surveyed = survey(source, "error", 1, log=lambda _: None)
    target, _ = choose_target(surveyed, AUTO)
    values, failed = write_fitted(
        tmp_path / "x.npy", source, target, 0, len(source), "error", log=lambda _: None
    )
    images = np.load(tmp_path / "x.npy")
    assert images.shape == (6, 6, 6) and failed == []
    np.testing.assert_array_equal(images[:, 0, 0], [12, 21, 30, 10, 11, 20])
    assert values.tolist() == ["cat", "dog", "fox", "cat", "cat", "dog"]


def test_validation_is_found_under_the_names_the_datasets_library_gives_it(tmp_path):
    root = make(tmp_path / "split", {"train/a/1.png": 1, "val/a/2.png": 2})
    assert list_image_folder(root, ["validation"])[0] == ["val/a/2.png"]
    assert list_image_folder(root, ["val"])[0] == ["val/a/2.png"]
    assert list_image_folder(root, ["TRAIN"])[0] == ["train/a/1.png"]


def test_split_errors_name_the_split_and_what_is_there(tmp_path):
    root = make(tmp_path / "split", SPLIT)
    with pytest.raises(
        DatasetError,
        match=r"split 'validation' not in image folder '.*split' \(no subfolder validation/\); "
        r"its split subfolders: test/ \(test\), train/ \(train\)",
    ):
        open_source(settings(root, ["train", "validation"]), None, log=lambda _: None)
    with pytest.raises(DatasetError, match=r"name the folder train/ more than once"):
        list_image_folder(root, ["train", "training"])
    both = make(tmp_path / "both", {"val/a/1.png": 1, "dev/a/2.png": 2})
    with pytest.raises(DatasetError, match="'validation' .* any of the folders dev, val"):
        list_image_folder(both, ["validation"])
    mixed = make(tmp_path / "mixed", {"train/a/1.png": 1, "test/2.png": 2})
    assert list_image_folder(mixed)[1] == ["a"]  # the test split is not read
    with pytest.raises(DatasetError, match=r"split train/ has class subfolders but split test/"):
        list_image_folder(mixed, ["train", "test"])
    empty = make(tmp_path / "empty", {"train/a/1.png": 1})
    (empty / "test" / "notes").mkdir(parents=True)
    with pytest.raises(DatasetError, match=r"no image files .* at its split folder test/"):
        list_image_folder(empty, ["test"])
    deep = make(tmp_path / "deep", {"train/a/young/1.png": 1})
    with pytest.raises(DatasetError, match=r"deeper than expected: '.*deep/train/a/young'"):
        list_image_folder(deep)
    classes = make(tmp_path / "classes", {"cat/1.png": 1})
    with pytest.raises(DatasetError, match=r"without split subfolders .* has no splits"):
        open_source(settings(classes, ["test"]), None, log=lambda _: None)


def test_the_folder_is_walked_once_and_a_link_loop_ends(tmp_path, monkeypatch):
    root = make(tmp_path / "split", SPLIT)
    os.symlink(root, root / "train" / "cat" / "loop")  # a link back to the top
    listed = []
    real = os.scandir

    def scandir(path):
        listed.append(os.path.relpath(path, root))
        return real(path)

    monkeypatch.setattr(folder_module.os, "scandir", scandir)
    with pytest.raises(DatasetError, match=r"deeper than expected: '.*train/cat/loop'"):
        open_source(settings(root), None, log=lambda _: None)
    assert len(listed) == len(set(listed))  # no folder listed twice
    (root / "train" / "cat" / "loop").unlink()
    listed.clear()
    open_source(settings(root, ["train", "test"]), None, log=lambda _: None)
    assert sorted(listed) == sorted(
        [".", "train", "test", "train/cat", "train/dog", "test/cat", "test/dog", "test/fox"]
    )
