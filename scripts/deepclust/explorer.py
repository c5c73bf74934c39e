"""The cluster explorer: one self-contained interactive HTML page (Bokeh) of the t-SNE map.

What the page shows is chosen by small numpy functions (which points, which legend groups,
the thumbnails as PNG data URIs); ``explorer_page`` lays them out with Bokeh and returns the
HTML with BokehJS inlined, so the file opens from disk with no network and no server. The
only JavaScript is a few lines of CustomJS for the colouring selector and the strip of a
cluster's images.
"""

import base64
import struct
import zlib

import numpy as np

from .labels import NO_LABEL, NOISE

MAX_GROUPS = 20  # legend entries per colouring; smaller clusters share one entry
STRIP = 12  # images in the strip of a cluster clicked in the legend
THUMB_PX = 32  # thumbnails are block-averaged down to this longer side at most
NOISE_COLOUR, REST_COLOUR = "#d9d9d9", "#525252"  # not in Category10 or 20


def choose_points(clusters, n, seed):
    """A seeded sample of ``n`` positions of ``clusters`` (int ``(N,)``), stratified.

    Each cluster (noise too) gets its share of ``n`` rounded by largest remainder (ties:
    the lower cluster id), at least one point when ``n`` allows; within a cluster the
    points are a seeded random choice. With ``n >= N`` every position is taken.
    Returns sorted int64 positions.
    """
    clusters = np.asarray(clusters)
    if clusters.ndim != 1:
        raise ValueError(f"clusters must be 1-D, got shape {clusters.shape}")
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if n >= len(clusters):
        return np.arange(len(clusters), dtype=np.int64)
    ids, inverse, sizes = np.unique(clusters, return_inverse=True, return_counts=True)
    share = sizes * n / len(clusters)
    take = np.floor(share).astype(np.int64)
    if n >= len(ids):
        take = np.maximum(take, 1)
    deficit = n - take.sum()
    if deficit > 0:  # the largest remainders get one more
        take[np.lexsort((ids, -(share - np.floor(share))))[:deficit]] += 1
    while take.sum() > n:  # the minimum of one overshot: the largest give one back
        take[np.argmax(take)] -= 1
    rng = np.random.default_rng(seed)
    chosen = [
        rng.choice(np.flatnonzero(inverse == k), size=min(t, sizes[k]), replace=False)
        for k, t in enumerate(take)
    ]
    return np.sort(np.concatenate(chosen)).astype(np.int64)


def png(image):
    """The PNG file (bytes) of one uint8 ``(H, W)`` grey or ``(H, W, 3)`` RGB image: no
    filter, zlib level 9; written directly (faster than Pillow for many small images)."""

    def chunk(kind, payload):
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    h, w = image.shape[:2]
    header = struct.pack(">IIBBBBB", w, h, 8, 0 if image.ndim == 2 else 2, 0, 0, 0)
    rows = np.hstack([np.zeros((h, 1), np.uint8), image.reshape(h, -1)])  # filter 0 each row
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", header),
            chunk(b"IDAT", zlib.compress(rows.tobytes(), 9)),
            chunk(b"IEND", b""),
        ]
    )


def thumbnails(images, max_side=THUMB_PX):
    """PNG data URIs (``data:image/png;base64,...``) of uint8 ``(n, H, W[, 3])`` images,
    in the same order, block-averaged to a longer side of at most ``max_side``."""
    from .gallery import shrink

    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim not in (3, 4):
        raise ValueError(f"images must be uint8 (n, H, W[, 3]), got {images.dtype} {images.shape}")
    prefix = "data:image/png;base64,"
    return [prefix + base64.b64encode(png(image)).decode() for image in shrink(images, max_side)]


def palette(n):
    """``n`` distinct colours (Bokeh's Category10, Category20 beyond 10, repeated)."""
    from bokeh.palettes import Category10_10, Category20_20

    colours = Category10_10 if n <= 10 else Category20_20
    return [colours[i % len(colours)] for i in range(n)]


def legend_groups(shown, everywhere, unassigned, unassigned_name, names=None):
    """The legend of one colouring: a list of ``(name, positions, colour)``.

    ``shown``: the value (cluster or class id) of each point on the map, int ``(n,)``;
    ``everywhere``: the value of every image, for the counts in the names (the points not
    shown are summarised there). Groups are the values, largest first (ties: lower id),
    at most MAX_GROUPS - 1 of them with their own entry and colour; the rest share one grey
    entry. The ``unassigned`` value (noise, or no label) is an entry of its own, last,
    named ``unassigned_name``. ``names``: ``{value: display name}`` (default: the value).
    ``positions``: sorted int64 positions into ``shown``.
    """
    shown, everywhere = np.asarray(shown), np.asarray(everywhere)
    ids, sizes = np.unique(everywhere, return_counts=True)
    size = dict(zip(ids.tolist(), sizes.tolist()))
    real = [int(i) for i in ids[np.lexsort((ids, -sizes))] if i != unassigned]
    own = real if len(real) <= MAX_GROUPS else real[: MAX_GROUPS - 1]
    rest = real[len(own) :]
    groups = []
    for value, colour in zip(own, palette(len(own))):
        name = names[value] if names is not None else str(value)
        where = np.flatnonzero(shown == value)
        groups.append((f"{name}: {size[value]:,} ({len(where):,} shown)", where, colour))
    if rest:
        where = np.flatnonzero(np.isin(shown, rest))
        count = sum(size[v] for v in rest)
        name = f"{len(rest)} smaller: {count:,} ({len(where):,} shown)"
        groups.append((name, where, REST_COLOUR))
    if unassigned in size:
        where = np.flatnonzero(shown == unassigned)
        name = f"{unassigned_name}: {size[unassigned]:,} ({len(where):,} shown)"
        groups.append((name, where, NOISE_COLOUR))
    return groups


def seed_agreement(agreement, n_seeds):
    """``{consensus of clustering: (number of seeds behind each image's cluster, int (N,),
    n_seeds)}`` from the consensus's ``agreement.npy`` (the share of ``n_seeds``)."""
    return {
        name: (np.rint(np.asarray(share, dtype=np.float64) * n_seeds).astype(np.int64), n_seeds)
        for name, share in agreement.items()
    }


def explorer_data(
    indices, coords, clusterings, true, class_names, max_points, seed, agreeing=None, names=None
):
    """The points of the page, all arrays in one order.

    ``indices`` int ``(m,)`` and ``coords`` float ``(m, 2)``: the t-SNE points (image
    indices and their coordinates); ``clusterings``: ``{name: int (N,)}`` cluster ids of
    every image (NOISE for noise), the first one stratifies the sample; ``true``: int
    ``(N,)`` class ids (NO_LABEL: none); ``class_names``: the class names (empty: the
    dataset has no labels); ``agreeing``: optional ``{clustering: (seeds int (N,), n_seeds)}``,
    how many of the n_seeds seeds put each image in its consensus cluster
    (:func:`seed_agreement`), each a colouring of its own; ``names``: optional name of
    every image (default: its row). At most ``max_points`` of the
    t-SNE points are kept (choose_points, seeded). Returns a dict: ``positions`` (into
    the t-SNE points), ``index`` (image index), ``x``, ``y``, ``clusters`` ``{name: ids}``,
    ``label`` (class ids), ``name`` (image names), ``colourings`` ``{name:
    legend_groups}`` (clusterings, then ``true label`` when some image has one) and
    ``n_tsne``, ``n_images``.
    """
    indices, coords = np.asarray(indices), np.asarray(coords)
    if indices.ndim != 1 or coords.shape != (len(indices), 2):
        raise ValueError(f"coords must be (m, 2) for m indices, got {coords.shape}")
    if not clusterings:
        raise ValueError("clusterings must name at least one clustering")
    n_images = len(true)
    for name, labels in clusterings.items():
        if len(labels) != n_images:
            raise ValueError(f"clustering {name} has {len(labels)} labels, not {n_images}")
    first = next(iter(clusterings.values()))
    positions = choose_points(np.asarray(first)[indices], max_points, seed)
    index = indices[positions]
    clusters = {name: np.asarray(labels)[index] for name, labels in clusterings.items()}
    true = np.asarray(true)
    colourings = _colourings(index, clusterings, true, class_names, agreeing or {})
    return {
        "positions": positions,
        "index": index,
        "x": coords[positions, 0].astype(np.float64),
        "y": coords[positions, 1].astype(np.float64),
        "clusters": clusters,
        "label": true[index],
        "name": [str(i) for i in index] if names is None else [names[i] for i in index],
        "class_names": [str(c) for c in class_names],
        "colourings": colourings,
        "n_tsne": len(indices),
        "n_images": n_images,
    }


def _colourings(index, clusterings, true, class_names, agreeing):
    """``{name: legend_groups}`` of the points ``index``: each clustering, then the true
    labels (when some image has one), then each seeds-agreeing colouring."""
    colourings = {
        name: legend_groups(np.asarray(labels)[index], labels, NOISE, "noise")
        for name, labels in clusterings.items()
    }
    if class_names and (true != NO_LABEL).any():
        names = dict(enumerate(str(c) for c in class_names))
        colourings["true label"] = legend_groups(true[index], true, NO_LABEL, "no label", names)
    for name, (seeds, n) in agreeing.items():
        if len(seeds) != len(true):
            raise ValueError(f"agreement of {name} has {len(seeds)} values, not {len(true)}")
        names = {k: f"{k} of {n} seeds" if k < n else f"all {n} seeds" for k in range(n + 1)}
        colourings[f"seeds agreeing ({name})"] = legend_groups(seeds[index], seeds, -1, "", names)
    return colourings


def describe(data, seed, recommended, reason):
    """The page's sentences on the clustering coloured first (``recommended``, chosen
    without labels for ``reason``; it also stratifies a sample) and on how the points
    shown were chosen."""
    shown, n_tsne, n_images = len(data["index"]), data["n_tsne"], data["n_images"]
    text = f"Coloured first by {recommended}, the recommended clustering: {reason.rstrip('.')}. "
    text += f"{shown:,} of {n_images:,} images on the map"
    if n_tsne < n_images:
        text += f" (the t-SNE ran on a seeded random sample of {n_tsne:,}, seed {seed})"
    if shown < n_tsne:
        text += (
            f"; of the t-SNE points, a seeded sample (seed {seed}) stratified by the "
            f"{recommended} clusters, each cluster in proportion to its size"
        )
    return text + ". The legend counts every image of a group, and how many of them are shown."


SELECT_JS = """
const chosen = names.indexOf(cb_obj.value);
for (const legend of legends) legend.visible = false;
renderers.forEach((group, i) => group.forEach((r) => (r.visible = i == chosen)));
legends[chosen].visible = true;
strip.text = hint;
"""
# After the legend's click toggles the group (a timeout: whichever runs first). Every value
# put into the strip's HTML is escaped: a group's name comes from a folder or a label column.
STRIP_JS = """
const esc = (value) => String(value).replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
const item = cb_obj.item;
const style = "image-rendering: pixelated; margin: 2px; border: 1px solid #ccc";
const thumbs = item.tags.map(
  (i) => `<img src="${esc(source.data.thumb[i])}" title="image ${esc(source.data.index[i])}"
    width="56" height="56" style="${style}">`
);
setTimeout(() => {
  const state = item.renderers.every((r) => r.visible)
    ? "shown; click it again to hide it"
    : "hidden; click it again to show it";
  strip.text =
    `<p><b>${esc(item.label.value)}</b> (${state}): ${thumbs.length} of its images on the map</p>` +
    thumbs.join("");
}, 0);
"""
HINT = (
    "<p>Click a group in the legend to hide or show its points and see a strip of its images.</p>"
)


def strip_positions(where, n=STRIP):
    """Up to ``n`` of the positions ``where``, evenly spaced through them."""
    if len(where) <= n:
        return [int(i) for i in where]
    return [int(where[i]) for i in np.linspace(0, len(where) - 1, n).round().astype(int)]


def template_text(text):
    """``text`` as literal text in a Bokeh tooltip template: HTML-escaped, and ``@``, ``$``
    and braces written as character references so Bokeh reads no field in them. (The
    values of the ``@`` fields themselves Bokeh escapes.)"""
    import html

    refs = {"@": "&#64;", "$": "&#36;", "{": "&#123;", "}": "&#125;"}
    return "".join(refs.get(c, c) for c in html.escape(text))


def _columns(data, thumbs):
    """The data source's columns of the points and the hover tooltip's HTML rows."""
    columns = {"x": data["x"], "y": data["y"], "index": data["index"], "thumb": list(thumbs)}
    columns["name"] = data["name"]
    rows = ['<div><img src="@thumb" width="84" height="84" style="image-rendering: pixelated">']
    rows.append("<div>image @index: @name</div>")
    for k, (name, ids) in enumerate(data["clusters"].items()):
        columns[f"cluster_{k}"] = np.where(ids == NOISE, "noise", ids.astype(str))
        rows.append(f"<div>{template_text(name)}: @cluster_{k}</div>")
    if "true label" in data["colourings"]:
        names = np.array([*data["class_names"], "no label"])  # NO_LABEL (-1): the last
        columns["label"] = names[data["label"]]
        rows.append("<div>true label: @label</div>")
    return columns, rows


def _legends(plot, source, strip, colourings):
    """One scatter renderer per legend group and one legend per colouring (the first
    visible), added to ``plot``. Returns the renderers (a list per colouring) and legends."""
    from bokeh.models import CDSView, CustomJS, IndexFilter, Legend, LegendItem

    renderers, legends = [], []
    for c, (name, groups) in enumerate(colourings.items()):
        group_renderers, items = [], []
        for label, where, colour in groups:
            view = CDSView(filter=IndexFilter(indices=[int(i) for i in where]))
            r = plot.scatter(
                "x", "y", source=source, view=view, size=5, color=colour, visible=c == 0
            )
            group_renderers.append(r)
            items.append(LegendItem(label=label, renderers=[r], tags=strip_positions(where)))
        legend = Legend(
            items=items, click_policy="hide", visible=c == 0, title=name, name=f"legend_{c}"
        )
        legend.js_on_event(
            "legend_item_click", CustomJS(args={"source": source, "strip": strip}, code=STRIP_JS)
        )
        plot.add_layout(legend, "right")
        renderers.append(group_renderers)
        legends.append(legend)
    return renderers, legends


def _selector(names, renderers, legends, strip):
    """The "Colour by" menu, which swaps the renderers and legends shown."""
    from bokeh.models import CustomJS, Select

    select = Select(title="Colour by", value=names[0], options=names, name="colouring")
    args = {"names": names, "renderers": renderers, "legends": legends, "strip": strip}
    select.js_on_change("value", CustomJS(args=args | {"hint": HINT}, code=SELECT_JS))
    return select


def explorer_page(data, thumbs, title, note, csv_name="selection.csv"):
    """The standalone HTML page (BokehJS inlined) of explorer_data's ``data``.

    ``thumbs``: the data URI of each point's image (thumbnails), in the data's order;
    ``title``: the page heading; ``note``: the sentence on how the points were chosen;
    ``csv_name``: the name of the downloaded selection (explorer_tools).
    Each legend group is a scatter renderer over one shared data source (WebGL), so a
    click in the legend hides or shows it; the selector swaps renderers and legends.
    """
    import html

    from bokeh.embed import file_html
    from bokeh.layouts import column
    from bokeh.models import ColumnDataSource, Div, HoverTool
    from bokeh.plotting import figure
    from bokeh.resources import INLINE

    from .explorer_tools import selection_tools

    if len(thumbs) != len(data["index"]):
        raise ValueError(f"{len(thumbs)} thumbnails for {len(data['index'])} points")
    columns, rows = _columns(data, thumbs)
    source = ColumnDataSource(columns)
    plot = figure(
        width=1000,
        height=680,
        output_backend="webgl",
        tools="pan,wheel_zoom,box_zoom,box_select,lasso_select,reset",
        active_scroll="wheel_zoom",
        match_aspect=True,
        x_axis_label="t-SNE 1",
        y_axis_label="t-SNE 2",
    )
    strip = Div(text=HINT, width=1100, name="strip")
    renderers, legends = _legends(plot, source, strip, data["colourings"])
    plot.add_tools(HoverTool(tooltips="".join(rows) + "</div>", renderers=sum(renderers, [])))
    select = _selector(list(data["colourings"]), renderers, legends, strip)
    heading = Div(text=f"<h2>{html.escape(title)}</h2><p>{html.escape(note)}</p>", width=1100)
    labelled = "label" in columns
    tools = selection_tools(source, list(data["clusters"]), labelled, csv_name)
    layout = column(heading, select, tools, plot, strip)
    return file_html(layout, resources=INLINE, title=title)
