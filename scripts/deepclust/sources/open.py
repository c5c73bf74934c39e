"""Opening the source a dataset entry names: a folder of image files or Hub layout."""

from .errors import DatasetError
from .folder import FolderSource, is_image_folder, list_image_folder
from .hub import HubSource, open_splits


def open_source(settings, cache_dir, log=print):
    """The images a validated ``datasets.<name>`` entry names, as a HubSource or a
    FolderSource; ``limit`` keeps the first N. Raises DatasetError for what cannot be read."""
    source, limit = settings["source"], settings["limit"]
    if not is_image_folder(source):
        parts = open_splits(
            source,
            settings["splits"],
            settings["image_column"],
            settings["label_column"],
            limit,
            cache_dir,
        )
        return HubSource(parts, settings["image_column"], settings["label_column"])
    if settings["splits"] != ["train"]:
        raise DatasetError(
            f"dataset source {source!r} is a folder of image files, which has no splits; "
            f"remove splits ({settings['splits']}) from its entry"
        )
    files, classes, ignored = list_image_folder(source)
    if ignored:
        log(f"{source}: passed over {ignored} files that are not images")
    if settings["label_column"] is None:
        classes = None
    if limit is not None:
        files = files[:limit]
        classes = None if classes is None else classes[:limit]
    how = "unlabelled" if classes is None else f"{len(set(classes))} class subfolders"
    log(f"{source}: a folder of {len(files)} image files, {how}")
    return FolderSource(source, files, classes)
