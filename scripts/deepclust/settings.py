"""Validated settings objects built from a rule's params.

A rule hands its script a dict of settings (its ``params``); the script turns it into a
frozen dataclass once, with :meth:`Settings.from_params`, and the library receives that
object. Every check names the key it rejects.
"""

from dataclasses import fields

import numpy as np


class Settings:
    """Base of the settings dataclasses: building one from a dict of params."""

    @classmethod
    def from_params(cls, params):
        """The settings in ``params``, a dict with exactly the dataclass's fields as keys.

        Raises
        ------
        ValueError
            Naming the first unknown or missing key, or (from the dataclass's own checks)
            the first value out of range.
        """
        names = [field.name for field in fields(cls)]
        unknown = sorted(set(params) - set(names))
        if unknown:
            raise ValueError(f"{cls.__name__}: unknown setting {unknown[0]!r}; known: {names}")
        missing = [name for name in names if name not in params]
        if missing:
            raise ValueError(f"{cls.__name__}: missing setting {missing[0]!r}")
        return cls(**{name: params[name] for name in names})


def check_integer(name, value, minimum):
    """Raise ValueError unless ``value`` is an integer (not a bool) of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def check_number(name, value, minimum, *, above=False, maximum=None):
    """Raise ValueError unless ``value`` is a number ``>= minimum`` (``> minimum`` when
    ``above``) and, when given, ``<= maximum``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if (value <= minimum) if above else (value < minimum):
        raise ValueError(f"{name} must be {'>' if above else '>='} {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")


def check_choice(name, value, choices):
    """Raise ValueError unless ``value`` is one of ``choices``."""
    if value not in list(choices):
        raise ValueError(f"{name} must be one of {sorted(choices)}, got {value!r}")


def check_flag(name, value):
    """Raise ValueError unless ``value`` is True or False."""
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false, got {value!r}")
