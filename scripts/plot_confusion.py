"""Rule plot_confusion: classes vs matched clusters of one clustering, as a heat map.

At most ``figures.confusion_max_columns`` cluster columns: the largest clusters keep theirs,
the rest share one "others" column; noise has its own.
"""

import numpy as np

from deepclust.figures import cap_clusters, confusion_column_names, plot_confusion
from deepclust.io import save_figure
from deepclust.labels import NO_LABEL
from deepclust.metrics import confusion_after_matching
from deepclust.runlog import job_log

with job_log(snakemake.log[0]) as log:
    data = np.load(snakemake.input.data)
    true, pred = data["labels"], np.load(snakemake.input.labels)
    where = snakemake.params.where
    if (true == NO_LABEL).all():
        # No labels: the cluster sizes are all there is to show.
        clusters, sizes = np.unique(pred, return_counts=True)
        counts, row_names, matched, class_names = sizes[None, :], ["all"], {}, {}
        title = f"{where}: cluster sizes (no labels)"
    else:
        counts, classes, columns = confusion_after_matching(true, pred)
        clusters = np.array([c for c, _ in columns])
        matched = {c: m for c, m in columns if m is not None}
        names = data["class_names"]
        class_names = {int(c): str(names[c]) if len(names) > c else str(c) for c in classes}
        row_names = list(class_names.values())
        title = f"{where}: confusion after matching"
    counts, clusters, n_other = cap_clusters(counts, clusters, snakemake.params.max_columns)
    columns = confusion_column_names(clusters, matched, class_names, n_other)
    save_figure(snakemake.output[0], plot_confusion(counts, row_names, columns, title), dpi=120)
    log(
        f"{counts.shape[0]} classes x {counts.shape[1]} columns"
        + (f" ({n_other} smallest clusters summed into one column)" if n_other else "")
    )
