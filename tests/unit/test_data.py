from pathlib import Path

import numpy as np
import pytest

from deepclust.labels import NO_LABEL
from deepclust.sources.arrays import class_ids, fingerprint, shard_bounds
from deepclust.sources.decode import load_image_dataset, write_fitted
from deepclust.sources.errors import DatasetError
from deepclust.sources.hub import HubSource, label_ids, open_splits
from deepclust.sources.images import Target, fitted
from hub_fixtures import digits_as_mnist, png_bytes, write_hub_dataset


def test_decode_roundtrip_grayscale_and_rgb():
    rng = np.random.default_rng(0)
    gray = rng.integers(0, 256, (5, 4), dtype=np.uint8)
    rgb = rng.integers(0, 256, (5, 4, 3), dtype=np.uint8)
    np.testing.assert_array_equal(fitted(png_bytes(gray), Target(5, 4, 1, "pad")), gray)
    np.testing.assert_array_equal(fitted(png_bytes(rgb), Target(5, 4, 3, "pad")), rgb)


def test_load_real_mnist_subset(mnist_source, tmp_path):
    images, labels, names = load_image_dataset(
        mnist_source, ["train"], "image", "label", 50, tmp_path
    )
    assert images.shape == (50, 28, 28) and images.dtype == np.uint8
    assert labels.dtype == np.int64 and names == [str(i) for i in range(10)]
    if "shared" in mnist_source:  # the dataset card's first ten train labels
        assert labels[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]


def test_limit_spans_splits_in_order(tmp_path):
    images, labels = digits_as_mnist(30)
    src = write_hub_dataset(
        tmp_path / "ds",
        {"train": (images[:20], labels[:20]), "test": (images[20:], labels[20:])},
        ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
    )
    got, got_labels, _ = load_image_dataset(
        str(src), ["train", "test"], "image", "label", 25, tmp_path / "c"
    )
    np.testing.assert_array_equal(got, images[:25])
    np.testing.assert_array_equal(got_labels, labels[:25])


def test_unlabelled_dataset(tmp_path):
    images, _ = digits_as_mnist(10)
    src = write_hub_dataset(tmp_path / "ds", {"train": (images, None)})
    got, labels, names = load_image_dataset(
        str(src), ["train"], "image", None, None, tmp_path / "c"
    )
    assert len(got) == 10 and (labels == NO_LABEL).all() and names == []


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"source": "./no/such/folder"}, "does not exist"),
        (
            {"splits": ["train", "validation"]},
            r"split\(s\) \['validation'\] not in dataset .* it has: \['test', 'train'\]",
        ),
        (
            {"image_column": "picture"},
            r"column 'picture' not in split 'train'.*columns there: \['image', 'label'\]",
        ),
        ({"label_column": "digit"}, r"column 'digit' not in split"),
        ({"image_column": "label"}, "does not hold images"),
        ({"limit": 0}, "limit must be a positive number"),
    ],
)
def test_clear_errors(mnist_source, tmp_path, kwargs, message):
    args = {
        "source": mnist_source,
        "splits": ["train"],
        "image_column": "image",
        "label_column": "label",
        "limit": 5,
    }
    args |= kwargs
    with pytest.raises(DatasetError, match=message):
        load_image_dataset(**args, cache_dir=tmp_path)


def test_fingerprint_sees_values_dtype_and_shape():
    a = np.arange(6, dtype=np.int64)
    assert fingerprint(a) == fingerprint(a.copy())
    assert fingerprint(a) != fingerprint(a.astype(np.int32))
    assert fingerprint(a) != fingerprint(a.reshape(2, 3))
    assert fingerprint(a) != fingerprint(a + 1)


def test_source_that_is_a_file_names_what_is_expected(mnist_source, tmp_path):
    parquet = next(Path(mnist_source).rglob("train-*.parquet"))
    with pytest.raises(
        DatasetError,
        match=(
            r"is a file, not a folder; expected a Hub id .* "
            r"a local folder of <split>-\*\.parquet files"
        ),
    ):
        load_image_dataset(str(parquet), ["train"], "image", "label", 5, tmp_path)


def test_folder_without_data_files_lists_what_it_holds(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "README.md").write_text("# not data\n")
    (tmp_path / "notes" / "notes.txt").write_text("hello\n")
    with pytest.raises(
        DatasetError,
        match=(
            r"holds no data files \(.parquet, .arrow or images\); "
            r"it holds: README.md, notes.txt\. Expected a Hub id"
        ),
    ):
        load_image_dataset(str(tmp_path / "notes"), ["train"], "image", "label", 5, tmp_path / "c")


def test_corrupt_parquet_is_named(tmp_path):
    images, labels = digits_as_mnist(10)
    src = write_hub_dataset(tmp_path / "ds", {"train": (images, labels)})
    bad = src / "data" / "train-00000-of-00001.parquet"
    bad.write_bytes(bad.read_bytes()[:-100])
    with pytest.raises(
        DatasetError,
        match=rf"data file '{bad}' of dataset source .* is corrupt: not a readable parquet file",
    ):
        load_image_dataset(str(src), ["train"], "image", "label", None, tmp_path / "c")


def test_string_labels_become_class_ids_with_their_names(tmp_path):
    images, labels = digits_as_mnist(12)
    names = np.array(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    )
    src = write_string_labelled(tmp_path / "ds", images, names[labels])
    got, ids, class_names = load_image_dataset(
        str(src), ["train"], "image", "label", None, tmp_path / "c"
    )
    assert class_names == sorted(set(names[labels].tolist()))
    assert ids.dtype == np.int64
    assert [class_names[i] for i in ids] == names[labels].tolist()


def test_empty_string_label_is_named(tmp_path):
    images, _ = digits_as_mnist(3)
    src = write_string_labelled(tmp_path / "ds", images, ["cat", None, "dog"])
    with pytest.raises(
        DatasetError, match=r"label column 'label' has 1 empty label\(s\) \(first: row 1\)"
    ):
        load_image_dataset(str(src), ["train"], "image", "label", None, tmp_path / "c")


def write_string_labelled(folder, images, labels):
    import datasets

    (folder / "data").mkdir(parents=True)
    table = datasets.Dataset.from_dict(
        {"image": [{"bytes": png_bytes(im), "path": None} for im in images], "label": list(labels)},
        features=datasets.Features({"image": datasets.Image(), "label": datasets.Value("string")}),
    )
    table.to_parquet(folder / "data" / "train-00000-of-00001.parquet")
    return folder


@pytest.mark.parametrize(
    "values, message",
    [
        (
            np.array([0.5, 1.0]),
            r"holds floating-point numbers \(e.g. 0.5\); expected integer class ids or strings",
        ),
        (np.array([1.0, np.nan]), r"has empty label\(s\) \(first: row 1\)"),
        (np.array(["a", None], dtype=object), r"has 1 empty label\(s\) \(first: row 1\)"),
        (np.array([True, False]), "holds booleans"),
    ],
)
def test_label_values_that_are_not_classes(values, message):
    with pytest.raises(DatasetError, match=message):
        class_ids(values, [])


def test_class_ids_keep_integer_labels():
    ids, names = class_ids(np.array([3, 1], np.int32), ["a", "b", "c", "d"])
    assert ids.dtype == np.int64 and ids.tolist() == [3, 1] and names == ["a", "b", "c", "d"]


def test_shard_bounds_cover_every_row_once_on_chunk_boundaries():
    for n, shards in [(10_000, 3), (2000, 2), (2000, 5), (1, 1), (4096 * 7 + 5, 4)]:
        bounds = shard_bounds(n, shards, align=1024)
        assert len(bounds) == shards and bounds[0][0] == 0 and bounds[-1][1] == n
        assert all(a == b_prev for (_, b_prev), (a, _) in zip(bounds, bounds[1:]))
        assert all(a % 1024 == 0 for a, _ in bounds)
    assert shard_bounds(2000, 3, align=1024)[0] == (0, 0)  # more shards than chunks: some empty
    with pytest.raises(ValueError, match="shards must be at least 1"):
        shard_bounds(10, 0)


def test_write_fitted_streams_any_row_range_into_npy(mnist_source, tmp_path):
    """Small batches, ranges that cross batch and split boundaries, an empty range: the
    files hold exactly the rows load_image_dataset reads in one go."""
    images, labels = digits_as_mnist(70)
    src = write_hub_dataset(
        tmp_path / "ds",
        {"train": (images[:45], labels[:45]), "test": (images[45:], labels[45:])},
        [str(i) for i in range(10)],
    )
    parts = open_splits(str(src), ["train", "test"], "image", "label", 60, tmp_path / "c")
    source = HubSource(parts, "image", "label")
    whole, whole_labels, names = load_image_dataset(
        str(src), ["train", "test"], "image", "label", 60, tmp_path / "c"
    )
    pieces, values = [], []
    for i, (a, b) in enumerate([(0, 17), (17, 17), (17, 52), (52, 60)]):
        path = tmp_path / f"part{i}.npy"
        raw, failed = write_fitted(
            path, source, Target(28, 28, 1, "pad"), a, b, "error", batch_rows=8, log=print
        )
        assert failed == []
        pieces.append(np.load(path, mmap_mode="r"))
        values.append(raw)
        assert pieces[-1].shape == (b - a, 28, 28) and len(raw) == b - a
    np.testing.assert_array_equal(np.concatenate(pieces), whole)
    got_labels, got_names = label_ids(np.concatenate(values), parts, "label")
    np.testing.assert_array_equal(got_labels, whole_labels)
    assert got_names == names


def test_fingerprint_of_a_memory_mapped_array_reads_it_in_chunks(tmp_path):
    a = np.random.default_rng(0).integers(0, 255, (1000, 7), dtype=np.uint8)
    np.save(tmp_path / "a.npy", a)
    mapped = np.load(tmp_path / "a.npy", mmap_mode="r")
    assert (
        fingerprint(mapped, chunk_rows=33)
        == fingerprint(a)
        == fingerprint(a.copy(), chunk_rows=1000)
    )
    # a view of the mapped file is hashed from memory, not from the file's start
    assert fingerprint(mapped[10:500], chunk_rows=33) == fingerprint(a[10:500].copy())
    assert fingerprint(mapped[:, 2:], chunk_rows=33) == fingerprint(a[:, 2:].copy())
