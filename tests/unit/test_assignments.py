"""The table of every image and its clusters (deepclust.assignments)."""

import numpy as np
import pandas as pd
import pytest

from deepclust.assignments import (
    assignment_columns,
    centre_distances,
    image_rows,
    label_names,
    seeds_agreeing,
    source_names,
    typicality,
    write_tsv,
)
from deepclust.sources.open import open_source
from hub_fixtures import digits_as_mnist, write_hub_dataset
from image_folders import save

ODD_NAMES = ["a\tb.png", "line\nbreak.png", 'say "cheese".png', "plain.png", "ünï cödé.png"]


def settings(source, splits=("train",), label_column="label"):
    return {
        "source": str(source),
        "splits": list(splits),
        "image_column": "image",
        "label_column": label_column,
        "limit": None,
    }


def test_folder_names_are_paths_relative_to_the_folder(tmp_path):
    image = np.zeros((8, 8), np.uint8)
    for name in ODD_NAMES:
        save(tmp_path / "cats" / name, image)
    save(tmp_path / "dogs" / "x.png", image)
    source = open_source(settings(tmp_path), None, log=lambda _: None)
    names = source_names(source, [0, len(source) - 1])
    assert names == [f"cats/{sorted(ODD_NAMES)[0]}", "dogs/x.png"]


def test_hub_names_are_split_and_row(tmp_path):
    images, labels = digits_as_mnist(7)
    write_hub_dataset(
        tmp_path,
        {"train": (images[:4], labels[:4]), "test": (images[4:], labels[4:])},
        label_names=[str(i) for i in range(10)],
    )
    source = open_source(settings(tmp_path, ["train", "test"]), None, log=lambda _: None)
    assert source_names(source, np.array([0, 3, 4, 6])) == [
        "train:0",
        "train:3",
        "test:0",
        "test:2",
    ]


def test_image_rows_skip_what_the_download_skipped(tmp_path):
    """A table's rows: the kept images (source rows 0, 2, 3 of 4: one was skipped) named
    by their source rows, with their labels and the class names as text."""
    images, labels = digits_as_mnist(4)
    write_hub_dataset(tmp_path, {"train": (images, labels)}, label_names=list("0123456789"))
    source = open_source(settings(tmp_path), None, log=lambda _: None)
    data = {"source_rows": np.array([0, 2, 3]), "labels": labels[[0, 2, 3]]}
    data["class_names"] = np.arange(10)
    names, kept_labels, class_names = image_rows(data, source)
    assert names(0, 3) == ["train:0", "train:2", "train:3"] and names(1, 2) == ["train:2"]
    np.testing.assert_array_equal(kept_labels, labels[[0, 2, 3]])
    assert class_names == [str(k) for k in range(10)]
    with pytest.raises(ValueError, match="the dataset changed"):
        image_rows(data | {"source_rows": np.array([0, 2, 4])}, source)


def test_typicality_ranks_members_by_distance_to_their_centre():
    x = np.array([[0.0], [1.0], [3.0], [10.0], [11.0], [50.0], [7.0]])
    labels = np.array([0, 0, 0, 1, 1, 2, -1])
    distances = centre_distances(x, labels, chunk_rows=2)
    assert distances[:6] == pytest.approx([4 / 3, 1 / 3, 5 / 3, 0.5, 0.5, 0.0])
    assert np.isnan(distances[6])
    share = typicality(distances, labels)
    # cluster 0: row 1 nearest, then 0, then 2; cluster 1: a tie, the lower row first;
    # a cluster of one is typical; noise has no value
    assert share[:6].tolist() == [0.5, 1.0, 0.0, 1.0, 0.0, 1.0]
    assert np.isnan(share[6])


def test_seeds_agreeing_counts_matched_clusters():
    first = np.array([0, 0, 1, 1, 2, -1])
    renamed = np.array([5, 5, 3, 3, 4, -1])  # the same clusters under other ids
    moved = np.array([0, 1, 1, 1, 2, 2])  # row 1 and row 5 elsewhere
    assert seeds_agreeing([first, renamed, moved]).tolist() == [3, 2, 3, 3, 3, 2]
    assert seeds_agreeing([first]).tolist() == [1] * 6


def test_label_names_leave_unlabelled_images_empty():
    assert label_names(np.array([1, -1, 0]), ["cat", "dog"]).tolist() == ["dog", "", "cat"]


def test_table_reads_back_with_odd_names_in_chunks(tmp_path):
    names = ODD_NAMES
    labels = np.array([0, 1, -1, 1, 0])
    columns = assignment_columns(
        lambda a, b: names[a:b],
        labels,
        ["cat", "dog"],
        {"kmeans": np.array([2, 2, 0, -1, 1]), "kmeans_consensus": np.array([0, 0, 1, 1, 2])},
        ("kmeans", np.array([0.5, 1.0, 1.0, np.nan, 0.123456]), np.array([3, 2, 3, 1, 2])),
    )
    path = tmp_path / "assignments.tsv"
    assert write_tsv(path, columns, chunk_rows=2) == 5
    table = pd.read_csv(path, sep="\t", keep_default_na=False, na_values={"kmeans_typicality": ""})
    assert list(table.columns) == [
        "row",
        "image",
        "label",
        "kmeans",
        "kmeans_consensus",
        "kmeans_typicality",
        "kmeans_seeds_agreeing",
    ]
    assert table["image"].tolist() == names
    assert table["label"].tolist() == ["cat", "dog", "", "dog", "cat"]
    assert table["kmeans"].tolist() == [2, 2, 0, -1, 1]
    assert table["kmeans_typicality"].tolist()[:3] == [0.5, 1.0, 1.0]
    assert np.isnan(table["kmeans_typicality"][3]) and table["kmeans_typicality"][4] == 0.1235
    assert table["row"].tolist() == list(range(5))


def test_unlabelled_table_has_no_label_column_and_checks_lengths(tmp_path):
    columns = assignment_columns(lambda a, b: ["x", "y"][a:b], np.full(2, -1), [], {})
    assert list(columns) == ["row", "image"]
    with pytest.raises(ValueError, match="clustering dbscan has 3 labels, not 2"):
        assignment_columns(lambda a, b: [], np.full(2, -1), [], {"dbscan": np.zeros(3)})
