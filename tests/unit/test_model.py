import numpy as np
import pytest
import torch

from config_defaults import section_defaults
from deepclust.model import (
    Autoencoder,
    AutoencoderSettings,
    TrainingDiverged,
    checkpoint,
    encode,
    load_checkpoint,
    scale_images,
    train_autoencoder,
)

# The schema's settings (cpu pinned: the bit-identity checks rely on it)
PARAMS = section_defaults("autoencoder") | {"device": "cpu"}


def train(x, hidden, latent_dim, epochs, batch_size, learning_rate, seed, **changes):
    """train_autoencoder with the schema's settings, the given ones replacing them."""
    given = dict(
        hidden=hidden,
        latent_dim=latent_dim,
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
    )
    settings = AutoencoderSettings.from_params(PARAMS | given | changes)
    return train_autoencoder(x, settings, seed, log=lambda m: None)


def small_data(n=300, d=20, seed=0):
    return np.random.default_rng(seed).random((n, d), dtype=np.float32)


def test_scaling_ranges():
    images = np.array([[[0, 255]]], dtype=np.uint8)
    np.testing.assert_array_equal(scale_images(images, "symmetric"), [[-1.0, 1.0]])
    np.testing.assert_array_equal(scale_images(images, "unit"), [[0.0, 1.0]])
    with pytest.raises(ValueError, match="scaling must be one of"):
        scale_images(images, "minmax")


def test_shapes_follow_the_architecture():
    model = Autoencoder(784, [128], 64, "symmetric")
    linear = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linear] == [
        (784, 128),
        (128, 64),
        (64, 128),
        (128, 784),
    ]
    assert isinstance(model.decoder[-1], torch.nn.Tanh)
    assert not isinstance(Autoencoder(784, [128], 64, "unit").decoder[-1], torch.nn.Tanh)
    x = torch.zeros(5, 784)
    assert model.encoder(x).shape == (5, 64) and model(x).shape == (5, 784)


def test_training_is_bit_identical_for_a_seed_and_learns():
    x = small_data()
    runs = [train(x, [16], 4, 3, 32, 1e-2, seed=7, scaling="unit") for _ in range(2)]
    for a, b in zip(runs[0][0].state_dict().values(), runs[1][0].state_dict().values()):
        assert torch.equal(a, b)
    history = runs[0][1]
    assert [h["epoch"] for h in history] == [1, 2, 3]
    assert history[-1]["loss"] < history[0]["loss"]
    other, _ = train(x, [16], 4, 3, 32, 1e-2, seed=8, scaling="unit")
    assert not torch.equal(other.encoder[0].weight, runs[0][0].encoder[0].weight)


def test_divergence_raises():
    x = small_data() * 1e4
    with pytest.raises(TrainingDiverged, match="training diverged at epoch 1: loss is (nan|inf)"):
        train(x, [16], 4, 2, 32, 1e8, seed=0, scaling="unit")


def test_checkpoint_roundtrip_and_encode(tmp_path):
    x = small_data()
    model, history = train(x, [8], 3, 1, 64, 1e-3, seed=0, scaling="unit")
    torch.save(checkpoint(model, history, {"epochs": 1}), tmp_path / "m.pt")
    loaded, state = load_checkpoint(tmp_path / "m.pt")
    assert state["settings"] == {"epochs": 1} and state["architecture"]["latent_dim"] == 3
    codes = encode(loaded, x, batch_size=100)
    assert codes.shape == (300, 3) and codes.dtype == np.float32
    np.testing.assert_array_equal(codes, encode(model, x))


def test_the_schema_defaults_are_the_options_off_bit_for_bit():
    x = small_data()
    base, _ = train(x, [16], 4, 2, 32, 1e-2, seed=3, scaling="unit")
    same, _ = train(
        x,
        [16],
        4,
        2,
        32,
        1e-2,
        seed=3,
        scaling="unit",
        batch_norm=False,
        input_noise=0.0,
        lr_schedule="constant",
    )
    for a, b in zip(base.state_dict().values(), same.state_dict().values()):
        assert torch.equal(a, b)
    assert "batch_norm" not in base.architecture


def test_batch_norm_noise_and_cosine_are_deterministic_and_learn(tmp_path):
    x = small_data()
    kwargs = dict(scaling="unit", batch_norm=True, input_noise=0.1, lr_schedule="cosine")
    runs = [train(x, [16], 4, 3, 32, 1e-2, seed=5, **kwargs) for _ in range(2)]
    for a, b in zip(runs[0][0].state_dict().values(), runs[1][0].state_dict().values()):
        assert torch.equal(a, b)
    model, history = runs[0]
    assert history[-1]["loss"] < history[0]["loss"]
    assert any(isinstance(m, torch.nn.BatchNorm1d) for m in model.modules())
    assert model.architecture["batch_norm"] is True
    torch.save(checkpoint(model, history, {}), tmp_path / "m.pt")
    loaded, _ = load_checkpoint(tmp_path / "m.pt")
    np.testing.assert_array_equal(encode(loaded, x), encode(model, x))
    noisy_only, _ = train(x, [16], 4, 3, 32, 1e-2, seed=5, scaling="unit", input_noise=0.1)
    clean, _ = train(x, [16], 4, 3, 32, 1e-2, seed=5, scaling="unit")
    assert not torch.equal(noisy_only.encoder[0].weight, clean.encoder[0].weight)
    with pytest.raises(ValueError, match="lr_schedule must be"):
        train(x, [16], 4, 1, 32, 1e-2, seed=5, lr_schedule="step")


def test_min_steps_trains_a_small_dataset_for_more_epochs():
    from deepclust.model import epochs_for

    x = np.random.default_rng(0).uniform(-1, 1, size=(100, 16)).astype(np.float32)
    _, history = train(
        x,
        [8],
        4,
        epochs=2,
        batch_size=32,
        learning_rate=1e-3,
        seed=0,
        min_steps=20,
    )
    assert len(history) == 5 == epochs_for(100, 32, 2, 20)  # 4 batches an epoch
    _, history = train(x, [8], 4, epochs=2, batch_size=32, learning_rate=1e-3, seed=0, min_steps=0)
    assert len(history) == 2  # min_steps 0: exactly the epochs asked for


def test_memory_mapped_uint8_images_train_and_encode_as_their_scaled_copy(tmp_path):
    """The workflow hands the model memory-mapped uint8 images, scaled batch by batch:
    the weights and codes are bit-identical to scaling the whole array first."""
    from deepclust.model import encode_images

    images = np.random.default_rng(0).integers(0, 256, (700, 6, 5), dtype=np.uint8)
    np.save(tmp_path / "images.npy", images)
    mapped = np.load(tmp_path / "images.npy", mmap_mode="r")
    for scaling in ("symmetric", "unit"):
        x = scale_images(images, scaling)
        args = dict(
            hidden=[16],
            latent_dim=4,
            epochs=2,
            batch_size=64,
            learning_rate=1e-2,
            seed=3,
            scaling=scaling,
        )
        scaled, _ = train(x, **args)
        raw, _ = train(mapped, **args)
        for a, b in zip(scaled.state_dict().values(), raw.state_dict().values()):
            assert torch.equal(a, b)
        codes = np.concatenate(list(encode_images(raw, mapped, scaling, batch_size=128)))
        np.testing.assert_array_equal(codes, encode(scaled, x))
        part = np.concatenate(list(encode_images(raw, mapped, scaling, 100, 333, batch_size=128)))
        np.testing.assert_array_equal(part, encode(scaled, x)[100:333])


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"hidden": [128, 0]}, r"hidden\[1\] must be an integer >= 1, got 0"),
        ({"hidden": []}, "hidden must be a non-empty list of sizes"),
        ({"latent_dim": 2.0}, "latent_dim must be an integer >= 1, got 2.0"),
        ({"scaling": "minmax"}, "scaling must be one of"),
        ({"device": "gpu"}, "device must be one of"),
        ({"batch_norm": "yes"}, "batch_norm must be true or false, got 'yes'"),
        ({"input_noise": -0.1}, "input_noise must be >= 0, got -0.1"),
        ({"learning_rate": 0.0}, "learning_rate must be > 0, got 0.0"),
        ({"epoch": 3}, "AutoencoderSettings: unknown setting 'epoch'"),
    ],
)
def test_settings_name_the_bad_key(changes, message):
    with pytest.raises(ValueError, match=message):
        AutoencoderSettings.from_params(PARAMS | changes)


def test_settings_from_the_schema_defaults():
    settings = AutoencoderSettings.from_params(PARAMS)
    assert settings.hidden == tuple(PARAMS["hidden"]) and settings.device == "cpu"
    with pytest.raises(ValueError, match="missing setting 'lr_schedule'"):
        AutoencoderSettings.from_params({k: v for k, v in PARAMS.items() if k != "lr_schedule"})
