"""Duplicate images: exact copies by content hash, near-duplicates by embedding distance.

- **exact**: the same bytes (SHA-256 of the file, or of a Hub image's encoded bytes); each
  copy is paired with the first of its group (dataset order).
- **near**: two images whose 8x8 thumbnails (:func:`thumbnail_features`, each channel
  box-averaged, as perceptual hashes do) lie within a threshold of each other on the kNN
  graph (:func:`deepclust.neighbours.knn_graph`, each image's k nearest others). Not the
  autoencoder's embedding: on a folder with planted copies (resized, saved again as JPEG)
  a copy was its original's nearest neighbour there but 0.5 to 1.4 times the median
  nearest-neighbour distance away, indistinguishable from two distinct images, while in
  8x8 thumbnails every copy lay within 0.2 of it and fewer than 2% of the images did. The
  threshold is ``factor`` times the median distance from an image to its nearest other
  image (leaving out distance 0, exact copies): that median is the typical gap between two
  distinct images of this embedding, so the rule needs no unit and follows the dataset. A
  pair closer than a fraction of it is much closer than almost any two distinct images are;
  a near-duplicate with more than k closer neighbours (a group of more than k + 1 copies)
  still pairs with k of them.

Pairs are ``(first, second)`` row indices with ``first < second``, each pair once.
"""

import hashlib

import numpy as np


def content_hash(item):
    """SHA-256 (32 bytes) of an image's bytes: ``item`` is a file path or the bytes."""
    if isinstance(item, (bytes, bytearray, memoryview)):
        return hashlib.sha256(item).digest()
    with open(item, "rb") as f:
        return hashlib.file_digest(f, "sha256").digest()


THUMB_SIDE = 8  # side of the thumbnails near-duplicates are compared on


def thumbnail_features(images, side=THUMB_SIDE, chunk_rows=10_000):
    """Float32 ``(N, side * side * channels)`` in [0, 1]: uint8 ``(N, H, W[, 3])`` images
    (may be memory-mapped) each box-averaged to ``side`` x ``side``, a chunk at a time."""
    from PIL import Image

    out = []
    for a in range(0, len(images), chunk_rows):
        part = np.asarray(images[a : a + chunk_rows])
        small = [
            np.asarray(Image.fromarray(im).resize((side, side), Image.Resampling.BOX))
            for im in part
        ]
        out.append(np.stack(small).reshape(len(part), -1).astype(np.float32) / 255)
    return np.concatenate(out) if out else np.zeros((0, side * side), np.float32)


def source_hashes(source, rows, batch_rows=10_000):
    """:func:`content_hash` of ``source``'s images ``rows`` (sorted int, source rows), read
    a batch of the source at a time (``source.items(start, stop)``: paths or bytes)."""
    rows = np.asarray(rows, dtype=np.int64)
    digests = []
    for a in range(0, len(rows), batch_rows):
        part = rows[a : a + batch_rows]
        items = source.items(int(part[0]), int(part[-1]) + 1)
        digests += [content_hash(items[i]) for i in (part - part[0]).tolist()]
    return digests


def exact_duplicate_pairs(digests):
    """Pairs of equal ``digests`` (one hash per image): every later image of a group of
    equal hashes paired with the group's first. Int64 ``(P, 2)``, sorted."""
    first, pairs = {}, []
    for i, digest in enumerate(digests):
        j = first.setdefault(digest, i)
        if j != i:
            pairs.append((j, i))
    return np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)


def duplicate_threshold(distances, factor):
    """``factor`` times the median nearest-neighbour distance of the kNN graph's
    ``distances`` ``(N, k)`` (rows ascending; 0 and inf left out); 0.0 when no image has a
    neighbour at a positive distance."""
    if not factor > 0:
        raise ValueError(f"duplicates factor must be positive, got {factor!r}")
    nearest = np.asarray(distances)[:, 0]
    nearest = nearest[(nearest > 0) & np.isfinite(nearest)]
    return float(factor * np.median(nearest)) if len(nearest) else 0.0


def near_duplicate_pairs(indices, distances, threshold):
    """The graph's edges of length ``<= threshold``, each pair once: ``(pairs int64 (P, 2)
    with first < second, distances float64 (P,))`` sorted by distance, then pair."""
    indices, distances = np.asarray(indices), np.asarray(distances)
    row, slot = np.nonzero((distances <= threshold) & (indices >= 0))
    other = indices[row, slot]
    pairs = np.stack([np.minimum(row, other), np.maximum(row, other)], axis=1).astype(np.int64)
    pairs, where = np.unique(pairs, axis=0, return_index=True)
    found = distances[row, slot][where].astype(np.float64)
    order = np.lexsort((pairs[:, 1], pairs[:, 0], found))
    return pairs[order].reshape(-1, 2), found[order]


def pair_distances(x, pairs):
    """Euclidean distances of the rows ``pairs`` ``(P, 2)`` of ``x`` (float64 ``(P,)``)."""
    if len(pairs) == 0:
        return np.zeros(0)
    a = np.asarray(x[pairs[:, 0]], np.float64)
    return np.linalg.norm(a - np.asarray(x[pairs[:, 1]], np.float64), axis=1)


def find_duplicates(x, digests, factor, k, random_state):
    """Exact and near-duplicate pairs of the images whose features (:func:`thumbnail_features`)
    are ``x`` ``(N, D)`` and content hashes ``digests``.

    Returns ``(table, threshold)``: ``table`` a dict of ``first``, ``second`` (int64 rows,
    first < second), ``distance`` (float64, between their features) and ``exact`` (bool), sorted
    by distance then pair; an exact pair is listed once, as exact. ``k``: neighbours per
    image in the kNN graph (at most N - 1 are used).
    """
    from .neighbours import knn_graph

    if len(digests) != len(x):
        raise ValueError(f"{len(digests)} content hashes for {len(x)} embeddings")
    exact = exact_duplicate_pairs(digests)
    threshold, near, near_d = 0.0, np.zeros((0, 2), np.int64), np.zeros(0)
    if len(x) > 1:
        indices, distances = knn_graph(x, min(k, len(x) - 1), random_state)
        threshold = duplicate_threshold(distances, factor)
        near, near_d = near_duplicate_pairs(indices, distances, threshold)
    pairs = np.concatenate([exact, near])
    distance = np.concatenate([pair_distances(x, exact), near_d])
    is_exact = np.arange(len(pairs)) < len(exact)
    pairs, keep = np.unique(pairs, axis=0, return_index=True)  # the first: exact, if so
    distance, is_exact = distance[keep], is_exact[keep]
    order = np.lexsort((pairs[:, 1], pairs[:, 0], distance))
    table = {
        "first": pairs[order, 0] if len(pairs) else np.zeros(0, np.int64),
        "second": pairs[order, 1] if len(pairs) else np.zeros(0, np.int64),
        "distance": distance[order],
        "exact": is_exact[order],
    }
    return table, threshold
