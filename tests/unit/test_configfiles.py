"""The config files of make run / make dag (CONFIG=...): checked before Snakemake reads them,
the error naming the file; an empty one changes nothing."""

import re
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml

from deepclust.configfiles import ConfigFileError, command, config_files, settings_in
from image_folders import HOSTILE, nothing_ran
from workflow_runner import ROOT


@pytest.fixture
def files(tmp_path):
    texts = {
        "good.yaml": "seeds: [0, 1]\n",
        "empty.yaml": "",
        "comments.yaml": "# nothing set yet\n",
        "prose.yaml": "Use the quality preset with three seeds.\n",
        "list.yaml": "- seeds\n- 3\n",
        "broken.yaml": "autoencoder: {epochs: 3\n",
    }
    for name, text in texts.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_empty_files_are_left_out_and_the_rest_kept_in_order(files):
    paths = [files / n for n in ("empty.yaml", "good.yaml", "comments.yaml")]
    assert config_files(paths) == [str(files / "good.yaml")]
    assert settings_in(files / "good.yaml") == {"seeds": [0, 1]}
    assert settings_in(files / "empty.yaml") is None


@pytest.mark.parametrize(
    "name, message",
    [
        ("prose.yaml", "holds plain text, not settings: expected keys at its top level"),
        ("list.yaml", "holds a list, not settings"),
        ("broken.yaml", "is not valid YAML (line 2): expected ',' or '}'"),
        ("missing.yaml", "does not exist"),
        (".", "is a folder, not a file"),
    ],
)
def test_a_bad_config_file_is_named(files, name, message):
    with pytest.raises(ConfigFileError) as failed:
        config_files([files / "good.yaml", files / name])
    assert str(failed.value).startswith(f"config file '{files / name}' {message}")


def make(*args):
    """``make -s *args`` in the project, its setup taken as done (-o): nothing is installed."""
    return subprocess.run(
        ["make", "-s", "--no-print-directory", "-o", ".venv/.installed", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_make_config_files_checks_and_leaves_out_empty_ones(files):
    done = make("config-files", f"CONFIG={files / 'empty.yaml'} {files / 'good.yaml'}")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"--configfile {files / 'good.yaml'}\n"
    done = make("config-files", f"CONFIG={files / 'empty.yaml'}")
    assert done.returncode == 0 and done.stdout == "\n"  # no --configfile at all


@pytest.mark.parametrize("target", ["run", "dag"])
def test_make_run_and_dag_stop_at_a_bad_config_file_naming_it(files, target):
    """Before any setup or job: nothing is installed, nothing is written."""
    done = make(target, f"CONFIG={files / 'good.yaml'} {files / 'prose.yaml'}")
    assert done.returncode != 0
    assert f"error: config file '{files / 'prose.yaml'}' holds plain text" in done.stderr
    assert "snakemake" not in done.stdout + done.stderr  # set -x would show it run
    done = make(target, f"CONFIG={files / 'missing.yaml'}")
    assert done.returncode != 0
    assert f"error: config file '{files / 'missing.yaml'}' does not exist" in done.stderr


def test_make_source_config_takes_a_folder_name_as_it_is(tmp_path):
    folder = tmp_path / HOSTILE
    (folder / "class_a").mkdir(parents=True)
    out = tmp_path / "out $HOME.yaml"
    done = make("source-config", f"SOURCE={folder}", f"SOURCE_CONFIG={out}")
    assert done.returncode == 0, done.stderr
    datasets = yaml.safe_load(out.read_text())["datasets"]
    assert datasets.pop("mnist") == {"enabled": False}
    [(name, entry)] = datasets.items()
    assert entry == {"source": str(folder)} and re.fullmatch(r"[A-Za-z0-9_.-]+", name)
    assert nothing_ran(tmp_path, ROOT, Path.cwd())


def test_make_hands_config_args_and_cores_over_unexpanded(tmp_path):
    files = [tmp_path / "a $HOME `touch PWNED4`.yaml", tmp_path / "b\tc.yaml"]
    for f in files:
        f.write_text("seeds: [0]\n")
    config = " ".join(shlex.quote(str(f)) for f in files)
    done = make("config-files", f"CONFIG={config}")
    assert done.returncode == 0, done.stderr
    assert shlex.split(done.stdout) == ["--configfile", *map(str, files)]
    # make -n prints the recipes without running them; nothing of the values may run either
    done = make(
        "-n", "run", f"SOURCE={tmp_path / HOSTILE}", f"CONFIG={config}", "ARGS=-n $(touch PWNED5)"
    )
    assert done.returncode == 0, done.stderr
    assert "$DEEPCLUST_CORES" in done.stdout and "PWNED" not in done.stdout
    assert nothing_ran(tmp_path, ROOT)


def test_make_args_are_split_like_shell_words_and_not_expanded():
    env = {"DEEPCLUST_ARGS": "-k 'not slow' $HOME `x`", "DEEPCLUST_CONFIG": ""}
    assert command(["--args", "pytest"], env) == (
        False,
        ["pytest", "-k", "not slow", "$HOME", "`x`"],
    )
    with pytest.raises(ConfigFileError, match="ARGS: No closing quotation"):
        command(["--args", "pytest"], {"DEEPCLUST_ARGS": "-k 'open"})


def test_make_snakemake_checks_each_configfile_of_args(files):
    good, empty, prose = (str(files / n) for n in ("good.yaml", "empty.yaml", "prose.yaml"))
    env = {"DEEPCLUST_ARGS": f"-n --configfile {good} {empty} --cores 1 --configfiles {empty}"}
    assert command(["--check-args", "snakemake"], env)[1] == [
        "snakemake",
        "-n",
        "--configfile",
        good,
        "--cores",
        "1",
    ]
    done = make("snakemake", f"ARGS=-n --configfile {good} {prose}")
    assert done.returncode != 0 and "bin/snakemake" not in done.stdout + done.stderr  # not run
    assert f"error: config file '{prose}' holds plain text" in done.stderr
    done = make("snakemake", f"ARGS=-n --configfile {files / 'missing.yaml'}")
    assert f"error: config file '{files / 'missing.yaml'}' does not exist" in done.stderr
    assert "Traceback" not in done.stderr
