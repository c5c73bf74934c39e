"""Self-training: a small CNN learns a clustering's labels from the images, then relabels.

The self-labelling step of deep clustering (e.g. SCAN's): a classifier trained on the
pseudo-labels of a clustering, with random shifts as augmentation, learns what the
clusters have in common and corrects points the clustering put on the wrong side of a
boundary. No true labels are used.
"""

import time
from dataclasses import dataclass
from functools import partial

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from deepclust.labels import NOISE
from deepclust.model import check_loss, epochs_for
from deepclust.settings import Settings, check_integer, check_number


def classifier(n_classes, channels, height, width, conv_width):
    """Two stride-2 convolutions (5x5, then 3x3), a 128-unit layer, ``n_classes`` logits."""
    h, w = -(-height // 4), -(-width // 4)  # two stride-2 convolutions, padded
    return nn.Sequential(
        nn.Conv2d(channels, conv_width, 5, stride=2, padding=2),
        nn.ReLU(),
        nn.Conv2d(conv_width, 2 * conv_width, 3, stride=2, padding=1),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(2 * conv_width * h * w, 128),
        nn.ReLU(),
        nn.Linear(128, n_classes),
    )


def to_tensor(images):
    """uint8 ``(N, H, W)`` or ``(N, H, W, C)`` -> float32 ``(N, C, H, W)`` in [0, 1]."""
    x = torch.from_numpy(np.asarray(images)).float().div_(255.0)
    return x.unsqueeze(1) if x.ndim == 3 else x.permute(0, 3, 1, 2).contiguous()


def random_shifts(x, max_shift, generator):
    """Each image of ``x`` (N, C, H, W) moved by its own random offset of at most
    ``max_shift`` pixels per axis (uniform over the (2s+1)^2 offsets), zeros shifted in."""
    if max_shift == 0:
        return x
    s = max_shift
    size = 2 * s + 1
    padded = F.pad(x, (s, s, s, s))
    offsets = torch.randint(0, size * size, (len(x),), generator=generator)
    out = torch.empty_like(x)
    h, w = x.shape[2:]
    for offset in range(size * size):
        rows = torch.nonzero(offsets == offset)[:, 0]
        dy, dx = divmod(offset, size)
        out[rows] = padded[rows, :, dy : dy + h, dx : dx + w]
    return out


def _class_indices(labels):
    """Cluster ids (``NOISE`` excluded) and each point's class index (-1 for noise)."""
    kept = labels != NOISE
    clusters = np.unique(labels[kept])
    index = np.full(len(labels), -1, dtype=np.int64)
    index[kept] = np.searchsorted(clusters, labels[kept])
    return clusters, index


@torch.no_grad()
def predict_proba(model, images, batch_size=4096):
    """Softmax of ``model`` over uint8 ``images`` (N, H, W[, C]), converted a batch at a
    time (memory: one batch of floats, whatever N)."""
    model.eval()
    parts = [
        model(to_tensor(images[i : i + batch_size])).softmax(dim=1)
        for i in range(0, len(images), batch_size)
    ]
    return torch.cat(parts).numpy()


def shift_for_size(height, width, shift_fraction):
    """Augmentation shift in pixels for an image size: ``shift_fraction`` of the shorter
    side, rounded (28x28 and 0.075 give 2 pixels, 16x16 one, 8x8 one)."""
    if shift_fraction < 0:
        raise ValueError(f"shift_fraction must be >= 0, got {shift_fraction}")
    return int(round(shift_fraction * min(height, width)))


def collapse_reasons(base, refined, final_loss, max_changed_fraction, max_loss_ratio):
    """Why the refined labels must not replace ``base`` (an empty list when they may).

    Unsupervised signs of a collapsed self-training: fewer clusters than the base (a
    relabelling may correct boundaries, never merge clusters), a final training loss
    above ``max_loss_ratio`` of chance (``ln K``: the classifier did not learn the base's
    clusters), or more than ``max_changed_fraction`` of the base's non-noise points moved.
    """
    base, refined = np.asarray(base), np.asarray(refined)
    kept = base != NOISE
    n_base = len(np.unique(base[kept]))
    n_refined = len(np.unique(refined))
    reasons = []
    if n_refined < n_base:
        reasons.append(f"{n_refined} clusters left of the base's {n_base}")
    chance = float(np.log(n_base))
    if final_loss > max_loss_ratio * chance:
        reasons.append(
            f"final loss {final_loss:.3f} is above {max_loss_ratio:g} x chance ({chance:.3f})"
        )
    changed = float(np.mean(refined[kept] != base[kept])) if kept.any() else 0.0
    if changed > max_changed_fraction:
        reasons.append(f"{changed:.1%} of the points relabelled (limit {max_changed_fraction:.0%})")
    return reasons


def guarded(base, refined, final_loss, max_changed_fraction, max_loss_ratio):
    """The labels to keep and the guard's record ``{"kept_base", "reasons"}``: ``refined``
    unless :func:`collapse_reasons` finds a collapse, then ``base`` unchanged."""
    reasons = collapse_reasons(base, refined, final_loss, max_changed_fraction, max_loss_ratio)
    return (base if reasons else refined), {"kept_base": bool(reasons), "reasons": reasons}


@dataclass(frozen=True)
class SelfTrainingSettings(Settings):
    """How to self-train and when to keep the base's labels instead: the config's
    ``self_training`` block without ``enabled`` and ``base``.

    Build it with ``SelfTrainingSettings.from_params(params)``; every value is checked
    here and a bad one raises ValueError naming its key.

    Attributes
    ----------
    epochs : int
        Passes over the labelled images (more on a small set, see ``min_steps``).
    min_steps : int
        At least this many optimiser steps (:func:`deepclust.model.epochs_for`).
    batch_size : int
        Images per optimiser step.
    learning_rate : float
        Peak of the one-cycle learning-rate schedule (Adam).
    conv_width : int
        Channels of the first convolution of :func:`classifier`.
    shift_fraction : float
        Largest random shift, as a fraction of the shorter side (:func:`shift_for_size`).
    max_changed_fraction, max_loss_ratio : float
        The guard's limits (:func:`collapse_reasons`).
    train_sample : int or None
        At most this many labelled images train the classifier (a seeded sample above
        it; None: all); every image is relabelled.
    """

    epochs: int
    min_steps: int
    batch_size: int
    learning_rate: float
    conv_width: int
    shift_fraction: float
    max_changed_fraction: float
    max_loss_ratio: float
    train_sample: int | None

    def __post_init__(self):
        check_integer("epochs", self.epochs, 1)
        check_integer("min_steps", self.min_steps, 0)
        check_integer("batch_size", self.batch_size, 1)
        check_number("learning_rate", self.learning_rate, 0, above=True)
        check_integer("conv_width", self.conv_width, 1)
        check_number("shift_fraction", self.shift_fraction, 0, maximum=0.5)
        check_number("max_changed_fraction", self.max_changed_fraction, 0, above=True, maximum=1)
        check_number("max_loss_ratio", self.max_loss_ratio, 0, above=True)
        if self.train_sample is not None:
            check_integer("train_sample", self.train_sample, 1)


def _targets(images, labels):
    """Cluster ids and each image's class index (-1 for noise), checked: one label per
    image and at least 2 clusters."""
    labels = np.asarray(labels)
    if len(labels) != len(images):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    clusters, target = _class_indices(labels)
    if len(clusters) < 2:
        raise ValueError(
            "self-training needs at least 2 clusters to learn from, the base clustering has "
            f"{len(clusters)}"
        )
    return clusters, target


def _classifier_epoch(model, optimizer, schedule, batches):
    """One pass over ``batches`` of ``(images, targets)`` (cross-entropy, one Adam step
    and one schedule step per batch). Returns the mean loss over the epoch's images."""
    total, count = 0.0, 0
    model.train()
    for inputs, targets in batches:
        loss = F.cross_entropy(model(inputs), targets)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
        total += loss.item() * len(targets)
        count += len(targets)
    return total / count


def _shuffled_batches(images, y, train, max_shift, batch_size, generator):
    """One epoch's batches ``(images, targets)``: the uint8 ``images`` of ``train`` in a
    seeded random order, as floats, each shifted at random by up to ``max_shift`` pixels
    (channels-last memory)."""
    order = train[torch.randperm(len(train), generator=generator)]
    shifted = random_shifts(to_tensor(images[order.numpy()]), max_shift, generator)
    shifted = shifted.contiguous(memory_format=torch.channels_last)
    for begin in range(0, len(order), batch_size):
        batch = slice(begin, begin + batch_size)
        yield shifted[batch], y[order[batch]]


def _fit(model, optimizer, schedule, epoch_batches, n_epochs, learning_rate, log):
    """Train for ``n_epochs`` epochs, each on the batches ``epoch_batches()`` yields,
    logging at most about 20 progress lines. Returns the per-epoch dicts
    ``{"epoch", "loss", "seconds"}``; raises TrainingDiverged on a NaN or infinite loss."""
    history = []
    every = max(1, n_epochs // 20)
    for epoch in range(1, n_epochs + 1):
        start = time.perf_counter()
        loss = _classifier_epoch(model, optimizer, schedule, epoch_batches())
        check_loss(loss, epoch, learning_rate, "self-training")
        seconds = time.perf_counter() - start
        history.append({"epoch": epoch, "loss": loss, "seconds": seconds})
        if epoch % every == 0 or epoch == n_epochs:
            log(f"self-training epoch {epoch}/{n_epochs}  loss {loss:.4f}  {seconds:.1f} s")
    return history


def training_images(target, train_sample, seed):
    """Indices of the images the classifier learns from: the labelled ones (``target`` >=
    0), or a seeded sample of ``train_sample`` of them when there are more (sorted)."""
    train = np.flatnonzero(np.asarray(target) >= 0)
    if train_sample is None or len(train) <= train_sample:
        return train
    return np.sort(np.random.default_rng(seed).choice(train, train_sample, replace=False))


def training_exactness(labels, train_sample):
    """``{"exactness": {...}}`` for run.json when the classifier learnt from a sample of the
    labelled images, else ``{}``."""
    labelled = int(np.sum(np.asarray(labels) != NOISE))
    if train_sample is None or labelled <= train_sample:
        return {}
    note = (
        f"estimated: the classifier learnt from a seeded sample of {train_sample} of the "
        f"{labelled} labelled images (train_sample); all images were relabelled"
    )
    return {"exactness": {"self_training": note}}


def self_train(images, labels, settings, seed, *, log=print):
    """:func:`fit_classifier`, then every image relabelled: ``(new_labels, confidence,
    history)`` as :func:`fit_classifier` documents."""
    model, clusters, history = fit_classifier(images, labels, settings, seed, log=log)
    proba = predict_proba(model, images)
    return clusters[proba.argmax(axis=1)], proba.max(axis=1), history


def fit_classifier(images, labels, settings, seed, *, log=print):
    # long because: its docstring (numpydoc) is half of it; the body is one training, in order
    """Train :func:`classifier` on ``labels`` (noise points left out) and relabel every image.

    Adam with a one-cycle schedule; :func:`deepclust.model.epochs_for` passes over the
    labelled images, each randomly shifted by up to :func:`shift_for_size` pixels.
    Deterministic for a seed and thread count; the guard's limits are not used here.

    Parameters
    ----------
    images : array-like
        uint8 ``(N, H, W)`` or ``(N, H, W, C)``.
    labels : array-like
        int ``(N,)`` cluster ids, ``NOISE`` (-1) for noise; at least 2 clusters.
    settings : SelfTrainingSettings
    seed : int
        Seeds the initial weights, the order of the images and their shifts.
    log : callable
        Receives the plan and at most about 20 progress lines.

    Returns (:func:`self_train`'s; this function returns ``(model, clusters, history)``,
    the trained classifier and the cluster id of each of its outputs)
    -------
    new_labels : ndarray
        The classifier's argmax as the original cluster ids (no noise), ``(N,)``.
    confidence : ndarray
        Its softmax maximum per image, float32 ``(N,)``.
    history : list of dict
        One ``{"epoch", "loss", "seconds"}`` per epoch.
    """
    s, (clusters, target) = settings, _targets(images, labels)
    torch.manual_seed(seed)  # the initial weights
    # float copies of a batch or of an epoch's training images only (memory), never of all
    images = np.asarray(images)
    channels, height, width = to_tensor(images[:1]).shape[1:]
    max_shift = shift_for_size(height, width, s.shift_fraction)
    train = torch.from_numpy(training_images(target, s.train_sample, seed))
    y = torch.from_numpy(target)
    # channels_last: about 20% faster convolutions on CPU (oneDNN)
    model = classifier(len(clusters), channels, height, width, s.conv_width)
    model = model.to(memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=s.learning_rate)
    n_epochs = epochs_for(len(train), s.batch_size, s.epochs, s.min_steps)
    steps = n_epochs * -(-len(train) // s.batch_size)
    log(
        f"{n_epochs} epochs ({steps} optimiser steps) on {len(train)} images, "
        f"random shifts of up to {max_shift} px"
    )
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, s.learning_rate, total_steps=steps)
    generator = torch.Generator().manual_seed(seed)
    batches = partial(_shuffled_batches, images, y, train, max_shift, s.batch_size, generator)
    history = _fit(model, optimizer, schedule, batches, n_epochs, s.learning_rate, log)
    return model, clusters, history


def classifier_state(model, clusters, images, conv_width, confidence):
    """What model.pt holds to relabel new images: the weights, the architecture, each
    output's cluster id and the confidence below which an image is far (the 1st
    percentile of the training images' softmax maxima)."""
    channels, height, width = to_tensor(np.asarray(images[:1])).shape[1:]
    return {
        "state": model.state_dict(),
        "shape": [int(channels), int(height), int(width)],
        "conv_width": int(conv_width),
        "clusters": [int(c) for c in clusters],
        "floor": float(np.quantile(confidence, 0.01)),
    }


def classify(saved, images):
    """New uint8 ``images`` relabelled by a :func:`classifier_state`: ``(labels, far)``."""
    channels, height, width = saved["shape"]
    got = to_tensor(np.asarray(images[:1])).shape[1:]
    if tuple(got) != (channels, height, width):
        raise ValueError(f"images of shape {tuple(got)}, the classifier expects {saved['shape']}")
    model = classifier(len(saved["clusters"]), channels, height, width, saved["conv_width"])
    model.load_state_dict(saved["state"])
    proba = predict_proba(model, images)
    clusters = np.asarray(saved["clusters"], np.int64)
    return clusters[proba.argmax(axis=1)], proba.max(axis=1) < saved["floor"]
