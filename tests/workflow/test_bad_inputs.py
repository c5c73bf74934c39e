"""Bad config, bad data and failing jobs: a clear message naming the problem, nothing left
behind."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from hub_fixtures import digits_as_mnist, write_hub_dataset
from workflow_runner import copy_project, require_tool, small_config, snakemake, write_config

pytestmark = pytest.mark.workflow

DATA = "results/mnist/data.npz"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return copy_project(tmp_path_factory.mktemp("bad"))


def outputs(workdir):
    results = workdir / "results"
    return (
        sorted(p.relative_to(workdir).as_posix() for p in results.rglob("*") if p.is_file())
        if results.exists()
        else []
    )


def fails_with(workdir, config, message, *targets, env=None):
    """Run snakemake on ``config``; assert it fails, prints ``message``, and leaves no results."""
    configfile = write_config(workdir, config, "bad.yaml")
    done = snakemake(
        workdir, *targets, "--cores", "1", "--configfile", configfile, check=False, env=env
    )
    assert done.returncode != 0
    assert message in done.stdout, done.stdout[-3000:]
    return done.stdout


def with_section(config, section, **values):
    config = dict(config)
    config[section] = dict(config.get(section, {}), **values)
    return config


@pytest.mark.parametrize(
    "section, values, message",
    [
        (
            "autoencoder",
            {"epoch": 3},
            "autoencoder: Additional properties are not allowed ('epoch' was unexpected); "
            "allowed keys: hidden, latent_dim,",
        ),
        (
            "autoencoder",
            {"latent_dim": 0},
            "autoencoder.latent_dim: 0 is less than the minimum of 1",
        ),
        (
            "autoencoder",
            {"learning_rate": -0.001},
            "autoencoder.learning_rate: -0.001 is less than or equal to the minimum of 0",
        ),
        (
            "autoencoder",
            {"scaling": "minmax"},
            "autoencoder.scaling: 'minmax' is not one of ['symmetric', 'unit']",
        ),
        (
            "algorithms",
            {"spectral": {"enabled": True}},
            "algorithms: Additional properties are not allowed ('spectral' was unexpected); "
            "allowed keys: kmeans, dbscan",
        ),
        (
            "algorithms",
            {"kmeans": {"n_clusters": 500}},
            "algorithms.kmeans.n_clusters (500) is larger than datasets.mnist.limit (100 images)",
        ),
        (
            "algorithms",
            {"kmeans": {"enabled": False}, "dbscan": {"enabled": False}},
            "no algorithm is enabled, so no clustering would run; under algorithms: set "
            "enabled: true for at least one of kmeans, dbscan, gmm",
        ),
        (
            "datasets",
            {"my data": {"source": "x"}},
            "datasets: 'my data' is not allowed: A dataset name holds only letters, digits, "
            "`_`, `.` and `-`, and starts with a letter or a digit",
        ),
        ("tsne", {"n_samples": 2}, "tsne.n_samples: 2 is less than the minimum of 3"),
        (
            "self_training",
            {"enabled": True, "base": "umap_gmm"},
            "self_training.base is 'umap_gmm', which is not an enabled algorithm "
            "(enabled: kmeans, dbscan)",
        ),
        ("self_training", {"epochs": 0}, "self_training.epochs: 0 is less than the minimum of 1"),
    ],
)
def test_config_errors_fail_before_any_job(project, mnist_source, section, values, message):
    config = with_section(
        small_config(mnist_source, project / "hf_cache", limit=100), section, **values
    )
    out = fails_with(project, config, message)
    assert "invalid config" in out and "Building DAG" not in out
    assert outputs(project) == []


def test_limit_zero_is_rejected(project, mnist_source):
    config = small_config(mnist_source, project / "hf_cache", limit=0)
    fails_with(project, config, "datasets.mnist.limit: 0 is less than the minimum of 1")


def dataset_config(project, source, **settings):
    config = small_config(source, project / "hf_cache", limit=50)
    config["datasets"]["mnist"].update(settings)
    return config


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"source": "./no/such/folder"}, "dataset source './no/such/folder' does not exist"),
        (
            {"source": "nobody-here/no-such-dataset"},
            "could not load dataset source 'nobody-here/no-such-dataset'",
        ),
        (
            {"source": "nobody-here/no-such-dataset"},
            "to work offline, point source at a local copy in Hub layout, "
            "e.g. --configfile config/presets/mnist-local.yaml",
        ),
        ({"splits": ["train", "validation"]}, "split(s) ['validation'] not in dataset"),
        ({"image_column": "picture"}, "column 'picture' not in split 'train'"),
        ({"label_column": "digit"}, "columns there: ['image', 'label']"),
        ({"image_column": "label"}, "column 'label' does not hold images"),
    ],
)
def test_dataset_errors_come_from_the_decode_rule(project, mnist_source, settings, message):
    settings.setdefault("source", mnist_source)
    config = dataset_config(project, **settings)
    out = fails_with(project, config, message, DATA, env={"HF_HUB_OFFLINE": "1"})
    assert "Error in rule survey" in out
    assert outputs(project) == []


def test_source_that_is_a_parquet_file(project, mnist_source):
    parquet = next(Path(mnist_source).rglob("train-*.parquet"))
    fails_with(
        project,
        dataset_config(project, str(parquet)),
        f"dataset source '{parquet}' is a file, not a folder; "
        "expected a Hub id (e.g. ylecun/mnist) or a local folder of <split>-*.parquet files",
        DATA,
    )
    assert outputs(project) == []


def test_folder_without_data_files(project, tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "README.md").write_text("# My dataset\n")
    (folder / "notes.txt").write_text("to do: export the images\n")
    fails_with(
        project,
        dataset_config(project, str(folder)),
        f"dataset source '{folder}' holds no data files (.parquet, .arrow or images); "
        "it holds: README.md, notes.txt. Expected a Hub id",
        DATA,
    )
    assert outputs(project) == []


def test_corrupt_parquet_is_named(project, tmp_path):
    images, labels = digits_as_mnist(20)
    src = write_hub_dataset(
        tmp_path / "corrupt", {"train": (images, labels)}, [str(i) for i in range(10)]
    )
    bad = src / "data" / "train-00000-of-00001.parquet"
    bad.write_bytes(bad.read_bytes()[:-64])  # a truncated copy
    fails_with(
        project,
        dataset_config(project, str(src)),
        f"data file '{bad}' of dataset source '{src}' is corrupt: not a readable parquet file",
        DATA,
    )
    assert outputs(project) == []


def test_dataset_smaller_than_the_steps_need_fails_in_the_survey(project, tmp_path):
    images, labels = digits_as_mnist(1)
    src = write_hub_dataset(
        tmp_path / "one", {"train": (images, labels)}, [str(i) for i in range(10)]
    )
    config = dataset_config(project, str(src), limit=None)
    out = fails_with(
        project,
        config,
        "dataset 'mnist' has 1 image, fewer than the enabled steps need: "
        "algorithms.kmeans.n_clusters is 10, algorithms.dbscan.min_samples is 5, "
        "t-SNE's minimum is 3; use a dataset of at least 10 images or lower these settings",
    )
    assert "Finished jobid" in out and "(Rule: survey)" in out  # the survey found it
    assert "rule decode:" not in out and "rule train_autoencoder:" not in out
    # the survey is complete and kept (no setting of the check reruns it); nothing else
    assert outputs(project) == ["results/mnist/survey.npz"]
    shutil.rmtree(project / "results")


@pytest.mark.parametrize(
    "limit, algorithms, message",
    [
        (
            4,
            {"kmeans": {"n_clusters": 2}},
            "algorithms.dbscan.min_samples (5) is larger than datasets.mnist.limit (4 images)",
        ),
        (
            2,
            {"kmeans": {"enabled": False}, "dbscan": {"min_samples": 1}},
            "t-SNE's minimum (3) is larger than datasets.mnist.limit (2 images)",
        ),
        (
            30,
            {"gmm": {"enabled": True, "n_clusters": 40}},
            "algorithms.gmm.n_clusters (40) is larger than datasets.mnist.limit (30 images)",
        ),
    ],
)
def test_limit_smaller_than_the_steps_need_fails_before_any_job(
    project, mnist_source, limit, algorithms, message
):
    config = small_config(mnist_source, project / "hf_cache", limit=limit, algorithms=algorithms)
    out = fails_with(project, config, "invalid config: " + message)
    assert "Building DAG" not in out
    assert outputs(project) == []


def test_string_labels_become_class_ids(project, tmp_path):
    import datasets

    from hub_fixtures import png_bytes

    images, labels = digits_as_mnist(30)
    words = np.array(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    )[labels]
    (tmp_path / "words" / "data").mkdir(parents=True)
    datasets.Dataset.from_dict(
        {
            "image": [{"bytes": png_bytes(im), "path": None} for im in images],
            "label": words.tolist(),
        },
        features=datasets.Features({"image": datasets.Image(), "label": datasets.Value("string")}),
    ).to_parquet(tmp_path / "words" / "data" / "train-00000-of-00001.parquet")
    config = dataset_config(project, str(tmp_path / "words"))
    snakemake(
        project, DATA, "--cores", "1", "--configfile", write_config(project, config, "words.yaml")
    )
    data = np.load(project / DATA)
    names = data["class_names"].tolist()
    assert names == sorted(set(words.tolist()))
    assert [names[i] for i in data["labels"]] == words.tolist()
    shutil.rmtree(project / "results")


def test_images_of_mixed_sizes_are_fitted_and_a_bad_one_named_or_skipped(project, tmp_path):
    images, labels = digits_as_mnist(20)
    big = np.full((5, 32, 32), 255, np.uint8)
    src = write_hub_dataset(
        tmp_path / "mixed",
        {"train": (list(images) + list(big), list(labels) + [0] * 5)},
        [str(i) for i in range(10)],
    )
    table = src / "data" / "train-00000-of-00001.parquet"
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = pq.read_table(table).to_pylist()
    rows[3]["image"]["bytes"] = b"not an image at all"
    pq.write_table(pa.Table.from_pylist(rows, schema=pq.read_schema(table)), table)
    config = dataset_config(project, str(src), limit=None)
    fails_with(
        project,
        config,
        "image 3 (row 3 of split 'train') cannot be decoded: not an image Pillow can read",
        DATA,
    )
    assert outputs(project) == []
    config["preprocessing"] = {"on_bad_image": "skip"}
    name = write_config(project, config, "skip.yaml")
    done = snakemake(project, DATA, "--cores", "1", "--configfile", name)
    data = np.load(project / DATA)
    fitted = np.load(project / "results/mnist/images.npy")
    assert fitted.shape == (24, 28, 28) and int(data["n_skipped"]) == 1
    np.testing.assert_array_equal(data["labels"], np.r_[labels[:3], labels[4:], [0] * 5])
    assert "size 28x28: the most common size (19 of 24 images are 28x28)" in str(
        data["preprocessing"]
    )
    skipped = (project / "results/mnist/skipped.tsv").read_text().splitlines()
    assert skipped[1].startswith("3\timage 3 (row 3 of split 'train')\tnot an image")
    assert (
        "skipping 1 images that cannot be decoded"
        in (project / "logs/mnist/decode.log").read_text()
    ), done.stdout[-2000:]
    shutil.rmtree(project / "results")


def test_diverging_training_stops_without_checkpoint(project, mnist_source):
    config = small_config(mnist_source, project / "hf_cache", limit=300)
    config["autoencoder"].update(scaling="unit", learning_rate=1e8)
    out = fails_with(
        project, config, "training diverged at epoch", "results/mnist/seed0/model/autoencoder.pt"
    )
    assert "lower the learning rate" in out
    assert outputs(project) == [
        DATA,
        "results/mnist/images.npy",
        "results/mnist/skipped.tsv",
        "results/mnist/survey.npz",
    ]


def test_unlabelled_and_rgb_datasets_run_end_to_end(tmp_path):
    """Two datasets in one run: RGB with labels, grayscale without labels."""
    workdir = copy_project(tmp_path / "wf")
    images, labels = digits_as_mnist(400)
    rgb = np.stack([images, images[::-1], 255 - images], axis=-1)
    names = [str(i) for i in range(10)]
    rgb_src = write_hub_dataset(tmp_path / "rgb", {"train": (rgb, labels)}, names)
    unlabelled_src = write_hub_dataset(tmp_path / "plain", {"train": (images, None)})
    config = small_config(rgb_src, tmp_path / "hf_cache", limit=None)
    config["datasets"] = {
        "mnist": {"enabled": False},
        "rgb": {"source": str(rgb_src), "cache_dir": str(tmp_path / "hf_cache")},
        "unlabelled": {
            "source": str(unlabelled_src),
            "label_column": None,
            "cache_dir": str(tmp_path / "hf_cache"),
        },
    }
    config["tsne"] = {"n_samples": 1000}  # more than the 400 images: cut, and said so
    snakemake(workdir, "--cores", "2", "--configfile", write_config(workdir, config))
    import json

    assert np.load(workdir / "results/rgb/images.npy").shape == (400, 28, 28, 3)
    assert np.load(workdir / "results/rgb/seed0/embeddings.npy").shape == (400, 64)
    rgb_tex = (workdir / "results/rgb/report/report.tex").read_text()
    assert "RGB, flattened with its 3 channels" in rgb_tex and "2352 -- 128 -- 64" in rgb_tex
    assert (
        "all 400 embeddings of seed 0 (tsne.n\\_samples is 1,000, more than the dataset holds)"
        in rgb_tex
    )
    tsne_log = (workdir / "logs/rgb/seed0/tsne.log").read_text()
    assert (
        "tsne.n_samples (1000) is larger than the dataset (400 images); t-SNE uses all 400"
        in tsne_log
    )
    m = json.loads((workdir / "results/unlabelled/seed0/clusters/kmeans/metrics.json").read_text())
    assert m["accuracy"] is None and m["nmi"] is None and "not available" in m["external_metrics"]
    assert m["silhouette"] is not None
    tex = (workdir / "results/unlabelled/report/report.tex").read_text()
    assert "external metrics not available" in tex
    assert (workdir / "results/unlabelled/report/report.pdf").stat().st_size > 0
    # No labels: no label-coloured map (its legend would call every point noise)
    assert not (workdir / "results/unlabelled/seed0/figures/tsne_labels.png").exists()
    assert not (workdir / "logs/unlabelled/seed0/plot_tsne_labels.log").exists()
    assert "tsne_labels.png" not in tex and "coloured by labels" not in tex
    assert "tsne_labels.png" in rgb_tex
    # Without labels the galleries lead the report; with them they follow the t-SNE views.
    assert tex.index("What the clusters look like") < tex.index(r"\section{Autoencoder}")
    assert rgb_tex.index("What the clusters look like") > rgb_tex.index(r"\section{t-SNE views")
    for name in ("rgb", "unlabelled"):
        assert (workdir / f"results/{name}/seed0/figures/gallery_dbscan.png").stat().st_size > 0
        assert (workdir / f"results/{name}/seed0/figures/tsne_thumbnails.png").stat().st_size > 0


def test_nan_embeddings_are_refused(small_run, tmp_path):
    import shutil

    workdir = tmp_path / "run"
    shutil.copytree(small_run[0], workdir, symlinks=True)
    path = workdir / "results/mnist/seed0/embeddings.npy"
    x = np.load(path)
    x[7, 3] = np.nan
    np.save(path, x)
    done = snakemake(
        workdir,
        "results/mnist/seed0/clusters/kmeans/labels.npy",
        "--force",
        "--cores",
        "1",
        "--configfile",
        "test_config.yaml",
        check=False,
    )
    assert done.returncode != 0
    assert "embeddings contain NaN or inf in 1 of 2000 rows (first: row 7)" in done.stdout
    assert not (workdir / "results/mnist/seed0/clusters/kmeans/labels.npy").exists()


def test_a_failed_tex_compile_is_logged_and_keeps_the_tex(small_run, tmp_path):
    """A TeX error (here a missing package) in the report job: latexmk's first error with
    its context in the job's log, report.tex kept where the message says, no PDF."""
    require_tool("latexmk", "pdflatex")
    workdir = tmp_path / "run"
    shutil.copytree(small_run[0], workdir, symlinks=True)
    template = workdir / "workflow/templates/pdf_report.tex.jinja"
    text = template.read_text()
    template.write_text(
        text.replace(
            "\\documentclass[11pt]{article}\n",
            "\\documentclass[11pt]{article}\n\\usepackage{nosuchpkg}\n",
            1,
        )
    )
    done = snakemake(workdir, "--cores", "1", "--configfile", "test_config.yaml", check=False)
    assert done.returncode != 0
    report = workdir / "results/mnist/report"
    kept = report / "report.failed.tex"
    assert "! LaTeX Error: File `nosuchpkg.sty' not found." in done.stdout
    assert f"the .tex is kept as {kept.resolve()}" in done.stdout
    assert "\\usepackage{nosuchpkg}" in kept.read_text()
    assert sorted(p.name for p in report.iterdir()) == ["report.failed.tex"]  # no PDF, no .tex
    log = (workdir / "logs/mnist/pdf_report.log").read_text()
    assert "first error and its context:\n! LaTeX Error: File `nosuchpkg.sty' not found." in log
    assert "Latexmk: Errors, so I did not complete making targets" in log or "pdflatex" in log
    assert "failed: dataset mnist, job pdf_report; see logs/mnist/pdf_report.log" in done.stdout
    template.write_text(text)  # fixed: the rerun compiles and drops the kept copy
    snakemake(workdir, "--cores", "1", "--configfile", "test_config.yaml")
    assert sorted(p.name for p in report.iterdir()) == ["report.pdf", "report.tex"]


def path_without_tex(folder):
    """A PATH with every program of this one but the TeX engines (links in ``folder``)."""
    folder.mkdir()
    for directory in [Path(sys.executable).parent, *map(Path, os.environ["PATH"].split(":"))]:
        for program in directory.glob("*") if directory.is_dir() else []:
            hidden = "tex" in program.name or "latex" in program.name
            if not hidden and not (folder / program.name).exists():
                (folder / program.name).symlink_to(program)
    return str(folder)


def test_missing_tex_engine_is_said_before_the_first_job(project, tmp_path):
    """The report will run but no TeX engine is found: a warning before any job starts
    (here the first job then fails on a bad source, long before the report)."""
    shutil.rmtree(project / "results", ignore_errors=True)  # what earlier tests left
    config = dataset_config(project, "./no/such/folder")
    out = fails_with(
        project,
        config,
        "warning: no TeX engine (latexmk or pdflatex) found, so the pdf_report job of mnist will "
        "fail once the rest has run; install it first: apt-get install latexmk",
        env={"PATH": path_without_tex(tmp_path / "bin")},
    )
    assert out.index("no TeX engine") < out.index("rule survey:")
    assert outputs(project) == []


def test_keep_going_ends_naming_the_failed_dataset_and_job(project, mnist_source):
    shutil.rmtree(project / "results", ignore_errors=True)  # what earlier tests left
    config = small_config(mnist_source, project / "hf_cache", limit=50)
    config["datasets"]["broken"] = {"source": "./no/such/folder"}
    configfile = write_config(project, config, "two.yaml")
    targets = ["results/mnist/survey.npz", "results/broken/survey.npz"]
    done = snakemake(
        project, *targets, "--keep-going", "--cores", "1", "--configfile", configfile, check=False
    )
    assert done.returncode != 0
    last = done.stdout.splitlines()[-8:]
    assert "failed: dataset broken, job survey; see logs/broken/survey.log" in last, last
    assert not [line for line in last if "dataset mnist" in line]
    assert outputs(project) == ["results/mnist/survey.npz"]
    shutil.rmtree(project / "results")  # the good one, complete


def descendants(pid):
    """PIDs of every process below ``pid`` (children, their children, ...)."""
    children = subprocess.run(
        ["pgrep", "-P", str(pid)], capture_output=True, text=True
    ).stdout.split()
    return [p for child in map(int, children) for p in (child, *descendants(child))]


def command_line(pid):
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:  # it has ended meanwhile
        return ""


def test_killed_training_leaves_nothing_and_rerun_completes(mnist_source, tmp_path):
    workdir = copy_project(tmp_path / "wf")
    config = small_config(mnist_source, tmp_path / "hf_cache", epochs=400)
    configfile = write_config(workdir, config)
    target = "results/mnist/seed0/embeddings.npy"
    run = subprocess.Popen(
        [sys.executable, "-m", "snakemake", target, "--cores", "2", "--configfile", configfile],
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log = workdir / "logs/mnist/seed0/train_autoencoder.log"
    deadline = time.monotonic() + 300
    while not (log.exists() and "epoch 3/" in log.read_text()):
        assert time.monotonic() < deadline and run.poll() is None, "training never started"
        time.sleep(0.05)
    # Only the training job this test started: a descendant of its Snakemake process.
    job = [pid for pid in descendants(run.pid) if "train_autoencoder.py" in command_line(pid)]
    assert job, "no training job process found"
    for pid in job:
        os.kill(pid, signal.SIGKILL)
    out, _ = run.communicate(timeout=120)
    assert run.returncode != 0
    model_dir = workdir / "results/mnist/seed0/model"
    assert not model_dir.exists() or not any(model_dir.iterdir()), list(model_dir.iterdir())
    # Back to a short run: the rerun completes with valid outputs.
    config["autoencoder"]["epochs"] = 2
    write_config(workdir, config)
    snakemake(workdir, target, "--cores", "2", "--rerun-incomplete", "--configfile", configfile)
    assert np.isfinite(np.load(workdir / target)).all()
