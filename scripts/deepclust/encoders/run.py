"""One entry for the workflow's encoders other than the autoencoder: fit (rule
fit_encoder) and encode rows (rules embed_shard and embed) by name, and the state saved
between them. The fully connected autoencoder keeps deepclust.model; ``combined`` takes
its codes as one view."""

import time

import numpy as np

from .base import sample_rows

SPREAD_SAMPLE = 1000  # images encoded at fit time to describe the embedding


def _module(name):
    from . import convae, features, pretrained

    return {"conv_autoencoder": convae, "features": features, "pretrained": pretrained}[name]


def settings_of(name, params):
    """The validated settings of encoder ``name`` from its ``encoders.<name>`` block."""
    from .convae import ConvAutoencoderSettings
    from .features import FeatureSettings
    from .pretrained import PretrainedSettings

    kinds = {
        "conv_autoencoder": ConvAutoencoderSettings,
        "features": FeatureSettings,
        "pretrained": PretrainedSettings,
    }
    return kinds[name].from_params(params)


def _fit_one(name, images, params, seed, log):
    if name == "pretrained":
        return {}
    return _module(name).fit(images, settings_of(name, params), seed, log=log)


def _encode_one(name, state, images, params, start, stop, log=None):
    settings = settings_of(name, params)
    if name == "pretrained":
        return _module(name).encode(images, settings, start, stop, log=log)
    return _module(name).encode(state, images, settings, start, stop, log=log)


def _autoencoder_codes(checkpoint, images, start, stop):
    from ..model import encode_images, load_checkpoint

    model, state = load_checkpoint(checkpoint)
    return encode_images(model, images, state["architecture"]["scaling"], start, stop)


def _views(state, images, params, start, stop, checkpoint, log=None):
    """Yield, chunk by chunk, the list of each view's codes of a ``combined`` state."""
    streams = []
    for view, view_state in zip(state["views"], state["states"]):
        if view == "autoencoder":
            streams.append(_autoencoder_codes(checkpoint, images, start, stop))
        else:
            streams.append(_encode_one(view, view_state, images, params[view], start, stop))
    for a, chunks in enumerate(zip(*streams)):
        if log is not None:
            log(f"encoded chunk {a + 1}")
        yield list(chunks)


def fit(name, images, params, seed, checkpoint=None, log=print):
    """The state (a dict) :func:`encode` needs for encoder ``name`` on uint8 ``images``.

    ``params`` is the ``encoders`` block (each encoder's settings by name); ``checkpoint``
    the autoencoder's, needed when a ``combined`` view is the autoencoder. The state also
    holds ``width`` (the embedding's size), ``spread`` (each dimension's variance on a
    sample of the images, largest first) and ``seconds``.
    """
    from .combined import fit_combination

    start = time.perf_counter()
    if name == "combined":
        views = [v for v, w in params["combined"]["views"].items() if w > 0]
        if not views:
            raise ValueError("encoders.combined.views: every weight is 0; give one view a weight")
        state = {"views": views, "states": []}
        for view in views:
            log(f"fitting view {view}")
            state["states"].append(
                {} if view == "autoencoder" else _fit_one(view, images, params[view], seed, log)
            )
        rows = sample_rows(len(images), params["combined"]["fit_sample"], seed)
        sample = _Rows(images, rows)
        codes = [
            np.concatenate(c) for c in zip(*_views(state, sample, params, 0, len(rows), checkpoint))
        ]
        weights = [params["combined"]["views"][v] for v in views]
        state["combination"] = fit_combination(codes, weights)
    else:
        state = {"state": _fit_one(name, images, params[name], seed, log)}
    rows = sample_rows(len(images), SPREAD_SAMPLE, seed)
    codes = np.concatenate(
        list(encode(name, state, _Rows(images, rows), params, checkpoint=checkpoint))
    )
    state["width"] = int(codes.shape[1])
    state["spread"] = np.sort(codes.var(0))[::-1].tolist()
    state["seconds"] = time.perf_counter() - start
    log(f"{name}: embeddings of {state['width']} dimensions, fitted in {state['seconds']:.1f} s")
    return state


def encode(name, state, images, params, start=0, stop=None, checkpoint=None, log=None):
    """Yield the float32 codes of ``images[start:stop]`` chunk by chunk (ENCODE_CHUNK
    rows; shard boundaries are multiples of it, so shards equal one pass)."""
    from .combined import combine

    stop = len(images) if stop is None else stop
    if name == "combined":
        for chunks in _views(state, images, params, start, stop, checkpoint, log):
            yield combine(state["combination"], chunks)
    else:
        yield from _encode_one(name, state["state"], images, params[name], start, stop, log)


def write_rows(path, name, state, images, params, start=0, stop=None, checkpoint=None, log=None):
    """Encode ``images[start:stop]`` chunk by chunk straight into the ``.npy`` file
    ``path`` (float32 ``(stop - start, state["width"])``), atomically."""
    from .base import write_codes

    stop = len(images) if stop is None else stop
    codes = encode(name, state, images, params, start, stop, checkpoint, log)
    write_codes(path, codes, stop - start, state["width"])


class _Rows:
    """Rows ``rows`` of ``images`` seen as an array (what the encoders index)."""

    def __init__(self, images, rows):
        self.images, self.rows = images, np.asarray(rows)
        self.shape = (len(self.rows), *images.shape[1:])
        self.ndim = images.ndim

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, index):
        return np.asarray(self.images[self.rows[index]])


def save_state(path, state):
    """``state`` (dicts, lists, numbers, numpy arrays, tensors) to ``path`` with torch."""
    import torch

    from ..io import atomic_path

    with atomic_path(path) as tmp:
        torch.save(_tensors(state), tmp)


def load_state(path):
    import torch

    return _arrays(torch.load(path, map_location="cpu", weights_only=True))


def _tensors(obj):
    import torch

    if isinstance(obj, np.ndarray):
        return {"__ndarray__": torch.from_numpy(np.ascontiguousarray(obj))}
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, dict):
        return {k: _tensors(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_tensors(v) for v in obj]
    return obj


def _arrays(obj):
    if isinstance(obj, dict):
        if set(obj) == {"__ndarray__"}:
            return obj["__ndarray__"].numpy()
        return {k: _arrays(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_arrays(v) for v in obj]
    return obj
