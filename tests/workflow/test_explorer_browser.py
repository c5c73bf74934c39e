"""The cluster explorer page in headless Chromium, built from synthetic arrays (no workflow
run): it loads from file:// with no network request and no console error, draws the points,
shows a point's image on hover, hides a cluster clicked in the legend (and shows a strip of
its images), and recolours the map when the selector changes.

The driver (tests/helpers/explorer_driver.js) acts through the page's DOM as a mouse would (pointer
events on the map and the legend, a change of the select element) and counts the map
canvas's pixels of each legend colour. Without chromium the test is skipped (fails in CI).
"""

import html
import json
import re
import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

from deepclust.explorer import describe, explorer_data, explorer_page, thumbnails
from deepclust.labels import NOISE
from workflow_runner import ROOT, require_tool

pytestmark = pytest.mark.browser

DRIVER = ROOT / "tests" / "helpers" / "explorer_driver.js"
SELECT_DRIVER = ROOT / "tests" / "helpers" / "explorer_select_driver.js"
# Runs first in <head>: console errors and uncaught exceptions, for the driver to report.
RECORD_ERRORS = """<script>
window.__errors = [];
const consoleError = console.error;
console.error = (...args) => {
  window.__errors.push(args.map(String).join(" "));
  consoleError(...args);
};
window.addEventListener("error", (event) => window.__errors.push(String(event.message)));
window.__dialogs = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = (...args) => window.__dialogs.push([name, ...args.map(String)]);
}
</script>"""
NO_NETWORK = "--host-resolver-rules=MAP * ~NOTFOUND"  # any request would fail, loudly


def build_page(folder, names):
    """``(path, data)``: a page of 2,000 of 3,000 images with ten spatial kmeans clusters,
    a dbscan of 25 clusters and noise (its legend sums the smallest), and true labels
    named ``names``."""
    rng = np.random.default_rng(0)
    n = 3000
    true = rng.integers(0, 10, n)
    clusterings = {
        "kmeans": true.copy(),
        "dbscan": np.where(rng.random(n) < 0.1, NOISE, rng.integers(0, 25, n)),
    }
    centres = np.stack([true % 4, true // 4], axis=1) * 4.0
    coords = (centres + rng.normal(size=(n, 2)) * 0.5).astype(np.float32)
    images = np.zeros((n, 28, 28), np.uint8)
    images[:, 6:22, 6:22] = (40 + 20 * true)[:, None, None]
    files = [f"img {i:05d}.png" for i in range(n)]
    for i in range(0, n, 97):  # names the CSV must quote
        files[i] = f'odd, "quoted"\tname {i}.png'
    data = explorer_data(np.arange(n), coords, clusterings, true, names, 2000, seed=0, names=files)
    text = explorer_page(
        data,
        thumbnails(images[data["index"]]),
        names[-1],
        describe(data, 0, "kmeans", "its seeds agree most"),
    )
    path = folder / "explorer.html"
    path.write_text(text, encoding="utf-8")
    return path, data


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    require_tool("chromium")
    return build_page(tmp_path_factory.mktemp("explorer"), [f"class {k}" for k in range(10)])


# Class names a folder or a label column could hold: markup, a script end, quotes, Bokeh's
# field marks, tabs and newlines, non-Latin letters.
XSS = "<img src=x onerror=alert(1)>"
HOSTILE_CLASSES = [
    XSS,
    "</script><script>alert(2)</script>",
    "\"'><svg onload=alert(3)>",
    "@index $x {safe} &amp; & a\tb",
    "漢字 ä\nline 2",
    *(f"class {k}" for k in range(5, 10)),
]


def chromium(*args, tmp_path):
    return subprocess.run(
        [
            shutil.which("chromium"),
            "--headless",
            "--no-sandbox",  # tests may run as root
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1300,1100",
            NO_NETWORK,
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )


def drive(page, tmp_path, second="dbscan", click=None, driver=None):
    """What the page showed after each of the driver's steps (by default explorer_driver.js)."""
    path, data = page
    colours = {name: [g[2] for g in groups] for name, groups in data["colourings"].items()}
    check = {"colours": colours, "first": "kmeans", "second": second, "click": click}
    text = path.read_text(encoding="utf-8")
    head = text.index("<head>") + len("<head>")
    end = text.rindex("</body>")
    driver = driver or DRIVER.read_text().replace("__CHECK__", json.dumps(check))
    driven = tmp_path / "driven.html"
    driven.write_text(
        f"{text[:head]}{RECORD_ERRORS}{text[head:end]}<script>{driver}</script>{text[end:]}",
        encoding="utf-8",
    )
    done = chromium("--virtual-time-budget=60000", "--dump-dom", driven.as_uri(), tmp_path=tmp_path)
    probes = re.findall(r'<pre id="probe">(.*?)</pre>', done.stdout, re.S)
    assert probes, f"the page never finished the driver's steps:\n{done.stderr[-3000:]}"
    steps = json.loads(html.unescape(probes[-1]))
    assert steps[0]["step"] != "driver failed", steps[0]
    return {s["step"]: s for s in steps}


@pytest.fixture(scope="module")
def steps(page, tmp_path_factory):
    return drive(page, tmp_path_factory.mktemp("driven"))


def test_page_loads_from_disk_with_no_request_and_no_error(steps):
    for step in steps.values():
        assert step["errors"] == [], step["errors"]
        assert step["resources"] == [], f"requested {step['resources']}"


def test_screenshot_shows_the_points(page, tmp_path):
    """A plain screenshot of the page (no driver): every kmeans colour is drawn in the map
    (its frame: below the heading and the selector, left of the legend)."""
    path, data = page
    shot = tmp_path / "shot.png"
    done = chromium(
        "--virtual-time-budget=20000", f"--screenshot={shot}", path.as_uri(), tmp_path=tmp_path
    )
    assert shot.is_file(), done.stderr[-3000:]
    pixels = np.asarray(Image.open(shot).convert("RGB")).astype(int)[170:850, 60:700]
    for _, where, colour in data["colourings"]["kmeans"]:
        rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
        drawn = np.all(np.abs(pixels - rgb) <= 3, axis=2).sum()
        assert drawn > 5 * len(where), f"{colour}: {drawn} pixels for {len(where)} points"


def test_each_group_is_drawn_in_its_colour(steps, page):
    counts = steps["loaded"]["counts"]
    assert len(counts) == 10 and min(counts) > 100, counts
    assert steps["loaded"]["select"] == ["kmeans"]
    assert len(steps["loaded"]["legend_items"]) == 10
    assert steps["loaded"]["legend_items"][0].endswith("shown)")


def test_hovering_a_point_shows_its_image_and_clusters(steps):
    hovered = steps["hovered"]
    assert hovered["tooltip_images"], "no image in a tooltip"
    image = hovered["tooltip_images"][0]
    assert image["src"] == "data:image/png;base64," and image["natural"] == 28
    (text,) = hovered["tooltip_text"]
    assert re.search(
        r"image \d+: img \d+\.png\nkmeans: \d+\ndbscan: (\d+|noise)\ntrue label: class \d", text
    )


def test_hiding_a_cluster_in_the_legend_hides_its_points_and_shows_its_images(steps):
    before, after = steps["loaded"]["counts"], steps["hidden"]["counts"]
    assert before[0] > 100 and after[0] == 0
    assert after[1:] == before[1:]  # the other clusters stay
    assert len(steps["hidden"]["strip_images"]) == 12
    assert "hidden" in steps["hidden"]["strip_text"][0]


def test_the_selector_changes_the_colours(steps, page):
    _, data = page
    switched = steps["switched"]
    assert switched["select"] == ["dbscan"]
    assert len(switched["legend_items"]) == len(data["colourings"]["dbscan"]) == 21
    assert switched["legend_items"][-1].startswith("noise: ")
    # Category20's light colours (odd places) appear when colouring by dbscan (before: only
    # a few antialiased edges come close to them)
    light, before = switched["second_counts"][1:19:2], steps["loaded"]["second_counts"][1:19:2]
    assert min(light) > 100 and sum(light) > 10 * sum(before), (light, before)
    assert switched["second_counts"][-1] > 100  # the noise, light grey


def test_a_class_named_like_markup_is_shown_as_text_and_runs_nothing(tmp_path):
    """Colour by the true label, click the legend entry of the class named
    <img src=x onerror=alert(1)>: the strip shows the name as text, no dialog opens, no
    element of any name is made; the tooltip template and the page title stay text too."""
    require_tool("chromium")
    page = build_page(tmp_path, HOSTILE_CLASSES)
    text = page[0].read_text(encoding="utf-8")
    assert not re.search("<img src=x|<script>alert|<svg onload", text)  # data stay data
    steps = drive(page, tmp_path, second="true label", click=XSS)
    for step in steps.values():
        assert step["errors"] == [], step["errors"]
    clicked = steps["clicked"]
    assert clicked["dialogs"] == [] and clicked["odd_images"] == []
    assert clicked["strip_bold"][0].startswith(f"{XSS}: ")
    assert any(item.startswith("</script><script>alert(2)") for item in clicked["legend_items"])


@pytest.fixture(scope="module")
def selected(page, tmp_path_factory):
    """The selection driver's steps: a download with nothing selected, a search for
    "QUOTED" (names holding a comma, quotes and a tab), a box drawn with the box-select tool;
    each step's status line and the CSV it downloaded (None: no download)."""
    driver = SELECT_DRIVER.read_text().replace("__QUERY__", json.dumps("QUOTED"))
    return drive(page, tmp_path_factory.mktemp("selected"), driver=driver)


def read_csv(text):
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text, newline="")))
    return rows[0], rows[1:]


def test_download_with_nothing_selected_says_so(selected):
    step = selected["nothing selected"]
    assert step["csv"] is None and "Nothing selected" in step["status"]
    assert step["errors"] == []


def test_search_selects_names_and_the_download_lists_them(selected, page):
    _, data = page
    step = selected["searched"]
    header, rows = read_csv(step["csv"])
    assert step["file"] == "selection.csv"
    assert header == ["row", "image", "kmeans", "dbscan", "true label"]
    shown = dict(zip(data["index"].tolist(), data["name"]))
    expected = sorted(i for i, name in shown.items() if "quoted" in name)
    assert len(expected) > 10 and [int(r[0]) for r in rows] == expected
    position = {i: p for p, i in enumerate(data["index"].tolist())}
    for row in rows:
        p = position[int(row[0])]
        assert row[1] == shown[int(row[0])]  # comma, quotes and tab intact
        assert row[2] == str(data["clusters"]["kmeans"][p])
        assert row[4] == data["class_names"][data["label"][p]]
    assert step["status"].strip() == f"downloaded {len(expected)} images as selection.csv"


def test_a_box_selects_exactly_the_points_inside_it(selected, page):
    _, data = page
    _, rows = read_csv(selected["boxed"]["csv"])
    chosen = np.isin(data["index"], [int(r[0]) for r in rows])
    assert 20 < chosen.sum() < len(chosen) // 2
    x, y = data["x"], data["y"]
    inside = (
        (x > x[chosen].min())
        & (x < x[chosen].max())
        & (y > y[chosen].min())
        & (y < y[chosen].max())
    )
    assert not (inside & ~chosen).any()  # no point within the box left out
