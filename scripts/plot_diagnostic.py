"""Rule plot_diagnostic: one diagnostic figure an algorithm declares (deepclust.diagnostics),
from the embeddings and what the clustering recorded (its run.json)."""

import json
from pathlib import Path

import numpy as np

from deepclust.diagnostics import draw
from deepclust.io import save_figure
from deepclust.runlog import job_log

w = snakemake.wildcards
with job_log(snakemake.log[0]) as log:
    x = np.load(snakemake.input.embeddings)
    run = json.loads(Path(snakemake.input.run).read_text())
    where = f"{w.dataset}, seed {w.seed}"
    figure = draw(w.diagnostic, x, snakemake.params.settings, int(w.seed), where, log, run)
    save_figure(snakemake.output[0], figure, dpi=120)
