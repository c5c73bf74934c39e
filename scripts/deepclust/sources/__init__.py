"""Reading a dataset's images, whatever their source: Hugging Face Hub layout (``hub``) or a
folder of image files (``folder``), opened by ``open``; the survey of their headers
(``survey``); decoding them, fitted to one size, into an ``.npy`` file (``decode``, with the
single images in ``images``); the light helpers on the arrays (``arrays``); and the error
every reader raises (``errors``). Imports go one way: errors and layout <- arrays <- hub,
folder <- open <- decode; images <- survey <- decode.

Importing this package imports only ``DatasetError``; the other public names are imported
on first use (PEP 562).
"""

import importlib

from .errors import DatasetError

# Name -> the module defining it, imported when the name is first used.
_LAZY = {
    "class_ids": ".arrays",
    "fingerprint": ".arrays",
    "shard_bounds": ".arrays",
    "HubSource": ".hub",
    "open_splits": ".hub",
    "FolderSource": ".folder",
    "is_image_folder": ".folder",
    "list_image_folder": ".folder",
    "scan_folder": ".folder",
    "split_folders": ".folder",
    "open_source": ".open",
    "choose_target": ".survey",
    "load_survey": ".survey",
    "size_counts": ".survey",
    "drop_rows": ".decode",
    "load_image_dataset": ".decode",
    "skipped_rows": ".decode",
    "skipped_table": ".decode",
    "write_fitted": ".decode",
}

__all__ = ["DatasetError", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
