"""Rule assignments: every image's clusters -> results/{dataset}/assignments.tsv, one row per
image in dataset order (deepclust.assignments)."""

import json

import numpy as np

from deepclust.assignments import (
    assignment_columns,
    centre_distances,
    image_rows,
    seeds_agreeing,
    typicality,
    write_tsv,
)
from deepclust.names import consensus_of
from deepclust.runlog import job_log
from deepclust.sources.open import open_source

inp, params = snakemake.input, snakemake.params
with job_log(snakemake.log[0]) as log:
    source = open_source(params.dataset, snakemake.resources.cache_dir or None, log)
    images = image_rows(np.load(inp.data), source)
    n = len(params.clusterings)
    per_seed = [
        dict(zip(params.clusterings, inp.labels[s * n : (s + 1) * n])) for s in range(params.seeds)
    ]
    clusterings = {c: np.load(p) for c, p in per_seed[0].items()}
    clusterings |= {consensus_of(c): np.load(p) for c, p in zip(params.consensus, inp.consensus)}
    with open(inp.recommended) as f:
        designated = json.load(f)["recommended"]  # rule recommend's choice
    seeds = [np.load(labels[designated]) for labels in per_seed]
    x = np.load(inp.embeddings, mmap_mode="r")
    typical = typicality(centre_distances(x, seeds[0]), seeds[0])
    agreeing = seeds_agreeing(seeds)
    log(
        f"{designated} (recommended): {np.mean(agreeing == len(seeds)):.1%} of the images in "
        f"the same cluster in all {len(seeds)} seeds"
    )
    columns = assignment_columns(*images, clusterings, (designated, typical, agreeing))
    n = write_tsv(snakemake.output[0], columns)
    log(f"wrote {n} rows of {len(columns)} columns to {snakemake.output[0]}")
