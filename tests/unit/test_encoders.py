"""The encoders on tiny images: shapes, determinism, batching, grey and colour, the
pretrained path through a saved tiny model."""

import numpy as np
import pytest
import torch

from deepclust.encoders import base, combined, convae, features, pretrained
from deepclust.encoders.filterbank import FilterBank, filters
from deepclust.encoders.reduce import apply_reducer, fit_reducer

FEATURES = {
    "scales": 3,
    "orientations": 4,
    "grid": 2,
    "rotation_invariant": True,
    "second_order": True,
    "weights": {
        "texture": 1.0,
        "layout": 0.5,
        "intensity": 1.0,
        "colour": 1.0,
        "lbp": 1.0,
        "hue": 1.0,
    },
    "lbp_radii": [1, 2],
    "dimensions": 6,
    "whiten": 1.0,
    "fit_sample": 50,
    "device": "cpu",
}
CONV = {
    "channels": [4, 8],
    "latent_dim": 3,
    "steps": 6,
    "batch_size": 8,
    "learning_rate": 1e-3,
    "device": "cpu",
}


def images(n, shape, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (n, *shape), dtype=np.uint8)


def stripes(n, shape, period, seed=0):
    """Vertical stripes of ``period`` px at a random phase, as uint8."""
    rng = np.random.default_rng(seed)
    x = np.arange(shape[1])
    rows = [np.sin(2 * np.pi * (x + rng.uniform(0, period)) / period) for _ in range(n)]
    out = (np.array(rows)[:, None, :] * 100 + 128).repeat(shape[0], 1)
    return out.astype(np.uint8)


def collect(chunks):
    return np.concatenate(list(chunks))


@pytest.mark.parametrize("shape", [(20, 24), (17, 16, 3)])
def test_features_shape_determinism_and_chunks(shape, monkeypatch):
    x = images(70, shape)
    settings = features.FeatureSettings.from_params(FEATURES)
    state = features.fit(x, settings, seed=0, log=lambda _: None)
    codes = collect(features.encode(state, x, settings))
    assert codes.shape == (70, 6) and codes.dtype == np.float32
    again = collect(features.encode(features.fit(x, settings, 0, log=print), x, settings))
    np.testing.assert_array_equal(codes, again)
    monkeypatch.setattr(features, "ENCODE_CHUNK", 16)  # batching never changes a code
    parts = collect(features.encode(state, x, settings, 0, 33))
    parts = np.vstack([parts, collect(features.encode(state, x, settings, 33, 70))])
    np.testing.assert_allclose(parts, codes, rtol=1e-5, atol=1e-5)


def test_features_tell_stripes_of_two_scales_apart():
    fine, coarse = stripes(30, (24, 24), 3, seed=1), stripes(30, (24, 24), 12, seed=2)
    x = np.concatenate([fine, coarse])
    settings = features.FeatureSettings.from_params(FEATURES | {"dimensions": 2})
    codes = collect(features.encode(features.fit(x, settings, 0, print), x, settings))
    first = codes[:, 0]  # the main component: the scale of the stripes
    gap = abs(first[:30].mean() - first[30:].mean())
    assert gap > 3 * (first[:30].std() + first[30:].std())


def test_features_reject_bad_settings_naming_the_key():
    with pytest.raises(ValueError, match="orientations"):
        features.FeatureSettings.from_params(FEATURES | {"orientations": 0})
    with pytest.raises(ValueError, match="whiten"):
        features.FeatureSettings.from_params(FEATURES | {"whiten": 2})
    with pytest.raises(ValueError, match="weights"):
        features.FeatureSettings.from_params(FEATURES | {"weights": {"texture": 1}})
    with pytest.raises(ValueError, match="lbp_radii"):
        features.FeatureSettings.from_params(FEATURES | {"lbp_radii": [0]})


def test_lbp_histograms_ignore_contrast_and_tell_textures_apart():
    fine, coarse = stripes(4, (24, 24), 3, seed=1), stripes(4, (24, 24), 12, seed=2)
    lum = torch.from_numpy(np.concatenate([fine, coarse])[:, None] / 255.0).float()
    hist = features.lbp_histograms(lum, [1, 2]).numpy()
    assert hist.shape == (8, 20)
    np.testing.assert_allclose((hist**2).reshape(8, 2, 10).sum(2), 1.0, atol=1e-6)
    faint = features.lbp_histograms(0.3 + 0.4 * lum, [1, 2]).numpy()
    assert np.abs(faint - hist).max() < 0.2  # rounding to uint8 aside, the same
    distance = np.abs(hist[:, None] - hist[None]).sum(2)
    np.fill_diagonal(distance, np.inf)
    assert (distance.argmin(1) // 4 == np.arange(8) // 4).all()  # nearest: same stripes


def test_features_refuse_images_of_another_shape():
    settings = features.FeatureSettings.from_params(FEATURES)
    state = features.fit(images(20, (16, 16)), settings, 0, log=lambda _: None)
    with pytest.raises(ValueError, match="fitted on"):
        list(features.encode(state, images(5, (20, 20)), settings))


def test_filters_have_no_dc_and_peak_at_their_frequency():
    bank = filters((32, 32), 3, 4)
    assert bank.shape == (3, 4, 32, 32)
    assert float(bank[..., 0, 0].abs().max()) == 0.0
    # orientation 0, scale 0 peaks on the horizontal frequency axis near 0.7 pi
    peak = np.unravel_index(int(bank[0, 0].argmax()), (32, 32))
    assert peak[0] == 0 and abs(peak[1] / 32 * 2 - 0.7) < 0.1


def test_subsampled_scales_equal_the_full_resolution_moduli():
    x = base.as_float(images(3, (32, 32)))
    bank = FilterBank((32, 32), 4, 4)
    coarse = dict(bank.moduli(x))
    full = torch.fft.ifft2(
        torch.fft.fft2(
            torch.nn.functional.pad(x, (bank.pad,) * 4, mode="reflect")[
                ..., : bank.padded[0], : bank.padded[1]
            ]
        )[:, :, None]
        * filters(bank.padded, 4, 4)[3]
    ).abs()
    p = bank.pad
    sub = full[..., p : p + 32 : 4, p : p + 32 : 4]
    assert coarse[3].shape == sub.shape
    np.testing.assert_allclose(coarse[3].mean(), sub.mean(), rtol=0.05)


def test_reducer_whitens_and_weights_groups():
    rng = np.random.default_rng(0)
    x = np.hstack([rng.normal(size=(200, 3)) * 10, rng.normal(size=(200, 2))])
    state = fit_reducer(x, [0, 0, 0, 1, 1], [1.0, 0.0], 2, 1.0)
    z = apply_reducer(state, x)
    assert z.shape == (200, 2)
    np.testing.assert_allclose(z.std(0, ddof=1), 1.0, rtol=1e-4)
    # the second group has weight 0: changing it changes nothing
    y = x.copy()
    y[:, 3:] = 0
    np.testing.assert_allclose(apply_reducer(state, y), z, atol=1e-5)


@pytest.mark.parametrize("shape", [(20, 20), (18, 22, 3)])
def test_conv_autoencoder_shape_determinism_and_chunks(shape, monkeypatch):
    x = images(40, shape)
    settings = convae.ConvAutoencoderSettings.from_params(CONV)
    state = convae.fit(x, settings, seed=3, log=lambda _: None)
    codes = collect(convae.encode(state, x, settings))
    assert codes.shape == (40, 3) and codes.dtype == np.float32
    again = collect(convae.encode(convae.fit(x, settings, 3, lambda _: None), x, settings))
    np.testing.assert_array_equal(codes, again)
    monkeypatch.setattr(convae, "ENCODE_CHUNK", 7)
    parts = collect(convae.encode(state, x, settings, 0, 19))
    parts = np.vstack([parts, collect(convae.encode(state, x, settings, 19, 40))])
    np.testing.assert_allclose(parts, codes, rtol=1e-5, atol=1e-6)


def test_conv_autoencoder_takes_128_px_colour():
    model = convae.ConvAutoencoder(3, 128, 100, [8, 16, 32, 32], 10)
    out, target = model(torch.zeros(2, 3, 128, 100))
    assert out.shape == target.shape == (2, 3, 128, 112)
    assert model.encode(torch.zeros(2, 3, 128, 100)).shape == (2, 10)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    """A tiny random DINOv2 saved with save_pretrained, as a downloaded one would be."""
    from transformers import Dinov2Config, Dinov2Model

    torch.manual_seed(0)
    config = Dinov2Config(
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        image_size=32,
        patch_size=8,
    )
    folder = tmp_path_factory.mktemp("tiny_dinov2")
    Dinov2Model(config).save_pretrained(folder)
    return str(folder)


@pytest.mark.parametrize("shape", [(20, 24), (30, 30, 3)])
@pytest.mark.parametrize("pooling", ["cls", "mean"])
def test_pretrained_through_a_saved_model(tiny_model, shape, pooling, monkeypatch):
    x = images(12, shape)
    params = {"model": tiny_model, "side": None, "pooling": pooling}
    settings = pretrained.PretrainedSettings.from_params(
        params | {"batch_size": 5, "device": "cpu"}
    )
    codes = collect(pretrained.encode(x, settings))
    assert codes.shape == (12, 16) and codes.dtype == np.float32
    assert np.isfinite(codes).all() and codes.std(0).max() > 0
    np.testing.assert_array_equal(codes, collect(pretrained.encode(x, settings)))
    monkeypatch.setattr(pretrained, "ENCODE_CHUNK", 4)
    parts = np.vstack(
        [collect(pretrained.encode(x, settings, 0, 7)), collect(pretrained.encode(x, settings, 7))]
    )
    np.testing.assert_allclose(parts, codes, rtol=1e-4, atol=1e-5)


def test_pretrained_names_a_model_it_cannot_load(tmp_path):
    settings = pretrained.PretrainedSettings.from_params(
        {"model": str(tmp_path / "absent"), "side": 32, "pooling": "cls"}
        | {"batch_size": 2, "device": "cpu"}
    )
    with pytest.raises(ValueError, match="absent"):
        list(pretrained.encode(images(2, (8, 8)), settings))


def test_combined_views_weigh_as_told():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(100, 4)) * 50 + 3, rng.normal(size=(100, 2))
    state = combined.fit_combination([a, b], [1.0, 4.0])
    z = combined.combine(state, [a, b])
    assert z.shape == (100, 6)
    np.testing.assert_allclose((z[:, :4] ** 2).sum(1).mean(), 1.0, rtol=1e-4)
    np.testing.assert_allclose((z[:, 4:] ** 2).sum(1).mean(), 4.0, rtol=1e-4)
    with pytest.raises(ValueError, match="views"):
        combined.combine(state, [a])


def test_write_codes_refuses_nan(tmp_path):
    with pytest.raises(FloatingPointError):
        base.write_codes(tmp_path / "e.npy", iter([np.full((2, 3), np.nan)]), 2, 3)
    base.write_codes(tmp_path / "e.npy", iter([np.ones((2, 3))]), 2, 3)
    np.testing.assert_array_equal(np.load(tmp_path / "e.npy"), np.ones((2, 3), np.float32))


def test_run_fits_saves_and_encodes_every_encoder_alike(tmp_path, tiny_model):
    """deepclust.encoders.run, as the workflow's rules use it: fit, save, load, encode."""
    from deepclust.encoders import run

    x = images(30, (16, 16, 3))
    params = {
        "features": FEATURES,
        "conv_autoencoder": CONV,
        "pretrained": {"model": tiny_model, "side": None, "pooling": "cls"}
        | {"batch_size": 8, "device": "cpu"},
        "combined": {"views": {"features": 1.0, "conv_autoencoder": 2.0}, "fit_sample": 20},
    }
    for name, width in [("features", 6), ("conv_autoencoder", 3), ("pretrained", 16)] + [
        ("combined", 9)
    ]:
        state = run.fit(name, x, params, seed=0, log=lambda _: None)
        run.save_state(tmp_path / f"{name}.pt", state)
        loaded = run.load_state(tmp_path / f"{name}.pt")
        assert loaded["width"] == width
        run.write_rows(tmp_path / f"{name}.npy", name, loaded, x, params)
        codes = np.load(tmp_path / f"{name}.npy")
        assert codes.shape == (30, width)
        np.testing.assert_array_equal(codes, collect(run.encode(name, state, x, params)))


def test_every_encoder_is_described_for_the_report():
    from config_defaults import section_defaults
    from deepclust.encoders import ENCODERS, describe

    params = section_defaults("encoders")
    assert "8 orientations" in describe("features", params)
    assert "not measured" in describe("pretrained", params)
    assert "autoencoder (weight 1)" in describe("combined", params)
    assert "latent size 10" in describe("conv_autoencoder", params)
    assert set(ENCODERS) == set(params) | {"autoencoder"}
    with pytest.raises(ValueError, match="unknown encoder"):
        describe("autoencoder", params)
