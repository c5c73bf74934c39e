"""Rule follower_assignments: a follower's placed images -> results/{dataset}/assignments.tsv
(the followed run's columns of the first seed) and drift.json, with a drift warning in the
log when many images lie far from every cluster (deepclust.follow)."""

import json

import numpy as np

from deepclust.assignments import assignment_columns, image_rows, write_tsv
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
    source = open_source(params.dataset, snakemake.resources.cache_dir or None, log)
    images = image_rows(np.load(inp.data), source)
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
    clusterings = {c: p["labels"] for c, p in placed.items()}
    columns = assignment_columns(*images, clusterings, (designated, typical, None))
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
