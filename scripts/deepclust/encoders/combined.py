"""Views side by side: each view's codes centred and scaled so that its rows have mean
squared norm equal to its weight, then concatenated into one embedding."""

import numpy as np


def fit_combination(views, weights):
    """``views``: a list of float ``(N, d_i)`` arrays (a sample is enough); ``weights``
    one number >= 0 each. Returns the state :func:`combine` applies."""
    if len(views) != len(weights) or not views:
        raise ValueError(f"{len(views)} views but {len(weights)} weights")
    state = []
    for x, weight in zip(views, weights):
        x = np.asarray(x, dtype=np.float64)
        mean = x.mean(0)
        norm = np.sqrt(((x - mean) ** 2).sum(1).mean())
        state.append({"mean": mean, "scale": np.sqrt(weight) / max(norm, 1e-12)})
    return state


def combine(state, views):
    """float32 ``(N, sum d_i)``: each view centred and scaled by the fitted state."""
    if len(views) != len(state):
        raise ValueError(f"{len(views)} views but the combination was fitted on {len(state)}")
    parts = [(np.asarray(x, np.float64) - s["mean"]) * s["scale"] for x, s in zip(views, state)]
    return np.hstack(parts).astype(np.float32)
