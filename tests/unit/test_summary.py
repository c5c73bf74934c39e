import pytest

from deepclust.summary import read_tsv, summarize, to_tsv


def run(acc, sil, seconds=1.0, silhouette="exact over 2000 non-noise points"):
    return {
        "exactness": {} if sil is None else {"silhouette": silhouette},
        "accuracy": acc,
        "nmi": acc - 0.1,
        "ari": acc - 0.2,
        "silhouette": sil,
        "n_clusters": 10,
        "noise_fraction": 0.0,
        "cluster_seconds": seconds,
    }


def test_mean_and_sample_std_per_algorithm():
    rows = summarize(
        {"kmeans": [run(0.5, 0.1), run(0.7, 0.3), run(0.6, 0.2)], "dbscan": [run(0.2, None)]}
    )
    kmeans, dbscan = rows
    assert kmeans["algorithm"] == "kmeans" and kmeans["seeds"] == 3
    assert kmeans["accuracy_mean"] == pytest.approx(0.6)
    assert kmeans["accuracy_std"] == pytest.approx(0.1)  # sample std of 0.5, 0.7, 0.6
    assert kmeans["n_clusters_std"] == 0.0
    assert dbscan["silhouette_mean"] is None and dbscan["accuracy_std"] is None
    assert dbscan["accuracy_mean"] == pytest.approx(0.2)


def test_tsv_layout():
    text = to_tsv(summarize({"kmeans": [run(0.5, 0.1), run(0.7, 0.3)]}))
    header, row = text.splitlines()
    assert header.startswith("algorithm\tseeds\taccuracy_mean\taccuracy_std\tnmi_mean")
    cells = dict(zip(header.split("\t"), row.split("\t")))
    assert (
        cells["seeds"] == "2"
        and cells["accuracy_mean"] == "0.6"
        and cells["silhouette_std"] == "0.141421"
    )
    assert to_tsv(summarize({"x": [run(0.5, None)]})).splitlines()[1].split("\t")[8] == "NA"


def test_tsv_round_trip():
    rows = summarize({"kmeans": [run(0.5, 0.1), run(0.7, 0.3)], "dbscan": [run(0.2, None)]})
    back = read_tsv(to_tsv(rows))
    assert [r["algorithm"] for r in back] == ["kmeans", "dbscan"]
    assert back[0]["accuracy_mean"] == pytest.approx(0.6) and back[0]["seeds"] == 2.0
    assert back[1]["silhouette_mean"] is None and back[1]["accuracy_std"] is None


def test_estimated_silhouettes_are_counted():
    estimated = "estimated from 10000 of 1200000 non-noise points, each against all 1200000"
    rows = summarize(
        {
            "kmeans": [run(0.5, 0.1, silhouette=estimated), run(0.7, 0.3)],
            "gmm": [run(0.5, 0.1), run(0.7, 0.3)],
            "dbscan": [run(0.2, None)],
        }
    )
    assert [r["silhouette_estimated"] for r in rows] == [1, 0, 0]
    back = read_tsv(to_tsv(rows))
    assert [r["silhouette_estimated"] for r in back] == [1.0, 0.0, 0.0]


def test_consensus_gives_seed_agreement_and_a_row_of_its_own():
    consensus = run(0.75, 0.25) | {
        "stability": {"seeds": [0, 1, 2], "mean_ari": 0.9, "mean_nmi": 0.8}
    }
    rows = summarize(
        {"kmeans": [run(0.5, 0.1), run(0.7, 0.3), run(0.6, 0.2)], "gmm": [run(0.4, 0.1)]},
        {"kmeans": consensus},
    )
    assert [r["algorithm"] for r in rows] == ["kmeans", "gmm", "kmeans_consensus"]
    kmeans, gmm, voted = rows
    assert (kmeans["seed_ari"], kmeans["seed_nmi"]) == (0.9, 0.8)
    assert gmm["seed_ari"] is None and voted["seed_ari"] is None
    assert voted["seeds"] == 3 and voted["accuracy_mean"] == 0.75 and voted["accuracy_std"] is None
    back = read_tsv(to_tsv(rows))
    assert back[0]["seed_ari"] == pytest.approx(0.9) and back[2]["seed_nmi"] is None


def test_tsv_quotes_names_that_hold_tabs_newlines_and_quotes(tmp_path):
    """summary.tsv read back by pandas and by read_tsv: an odd name stays one cell."""
    import pandas as pd

    from image_folders import HOSTILE

    name = f'{HOSTILE} "q" NA'
    text = to_tsv(summarize({name: [run(0.5, 0.1)], "kmeans": [run(0.7, None)]}))
    (tmp_path / "summary.tsv").write_text(text)
    table = pd.read_csv(tmp_path / "summary.tsv", sep="\t", keep_default_na=False)
    assert table["algorithm"].tolist() == [name, "kmeans"] and table["seeds"].tolist() == [1, 1]
    assert [r["algorithm"] for r in read_tsv(text)] == [name, "kmeans"]


def test_the_recommended_clustering_comes_first_marked_1():
    runs = {"kmeans": [run(0.9, 0.2)], "umap_gmm": [run(0.7, 0.1)]}
    rows = read_tsv(to_tsv(summarize(runs, recommended="umap_gmm")))
    assert [(r["algorithm"], r["recommended"]) for r in rows] == [
        ("umap_gmm", 1.0),
        ("kmeans", 0.0),
    ]
    # the accuracies play no part: the same rows with them swapped keep the same mark
    swapped = {"kmeans": [run(0.7, 0.2)], "umap_gmm": [run(0.9, 0.1)]}
    assert summarize(swapped, recommended="umap_gmm")[0]["algorithm"] == "umap_gmm"
    assert all(r["recommended"] == 0 for r in summarize(runs))
    with pytest.raises(ValueError, match="recommended clustering 'gmm' has no metrics"):
        summarize(runs, recommended="gmm")
