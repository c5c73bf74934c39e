"""Opening the source a dataset entry names: a folder of image files or Hub layout."""

from .folder import FolderSource, is_image_folder, list_image_folder, scan_folder, split_folders
from .hub import HubSource, open_splits


def open_source(settings, cache_dir, log=print):
    """The images of a validated ``datasets.<name>`` entry, as a HubSource or a FolderSource:
    a local folder is read here (one walk), a Hub id or Hub-layout data through the
    datasets library. ``splits`` chooses the splits (a folder's split subfolders), ``limit``
    keeps the first N. Raises DatasetError for what cannot be read."""
    source, limit, splits = settings["source"], settings["limit"], settings["splits"]
    tree = scan_folder(source)
    if not is_image_folder(source, tree):
        parts = open_splits(
            source, splits, settings["image_column"], settings["label_column"], limit, cache_dir
        )
        return HubSource(parts, settings["image_column"], settings["label_column"])
    files, classes, ignored = list_image_folder(source, splits, tree)
    if ignored:
        log(f"{source}: passed over {ignored} files that are not images")
    if settings["label_column"] is None:
        classes = None
    if limit is not None:
        files = files[:limit]
        classes = None if classes is None else classes[:limit]
    how = "unlabelled" if classes is None else f"{len(set(classes))} class subfolders"
    present = split_folders(tree)
    if present is not None:
        how += f"; split subfolders {', '.join(f'{f}/' for f in present)}, read: {splits}"
    log(f"{source}: a folder of {len(files)} image files, {how}")
    return FolderSource(source, files, classes)
