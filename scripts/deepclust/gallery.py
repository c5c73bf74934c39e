"""Image galleries of a clustering: which images to show per cluster, and the drawings.

Choosing is linear in the data: one centre per cluster (the mean of its embeddings) and
each point's distance to its own centre, never distances between all pairs.
"""

from dataclasses import dataclass

import numpy as np

from .labels import NO_LABEL, NOISE


def cluster_members(x, labels, n_typical, n_atypical, seed=0):
    """The images to show for each cluster, largest cluster first.

    ``x`` float ``(N, D)`` embeddings, ``labels`` int ``(N,)`` cluster ids (``NOISE`` = -1).
    A cluster's typical members are the ``n_typical`` points nearest the mean of its
    embeddings (nearest first); its atypical members the ``n_atypical`` farthest ones
    (farthest first), never repeating a typical one. Ties go to the lower index. Noise
    has no centre: its row holds a seeded random sample of ``n_typical + n_atypical``
    noise points (sorted by index) and no atypical ones.

    Returns a list of dicts ``{"cluster", "size", "typical", "atypical"}`` (index arrays
    int64), clusters by decreasing size (ties by id), then noise when there is any.
    """
    x, labels = np.asarray(x), np.asarray(labels)
    if x.ndim != 2 or len(x) != len(labels) or len(x) == 0:
        raise ValueError(
            f"x must be (N, D) with one label per row, got {x.shape} and {labels.shape}"
        )
    if n_typical < 1 or n_atypical < 0:
        raise ValueError(
            f"n_typical must be >= 1 and n_atypical >= 0, got {n_typical} and {n_atypical}"
        )
    ids, inverse, sizes = np.unique(labels, return_inverse=True, return_counts=True)
    distance = _distance_to_centre(x, inverse, sizes)
    # Within each cluster, points by increasing and by decreasing distance (ties by index).
    index = np.arange(len(x))
    nearest_first = np.lexsort((index, distance, inverse))
    farthest_first = np.lexsort((index, -distance, inverse))
    starts = np.concatenate([[0], np.cumsum(sizes)])
    rows, noise = [], []
    for k in np.lexsort((ids, -sizes)):
        members = slice(starts[k], starts[k + 1])
        if ids[k] == NOISE:
            noise.append(_noise_row(nearest_first[members], n_typical + n_atypical, seed))
        else:
            nearest, farthest = nearest_first[members], farthest_first[members]
            rows.append(_cluster_row(int(ids[k]), nearest, farthest, n_typical, n_atypical))
    return rows + noise


def _distance_to_centre(x, inverse, sizes, chunk_rows=65536):
    """float ``(N,)``: each row of ``x`` ``(N, D)`` to the mean of its cluster's rows
    (``inverse`` int ``(N,)`` cluster index of each row, ``sizes`` rows per cluster).
    ``chunk_rows`` rows at a time, so no float64 copy of ``x`` is ever made whole."""
    centres = np.zeros((len(sizes), x.shape[1]))
    np.add.at(centres, inverse, x)
    centres /= sizes[:, None]
    distance = np.empty(len(x))
    for a in range(0, len(x), chunk_rows):
        rows = slice(a, a + chunk_rows)
        distance[rows] = np.linalg.norm(x[rows] - centres[inverse[rows]], axis=1)
    return distance


def _cluster_row(cluster, nearest, farthest, n_typical, n_atypical):
    """A gallery row of one cluster from its members nearest first and farthest first."""
    typical = nearest[:n_typical]
    farthest = farthest[: len(typical) + n_atypical]
    atypical = farthest[~np.isin(farthest, typical)][:n_atypical]
    return {
        "cluster": cluster,
        "size": len(nearest),
        "typical": typical.astype(np.int64),
        "atypical": atypical.astype(np.int64),
    }


def _noise_row(members, n_shown, seed):
    """The noise row: a seeded random sample of ``n_shown`` of its ``members`` (sorted)."""
    rng = np.random.default_rng(seed)
    take = min(len(members), n_shown)
    sample = np.sort(rng.choice(np.sort(members), size=take, replace=False))
    return {
        "cluster": NOISE,
        "size": len(members),
        "typical": sample.astype(np.int64),
        "atypical": np.empty(0, np.int64),
    }


def class_agreement(true, pred):
    """Per cluster: ``(matched class or None, majority class, purity)``.

    The matched class comes from the Hungarian matching used for accuracy; purity is the
    share of the cluster's members in its most frequent class. ``{}`` when ``true`` is
    all ``NO_LABEL`` (an unlabelled dataset).
    """
    from .metrics import contingency, match_clusters

    true, pred = np.asarray(true), np.asarray(pred)
    if (true == NO_LABEL).all():
        return {}
    mapping = match_clusters(true, pred)
    table, pred_ids, true_ids = contingency(true, pred)
    return {
        int(c): (mapping.get(int(c)), int(true_ids[row.argmax()]), float(row.max() / row.sum()))
        for c, row in zip(pred_ids, table)
    }


def shrink(images, max_side):
    """Block-average ``(N, H, W[, 3])`` uint8 images to a longer side of at most ``max_side``."""
    factor = -(-max(images.shape[1:3]) // max_side)
    if factor <= 1:
        return images
    n, h, w = images.shape[:3]
    h2, w2 = h // factor, w // factor
    cut = images[:, : h2 * factor, : w2 * factor].astype(np.float32)
    blocks = cut.reshape(n, h2, factor, w2, factor, *images.shape[3:])
    return np.round(blocks.mean(axis=(2, 4))).astype(np.uint8)


def _mosaic(tiles, slots, gap, background):
    """``tiles`` (n, h, w[, 3]) side by side in ``slots`` places, ``gap`` pixels apart."""
    h, w = tiles.shape[1:3]
    out = np.full((h, slots * (w + gap) - gap, *tiles.shape[3:]), background, dtype=np.uint8)
    for i, tile in enumerate(tiles[:slots]):
        out[:, i * (w + gap) : i * (w + gap) + w] = tile
    return out


def row_label(row, total, agreement, class_names, stability=None):
    """The text beside a gallery row: id, size, share, with labels class and purity, and
    with ``stability`` (``{str(cluster): mean best Jaccard in the other seeds}``) that."""
    name = "noise" if row["cluster"] == NOISE else f"cluster {row['cluster']}"
    text = f"{name}\n{row['size']:,} images ({row['size'] / total:.1%})"
    if stability and str(row["cluster"]) in stability:
        text += f"\nstability {stability[str(row['cluster'])]:.2f}"
    if row["cluster"] in agreement:
        matched, majority, purity = agreement[row["cluster"]]
        names = lambda c: class_names[c] if c < len(class_names) else str(c)  # noqa: E731
        if row["cluster"] == NOISE:
            text += f"\nmostly {names(majority)} ({purity:.0%})"
        elif matched is None:
            text += f"\nunmatched; mostly {names(majority)} ({purity:.0%})"
        elif matched == majority:
            text += f"\n→ {names(matched)}, purity {purity:.0%}"
        else:
            text += f"\n→ {names(matched)}; mostly {names(majority)} ({purity:.0%})"
    return text


@dataclass(frozen=True)
class _Layout:
    """Sizes of a gallery: thumbnails ``h`` x ``w`` pixels ``gap`` apart in ``slots``
    places (``n_typical`` of them, then ``n_atypical`` at the right end) making a strip
    ``strip_w`` pixels wide; the figure's measures in inches."""

    n_typical: int
    n_atypical: int
    slots: int
    h: int
    w: int
    gap: int
    strip_w: int
    width: float = 11.0
    label_in: float = 2.3
    strip_in: float = 11.0 - 2.3 - 0.15  # width - label_in - margin
    row_in: float = 0.45
    pad: float = 0.06
    head: float = 0.6


def _layout(images, clusters, shown, tile_px):
    """The :class:`_Layout` of a gallery of the ``clusters`` rows, ``shown`` drawn."""
    n_typical = max([len(r["typical"]) for r in clusters] or [1])
    n_atypical = max([len(r["atypical"]) for r in clusters] or [0])
    # one empty slot between the typical and the atypical members
    slots = max(
        n_typical + n_atypical + (1 if n_atypical else 0), *(len(r["typical"]) for r in shown)
    )
    h, w = shrink(images[:1], tile_px).shape[1:3]
    gap = max(1, w // 14)
    strip_w = slots * (w + gap) - gap
    strip_in = _Layout.strip_in
    # the strip at full width (square pixels unless very wide)
    row_in = max(strip_in * h / strip_w, 0.45)
    pad = max(0.06, 0.08 * row_in)
    return _Layout(n_typical, n_atypical, slots, h, w, gap, strip_w, row_in=row_in, pad=pad)


def _strip(images, row, layout, tile_px):
    """uint8 ``(h, strip_w[, 3])``: a row's thumbnails on white, the typical members from
    the left, the atypical ones at the right end (farthest last); noise fills the slots."""
    lay = layout
    strip = np.full((lay.h, lay.strip_w, *images.shape[3:]), 255, dtype=np.uint8)
    tiles = shrink(images[row["typical"]], tile_px)
    if row["cluster"] == NOISE:  # a random sample: no order, no separator
        strip[:] = _mosaic(tiles, lay.slots, lay.gap, 255)
        return strip
    part = _mosaic(tiles, lay.n_typical, lay.gap, 255)
    strip[:, : part.shape[1]] = part
    if len(row["atypical"]):
        tiles = shrink(images[row["atypical"][::-1]], tile_px)
        part = _mosaic(tiles, len(tiles), lay.gap, 255)
        strip[:, lay.strip_w - part.shape[1] :] = part
    return strip


def _draw_row(fig, i, row, text, strip, layout, height):
    """Row ``i`` of the gallery: its ``strip`` with a red line before the atypical
    members, its ``text`` on the left, the two column headings above the first row."""
    lay, noise = layout, row["cluster"] == NOISE
    top = height - lay.head - i * (lay.row_in + lay.pad)
    box = [lay.label_in, top - lay.row_in, lay.strip_in, lay.row_in]
    ax = fig.add_axes([box[0] / lay.width, box[1] / height, box[2] / lay.width, box[3] / height])
    if lay.n_atypical and not noise:
        ax.axvline(lay.n_typical * (lay.w + lay.gap) + (lay.w - 1) / 2, color="tab:red", lw=1.5)
    cmap = None if strip.ndim == 3 else "gray"
    ax.imshow(strip, cmap=cmap, vmin=0, vmax=255, interpolation="antialiased", aspect="auto")
    ax.set_xlim(-0.5, lay.strip_w - 0.5)
    ax.set_axis_off()
    colour = "dimgrey" if noise else "black"
    label = dict(transform=ax.transAxes, ha="right", va="center", fontsize=8, color=colour)
    ax.text(-0.015, 0.5, text, **label)
    if i == 0:
        heading = dict(transform=ax.transAxes, fontsize=8, va="bottom")
        ax.text(0, 1.03, "most typical (nearest the centre) →", **heading)
        if lay.n_atypical:
            ax.text(1, 1.03, "← least typical (farthest)", ha="right", **heading)


def _hidden_note(fig, hidden, rows, height):
    """The line under the gallery on the ``hidden`` clusters (share of all ``rows``)."""
    n, total = sum(r["size"] for r in hidden), sum(r["size"] for r in rows)
    big, small = hidden[0]["size"], hidden[-1]["size"]
    sizes = f"size {big:,}" if big == small else f"sizes {big:,} to {small:,}"
    fig.text(
        0.5,
        0.1 / height,
        f"+ {len(hidden)} smaller cluster{'s' if len(hidden) > 1 else ''} not shown: "
        f"{n:,} images "
        f"({n / total:.1%}), {sizes}",
        ha="center",
        va="bottom",
        fontsize=8,
    )


def plot_gallery(images, rows, title, labels, max_rows, tile_px=56):
    """One row of thumbnails per cluster: typical members | least typical ones.

    ``images`` uint8 ``(N, H, W[, 3])``; ``rows`` from :func:`cluster_members`; ``labels``
    the text beside each row (same order). Clusters beyond ``max_rows`` (noise always
    shown) are summarised in one line at the bottom. Returns the figure.
    """
    from .figures import _pyplot

    plt = _pyplot()
    clusters = [(r, t) for r, t in zip(rows, labels) if r["cluster"] != NOISE]
    noise = [(r, t) for r, t in zip(rows, labels) if r["cluster"] == NOISE]
    shown, texts = zip(*(clusters[:max_rows] + noise))
    hidden = [r for r, _ in clusters[max_rows:]]
    lay = _layout(images, [r for r, _ in clusters], shown, tile_px)
    foot = 0.35 if hidden else 0.12
    height = lay.head + (lay.row_in + lay.pad) * len(shown) + foot
    fig = plt.figure(figsize=(lay.width, height))
    fig.suptitle(title, y=1 - 0.08 / height, va="top", fontsize=11)
    for i, (row, text) in enumerate(zip(shown, texts)):
        _draw_row(fig, i, row, text, _strip(images, row, lay, tile_px), lay, height)
    if hidden:
        _hidden_note(fig, hidden, rows, height)
    return fig


def spread_subset(coords, n, seed=0):
    """``n`` rows of 2-D ``coords`` spread over the map: farthest-point sampling.

    Starts at a seeded random row, then repeatedly adds the row farthest from those
    chosen (ties to the lower index). O(len(coords) * n). Returns sorted int64 indices.
    """
    coords = np.asarray(coords, dtype=np.float64)
    n = min(n, len(coords))
    if n < 1:
        return np.empty(0, np.int64)
    chosen = [int(np.random.default_rng(seed).integers(len(coords)))]
    nearest = np.linalg.norm(coords - coords[chosen[0]], axis=1)
    for _ in range(n - 1):
        chosen.append(int(nearest.argmax()))
        nearest = np.minimum(nearest, np.linalg.norm(coords - coords[chosen[-1]], axis=1))
    return np.sort(np.array(chosen, dtype=np.int64))


def plot_thumbnail_map(coords, images, chosen, title, tile_px=48):
    """t-SNE map with the images of rows ``chosen`` drawn as thumbnails at their place.

    ``coords`` ``(n, 2)``; ``images`` uint8 ``(n, H, W[, 3])`` in the same order; every
    other point is a small grey dot. Returns the figure.
    """
    from .figures import _pyplot

    plt = _pyplot()
    lo, hi = coords.min(axis=0), coords.max(axis=0)
    aspect = float((hi - lo)[1] / max((hi - lo)[0], 1e-9))  # the figure follows the map's shape
    fig, ax = plt.subplots(
        figsize=(9, float(np.clip(8.2 * aspect + 0.8, 4, 12))), constrained_layout=True
    )
    ax.scatter(*coords.T, s=3, c="lightgrey", zorder=1)
    span = max(float((hi - lo).max()), 1e-9)
    # Thumbnail side: between the typical gap to the nearest other thumbnail (no overlap,
    # but small where points crowd) and the side that would tile the map (large, overlapping).
    side = span / 12
    if len(chosen) > 1:
        from scipy.spatial import cKDTree

        gaps = cKDTree(coords[chosen]).query(coords[chosen], k=2)[0][:, 1]
        side = float(
            np.clip(np.sqrt(np.median(gaps) * span / np.sqrt(len(chosen))), span / 60, span / 12)
        )
    thumbs = shrink(images[chosen], tile_px)
    h, w = thumbs.shape[1:3]
    sx, sy = (side, side * h / w) if w >= h else (side * w / h, side)
    cmap = None if images.ndim == 4 else "gray"
    for (x, y), thumb in zip(coords[chosen], thumbs):
        ax.imshow(
            thumb,
            cmap=cmap,
            vmin=0,
            vmax=255,
            extent=(x - sx / 2, x + sx / 2, y - sy / 2, y + sy / 2),
            interpolation="antialiased",
            zorder=2,
        )
    ax.set_xlim(lo[0] - side, hi[0] + side)
    ax.set_ylim(lo[1] - side, hi[1] + side)
    ax.set_aspect("equal")
    ax.set_xlabel("t-SNE 1")
    ax.set_ylabel("t-SNE 2")
    ax.set_title(title)
    return fig
