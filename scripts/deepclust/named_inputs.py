"""A rule's inputs as a nested dict: Snakemake names inputs with flat keys, so the workflow
flattens the nest (``{"metrics": {"kmeans": [...]}}`` -> ``metrics__kmeans``) and the script
nests them again. Imports nothing: the workflow reads it at parse time."""

SEPARATOR = "__"


def flat(nest, prefix=""):
    """``{"a": {"b": x}, "c": y}`` -> ``{"a__b": x, "c": y}``; lists and strings are leaves,
    empty dicts leave nothing."""
    out = {}
    for key, value in nest.items():
        if SEPARATOR in key:
            raise ValueError(f"input name {key!r} holds the separator {SEPARATOR!r}")
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out |= flat(value, name + SEPARATOR)
        else:
            out[name] = value
    return out


def nested(items):
    """The inverse of ``flat``, from ``(name, value)`` pairs (e.g. ``snakemake.input.items()``),
    in their order."""
    out = {}
    for name, value in items:
        *parents, leaf = name.split(SEPARATOR)
        node = out
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    return out
