"""The 2-D map of every image up to a limit (deepclust.map2d)."""

import numpy as np
import pytest

from deepclust.map2d import map_rows, tsne_map


def test_rows_are_all_up_to_the_limit_then_a_seeded_sample():
    assert map_rows(5, 5, 0).tolist() == [0, 1, 2, 3, 4]
    sample = map_rows(1000, 100, 3)
    assert len(sample) == 100 and len(set(sample.tolist())) == 100
    assert np.all(np.diff(sample) > 0)
    assert np.array_equal(sample, map_rows(1000, 100, 3))
    assert not np.array_equal(sample, map_rows(1000, 100, 4))
    for bad in (2, 10.0, True):
        with pytest.raises(ValueError, match="limit must be an integer of at least 3"):
            map_rows(10, bad, 0)


def blobs(seed=0):
    """Three separated gaussian blobs of 120 points in 10-D, and their labels."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(3), 120)
    return (rng.normal(size=(360, 10)) + 20 * np.eye(3, 10)[labels]).astype(np.float32), labels


def test_map_keeps_blobs_apart_and_repeats_for_a_seed():
    x, labels = blobs()
    rows, coords = tsne_map(x, 1000, 0, 30, 1)
    assert rows.tolist() == list(range(360)) and coords.shape == (360, 2)
    assert coords.dtype == np.float32
    centres = np.stack([coords[labels == k].mean(axis=0) for k in range(3)])
    spread = max(np.linalg.norm(coords[labels == k] - centres[k], axis=1).max() for k in range(3))
    gaps = np.linalg.norm(centres[:, None] - centres[None], axis=2)[np.triu_indices(3, 1)]
    assert gaps.min() > spread
    assert np.array_equal(coords, tsne_map(x, 1000, 0, 30, 1)[1])


def test_map_above_the_limit_maps_a_sample():
    x, _ = blobs()
    rows, coords = tsne_map(x, 100, 5, 30, 1)
    assert np.array_equal(rows, map_rows(360, 100, 5)) and coords.shape == (100, 2)
