"""Self-training: shifts, label bookkeeping, noisy labels corrected, determinism."""

import numpy as np
import pytest
import torch

from config_defaults import section_defaults
from deepclust.model import TrainingDiverged, epochs_for
from deepclust.selftrain import (
    SelfTrainingSettings,
    _class_indices,
    collapse_reasons,
    guarded,
    random_shifts,
    self_train,
    shift_for_size,
    to_tensor,
    training_exactness,
    training_images,
)

PATTERNS = 3
# What the self_train rule hands self_train(): the schema's defaults but the switches (the
# tests set epochs); min_steps 0 keeps the tests quick
PARAMS = {
    key: value
    for key, value in section_defaults("self_training").items()
    if key not in ("enabled", "base")
} | {"min_steps": 0}


def train(images, labels, seed, **changes):
    settings = SelfTrainingSettings.from_params(PARAMS | changes)
    return self_train(images, labels, settings, seed, log=lambda m: None)


def pattern_images(n, seed, size=16):
    """``n`` noisy images of three shapes (horizontal bar, vertical bar, ring) at random
    positions, and their true pattern index."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, PATTERNS, n)
    images = rng.integers(0, 60, size=(n, size, size)).astype(np.uint8)
    rows, cols = np.indices((size, size))
    for i, kind in enumerate(truth):
        r, c = rng.integers(5, size - 5, 2)
        if kind == 0:
            mask = (abs(rows - r) <= 1) & (abs(cols - c) <= 4)
        elif kind == 1:
            mask = (abs(rows - r) <= 4) & (abs(cols - c) <= 1)
        else:
            mask = abs(np.hypot(rows - r, cols - c) - 3.5) < 1.0
        images[i][mask] = 255
    return images, truth


def test_shifts_move_each_image_by_at_most_max_shift():
    x = torch.zeros(200, 1, 9, 9)
    x[:, 0, 4, 4] = 1.0
    out = random_shifts(x, 2, torch.Generator().manual_seed(0))
    assert torch.all(out.sum(dim=(1, 2, 3)) == 1)
    where = torch.nonzero(out[:, 0])[:, 1:]
    assert torch.all((where - 4).abs() <= 2)
    assert len({tuple(p) for p in where.tolist()}) == 25  # every offset is drawn
    assert random_shifts(x, 0, torch.Generator()) is x


def test_class_indices_skip_noise():
    clusters, index = _class_indices(np.array([7, -1, 3, 7, 11]))
    np.testing.assert_array_equal(clusters, [3, 7, 11])
    np.testing.assert_array_equal(index, [1, -1, 0, 1, 2])


def test_to_tensor_puts_channels_first():
    rgb = np.zeros((2, 5, 4, 3), np.uint8)
    rgb[..., 2] = 255
    x = to_tensor(rgb)
    assert x.shape == (2, 3, 5, 4) and float(x[:, 2].min()) == 1.0 and float(x[:, :2].max()) == 0.0
    assert to_tensor(np.zeros((2, 5, 4), np.uint8)).shape == (2, 1, 5, 4)


def test_noisy_labels_are_corrected_and_ids_kept():
    images, truth = pattern_images(1200, seed=0)
    ids = np.array([30, 10, 20])
    rng = np.random.default_rng(1)
    labels = ids[truth].copy()
    flipped = rng.random(len(labels)) < 0.15
    labels[flipped] = ids[(truth[flipped] + 1) % PATTERNS]  # systematic confusion 0->1->2->0
    labels[rng.random(len(labels)) < 0.05] = -1  # noise points are left out of training
    new, confidence, history = train(images, labels, seed=0, epochs=4, conv_width=16)
    assert set(np.unique(new)) == set(ids) and new.dtype == labels.dtype
    assert np.mean(new == ids[truth]) > 0.97, "the classifier should undo most of the 15% flips"
    assert np.mean(labels == ids[truth]) < 0.82
    assert confidence.shape == (1200,) and np.all((confidence > 0) & (confidence <= 1))
    assert [h["epoch"] for h in history] == [1, 2, 3, 4]
    assert history[-1]["loss"] < history[0]["loss"]


def test_a_sample_of_the_labelled_images_trains_and_every_image_is_relabelled():
    images, truth = pattern_images(1200, seed=2)
    labels = np.where(np.arange(1200) % 10 == 0, -1, truth)  # 120 noise points
    picked = training_images(np.where(labels >= 0, labels, -1), 500, seed=3)
    assert len(picked) == 500 and np.all(np.diff(picked) > 0) and np.all(labels[picked] >= 0)
    np.testing.assert_array_equal(picked, training_images(labels, 500, seed=3))
    assert len(training_images(labels, 5000, seed=3)) == 1080  # all labelled: no sample
    new, _, _ = train(images, labels, seed=0, epochs=4, conv_width=16, train_sample=500)
    assert new.shape == (1200,) and np.mean(new == truth) > 0.85  # learnt from 500 (chance 1/3)
    note = training_exactness(labels, 500)["exactness"]["self_training"]
    assert note.startswith("estimated:") and "500 of the 1080 labelled images" in note
    assert training_exactness(labels, 1080) == {} and training_exactness(labels, None) == {}


def test_same_seed_same_labels_and_colour_images_work():
    images, truth = pattern_images(300, seed=2, size=12)
    rgb = np.repeat(images[..., None], 3, axis=3)

    def run(seed):
        return train(rgb, truth, seed=seed, epochs=2, conv_width=4)[0]

    first = run(0)
    np.testing.assert_array_equal(first, run(0))
    assert first.shape == (300,)


def test_bad_inputs_are_named():
    images = np.zeros((4, 8, 8), np.uint8)
    with pytest.raises(ValueError, match="at least 2 clusters"):
        train(images, np.array([0, 0, -1, 0]), seed=0, epochs=1)
    with pytest.raises(ValueError, match="4 images but 3 labels"):
        train(images, np.array([0, 1, 0]), seed=0, epochs=1)
    with pytest.raises(ValueError, match="shift_fraction must be >= 0, got -0.1"):
        train(images, np.array([0, 1, 0, 1]), seed=0, epochs=1, shift_fraction=-0.1)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"epochs": 0}, "epochs must be an integer >= 1, got 0"),
        ({"batch_size": 2.5}, "batch_size must be an integer >= 1, got 2.5"),
        ({"learning_rate": 0}, "learning_rate must be > 0, got 0"),
        ({"max_changed_fraction": 1.5}, "max_changed_fraction must be <= 1, got 1.5"),
        ({"conv_width": True}, "conv_width must be an integer >= 1, got True"),
        ({"seed": 3}, "SelfTrainingSettings: unknown setting 'seed'"),
    ],
)
def test_settings_name_the_bad_key(changes, message):
    with pytest.raises(ValueError, match=message):
        SelfTrainingSettings.from_params(PARAMS | {"epochs": 1} | changes)


def test_settings_hold_the_schema_defaults():
    settings = SelfTrainingSettings.from_params(PARAMS | {"epochs": 3})
    assert settings.epochs == 3 and settings.min_steps == 0
    assert settings.max_loss_ratio == section_defaults("self_training")["max_loss_ratio"]
    missing = {k: v for k, v in PARAMS.items() if k != "max_loss_ratio"} | {"epochs": 1}
    with pytest.raises(ValueError, match="missing setting 'max_loss_ratio'"):
        SelfTrainingSettings.from_params(missing)


def test_divergence_is_named_like_the_autoencoders():
    images, truth = pattern_images(300, seed=3, size=12)
    with pytest.raises(TrainingDiverged, match="self-training diverged at epoch 1"):
        train(images, truth, seed=0, epochs=2, learning_rate=1e30, conv_width=4)


def test_augmentation_scales_with_image_size():
    assert [shift_for_size(s, s, 0.075) for s in (28, 32, 16, 8)] == [2, 2, 1, 1]
    assert shift_for_size(64, 28, 0.075) == 2  # the shorter side
    assert shift_for_size(8, 8, 0.0) == 0


def test_small_datasets_train_for_steps_not_epochs():
    assert epochs_for(1797, 128, 5, 2000) == 134  # 15 batches per epoch
    assert epochs_for(70000, 128, 5, 2000) == 5  # 547 batches per epoch: epochs rule
    assert epochs_for(100, 128, 3, 0) == 3
    images, truth = pattern_images(100, seed=4, size=12)
    _, _, history = train(
        images, truth, seed=0, epochs=1, min_steps=20, batch_size=32, conv_width=4
    )
    assert len(history) == 5  # 4 batches per epoch, 20 steps


def test_guard_keeps_the_base_when_the_relabelling_collapses():
    base = np.repeat(np.arange(4), 25)
    healthy = base.copy()
    healthy[:5] = 1  # 5% moved: a boundary correction
    assert collapse_reasons(base, healthy, 0.1, 0.25, 0.5) == []
    assert guarded(base, healthy, 0.1, 0.25, 0.5) == (healthy, {"kept_base": False, "reasons": []})

    merged = np.where(base == 3, 2, base)  # one cluster swallowed: 25% moved, 3 clusters left
    reasons = collapse_reasons(base, merged, 0.1, 0.2, 0.5)
    assert reasons == [
        "3 clusters left of the base's 4",
        "25.0% of the points relabelled (limit 20%)",
    ]
    kept, record = guarded(base, merged, 0.1, 0.2, 0.5)
    assert kept is base and record == {"kept_base": True, "reasons": reasons}

    # the classifier never learnt the clusters: loss near chance (ln 4 = 1.386)
    assert collapse_reasons(base, healthy, 1.2, 0.25, 0.5) == [
        "final loss 1.200 is above 0.5 x chance (1.386)"
    ]
    # noise points of the base are not counted as moved
    noisy = base.copy()
    noisy[:50] = -1
    assert collapse_reasons(noisy, np.repeat(np.arange(4), 25), 0.1, 0.25, 0.5) == []


def test_small_images_no_longer_collapse():
    """1,797 8x8 digits with 20% of the labels shuffled: 5 epochs of batch 128 were ~70 steps
    and 2-pixel shifts, which collapsed; steps and scaled shifts keep every cluster."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = (digits.images * (255 / 16)).round().astype(np.uint8)
    rng = np.random.default_rng(0)
    labels = digits.target.copy()
    noisy = rng.random(len(labels)) < 0.2
    labels[noisy] = rng.integers(0, 10, noisy.sum())
    torch.set_num_threads(1)  # tiny batches: threads cost more than they give
    new, _, history = train(images, labels, seed=0, epochs=5, min_steps=600, conv_width=8)
    assert len(history) == 40
    assert collapse_reasons(labels, new, history[-1]["loss"], 0.25, 0.5) == []
    assert np.mean(new == digits.target) > np.mean(labels == digits.target) + 0.05


def test_relabelling_converts_uint8_images_a_batch_at_a_time_with_the_same_result():
    # predict_proba converts a batch at a time (memory); the probabilities are the same
    from deepclust.selftrain import classifier, predict_proba

    torch.manual_seed(0)
    model = classifier(3, 1, 12, 12, 4)
    images = np.random.default_rng(0).integers(0, 256, (50, 12, 12), dtype=np.uint8)
    with torch.no_grad():
        whole = model.eval()(to_tensor(images)).softmax(dim=1).numpy()
    for batch_size in (7, 4096):
        np.testing.assert_allclose(predict_proba(model, images, batch_size), whole, rtol=1e-6)
    # and exactly what slicing one float tensor of all the images gave, batch by batch
    x = to_tensor(images)
    with torch.no_grad():
        sliced = torch.cat([model(x[i : i + 7]).softmax(dim=1) for i in range(0, 50, 7)])
    assert np.array_equal(predict_proba(model, images, 7), sliced.numpy())


def test_the_saved_classifier_relabels_new_images_as_the_trained_one(tmp_path):
    from deepclust.selftrain import classifier_state, classify, fit_classifier, predict_proba

    images, truth = pattern_images(200, seed=0)
    settings = SelfTrainingSettings.from_params(PARAMS | {"epochs": 2, "conv_width": 4})
    model, clusters, _ = fit_classifier(images, truth, settings, 0, log=lambda m: None)
    confidence = predict_proba(model, images).max(axis=1)
    torch.save(classifier_state(model, clusters, images, 4, confidence), tmp_path / "m.pt")
    saved = torch.load(tmp_path / "m.pt")
    new, _ = pattern_images(50, seed=9)
    labels, far = classify(saved, new)
    np.testing.assert_array_equal(labels, clusters[predict_proba(model, new).argmax(axis=1)])
    assert far.dtype == bool and far.mean() < 0.5
    with pytest.raises(ValueError, match="classifier expects"):
        classify(saved, new[:, :10])
