"""Silhouette score (Euclidean): exact, or estimated from a sample, with fused numba kernels.

Points are sorted by cluster so that each cluster is a contiguous segment. The exact kernel
computes every pair distance once, as ``sqrt(sum((xi - xj) ** 2))`` in float32, and adds
it straight into per-cluster float64 sums for both points of the pair: no distance matrix
is ever stored, and memory stays O(n_threads * n_samples).

The estimate scores a seeded uniform sample of points, each against all points with the
same distance arithmetic: O(sample_size * n_samples) pairs instead of O(n_samples ** 2).
"""

from dataclasses import dataclass
from statistics import NormalDist

import numba
import numpy as np
from numba import njit, prange

_R = 8  # rows per register block; _block_pairs is written out for exactly 8 rows
_PARALLEL_MIN_PAIRS = 1 << 21  # clusters with fewer pairs to visit run on one thread
# fastmath without nnan/ninf (inter starts at inf): reassoc lets LLVM vectorise the
# float32 reduction over features, contract allows FMA.
_FASTMATH = {"reassoc", "contract", "nsz"}


@njit(inline="always", fastmath=_FASTMATH)
def _block_pairs(X, xb, j0, j1, w, rsum, colc, off):
    """Distances between the 8 rows ``xb`` (8, D) and the rows ``X[j0:j1]``.

    Adds each block row's total over ``j`` to ``rsum`` (8,), and for each ``j`` the
    ``w``-weighted (8,) total over the block rows to ``colc[j - off]``.
    """
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
    for j in range(j0, j1):
        # 8 independent float32 accumulators: LLVM vectorises the loop over features
        a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = np.float32(0)
        for d in range(X.shape[1]):
            v = X[j, d]
            a0 += (xb[0, d] - v) ** 2
            a1 += (xb[1, d] - v) ** 2
            a2 += (xb[2, d] - v) ** 2
            a3 += (xb[3, d] - v) ** 2
            a4 += (xb[4, d] - v) ** 2
            a5 += (xb[5, d] - v) ** 2
            a6 += (xb[6, d] - v) ** 2
            a7 += (xb[7, d] - v) ** 2
        d0, d1, d2, d3 = np.sqrt(a0), np.sqrt(a1), np.sqrt(a2), np.sqrt(a3)
        d4, d5, d6, d7 = np.sqrt(a4), np.sqrt(a5), np.sqrt(a6), np.sqrt(a7)
        s0 += d0
        s1 += d1
        s2 += d2
        s3 += d3
        s4 += d4
        s5 += d5
        s6 += d6
        s7 += d7
        # balanced tree: no serial dependency chain
        colc[j - off] += ((w[0] * d0 + w[1] * d1) + (w[2] * d2 + w[3] * d3)) + (
            (w[4] * d4 + w[5] * d5) + (w[6] * d6 + w[7] * d7)
        )
    rsum[0] += s0
    rsum[1] += s1
    rsum[2] += s2
    rsum[3] += s3
    rsum[4] += s4
    rsum[5] += s5
    rsum[6] += s6
    rsum[7] += s7


@njit(fastmath=_FASTMATH, cache=True)
def _cluster_blocks(X, starts, k, first, step, col, intra, inter):
    """Row blocks ``first, first + step, ...`` of cluster k against every later row.

    Finishes the blocks' row sums into ``intra``/``inter`` (N,) float64 and sets
    ``col[j - starts[k]]`` to the summed distance from these blocks to row ``j >= starts[k]``.
    """
    K = starts.size - 1
    s, e = starts[k], starts[k + 1]
    rsum = np.empty(_R)
    w = np.empty(_R)
    zero_w = np.zeros(_R)
    col[:] = 0.0
    for i0 in range(s + first * _R, e, step * _R):
        nv = min(_R, e - i0)  # valid rows; the rest are the next cluster's or padding
        xb = X[i0 : i0 + _R].copy()
        w[:] = 0.0
        w[:nv] = 1.0
        for cl in range(k, K):
            rsum[:] = 0.0
            if cl == k:  # pairs inside the block: row sums only, both orders
                _block_pairs(X, xb, i0, i0 + nv, zero_w, rsum, col, s)
            j0 = max(starts[cl], i0 + nv)
            _block_pairs(X, xb, j0, starts[cl + 1], w, rsum, col, s)
            for r in range(nv):
                if cl == k:
                    intra[i0 + r] += rsum[r]
                else:
                    m = rsum[r] / (starts[cl + 1] - starts[cl])
                    inter[i0 + r] = min(inter[i0 + r], m)


@njit(parallel=True, cache=True)
def _intra_inter(X, starts, n_chunks):
    """Per-point cluster distance statistics.

    X: (N + 7, D) float32, rows sorted by cluster, followed by 7 padding rows.
    starts: (K + 1,) int64, cluster k is rows ``starts[k]:starts[k + 1]``.
    Returns intra (N,) float64, the summed distance to the own cluster, and inter (N,)
    float64, the smallest mean distance to another cluster.
    """
    N = starts[-1]
    K = starts.size - 1
    intra = np.zeros(N)
    inter = np.full(N, np.inf)
    # allocated once: in a parallel function every array expression is a parallel launch
    col = np.empty((n_chunks, N))
    # Cluster k against every row after its own start: each pair (i < j) is visited once.
    # Row sums are complete per block; column sums (all to cluster k) are collected per
    # chunk and folded in afterwards, so no two threads write the same cell. Clusters
    # with little work run on one thread: a parallel launch per tiny cluster costs more
    # than it saves when the cores are shared.
    for k in range(K):
        s, e = starts[k], starts[k + 1]
        chunks = n_chunks if (e - s) * (N - s) >= _PARALLEL_MIN_PAIRS else 1
        if chunks > 1:
            for c in prange(chunks):  # int64(c): one compiled specialisation for both calls
                _cluster_blocks(X, starts, k, np.int64(c), chunks, col[c, : N - s], intra, inter)
        else:
            _cluster_blocks(X, starts, k, np.int64(0), chunks, col[0, : N - s], intra, inter)
        for j in range(s, N):
            cs = 0.0
            for c in range(chunks):
                cs += col[c, j - s]
            if j < e:
                intra[j] += cs
            else:
                inter[j] = min(inter[j], cs / (e - s))
    return intra, inter


@njit(parallel=True, fastmath=_FASTMATH, cache=True)
def _sample_sums(X, starts, xs, tile, sums, col):
    """Add to ``sums`` the summed distance from every sampled row to every cluster.

    X: (N, D) float32, rows sorted by cluster (cluster k is rows ``starts[k]:starts[k + 1]``).
    xs: (B * 8, D) float32, the sampled rows (the last block of 8 padded).
    tile: rows of X visited together, kept in cache while the chunk's blocks pass over them.
    sums: (B * 8, K) float64, zeros on entry. col: (n_chunks, tile) float64 scratch, one row
    per chunk (parallel task); chunk c owns the blocks c, c + n_chunks, ...
    """
    N = starts[-1]
    n_blocks = xs.shape[0] // _R
    n_chunks = col.shape[0]
    for c in prange(n_chunks):
        rsum = np.empty(_R)
        w = np.zeros(_R)  # no column sums: only each sampled row's totals are needed
        for t0 in range(0, N, tile):
            t1 = min(t0 + tile, N)
            first = np.searchsorted(starts, t0, side="right") - 1  # cluster holding row t0
            for b in range(c, n_blocks, n_chunks):
                xb = xs[b * _R : (b + 1) * _R]
                cl = first
                while starts[cl] < t1:
                    j0, j1 = max(starts[cl], t0), min(starts[cl + 1], t1)
                    rsum[:] = 0.0
                    _block_pairs(X, xb, j0, j1, w, rsum, col[c], j0)
                    for r in range(_R):
                        sums[b * _R + r, cl] += rsum[r]
                    cl += 1


def _check_inputs(X, labels):
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(
            f"X must be a non-empty 2-D array (n_samples, n_features), got shape {X.shape}"
        )
    if X.dtype != np.float32:
        try:
            X = X.astype(np.float64)
        except (TypeError, ValueError) as err:
            raise ValueError(f"X must be numeric, got dtype {X.dtype}") from err
    if not np.isfinite(X).all():
        raise ValueError("X must contain only finite values (found NaN or infinity)")
    labels = np.asarray(labels)
    if labels.shape != (X.shape[0],):
        raise ValueError(
            f"labels must be 1-D with one entry per row of X ({X.shape[0]}), "
            f"got shape {labels.shape}"
        )
    return X, labels


def _cluster_codes(labels):
    """``(codes, counts)`` of the clusters; raises unless there are 2 to n - 1 of them."""
    _, codes, counts = np.unique(labels, return_inverse=True, return_counts=True)
    n = len(labels)
    if not 1 < len(counts) < n:
        raise ValueError(
            f"labels has {len(counts)} distinct values; valid values are 2 to n_samples - 1 "
            f"(inclusive), here n_samples = {n}"
        )
    return codes, counts


def _check_threads(n_threads):
    max_threads = numba.config.NUMBA_NUM_THREADS
    if n_threads is not None and not (
        isinstance(n_threads, (int, np.integer)) and 1 <= n_threads <= max_threads
    ):
        raise ValueError(f"n_threads must be an integer in [1, {max_threads}], got {n_threads!r}")


def _run_threads(n_threads, kernel, *args):
    """``kernel(*args, threads)`` on ``n_threads`` numba threads (default: numba's current)."""
    previous = numba.get_num_threads()
    if n_threads is not None:
        numba.set_num_threads(int(n_threads))
    try:
        return kernel(*args, numba.get_num_threads())
    finally:
        numba.set_num_threads(previous)


def _as_float32(X):
    """float32 X; float64 input is centred first, so the cast keeps the spread."""
    if X.dtype != np.float32:
        X = X - X.mean(axis=0)
    return X.astype(np.float32, copy=False)


def _scores(a, b):
    """Silhouette ``(b - a) / max(a, b)``; as sklearn, 0/0 (singletons, a = b = 0) scores 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nan_to_num((b - a) / np.maximum(a, b))


def silhouette_exact(X: np.ndarray, labels: np.ndarray, n_threads: int | None = None) -> float:
    """Mean silhouette coefficient over all points, Euclidean metric.

    X: (n_samples, n_features) float array; labels: (n_samples,) cluster ids (any values).
    Same result as ``sklearn.metrics.silhouette_score(X, labels)`` (points in singleton
    clusters score 0). Distances are computed in float32 and summed in float64; float64
    input is centred before the cast. n_threads: numba threads (default: numba's current).
    """
    X, labels = _check_inputs(X, labels)
    n = X.shape[0]
    codes, counts = _cluster_codes(labels)
    _check_threads(n_threads)
    order = np.argsort(codes, kind="stable")
    Xs = np.zeros((n + _R - 1, X.shape[1]), dtype=np.float32)
    Xs[:n] = _as_float32(X)[order]
    starts = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    intra, inter = _run_threads(n_threads, _intra_inter, Xs, starts)
    size = counts[codes[order]]
    with np.errstate(divide="ignore", invalid="ignore"):
        a = intra / (size - 1)
    return float(np.mean(_scores(a, inter)))


_Z95 = NormalDist().inv_cdf(0.975)
_TILE_BYTES = 1 << 18  # rows of all points visited together: 256 KiB, within a core's L2
_SUMS_BYTES = 1 << 28  # sampled rows' sums per cluster held at once: 256 MiB


@dataclass(frozen=True)
class SilhouetteEstimate:
    """A sampled silhouette: ``value`` estimates the mean over all ``n`` points from
    ``sample_size`` of them; ``[ci_low, ci_high]`` is its 95% confidence interval."""

    value: float
    ci_low: float
    ci_high: float
    std_error: float
    sample_size: int
    n: int


def silhouette_estimate(
    X: np.ndarray,
    labels: np.ndarray,
    sample_size: int,
    seed: int,
    n_threads: int | None = None,
    block_rows: int | None = None,
) -> SilhouetteEstimate:
    """Mean silhouette estimated from a seeded uniform sample, with a 95% interval.

    X: (n_samples, n_features) float array; labels: (n_samples,) cluster ids (any values).
    ``sample_size`` points are drawn without replacement (``numpy.random.default_rng(seed)``);
    each one's a(i) and b(i) are exact, against all n_samples points, so its s(i) is the
    one ``silhouette_exact`` averages and the sample mean is unbiased for it (a silhouette
    computed within a subsample is not). The interval is the normal approximation from the
    sample standard deviation with the finite-population correction (zero width when
    ``sample_size == n_samples``), clipped to [-1, 1]. Singletons score 0, as in sklearn.

    Cost: sample_size * n_samples distances, in the arithmetic of ``silhouette_exact``
    (float32 differences, float64 sums). Memory: a float32 copy of X sorted by cluster,
    (sample_size, n_clusters) float64 sums but at most 256 MiB of them at a time (more
    clusters: more passes over X), and a (n_threads, block_rows) float64 scratch; no
    distance matrix. block_rows: rows of X visited together (default: 256 KiB of them).
    """
    X, labels = _check_inputs(X, labels)
    n, dim = X.shape
    codes, counts = _cluster_codes(labels)
    block_rows = _check_sampling(n, dim, sample_size, seed, block_rows)
    _check_threads(n_threads)
    chosen = np.random.default_rng(seed).choice(n, size=sample_size, replace=False)
    a, b = _sampled_a_b(X, codes, counts, chosen, block_rows, n_threads)
    return _estimate(a, b, n)


def _check_sampling(n, dim, sample_size, seed, block_rows):
    """Check silhouette_estimate's sampling arguments; returns ``block_rows`` (its default,
    256 KiB of float32 rows of ``dim`` features, when None)."""
    if not (isinstance(sample_size, (int, np.integer)) and 2 <= sample_size <= n):
        raise ValueError(
            f"sample_size must be an integer in [2, n_samples] = [2, {n}], got {sample_size!r}"
        )
    if not (isinstance(seed, (int, np.integer)) and seed >= 0):
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if block_rows is None:
        return max(_R, _TILE_BYTES // (4 * dim))
    if not (isinstance(block_rows, (int, np.integer)) and block_rows >= 1):
        raise ValueError(f"block_rows must be a positive integer, got {block_rows!r}")
    return block_rows


def _sampled_a_b(X, codes, counts, chosen, block_rows, n_threads):
    """float64 ``a`` and ``b`` of each chosen row of ``X`` (mean distance to the rest of
    its own cluster, and to the nearest other cluster), exact against all rows, in the
    arithmetic of :func:`silhouette_exact` (``codes`` int ``(n,)`` cluster indices,
    ``counts`` their sizes). The chosen rows go in chunks whose (rows x clusters) sums take
    at most _SUMS_BYTES, so many clusters (DBSCAN on millions of points finds a million)
    cost passes over X, not memory; a row's values do not depend on its chunk."""
    n = len(codes)
    order = np.argsort(codes, kind="stable")
    Xs = _as_float32(X)[order]
    starts = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    sorted_at = np.empty(n, dtype=np.int64)
    sorted_at[order] = np.arange(n)
    step = max(_R, _SUMS_BYTES // (8 * len(counts)) // _R * _R)
    a, b = [], []
    for first in range(0, len(chosen), step):
        part = chosen[first : first + step]
        sums = _chunk_sums(Xs, starts, Xs[sorted_at[part]], block_rows, n_threads)
        own, rows = codes[part], np.arange(len(part))
        with np.errstate(divide="ignore", invalid="ignore"):
            a.append(sums[rows, own] / (counts[own] - 1))
        means = sums / counts
        means[rows, own] = np.inf
        b.append(means.min(axis=1))
    return np.concatenate(a), np.concatenate(b)


def _chunk_sums(Xs, starts, rows, block_rows, n_threads):
    """float64 ``(len(rows), n_clusters)``: each of ``rows`` (float32 ``(m, D)``) summed
    distance to the points of each cluster of ``Xs`` (sorted by cluster, from ``starts``)."""
    n, dim = Xs.shape
    padded = -(-len(rows) // _R) * _R  # whole blocks of _R rows
    xs = np.zeros((padded, dim), dtype=np.float32)
    xs[: len(rows)] = rows
    sums = np.zeros((padded, len(starts) - 1))

    def kernel(threads):
        col = np.empty((min(threads, padded // _R), min(block_rows, n)))
        _sample_sums(Xs, starts, xs, min(block_rows, n), sums, col)

    _run_threads(n_threads, kernel)
    return sums[: len(rows)]


def _estimate(a, b, n):
    """The SilhouetteEstimate of the sampled points from their ``a`` and ``b`` (float
    ``(m,)``), ``n`` the number of points they were drawn from."""
    sample_size = len(a)
    s = _scores(a, b)
    value = float(s.mean())
    std_error = float(s.std(ddof=1) / np.sqrt(sample_size) * np.sqrt((n - sample_size) / (n - 1)))
    return SilhouetteEstimate(
        value=value,
        ci_low=max(-1.0, value - _Z95 * std_error),
        ci_high=min(1.0, value + _Z95 * std_error),
        std_error=std_error,
        sample_size=int(sample_size),
        n=int(n),
    )
