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
    images has a K to choose. Except where ``k_max`` is a count of mixture components
    (``over_clusters: null`` with ``auto``, umap_gmm): those are fitted to the images, so
    ``k_max`` counts.
    """
    needs = [("t-SNE's minimum", TSNE_MIN_POINTS)]
    for name, settings in algorithms.items():
        if settings["enabled"]:
            for key in ("n_clusters", "over_clusters", "min_samples", "min_cluster_size"):
                if key in settings and settings[key] == "auto":
                    key = "k_min"
                if key == "over_clusters" and key in settings and settings[key] is None:
                    key = "k_max" if is_auto(settings) else key
                if key in settings and settings[key] is not None:
                    needs.append((f"algorithms.{name}.{key}", settings[key]))
    return sorted(needs, key=lambda need: -need[1])


def is_auto(settings):
    return "n_clusters" in settings and settings["n_clusters"] == "auto"


def k_range_problems(algorithms):
    """Messages on the enabled algorithms' ``k_min``/``k_max``/``over_clusters`` that no
    dataset could satisfy (the cluster job would fail on them after training)."""
    problems = []
    for name, settings in algorithms.items():
        if not settings["enabled"] or "k_min" not in settings:
            continue
        key = f"algorithms.{name}"
        if settings["k_min"] > settings["k_max"]:
            problems.append(
                f"{key}.k_min ({settings['k_min']}) is larger than {key}.k_max "
                f"({settings['k_max']}): n_clusters: auto chooses K among k_min..k_max"
            )
        fewest = "k_min" if is_auto(settings) else "n_clusters"
        over = settings["over_clusters"] if "over_clusters" in settings else None  # noqa: SIM401
        if over is not None and over < settings[fewest]:
            problems.append(
                f"{key}.over_clusters ({over}) is smaller than {key}.{fewest} "
                f"({settings[fewest]}): the components are merged down to the clusters"
            )
    return problems


def check_enough_images(n_images, needs, dataset):
    """Raise DatasetError when ``n_images`` is fewer than a need of images_needed asks for."""
    short = [(what, n) for what, n in needs if n > n_images]
    if short:
        raise DatasetError(
            f"dataset {dataset!r} has {n_images} image{'s' if n_images != 1 else ''}, fewer than "
            f"the enabled steps need: {', '.join(f'{what} is {n}' for what, n in short)}; "
            f"use a dataset of at least {short[0][1]} images or lower these settings"
        )


def follower_problems(datasets):
    """Messages on the enabled datasets' ``assign_to``: it must name another enabled dataset
    of the config that follows none (no chains), and a follower's own ``deskew``, if set,
    must be the followed dataset's (its images go through the same encoder)."""
    problems = []
    for name, dataset in datasets.items():
        target = dataset["assign_to"]
        if not dataset["enabled"] or target is None:
            continue
        key = f"datasets.{name}.assign_to"
        if target == name:
            problems.append(f"{key} names the dataset itself; name another dataset to follow")
        elif target not in datasets:
            problems.append(
                f"{key} is {target!r}, which is not a dataset of this config "
                f"(datasets: {', '.join(datasets)})"
            )
        elif not datasets[target]["enabled"]:
            problems.append(f"{key} is {target!r}, which is not enabled (datasets.{target})")
        elif datasets[target]["assign_to"] is not None:
            problems.append(
                f"{key} is {target!r}, which itself follows "
                f"{datasets[target]['assign_to']!r} (no chains): follow that one directly"
            )
        elif dataset["deskew"] is not None and dataset["deskew"] != datasets[target]["deskew"]:
            problems.append(
                f"datasets.{name}.deskew ({dataset['deskew']}) differs from datasets.{target}"
                f".deskew ({datasets[target]['deskew']}): a follower is preprocessed as the "
                "dataset it follows; leave it null"
            )
    return problems


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
    problems = k_range_problems(config["algorithms"]) + follower_problems(config["datasets"])
    needs = images_needed(config["algorithms"], config["tsne"])
    for name, dataset in config["datasets"].items():
        if dataset["enabled"] and dataset["limit"] is not None and not dataset["assign_to"]:
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
