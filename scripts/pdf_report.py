"""Rule pdf_report: every result of one dataset -> report.tex (from the template
workflow/templates/pdf_report.tex.jinja), compiled to report.pdf. Reads its inputs by name
(see pdf_report_inputs in common.smk)."""

import json
import os
from pathlib import Path

import numpy as np

from deepclust.compile_tex import compile_pdf
from deepclust.io import save_text
from deepclust.pdf_report import render, report_context
from deepclust.provenance import provenance
from deepclust.runlog import job_log
from deepclust.summary import read_tsv

inp, params = snakemake.input, snakemake.params
report_dir = Path(snakemake.output.tex).parent
seeds = params.seeds
recommended = json.loads(Path(inp.recommended).read_text())
# the recommended clustering first in every table and figure
clusterings = sorted(params.clusterings, key=lambda c: c != recommended["recommended"])


def rel(path):
    return os.path.relpath(path, report_dir)


def load_json(path):
    return json.loads(Path(path).read_text())


with job_log(snakemake.log[0]) as log:
    data = np.load(inp.data)
    dataset = {
        "name": snakemake.wildcards.dataset,
        "source": str(data["source"]),
        "splits": [str(s) for s in data["splits"]],
        "class_names": [str(c) for c in data["class_names"]],
        "fingerprint": str(data["fingerprint"]),
        "shape": np.load(inp.images, mmap_mode="r").shape,
        "kind": str(data["source_kind"]),
        "preprocessing": str(data["preprocessing"]),
        "original_sizes": data["original_sizes"],
        "original_modes": [str(m) for m in data["original_modes"]],
        "n_skipped": int(data["n_skipped"]),
    }
    figures = {
        "loss_curve": rel(inp.loss_curves[0]),
        "thumbnail_map": rel(inp.thumbnail_map),
        "explorer": rel(inp.explorer),
        # no label-coloured map of an unlabelled dataset
        "tsne": {
            c: rel(inp[f"tsne_{c}"]) for c in [*clusterings, "labels"] if hasattr(inp, f"tsne_{c}")
        },
        "confusion": {c: rel(inp[f"confusion_{c}"]) for c in clusterings},
        "gallery": {c: rel(inp[f"gallery_{c}"]) for c in clusterings},
        "diagnostics": [(f, a, rel(inp[f"{f}_{a}"])) for f, a in params.diagnostics],
        "consensus": {
            c: {kind: rel(inp[f"consensus_{kind}_{c}"]) for kind in ("tsne", "gallery")}
            for c in params.consensus
        },
    }
    ctx = report_context(
        dataset,
        seeds,
        training=[load_json(p) for p in inp.training],
        metrics={c: [load_json(p) for p in inp[f"metrics_{c}"]] for c in clusterings},
        runs={c: [load_json(p) for p in inp[f"run_{c}"]] for c in clusterings},
        consensus={
            c: load_json(inp[f"consensus_metrics_{c}"])
            for c in sorted(params.consensus, key=lambda c: c != recommended["recommended"])
        },
        algorithm_titles=params.titles,
        recommended=recommended,
        summary_rows=read_tsv(Path(inp.summary).read_text()),
        settings=params.settings,
        figures=figures,
        record=provenance(
            params.lineage,
            snakemake.scriptdir,
            seeds,
            {"source": dataset["source"], "fingerprint": dataset["fingerprint"]},
        ),
    )
    save_text(snakemake.output.tex, render(inp.template, ctx))
    log(f"wrote {snakemake.output.tex}; compiling")
    compile_pdf(snakemake.output.tex, snakemake.output.pdf, log)
    log(f"wrote {snakemake.output.pdf}")
