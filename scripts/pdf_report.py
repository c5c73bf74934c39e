"""Rule pdf_report: every result of one dataset -> report.tex (from the template
workflow/templates/pdf_report.tex.jinja), compiled to report.pdf. Reads its inputs nested by
what they are (see pdf_report_inputs in workflow/rules/dataset_inputs.smk)."""

import json
import os
from pathlib import Path

import numpy as np

from deepclust.compile_tex import compile_pdf
from deepclust.io import save_text
from deepclust.named_inputs import nested
from deepclust.names import recommended_first
from deepclust.pdf_report import render, report_context
from deepclust.provenance import provenance
from deepclust.runlog import job_log
from deepclust.summary import read_tsv

params = snakemake.params
files = nested(snakemake.input.items())  # by what they are: pdf_report_inputs in dataset_inputs.smk
report_dir = Path(snakemake.output.tex).parent
seeds = params.seeds
recommended = json.loads(Path(files["recommended"]).read_text())


def first_recommended(by_clustering):
    return recommended_first(by_clustering, recommended["recommended"])


def rel(path):
    return os.path.relpath(path, report_dir)


def load_json(path):
    return json.loads(Path(path).read_text())


with job_log(snakemake.log[0]) as log:
    data = np.load(files["data"])
    dataset = {
        "name": snakemake.wildcards.dataset,
        "source": str(data["source"]),
        "splits": [str(s) for s in data["splits"]],
        "class_names": [str(c) for c in data["class_names"]],
        "fingerprint": str(data["fingerprint"]),
        "shape": np.load(files["images"], mmap_mode="r").shape,
        "kind": str(data["source_kind"]),
        "preprocessing": str(data["preprocessing"]),
        "original_sizes": data["original_sizes"],
        "original_modes": [str(m) for m in data["original_modes"]],
        "n_skipped": int(data["n_skipped"]),
    }
    consensus = files.get("consensus", {})
    figures = {
        "loss_curve": rel(files["loss_curves"][0]),
        "thumbnail_map": rel(files["thumbnail_map"]),
        "explorer": rel(files["explorer"]),
        # no label-coloured map of an unlabelled dataset
        "tsne": first_recommended({c: rel(p) for c, p in files["tsne"].items()}),
        "confusion": first_recommended({c: rel(p) for c, p in files["confusion"].items()}),
        "gallery": first_recommended({c: rel(p) for c, p in files["gallery"].items()}),
        "diagnostics": [
            (f, a, rel(p))
            for a, drawn in files.get("diagnostics", {}).items()
            for f, p in drawn.items()
        ],
        "consensus": {
            c: {kind: rel(f[kind]) for kind in ("tsne", "gallery")} for c, f in consensus.items()
        },
    }
    ctx = report_context(
        dataset,
        seeds,
        training=[load_json(p) for p in files["training"]],
        metrics=first_recommended(
            {c: [load_json(p) for p in ps] for c, ps in files["metrics"].items()}
        ),
        runs=first_recommended({c: [load_json(p) for p in ps] for c, ps in files["runs"].items()}),
        consensus=first_recommended({c: load_json(f["metrics"]) for c, f in consensus.items()}),
        algorithm_titles=params.titles,
        recommended=recommended,
        summary_rows=read_tsv(Path(files["summary"]).read_text()),
        settings=params.settings,
        figures=figures,
        record=provenance(
            params.lineage,
            snakemake.scriptdir,
            seeds,
            {"source": dataset["source"], "fingerprint": dataset["fingerprint"]},
        ),
    )
    save_text(snakemake.output.tex, render(files["template"], ctx))
    log(f"wrote {snakemake.output.tex}; compiling")
    compile_pdf(snakemake.output.tex, snakemake.output.pdf, log)
    log(f"wrote {snakemake.output.pdf}")
