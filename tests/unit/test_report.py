import re
import shutil

import pytest
from jinja2 import UndefinedError

from deepclust.cluster import TITLES
from deepclust.compile_tex import compile_pdf, tex_errors
from deepclust.latex import tex_escape
from deepclust.names import title
from deepclust.pdf_report import render, report_context
from deepclust.pdf_tables import (
    comparison,
    exactness,
    metrics_table,
    params_text,
    summary_table,
    versions_table,
)
from workflow_runner import ROOT, require_tool


def metrics(n, noise, acc, sil=0.1):
    return {
        "n_clusters": n,
        "noise_fraction": noise,
        "silhouette": sil,
        "accuracy": acc,
        "nmi": 0.5,
        "ari": 0.4,
        "silhouette_ci95": None,
        "silhouette_method": "exact over 1000 non-noise points"
        if sil is not None
        else f"undefined: {n} cluster(s) outside noise, need at least 2",
        "exactness": {} if sil is None else {"silhouette": "exact over 1000 non-noise points"},
        "external_metrics": "against the dataset labels; noise counts as wrong for accuracy",
    }


ESTIMATED = (
    "estimated from 10000 of 1200000 non-noise points, each against all 1200000; "
    "95% CI [0.4080, 0.4160]"
)


def estimated(n, noise, acc):
    """Scores with a sampled silhouette, as metrics.evaluate writes them above the threshold."""
    return metrics(n, noise, acc, sil=0.412) | {
        "silhouette_ci95": [0.408, 0.416],
        "exactness": {"silhouette": ESTIMATED},
    }


def test_escape():
    assert tex_escape("a_b 50% #1 {x} & $") == r"a\_b 50\% \#1 \{x\} \& \$"


def test_table_formats_and_dashes_missing():
    table = metrics_table(
        [("K-Means", metrics(10, 0.0, 0.5432)), ("DBSCAN", metrics(3, 0.25, None, None))]
    )
    assert r"K-Means & 10 & 0.0\% & 0.100 & 0.543 & 0.500 & 0.400 \\" in table
    assert r"DBSCAN & 3 & 25.0\% & -- & -- &" in table


def test_estimated_silhouette_shows_its_interval():
    table = metrics_table([("K-Means", estimated(10, 0.0, 0.5)), ("DBSCAN", metrics(3, 0.25, 0.2))])
    assert r"K-Means & 10 & 0.0\% & 0.412 $\pm$ 0.004 & 0.500 &" in table
    assert r"DBSCAN & 3 & 25.0\% & 0.100 & 0.200 &" in table


def rendered_text(**replace):
    """The report's LaTeX for context(), with ``replace``'s entries swapped into the context,
    its whitespace collapsed to single spaces (the template's wording as one line)."""
    ctx = context() | replace
    return " ".join(render_tex(ctx).split())


def exactness_text(rows):
    """The template's exactness statement for ``rows``: from "Exact or estimated" to the
    end of its paragraph ("" when the template says none)."""
    text = rendered_text(exactness=exactness(rows))
    start = text.find("Exact or estimated")
    return "" if start < 0 else text[start : text.index("\\begin{figure}", start)].strip()


def comparison_sentence(metrics, titles):
    """The template's comparison paragraph for ``metrics`` (after the scores table)."""
    tex = render_tex(context() | {"comparison": comparison(metrics, titles)})
    start = tex.index("\\end{table}") + len("\\end{table}")
    return " ".join(tex[start : tex.index("\n\n", start)].split())


def test_exactness_statement_is_derived_from_the_metrics():
    exact = [("K-Means", metrics(10, 0.0, 0.5)), ("DBSCAN", metrics(3, 0.25, 0.2))]
    assert (
        exactness_text(exact) == "Exact or estimated: the silhouette is exact for every clustering."
    )
    mixed = [("K-Means", estimated(10, 0.0, 0.5)), ("DBSCAN", metrics(3, 0.25, 0.2))]
    mixed[1][1]["exactness"] = {"neighbour_search": "estimated: approximate neighbours"} | mixed[1][
        1
    ]["exactness"]
    assert exactness_text(mixed) == (
        "Exact or estimated: the silhouette is estimated for K-Means and exact for DBSCAN; the "
        "neighbour search is estimated for DBSCAN. An estimated silhouette is shown in the table "
        r"as value ± half its 95\% confidence interval. The estimates: K-Means, silhouette: "
        f"{tex_escape(ESTIMATED)}; DBSCAN, neighbour search: estimated: approximate neighbours."
    )
    undefined = metrics(1, 0.0, 0.1, sil=None) | {"exactness": {}}
    assert exactness_text([("GMM", undefined)]) == ""


def test_params_and_titles_read_well():
    assert (
        params_text({"n_init": 10, "eps": 0.123456789, "auto": True})
        == "auto True, eps 0.1235, n_init 10"
    )
    k_auto = {"criterion": "bic", "k": [2, 3], "score": [1.0, 0.5], "chosen": 3}
    assert params_text({"n_clusters": 3, "k_min": 2, "k_auto": k_auto}) == "k_min 2, n_clusters 3"
    titles = {"umap_gmm": "UMAP + GMM (N2D)"}
    assert title("umap_gmm", titles) == "UMAP + GMM (N2D)"
    assert title("umap_gmm_selftrain", titles) == "UMAP + GMM (N2D) + self-training"
    assert title("my_algo", titles) == "my_algo"


def test_comparison_is_derived_from_numbers():
    text = comparison_sentence(
        {"kmeans": metrics(10, 0.0, 0.54), "dbscan": metrics(37, 0.62, 0.21)},
        {"kmeans": "K-Means", "dbscan": "DBSCAN"},
    )
    assert "K-Means found 10 clusters" in text and r"marked 62.0\% of the points as noise" in text
    assert (
        "By accuracy, K-Means is best with 0.540, ahead of DBSCAN with 0.210 (a margin of 0.330)"
        in text
    )


def test_a_tie_reads_as_a_tie():
    titles = {"kmeans": "K-Means", "dbscan": "DBSCAN", "gmm": "Gaussian mixture"}
    text = comparison_sentence(
        {
            "kmeans": metrics(10, 0.0, 0.1),
            "dbscan": metrics(8, 0.1, 0.1000004),
            "gmm": metrics(10, 0.0, 0.05),
        },
        titles,
    )
    assert "By accuracy, K-Means and DBSCAN tie for best with 0.100." in text
    assert "margin" not in text and "ahead" not in text
    text = comparison_sentence(
        {"kmeans": metrics(10, 0.0, 0.1), "gmm": metrics(10, 0.0, 0.0996)}, titles
    )
    assert "K-Means and Gaussian mixture tie for best with 0.100" in text  # equal as printed
    text = comparison_sentence(
        {"kmeans": metrics(10, 0.0, 0.101), "gmm": metrics(10, 0.0, 0.1)}, titles
    )
    assert (
        "K-Means is best with 0.101, ahead of Gaussian mixture with 0.100 (a margin of 0.001)"
        in text
    )


def test_tsne_text_says_when_n_samples_was_cut():
    args = inputs()
    args["settings"]["tsne"]["n_samples"] = 300
    tex = " ".join(render_tex(report_context(**args)).split())
    assert "of a seeded random subset of 300 embeddings of seed 0;" in tex
    args["settings"]["tsne"]["n_samples"] = 100000
    tex = " ".join(render_tex(report_context(**args)).split())
    assert (
        r"of all 60,000 embeddings of seed 0 (tsne.n\_samples is 100,000, more than the dataset "
        "holds);"
    ) in tex


def test_provenance_is_one_sentence():
    tex = render_tex(context(seeds=(0, 1)))
    assert (
        "Settings sha256 abc (of the settings this report depends on); workflow git revision "
        "unknown; seed(s) 0, 1; dataset ylecun/mnist "
        "with array fingerprint f00."
    ) in tex


TEMPLATE = ROOT / "workflow" / "templates" / "pdf_report.tex.jinja"


def run_records(name, seed, params):
    """A metrics.json and a run.json of clustering ``name`` as the workflow writes them."""
    scores = metrics(3, 0.25, 0.2) if name == "dbscan" else metrics(10, 0.0, 0.5)
    m = scores | {"algorithm": name, "params": params, "provenance": {"seed": seed}}
    return m, {"algorithm": name, "seed": seed, "params": params}


def consensus_metrics(name, seeds, labelled=True):
    """The metrics.json of the consensus of ``name``'s seeds, as evaluate writes it."""
    scores = metrics(10, 0.0, 0.5) | {"algorithm": f"{name}_consensus"}
    if not labelled:
        scores |= {"accuracy": None, "nmi": None, "ari": None}
    return scores | {
        "stability": {
            "seeds": list(seeds),
            "mean_ari": 0.8125,
            "mean_nmi": 0.875,
            "reference_seed": seeds[-1],
            "unanimous_fraction": 0.75,
            "consensus_cluster_stability": {"0": 0.95, "1": 0.625},
        }
    }


def inputs(names=("kmeans",), seeds=(0,), labelled=True):
    """The arguments of report_context, as scripts/pdf_report.py loads them."""
    params = {
        "kmeans": {"n_clusters": 10, "n_init": 10},
        "dbscan": {"eps": 0.51234, "eps_auto": True, "min_samples": 5},
        "kmeans_selftrain": {"base": "kmeans", "epochs_run": 7},
    }
    records = {name: [run_records(name, seed, params[name]) for seed in seeds] for name in names}
    for seed_records in records.get("kmeans_selftrain", []):
        seed_records[0]["guard"] = {"kept_base": False, "reasons": []}
    figures = {
        "loss_curve": "loss.png",
        "thumbnail_map": "tsne_thumbnails.png",
        "explorer": "../explorer.html",
        "tsne": {c: f"tsne_{c}.png" for c in [*names, *(["labels"] if labelled else [])]},
        "confusion": {c: f"confusion_{c}.png" for c in names},
        "gallery": {c: f"gallery_{c}.png" for c in names},
        "diagnostics": [("kdistance", "dbscan", "kdistance_dbscan.png")]
        if "dbscan" in names
        else [],
        "consensus": {
            c: {k: f"consensus_{k}_{c}.png" for k in ("tsne", "gallery")}
            for c in (names if len(seeds) > 1 else [])
        },
    }
    settings = {
        "autoencoder": {"scaling": "symmetric", "learning_rate": 1e-3, "batch_size": 256},
        "self_training": {
            "enabled": "kmeans_selftrain" in names,
            "base": "kmeans",
            "conv_width": 32,
            "min_steps": 2000,
            "batch_size": 128,
            "learning_rate": 0.003,
            "shift_fraction": 0.075,
            "max_loss_ratio": 0.5,
            "max_changed_fraction": 0.25,
        },
        "evaluation": {"silhouette_exact_max": 100000, "silhouette_sample_size": 10000},
        "tsne": {"n_samples": 1000, "perplexity": 30.0},
        "gallery": {"rows": 12, "typical": 8, "atypical": 4, "map_thumbnails": 300},
        "deskew": False,
    }
    training = {
        "architecture": {"input_dim": 784, "hidden": [128], "latent_dim": 64},
        "epochs_run": 10,
        "device": "cpu",
        "final_loss": 0.0123,
        "seconds": 12.0,
    }
    return {
        "dataset": {
            "name": "mnist",
            "source": "ylecun/mnist",
            "splits": ["train"],
            "class_names": [str(i) for i in range(10)] if labelled else [],
            "fingerprint": "f00",
            "shape": (60000, 28, 28),
            "kind": "hub",
            "preprocessing": "size 28x28: the most common size (60000 of 60000 images are "
            "28x28); grey (every image is grey); fit pad",
            "original_sizes": [[28, 28, 60000]],
            "original_modes": ["L"],
            "n_skipped": 0,
        },
        "seeds": list(seeds),
        "training": [training] * len(seeds),
        "metrics": {name: [m for m, _ in records[name]] for name in names},
        "runs": {name: [r for _, r in records[name]] for name in names},
        "summary_rows": [],
        "settings": settings,
        "figures": figures,
        "consensus": {
            name: consensus_metrics(name, seeds, labelled)
            for name in (names if len(seeds) > 1 else [])
        },
        "algorithm_titles": TITLES,
        "record": {
            "settings_sha256": "abc",
            "workflow_git_revision": "unknown",
            "seed": list(seeds),
            "dataset": {"source": "ylecun/mnist", "fingerprint": "f00"},
        },
    }


def context(**kwargs):
    return report_context(**inputs(**kwargs))


def blank_figures(folder, ctx):
    """A blank PNG for every figure ``ctx`` shows (galleries tall, like the real ones)."""
    from PIL import Image

    names = set(re.findall(r"\\includegraphics(?:\[[^]]*\])?\{([^}]+)\}", render_tex(ctx)))
    for name in names:
        size = (300, 900) if name.startswith("gallery") else (40, 30)
        Image.new("RGB", size, "white").save(folder / name)
    return sorted(names)


def render_tex(ctx):
    return render(TEMPLATE, ctx)


def test_render_has_the_sections():
    tex = render_tex(context())
    for section in [
        "Dataset",
        "Autoencoder",
        "Training",
        "Clustering",
        "t-SNE views of the embedding",
        "Provenance",
    ]:
        assert rf"\section{{{section}}}" in tex
    assert "784 -- 128 -- 64" in tex and "60,000 images" in tex
    assert r"Parameters: K-Means: n\_clusters 10, n\_init 10." in tex  # escaped
    assert r"\includegraphics[width=0.7\linewidth]{tsne_kmeans.png}" in tex
    assert r"\date{settings abc}" in tex


def test_colour_and_unlabelled_datasets_read_well():
    args = inputs(labelled=False)
    args["dataset"]["shape"] = (400, 28, 28, 3)
    args["settings"]["tsne"]["n_samples"] = 1000
    tex = render_tex(report_context(**args))
    assert (
        "400 images of 28x28 pixels (RGB, flattened with its 3 channels), no labelled classes"
        in tex
    )
    assert "(tsne.n\\_samples is 1,000, more than the dataset holds)" in tex
    assert "Scores per algorithm (external metrics not available: the dataset has no labels)" in tex


def test_values_are_escaped_and_undefined_names_are_errors(tmp_path):
    ctx = context()
    ctx["dataset"]["source"] = "my_data/50%"
    assert r"Source my\_data/50\%," in render_tex(ctx)
    bad = tmp_path / "bad.tex.jinja"
    bad.write_text(r"\section{\VAR{missing}}")
    with pytest.raises(UndefinedError, match="missing"):
        render(bad, ctx)


def test_inputs_out_of_order_are_refused():
    args = inputs(names=("kmeans", "dbscan"), seeds=(0, 1))
    args["metrics"]["kmeans"].reverse()
    with pytest.raises(
        ValueError, match=r"metrics of kmeans, seed 0: the file holds \('kmeans', 1\)"
    ):
        report_context(**args)


def test_diagnostic_figures_come_from_the_registry():
    tex = render_tex(context(names=("kmeans", "dbscan")))
    assert "DBSCAN used eps 0.5123 chosen at the knee of the k-distance curve." in tex
    assert r"\includegraphics[width=0.6\linewidth]{kdistance_dbscan.png}" in tex
    assert r"\caption{DBSCAN: sorted distances to the min\_samples-th neighbour.}" in tex
    assert "k-distance" not in render_tex(context())


def test_self_training_and_seeds_are_described():
    tex = render_tex(context(names=("kmeans", "kmeans_selftrain"), seeds=(0, 1)))
    assert "with the labels of K-Means as targets (7 epochs, at least 2000 optimiser" in tex
    assert r"random shifts of up to 7.5\% of the image side" in tex
    assert "A guard keeps the base's labels" in tex and "it did not trigger." in tex
    assert "K-Means + self-training (seed 1) & 10 &" in tex


def test_versions_table_per_kind_of_job():
    records = {
        "training": [{"versions": {"torch": "2.13.0", "numpy": "2.4.6"}}],
        "clustering": [{"versions": {"numpy": "2.4.6"}}, {"versions": {"numpy": "2.4.5"}}],
        "evaluation": [{}],
    }
    table = versions_table(records)
    assert r"package & training & clustering \\" in table  # no column without versions
    assert r"numpy & 2.4.6 & 2.4.5, 2.4.6 \\" in table and r"torch & 2.13.0 & -- \\" in table
    assert versions_table({"training": [{}], "evaluation": [{"versions": {}}]}) == ""
    args = inputs()
    assert "Package versions" not in render_tex(report_context(**args))
    args["training"] = [{**args["training"][0], "versions": {"torch": "2.13.0"}}]
    assert r"torch & 2.13.0 \\" in render_tex(report_context(**args))


def compiled_text(folder, ctx):
    """The text of the PDF compiled from ``ctx`` (blank figures), whitespace collapsed."""
    from pypdf import PdfReader

    blank_figures(folder, ctx)
    tex = folder / "report.tex"
    tex.write_text(render_tex(ctx))
    compile_pdf(tex, folder / "out.pdf", log=lambda _: None)
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(folder / "out.pdf").pages
    )


def test_compiles_to_pdf(tmp_path):
    require_tool("latexmk", "pdflatex")  # a skip outside CI, a failure in CI
    ctx = context(names=("kmeans", "dbscan"))
    figures = blank_figures(tmp_path, ctx)
    assert len(figures) == 10  # loss, 3 t-SNE, 2 confusion, k-distance, map, 2 galleries
    tex = tmp_path / "report.tex"
    tex.write_text(render_tex(ctx))
    compile_pdf(tex, tmp_path / "out.pdf", log=lambda _: None)
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*figures, "out.pdf", "report.tex"])


def test_missing_tex_engine_names_the_packages(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(
        RuntimeError, match="no TeX engine .* apt-get install latexmk texlive-latex-base"
    ):
        compile_pdf(tmp_path / "report.tex", tmp_path / "report.pdf", log=lambda _: None)


LATEXMK_OUTPUT = r"""(./report.tex
LaTeX2e <2022-11-01> patch level 1
! LaTeX Error: File `nosuchpkg.sty' not found.

Type X to quit or <RETURN> to proceed,
or enter new name. (Default extension: sty)

Enter file name:
! Emergency stop.
<read *>

l.3 \begin
          {document}^^M
!  ==> Fatal error occurred, no output PDF file produced!
Transcript written on build/report.log.
Latexmk: Missing input file 'nosuchpkg.sty' (or dependence on it) from following:
  ! LaTeX Error: File `nosuchpkg.sty' not found.
Latexmk: If appropriate, the -f option can be used to get latexmk
  to try to force complete processing.
Latexmk: Errors, so I did not complete making targets
Collected error summary (may duplicate other messages):
  pdflatex: Command for 'pdflatex' gave return code 1
"""


def test_a_missing_score_says_why():
    """A score shown as -- comes with the reason its metrics.json records."""
    args = inputs(names=("kmeans", "dbscan"))
    args["metrics"]["dbscan"][0] |= metrics(1, 0.4, 0.2, sil=None)
    tex = " ".join(render_tex(report_context(**args)).split())
    assert (
        "Scores shown as -- are not defined: DBSCAN, silhouette: 1 cluster(s) outside noise, "
        "need at least 2."
    ) in tex
    assert "are not defined" not in render_tex(context())
    args = inputs(labelled=False)  # external scores: the caption says why, once
    args["metrics"]["kmeans"][0] |= {"accuracy": None, "nmi": None, "ari": None}
    assert "are not defined" not in render_tex(report_context(**args))


@pytest.mark.skipif(not shutil.which("pdflatex"), reason="needs a TeX engine")
def test_the_pdf_says_why_a_score_is_missing(tmp_path):
    args = inputs(names=("kmeans", "dbscan"))
    args["metrics"]["dbscan"][0] |= metrics(1, 0.4, 0.2, sil=None)
    text = compiled_text(tmp_path, report_context(**args))
    assert "DBSCAN, silhouette: 1 cluster(s) outside noise, need at least 2." in text


def test_tex_errors_are_the_first_error_with_its_context_and_latexmks_own():
    lines = tex_errors(LATEXMK_OUTPUT).splitlines()
    assert lines[0] == "! LaTeX Error: File `nosuchpkg.sty' not found."
    assert lines[lines.index("l.3 \\begin") + 1] == "          {document}^^M"
    assert "Transcript written on build/report.log." not in lines  # past the error's context
    assert lines[-3:] == [
        "Latexmk: Missing input file 'nosuchpkg.sty' (or dependence on it) from following:",
        "  ! LaTeX Error: File `nosuchpkg.sty' not found.",
        "Latexmk: Errors, so I did not complete making targets",
    ]
    assert tex_errors("no error here\n") == ""


@pytest.mark.parametrize(
    "body, error",
    [
        (r"\usepackage{nosuchpkg}", "! LaTeX Error: File `nosuchpkg.sty' not found."),
        ("a class named a_b", "! Missing $ inserted."),  # an unescaped character
    ],
)
def test_a_failed_compile_logs_its_first_error_and_keeps_the_tex(tmp_path, body, error):
    require_tool("latexmk", "pdflatex")
    tex = tmp_path / "report.tex"
    preamble, text = (body, "hi") if body.startswith("\\") else ("", body)
    tex.write_text(
        f"\\documentclass{{article}}\n{preamble}\n\\begin{{document}}\n{text}\n\\end{{document}}\n"
    )
    logged = []
    with pytest.raises(RuntimeError) as failed:
        compile_pdf(tex, tmp_path / "out.pdf", log=logged.append)
    kept = tmp_path / "report.failed.tex"
    assert error in str(failed.value) and f"the .tex is kept as {kept.resolve()}" in str(
        failed.value
    )
    context = logged[-1]
    assert context.startswith(f"first error and its context:\n{error}")
    assert re.search(r"^l\.\d+ ", context, re.M)  # where in the .tex
    assert "output (stdout and stderr)" in logged[-2]
    assert kept.read_text() == tex.read_text()
    # no PDF and no build folder left
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.failed.tex", "report.tex"]


def test_tables_are_fitted_to_the_line_width(tmp_path):
    """Both branches of \\fitwidth (a narrow table as it is, a wide one shrunk) compile."""
    require_tool("latexmk", "pdflatex")
    blank_figures(tmp_path, context())
    for label in ("narrow", "a very long clustering name " * 6):
        ctx = context()
        ctx["metric_rows"] = [(label, metrics(10, 0.0, 0.5))]
        tex = tmp_path / "report.tex"
        tex.write_text(render_tex(ctx))
        assert r"\fitwidth{\begin{tabular}" in tex.read_text()
        compile_pdf(tex, tmp_path / "out.pdf", log=lambda _: None)
        assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.skipif(not shutil.which("pdflatex"), reason="needs a TeX engine")
def test_report_with_an_estimated_silhouette_compiles(tmp_path):
    from pypdf import PdfReader

    ctx = context()
    blank_figures(tmp_path, ctx)
    ctx["metric_rows"] = [("K-Means", estimated(10, 0.0, 0.5)), ("DBSCAN", metrics(3, 0.25, 0.2))]
    ctx["exactness"] = exactness(ctx["metric_rows"])
    tex = tmp_path / "report.tex"
    tex.write_text(render_tex(ctx))
    compile_pdf(tex, tmp_path / "out.pdf", log=lambda _: None)
    text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(tmp_path / "out.pdf").pages
    )
    assert "0.412 ± 0.004" in text
    assert "the silhouette is estimated for K-Means and exact for DBSCAN" in text
    assert "95% CI [0.4080, 0.4160]" in text


def gallery_context(labelled):
    return context(names=("kmeans", "dbscan"), labelled=labelled)


@pytest.mark.parametrize("labelled", [True, False])
def test_galleries_have_a_section_first_without_labels(labelled):
    tex = render_tex(gallery_context(labelled))
    sections = [line for line in tex.splitlines() if line.startswith(r"\section{")]
    where = sections.index(r"\section{What the clusters look like}")
    assert sections[where - 1] == (
        r"\section{t-SNE views of the embedding}" if labelled else r"\section{Dataset}"
    )
    assert r"\subsection{K-Means}" in tex and r"\subsection{DBSCAN}" in tex
    assert (
        r"\includegraphics[width=\linewidth,height=0.8\textheight,keepaspectratio]{gallery_dbscan.png}"
        in tex
    )
    assert tex.count("tsne_thumbnails.png") == 1
    assert ("external metrics not available" in tex) != labelled
    # no label-coloured map without labels (its every point would be "noise")
    assert ("tsne_labels.png" in tex) == labelled and ("coloured by labels" in tex) == labelled
    ctx = context()
    ctx["gallery"]["figures"] = []
    assert "What the clusters look like" not in render_tex(ctx)


@pytest.mark.skipif(not shutil.which("pdflatex"), reason="needs a TeX engine")
@pytest.mark.parametrize("labelled", [True, False])
def test_report_with_galleries_compiles_with_and_without_labels(tmp_path, labelled):
    text = compiled_text(tmp_path, gallery_context(labelled))
    assert "What the clusters look like" in text
    assert "DBSCAN: one row per cluster" in text and "a random sample of the noise" in text
    assert (text.index("What the clusters look like") < text.index("Autoencoder")) != labelled


def test_summary_marks_averaged_estimates():
    row = {"algorithm": "kmeans", "seeds": 2.0, "silhouette_estimated": 1.0} | {
        f"{key}_{stat}": 0.5
        for key in ("accuracy", "nmi", "ari", "silhouette", "n_clusters", "cluster_seconds")
        for stat in ("mean", "std")
    }
    exact = row | {"algorithm": "gmm", "silhouette_estimated": 0.0}
    table = summary_table([row, exact], {"kmeans": "K-Means", "gmm": "GMM"})
    assert r"K-Means & 2 & 0.500 $\pm$ 0.500 & 0.500 $\pm$ 0.500 & 0.500 $\pm$ 0.500 & " in table
    assert r"0.500 $\pm$ 0.500* &" in table and table.count("*") == 1
    args = inputs()
    args["summary_rows"] = [row]
    assert "*: the mean of silhouettes estimated" in render_tex(report_context(**args))
    args["summary_rows"] = [exact]
    assert "estimated from a sample in some" not in render_tex(report_context(**args))


def test_without_labels_the_scores_and_diagnostics_follow_the_galleries():
    """Unlabelled data: galleries, then the diagnostic figures (e.g. how K was chosen), then
    the label-free scores, all before the autoencoder's details."""
    sections = [
        line
        for line in render_tex(gallery_context(False)).splitlines()
        if line.startswith(r"\section{")
    ]
    assert sections[:5] == [
        r"\section{Dataset}",
        r"\section{What the clusters look like}",
        r"\section{How the clusterings chose}",
        r"\section{Clustering}",
        r"\section{Autoencoder}",
    ]


@pytest.mark.parametrize("labelled", [True, False])
def test_agreement_between_seeds_and_the_consensus_are_reported(labelled):
    tex = " ".join(render_tex(context(seeds=(0, 1), labelled=labelled)).split())
    assert r"\subsection*{Do the seeds agree?}" in tex
    # mean ARI, NMI, unanimous share, reference seed, clusters, then (labelled) the
    # consensus's ACC and NMI beside the seeds' mean
    row = r"K-Means & 0.812 & 0.875 & 75.0\% & 1 & 10"
    assert row + (r" & 0.500 (0.500) & 0.500 (0.500) \\" if labelled else r" \\") in tex
    assert "consensus_gallery_kmeans.png" in tex and "consensus_tsne_kmeans.png" in tex
    assert "K-Means, consensus of seeds: one row per cluster" in tex
    assert "(the least stable: 0.62)" in tex
    assert "The seeds agree most on" not in tex  # one clustering: nothing to choose


def test_the_clustering_whose_seeds_agree_most_is_named():
    args = inputs(names=("kmeans", "dbscan"), seeds=(0, 1))
    args["consensus"]["dbscan"]["stability"]["mean_ari"] = 0.9375
    tex = " ".join(render_tex(report_context(**args)).split())
    assert "The seeds agree most on DBSCAN (mean ARI 0.938)" in tex


def test_one_seed_has_no_agreement_section():
    assert "Do the seeds agree?" not in render_tex(context(seeds=(0,)))


def test_summary_shows_seed_agreement_and_consensus_rows():
    row = {"algorithm": "kmeans", "seeds": 2.0, "silhouette_estimated": 0.0} | {
        f"{key}_{stat}": 0.5
        for key in ("accuracy", "nmi", "ari", "silhouette", "n_clusters", "cluster_seconds")
        for stat in ("mean", "std")
    }
    consensus = row | {"algorithm": "kmeans_consensus", "seed_ari": None}
    titles = {"kmeans": "K-Means", "kmeans_consensus": "K-Means, consensus of seeds"}
    table = summary_table([row | {"seed_ari": 0.91}, consensus], titles)
    assert "& seed ARI" in table and table.count(r"0.910 \\") == 1
    assert "K-Means, consensus of seeds & 2 &" in table
    assert "seed ARI" not in summary_table([row], {"kmeans": "K-Means"})


def test_report_with_seed_agreement_compiles(tmp_path):
    require_tool("latexmk", "pdflatex")
    ctx = context(names=("kmeans", "kmeans_selftrain"), seeds=(0, 1, 2))
    blank_figures(tmp_path, ctx)
    tex = tmp_path / "report.tex"
    tex.write_text(render_tex(ctx))
    compile_pdf(tex, tmp_path / "out.pdf", log=lambda _: None)
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF")
