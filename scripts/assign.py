"""Rule assign: a follower's embeddings + a clustering's fitted model (model.pkl, the followed
run's first seed) -> each new image's cluster and whether it lies far from every cluster."""

import numpy as np
from threadpoolctl import threadpool_limits

from deepclust.cluster import load_model
from deepclust.io import save_npz
from deepclust.labels import NOISE
from deepclust.runlog import job_log

with job_log(snakemake.log[0]) as log, threadpool_limits(snakemake.threads):
    x = np.load(snakemake.input.embeddings, mmap_mode="r")
    model = load_model(snakemake.input.model)
    log(f"placing {len(x)} images with {type(model).__name__} from {snakemake.input.model}")
    labels, far = model.predict(x)
    log(f"{np.mean(labels == NOISE):.1%} noise, {np.mean(far):.1%} far from every cluster")
    save_npz(snakemake.output[0], labels=labels, far=far)
