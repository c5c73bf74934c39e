"""Rule follower_assignments: a follower's placed images -> results/{dataset}/assignments.tsv
(the followed run's columns of the first seed) and drift.json, with a drift warning in the
log when many images lie far from every cluster (deepclust.follow)."""

import json

import numpy as np

from deepclust.assignments import assignment_columns, kept_rows, source_names, write_tsv
from deepclust.follow import (
    cluster_centres,
    distances_to,
    drift_summary,
    typicality_against,
)
from deepclust.io import save_json
from deepclust.runlog import job_log
from deepclust.sources.open import open_source

inp, params = snakemake.input, snakemake.params
with job_log(snakemake.log[0]) as log:
    data = np.load(inp.data)
    source = open_source(params.dataset, snakemake.resources.cache_dir or None, log)
    rows = kept_rows(data, len(source))
    placed = {c: np.load(p) for c, p in zip(params.clusterings, inp.assigned)}
    with open(inp.recommended) as f:
        designated = json.load(f)["recommended"]
    # typicality: distance to the cluster's centre, ranked among the followed run's members
    ref_labels = np.load(inp.followed_labels[params.clusterings.index(designated)])
    ref_x = np.load(inp.followed_embeddings, mmap_mode="r")
    centres = cluster_centres(ref_x, ref_labels)
    labels = placed[designated]["labels"]
    x = np.load(inp.embeddings, mmap_mode="r")
    typical = typicality_against(
        distances_to(x, labels, centres),
        labels,
        distances_to(ref_x, ref_labels, centres),
        ref_labels,
    )
    columns = assignment_columns(
        lambda a, b: source_names(source, rows[a:b]),
        data["labels"],
        [str(c) for c in data["class_names"]],
        {c: p["labels"] for c, p in placed.items()},
        (designated, typical, None),
    )
    n = write_tsv(snakemake.output.assignments, columns)
    log(f"wrote {n} rows of {len(columns)} columns to {snakemake.output.assignments}")
    drift = drift_summary({c: p["far"] for c, p in placed.items()}, designated, params.followed)
    for c, share in drift["far_share_by_clustering"].items():
        log(f"{c}: {share:.1%} of the images far from every cluster of {params.followed}")
    if drift["drift"]:
        log(
            f"WARNING drift: {drift['far_share']:.1%} of the images lie far from every cluster "
            f"of {params.followed}'s {designated} (above {drift['warning_above']:.0%}): they may "
            "not be like the images it was trained on"
        )
    save_json(snakemake.output.drift, drift)
