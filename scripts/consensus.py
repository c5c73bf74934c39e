"""Rule consensus: one clustering's labels in every seed -> how far the seeds agree (pairwise
ARI/NMI, per-cluster stability) and the consensus labelling of them."""

import time

import numpy as np

from deepclust.io import save_json, save_npy
from deepclust.labels import NOISE
from deepclust.provenance import imported_versions
from deepclust.recommend import consensus_check, neighbour_graph
from deepclust.runlog import job_log
from deepclust.stability import consensus_record, point_agreement, renumber, seed_agreement

seeds = snakemake.params.seeds
with job_log(snakemake.log[0]) as log:
    labellings = [np.load(path) for path in snakemake.input.labels]
    log(f"{snakemake.params.name}: {len(labellings)} seeds of {len(labellings[0])} points")
    start = time.perf_counter()
    labels, agreement, record = seed_agreement(
        labellings, seeds, snakemake.params.method, snakemake.params.min_group_share
    )
    # label-free check: a consensus that follows the seeds' neighbourhoods worse than the
    # seeds do is replaced by the most typical seed's labelling
    reference = seeds.index(record["reference_seed"])
    graphs = [
        neighbour_graph(np.load(path), seed=s) for path, s in zip(snakemake.input.embeddings, seeds)
    ]
    check = consensus_check(labels, labellings, graphs, reference)
    check["graph"] = graphs[0].note
    if not check["trusted"]:
        labels = renumber(labellings[reference])
        agreement = point_agreement(labels, labellings)
        record |= consensus_record(labels, agreement, labellings)
    record["check"] = check
    log(f"consensus check: {check['reason']}")
    seconds = time.perf_counter() - start
    for pair in record["pairs"]:
        log(f"seeds {pair['seeds']}: ARI {pair['ari']:.4f}, NMI {pair['nmi']:.4f}")
    log(
        f"reference seed {record['reference_seed']}; {record['unanimous_fraction']:.1%} of the "
        f"points in the same cluster in every seed; "
        f"{len(np.unique(labels[labels != NOISE]))} consensus clusters, {seconds:.1f} s"
    )
    save_npy(snakemake.output.labels, labels)
    save_npy(snakemake.output.agreement, agreement)
    save_json(
        snakemake.output.run,
        {
            "algorithm": snakemake.params.name,
            "params": {
                "method": snakemake.params.method,
                "min_group_share": snakemake.params.min_group_share,
                "seeds": record["seeds"],
                "reference_seed": record["reference_seed"],
                "consensus_trusted": check["trusted"],
            },
            "seed": record["reference_seed"],
            "seconds": seconds,
            "stability": record,
            "versions": imported_versions(),
        },
    )
