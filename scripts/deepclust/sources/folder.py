"""A folder of image files as a dataset: flat (unlabelled), one level of class subfolders,
or the Hub's split layout (split subfolders, each flat or with class subfolders).

The layout rule: a folder is in split layout when it has no image at its top and every
subfolder at its top is named like a split (SPLIT_NAMES, any case); otherwise its
subfolders are classes. So a class called ``train`` is a class as long as one other class
is not named like a split."""

import os
from pathlib import Path

import numpy as np

from .arrays import class_ids
from .errors import DatasetError
from .layout import DATA_SUFFIXES, IMAGE_SUFFIXES

# Folder name -> the split the datasets library names it (its SPLIT_KEYWORDS).
SPLIT_NAMES = {
    "train": "train",
    "training": "train",
    "validation": "validation",
    "valid": "validation",
    "val": "validation",
    "dev": "validation",
    "test": "test",
    "testing": "test",
    "eval": "test",
    "evaluation": "test",
}
LAYOUT_DEPTH = 2  # folders a layout may have above its images (split, class)


def _entries(folder):
    """Sorted, non-hidden entries of ``folder``; DatasetError when it cannot be listed."""
    try:
        with os.scandir(folder) as it:
            return sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name)
    except OSError as err:
        raise DatasetError(f"cannot list folder {str(folder)!r}: {err.strerror or err}") from None


def _is_image(entry):
    return entry.name.lower().endswith(IMAGE_SUFFIXES) and entry.is_file()


def scan_folder(source):
    """One walk of a local folder: ``{relative folder ("" for the top, "train/",
    "train/cat/"): its entries}``, hidden ones skipped; None when ``source`` is not a
    folder or holds a .parquet or .arrow file (Hub layout). Symbolic links to folders
    are followed down to the depth of a layout only, so a link loop ends."""
    root = Path(source).expanduser()
    if not root.is_dir():
        return None
    tree, todo = {}, [(str(root), "", 0)]
    while todo:
        path, rel, depth = todo.pop()
        entries = tree[rel] = _entries(path)
        for e in entries:
            if e.name.lower().endswith(DATA_SUFFIXES) and e.is_file():
                return None
            if e.is_dir() and (depth < LAYOUT_DEPTH or not e.is_symlink()):
                todo.append((e.path, f"{rel}{e.name}/", depth + 1))
    return tree


def is_image_folder(source, tree=None):
    """Whether a local ``source`` is a folder of image files rather than Hub layout (no
    .parquet or .arrow file anywhere, and an image file somewhere)."""
    tree = scan_folder(source) if tree is None else tree
    return tree is not None and any(_is_image(e) for entries in tree.values() for e in entries)


def split_folders(tree):
    """``{folder name: split name}`` of a folder in split layout (see the module's rule),
    None for any other layout."""
    top = tree[""]
    folders = [e.name for e in top if e.is_dir()]
    if not folders or any(_is_image(e) for e in top):
        return None
    if not all(name.lower() in SPLIT_NAMES for name in folders):
        return None
    return {name: SPLIT_NAMES[name.lower()] for name in folders}


def _choose(root, present, split):
    """The folder of ``present`` ({folder: split}) that the requested ``split`` names: its
    own name, in any case, else the same split by the datasets library's names (validation
    or val finds dev/)."""
    low = split.lower()
    found = (
        [f for f in present if f == split]
        or [f for f in present if f.lower() == low]
        or [f for f in present if present[f] == SPLIT_NAMES.get(low, low)]
    )
    if len(found) == 1:
        return found[0]
    listed = ", ".join(f"{f}/ ({present[f]})" for f in present)
    if found:
        raise DatasetError(
            f"split {split!r} of image folder {root!r} could be any of the folders "
            f"{', '.join(found)}; name one of them in splits"
        )
    raise DatasetError(
        f"split {split!r} not in image folder {root!r} (no subfolder {split}/); "
        f"its split subfolders: {listed}; choose among them with splits"
    )


def _holds(tree, folder, most=10):
    """``"notes.txt, sub/"``: what ``folder`` ("" for the top) of a scanned tree holds."""
    entries = tree[f"{folder}/" if folder else ""]
    names = ", ".join(e.name + ("/" if e.is_dir() else "") for e in entries[:most])
    return (names + (", ..." if len(entries) > most else "")) or "nothing"


def _list_level(root, tree, rel):
    """``(files, classes, ignored)`` of the folder ``rel`` of ``tree``: flat (classes
    None) or one level of class subfolders, as list_image_folder describes."""
    top = tree[rel]
    flat = [rel + e.name for e in top if _is_image(e)]
    ignored = sum(1 for e in top if e.is_file() and not _is_image(e))
    files, classes = [], []
    for folder in (e for e in top if e.is_dir()):
        inside = tree.get(f"{rel}{folder.name}/")
        inside = _entries(folder.path) if inside is None else inside
        deeper = [e.name for e in inside if e.is_dir()]
        if deeper:
            raise DatasetError(
                f"image folder {root!r} is deeper than expected: "
                f"{str(Path(root, rel, folder.name, deeper[0]))!r} is a subfolder of the "
                f"class folder {folder.name!r}; expected images at the top (unlabelled), in "
                "one level of subfolders named after their classes, or in split subfolders "
                "(train/, test/, validation/, ...) holding either, with no other folder at "
                "the top"
            )
        images = [e.name for e in inside if _is_image(e)]
        ignored += len(inside) - len(images)
        files += [f"{rel}{folder.name}/{name}" for name in images]
        classes += [folder.name] * len(images)
    if flat and files:
        where = f"the top of {rel}" if rel else "its top"
        raise DatasetError(
            f"image folder {root!r} holds images at {where} (e.g. "
            f"{flat[0]!r}) and in class subfolders (e.g. {files[0]!r}); put every image in a "
            "class subfolder, or all of them at the top for an unlabelled dataset"
        )
    return (flat, None, ignored) if flat else (files, classes if files else None, ignored)


def list_image_folder(root, splits=None, tree=None):
    """The image files of a folder and their class names.

    Returns ``(files, classes, ignored)``: paths relative to ``root`` (``cat/1.png``,
    or ``train/cat/1.png`` in split layout; sorted by split in the order of ``splits``,
    then class, then name), the class subfolder each lies in (None when unlabelled) and
    how many other files were passed over. ``splits`` names the split subfolders to read
    (None: ``["train"]``); a folder not in split layout has none. ``tree`` is its
    scan_folder. Raises DatasetError for a folder with no images, one that mixes images
    and class subfolders, subfolders inside a class subfolder, a missing split, and
    splits of which some are labelled and some not.
    """
    root = Path(root).expanduser()
    tree = scan_folder(root) if tree is None else tree
    if tree is None:
        _entries(root)  # names a folder that cannot be listed
        raise DatasetError(f"{str(root)!r} is not a folder of image files")
    present = split_folders(tree)
    if present is None:
        if splits not in (None, ["train"]):
            raise DatasetError(
                f"dataset source {str(root)!r} is a folder of image files without split "
                f"subfolders (train/, test/, validation/, ...), which has no splits; remove "
                f"splits ({splits}) from its entry"
            )
        parts = [("", *_list_level(str(root), tree, ""))]
    else:
        chosen = [_choose(str(root), present, s) for s in splits or ["train"]]
        twice = sorted({f for f in chosen if chosen.count(f) > 1})
        if twice:
            raise DatasetError(f"splits {splits} name the folder {twice[0]}/ more than once")
        parts = [(f, *_list_level(str(root), tree, f + "/")) for f in chosen]
    for f, files, _, _ in parts:
        if not files:
            where, what = (f"its split folder {f}/", f"{f}/") if f else ("its top", "it")
            raise DatasetError(
                f"image folder {str(root)!r} holds no image files ({', '.join(IMAGE_SUFFIXES)}) "
                f"at {where} or in its subfolders; {what} holds: {_holds(tree, f)}"
            )
    labelled = [f for f, _, classes, _ in parts if classes is not None]
    if labelled and len(labelled) < len(parts):
        flat = next(f for f, _, classes, _ in parts if classes is None)
        raise DatasetError(
            f"image folder {str(root)!r}: split {labelled[0]}/ has class subfolders but split "
            f"{flat}/ holds its images at its top; give every split read class subfolders "
            "(the same names across splits) or none"
        )
    files = [f for _, part, _, _ in parts for f in part]
    classes = [c for _, _, part, _ in parts for c in part] if labelled else None
    return files, classes, sum(ignored for *_, ignored in parts)


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
