"""Feed-forward autoencoder: definition, seeded training, encoding, checkpoints."""

import time

import numpy as np
import torch
from torch import nn

# How pixels are scaled and what the decoder ends with.
SCALINGS = {
    "symmetric": ("[-1, 1]", "tanh"),  # the seed's choice
    "unit": ("[0, 1]", "linear"),
}


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or infinite."""


def scale_images(images, scaling):
    """uint8 images ``(N, ...)`` -> float32 ``(N, D)`` in the range ``scaling`` names."""
    if scaling not in SCALINGS:
        raise ValueError(f"scaling must be one of {sorted(SCALINGS)}, got {scaling!r}")
    x = images.reshape(len(images), -1).astype(np.float32) / np.float32(255.0)
    return x * np.float32(2.0) - np.float32(1.0) if scaling == "symmetric" else x


def _mlp(sizes, last_activation, batch_norm):
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:
            if batch_norm:
                layers.append(nn.BatchNorm1d(n_out))
            layers.append(nn.ReLU())
    if last_activation == "tanh":
        layers.append(nn.Tanh())
    return nn.Sequential(*layers)


class Autoencoder(nn.Module):
    """Encoder ``input -> hidden... -> latent`` (linear latent), mirrored decoder.

    ``batch_norm`` puts a BatchNorm1d between every hidden Linear and its ReLU (encoder
    and decoder); when off it is absent from ``architecture`` so that the seed's model and
    its checkpoints are unchanged (hence ``False`` when a checkpoint does not name it).
    """

    def __init__(self, input_dim, hidden, latent_dim, scaling, batch_norm=False):
        super().__init__()
        self.architecture = {
            "input_dim": int(input_dim),
            "hidden": [int(h) for h in hidden],
            "latent_dim": int(latent_dim),
            "scaling": scaling,
        }
        if batch_norm:
            self.architecture["batch_norm"] = True
        sizes = [input_dim, *hidden, latent_dim]
        self.encoder = _mlp(sizes, "linear", batch_norm)
        self.decoder = _mlp(sizes[::-1], SCALINGS[scaling][1], batch_norm)

    def forward(self, x):
        return self.decoder(self.encoder(x))


def resolve_device(device):
    """``auto`` -> ``cuda`` when a GPU is visible, else ``cpu``."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' requested but torch sees no CUDA GPU; use 'auto' or 'cpu'")
    return device


def epochs_for(n_train, batch_size, epochs, min_steps):
    """Passes over ``n_train`` images: ``epochs``, or more where that many passes would
    give fewer than ``min_steps`` optimiser steps (a small dataset still trains enough)."""
    per_epoch = -(-n_train // batch_size)
    return max(epochs, -(-min_steps // per_epoch))


def train_autoencoder(
    x,
    hidden,
    latent_dim,
    epochs,
    batch_size,
    learning_rate,
    seed,
    *,
    scaling,
    device,
    batch_norm,
    input_noise,
    lr_schedule,
    min_steps,
    log=print,
):
    """Train with MSE and Adam on ``x``; seeded shuffling.

    ``x`` is float32 ``(N, D)`` inputs, or uint8 images ``(N, ...)`` (any array-like, e.g.
    a memory-mapped ``.npy``) that are scaled batch by batch with ``scaling``: memory then
    holds the images once, never a float32 copy of them, and the numbers are the same.

    Options (all off, i.e. ``False``, ``0.0``, ``constant``, reproduce the seed's training
    bit for bit): ``batch_norm`` (see :class:`Autoencoder`); ``input_noise`` > 0 trains a
    denoising autoencoder: Gaussian noise of that standard deviation (in scaled pixel
    units) is added to each batch's inputs, drawn from a generator seeded with ``seed``,
    while the target stays clean; ``lr_schedule``: ``constant`` or ``cosine`` (learning
    rate annealed per batch from ``learning_rate`` to 0 over all epochs); ``min_steps``:
    train for :func:`epochs_for` epochs, more than ``epochs`` on a dataset too small to give
    that many optimiser steps.

    Returns ``(model, history)`` where history is a list of per-epoch dicts
    ``{"epoch", "loss", "seconds"}`` (loss = mean MSE over the epoch's samples, against
    the clean inputs). Raises TrainingDiverged on a NaN/inf loss.
    """
    if lr_schedule not in ("constant", "cosine"):
        raise ValueError(f"lr_schedule must be 'constant' or 'cosine', got {lr_schedule!r}")
    if input_noise < 0:
        raise ValueError(f"input_noise must be >= 0, got {input_noise}")
    epochs = epochs_for(len(x), batch_size, epochs, min_steps)
    torch.manual_seed(seed)
    input_dim = int(np.prod(x.shape[1:]))
    model = Autoencoder(input_dim, hidden, latent_dim, scaling, batch_norm).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    scheduler = None
    if lr_schedule == "cosine":
        steps = epochs * -(-len(x) // batch_size)
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
    noise = torch.Generator(device=device).manual_seed(seed + 1) if input_noise > 0 else None
    loss_fn = nn.MSELoss()
    raw = x.dtype == np.uint8
    data = x if raw else torch.from_numpy(x).to(device)
    shuffle = torch.Generator().manual_seed(seed)
    history = []
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        order = torch.randperm(len(data), generator=shuffle)
        if not raw:
            order = order.to(device)
        total = torch.zeros((), dtype=torch.float64, device=device)
        model.train()
        for begin in range(0, len(data), batch_size):
            if raw:
                rows = order[begin : begin + batch_size].numpy()
                batch = torch.from_numpy(scale_images(data[rows], scaling)).to(device)
            else:
                batch = data[order[begin : begin + batch_size]]
            inputs = batch
            if noise is not None:
                inputs = batch + input_noise * torch.randn(
                    batch.shape, generator=noise, device=device, dtype=batch.dtype
                )
            loss = loss_fn(model(inputs), batch)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            total += loss.detach().double() * len(batch)
        epoch_loss = float(total) / len(data)
        seconds = time.perf_counter() - start
        if not np.isfinite(epoch_loss):
            raise TrainingDiverged(
                f"training diverged at epoch {epoch}: loss is {epoch_loss}; "
                f"lower the learning rate (now {learning_rate})"
            )
        history.append({"epoch": epoch, "loss": epoch_loss, "seconds": seconds})
        log(f"epoch {epoch}/{epochs}  loss {epoch_loss:.6f}  {seconds:.2f} s")
    return model.cpu(), history


ENCODE_CHUNK = 1024  # rows per forward pass; shard boundaries are multiples of it


@torch.no_grad()
def encode(model, x, batch_size=ENCODE_CHUNK):
    """Latent codes float32 ``(N, latent_dim)`` of float32 ``x`` ``(N, D)``."""
    model.eval()
    parts = [
        model.encoder(torch.from_numpy(x[i : i + batch_size])).numpy()
        for i in range(0, len(x), batch_size)
    ]
    return np.concatenate(parts).astype(np.float32, copy=False)


@torch.no_grad()
def encode_images(model, images, scaling, start=0, stop=None, batch_size=ENCODE_CHUNK):
    """Yield the float32 codes of uint8 ``images[start:stop]`` (any array-like, e.g. a
    memory-mapped ``.npy``), ``batch_size`` rows at a time, each chunk scaled on its own:
    memory stays one chunk, and the codes are those of :func:`encode` on the scaled images.
    """
    model.eval()
    stop = len(images) if stop is None else stop
    for i in range(start, stop, batch_size):
        x = scale_images(np.asarray(images[i : min(i + batch_size, stop)]), scaling)
        yield model.encoder(torch.from_numpy(x)).numpy().astype(np.float32, copy=False)


def write_codes(path, model, state, images, start=0, stop=None):
    """Encode ``images[start:stop]`` chunk by chunk (:func:`encode_images`) straight into
    the ``.npy`` file ``path``, atomically; raises FloatingPointError on a NaN or inf code."""
    from .io import NpyWriter, atomic_path

    stop = len(images) if stop is None else stop
    shape = (stop - start, state["architecture"]["latent_dim"])
    with atomic_path(path) as tmp, NpyWriter(tmp, np.float32, shape) as out:
        for codes in encode_images(model, images, state["architecture"]["scaling"], start, stop):
            if not np.isfinite(codes).all():
                raise FloatingPointError("the encoder produced NaN or inf embeddings")
            out.write(codes)


def checkpoint(model, history, settings):
    """Everything needed to rebuild the model: weights, architecture, settings used."""
    return {
        "state_dict": model.state_dict(),
        "architecture": model.architecture,
        "settings": settings,
        "history": history,
    }


def load_checkpoint(path):
    state = torch.load(path, map_location="cpu", weights_only=True)
    model = Autoencoder(**state["architecture"])
    model.load_state_dict(state["state_dict"])
    return model, state
