"""The documentation holds together: every relative link in a Markdown file resolves, the
README stays short, and the workflow catalog's file says what the catalog reads."""

import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {"results", "logs", "benchmarks", "node_modules"}  # outputs, not docs
README_MAX_LINES = 120
# [text](target) and ![alt](target); the target ends at whitespace or ")"
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
INLINE_CODE = re.compile(r"`[^`\n]*`")


def markdown_files():
    return sorted(
        path
        for path in ROOT.rglob("*.md")
        if not any(
            part.startswith(".") or part in SKIP_DIRS for part in path.relative_to(ROOT).parts
        )
    )


def relative_links(text):
    """Link targets outside code, without URLs and pure anchors, fragment cut off."""
    text = INLINE_CODE.sub("", FENCE.sub("", text))
    for target in LINK.findall(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("#"):
            continue
        yield target.split("#", 1)[0]


def test_links_are_parsed_outside_code_only():
    text = (
        "See [a](docs/a.md#part), ![fig](f.png), [web](https://x.org), [top](#top).\n"
        "`[not](inline.md)`\n```\n[not](fenced.md)\n```\n"
    )
    assert list(relative_links(text)) == ["docs/a.md", "f.png"]


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(path):
    missing = [
        target
        for target in relative_links(path.read_text(encoding="utf-8"))
        if not (path.parent / target).exists()
    ]
    assert not missing, f"{path.relative_to(ROOT)} links to missing files: {missing}"


def test_the_documents_the_readme_promises_exist():
    links = set(relative_links((ROOT / "README.md").read_text(encoding="utf-8")))
    for doc in (
        "config/README.md",
        "docs/outputs.md",
        "docs/benchmarks.md",
        "profiles/README.md",
        "docs/scaling.md",
        "docs/reliability.md",
        "CHANGELOG.md",
        "LICENSE",
    ):
        assert doc in links, f"README.md does not link {doc}"


def test_readme_is_short():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, (
        f"README.md has {len(lines)} lines (at most {README_MAX_LINES}); "
        "move the details into docs/"
    )


def test_catalog_file_says_how_to_run_the_workflow():
    settings = yaml.safe_load((ROOT / ".snakemake-workflow-catalog.yml").read_text())
    usage = settings["usage"]
    assert "top-level `Snakefile`" in usage["mandatory-flags"]["desc"]
    deployment = usage["software-stack-deployment"]
    assert set(deployment) <= {"conda", "apptainer", "apptainer+conda"}
    assert any(deployment.values())
    envs = {p.name for p in (ROOT / "envs").glob("*.yaml")}
    assert deployment["conda"] == bool(envs)
    assert usage["report"] is True


def test_architecture_names_every_library_module_in_its_layer():
    """docs/architecture.md and its figure (docs/make_architecture_figure.py) cover every
    module and package of scripts/deepclust/, each in the layer its imports give it, and
    every module of a package in that package's paragraph."""
    sys.path.insert(0, str(ROOT / "docs"))
    import make_architecture_figure as figure

    graph, packages = figure.graphs()
    layer = figure.layers(graph)
    text = (ROOT / "docs" / "architecture.md").read_text()
    svg = (ROOT / "docs" / "figures" / "library_layers.svg").read_text()
    for name, depth in layer.items():
        assert all(layer[m] < depth for m in graph[name])  # imports only go down
        bullet = next(line for line in text.splitlines() if line.startswith(f"- **Layer {depth}"))
        paragraph = text[text.index(bullet) :].split("\n- ")[0]
        assert f"`{name}`" in paragraph, f"architecture.md: {name} is not under layer {depth}"
        assert f"<title>{name}</title>" in svg, f"library_layers.svg lacks {name}: rerun the script"
    assert set(packages) == {"cluster", "sources"}
    for package, inside in packages.items():
        inner = figure.layers(inside)  # no cycle inside a package either
        assert all(inner[m] < inner[key] for key in inside for m in inside[key])
        paragraph = text[text.index(f"- **`{package}/`**") :].split("\n- ")[0]
        for key in inside:
            short = key.split(".")[-1] if key != package else "__init__"
            assert f"`{short}`" in paragraph, f"architecture.md: {key} is not under {package}/"
            assert key == package or short in svg, f"library_layers.svg lacks {key}: rerun it"
