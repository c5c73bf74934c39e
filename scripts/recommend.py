"""Rule recommend: every clustering's labels in every seed, and every seed's embeddings ->
recommended.json: the clustering to look at first, chosen without labels, and why."""

import numpy as np

from deepclust.io import save_json
from deepclust.recommend import neighbour_graph, recommend
from deepclust.runlog import job_log

seeds = snakemake.params.seeds
clusterings = snakemake.params.clusterings
with job_log(snakemake.log[0]) as log:
    graphs = [
        neighbour_graph(np.load(path), seed=s) for path, s in zip(snakemake.input.embeddings, seeds)
    ]
    labels = iter(snakemake.input.labels)  # seed-major: every clustering of seed 0, then 1...
    per_seed = [{c: np.load(next(labels)) for c in clusterings} for _ in seeds]
    pick, reason, scores = recommend({c: [r[c] for r in per_seed] for c in clusterings}, graphs)
    log(f"recommended {pick}: {reason}")
    save_json(
        snakemake.output[0],
        {
            "recommended": pick,
            "reason": reason,
            "modularity": scores,
            "seeds": [int(s) for s in seeds],
            "graph": graphs[0].note,
        },
    )
