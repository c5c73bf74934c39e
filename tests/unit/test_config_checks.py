import pytest

from deepclust.config_checks import check_enough_images, config_problems, images_needed
from deepclust.sources import DatasetError


def test_images_needed_counts_enabled_steps_only():
    algorithms = {
        "kmeans": {"enabled": True, "n_clusters": 10, "n_init": 1},
        "dbscan": {"enabled": True, "eps": 3.0, "min_samples": 5},
        "gmm": {"enabled": False, "n_clusters": 50},
        "hdbscan": {"enabled": True, "min_cluster_size": 20, "min_samples": None},
        "umap_gmm": {"enabled": True, "n_clusters": 10, "over_clusters": 12},
    }
    needs = images_needed(algorithms, {"n_samples": 1000, "perplexity": 30.0})
    assert needs[1] == ("algorithms.umap_gmm.over_clusters", 12)
    del algorithms["umap_gmm"]
    needs = images_needed(algorithms, {"n_samples": 1000, "perplexity": 30.0})
    assert needs == [
        ("algorithms.hdbscan.min_cluster_size", 20),
        ("algorithms.kmeans.n_clusters", 10),
        ("algorithms.dbscan.min_samples", 5),
        ("t-SNE's minimum", 3),
    ]
    check_enough_images(20, needs, "mnist")
    with pytest.raises(
        DatasetError,
        match=(
            r"dataset 'mnist' has 1 image, fewer than the enabled steps need: "
            r"algorithms.hdbscan.min_cluster_size is 20, "
            r"algorithms.kmeans.n_clusters is 10, algorithms.dbscan.min_samples is 5, "
            r"t-SNE's minimum is 3; "
            r"use a dataset of at least 20 images or lower these settings"
        ),
    ):
        check_enough_images(1, needs, "mnist")


def config(**changes):
    base = {
        "algorithms": {
            "kmeans": {"enabled": True, "n_clusters": 10},
            "dbscan": {"enabled": True, "min_samples": 5},
        },
        "tsne": {"n_samples": 1000},
        "datasets": {"mnist": {"enabled": True, "limit": None, "assign_to": None, "deskew": None}},
        "self_training": {"enabled": False, "base": "umap_gmm"},
    }
    return base | changes


def enabled(config):
    return {name: a for name, a in config["algorithms"].items() if a["enabled"]}


def test_a_sound_config_has_no_problems():
    assert config_problems(config(), enabled(config())) == []


def test_no_enabled_algorithm_names_how_to_enable_one():
    problems = config_problems(config(), {})
    assert problems == [
        "no algorithm is enabled, so no clustering would run; under algorithms: set enabled: "
        "true for at least one of kmeans, dbscan (e.g. algorithms: {kmeans: {enabled: true}})"
    ]


def test_a_limit_below_a_need_names_the_most_demanding_setting_per_dataset():
    datasets = {
        "mnist": {"enabled": True, "limit": 4, "assign_to": None, "deskew": None},
        "off": {"enabled": False, "limit": 1, "assign_to": None, "deskew": None},
        "small": {"enabled": True, "limit": 7, "assign_to": None, "deskew": None},
    }
    c = config(datasets=datasets)
    assert config_problems(c, enabled(c)) == [
        "algorithms.kmeans.n_clusters (10) is larger than datasets.mnist.limit (4 images)",
        "algorithms.kmeans.n_clusters (10) is larger than datasets.small.limit (7 images)",
    ]


def test_self_training_on_an_algorithm_that_does_not_run():
    c = config(self_training={"enabled": True, "base": "umap_gmm"})
    assert config_problems(c, enabled(c)) == [
        "self_training.base is 'umap_gmm', which is not an enabled algorithm "
        "(enabled: kmeans, dbscan)"
    ]


def test_k_min_above_k_max_and_too_few_components_are_named_before_any_job():
    algorithms = {
        "kmeans": {"enabled": True, "n_clusters": "auto", "k_min": 12, "k_max": 8},
        "gmm": {"enabled": False, "n_clusters": "auto", "k_min": 9, "k_max": 3},  # off: fine
        "umap_gmm": {
            "enabled": True,
            "n_clusters": "auto",
            "k_min": 4,
            "k_max": 20,
            "over_clusters": 3,
        },
    }
    problems = config_problems(
        config(algorithms=algorithms), enabled(config(algorithms=algorithms))
    )
    assert problems == [
        "algorithms.kmeans.k_min (12) is larger than algorithms.kmeans.k_max (8): "
        "n_clusters: auto chooses K among k_min..k_max",
        "algorithms.umap_gmm.over_clusters (3) is smaller than algorithms.umap_gmm.k_min (4): "
        "the components are merged down to the clusters",
    ]


def test_auto_counts_k_max_where_it_is_a_number_of_mixture_components():
    """umap_gmm's auto fits k_max components when over_clusters is null: a folder of 5
    images is refused by the survey's count, naming the key (K-Means caps its sweep)."""
    algorithms = {
        "kmeans": {"enabled": True, "n_clusters": "auto", "k_min": 2, "k_max": 20},
        "umap_gmm": {
            "enabled": True,
            "n_clusters": "auto",
            "k_min": 2,
            "k_max": 20,
            "over_clusters": None,
        },
    }
    needs = images_needed(algorithms, {"n_samples": 1000})
    assert needs[0] == ("algorithms.umap_gmm.k_max", 20)
    assert ("algorithms.kmeans.k_min", 2) in needs
    with pytest.raises(DatasetError, match=r"has 5 images, .*algorithms.umap_gmm.k_max is 20"):
        check_enough_images(5, needs, "photos")


def follower(target="mnist", **changes):
    return {"enabled": True, "limit": None, "assign_to": target, "deskew": None} | changes


@pytest.mark.parametrize(
    ("datasets", "problem"),
    [
        ({"new": follower("new")}, "datasets.new.assign_to names the dataset itself"),
        ({"new": follower("nope")}, "datasets.new.assign_to is 'nope', which is not a dataset"),
        (
            {"new": follower(), "off": follower(enabled=False, assign_to=None)},
            None,
        ),
        (
            {"new": follower("off"), "off": follower(None, enabled=False)},
            "datasets.new.assign_to is 'off', which is not enabled",
        ),
        (
            {"a": follower(), "b": follower("a")},
            "datasets.b.assign_to is 'a', which itself follows",
        ),
        ({"new": follower(deskew=True)}, "datasets.new.deskew (True) differs from datasets.mnist"),
        # a follower needs no more images than the clusterings (its limit is not checked)
        ({"new": follower(limit=2)}, None),
    ],
)
def test_assign_to_names_another_enabled_dataset_that_follows_none(datasets, problem):
    c = config()
    c["datasets"] = c["datasets"] | datasets
    problems = config_problems(c, enabled(c))
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problems[0].startswith(problem), problems
