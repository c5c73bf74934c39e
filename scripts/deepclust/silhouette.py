"""Exact silhouette score (Euclidean) with a fused numba kernel.

Points are sorted by cluster so that each cluster is a contiguous segment. The kernel
computes every pair distance once, as ``sqrt(sum((xi - xj) ** 2))`` in float32, and adds
it straight into per-cluster float64 sums for both points of the pair: no distance matrix
is ever stored, and memory stays O(n_threads * n_samples).
"""

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
        for l in range(k, K):
            rsum[:] = 0.0
            if l == k:  # pairs inside the block: row sums only, both orders
                _block_pairs(X, xb, i0, i0 + nv, zero_w, rsum, col, s)
            j0 = max(starts[l], i0 + nv)
            _block_pairs(X, xb, j0, starts[l + 1], w, rsum, col, s)
            for r in range(nv):
                if l == k:
                    intra[i0 + r] += rsum[r]
                else:
                    m = rsum[r] / (starts[l + 1] - starts[l])
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


def _check_inputs(X, labels):
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X must be a non-empty 2-D array (n_samples, n_features), got shape {X.shape}")
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
            f"labels must be 1-D with one entry per row of X ({X.shape[0]}), got shape {labels.shape}"
        )
    return X, labels


def silhouette_exact(X: np.ndarray, labels: np.ndarray, n_threads: int | None = None) -> float:
    """Mean silhouette coefficient over all points, Euclidean metric.

    X: (n_samples, n_features) float array; labels: (n_samples,) cluster ids (any values).
    Same result as ``sklearn.metrics.silhouette_score(X, labels)`` (points in singleton
    clusters score 0). Distances are computed in float32 and summed in float64; float64
    input is centred before the cast. n_threads: numba threads (default: numba's current).
    """
    X, labels = _check_inputs(X, labels)
    n = X.shape[0]
    _, codes, counts = np.unique(labels, return_inverse=True, return_counts=True)
    if not 1 < len(counts) < n:
        raise ValueError(
            f"labels has {len(counts)} distinct values; valid values are 2 to n_samples - 1 "
            f"(inclusive), here n_samples = {n}"
        )
    max_threads = numba.config.NUMBA_NUM_THREADS
    if n_threads is not None and not (
        isinstance(n_threads, (int, np.integer)) and 1 <= n_threads <= max_threads
    ):
        raise ValueError(f"n_threads must be an integer in [1, {max_threads}], got {n_threads!r}")
    if X.dtype != np.float32:
        X = X - X.mean(axis=0)  # in float64, so the float32 cast keeps the spread
    order = np.argsort(codes, kind="stable")
    Xs = np.zeros((n + _R - 1, X.shape[1]), dtype=np.float32)
    Xs[:n] = X[order]
    starts = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)

    previous = numba.get_num_threads()
    if n_threads is not None:
        numba.set_num_threads(int(n_threads))
    try:
        intra, inter = _intra_inter(Xs, starts, numba.get_num_threads())
    finally:
        numba.set_num_threads(previous)

    size = counts[codes[order]]
    # as sklearn: 0/0 for singletons (and for a = b = 0) becomes a silhouette of 0
    with np.errstate(divide="ignore", invalid="ignore"):
        a = intra / (size - 1)
        sil = (inter - a) / np.maximum(a, inter)
    return float(np.mean(np.nan_to_num(sil)))
