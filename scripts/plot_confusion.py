"""Rule plot_confusion: classes vs matched clusters of one clustering, as a heat map."""

import numpy as np
from deepclust.figures import plot_confusion
from deepclust.io import save_figure
from deepclust.labels import NO_LABEL
from deepclust.metrics import confusion_after_matching
from deepclust.runlog import job_log

with job_log(snakemake.log[0]) as log:
    data = np.load(snakemake.input.data)
    true, pred = data["labels"], np.load(snakemake.input.labels)
    where = f"{snakemake.wildcards.dataset}, seed {snakemake.wildcards.seed}, {snakemake.wildcards.algorithm}"
    if (true == NO_LABEL).all():
        # No labels: the cluster sizes are all there is to show.
        ids, sizes = np.unique(pred, return_counts=True)
        counts, names, columns = sizes[None, :], ["all"], [(int(c), None) for c in ids]
        title = f"{where}: cluster sizes (no labels)"
    else:
        counts, classes, columns = confusion_after_matching(true, pred)
        names = [
            str(data["class_names"][c]) if len(data["class_names"]) > c else str(c) for c in classes
        ]
        title = f"{where}: confusion after matching"
    save_figure(snakemake.output[0], plot_confusion(counts, names, columns, title), dpi=120)
    log(f"{counts.shape[0]} classes x {counts.shape[1]} clusters")
