"""Aggregate per-seed metrics into mean and standard deviation per algorithm."""

import math

import numpy as np

from .io import tsv_rows, tsv_text

SUMMARY_METRICS = (
    "accuracy",
    "nmi",
    "ari",
    "silhouette",
    "n_clusters",
    "noise_fraction",
    "cluster_seconds",
)


def summarize(metrics_by_algorithm, consensus=None, recommended=None):
    """``{algorithm: [metrics dict per seed]}`` -> list of row dicts.

    Each row has ``algorithm``, ``seeds``, ``<metric>_mean`` / ``<metric>_std`` for every
    metric in SUMMARY_METRICS, ``silhouette_estimated``: how many of the seeds' silhouettes
    were estimated from a sample (their metrics.json ``exactness``), not exact, and
    ``seed_ari`` / ``seed_nmi``: the mean over pairs of seeds of the agreement between their
    labellings (None with one seed). The std is the sample std (ddof=1); it is None with a
    single seed, and a metric that is None in any seed (undefined) gives None.

    ``consensus``: ``{algorithm: metrics dict of the consensus of its seeds}``; each gives
    the agreement of its algorithm's row and a row of its own, ``<algorithm>_consensus``
    (its ``seeds``: how many it combines), after the algorithms' rows.

    ``recommended``: the clustering chosen without labels (deepclust.recommend); its row
    comes first and has ``recommended`` 1, every other row 0.
    """
    consensus = consensus or {}
    rows = []
    for algorithm, runs in metrics_by_algorithm.items():
        row = _row(algorithm, runs)
        agreement = consensus.get(algorithm, {}).get("stability", {})
        row["seed_ari"], row["seed_nmi"] = agreement.get("mean_ari"), agreement.get("mean_nmi")
        rows.append(row)
    for algorithm, metrics in consensus.items():
        row = _row(f"{algorithm}_consensus", [metrics])
        row["seeds"] = len(metrics["stability"]["seeds"])
        row["seed_ari"] = row["seed_nmi"] = None
        rows.append(row)
    if recommended is not None and recommended not in metrics_by_algorithm:
        raise ValueError(f"recommended clustering {recommended!r} has no metrics")
    for row in rows:
        row["recommended"] = int(row["algorithm"] == recommended)
    return sorted(rows, key=lambda row: -row["recommended"])


def _row(algorithm, runs):
    """Mean and std of SUMMARY_METRICS over ``runs`` (see :func:`summarize`)."""
    row = {"algorithm": algorithm, "seeds": len(runs)}
    for key in SUMMARY_METRICS:
        values = [run.get(key) for run in runs]
        if not runs or any(v is None for v in values):
            row[f"{key}_mean"] = row[f"{key}_std"] = None
            continue
        values = np.asarray(values, dtype=float)
        row[f"{key}_mean"] = float(values.mean())
        row[f"{key}_std"] = float(values.std(ddof=1)) if len(values) > 1 else None
    row["silhouette_estimated"] = sum(
        run["exactness"].get("silhouette", "").startswith("estimated") for run in runs
    )
    return row


def to_tsv(rows):
    """Rows as TSV text; missing values are written as NA."""
    columns = [
        "algorithm",
        "seeds",
        *(f"{k}_{s}" for k in SUMMARY_METRICS for s in ("mean", "std")),
        "silhouette_estimated",
        "seed_ari",
        "seed_nmi",
        "recommended",
    ]

    def cell(value):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "NA"
        return f"{value:.6g}" if isinstance(value, float) else str(value)

    return tsv_text(columns, [[cell(row[c]) for c in columns] for row in rows])


def read_tsv(text):
    """summary.tsv text (as written by :func:`to_tsv`) -> row dicts: floats, None for NA."""
    names, lines = tsv_rows(text)
    return [
        {k: v if k == "algorithm" else None if v == "NA" else float(v) for k, v in zip(names, line)}
        for line in lines
    ]
