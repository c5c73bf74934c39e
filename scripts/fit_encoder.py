"""Rule fit_encoder: images -> the state of an encoder other than the autoencoder (what
the embed rules need), a summary (encoder.json) and a figure (encoder.png: the loss curve
of a trained encoder, else the spread of the embedding's dimensions)."""

import numpy as np
import torch

from deepclust.encoders import describe
from deepclust.encoders.run import fit, save_state
from deepclust.figures import plot_encoder
from deepclust.io import save_figure, save_json
from deepclust.provenance import imported_versions
from deepclust.runlog import job_log

name, params = snakemake.params.encoder, snakemake.params.encoders
seed = int(snakemake.wildcards.seed)
with job_log(snakemake.log[0]) as log:
    torch.set_num_threads(snakemake.threads)
    images = np.load(snakemake.input.data, mmap_mode="r")
    log(f"fitting encoder {name} on {images.shape[0]} images of {images.shape[1:]}, seed {seed}")
    state = fit(name, images, params, seed, checkpoint=snakemake.input.model or None, log=log)
    save_state(snakemake.output.state, state)
    history = state.get("state", {}).get("history", [])
    title = f"{snakemake.wildcards.dataset}, seed {seed}: encoder {name}"
    save_figure(snakemake.output.curve, plot_encoder(history, state["spread"], title), dpi=120)
    save_json(
        snakemake.output.training,
        {
            "encoder": name,
            "description": describe(name, params),
            "width": state["width"],
            "final_loss": history[-1]["loss"] if history else None,
            "seconds": state["seconds"],
            "threads": snakemake.threads,
            "versions": imported_versions(),
        },
    )
