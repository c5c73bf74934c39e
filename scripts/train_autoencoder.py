"""Rule train_autoencoder: images -> checkpoint, per-epoch loss table and loss curve."""

import numpy as np
import torch

from deepclust.figures import plot_loss
from deepclust.io import atomic_path, save_figure, save_json, save_text, tsv_text
from deepclust.model import AutoencoderSettings, checkpoint, resolve_device, train_autoencoder
from deepclust.provenance import imported_versions
from deepclust.runlog import job_log

params = snakemake.params.autoencoder
settings = AutoencoderSettings.from_params(params)
seed = int(snakemake.wildcards.seed)
with job_log(snakemake.log[0]) as log:
    torch.set_num_threads(snakemake.threads)
    device = resolve_device(settings.device)
    # memory-mapped uint8 images, scaled batch by batch
    x = np.load(snakemake.input.data, mmap_mode="r")
    log(
        f"training on {x.shape[0]} images of {x.shape[1:]}, device {device}, seed {seed}, "
        f"{snakemake.threads} threads"
    )
    model, history = train_autoencoder(x, settings, seed, log=log)
    state = checkpoint(model, history, dict(params, seed=seed, device=device))
    with atomic_path(snakemake.output.model) as tmp:
        torch.save(state, tmp)
    rows = [[h["epoch"], f"{h['loss']:.8f}", f"{h['seconds']:.3f}"] for h in history]
    save_text(snakemake.output.losses, tsv_text(["epoch", "loss", "seconds"], rows))
    fig = plot_loss(history, f"{snakemake.wildcards.dataset}, seed {seed}: autoencoder training")
    save_figure(snakemake.output.curve, fig, dpi=120)
    save_json(
        snakemake.output.training,
        {
            "architecture": model.architecture,
            "device": device,
            "threads": snakemake.threads,
            "final_loss": history[-1]["loss"],
            "epochs_run": len(history),
            "seconds": sum(h["seconds"] for h in history),
            "versions": imported_versions(),
        },
    )
    log(
        f"final loss {history[-1]['loss']:.6f}, {sum(h['seconds'] for h in history):.1f} s in total"
    )
