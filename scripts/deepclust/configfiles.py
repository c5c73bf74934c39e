"""The config files layered with ``make run CONFIG=...`` (and ``make dag``), checked before
Snakemake reads them: each must exist and hold a YAML mapping, and the error names the
file (plain Snakemake does not, or prints a traceback). An empty file changes nothing, so
it is left out (Snakemake would reject it).

Run as a script: prints the files to pass to ``--configfile``, or ``error: ...`` and exits 1.
"""

import sys
from pathlib import Path


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


if __name__ == "__main__":
    try:
        print(" ".join(config_files(sys.argv[1:])))
    except ConfigFileError as err:
        sys.exit(f"error: {err}")
