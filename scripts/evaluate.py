"""Rule evaluate: one clustering -> metrics.json (silhouette, ACC, NMI, ARI, provenance)."""

import json
from pathlib import Path

import numba
import numpy as np

from deepclust.io import save_json
from deepclust.metrics import evaluate
from deepclust.provenance import provenance
from deepclust.runlog import job_log

seed = int(snakemake.wildcards.seed)
with job_log(snakemake.log[0]) as log:
    numba.set_num_threads(min(snakemake.threads, numba.config.NUMBA_NUM_THREADS))
    data = np.load(snakemake.input.data)
    x = np.load(snakemake.input.embeddings)
    pred = np.load(snakemake.input.labels)
    run = json.loads(Path(snakemake.input.run).read_text())
    log(f"scoring {snakemake.wildcards.algorithm} on {len(pred)} points")
    metrics = evaluate(
        x, pred, data["labels"], snakemake.params.evaluation["silhouette_sample_size"], seed
    )
    metrics |= {
        "algorithm": run["algorithm"],
        "params": run["params"],
        "cluster_seconds": run["seconds"],
        "provenance": provenance(
            snakemake.config,
            snakemake.scriptdir,
            seed,
            {"source": str(data["source"]), "fingerprint": str(data["fingerprint"])},
        ),
    }
    if "guard" in run:  # a refinement step: whether it kept its base's labels, and why
        metrics["guard"] = run["guard"]
    save_json(snakemake.output[0], metrics)
    log(json.dumps({k: metrics[k] for k in ("n_clusters", "silhouette", "accuracy", "nmi", "ari")}))
