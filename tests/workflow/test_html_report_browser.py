"""Snakemake's HTML report (snakemake --report) of the small run, opened in headless Chromium
and clicked through like a reader: it loads, lists every category, shows the metrics and
summary as the files hold them and each figure as an image.

Chromium is the Debian package `chromium` (make setup installs it when root). Without it the
test is skipped, except in CI, where it fails.
"""

import base64
import html
import json
import re
import shutil
import struct
import subprocess

import pytest

from workflow_runner import ROOT, require_tool, snakemake

pytestmark = [pytest.mark.workflow, pytest.mark.browser]

DRIVER = ROOT / "tests" / "helpers" / "report_driver.js"
RULES = "\n".join(p.read_text() for p in sorted((ROOT / "workflow" / "rules").glob("*.smk")))
CATEGORIES = sorted(set(re.findall(r'(?<!sub)category="([^"]+)"', RULES)))


@pytest.fixture(scope="session")
def chromium():
    """Checked before the small run is made: a skip (outside CI) should cost nothing."""
    require_tool("chromium")


@pytest.fixture(scope="module")
def report(chromium, small_run, tmp_path_factory):
    """``(report.html, run folder)``: the HTML report built from the finished small run."""
    workdir = small_run[0]
    path = tmp_path_factory.mktemp("html_report") / "report.html"
    snakemake(workdir, "--report", str(path), "--configfile", "test_config.yaml")
    return path, workdir


def open_in_chromium(report, steps, tmp_path):
    """What the page showed on load and after each of ``steps`` (see report_driver.js)."""
    page = report.read_text()
    driver = DRIVER.read_text().replace("__STEPS__", json.dumps(steps))
    end = page.rindex("</body>")
    driven = tmp_path / "driven.html"
    driven.write_text(f"{page[:end]}<script>{driver}</script>{page[end:]}")
    done = subprocess.run(
        [
            shutil.which("chromium"),
            "--headless",
            "--no-sandbox",  # tests may run as root
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=60000",
            "--dump-dom",
            driven.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    probes = re.findall(r'<pre id="probe">(.*?)</pre>', done.stdout, re.S)
    assert probes, f"the page never finished the driver's steps:\n{done.stderr[-3000:]}"
    return json.loads(html.unescape(probes[-1]))


def decoded(href):
    """The bytes of a ``data:...;base64,`` link."""
    return base64.b64decode(href.split(";base64,", 1)[1])


def shown_file(text, workdir):
    """The result file whose path the info view shows."""
    found = [line.strip() for line in text.splitlines() if line.strip().startswith("results/")]
    assert len(found) == 1 and (workdir / found[0]).is_file(), text
    return workdir / found[0]


def png_width(path):
    return struct.unpack(">I", path.read_bytes()[16:20])[0]


def test_report_loads_and_lists_every_category(report, tmp_path):
    (loaded,) = open_in_chromium(report[0], [], tmp_path)
    text = loaded["text"]
    assert "Snakemake" in text and "Loading Snakemake Report" not in text
    for category in CATEGORIES:
        assert category in text, f"{category!r} not in the menu:\n{text}"
    assert "autoencoder is trained on the images" in text  # workflow/report/workflow.rst


def test_metrics_and_summary_are_the_files_of_the_run(report, tmp_path):
    path, workdir = report
    loaded, metrics = open_in_chromium(path, ["Metrics"], tmp_path)
    assert metrics["found"] and "kmeans" in metrics["text"] and "dbscan" in metrics["text"]
    files = {d["name"]: [] for d in metrics["downloads"]}
    for link in metrics["downloads"]:
        files[link["name"]].append(decoded(link["href"]))
    on_disk = sorted((workdir / "results/mnist").rglob("metrics.json"))
    assert len(on_disk) == 2 and sorted(files["metrics.json"]) == sorted(
        p.read_bytes() for p in on_disk
    )
    accuracies = {
        json.loads(m)["algorithm"]: json.loads(m)["accuracy"] for m in files["metrics.json"]
    }
    assert set(accuracies) == {"kmeans", "dbscan"} and all(0 <= a <= 1 for a in accuracies.values())
    assert files["summary.tsv"] == [(workdir / "results/mnist/summary.tsv").read_bytes()]


@pytest.mark.parametrize("category", [c for c in CATEGORIES if c != "Metrics"])
def test_each_category_shows_its_first_result(report, category, tmp_path):
    """The first entry of the category opens in the page: a figure as the very PNG the run
    wrote, the PDF report and the cluster explorer (HTML) in a frame; its info names the file."""
    path, workdir = report
    loaded, listed, info, view = open_in_chromium(path, [category, "<info>", "<view>"], tmp_path)
    assert listed["found"] and listed["rows"] >= 1, listed["text"]
    assert info["found"], info["text"]
    shown = shown_file(info["text"], workdir)
    assert view["found"], f"{shown.name}: no in-page view"
    if shown.suffix == ".png":
        assert view["png_width"] == png_width(shown), shown.name
    else:
        framed = {".pdf": "data:application/pdf", ".html": "data:text/html"}
        assert shown.suffix in framed and view["iframe"].startswith(framed[shown.suffix])
