"""Feature groups to an embedding: each feature standardised, each group scaled to the
same total variance times its weight, then PCA to a few dimensions, each component divided
by its standard deviation to the power ``whiten`` (0: as it is, 1: whitened).
Fitted on a sample, applied chunk by chunk; numpy in and out."""

import numpy as np


def fit_reducer(features, groups, weights, dimensions, whiten):
    """A dict of arrays mapping raw features ``(N, F)`` to ``(N, dimensions)``.

    ``groups`` is int ``(F,)``: the group of each column; ``weights`` a sequence, one
    weight per group (0 drops the group). ``dimensions`` 0 keeps every column (after
    scaling); ``whiten`` in [0, 1] evens out the components' spread (1: all alike).
    PCA is exact (SVD): the result depends on nothing but ``features``.
    """
    x = np.asarray(features, dtype=np.float64)
    groups = np.asarray(groups)
    mean, std = x.mean(0), x.std(0)
    std[std < 1e-8] = np.inf  # a constant column contributes nothing
    scale = np.zeros(x.shape[1])
    for g, weight in enumerate(weights):
        cols = (groups == g) & np.isfinite(std)
        if cols.any() and weight > 0:
            scale[cols] = np.sqrt(weight / cols.sum()) / std[cols]
    z = (x - mean) * scale
    state = {"mean": mean, "scale": scale}
    if dimensions:
        k = min(dimensions, *z.shape)
        _, s, vt = np.linalg.svd(z - z.mean(0), full_matrices=False)
        vt = vt[:k]
        vt *= np.sign(vt[np.arange(k), np.abs(vt).argmax(1)])[:, None]  # a fixed sign
        state["offset"] = z.mean(0)
        state["components"] = vt
        sd = s[:k] / np.sqrt(max(len(z) - 1, 1))
        state["divisor"] = np.where(sd > 1e-12, sd, 1.0) ** float(whiten)
    return state


def apply_reducer(state, features):
    """float32 ``(N, k)``: ``features`` mapped by a :func:`fit_reducer` state."""
    z = (np.asarray(features, dtype=np.float64) - state["mean"]) * state["scale"]
    if "components" in state:
        z = (z - state["offset"]) @ state["components"].T / state["divisor"]
    return z.astype(np.float32)
