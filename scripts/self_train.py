"""Rule self_train: images + a clustering's labels -> the CNN's relabelling of every image,
or the base's own labels when the relabelling collapsed (the guard, recorded in run.json);
the CNN itself as model.pt (for a dataset with assign_to)."""

import time

import numpy as np
import torch

from deepclust.io import atomic_path, save_json, save_npy
from deepclust.names import self_trained
from deepclust.provenance import imported_versions
from deepclust.runlog import job_log
from deepclust.selftrain import (
    SelfTrainingSettings,
    classifier_state,
    fit_classifier,
    guarded,
    predict_proba,
    training_exactness,
)

params = snakemake.params.settings
settings = SelfTrainingSettings.from_params(params)
base = snakemake.wildcards.base
seed = int(snakemake.wildcards.seed)
with job_log(snakemake.log[0]) as log:
    torch.set_num_threads(snakemake.threads)
    images = np.load(snakemake.input.images, mmap_mode="r")
    labels = np.load(snakemake.input.labels)
    log(f"self-training on {base}'s labels of {len(images)} images with {params}, seed {seed}")
    start = time.perf_counter()
    model, clusters, history = fit_classifier(images, labels, settings, seed, log=log)
    proba = predict_proba(model, images)
    new_labels, confidence = clusters[proba.argmax(axis=1)], proba.max(axis=1)
    seconds = time.perf_counter() - start
    changed = float(np.mean(new_labels != labels))
    log(
        f"{changed:.2%} of the points changed cluster, mean confidence {confidence.mean():.4f}, "
        f"{seconds:.1f} s"
    )
    limits = settings.max_changed_fraction, settings.max_loss_ratio
    kept, record = guarded(labels, new_labels, history[-1]["loss"], *limits)
    if record["kept_base"]:
        log(
            f"guard: the relabelling collapsed ({'; '.join(record['reasons'])}); "
            f"keeping {base}'s labels"
        )
    save_npy(snakemake.output.labels, kept)
    # the classifier for new images (a follower takes the base's model when kept_base)
    state = classifier_state(model, clusters, images, settings.conv_width, confidence)
    with atomic_path(snakemake.output.model) as tmp:
        torch.save(state | {"kept_base": record["kept_base"]}, tmp)
    used = dict(
        params,
        base=base,
        changed_fraction=changed,
        final_loss=history[-1]["loss"],
        epochs_run=len(history),
    )
    save_json(
        snakemake.output.run,
        {
            "algorithm": self_trained(base),
            "params": used,
            "seed": seed,
            "seconds": seconds,
            "guard": record,
            "versions": imported_versions(),
            # only when the classifier learnt from a sample (nothing below train_sample)
            **training_exactness(labels, settings.train_sample),
        },
    )
