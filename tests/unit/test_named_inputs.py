"""Nested rule inputs, flattened to Snakemake's names and back."""

import pytest

from deepclust.named_inputs import flat, nested


def test_flat_and_nested_are_inverse_and_keep_the_order():
    nest = {
        "data": "d.npz",
        "metrics": {"kmeans": ["a.json", "b.json"], "umap_gmm": ["c.json", "d.json"]},
        "consensus": {"kmeans": {"tsne": "t.png", "gallery": "g.png"}},
        "empty": {},
    }
    names = flat(nest)
    assert list(names) == [
        "data",
        "metrics__kmeans",
        "metrics__umap_gmm",
        "consensus__kmeans__tsne",
        "consensus__kmeans__gallery",
    ]
    assert nested(names.items()) == {k: v for k, v in nest.items() if v}
    assert list(nested(names.items())["metrics"]) == ["kmeans", "umap_gmm"]


def test_a_key_holding_the_separator_is_refused():
    with pytest.raises(ValueError, match="a__b"):
        flat({"x": {"a__b": "f"}})
