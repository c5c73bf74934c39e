"""Rule plot_kdistance: DBSCAN's k-distance curve with its knee and the eps used."""

import numpy as np

from deepclust.figures import plot_kdistance
from deepclust.io import save_figure
from deepclust.knee import auto_eps
from deepclust.runlog import job_log

settings = snakemake.params.dbscan
with job_log(snakemake.log[0]) as log:
    x = np.load(snakemake.input.embeddings)
    knee_eps, curve, knee = auto_eps(x, settings["min_samples"])
    eps = knee_eps if settings["eps"] == "auto" else settings["eps"]
    log(f"knee at point {knee} of {len(curve)}: eps {knee_eps:.4g}; eps used {eps:.4g}")
    title = f"{snakemake.wildcards.dataset}, seed {snakemake.wildcards.seed}: DBSCAN k-distance"
    save_figure(snakemake.output[0], plot_kdistance(curve, knee, eps, settings["min_samples"], title), dpi=120)
