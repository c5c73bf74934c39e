"""Rule summarize: per-seed metrics of every algorithm -> summary.tsv (mean, std)."""

import json
from pathlib import Path

from deepclust.io import save_text
from deepclust.runlog import job_log
from deepclust.summary import summarize, to_tsv

with job_log(snakemake.log[0]) as log:
    runs = {algorithm: [] for algorithm in snakemake.params.algorithms}
    for path in snakemake.input.metrics:
        metrics = json.loads(Path(path).read_text())
        runs[metrics["algorithm"]].append(metrics)
    save_text(snakemake.output[0], to_tsv(summarize(runs)))
    log(f"summarised {len(snakemake.input.metrics)} metrics files")
