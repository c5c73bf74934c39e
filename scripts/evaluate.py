"""Rule evaluate: one clustering -> metrics.json (silhouette, ACC, NMI, ARI, what was exact or
estimated, provenance)."""

import json
from pathlib import Path

import numba
import numpy as np

from deepclust.io import save_json
from deepclust.metrics import evaluate
from deepclust.provenance import imported_versions, provenance
from deepclust.runlog import job_log

seed = snakemake.params.seed  # of the embeddings, and the silhouette's sample
with job_log(snakemake.log[0]) as log:
    numba.set_num_threads(min(snakemake.threads, numba.config.NUMBA_NUM_THREADS))
    data = np.load(snakemake.input.data)
    x = np.load(snakemake.input.embeddings)
    pred = np.load(snakemake.input.labels)
    run = json.loads(Path(snakemake.input.run).read_text())
    log(f"scoring {run['algorithm']} on {len(pred)} points")
    settings = snakemake.params.evaluation
    metrics = evaluate(
        x,
        pred,
        data["labels"],
        settings["silhouette_exact_max"],
        settings["silhouette_sample_size"],
        seed,
    )
    log(f"silhouette {metrics['silhouette_method']}")
    # what the clustering itself approximated (e.g. a neighbour search) comes first; its
    # run.json has no such entry when everything was exact
    metrics["exactness"] = run.get("exactness", {}) | metrics["exactness"]
    metrics |= {
        "algorithm": run["algorithm"],
        "params": run["params"],
        "cluster_seconds": run["seconds"],
        "provenance": provenance(
            snakemake.params.settings,
            snakemake.scriptdir,
            seed,
            {"source": str(data["source"]), "fingerprint": str(data["fingerprint"])},
        ),
    }
    if "guard" in run:  # a refinement step: whether it kept its base's labels, and why
        metrics["guard"] = run["guard"]
    if "stability" in run:  # a consensus: how far its seeds agree
        metrics["stability"] = run["stability"]
    metrics["versions"] = imported_versions()  # this job's own packages (run.json has its own)
    save_json(snakemake.output[0], metrics)
    log(json.dumps({k: metrics[k] for k in ("n_clusters", "silhouette", "accuracy", "nmi", "ari")}))
