"""A pretrained vision network from Hugging Face transformers (e.g. DINOv2, ViT, ResNet),
named by its Hub id or a local folder saved with ``save_pretrained``: images resized to
what it expects, normalised with its processor's mean and std, its pooled output written
as the embedding. Loading uses ``AutoModel.from_pretrained`` (a Hub id is fetched once
into the Hugging Face cache; this project's machines have no network, so its tests save
a tiny random model and load that)."""

from dataclasses import dataclass

import numpy as np

from ..model import DEVICES
from ..settings import Settings, check_choice, check_integer
from .base import ENCODE_CHUNK, as_float, chunk_bounds

POOLINGS = ("cls", "mean")
IMAGENET = ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])


@dataclass(frozen=True)
class PretrainedSettings(Settings):
    """The ``encoders.pretrained`` block: see the schema for each key."""

    model: str
    side: object  # int, or None: the model's own image_size
    pooling: str
    batch_size: int
    device: str

    def __post_init__(self):
        if not isinstance(self.model, str) or not self.model:
            raise ValueError(f"model must name a Hub id or a folder, got {self.model!r}")
        if self.side is not None:
            check_integer("side", self.side, 8)
        check_choice("pooling", self.pooling, POOLINGS)
        check_integer("batch_size", self.batch_size, 1)
        check_choice("device", self.device, DEVICES)


def load(name, device):
    """``(model, side, mean, std)``: the network in eval mode on ``device``, the side its
    config names and its processor's normalisation (ImageNet's when it has none)."""
    from transformers import AutoImageProcessor, AutoModel

    try:
        model = AutoModel.from_pretrained(name)
    except OSError as err:
        raise ValueError(f"encoders.pretrained.model {name!r} cannot be loaded: {err}") from None
    config = getattr(model.config, "vision_config", model.config)
    side = getattr(config, "image_size", 224)
    side = side if isinstance(side, int) else int(side[0])
    try:
        processor = AutoImageProcessor.from_pretrained(name, use_fast=False)
        mean, std = processor.image_mean, processor.image_std
    except (OSError, ValueError):
        mean, std = IMAGENET
    return model.to(device).eval(), side, mean, std


def pooled(outputs, pooling):
    """``(B, D)`` from a model's outputs: the class token (or the pooler's output) for
    ``cls``, the mean over tokens (or positions of a feature map) for ``mean``."""
    hidden = outputs.last_hidden_state
    if hidden.ndim == 4:  # a convolutional network: (B, C, h, w)
        return hidden.mean((2, 3))
    if pooling == "cls":
        pooler = getattr(outputs, "pooler_output", None)
        return pooler if pooler is not None else hidden[:, 0]
    return hidden[:, 1:].mean(1) if hidden.shape[1] > 1 else hidden[:, 0]


def encode(images, settings, start=0, stop=None, log=None):
    """Yield float32 pooled features of ``images[start:stop]``, :data:`ENCODE_CHUNK` rows
    at a time (the network sees ``batch_size`` at a time). No fitting: no state."""
    import torch

    from ..model import resolve_device

    device = resolve_device(settings.device)
    model, side, mean, std = load(settings.model, device)
    side = settings.side or side
    mean = torch.tensor(mean, device=device).view(1, 3, 1, 1)
    std = torch.tensor(std, device=device).view(1, 3, 1, 1)
    stop = len(images) if stop is None else stop
    with torch.no_grad():
        for a, b in chunk_bounds(start, stop, ENCODE_CHUNK):
            parts = []
            for i in range(a, b, settings.batch_size):
                x = as_float(np.asarray(images[i : min(i + settings.batch_size, b)])).to(device)
                x = x.expand(-1, 3, -1, -1) if x.shape[1] == 1 else x
                x = torch.nn.functional.interpolate(
                    x, size=(side, side), mode="bilinear", antialias=True, align_corners=False
                )
                out = model(pixel_values=(x - mean) / std)
                parts.append(pooled(out, settings.pooling).float().cpu().numpy())
            if log is not None:
                log(f"encoded rows {a} to {b}")
            yield np.concatenate(parts)
