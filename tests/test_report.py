import shutil

import pytest
from deepclust.report import (
    comparison_sentence,
    compile_pdf,
    exactness_text,
    metrics_table,
    params_text,
    render,
    tex_escape,
    title,
    tsne_subset_text,
)
from workflow_runner import require_tool


def metrics(n, noise, acc, sil=0.1):
    return {
        "n_clusters": n,
        "noise_fraction": noise,
        "silhouette": sil,
        "accuracy": acc,
        "nmi": 0.5,
        "ari": 0.4,
        "silhouette_ci95": None,
        "exactness": {"silhouette": "exact over 1000 non-noise points"},
    }


ESTIMATED = "estimated from 10000 of 1200000 non-noise points, each against all 1200000; 95% CI [0.4080, 0.4160]"


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
        "Exact or estimated: the silhouette is estimated for K-Means and exact for DBSCAN; the neighbour "
        "search is estimated for DBSCAN. An estimated silhouette is shown in the table as value ± half "
        f"its 95% confidence interval. The estimates: K-Means, silhouette: {ESTIMATED}; DBSCAN, neighbour "
        "search: estimated: approximate neighbours."
    )
    undefined = metrics(1, 0.0, 0.1, sil=None) | {"exactness": {}}
    assert exactness_text([("GMM", undefined)]) == ""


def test_params_and_titles_read_well():
    assert (
        params_text({"n_init": 10, "eps": 0.123456789, "auto": True})
        == "auto True, eps 0.1235, n_init 10"
    )
    assert title("umap_gmm") == "UMAP + GMM (N2D)"
    assert title("umap_gmm_selftrain") == "UMAP + GMM (N2D) + self-training"
    assert title("my_algo") == "my_algo"


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
    assert tsne_subset_text(300, 2000, 0) == "a seeded random subset of 300 embeddings of seed 0"
    assert tsne_subset_text(1000, 400, 1) == (
        "all 400 embeddings of seed 1 (tsne.n_samples is 1,000, more than the dataset holds)"
    )


def context():
    return {
        "date": "config abc",
        "dataset": {
            "name": "mnist",
            "source": "ylecun/mnist",
            "splits": ["train"],
            "n_images": 60000,
            "image_shape": "28x28",
            "color": "grayscale",
            "n_classes": 10,
            "fingerprint": "f00",
        },
        "architecture": {
            "input_dim": 784,
            "hidden": [128],
            "latent_dim": 64,
            "scaling_range": "[-1, 1]",
            "output": "tanh",
        },
        "training": {
            "learning_rate": 1e-3,
            "batch_size": 256,
            "epochs": 10,
            "seeds": "0",
            "device": "cpu",
            "final_loss": 0.0123,
            "seconds": 12.0,
        },
        "loss_curve": "loss.png",
        "clustering_intro": "intro",
        "metric_rows": [("K-Means", metrics(10, 0.0, 0.5))],
        "table_caption": "caption_1",
        "comparison": "K-Means wins.",
        "tsne_intro": "tsne",
        "tsne_figures": [("tsne_kmeans.png", "by kmeans")],
        "provenance": "config sha256 abc",
    }


def test_render_has_the_sections():
    tex = render(context())
    for section in [
        "Dataset",
        "Autoencoder",
        "Training",
        "Clustering",
        "t-SNE views of the embedding",
        "Provenance",
    ]:
        assert rf"\section{{{section}}}" in tex
    assert "784 -- 128 -- 64" in tex and "60,000 images" in tex and r"caption\_1" in tex
    assert r"\includegraphics[width=0.7\linewidth]{tsne_kmeans.png}" in tex


def test_compiles_to_pdf(tmp_path):
    require_tool("latexmk", "pdflatex")  # a skip outside CI, a failure in CI
    from PIL import Image

    for name in ("loss.png", "tsne_kmeans.png"):
        Image.new("RGB", (40, 30), "white").save(tmp_path / name)
    tex = tmp_path / "report.tex"
    tex.write_text(render(context()))
    compile_pdf(tex, tmp_path / "out.pdf", log=lambda _: None)
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "loss.png",
        "out.pdf",
        "report.tex",
        "tsne_kmeans.png",
    ]


def test_missing_tex_engine_names_the_packages(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(
        RuntimeError, match="no TeX engine .* apt-get install latexmk texlive-latex-base"
    ):
        compile_pdf(tmp_path / "report.tex", tmp_path / "report.pdf", log=lambda _: None)


def test_tables_are_fitted_to_the_line_width(tmp_path):
    """Both branches of \\fitwidth (a narrow table as it is, a wide one shrunk) compile."""
    require_tool("latexmk", "pdflatex")
    from PIL import Image

    for name in ("loss.png", "tsne_kmeans.png"):
        Image.new("RGB", (40, 30), "white").save(tmp_path / name)
    for label in ("narrow", "a very long clustering name " * 6):
        ctx = context()
        ctx["metric_rows"] = [(label, metrics(10, 0.0, 0.5))]
        tex = tmp_path / "report.tex"
        tex.write_text(render(ctx))
        assert r"\fitwidth{\begin{tabular}" in tex.read_text()
        compile_pdf(tex, tmp_path / "out.pdf", log=lambda _: None)
        assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.skipif(not shutil.which("pdflatex"), reason="needs a TeX engine")
def test_report_with_an_estimated_silhouette_compiles(tmp_path):
    from PIL import Image
    from pypdf import PdfReader

    for name in ("loss.png", "tsne_kmeans.png"):
        Image.new("RGB", (40, 30), "white").save(tmp_path / name)
    ctx = context()
    ctx["metric_rows"] = [("K-Means", estimated(10, 0.0, 0.5)), ("DBSCAN", metrics(3, 0.25, 0.2))]
    ctx["exactness"] = exactness_text(ctx["metric_rows"])
    tex = tmp_path / "report.tex"
    tex.write_text(render(ctx))
    compile_pdf(tex, tmp_path / "out.pdf", log=lambda _: None)
    text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(tmp_path / "out.pdf").pages
    )
    assert "0.412 ± 0.004" in text
    assert "the silhouette is estimated for K-Means and exact for DBSCAN" in text
    assert "95% CI [0.4080, 0.4160]" in text


def gallery_context(labelled):
    ctx = context()
    ctx |= {
        "galleries_first": not labelled,
        "gallery_intro": "The images of each cluster.",
        "thumbnail_map": ("tsne_thumbnails.png", "t-SNE map with images."),
        "gallery_figures": [
            ("K-Means", "gallery_kmeans.png", "K-Means: one row per cluster."),
            ("DBSCAN", "gallery_dbscan.png", "DBSCAN: the last row is noise."),
        ],
    }
    return ctx


@pytest.mark.parametrize("labelled", [True, False])
def test_galleries_have_a_section_first_without_labels(labelled):
    tex = render(gallery_context(labelled))
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
    assert "What the clusters look like" not in render(context())


@pytest.mark.skipif(not shutil.which("pdflatex"), reason="needs a TeX engine")
@pytest.mark.parametrize("labelled", [True, False])
def test_report_with_galleries_compiles_with_and_without_labels(tmp_path, labelled):
    from PIL import Image
    from pypdf import PdfReader

    for name in (
        "loss.png",
        "tsne_kmeans.png",
        "tsne_thumbnails.png",
        "gallery_kmeans.png",
        "gallery_dbscan.png",
    ):
        Image.new("RGB", (300, 900) if name.startswith("gallery") else (40, 30), "white").save(
            tmp_path / name
        )
    tex = tmp_path / "report.tex"
    tex.write_text(render(gallery_context(labelled)))
    compile_pdf(tex, tmp_path / "out.pdf", log=lambda _: None)
    text = " ".join(page.extract_text() for page in PdfReader(tmp_path / "out.pdf").pages)
    assert "What the clusters look like" in text and "DBSCAN: the last row is noise." in text
    assert (text.index("What the clusters look like") < text.index("Autoencoder")) != labelled
