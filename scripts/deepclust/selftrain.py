"""Self-training: a small CNN learns a clustering's labels from the images, then relabels.

The self-labelling step of deep clustering (e.g. SCAN's): a classifier trained on the
pseudo-labels of a clustering, with random shifts as augmentation, learns what the
clusters have in common and corrects points the clustering put on the wrong side of a
boundary. No true labels are used.
"""

import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from deepclust.labels import NOISE
from deepclust.model import TrainingDiverged, epochs_for


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
def predict_proba(model, x, batch_size=4096):
    model.eval()
    parts = [model(x[i : i + batch_size]).softmax(dim=1) for i in range(0, len(x), batch_size)]
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


def self_train(
    images,
    labels,
    seed,
    epochs,
    min_steps,
    batch_size,
    learning_rate,
    conv_width,
    shift_fraction,
    log=print,
):
    """Train :func:`classifier` on ``labels`` (noise points left out) and relabel every image.

    ``images``: uint8 ``(N, H, W)`` or ``(N, H, W, C)``; ``labels``: int ``(N,)`` cluster ids,
    ``NOISE`` (-1) for noise. Adam with a one-cycle schedule peaking at ``learning_rate``;
    :func:`epochs_for` passes over the labelled images (``epochs``, more on a small set so
    that at least ``min_steps`` optimiser steps are taken), each image randomly shifted by
    up to :func:`shift_for_size` pixels. Deterministic for a seed and thread count.

    Returns ``(new_labels, confidence, history)``: the classifier's argmax as the
    original cluster ids (no noise), its softmax maximum per point, and per-epoch dicts
    ``{"epoch", "loss", "seconds"}``.
    """
    labels = np.asarray(labels)
    if len(labels) != len(images):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    clusters, target = _class_indices(labels)
    if len(clusters) < 2:
        raise ValueError(
            "self-training needs at least 2 clusters to learn from, the base clustering has "
            f"{len(clusters)}"
        )
    if epochs < 1 or min_steps < 0 or batch_size < 1:
        raise ValueError("self-training needs epochs >= 1, min_steps >= 0 and batch_size >= 1")
    torch.manual_seed(seed)
    x = to_tensor(images)
    max_shift = shift_for_size(x.shape[2], x.shape[3], shift_fraction)
    train = torch.from_numpy(np.flatnonzero(target >= 0))
    y = torch.from_numpy(target)
    # channels_last: about 20% faster convolutions on CPU (oneDNN)
    model = classifier(len(clusters), x.shape[1], x.shape[2], x.shape[3], conv_width)
    model = model.to(memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    n_epochs = epochs_for(len(train), batch_size, epochs, min_steps)
    steps = n_epochs * -(-len(train) // batch_size)
    log(
        f"{n_epochs} epochs ({steps} optimiser steps) on {len(train)} images, "
        f"random shifts of up to {max_shift} px"
    )
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, learning_rate, total_steps=steps)
    generator = torch.Generator().manual_seed(seed)
    history = []
    every = max(1, n_epochs // 20)  # at most ~20 progress lines
    for epoch in range(1, n_epochs + 1):
        start = time.perf_counter()
        model.train()
        order = train[torch.randperm(len(train), generator=generator)]
        shifted = random_shifts(x[order], max_shift, generator)
        shifted = shifted.contiguous(memory_format=torch.channels_last)
        total = 0.0
        for begin in range(0, len(order), batch_size):
            batch = slice(begin, begin + batch_size)
            loss = F.cross_entropy(model(shifted[batch]), y[order[batch]])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item() * len(order[batch])
        epoch_loss = total / len(order)
        if not np.isfinite(epoch_loss):
            raise TrainingDiverged(
                f"self-training diverged at epoch {epoch}: loss is {epoch_loss}; "
                f"lower the learning rate (now {learning_rate})"
            )
        history.append({"epoch": epoch, "loss": epoch_loss, "seconds": time.perf_counter() - start})
        if epoch % every == 0 or epoch == n_epochs:
            log(
                f"self-training epoch {epoch}/{n_epochs}  loss {epoch_loss:.4f}  "
                f"{history[-1]['seconds']:.1f} s"
            )
    proba = predict_proba(model, x)
    return clusters[proba.argmax(axis=1)], proba.max(axis=1), history
