"""Checks of the validated config that the schema cannot express: what the enabled steps
need of a dataset, an algorithm to run, a self-training base that runs. Each returns or
raises a message naming the setting; the Snakefile turns them into errors before any job."""

from .sources.errors import DatasetError

TSNE_MIN_POINTS = 3  # deepclust.figures.tsne_coordinates refuses fewer


def images_needed(algorithms, tsne):
    """What the enabled steps need: ``[(setting, images)]``, the most demanding first.

    ``algorithms`` and ``tsne`` are the validated config sections. Counted: every
    enabled algorithm's ``n_clusters`` (and umap_gmm's ``over_clusters``), DBSCAN's
    ``min_samples`` and HDBSCAN's
    ``min_cluster_size``/``min_samples``, and t-SNE's minimum of 3 points. With
    ``n_clusters: auto`` it is ``k_min`` that counts: the K sweep caps ``k_max`` at the
    points it sees (:func:`deepclust.kselect.k_candidates`), so any dataset of ``k_min``
    images has a K to choose.
    """
    needs = [("t-SNE's minimum", TSNE_MIN_POINTS)]
    for name, settings in algorithms.items():
        if settings["enabled"]:
            for key in ("n_clusters", "over_clusters", "min_samples", "min_cluster_size"):
                if key in settings and settings[key] == "auto":
                    key = "k_min"
                if key in settings and settings[key] is not None:
                    needs.append((f"algorithms.{name}.{key}", settings[key]))
    return sorted(needs, key=lambda need: -need[1])


def check_enough_images(n_images, needs, dataset):
    """Raise DatasetError when ``n_images`` is fewer than a need of images_needed asks for."""
    short = [(what, n) for what, n in needs if n > n_images]
    if short:
        raise DatasetError(
            f"dataset {dataset!r} has {n_images} image{'s' if n_images != 1 else ''}, fewer than "
            f"the enabled steps need: {', '.join(f'{what} is {n}' for what, n in short)}; "
            f"use a dataset of at least {short[0][1]} images or lower these settings"
        )


def config_problems(config, enabled):
    """Messages (empty: none) about ``config`` (validated, defaults filled in); ``enabled``:
    ``{algorithm: parameters}`` of the enabled algorithms."""
    if not enabled:
        names = list(config["algorithms"])
        return [
            "no algorithm is enabled, so no clustering would run; under algorithms: set "
            f"enabled: true for at least one of {', '.join(names)} "
            f"(e.g. algorithms: {{{names[0]}: {{enabled: true}}}})"
        ]
    problems = []
    needs = images_needed(config["algorithms"], config["tsne"])
    for name, dataset in config["datasets"].items():
        if dataset["enabled"] and dataset["limit"] is not None:
            problems += [
                f"{what} ({n}) is larger than datasets.{name}.limit ({dataset['limit']} images)"
                for what, n in needs
                if n > dataset["limit"]
            ][:1]
    self_training = config["self_training"]
    if self_training["enabled"] and self_training["base"] not in enabled:
        problems.append(
            f"self_training.base is {self_training['base']!r}, which is not an enabled "
            f"algorithm (enabled: {', '.join(enabled) or 'none'})"
        )
    return problems
