"""A folder of image files as a dataset: flat (unlabelled) or one level of class subfolders."""

import os
from pathlib import Path

import numpy as np

from .arrays import class_ids
from .errors import DatasetError
from .layout import DATA_SUFFIXES, IMAGE_SUFFIXES


def _entries(folder):
    """Sorted, non-hidden entries of ``folder``; DatasetError when it cannot be listed."""
    try:
        with os.scandir(folder) as it:
            return sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name)
    except OSError as err:
        raise DatasetError(f"cannot list folder {str(folder)!r}: {err.strerror or err}") from None


def _is_image(entry):
    return entry.name.lower().endswith(IMAGE_SUFFIXES) and entry.is_file()


def is_image_folder(source):
    """Whether a local ``source`` is a folder of image files rather than Hub layout
    (a folder with no .parquet or .arrow file anywhere and an image file at the top or
    one level down)."""
    path = Path(source).expanduser()
    if not path.is_dir():
        return False
    for _, _, files in os.walk(path):
        if any(f.lower().endswith(DATA_SUFFIXES) for f in files):
            return False
    for entry in _entries(path):
        if _is_image(entry):
            return True
        if entry.is_dir() and any(_is_image(e) for e in _entries(entry.path)):
            return True
    return False


def list_image_folder(root):
    """The image files of a folder and their class names.

    Returns ``(files, classes, ignored)``: paths relative to ``root`` (sorted by class, then
    name), the subfolder each lies in (None for a flat folder) and how many other files
    were passed over. Raises DatasetError for a folder with no images, one that mixes
    images and class subfolders at its top, and subfolders inside a class subfolder.
    """
    root = Path(root).expanduser()
    top = _entries(root)
    flat = [e.name for e in top if _is_image(e)]
    class_dirs = [e for e in top if e.is_dir()]
    ignored = sum(1 for e in top if e.is_file() and not _is_image(e))
    files, classes = [], []
    for folder in class_dirs:
        inside = _entries(folder.path)
        deeper = [e.name for e in inside if e.is_dir()]
        if deeper:
            raise DatasetError(
                f"image folder {str(root)!r} is deeper than expected: "
                f"{str(Path(folder.path) / deeper[0])!r} is a subfolder of the class folder "
                f"{folder.name!r}; expected images at the top (unlabelled) or in one level "
                "of subfolders named after their classes"
            )
        images = [e.name for e in inside if _is_image(e)]
        ignored += len(inside) - len(images)
        files += [f"{folder.name}/{name}" for name in images]
        classes += [folder.name] * len(images)
    if flat and files:
        raise DatasetError(
            f"image folder {str(root)!r} holds images at its top (e.g. {flat[0]!r}) and in "
            f"class subfolders (e.g. {files[0]!r}); put every image in a class subfolder, "
            "or all of them at the top for an unlabelled dataset"
        )
    if flat:
        return flat, None, ignored
    if not files:
        names = ", ".join(e.name + ("/" if e.is_dir() else "") for e in top[:10]) or "nothing"
        raise DatasetError(
            f"image folder {str(root)!r} holds no image files "
            f"({', '.join(IMAGE_SUFFIXES)}) at its top or in its subfolders; it holds: {names}"
        )
    return files, classes, ignored


class FolderSource:
    """The image files of a folder (see list_image_folder), in sorted order."""

    kind = "folder"

    def __init__(self, root, files, classes):
        self.root, self.files, self.classes = Path(root), files, classes

    def __len__(self):
        return len(self.files)

    @property
    def labelled(self):
        return self.classes is not None

    def items(self, start, stop):
        return [str(self.root / f) for f in self.files[start:stop]]

    def label_values(self, start, stop):
        return None if self.classes is None else np.array(self.classes[start:stop], dtype=str)

    def labels(self, values):
        return class_ids(np.asarray(values, dtype=object), None, "class folder")

    def describe(self, i):
        return f"file {str(self.root / self.files[i])!r}"
