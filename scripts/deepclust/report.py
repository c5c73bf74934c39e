"""LaTeX report rendered from the pipeline's results, and its compilation to PDF."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

TITLES = {
    "kmeans": "K-Means",
    "dbscan": "DBSCAN",
    "gmm": "Gaussian mixture",
    "agglomerative": "Ward (kNN graph)",
    "hdbscan": "HDBSCAN",
    "umap_gmm": "UMAP + GMM (N2D)",
}
SELF_TRAINED_SUFFIX = "_selftrain"


def title(name):
    """Display name of a clustering: an algorithm's title, or its base's plus self-training."""
    if name.endswith(SELF_TRAINED_SUFFIX):
        return f"{title(name.removesuffix(SELF_TRAINED_SUFFIX))} + self-training"
    return TITLES.get(name, name)


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
    """``{"eps": 0.123456789, "n_init": 10}`` -> ``"eps 0.1235, n_init 10"`` (keys sorted)."""

    def value(v):
        return f"{v:.4g}" if isinstance(v, float) else str(v)

    return ", ".join(f"{k} {value(params[k])}" for k in sorted(params))


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


def exactness_text(rows):
    """What was exact and what was estimated, from each metrics.json's ``exactness``.

    ``rows``: list of ``(clustering label, metrics dict)``. Per quantity, the clusterings where
    it was estimated and where exact ("every clustering" when all share it), then each
    estimate's own sentence. Plain text (escape before use).
    """
    kinds = {}  # quantity -> {"estimated": [(label, sentence)], "exact": [...]}
    for label, m in rows:
        for quantity, how in m["exactness"].items():
            kind = "estimated" if how.startswith("estimated") else "exact"
            kinds.setdefault(quantity, {"estimated": [], "exact": []})[kind].append((label, how))
    if not kinds:
        return ""
    parts, details = [], []
    for quantity, by_kind in kinds.items():
        said = []
        for kind in ("estimated", "exact"):
            labels = [label for label, _ in by_kind[kind]]
            if labels:
                said.append(
                    f"{kind} for "
                    + ("every clustering" if len(labels) == len(rows) else ", ".join(labels))
                )
        parts.append(f"the {quantity.replace('_', ' ')} is " + " and ".join(said))
        details += [
            f"{label}, {quantity.replace('_', ' ')}: {how}" for label, how in by_kind["estimated"]
        ]
    text = "Exact or estimated: " + "; ".join(parts) + "."
    if "silhouette" in kinds and kinds["silhouette"]["estimated"]:
        text += " An estimated silhouette is shown in the table as value ± half its 95% confidence interval."
    if details:
        text += " The estimates: " + "; ".join(details) + "."
    return text


SUMMARY_COLUMNS = [
    ("accuracy", "ACC", "{:.3f}"),
    ("nmi", "NMI", "{:.3f}"),
    ("ari", "ARI", "{:.3f}"),
    ("silhouette", "silhouette", "{:.3f}"),
    ("n_clusters", "clusters", "{:.1f}"),
    ("cluster_seconds", "seconds", "{:.1f}"),
]


def summary_table(rows, titles):
    """Mean ± std over seeds per algorithm (rows from summary.read_tsv), as a booktabs tabular."""
    body = []
    for row in rows:
        cells = [tex_escape(titles.get(row["algorithm"], row["algorithm"])), f"{row['seeds']:.0f}"]
        for key, _, spec in SUMMARY_COLUMNS:
            mean, std = row[f"{key}_mean"], row[f"{key}_std"]
            cells.append(fmt(mean, spec) + ("" if std is None else r" $\pm$ " + fmt(std, spec)))
        body.append(cells)
    return tabular(["algorithm", "seeds"] + [name for _, name, _ in SUMMARY_COLUMNS], body)


def comparison_sentence(metrics, titles):
    """One or two sentences comparing the algorithms, derived from the numbers."""
    key = (
        "accuracy" if all(m.get("accuracy") is not None for m in metrics.values()) else "silhouette"
    )
    scored = {a: m for a, m in metrics.items() if m.get(key) is not None}
    parts = []
    for a, m in metrics.items():
        text = f"{titles[a]} found {m['n_clusters']} cluster{'' if m['n_clusters'] == 1 else 's'}"
        if m["noise_fraction"] > 0:
            text += f" and marked {m['noise_fraction']:.1%} of the points as noise"
        parts.append(text)
    sentence = "; ".join(parts) + "."
    if len(scored) >= 2:
        # Compared as printed (3 decimals): equal-looking scores are a tie, not a 0.000 margin.
        shown = {a: round(scored[a][key], 3) for a in scored}
        ranked = sorted(scored, key=lambda a: shown[a], reverse=True)
        tied = [a for a in ranked if shown[a] == shown[ranked[0]]]
        if len(tied) > 1:
            names = [titles[a] for a in tied]
            sentence += (
                f" By {key}, {', '.join(names[:-1])} and {names[-1]} tie for best with "
                f"{shown[tied[0]]:.3f}."
            )
        else:
            best, runner = ranked[0], ranked[1]
            sentence += (
                f" By {key}, {titles[best]} is best with {shown[best]:.3f}, "
                f"ahead of {titles[runner]} with {shown[runner]:.3f}"
                f" (a margin of {shown[best] - shown[runner]:.3f})."
            )
    elif len(scored) == 1:
        (only,) = scored
        sentence += f" Only {titles[only]} has a defined {key} ({scored[only][key]:.3f})."
    return tex_escape(sentence)


def tsne_subset_text(n_samples, n_images, seed):
    """Which embeddings t-SNE drew; says so when ``tsne.n_samples`` was cut to the dataset."""
    if n_samples > n_images:
        return (
            f"all {n_images:,} embeddings of seed {seed} (tsne.n_samples is {n_samples:,}, more than "
            "the dataset holds)"
        )
    return f"a seeded random subset of {n_samples:,} embeddings of seed {seed}"


def figure(path, caption, width=r"0.8\linewidth"):
    return "\n".join(
        [
            r"\begin{figure}[H]",
            r"\centering",
            rf"\includegraphics[width={width}]{{{path}}}",
            rf"\caption{{{tex_escape(caption)}}}",
            r"\end{figure}",
        ]
    )


def gallery_section(ctx):
    """The galleries: an intro, the t-SNE map drawn with images, one subsection per clustering.

    ``ctx["gallery_figures"]`` holds ``(clustering title, path, caption)``; empty without it.
    """
    if not ctx.get("gallery_figures"):
        return []
    fit = r"\linewidth,height=0.8\textheight,keepaspectratio"
    body = [r"\section{What the clusters look like}", tex_escape(ctx["gallery_intro"])]
    if ctx.get("thumbnail_map"):
        body.append(figure(*ctx["thumbnail_map"], r"0.9\linewidth"))
    for name, path, caption in ctx["gallery_figures"]:
        body += [r"\subsection{" + tex_escape(name) + "}", figure(path, caption, fit)]
    return body


def provenance_text(record):
    """A provenance dict as one readable sentence."""
    packages = ", ".join(f"{k} {v}" for k, v in record["packages"].items() if v)
    return (
        f"Config sha256 {record['config_sha256']}; workflow git revision "
        f"{record['workflow_git_revision']}; seed(s) {record['seed']}; dataset "
        f"{record['dataset']['source']} with array fingerprint {record['dataset']['fingerprint']}; "
        f"packages: {packages}."
    )


def render(ctx):
    """The full ``report.tex`` text. ``ctx`` holds already computed values (see scripts/report.py)."""
    d, arch, train = ctx["dataset"], ctx["architecture"], ctx["training"]
    sizes = " -- ".join(str(s) for s in [arch["input_dim"], *arch["hidden"], arch["latent_dim"]])
    body = [
        r"\documentclass[11pt]{article}",
        r"\usepackage[margin=2.2cm]{geometry}",
        r"\usepackage{graphicx,booktabs,float}",
        r"\usepackage[T1]{fontenc}",
        r"\usepackage{lmodern}",
        # \fitwidth{...}: a table shrunk to the line width only when it is wider
        r"\newsavebox{\fitbox}",
        r"\newcommand{\fitwidth}[1]{\sbox{\fitbox}{#1}\ifdim\wd\fitbox>\linewidth"
        r"\resizebox{\linewidth}{!}{\usebox{\fitbox}}\else\usebox{\fitbox}\fi}",
        rf"\title{{Deep clustering report: {tex_escape(d['name'])}}}",
        r"\date{" + tex_escape(ctx["date"]) + "}",
        r"\begin{document}",
        r"\maketitle",
        r"\section{Dataset}",
        tex_escape(
            f"Source {d['source']}, splits {', '.join(d['splits'])}: {d['n_images']:,} images of "
            f"{d['image_shape']} pixels ({d['color']}), {d['n_classes']} classes. "
            f"Array fingerprint {d['fingerprint']}. {d.get('preprocessing', '')}".strip()
        ),
        # without labels the images are the main view, so they come first
        *(gallery_section(ctx) if ctx.get("galleries_first") else []),
        r"\section{Autoencoder}",
        tex_escape(
            f"Fully connected autoencoder {sizes} with ReLU activations, a linear latent layer and "
            f"a mirrored decoder; pixels scaled to {arch['scaling_range']} with a {arch['output']} "
            f"output. Trained with MSE and Adam (learning rate {train['learning_rate']:g}), "
            f"batch size {train['batch_size']}, {train['epochs']} epochs, seed(s) {train['seeds']}, "
            f"on {train['device']}."
        ),
        r"\section{Training}",
        tex_escape(
            f"Final mean reconstruction MSE {train['final_loss']:.5f} after {train['epochs']} epochs "
            f"({train['seconds']:.1f} s of training)."
        ),
        figure(ctx["loss_curve"], "Reconstruction loss per epoch.", r"0.6\linewidth"),
        r"\section{Clustering}",
        tex_escape(ctx["clustering_intro"]),
        r"\begin{table}[H]",
        r"\centering",
        r"\fitwidth{" + metrics_table(ctx["metric_rows"]) + "}",
        r"\caption{" + tex_escape(ctx["table_caption"]) + "}",
        r"\end{table}",
        ctx["comparison"],
    ]
    if ctx.get("exactness"):
        body += ["", tex_escape(ctx["exactness"])]
    if ctx.get("summary_rows"):
        body += [
            r"\subsection*{Over seeds}",
            tex_escape(ctx["summary_intro"]),
            r"\begin{table}[H]",
            r"\centering",
            r"\small",
            r"\fitwidth{" + summary_table(ctx["summary_rows"], ctx["titles"]) + "}",
            r"\caption{" + tex_escape(ctx["summary_caption"]) + "}",
            r"\end{table}",
        ]
    body += [
        figure(path, caption, r"0.75\linewidth")
        for path, caption in ctx.get("confusion_figures", [])
    ]
    if ctx.get("kdistance_figure"):
        body += [
            tex_escape(ctx["kdistance_intro"]),
            figure(*ctx["kdistance_figure"], r"0.6\linewidth"),
        ]
    body += [
        r"\section{t-SNE views of the embedding}",
        tex_escape(ctx["tsne_intro"]),
    ]
    body += [figure(path, caption, r"0.7\linewidth") for path, caption in ctx["tsne_figures"]]
    if not ctx.get("galleries_first"):
        body += gallery_section(ctx)
    body += [
        r"\section{Provenance}",
        tex_escape(ctx["provenance"]),
        r"\end{document}",
    ]
    return "\n".join(body) + "\n"


def compile_pdf(tex_path, pdf_path, log):
    """Compile ``tex_path`` (latexmk, else pdflatex twice) and move the PDF to ``pdf_path``.

    The build runs in a scratch folder beside the .tex (relative figure paths still
    resolve); it is removed afterwards, so a failed build leaves no PDF behind.
    """
    tex_path = Path(tex_path).resolve()
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
            done = subprocess.run(cmd, cwd=tex_path.parent, capture_output=True, text=True)
            log(done.stdout[-4000:])
            if done.returncode != 0:
                raise RuntimeError(
                    f"{cmd[0]} failed on {tex_path} (exit {done.returncode}); see the log above"
                )
        os.replace(build / tex_path.with_suffix(".pdf").name, pdf_path)
    finally:
        shutil.rmtree(build, ignore_errors=True)
