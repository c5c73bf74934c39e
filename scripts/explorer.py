"""Rule explorer: the cluster explorer, one self-contained interactive HTML page of the first
seed's map of every image (deepclust.explorer), the images named as in assignments.tsv."""

import json
from pathlib import Path

import numpy as np

from deepclust.assignments import read_column
from deepclust.explorer import (
    describe,
    explorer_data,
    explorer_page,
    seed_agreement,
    thumbnails,
)
from deepclust.io import atomic_path
from deepclust.names import recommended_first
from deepclust.runlog import job_log

inp, params = snakemake.input, snakemake.params
seed = int(params.seed)
with job_log(snakemake.log[0]) as log:
    tsne, data = np.load(inp.coordinates), np.load(inp.data)
    recommended = json.loads(Path(inp.recommended).read_text())
    pick = recommended["recommended"]
    clusterings = recommended_first(
        {c: np.load(path) for c, path in zip(params.clusterings, inp.labels)}, pick
    )
    agreement = {c: np.load(path) for c, path in zip(params.consensus, inp.agreement)}
    points = explorer_data(
        tsne["indices"],
        tsne["coords"],
        clusterings,
        data["labels"],
        [str(c) for c in data["class_names"]],
        params.max_points,
        seed,
        seed_agreement(agreement, params.n_seeds),
        read_column(inp.assignments, "image"),
    )
    log(f"{len(points['index'])} of {points['n_tsne']} mapped images; encoding thumbnails")
    images = np.load(inp.images, mmap_mode="r")[points["index"]]
    title = f"{snakemake.wildcards.dataset}: cluster explorer (seed {seed})"
    note = describe(points, seed, pick, recommended["reason"])
    csv_name = f"{snakemake.wildcards.dataset}_selection.csv"
    page = explorer_page(points, thumbnails(images), title, note, csv_name)
    with atomic_path(snakemake.output[0]) as tmp:
        tmp.write_text(page, encoding="utf-8")
    log(f"wrote {len(page.encode()) / 1e6:.1f} MB")
