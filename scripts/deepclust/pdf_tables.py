"""The PDF report's tables and the sentences that depend on their numbers: the scores per
seed and over the seeds, what was estimated, the comparison of the clusterings, the versions.
Values in, LaTeX (deepclust.latex) out; deepclust.pdf_report puts them in its sections.
"""

from .latex import fmt, tabular, tex_escape

METRIC_COLUMNS = [
    ("n_clusters", "clusters", "{:d}"),
    ("noise_fraction", "noise", "{:.1%}"),
    ("silhouette", "silhouette", "{:.3f}"),
    ("accuracy", "ACC", "{:.3f}"),
    ("nmi", "NMI", "{:.3f}"),
    ("ari", "ARI", "{:.3f}"),
]


def params_text(params):
    """``{"eps": 0.123456789, "n_init": 10}`` -> ``"eps 0.1235, n_init 10"`` (keys sorted).

    Records (dicts, e.g. ``k_auto``, the K sweep of ``n_clusters: auto``) are left out:
    their diagnostic figure and its text show them."""

    def value(v):
        return f"{v:.4g}" if isinstance(v, float) else str(v)

    return ", ".join(
        f"{k} {value(params[k])}" for k in sorted(params) if not isinstance(params[k], dict)
    )


def metric_cell(metrics, key, spec):
    """One cell of the scores table; an estimated silhouette is shown as value ± half the
    width of its 95% confidence interval."""
    cell = fmt(metrics.get(key), spec)
    if key == "silhouette" and metrics.get("silhouette_ci95"):
        low, high = metrics["silhouette_ci95"]
        cell += r" $\pm$ " + fmt((high - low) / 2, spec)
    return cell


def metrics_table(rows):
    """``rows``: list of ``(algorithm label, metrics dict)`` -> a booktabs table body."""
    return tabular(
        ["algorithm"] + [name for _, name, _ in METRIC_COLUMNS],
        [
            [tex_escape(label)] + [metric_cell(m, key, spec) for key, _, spec in METRIC_COLUMNS]
            for label, m in rows
        ],
    )


def missing_scores(rows, labelled):
    """``(clustering label, score, why)`` of each score the table shows as ``--``, with the
    reason its metrics.json records (``silhouette_method``; ``external_metrics`` for ACC,
    NMI and ARI, left out without labels, which the table's caption says)."""
    missing = []
    for label, m in rows:
        if m["silhouette"] is None:
            missing.append(
                (label, "silhouette", m["silhouette_method"].removeprefix("undefined: "))
            )
        if labelled and m["accuracy"] is None:
            missing.append((label, "ACC, NMI and ARI", m["external_metrics"]))
    return missing


def exactness(rows):
    """What was exact and what was estimated, from each metrics.json's ``exactness``, for the
    template to word.

    ``rows``: list of ``(clustering label, metrics dict)``. ``quantities``: per quantity its
    ``name`` and ``kinds``, each ``{"kind": "estimated"|"exact", "labels": [...], "every":
    all rows share it}``, estimated first; ``details``: ``(label, quantity name, how)`` of
    every estimate; ``silhouette_estimated``. ``{}`` when no clustering recorded any.
    """
    kinds = {}  # quantity -> {"estimated": [(label, how)], "exact": [...]}
    for label, m in rows:
        for quantity, how in m["exactness"].items():
            kind = "estimated" if how.startswith("estimated") else "exact"
            kinds.setdefault(quantity, {"estimated": [], "exact": []})[kind].append((label, how))
    if not kinds:
        return {}
    quantities, details = [], []
    for quantity, by_kind in kinds.items():
        name = quantity.replace("_", " ")
        said = [
            {"kind": kind, "labels": labels, "every": len(labels) == len(rows)}
            for kind in ("estimated", "exact")
            if (labels := [label for label, _ in by_kind[kind]])
        ]
        quantities.append({"name": name, "kinds": said})
        details += [(label, name, how) for label, how in by_kind["estimated"]]
    return {
        "quantities": quantities,
        "details": details,
        "silhouette_estimated": bool(kinds.get("silhouette", {}).get("estimated")),
    }


SUMMARY_COLUMNS = [
    ("accuracy", "ACC", "{:.3f}"),
    ("nmi", "NMI", "{:.3f}"),
    ("ari", "ARI", "{:.3f}"),
    ("silhouette", "silhouette", "{:.3f}"),
    ("n_clusters", "clusters", "{:.1f}"),
    ("cluster_seconds", "seconds", "{:.1f}"),
]


def summary_table(rows, titles):
    """Mean ± std over seeds per algorithm (rows from summary.read_tsv), as a booktabs tabular.
    A silhouette that averages estimates (``silhouette_estimated`` seeds > 0) is starred.
    With several seeds, a last column: the mean ARI between the seeds' labellings."""
    agreement = any(row.get("seed_ari") is not None for row in rows)
    body = []
    for row in rows:
        name = titles.get(row["algorithm"], row["algorithm"])
        cells = [tex_escape(name), f"{row['seeds']:.0f}"]
        for key, _, spec in SUMMARY_COLUMNS:
            mean, std = row[f"{key}_mean"], row[f"{key}_std"]
            cell = fmt(mean, spec) + ("" if std is None else r" $\pm$ " + fmt(std, spec))
            if key == "silhouette" and mean is not None and row["silhouette_estimated"]:
                cell += "*"
            cells.append(cell)
        if agreement:
            cells.append(fmt(row.get("seed_ari"), "{:.3f}"))
        body.append(cells)
    header = ["algorithm", "seeds"] + [name for _, name, _ in SUMMARY_COLUMNS]
    return tabular(header + (["seed ARI"] if agreement else []), body)


def comparison(metrics, titles):
    """The numbers the template compares the algorithms by (first seed's ``metrics``).

    ``found``: each clustering's title, cluster count and noise fraction; ``key``: accuracy
    when every clustering has one, else silhouette; scores are compared as printed (rounded to
    3 decimals), so equal-looking ones are a tie (``tied``: their titles), never a 0.000
    margin; otherwise ``best`` and ``runner`` (``{"title", "value"}``); with one defined
    score, ``best`` alone.
    """
    key = (
        "accuracy" if all(m.get("accuracy") is not None for m in metrics.values()) else "silhouette"
    )
    shown = {a: round(m[key], 3) for a, m in metrics.items() if m.get(key) is not None}
    ranked = sorted(shown, key=lambda a: shown[a], reverse=True)
    tied = [titles[a] for a in ranked if shown[a] == shown[ranked[0]]] if ranked else []

    def entry(a):
        return {"title": titles[a], "value": shown[a]}

    return {
        "found": [
            {
                "title": titles[a],
                "n_clusters": m["n_clusters"],
                "noise_fraction": m["noise_fraction"],
            }
            for a, m in metrics.items()
        ],
        "key": key,
        "tied": tied if len(tied) > 1 else [],
        "best": entry(ranked[0]) if ranked else None,
        "runner": entry(ranked[1]) if len(ranked) > 1 else None,
    }


def versions_table(records):
    """Package versions per kind of job, from the ``versions`` each job wrote in its JSON.

    ``records``: ``{kind: [loaded JSON dicts]}`` (e.g. training: the training.json files).
    One row per package, one column per kind that recorded any; a cell lists the distinct
    versions of that kind's jobs ("--": that kind imported no such package). ``""`` when no
    record holds versions.
    """
    found = {kind: {} for kind in records}
    for kind, dicts in records.items():
        for record in dicts:
            for package, version in (record.get("versions") or {}).items():
                if version is not None:
                    found[kind].setdefault(package, set()).add(str(version))
    kinds = [kind for kind in records if found[kind]]
    if not kinds:
        return ""
    packages = sorted({p for kind in kinds for p in found[kind]}, key=str.lower)
    return tabular(
        ["package", *kinds],
        [
            [tex_escape(p)]
            + [
                tex_escape(", ".join(sorted(found[kind][p]))) if p in found[kind] else "--"
                for kind in kinds
            ]
            for p in packages
        ],
    )
