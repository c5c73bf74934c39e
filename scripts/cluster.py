"""Rule cluster: embeddings -> cluster labels (-1 = noise) with one registered algorithm, and
the fitted model that places new images (model.pkl, for a dataset with assign_to)."""

import time

import numba
import numpy as np
from threadpoolctl import threadpool_limits

from deepclust.cluster import fit_algorithm, save_model
from deepclust.io import save_json, save_npy
from deepclust.labels import NOISE
from deepclust.provenance import imported_versions
from deepclust.runlog import job_log

name = snakemake.wildcards.algorithm
params = snakemake.params.settings
seed = int(snakemake.wildcards.seed)
numba.set_num_threads(min(snakemake.threads, numba.config.NUMBA_NUM_THREADS))  # NN-descent
with job_log(snakemake.log[0]) as log, threadpool_limits(snakemake.threads):
    x = np.load(snakemake.input.embeddings)
    log(f"{name} on {x.shape[0]} x {x.shape[1]} embeddings with {params}, seed {seed}")
    start = time.perf_counter()
    labels, used, model = fit_algorithm(name, x, params, seed)
    seconds = time.perf_counter() - start
    exactness = used.pop("exactness", {})  # what was exact, what estimated ({}: all exact)
    for part, how in exactness.items():
        log(f"{part}: {how}")
    if used.get("eps_auto"):
        log(
            f"eps auto: {used['eps']:.6g} (knee at index {used['eps_knee_index']} of the sorted "
            f"k-distances, quantile {used['eps_knee_quantile']:.3f})"
        )
    n_clusters = len(np.unique(labels[labels != NOISE]))
    log(f"{n_clusters} clusters, {np.mean(labels == NOISE):.1%} noise, {seconds:.1f} s")
    save_npy(snakemake.output.labels, labels)
    save_model(snakemake.output.model, model)
    save_json(
        snakemake.output.run,
        {
            "algorithm": name,
            "params": used,
            "exactness": exactness,
            "seed": seed,
            "seconds": seconds,
            "versions": imported_versions(),
        },
    )
