"""Rule plot_kdistance: DBSCAN's k-distance curve with its knee and the eps used.

Above ``exact_max`` points the curve is estimated from a seeded sample (the same one
DBSCAN's eps auto draws for this seed), and the figure and the log say so.
"""

import numpy as np
from deepclust.figures import plot_kdistance
from deepclust.io import save_figure
from deepclust.knee import auto_eps, sample_size_for
from deepclust.runlog import job_log

settings = snakemake.params.dbscan
seed = int(snakemake.wildcards.seed)
with job_log(snakemake.log[0]) as log:
    x = np.load(snakemake.input.embeddings)
    sample_size = sample_size_for(len(x), settings["exact_max"], settings["kdistance_sample"])
    knee_eps, curve, knee = auto_eps(x, settings["min_samples"], sample_size, seed)
    eps = knee_eps if settings["eps"] == "auto" else settings["eps"]
    if sample_size is None:
        log(f"exact k-distance curve of all {len(x)} points")
    else:
        log(
            f"estimated k-distance curve: a seeded sample (seed {seed}) of {len(curve)} of {len(x)} "
            f"points, each point's k-distance exact among all {len(x)}"
        )
    log(f"knee at point {knee} of {len(curve)}: eps {knee_eps:.4g}; eps used {eps:.4g}")
    title = f"{snakemake.wildcards.dataset}, seed {seed}: DBSCAN k-distance"
    figure = plot_kdistance(curve, knee, eps, settings["min_samples"], title, n_points=len(x))
    save_figure(snakemake.output[0], figure, dpi=120)
