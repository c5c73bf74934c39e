"""Rule summarize: per-seed metrics of every clustering, and of the consensus of its seeds,
-> summary.tsv (mean, std, agreement between seeds)."""

import json
from pathlib import Path

from deepclust.io import save_text
from deepclust.runlog import job_log
from deepclust.summary import summarize, to_tsv


def load(path):
    return json.loads(Path(path).read_text())


with job_log(snakemake.log[0]) as log:
    runs = {algorithm: [] for algorithm in snakemake.params.algorithms}
    for path in snakemake.input.metrics:
        metrics = load(path)
        runs[metrics["algorithm"]].append(metrics)
    consensus = dict(zip(snakemake.params.consensus, map(load, snakemake.input.consensus)))
    recommended = load(snakemake.input.recommended)
    log(f"recommended: {recommended['recommended']} ({recommended['reason']})")
    save_text(snakemake.output[0], to_tsv(summarize(runs, consensus, recommended["recommended"])))
    log(
        f"summarised {len(snakemake.input.metrics)} metrics files"
        + (f" and {len(consensus)} consensus clusterings" if consensus else "")
    )
