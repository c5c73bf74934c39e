"""The 2-D map of every image, up to a limit: openTSNE's t-SNE, O(N log N).

scikit-learn's t-SNE (Barnes-Hut, one thread) takes minutes on tens of thousands of points,
so the figures map a sample. openTSNE finds the neighbours approximately (Annoy) and
computes the repulsive forces by interpolation on a grid with FFTs (FIt-SNE, Linderman et
al. 2019), so 60,000 points take about a minute on 2 cores. Above ``limit`` points a seeded
random sample of ``limit`` is mapped (and the page says so). Deterministic for a seed and
thread count.
"""

import numpy as np


def map_rows(n, limit, seed):
    """Sorted int64 rows to map: all ``n`` when ``n <= limit``, else a seeded random
    sample of ``limit`` of them."""
    if isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 3:
        raise ValueError(f"the map's limit must be an integer of at least 3, got {limit!r}")
    if n <= limit:
        return np.arange(n, dtype=np.int64)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n, size=limit, replace=False)).astype(np.int64)


def tsne_map(x, limit, seed, perplexity, n_jobs):
    """openTSNE coordinates of the rows :func:`map_rows` picks of ``x`` ``(N, D)``.

    PCA initialisation, the given ``perplexity`` (at most (n - 1) / 3), ``n_jobs``
    threads; the neighbour search and gradient method are openTSNE's choice for the size
    (exact neighbours and Barnes-Hut below 1,000 and 10,000 points, Annoy and FFT above).
    Returns ``(rows int64 (n,), coords float32 (n, 2))``.
    """
    from openTSNE import TSNE

    rows = map_rows(len(x), limit, seed)
    if len(rows) < 3:
        raise ValueError(f"a map needs at least 3 points, got {len(rows)}")
    tsne = TSNE(
        n_components=2,
        perplexity=min(perplexity, (len(rows) - 1) / 3),
        initialization="pca",
        n_jobs=n_jobs,
        random_state=seed,
        verbose=False,
    )
    coords = tsne.fit(np.asarray(x[rows], dtype=np.float64))
    return rows, np.asarray(coords, dtype=np.float32)
