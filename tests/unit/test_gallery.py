"""Galleries: which images stand for each cluster, and that the drawings render."""

import io

import numpy as np
import pytest
from PIL import Image

from deepclust.gallery import (
    class_agreement,
    cluster_members,
    plot_gallery,
    plot_thumbnail_map,
    row_label,
    shrink,
    spread_subset,
)


def brute_force(x, labels, cluster, n_typical, n_atypical):
    members = np.flatnonzero(labels == cluster)
    d = np.linalg.norm(x[members] - x[members].mean(axis=0), axis=1)
    typical = members[np.argsort(d, kind="stable")][:n_typical]
    farthest = members[np.argsort(-d, kind="stable")]
    return typical, np.array([i for i in farthest if i not in typical][:n_atypical])


def test_typical_members_are_nearest_the_centre_on_constructed_data():
    # Cluster 7: points on a line around (10, 10); its mean is (10, 10), so the typical
    # members are the ones at offsets 0, then +-1 (lower index first), the atypical +-9.
    offsets = np.array([9, -1, 0, 4, 1, -4, -9, 2, -2])
    line = np.stack([10 + offsets, np.full(9, 10.0)], axis=1)
    x = np.vstack([line, [[-50, -50], [-51, -50], [-49, -50]]])
    labels = np.array([7] * 9 + [3] * 3)
    rows = cluster_members(x, labels, n_typical=3, n_atypical=2)
    assert [r["cluster"] for r in rows] == [7, 3] and [r["size"] for r in rows] == [9, 3]
    assert rows[0]["typical"].tolist() == [2, 1, 4]  # offsets 0, -1, +1
    assert rows[0]["atypical"].tolist() == [0, 6]  # offsets +9 (first), -9
    assert rows[1]["typical"].tolist() == [9, 10, 11]  # the mean is row 9; 10 and 11 tie
    tied = cluster_members(np.zeros((5, 2)), np.zeros(5, int), 2, 2)[0]
    assert tied["typical"].tolist() == [0, 1] and tied["atypical"].tolist() == [2, 3]  # no repeats
    assert rows[1]["atypical"].tolist() == []  # nothing left to show


def test_matches_brute_force_on_random_clusters():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(500, 6))
    labels = rng.integers(0, 7, 500)
    labels[rng.choice(500, 40, replace=False)] = -1
    rows = cluster_members(x, labels, n_typical=5, n_atypical=3, seed=0)
    sizes = [r["size"] for r in rows[:-1]]
    assert sizes == sorted(sizes, reverse=True) and rows[-1]["cluster"] == -1
    for row in rows[:-1]:
        typical, atypical = brute_force(x, labels, row["cluster"], 5, 3)
        assert row["typical"].tolist() == typical.tolist()
        assert row["atypical"].tolist() == atypical.tolist()
        assert row["typical"].dtype == np.int64


def test_noise_row_is_a_seeded_sample_of_noise():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(300, 4))
    labels = np.where(np.arange(300) % 3 == 0, -1, np.arange(300) % 2)
    a = cluster_members(x, labels, 4, 2, seed=5)[-1]
    assert (
        a["cluster"] == -1
        and a["size"] == 100
        and len(a["typical"]) == 6
        and len(a["atypical"]) == 0
    )
    assert (labels[a["typical"]] == -1).all() and len(set(a["typical"].tolist())) == 6
    assert a["typical"].tolist() == cluster_members(x, labels, 4, 2, seed=5)[-1]["typical"].tolist()
    others = {tuple(cluster_members(x, labels, 4, 2, seed=s)[-1]["typical"]) for s in range(6, 10)}
    assert len(others) > 1


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="one label per row"):
        cluster_members(np.zeros((3, 2)), np.zeros(4, int), 2, 1)
    with pytest.raises(ValueError, match="n_typical"):
        cluster_members(np.zeros((3, 2)), np.zeros(3, int), 0, 1)


def test_class_agreement_and_row_labels():
    true = np.array([1, 1, 1, 2, 2, 2, 0, 2, 5])
    pred = np.array([0, 0, 0, 0, 1, 1, 1, -1, 2])
    agreement = class_agreement(true, pred)
    assert agreement[0] == (1, 1, 0.75)
    assert agreement[1][0] == 2 and agreement[1][2] == pytest.approx(2 / 3)
    names = ["zero", "one", "two", "three", "four", "five"]
    text = row_label({"cluster": 0, "size": 4}, 9, agreement, names)
    assert text == "cluster 0\n4 images (44.4%)\n→ one, purity 75%"
    assert row_label({"cluster": -1, "size": 1}, 9, agreement, names).startswith("noise\n1 images")
    assert class_agreement(np.full(9, -1), pred) == {}
    assert row_label({"cluster": 0, "size": 4}, 9, {}, []) == "cluster 0\n4 images (44.4%)"


def test_shrink_block_averages_large_images():
    images = np.zeros((2, 100, 60, 3), np.uint8)
    images[:, ::2] = 200
    small = shrink(images, 56)
    assert small.shape == (2, 50, 30, 3) and small.dtype == np.uint8 and (small == 100).all()
    assert shrink(images[..., 0], 100) is not None and shrink(images[..., 0], 100).shape == (
        2,
        100,
        60,
    )


def test_spread_subset_is_deterministic_and_spreads():
    coords = np.array([[float(i), 0.0] for i in range(50)])
    chosen = spread_subset(coords, 3, seed=0)
    assert chosen.dtype == np.int64 and len(set(chosen.tolist())) == 3
    assert {0, 49} & set(chosen.tolist())  # after any start, an end is the farthest point
    five = spread_subset(coords, 5, seed=3)
    assert np.diff(five).min() >= 6  # greedy farthest points: at least half the best gap (12.25)
    assert chosen.tolist() == spread_subset(coords, 3, seed=0).tolist()
    assert len(spread_subset(coords, 500)) == 50 and len(spread_subset(coords, 0)) == 0


def png(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120)
    import matplotlib.pyplot as plt

    plt.close(fig)
    with Image.open(io.BytesIO(buffer.getvalue())) as img:
        img.load()
        return img


def blobs(n, k, shape, seed=0, noise=0):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, k, n)
    if noise:
        labels[:noise] = -1
    x = rng.normal(size=(n, 8)) + labels[:, None] * 3.0
    images = rng.integers(0, 256, (n, *shape), dtype=np.uint8)
    return x, labels, images


@pytest.mark.parametrize(
    "case, n_clusters, shape, noise, labelled",
    [
        ("labelled", 10, (28, 28), 0, True),
        ("unlabelled", 10, (28, 28), 0, False),
        ("noise", 6, (28, 28), 50, True),
        ("rgb", 4, (32, 32, 3), 0, True),
        ("large rgb", 3, (300, 200, 3), 0, False),
        ("many clusters", 60, (28, 28), 20, False),
        ("only noise", 3, (28, 28), 600, False),
    ],
)
def test_gallery_renders(case, n_clusters, shape, noise, labelled):
    x, labels, images = blobs(600, n_clusters, shape, noise=noise)
    true = labels % 10 if labelled else np.full(len(labels), -1)
    rows = cluster_members(x, labels, 8, 4, seed=0)
    agreement = class_agreement(true, labels)
    texts = [row_label(r, len(labels), agreement, [str(i) for i in range(10)]) for r in rows]
    img = png(plot_gallery(images, rows, case, texts, max_rows=12))
    assert img.format == "PNG" and img.mode in ("RGB", "RGBA")
    assert 1000 <= img.size[0] <= 1400 and 100 <= img.size[1] <= 2000, img.size
    pixels = np.asarray(img.convert("RGB"))
    assert pixels.std() > 20  # images were drawn, not an empty page
    if shape[-1] == 3:  # colours survive: some pixels are far from grey
        assert (pixels.max(axis=2).astype(int) - pixels.min(axis=2)).max() > 100


@pytest.mark.parametrize("shape", [(28, 28), (40, 30, 3)])
def test_thumbnail_map_renders(shape):
    rng = np.random.default_rng(0)
    coords = rng.normal(size=(400, 2)).astype(np.float32)
    images = rng.integers(0, 256, (400, *shape), dtype=np.uint8)
    chosen = spread_subset(coords, 120, seed=0)
    img = png(plot_thumbnail_map(coords, images, chosen, "map"))
    assert img.format == "PNG" and 900 <= img.size[0] <= 1200 and 400 <= img.size[1] <= 1500, (
        img.size
    )


def test_distance_to_centre_in_chunks_is_bit_identical_to_one_pass():
    from deepclust.gallery import _distance_to_centre

    rng = np.random.default_rng(3)
    x = rng.normal(size=(1000, 7)).astype(np.float32)
    ids, inverse, sizes = np.unique(
        rng.integers(0, 5, 1000), return_inverse=True, return_counts=True
    )
    whole = _distance_to_centre(x, inverse, sizes, chunk_rows=len(x))
    assert np.array_equal(_distance_to_centre(x, inverse, sizes, chunk_rows=97), whole)
    centres = np.stack([x[inverse == k].astype(np.float64).mean(axis=0) for k in range(len(ids))])
    np.testing.assert_allclose(whole, np.linalg.norm(x - centres[inverse], axis=1), rtol=1e-12)
