"""results/{dataset}/assignments.tsv: one row per image, in dataset order (the rows of
images.npy), naming the image and each clustering's cluster of it.

Columns: ``row`` (0-based, as in images.npy and every labels.npy), ``image`` (a folder
source's file path relative to the folder; a Hub image's ``split:row``), ``label`` (the
true class name, only when the dataset has labels; empty for an image without one), one
column per clustering (cluster id, -1 for noise), then for one designated clustering
``<name>_typicality`` (1: the member nearest its cluster's centre, 0: the farthest) and
``<name>_seeds_agreeing`` (how many seeds put the image in the cluster the first seed
does, after matching their clusters); the designated clustering is the recommended one
(recommended.json). A follower's table (assign_to, deepclust.follow) has the followed
run's clusterings of the first seed, no consensus, and typicality without seeds.
Tab-separated, written by the csv module a chunk at a time: a name holding a tab, a
newline or a quote is quoted, so the table reads back
with ``pandas.read_csv(path, sep="\\t")``.
"""

import csv

import numpy as np

from .labels import NO_LABEL, NOISE

CHUNK_ROWS = 100_000


def source_names(source, rows):
    """The names of ``source``'s images ``rows`` (int, rows of the source before any was
    skipped): a folder's relative file paths, a Hub dataset's ``split:row``."""
    rows = np.asarray(rows, dtype=np.int64)
    if source.kind == "folder":
        files = source.files
        return [files[i] for i in rows.tolist()]
    split = np.searchsorted(source.bounds, rows, side="right") - 1
    within = (rows - source.bounds[split]).tolist()
    names = [name for name, _ in source.parts]
    return [f"{names[s]}:{r}" for s, r in zip(split.tolist(), within)]


def kept_rows(data, n_source):
    """data.npz's ``source_rows`` (each image's row in the source; skipped images have
    none), checked against the source's ``n_source`` images. Int64 ``(N,)``."""
    if "source_rows" not in data:
        raise ValueError(
            "data.npz has no source_rows (written before issue 33): rerun the download"
        )
    rows = np.asarray(data["source_rows"], dtype=np.int64)
    if len(rows) != len(data["labels"]) or (len(rows) and rows[-1] >= n_source):
        raise ValueError(
            f"data.npz lists {len(rows)} images up to source row {rows[-1] if len(rows) else -1},"
            f" but the source now holds {n_source}: the dataset changed; rerun the download"
        )
    return rows


def image_rows(data, source):
    """``(names, labels, class_names)``, the first three arguments of
    :func:`assignment_columns` for the images of data.npz ``data`` read from ``source``."""
    rows = kept_rows(data, len(source))
    class_names = [str(c) for c in data["class_names"]]
    return (lambda a, b: source_names(source, rows[a:b])), data["labels"], class_names


def centre_distances(x, labels, chunk_rows=CHUNK_ROWS):
    """Euclidean distance of each row of ``x`` ``(N, D)`` (may be memory-mapped) to the
    mean of its cluster in ``labels`` int ``(N,)``; NaN for noise. Float64 ``(N,)``;
    memory: the centres and one chunk of ``x``."""
    labels = np.asarray(labels)
    if len(x) != len(labels):
        raise ValueError(f"{len(x)} embeddings for {len(labels)} labels")
    k = int(labels.max()) + 1 if len(labels) else 0
    sums, counts = np.zeros((max(k, 1), x.shape[1])), np.zeros(max(k, 1))
    for a in range(0, len(x), chunk_rows):
        part, ids = np.asarray(x[a : a + chunk_rows], np.float64), labels[a : a + chunk_rows]
        ok = ids != NOISE
        np.add.at(sums, ids[ok], part[ok])
        counts += np.bincount(ids[ok], minlength=len(counts))
    centres = sums / np.maximum(counts, 1)[:, None]
    out = np.full(len(x), np.nan)
    for a in range(0, len(x), chunk_rows):
        part, ids = np.asarray(x[a : a + chunk_rows], np.float64), labels[a : a + chunk_rows]
        ok = ids != NOISE
        out[a : a + chunk_rows][ok] = np.linalg.norm(part[ok] - centres[ids[ok]], axis=1)
    return out


def typicality(distances, labels):
    """Per image, the share of the other members of its cluster that lie farther from the
    centre than it does (ties by row): 1 for the most central member, 0 for the
    farthest, 1 for a cluster of one; NaN for noise. Float64 ``(N,)``."""
    labels = np.asarray(labels)
    order = np.lexsort((np.arange(len(labels)), distances, labels))
    ids, starts, sizes = np.unique(labels[order], return_index=True, return_counts=True)
    rank = np.arange(len(labels)) - np.repeat(starts, sizes)  # 0 = nearest in its cluster
    size = np.repeat(sizes, sizes)
    share = np.where(size > 1, 1.0 - rank / np.maximum(size - 1, 1), 1.0)
    out = np.empty(len(labels))
    out[order] = share
    out[labels == NOISE] = np.nan
    return out


def seeds_agreeing(labellings):
    """How many of the labellings (one per seed, the first the reference) put each image
    in the cluster the first does, each seed's clusters matched to the first's by
    stability.align (noise agrees with noise). Int64 ``(N,)``, 1..len(labellings)."""
    from .stability import align, relabel

    reference = np.asarray(labellings[0])
    count = np.ones(len(reference), dtype=np.int64)
    for other in labellings[1:]:
        if len(other) != len(reference):
            raise ValueError(f"labellings of {len(reference)} and {len(other)} images")
        count += relabel(np.asarray(other), align(reference, other)) == reference
    return count


def label_names(labels, class_names):
    """The class name of each true label (object array); "" where an image has none."""
    names = np.array([*map(str, class_names), ""], dtype=object)
    labels = np.asarray(labels)
    return names[np.where(labels == NO_LABEL, len(class_names), labels)]


def assignment_columns(names, labels, class_names, clusterings, designated=None):
    """The columns of assignments.tsv as ``{header: values}``, in order.

    ``names``: a function ``(start, stop) -> [image name]`` over the table's rows;
    ``labels``/``class_names``: data.npz's (the label column only when ``class_names``);
    ``clusterings``: ``{name: int (N,)}``; ``designated``: None or ``(name, typicality,
    seeds agreeing)`` arrays of its two columns. Values are arrays of N or, for the
    image names, the function.
    """
    n = len(labels)
    columns = {"row": np.arange(n, dtype=np.int64), "image": names}
    if len(class_names):
        columns["label"] = label_names(labels, class_names)
    for name, ids in clusterings.items():
        if len(ids) != n:
            raise ValueError(f"clustering {name} has {len(ids)} labels, not {n}")
        columns[name] = np.asarray(ids, dtype=np.int64)
    if designated is not None:
        name, typical, agreeing = designated
        columns[f"{name}_typicality"] = np.asarray(typical, dtype=np.float64)
        if agreeing is not None:  # None: a follower's, placed by the first seed only
            columns[f"{name}_seeds_agreeing"] = np.asarray(agreeing, dtype=np.int64)
    return columns


def _cells(values, a, b):
    """The cells of rows ``[a, b)`` of one column as Python values (None: empty)."""
    if callable(values):
        return values(a, b)
    part = values[a:b]
    if part.dtype.kind == "f":
        missing = np.isnan(part)
        part = np.round(part, 4).astype(object)
        part[missing] = None
    return part.tolist()


def write_tsv(path, columns, chunk_rows=CHUNK_ROWS):
    """Write ``columns`` (``{header: array or (start, stop) -> list}``, equally long) to
    ``path`` atomically as a tab-separated table, ``chunk_rows`` rows at a time (csv
    quoting: a cell holding a tab, newline or quote is quoted). Returns the rows written.
    UTF-8; a file name that is not valid UTF-8 keeps its bytes (surrogateescape)."""
    from .io import atomic_path

    n = len(next(v for v in columns.values() if not callable(v)))
    with (
        atomic_path(path) as tmp,
        open(tmp, "w", newline="", encoding="utf-8", errors="surrogateescape") as f,
    ):
        writer = csv.writer(f, delimiter="\t", lineterminator="\n")
        writer.writerow(list(columns))
        for a in range(0, n, chunk_rows):
            b = min(a + chunk_rows, n)
            writer.writerows(zip(*(_cells(v, a, b) for v in columns.values())))
    return n


def read_column(path, column):
    """One column of an assignments.tsv (or any table write_tsv wrote), as strings."""
    with open(path, newline="", encoding="utf-8", errors="surrogateescape") as f:
        reader = csv.reader(f, delimiter="\t")
        header = next(reader)
        if column not in header:
            raise KeyError(f"{path} has no column {column!r}; it has {', '.join(header)}")
        where = header.index(column)
        return [row[where] for row in reader]
