"""Rule plot_diagnostic: one diagnostic figure an algorithm declares (deepclust.diagnostics)."""

import numpy as np

from deepclust.diagnostics import draw
from deepclust.io import save_figure
from deepclust.runlog import job_log

w = snakemake.wildcards
with job_log(snakemake.log[0]) as log:
    x = np.load(snakemake.input.embeddings)
    where = f"{w.dataset}, seed {w.seed}"
    figure = draw(w.diagnostic, x, snakemake.params.settings, int(w.seed), where, log)
    save_figure(snakemake.output[0], figure, dpi=120)
