"""Figures: training loss curve, t-SNE scatter plots, confusion matrices, k-distance curve."""

import numpy as np

from .labels import NOISE

OTHER = -2  # the confusion-matrix column that cap_clusters sums the smaller clusters into


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    # text is text: a class or file name with two $ would otherwise be parsed as math
    matplotlib.rcParams["text.parse_math"] = False
    import matplotlib.pyplot as plt

    return plt


def tsne_coordinates(x, n_samples, seed, perplexity):
    """t-SNE (PCA init) of a seeded random subset of rows of ``x``.

    Returns ``(indices, coords)``: sorted int64 ``(n,)`` row indices and float32
    ``(n, 2)`` coordinates, ``n = min(n_samples, len(x))``.
    """
    from sklearn.manifold import TSNE

    n = min(n_samples, len(x))
    if n < 3:
        raise ValueError(f"t-SNE needs at least 3 points, got {n}")
    rng = np.random.default_rng(seed)
    indices = np.sort(rng.choice(len(x), size=n, replace=False))
    tsne = TSNE(
        n_components=2,
        init="pca",
        perplexity=min(perplexity, (n - 1) / 3),
        random_state=seed,
    )
    return indices, tsne.fit_transform(x[indices]).astype(np.float32)


def plot_clusters(coords, labels, title, legend_title, names=None):
    """Scatter of 2-D ``coords`` coloured by ``labels`` (noise in grey). Returns the figure."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 6), constrained_layout=True)
    ids = [i for i in np.unique(labels) if i != NOISE]
    cmap = plt.get_cmap("tab10" if len(ids) <= 10 else "tab20")
    if (labels == NOISE).any():
        m = labels == NOISE
        ax.scatter(*coords[m].T, s=6, c="lightgrey", label="noise")
    for k, i in enumerate(ids):
        m = labels == i
        name = names[i] if names is not None else str(i)
        ax.scatter(*coords[m].T, s=6, color=cmap(k % cmap.N), label=name)
    ax.set_xlabel("t-SNE 1")
    ax.set_ylabel("t-SNE 2")
    ax.set_title(title)
    if len(ids) <= 30:
        ax.legend(
            title=legend_title,
            loc="center left",
            bbox_to_anchor=(1.0, 0.5),
            markerscale=2.5,
            fontsize="small",
            frameon=False,
        )
    else:
        ax.text(1.01, 0.5, f"{len(ids)} clusters\n(legend omitted)", transform=ax.transAxes)
    return fig


def plot_loss(history, title):
    """Per-epoch mean MSE on a log axis."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4), constrained_layout=True)
    epochs = [row["epoch"] for row in history]
    ax.plot(epochs, [row["loss"] for row in history], marker="o")
    ax.set_yscale("log")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean reconstruction MSE")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    return fig


def plot_encoder(history, spread, title):
    """A trained encoder's loss per step (``history``: dicts with ``step`` and ``loss``),
    or, with no history, the variance of each embedding dimension (``spread``, largest
    first) on a sample of the images."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4), constrained_layout=True)
    if history:
        ax.plot([row["step"] for row in history], [row["loss"] for row in history], marker="o")
        ax.set_xlabel("optimiser step")
        ax.set_ylabel("mean reconstruction MSE")
    else:
        ax.plot(range(1, len(spread) + 1), spread, marker="o")
        ax.set_xlabel("embedding dimension (by variance)")
        ax.set_ylabel("variance on a sample of the images")
    ax.set_yscale("log")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    return fig


def cap_clusters(counts, clusters, max_clusters):
    """A count matrix (rows x clusters) cut to at most ``max_clusters`` cluster columns.

    ``counts``: int ``(n_rows, n_cols)``; ``clusters``: the cluster id of each column, NOISE
    for noise. With more than ``max_clusters`` clusters (noise not counted), the
    ``max_clusters - 1`` largest (most points; ties: the earlier column) keep their columns
    in their order and the others are summed into one column, id OTHER, after them. Noise
    keeps its own column, last. Every row sum is unchanged.

    Returns ``(counts int64 (n_rows, m), clusters int64 (m,), n_other)``, ``n_other`` the
    number of clusters summed into OTHER (0: no OTHER column).
    """
    counts, clusters = np.asarray(counts, dtype=np.int64), np.asarray(clusters, dtype=np.int64)
    if counts.ndim != 2 or counts.shape[1] != len(clusters):
        raise ValueError(
            f"counts {counts.shape} do not have one column per cluster ({len(clusters)})"
        )
    if max_clusters < 2:
        raise ValueError(f"max_clusters must be at least 2, got {max_clusters}")
    noise, real = np.flatnonzero(clusters == NOISE), np.flatnonzero(clusters != NOISE)
    if len(real) <= max_clusters:
        order = np.concatenate([real, noise])
        return counts[:, order], clusters[order], 0
    largest = real[np.argsort(-counts[:, real].sum(axis=0), kind="stable")]
    kept, rest = np.sort(largest[: max_clusters - 1]), np.sort(largest[max_clusters - 1 :])
    capped = np.hstack(
        [counts[:, kept], counts[:, rest].sum(axis=1, keepdims=True), counts[:, noise]]
    )
    ids = np.concatenate([clusters[kept], [OTHER], clusters[noise]])
    return capped, ids, len(rest)


def confusion_column_names(clusters, matched, class_names, n_other=0):
    """Tick labels of a confusion matrix's columns (see cap_clusters).

    ``clusters``: the column ids; ``matched``: ``{cluster id: class id}`` from the Hungarian
    matching; ``class_names``: ``{class id: name}``; ``n_other``: clusters in the OTHER column.
    """

    def name(c):
        if c == NOISE:
            return "noise"
        if c == OTHER:
            return f"{n_other}\nothers"
        if c in matched:
            return f"{c}\n→{class_names[matched[c]]}"
        return f"{c}\n(extra)"

    return [name(int(c)) for c in clusters]


def plot_confusion(counts, row_names, column_names, title):
    """Heat map of a class x cluster confusion matrix with every cell's count.

    Rows are normalised, so the colour shows the share of each class. The figure grows with
    the columns at a fixed scale (about 0.4 inch each; a PDF shows it at its own size up to
    the line width), so cap the columns first (cap_clusters) to keep it readable.
    """
    plt = _pyplot()
    n_rows, n_cols = counts.shape
    fig, ax = plt.subplots(
        figsize=(1.8 + 0.4 * n_cols, 1.4 + 0.32 * n_rows), constrained_layout=True
    )
    share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for i in range(n_rows):
        for j in range(n_cols):
            if counts[i, j]:
                ax.text(
                    j,
                    i,
                    counts[i, j],
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if share[i, j] > 0.6 else "black",
                )
    ax.set_xticks(range(n_cols), column_names, fontsize=7)
    ax.set_yticks(range(n_rows), row_names, fontsize=8)
    ax.set_xlabel("cluster (→ matched class)", fontsize=8)
    ax.set_ylabel("true class", fontsize=8)
    ax.set_title(title, fontsize=9)
    colorbar = fig.colorbar(image, ax=ax, shrink=0.8)
    colorbar.set_label("share of the class", fontsize=8)
    colorbar.ax.tick_params(labelsize=7)
    return fig


def plot_kdistance(curve, knee, eps, min_samples, title, n_points=None):
    """Sorted distances to the ``min_samples``-th neighbour, with the knee and the eps used.

    ``n_points`` larger than ``len(curve)``: the curve is a sample of that many points; it
    is drawn against each sampled value's estimated rank among all ``n_points``.
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4), constrained_layout=True)
    sampled = n_points is not None and n_points > len(curve)
    if sampled:
        ranks = (np.arange(len(curve)) + 0.5) * (n_points / len(curve))
        label = (
            f"distance to neighbour {min_samples} (sample of {len(curve):,} of {n_points:,} points)"
        )
    else:
        ranks = np.arange(len(curve))
        label = f"distance to neighbour {min_samples}"
    ax.plot(ranks, curve, lw=1.2, label=label)
    ax.plot([ranks[knee]], [curve[knee]], "o", color="tab:red", label=f"knee: {curve[knee]:.3g}")
    ax.axhline(eps, color="tab:grey", ls="--", lw=1, label=f"eps used: {eps:.3g}")
    ax.set_xlabel("points, sorted by that distance" + (" (estimated rank)" if sampled else ""))
    ax.set_ylabel("distance")
    ax.set_title(title)
    ax.legend(frameon=False)
    return fig


def plot_kselection(ks, scores, chosen, criterion, title, runner_up=None):
    """A criterion (``scores`` float ``(m,)``) against the candidate K (``ks`` int
    ``(m,)``), with the ``chosen`` K marked; ``criterion`` labels the y axis.
    ``runner_up``: ``(ks, scores, chosen, criterion)`` of a second criterion, drawn grey on
    a right axis with its K marked."""
    plt = _pyplot()
    ks, scores = np.asarray(ks), np.asarray(scores, dtype=float)
    fig, ax = plt.subplots(figsize=(6, 4), constrained_layout=True)
    ax.plot(ks, scores, "o-", lw=1.2, ms=4)
    at = int(np.flatnonzero(ks == chosen)[0])
    label = f"chosen K {chosen}"
    ax.plot([chosen], [scores[at]], "o", ms=10, mfc="none", color="tab:red", label=label)
    ax.axvline(chosen, color="tab:red", ls="--", lw=1)
    if runner_up is not None:
        r_ks, r_scores, r_chosen, r_criterion = runner_up
        right = ax.twinx()
        right.plot(r_ks, r_scores, "s:", lw=1, ms=3, color="grey")
        right.set_ylabel(f"runner-up: {r_criterion}", color="grey")
        ax.axvline(r_chosen, color="grey", ls=":", lw=1, label=f"runner-up K {r_chosen}")
    ax.set_xticks(ks)
    ax.set_xlabel("number of clusters K")
    ax.set_ylabel(criterion)
    ax.set_title(title)
    ax.legend(frameon=False)
    return fig
