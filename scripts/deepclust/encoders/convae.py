"""A convolutional autoencoder for grey or colour images of any size (tested to 128 px):
strided convolutions down to a small map, a linear layer to the code, mirrored up again.
Its weights grow with the number of channels, not with the square of the side."""

import time
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ..model import DEVICES
from ..settings import Settings, check_choice, check_integer, check_number
from .base import ENCODE_CHUNK, as_float, chunk_bounds


@dataclass(frozen=True)
class ConvAutoencoderSettings(Settings):
    """The ``encoders.conv_autoencoder`` block: see the schema for each key."""

    channels: tuple
    latent_dim: int
    steps: int
    batch_size: int
    learning_rate: float
    device: str

    def __post_init__(self):
        if not isinstance(self.channels, (list, tuple)) or not self.channels:
            raise ValueError(f"channels must be a non-empty list, got {self.channels!r}")
        for i, c in enumerate(self.channels):
            check_integer(f"channels[{i}]", c, 1)
        object.__setattr__(self, "channels", tuple(self.channels))
        check_integer("latent_dim", self.latent_dim, 1)
        check_integer("steps", self.steps, 1)
        check_integer("batch_size", self.batch_size, 1)
        check_number("learning_rate", self.learning_rate, 0, above=True)
        check_choice("device", self.device, DEVICES)


def padded_side(side, depth):
    """``side`` rounded up to a multiple of ``2**depth`` (each layer halves the map)."""
    step = 2**depth
    return -(-side // step) * step


class ConvAutoencoder(nn.Module):
    """``(B, C, H, W)`` in [0, 1] -> code ``(B, latent_dim)`` -> reconstruction."""

    def __init__(self, in_channels, height, width, channels, latent_dim):
        super().__init__()
        self.architecture = {
            "in_channels": int(in_channels),
            "height": int(height),
            "width": int(width),
            "channels": [int(c) for c in channels],
            "latent_dim": int(latent_dim),
        }
        depth = len(channels)
        self.padded = (padded_side(height, depth), padded_side(width, depth))
        self.map = (channels[-1], self.padded[0] >> depth, self.padded[1] >> depth)
        down, sizes = [], [in_channels, *channels]
        for a, b in zip(sizes[:-1], sizes[1:]):
            down += [nn.Conv2d(a, b, 4, 2, 1), nn.BatchNorm2d(b), nn.ReLU()]
        self.down = nn.Sequential(*down)
        self.to_code = nn.Linear(int(np.prod(self.map)), latent_dim)
        self.from_code = nn.Linear(latent_dim, int(np.prod(self.map)))
        up, rev = [], sizes[::-1]
        for i, (a, b) in enumerate(zip(rev[:-1], rev[1:])):
            up.append(nn.ConvTranspose2d(a, b, 4, 2, 1))
            up += [nn.BatchNorm2d(b), nn.ReLU()] if i < depth - 1 else [nn.Sigmoid()]
        self.up = nn.Sequential(*up)

    def pad(self, x):
        h, w = x.shape[-2:]
        return nn.functional.pad(x, (0, self.padded[1] - w, 0, self.padded[0] - h))

    def encode(self, x):
        return self.to_code(self.down(self.pad(x)).flatten(1))

    def forward(self, x):
        x = self.pad(x)
        return self.up(self.from_code(self.to_code(self.down(x).flatten(1))).view(-1, *self.map)), x


def train(images, settings, seed, log=print):
    """Train on uint8 ``images`` ``(N, H, W[, 3])`` for ``settings.steps`` Adam steps of
    MSE, batches drawn by a generator seeded ``seed``. Returns ``(model on the CPU, history)``."""
    from ..model import resolve_device

    s, device = settings, resolve_device(settings.device)
    h, w = images.shape[1:3]
    c = 1 if images.ndim == 3 else images.shape[3]
    torch.manual_seed(seed)
    model = ConvAutoencoder(c, h, w, s.channels, s.latent_dim).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=s.learning_rate)
    generator = torch.Generator().manual_seed(seed)
    history, order, at, start, total = (
        [],
        torch.randperm(len(images), generator=generator),
        0,
        time.perf_counter(),
        0.0,
    )
    model.train()
    for step in range(1, s.steps + 1):
        if at + s.batch_size > len(images) and at > 0:
            order, at = torch.randperm(len(images), generator=generator), 0
        rows = np.sort(order[at : at + s.batch_size].numpy())
        at += s.batch_size
        out, target = model(as_float(np.asarray(images[rows])).to(device))
        loss = nn.functional.mse_loss(out, target)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        total += float(loss.detach())
        if step % 100 == 0 or step == s.steps:
            history.append(
                {
                    "step": step,
                    "loss": total / (step - (step - 1) // 100 * 100),
                    "seconds": time.perf_counter() - start,
                }
            )
            total = 0.0
            log(f"step {step}/{s.steps}  loss {history[-1]['loss']:.6f}")
    if not np.isfinite(history[-1]["loss"]):
        raise FloatingPointError(
            f"conv autoencoder training diverged; lower learning_rate ({s.learning_rate})"
        )
    return model.cpu().eval(), history


def fit(images, settings, seed, log=print):
    """The state :func:`encode` needs: architecture and weights (torch-saveable)."""
    model, history = train(images, settings, seed, log)
    return {
        "architecture": model.architecture,
        "state_dict": model.state_dict(),
        "history": history,
    }


def load(state):
    model = ConvAutoencoder(**state["architecture"])
    model.load_state_dict(state["state_dict"])
    return model.eval()


@torch.no_grad()
def encode(state, images, settings, start=0, stop=None, log=None):
    """Yield float32 codes of ``images[start:stop]``, :data:`ENCODE_CHUNK` rows at a time."""
    from ..model import resolve_device

    device = resolve_device(settings.device)
    model = load(state).to(device)
    stop = len(images) if stop is None else stop
    for a, b in chunk_bounds(start, stop, ENCODE_CHUNK):
        codes = model.encode(as_float(np.asarray(images[a:b])).to(device))
        if log is not None:
            log(f"encoded rows {a} to {b}")
        yield codes.cpu().numpy().astype(np.float32, copy=False)
