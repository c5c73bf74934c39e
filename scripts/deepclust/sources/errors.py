"""The error every reader of a source raises. Imports nothing: a module that only raises it
(or a check that catches it) pulls in no reader."""


class DatasetError(ValueError):
    """The dataset source, its splits, columns or images are not usable."""
