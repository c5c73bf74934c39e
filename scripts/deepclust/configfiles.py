"""The config files layered with ``make run CONFIG=...`` (and ``make dag``), checked before
Snakemake reads them: each must exist and hold a YAML mapping, and the error names the
file (plain Snakemake does not, or prints a traceback). An empty file changes nothing, so
it is left out (Snakemake would reject it).

Run as a script by the Makefile, which hands over SOURCE, SOURCE_CONFIG, CONFIG and ARGS in
environment variables (never in the text of a shell command, so no character of a folder
name is expanded or run): ``--print`` prints the ``--configfile`` argument; ``CMD...``
runs CMD with the words of ARGS (with ``--args``; ``shlex``: quotes group, nothing is
expanded) and ``--configfile FILES`` (with ``--configfiles``) added. A bad file: ``error:
...`` and exit 1.
"""

import os
import shlex
import sys
from pathlib import Path

OWN_IMAGES = "config/presets/own-images.yaml"


class ConfigFileError(ValueError):
    pass


def settings_in(path):
    """The mapping in config file ``path``, or ``None`` when it is empty (or only comments)."""
    import yaml

    path = Path(path)
    if not path.exists():
        raise ConfigFileError(f"config file '{path}' does not exist")
    if path.is_dir():
        raise ConfigFileError(f"config file '{path}' is a folder, not a file")
    try:
        settings = yaml.safe_load(path.read_text())
    except yaml.YAMLError as err:
        where = getattr(err, "problem_mark", None)
        line = f" (line {where.line + 1})" if where else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ConfigFileError(f"config file '{path}' is not valid YAML{line}: {problem}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigFileError(f"config file '{path}' cannot be read: {err}") from None
    if settings is not None and not isinstance(settings, dict):
        what = {"str": "plain text", "list": "a list"}.get(type(settings).__name__, "a value")
        raise ConfigFileError(
            f"config file '{path}' holds {what}, not settings: expected "
            "keys at its top level, e.g. 'seeds: [0, 1]' or 'autoencoder: {epochs: 20}'"
        )
    return settings


def config_files(paths):
    """The files of ``paths`` that change something, in order: every one checked
    (:func:`settings_in`), the empty ones left out."""
    return [str(p) for p in paths if settings_in(p) is not None]


def words(name, env):
    """The words of environment variable ``name`` (a list in shell syntax, not expanded)."""
    try:
        return shlex.split(env.get(name, ""))
    except ValueError as err:
        raise ConfigFileError(f"{name.removeprefix('DEEPCLUST_')}: {err}") from None


def make_files(env):
    """The config files of a make target: with SOURCE, the own-images preset and the
    folder's config file; then each file of CONFIG."""
    source = [OWN_IMAGES, env["DEEPCLUST_SOURCE_CONFIG"]] if env.get("DEEPCLUST_SOURCE") else []
    return source + words("DEEPCLUST_CONFIG", env)


def checked_args(words):
    """Snakemake's arguments ``words`` with the files after each ``--configfile`` (or
    ``--configfiles``) checked (:func:`settings_in`) and the empty ones left out, as
    ``make snakemake ARGS=...`` passes them: plain Snakemake names no file."""
    out, in_files = [], False
    for word in words:
        if word in ("--configfile", "--configfiles"):
            in_files = True
        elif word.startswith("-"):
            in_files = False
        elif in_files and settings_in(word) is None:
            continue
        out.append(word)
    return [
        w
        for i, w in enumerate(out)
        if not (w.startswith("--configfile") and (i + 1 == len(out) or out[i + 1].startswith("-")))
    ]


def command(argv, env):
    """``(print_only, argv)`` of ``configfiles.py [--print] [--configfiles] [--args]
    [--check-args] CMD...``."""
    options = {"--print", "--configfiles", "--args", "--check-args"}
    flags = set()
    while argv and argv[0] in options:
        flags.add(argv.pop(0))
    files = config_files(make_files(env)) if flags & {"--print", "--configfiles"} else []
    config = ["--configfile", *files] if files else []
    args = words("DEEPCLUST_ARGS", env) if flags & {"--args", "--check-args"} else []
    args = checked_args(args) if "--check-args" in flags else args
    return "--print" in flags, [*argv, *args, *config]  # --configfile takes all words after it


if __name__ == "__main__":
    try:
        print_only, argv = command(sys.argv[1:], os.environ)
    except ConfigFileError as err:
        sys.exit(f"error: {err}")
    if print_only:
        print(shlex.join(argv))
    else:
        print("+", shlex.join(argv), file=sys.stderr, flush=True)
        os.execvp(argv[0], argv)
