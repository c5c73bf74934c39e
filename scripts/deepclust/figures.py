"""Figures: training loss curve and t-SNE scatter plots."""

import numpy as np

from .labels import NOISE


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def tsne_coordinates(x, n_samples, seed, perplexity=30.0):
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


def plot_confusion(counts, class_names, columns, title):
    """Heat map of a class x cluster confusion matrix (see metrics.confusion_after_matching).

    ``columns`` holds ``(cluster_id, matched_class or None)``; rows are normalised so the
    colour shows the share of each class, and every cell is annotated with its count.
    """
    plt = _pyplot()
    n_rows, n_cols = counts.shape
    fig, ax = plt.subplots(
        figsize=(1.2 + 0.55 * n_cols, 1.2 + 0.5 * n_rows), constrained_layout=True
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
    ax.set_xticks(
        range(n_cols),
        [
            "noise"
            if c == NOISE
            else (f"{c}\n→{class_names[m]}" if m is not None else f"{c}\n(extra)")
            for c, m in columns
        ],
        fontsize=7,
    )
    ax.set_yticks(range(n_rows), class_names, fontsize=8)
    ax.set_xlabel("cluster (→ matched class)")
    ax.set_ylabel("true class")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, label="share of the class", shrink=0.8)
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
