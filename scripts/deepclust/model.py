"""Feed-forward autoencoder: definition, seeded training, encoding, checkpoints."""

import time
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .settings import Settings, check_choice, check_flag, check_integer, check_number

# How pixels are scaled and what the decoder ends with.
SCALINGS = {
    "symmetric": ("[-1, 1]", "tanh"),  # the seed's choice
    "unit": ("[0, 1]", "linear"),
}
DEVICES = ("auto", "cpu", "cuda")
LR_SCHEDULES = ("constant", "cosine")


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


@dataclass(frozen=True)
class AutoencoderSettings(Settings):
    """How to build and train the autoencoder: the config's ``autoencoder`` block.

    Build it with ``AutoencoderSettings.from_params(params)``; every value is checked here
    and a bad one raises ValueError naming its key.

    Attributes
    ----------
    hidden : tuple of int
        Hidden layer sizes of the encoder (the decoder mirrors them).
    latent_dim : int
        Size of the embedding.
    scaling : str
        How pixels are scaled, a key of ``SCALINGS``.
    epochs : int
        Passes over the images (more on a small dataset, see ``min_steps``).
    min_steps : int
        At least this many optimiser steps (:func:`epochs_for`).
    batch_size : int
        Images per optimiser step.
    learning_rate : float
        Adam's learning rate.
    device : str
        ``auto``, ``cpu`` or ``cuda`` (:func:`resolve_device`).
    batch_norm : bool
        BatchNorm1d between each hidden Linear layer and its ReLU.
    input_noise : float
        Standard deviation of the Gaussian noise added to the scaled inputs (0: none).
    lr_schedule : str
        ``constant`` or ``cosine``.
    """

    hidden: tuple
    latent_dim: int
    scaling: str
    epochs: int
    min_steps: int
    batch_size: int
    learning_rate: float
    device: str
    batch_norm: bool
    input_noise: float
    lr_schedule: str

    def __post_init__(self):
        if not isinstance(self.hidden, (list, tuple)) or not self.hidden:
            raise ValueError(f"hidden must be a non-empty list of sizes, got {self.hidden!r}")
        for i, size in enumerate(self.hidden):
            check_integer(f"hidden[{i}]", size, 1)
        object.__setattr__(self, "hidden", tuple(self.hidden))
        check_integer("latent_dim", self.latent_dim, 1)
        check_choice("scaling", self.scaling, SCALINGS)
        check_integer("epochs", self.epochs, 1)
        check_integer("min_steps", self.min_steps, 0)
        check_integer("batch_size", self.batch_size, 1)
        check_number("learning_rate", self.learning_rate, 0, above=True)
        check_choice("device", self.device, DEVICES)
        check_flag("batch_norm", self.batch_norm)
        check_number("input_noise", self.input_noise, 0)
        check_choice("lr_schedule", self.lr_schedule, LR_SCHEDULES)


def check_loss(loss, epoch, learning_rate, what="training"):
    """Raise TrainingDiverged when the epoch's ``loss`` is NaN or infinite."""
    if not np.isfinite(loss):
        raise TrainingDiverged(
            f"{what} diverged at epoch {epoch}: loss is {loss}; "
            f"lower the learning rate (now {learning_rate})"
        )


def _new_model(x, settings, seed, device):
    """An untrained :class:`Autoencoder` for inputs like ``x``, its weights drawn after
    ``torch.manual_seed(seed)``, on ``device``."""
    s = settings
    torch.manual_seed(seed)
    model = Autoencoder(int(np.prod(x.shape[1:])), s.hidden, s.latent_dim, s.scaling, s.batch_norm)
    return model.to(device)


def _optimiser(model, settings, steps):
    """Adam on ``model`` and its per-batch learning-rate schedule: None for ``constant``,
    cosine annealing to 0 over ``steps`` optimiser steps for ``cosine``."""
    optimizer = torch.optim.Adam(model.parameters(), lr=settings.learning_rate)
    if settings.lr_schedule == "cosine":
        return optimizer, torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
    return optimizer, None


def _noise_adder(input_noise, seed, device):
    """A function that returns a batch plus seeded Gaussian noise of standard deviation
    ``input_noise`` (its own generator, seeded ``seed + 1``); the identity when it is 0."""
    if input_noise == 0:
        return lambda batch: batch
    generator = torch.Generator(device=device).manual_seed(seed + 1)

    def add_noise(batch):
        return batch + input_noise * torch.randn(
            batch.shape, generator=generator, device=device, dtype=batch.dtype
        )

    return add_noise


def _batches(data, order, batch_size, scaling, device):
    """Yield one epoch's clean float32 batches, rows ``order`` of ``data`` in turn.

    ``data`` is a float32 tensor already on ``device``, or uint8 images (any array-like)
    that are scaled batch by batch with ``scaling``.
    """
    tensor = isinstance(data, torch.Tensor)
    if tensor:
        order = order.to(device)
    for begin in range(0, len(data), batch_size):
        if tensor:
            yield data[order[begin : begin + batch_size]]
        else:
            rows = order[begin : begin + batch_size].numpy()
            yield torch.from_numpy(scale_images(data[rows], scaling)).to(device)


def _train_epoch(model, optimizer, scheduler, batches, add_noise, device):
    """One pass over ``batches`` (MSE against the clean batch, one Adam step per batch).

    Returns the mean loss over the epoch's samples, a float (summed in float64).
    """
    loss_fn = nn.MSELoss()
    total, count = torch.zeros((), dtype=torch.float64, device=device), 0
    model.train()
    for batch in batches:
        loss = loss_fn(model(add_noise(batch)), batch)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        total += loss.detach().double() * len(batch)
        count += len(batch)
    return float(total) / count


def train_autoencoder(x, settings, seed, *, log=print):
    """Train an :class:`Autoencoder` with MSE and Adam on ``x``, shuffled with ``seed``.

    With ``batch_norm`` false, ``input_noise`` 0 and ``lr_schedule`` constant this is the
    seed's training, bit for bit. ``input_noise`` > 0 trains a denoising autoencoder (noisy
    inputs, clean targets); ``cosine`` anneals the learning rate per batch to 0.

    Parameters
    ----------
    x : array-like
        float32 ``(N, D)`` inputs, or uint8 images ``(N, ...)`` (e.g. a memory-mapped
        ``.npy``) scaled batch by batch with ``settings.scaling``: memory then holds the
        images once, never a float32 copy, and the numbers are the same.
    settings : AutoencoderSettings
        The model and its training (:func:`epochs_for` epochs).
    seed : int
        Seeds the initial weights, the shuffling and the input noise.
    log : callable
        Receives one progress line per epoch.

    Returns
    -------
    model : Autoencoder
        The trained model, on the CPU.
    history : list of dict
        ``{"epoch", "loss", "seconds"}`` per epoch, loss the mean MSE against clean inputs.

    Raises
    ------
    TrainingDiverged
        When an epoch's loss is NaN or infinite.
    """
    s, device = settings, resolve_device(settings.device)
    epochs = epochs_for(len(x), s.batch_size, s.epochs, s.min_steps)
    model = _new_model(x, s, seed, device)
    optimizer, scheduler = _optimiser(model, s, epochs * -(-len(x) // s.batch_size))
    add_noise = _noise_adder(s.input_noise, seed, device)
    data = x if x.dtype == np.uint8 else torch.from_numpy(x).to(device)
    shuffle = torch.Generator().manual_seed(seed)
    history = []
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        order = torch.randperm(len(data), generator=shuffle)
        batches = _batches(data, order, s.batch_size, s.scaling, device)
        loss = _train_epoch(model, optimizer, scheduler, batches, add_noise, device)
        seconds = time.perf_counter() - start
        check_loss(loss, epoch, s.learning_rate)
        history.append({"epoch": epoch, "loss": loss, "seconds": seconds})
        log(f"epoch {epoch}/{epochs}  loss {loss:.6f}  {seconds:.2f} s")
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
