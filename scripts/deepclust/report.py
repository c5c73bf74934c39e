"""The PDF report: helpers for its template (workflow/report/report.tex.jinja), the context
the template reads, built from the loaded results, and the compilation to PDF.

The report's wording lives in the template; the helpers here format values (tables, numbers,
escaping) and derive the sentences that depend on the numbers (comparison, exactness).
"""

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from .diagnostics import FIGURES as DIAGNOSTIC_FIGURES
from .names import consensus_of, self_trained
from .names import title as clustering_title

TEX_PACKAGES = (
    "latexmk texlive-latex-base texlive-latex-recommended texlive-fonts-recommended lmodern"
)
_ESCAPES = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
METRIC_COLUMNS = [
    ("n_clusters", "clusters", "{:d}"),
    ("noise_fraction", "noise", "{:.1%}"),
    ("silhouette", "silhouette", "{:.3f}"),
    ("accuracy", "ACC", "{:.3f}"),
    ("nmi", "NMI", "{:.3f}"),
    ("ari", "ARI", "{:.3f}"),
]


def params_text(params):
    """``{"eps": 0.123456789, "n_init": 10}`` -> ``"eps 0.1235, n_init 10"`` (keys sorted).

    Records (dicts, e.g. ``k_auto``, the K sweep of ``n_clusters: auto``) are left out:
    their diagnostic figure and its text show them."""

    def value(v):
        return f"{v:.4g}" if isinstance(v, float) else str(v)

    return ", ".join(
        f"{k} {value(params[k])}" for k in sorted(params) if not isinstance(params[k], dict)
    )


def tex_escape(text):
    return "".join(_ESCAPES.get(c, c) for c in str(text))


def fmt(value, spec):
    """Format a metric; missing values print as an en dash."""
    return "--" if value is None else tex_escape(spec.format(value))


def tabular(header, rows):
    """A booktabs tabular: first column left-aligned, the rest right-aligned.

    ``header`` and each row are lists of already escaped/formatted cells.
    """
    lines = [
        r"\begin{tabular}{l" + "r" * (len(header) - 1) + "}",
        r"\toprule",
        " & ".join(header) + r" \\",
        r"\midrule",
    ]
    lines += [" & ".join(cells) + r" \\" for cells in rows]
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines)


def metric_cell(metrics, key, spec):
    """One cell of the scores table; an estimated silhouette is shown as value ± half the
    width of its 95% confidence interval."""
    cell = fmt(metrics.get(key), spec)
    if key == "silhouette" and metrics.get("silhouette_ci95"):
        low, high = metrics["silhouette_ci95"]
        cell += r" $\pm$ " + fmt((high - low) / 2, spec)
    return cell


def metrics_table(rows):
    """``rows``: list of ``(algorithm label, metrics dict)`` -> a booktabs table body."""
    return tabular(
        ["algorithm"] + [name for _, name, _ in METRIC_COLUMNS],
        [
            [tex_escape(label)] + [metric_cell(m, key, spec) for key, _, spec in METRIC_COLUMNS]
            for label, m in rows
        ],
    )


def missing_scores(rows, labelled):
    """``(clustering label, score, why)`` of each score the table shows as ``--``, with the
    reason its metrics.json records (``silhouette_method``; ``external_metrics`` for ACC,
    NMI and ARI, left out without labels, which the table's caption says)."""
    missing = []
    for label, m in rows:
        if m["silhouette"] is None:
            missing.append(
                (label, "silhouette", m["silhouette_method"].removeprefix("undefined: "))
            )
        if labelled and m["accuracy"] is None:
            missing.append((label, "ACC, NMI and ARI", m["external_metrics"]))
    return missing


def exactness(rows):
    """What was exact and what was estimated, from each metrics.json's ``exactness``, for the
    template to word.

    ``rows``: list of ``(clustering label, metrics dict)``. ``quantities``: per quantity its
    ``name`` and ``kinds``, each ``{"kind": "estimated"|"exact", "labels": [...], "every":
    all rows share it}``, estimated first; ``details``: ``(label, quantity name, how)`` of
    every estimate; ``silhouette_estimated``. ``{}`` when no clustering recorded any.
    """
    kinds = {}  # quantity -> {"estimated": [(label, how)], "exact": [...]}
    for label, m in rows:
        for quantity, how in m["exactness"].items():
            kind = "estimated" if how.startswith("estimated") else "exact"
            kinds.setdefault(quantity, {"estimated": [], "exact": []})[kind].append((label, how))
    if not kinds:
        return {}
    quantities, details = [], []
    for quantity, by_kind in kinds.items():
        name = quantity.replace("_", " ")
        said = [
            {"kind": kind, "labels": labels, "every": len(labels) == len(rows)}
            for kind in ("estimated", "exact")
            if (labels := [label for label, _ in by_kind[kind]])
        ]
        quantities.append({"name": name, "kinds": said})
        details += [(label, name, how) for label, how in by_kind["estimated"]]
    return {
        "quantities": quantities,
        "details": details,
        "silhouette_estimated": bool(kinds.get("silhouette", {}).get("estimated")),
    }


SUMMARY_COLUMNS = [
    ("accuracy", "ACC", "{:.3f}"),
    ("nmi", "NMI", "{:.3f}"),
    ("ari", "ARI", "{:.3f}"),
    ("silhouette", "silhouette", "{:.3f}"),
    ("n_clusters", "clusters", "{:.1f}"),
    ("cluster_seconds", "seconds", "{:.1f}"),
]


def summary_table(rows, titles):
    """Mean ± std over seeds per algorithm (rows from summary.read_tsv), as a booktabs tabular.
    A silhouette that averages estimates (``silhouette_estimated`` seeds > 0) is starred.
    With several seeds, a last column: the mean ARI between the seeds' labellings."""
    agreement = any(row.get("seed_ari") is not None for row in rows)
    body = []
    for row in rows:
        name = titles.get(row["algorithm"], row["algorithm"])
        cells = [tex_escape(name), f"{row['seeds']:.0f}"]
        for key, _, spec in SUMMARY_COLUMNS:
            mean, std = row[f"{key}_mean"], row[f"{key}_std"]
            cell = fmt(mean, spec) + ("" if std is None else r" $\pm$ " + fmt(std, spec))
            if key == "silhouette" and mean is not None and row["silhouette_estimated"]:
                cell += "*"
            cells.append(cell)
        if agreement:
            cells.append(fmt(row.get("seed_ari"), "{:.3f}"))
        body.append(cells)
    header = ["algorithm", "seeds"] + [name for _, name, _ in SUMMARY_COLUMNS]
    return tabular(header + (["seed ARI"] if agreement else []), body)


def comparison(metrics, titles):
    """The numbers the template compares the algorithms by (first seed's ``metrics``).

    ``found``: each clustering's title, cluster count and noise fraction; ``key``: accuracy
    when every clustering has one, else silhouette; scores are compared as printed (rounded to
    3 decimals), so equal-looking ones are a tie (``tied``: their titles), never a 0.000
    margin; otherwise ``best`` and ``runner`` (``{"title", "value"}``); with one defined
    score, ``best`` alone.
    """
    key = (
        "accuracy" if all(m.get("accuracy") is not None for m in metrics.values()) else "silhouette"
    )
    shown = {a: round(m[key], 3) for a, m in metrics.items() if m.get(key) is not None}
    ranked = sorted(shown, key=lambda a: shown[a], reverse=True)
    tied = [titles[a] for a in ranked if shown[a] == shown[ranked[0]]] if ranked else []

    def entry(a):
        return {"title": titles[a], "value": shown[a]}

    return {
        "found": [
            {
                "title": titles[a],
                "n_clusters": m["n_clusters"],
                "noise_fraction": m["noise_fraction"],
            }
            for a, m in metrics.items()
        ],
        "key": key,
        "tied": tied if len(tied) > 1 else [],
        "best": entry(ranked[0]) if ranked else None,
        "runner": entry(ranked[1]) if len(ranked) > 1 else None,
    }


class Tex(str):
    """Text that is LaTeX already: the template prints it as it is (everything else escaped)."""


def versions_table(records):
    """Package versions per kind of job, from the ``versions`` each job wrote in its JSON.

    ``records``: ``{kind: [loaded JSON dicts]}`` (e.g. training: the training.json files).
    One row per package, one column per kind that recorded any; a cell lists the distinct
    versions of that kind's jobs ("--": that kind imported no such package). ``""`` when no
    record holds versions.
    """
    found = {kind: {} for kind in records}
    for kind, dicts in records.items():
        for record in dicts:
            for package, version in (record.get("versions") or {}).items():
                if version is not None:
                    found[kind].setdefault(package, set()).add(str(version))
    kinds = [kind for kind in records if found[kind]]
    if not kinds:
        return ""
    packages = sorted({p for kind in kinds for p in found[kind]}, key=str.lower)
    return tabular(
        ["package", *kinds],
        [
            [tex_escape(p)]
            + [
                tex_escape(", ".join(sorted(found[kind][p]))) if p in found[kind] else "--"
                for kind in kinds
            ]
            for p in packages
        ],
    )


def _check_runs(name, kind, records, seeds):
    """``records`` (loaded JSONs, one per seed) belong to clustering ``name`` and to
    ``seeds`` in that order: the report never relies on the order of its inputs alone."""
    for record, seed in zip(records, seeds, strict=True):
        found = (
            record["algorithm"],
            record["seed"] if kind == "run" else record["provenance"]["seed"],
        )
        if found != (name, seed):
            raise ValueError(f"{kind} of {name}, seed {seed}: the file holds {found}")


def agreement_context(consensus, metrics, titles, figures):
    """The report's section on how far the seeds agree, and their consensus clusterings.

    ``consensus``: ``{clustering: metrics.json of the consensus of its seeds}`` (its
    ``stability`` record, see deepclust.stability.seed_agreement); ``metrics``: ``{clustering:
    [metrics.json per seed]}``; ``figures``: ``{clustering: {"tsne", "gallery"}}`` paths.
    ``None`` with a single seed.
    """
    if not consensus:
        return None

    def mean(values):
        return None if any(v is None for v in values) else float(np.mean(values))

    rows, drawn = [], []
    for name, m in consensus.items():
        record = m["stability"]
        seeds_mean = {k: mean([s.get(k) for s in metrics[name]]) for k in ("accuracy", "nmi")}
        cells = [
            tex_escape(titles[name]),
            fmt(record["mean_ari"], "{:.3f}"),
            fmt(record["mean_nmi"], "{:.3f}"),
            fmt(record["unanimous_fraction"], "{:.1%}"),
            str(record["reference_seed"]),
            str(m["n_clusters"]),
        ]
        if m.get("accuracy") is not None:
            cells += [
                fmt(m["accuracy"], "{:.3f}") + " (" + fmt(seeds_mean["accuracy"], "{:.3f}") + ")",
                fmt(m["nmi"], "{:.3f}") + " (" + fmt(seeds_mean["nmi"], "{:.3f}") + ")",
            ]
        rows.append(cells)
        stabilities = list(record["consensus_cluster_stability"].values())
        drawn.append(
            {
                "title": titles[consensus_of(name)],
                "tsne": figures[name]["tsne"],
                "gallery": figures[name]["gallery"],
                "least_stable": min(stabilities) if stabilities else None,
            }
        )
    header = ["clustering", "ARI", "NMI", "unanimous", "reference", "clusters"]
    if len(rows[0]) > len(header):
        header += ["ACC (seeds)", "NMI (seeds)"]
    # the label-free pick: the clustering whose seeds agree most (as printed; ties to the first)
    agreement = {name: round(m["stability"]["mean_ari"], 3) for name, m in consensus.items()}
    most = max(agreement, key=agreement.get)
    return {
        "table": Tex(tabular(header, rows)),
        "figures": drawn,
        "most_stable": {"title": titles[most], "ari": agreement[most]},
    }


def original_images(sizes, modes):
    """What the images were, in words: ``sizes`` rows ``(height, width, images)`` and their
    ``modes`` (data.npz ``original_sizes``/``original_modes``), most common first."""
    sizes = np.asarray(sizes, dtype=np.int64).reshape(-1, 3)
    n = int(sizes[:, 2].sum())
    shapes = {(int(h), int(w)) for h, w, _ in sizes}
    if len(shapes) == 1:
        ((h, w),) = shapes
        text = f"all {n:,} of {h}x{w} pixels"
    else:
        h, w = sizes[:, 0], sizes[:, 1]
        text = (
            f"{n:,} of {len(shapes):,} sizes, {h.min()} to {h.max()} pixels high and "
            f"{w.min()} to {w.max()} wide (most common {sizes[0, 0]}x{sizes[0, 1]}, "
            f"{sizes[0, 2]:,} images)"
        )
    counts = {}
    for (_, _, c), mode in zip(sizes, modes):
        counts[mode] = counts.get(mode, 0) + int(c)
    by_mode = ", ".join(f"{c:,} {m}" for m, c in sorted(counts.items(), key=lambda x: -x[1]))
    return f"{text}; Pillow modes {by_mode}"


def report_context(
    dataset,
    seeds,
    training,
    metrics,
    runs,
    summary_rows,
    settings,
    figures,
    record,
    consensus,
    algorithm_titles,
):
    """Everything workflow/report/report.tex.jinja reads, from the loaded results.

    ``dataset``: name, source, splits, class_names, fingerprint and ``shape`` of the image
    array; ``seeds``: config order; ``training``: the training.json of each seed;
    ``metrics``/``runs``: ``{clustering: [metrics.json / run.json of each seed]}`` (in the
    order to report); ``summary_rows``: summary.read_tsv rows; ``settings``: the config
    sections autoencoder, self_training, evaluation, tsne and gallery, and ``deskew``;
    ``figures``: paths relative to the report, ``loss_curve``, ``thumbnail_map``, ``explorer``
    (the page, named in the text), and
    ``{clustering: path}`` per ``tsne`` (plus ``labels`` if any), ``confusion`` and ``gallery``,
    and ``diagnostics``: ``[(figure, algorithm, path)]``, and ``consensus``: ``{clustering:
    {"tsne", "gallery"}}``; ``record``: provenance() of the report job; ``consensus``:
    ``{clustering: metrics.json of the consensus of its seeds}`` (empty with one seed);
    ``algorithm_titles``: ``{algorithm: display name}`` from the registry. Figures are of
    the first seed.
    """
    for name in metrics:
        _check_runs(name, "metrics", metrics[name], seeds)
        _check_runs(name, "run", runs[name], seeds)
    names = list(metrics)

    def title(name):
        return clustering_title(name, algorithm_titles)

    titles = {name: title(name) for name in [*names, *map(consensus_of, names)]}
    first = {name: metrics[name][0] for name in names}
    labelled = bool(dataset["class_names"])
    shape = dataset["shape"]
    autoencoder, gallery = settings["autoencoder"], settings["gallery"]
    architecture = training[0]["architecture"]
    rows = [
        (titles[name] + (f" (seed {seed})" if len(seeds) > 1 else ""), metrics[name][i])
        for i, seed in enumerate(seeds)
        for name in names
    ]
    self_training = None
    if settings["self_training"]["enabled"]:
        base = settings["self_training"]["base"]
        name = self_trained(base)
        self_training = settings["self_training"] | {
            "base_title": title(base),
            "title": title(name),
            "epochs_run": runs[name][0]["params"]["epochs_run"],
            "kept": [
                (seed, ", ".join(m["guard"]["reasons"]))
                for seed, m in zip(seeds, metrics[name])
                if m["guard"]["kept_base"]
            ],
        }
    diagnostics = []
    for figure, algorithm, path in figures["diagnostics"]:
        used = first[algorithm]["params"]
        intro, caption = DIAGNOSTIC_FIGURES[figure].describe(title(algorithm), used)
        diagnostics.append({"intro": intro, "caption": caption, "path": path})
    return {
        "settings_sha256": record["settings_sha256"],
        "dataset": {
            "name": dataset["name"],
            "source": dataset["source"],
            "splits": list(dataset["splits"]),
            "n_images": shape[0],
            "image_shape": "x".join(map(str, shape[1:3])),
            "rgb": len(shape) == 4,
            "n_classes": len(dataset["class_names"]),
            "fingerprint": dataset["fingerprint"],
            "deskewed": settings["deskew"],
            "folder": dataset["kind"] == "folder",
            "original": original_images(dataset["original_sizes"], dataset["original_modes"]),
            "preprocessing": dataset["preprocessing"],
            "n_skipped": dataset["n_skipped"],
        },
        "labelled": labelled,
        "seeds": list(seeds),
        "autoencoder": {
            "sizes": [
                architecture["input_dim"],
                *architecture["hidden"],
                architecture["latent_dim"],
            ],
            "symmetric": autoencoder["scaling"] == "symmetric",
            "learning_rate": autoencoder["learning_rate"],
            "batch_size": autoencoder["batch_size"],
            "epochs": training[0]["epochs_run"],
            "device": training[0]["device"],
            "final_loss": training[0]["final_loss"],
            "seconds": training[0]["seconds"],
        },
        "loss_curve": figures["loss_curve"],
        "evaluation": settings["evaluation"],
        "self_training": self_training,
        "metric_rows": rows,
        "parameters": [(titles[name], params_text(first[name]["params"])) for name in names],
        "comparison": comparison(first, titles) if names else None,
        "exactness": exactness(rows),
        "missing_scores": missing_scores(rows, labelled),
        "summary_rows": summary_rows,
        "summary_estimated": any(
            r["silhouette_estimated"] and r["silhouette_mean"] is not None for r in summary_rows
        ),
        "titles": titles,
        "confusion_figures": [(figures["confusion"][name], titles[name]) for name in names],
        "diagnostics": diagnostics,
        "tsne": {
            "perplexity": settings["tsne"]["perplexity"],
            "n_samples": settings["tsne"]["n_samples"],
            "figures": [
                (figures["tsne"][c], c) for c in [*names, "labels"] if c in figures["tsne"]
            ],
            "explorer": os.path.basename(figures["explorer"]),
        },
        "gallery": {
            "map_thumbnails": min(
                gallery["map_thumbnails"], settings["tsne"]["n_samples"], shape[0]
            ),
            "thumbnail_map": figures["thumbnail_map"],
            "typical": gallery["typical"],
            "atypical": gallery["atypical"],
            "figures": [
                {
                    "title": titles[name],
                    "path": figures["gallery"][name],
                    "hidden": max(first[name]["n_clusters"] - gallery["rows"], 0),
                    "noise": first[name]["noise_fraction"] > 0,
                }
                for name in names
            ],
        },
        "agreement": agreement_context(consensus, metrics, titles, figures["consensus"]),
        "provenance": record,
        "versions": Tex(
            versions_table(
                {
                    "training": training,
                    "clustering": [r for name in names for r in runs[name]],
                    "evaluation": [m for name in names for m in metrics[name]],
                }
            )
        ),
    }


def environment(template_dir):
    """Jinja for LaTeX: ``\\BLOCK{...}`` statements, ``\\VAR{...}`` values, ``\\#{...}``
    comments. Every value is escaped for LaTeX unless it is :class:`Tex` (filter ``raw``);
    an undefined name is an error."""
    import jinja2

    def finalize(value):
        return value if isinstance(value, Tex) else tex_escape(value)

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir),
        block_start_string=r"\BLOCK{",
        block_end_string="}",
        variable_start_string=r"\VAR{",
        variable_end_string="}",
        comment_start_string=r"\#{",
        comment_end_string="}",
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        finalize=finalize,
    )
    env.filters["fmt"] = format  # \VAR{x|fmt(".3f")}
    env.filters["raw"] = Tex
    env.globals |= {
        "metrics_table": lambda rows: Tex(metrics_table(rows)),
        "summary_table": lambda rows, titles: Tex(summary_table(rows, titles)),
    }
    return env


def render(template, ctx):
    """``report.tex`` text: the template at path ``template`` filled with ``ctx``
    (:func:`report_context`)."""
    template = Path(template)
    return environment(template.parent).get_template(template.name).render(ctx)


def tex_errors(output):
    """The first error in a TeX engine's output (stdout and stderr) with its context: from
    its ``!`` line to the ``l.<n>`` line that shows where, and the source line after it;
    then latexmk's own lines (``Latexmk: ...`` and those indented under them). ``""`` if
    there is none."""
    lines = output.splitlines()
    first = next((i for i, line in enumerate(lines) if line.startswith("! ")), None)
    found = []
    if first is not None:
        end = min(first + 12, len(lines))
        where = next((i for i in range(first, end) if re.match(r"l\.\d+ ", lines[i])), None)
        found = lines[first : end if where is None else where + 2]
    own, keep = [], False
    for line in lines:
        if line.startswith("Latexmk:"):
            keep = bool(re.search("error|missing", line, re.I))
        elif not line.startswith("  "):
            keep = False
        if keep:
            own.append(line)
    return "\n".join(found + own)


def compile_pdf(tex_path, pdf_path, log):
    """Compile ``tex_path`` (latexmk, else pdflatex twice) and move the PDF to ``pdf_path``.

    The build runs in a scratch folder beside the .tex (relative figure paths still
    resolve); it is removed afterwards, so a failed build leaves no PDF behind. On a
    failure the engine's whole output goes to ``log``, then its first error with context
    (:func:`tex_errors`), and the .tex is copied to ``<name>.failed.tex`` beside it (a
    failed job's outputs are deleted), which the error names.
    """
    tex_path = Path(tex_path).resolve()
    kept = tex_path.with_suffix(".failed.tex")
    if shutil.which("latexmk"):
        runs = [["latexmk", "-pdf"]]
    elif shutil.which("pdflatex"):
        runs = [["pdflatex"]] * 2
    else:
        raise RuntimeError(
            f"no TeX engine (latexmk or pdflatex) found; install: apt-get install {TEX_PACKAGES}"
        )
    build = Path(tempfile.mkdtemp(prefix="latex-build-", dir=tex_path.parent))
    try:
        for run in runs:
            cmd = [
                *run,
                "-interaction=nonstopmode",
                "-halt-on-error",
                f"-output-directory={build}",
                tex_path.name,
            ]
            done = subprocess.run(
                cmd,
                cwd=tex_path.parent,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            if done.returncode == 0:
                log(done.stdout[-4000:])
                continue
            errors = tex_errors(done.stdout)
            log(f"{cmd[0]} output (stdout and stderr):\n{done.stdout}")
            log(f"first error and its context:\n{errors or '(none recognised)'}")
            shutil.copyfile(tex_path, kept)
            first = errors.splitlines()[0] if errors else "no error line recognised"
            raise RuntimeError(
                f"{cmd[0]} failed on {tex_path} (exit {done.returncode}): {first}; its output "
                f"and the first error with context are in the log; the .tex is kept as {kept} "
                f"(compile it there: {' '.join(run)} {kept.name})"
            )
        os.replace(build / tex_path.with_suffix(".pdf").name, pdf_path)
        kept.unlink(missing_ok=True)  # from an earlier failure
    finally:
        shutil.rmtree(build, ignore_errors=True)
