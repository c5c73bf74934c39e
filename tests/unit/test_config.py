"""The configuration: every default in the schema only, its reference config/README.md
up to date, config.yaml and the presets naming only what they change."""

import re
import sys

import jsonschema
import pytest
import yaml

from config_defaults import PLACEHOLDER, ROOT, SCHEMA, default_config, filled, layered

sys.path.insert(0, str(ROOT / "docs"))
import make_config_reference as config_reference

PRESETS = sorted((ROOT / "config" / "presets").glob("*.yaml"))


def schema():
    return yaml.safe_load(SCHEMA.read_text())


def settings(spec, path=""):
    """``(dotted path, spec)`` of every setting in the schema, sections included; a
    dataset entry's settings under ``datasets.<name>``."""
    for key, sub in spec.get("properties", {}).items():
        yield f"{path}{key}", sub
        yield from settings(sub, f"{path}{key}.")
    entry = spec.get("additionalProperties")
    if isinstance(entry, dict):
        yield f"{path}<name>", entry
        yield from settings(entry, f"{path}<name>.")


def leaves(config, path=""):
    """``(dotted path, value)`` of every non-mapping value in a config dict."""
    for key, value in config.items():
        if isinstance(value, dict):
            yield from leaves(value, f"{path}{key}.")
        else:
            yield f"{path}{key}", value


def spec_at(dotted):
    """The schema of the setting at a dotted path (a dataset's name matches any entry)."""
    return config_reference.spec_at(schema(), dotted)


def test_config_readme_is_generated_from_the_schema_and_presets():
    readme = ROOT / "config" / "README.md"
    assert readme.read_text() == config_reference.render(), (
        "config/README.md is out of date: run make config-docs"
    )


def test_every_setting_has_a_description():
    missing = [path for path, spec in settings(schema()) if not spec.get("description")]
    assert not missing, f"settings without a description in the schema: {missing}"


def test_validation_fills_in_every_default_nested_ones_too():
    config = default_config()
    jsonschema.Draft202012Validator(schema()).validate(config)  # the defaults are valid
    for path, spec in settings(schema()):
        if "default" not in spec:
            continue
        node = config
        for key in path.replace("<name>", "example").split("."):
            assert key in node, f"{path} is not filled in"
            node = node[key]
        if spec.get("type") != "object":
            assert node == spec["default"], path
    assert PLACEHOLDER == {"datasets": {"example": {"source": "example"}}}  # left unchanged


def test_an_almost_empty_config_is_a_whole_one():
    config = filled({"datasets": {"a": {"source": "a"}, "b": {"source": "b", "limit": 5}}})
    defaults = default_config()
    entry = defaults["datasets"].pop("example")
    assert config["datasets"] == {
        "a": entry | {"source": "a"},
        "b": entry | {"source": "b", "limit": 5},
    }
    assert entry["limit"] != 5
    assert {k: v for k, v in config.items() if k != "datasets"} == {
        k: v for k, v in defaults.items() if k != "datasets"
    }


def test_config_yaml_restates_no_default():
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    restated = [
        path
        for path, value in leaves(config)
        if "default" in spec_at(path) and spec_at(path)["default"] == value
    ]
    assert not restated, f"config.yaml restates the schema's defaults of {restated}"


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.stem)
def test_a_preset_names_only_what_it_changes_each_with_why(preset):
    header, named = config_reference.preset_lines(preset)
    assert header, f"{preset.name} starts with no comment saying what it is for"
    values = dict(leaves(yaml.safe_load(preset.read_text())))
    assert [path for path, _ in named] == list(values), "the line reader missed a setting"
    assert not [path for path, why in named if not why], "a setting without its # why"
    unchanged = [
        path
        for path, value in values.items()
        if "default" in spec_at(path) and spec_at(path)["default"] == value
    ]
    assert not unchanged, f"{preset.name} restates the defaults of {unchanged}"
    layered(preset)  # and it is valid over config.yaml


def test_the_code_reads_settings_with_no_fallback_defaults():
    """Rules, rule scripts and the library read validated settings as ``settings["key"]``:
    a ``.get`` on them would be a second home for a default."""
    fallback = re.compile(r"(\b(params|settings|config|guard)|config\[[^]]+\])\.get\(")
    code = [
        *(ROOT / "scripts").rglob("*.py"),
        *(ROOT / "workflow" / "rules").glob("*.smk"),
        ROOT / "Snakefile",
    ]
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted(code)
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if fallback.search(line)
    ]
    assert not found, "\n".join(found)
