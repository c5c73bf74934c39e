"""The algorithm registry, as data: each algorithm's name, the module and function that run
it, its display title and its diagnostic figures. Imports nothing but the standard library:
the workflow reads it at parse time, and running an algorithm imports only its own module."""

from dataclasses import dataclass

# A diagnostic figure drawn only when a setting has a value: (setting, value).
K_AUTO = ("n_clusters", "auto")


@dataclass(frozen=True)
class Algorithm:
    """One registry entry. ``module``: where ``function`` lives, relative to this package
    (``"._kmeans"``) or absolute. ``diagnostics``: names of figures (keys of
    deepclust.diagnostics.FIGURES), each drawn always, or ``(figure, (setting, value))``
    drawn when the algorithm's ``params[setting] == value``."""

    name: str
    module: str
    function: str
    title: str
    diagnostics: tuple = ()

    @property
    def figures(self):
        """The names of the declared diagnostic figures."""
        return tuple(entry if isinstance(entry, str) else entry[0] for entry in self.diagnostics)


REGISTRY = {
    entry.name: entry
    for entry in (
        Algorithm("kmeans", "._kmeans", "kmeans", "K-Means", (("kselection", K_AUTO),)),
        Algorithm("dbscan", "._dbscan", "dbscan", "DBSCAN", ("kdistance",)),
        Algorithm("gmm", "._gmm", "gmm", "Gaussian mixture", (("kselection", K_AUTO),)),
        Algorithm(
            "agglomerative",
            "._agglomerative",
            "agglomerative",
            "Ward (kNN graph)",
            (("kselection", K_AUTO),),
        ),
        Algorithm("hdbscan", "._hdbscan", "hdbscan", "HDBSCAN"),
        Algorithm(
            "umap_gmm", "._umap_gmm", "umap_gmm", "UMAP + GMM (N2D)", (("kselection", K_AUTO),)
        ),
    )
}


# Algorithm name -> its display name in figures and reports.
TITLES = {name: entry.title for name, entry in REGISTRY.items()}
# Algorithm name -> the names of its diagnostic figures.
DIAGNOSTICS = {name: entry.figures for name, entry in REGISTRY.items()}


def diagnostic_figures(name, params):
    """The diagnostic figures algorithm ``name`` draws with settings ``params`` (its
    validated block without ``enabled``): every declared one whose condition holds."""
    if name not in REGISTRY:
        return []
    return [
        entry if isinstance(entry, str) else entry[0]
        for entry in REGISTRY[name].diagnostics
        if isinstance(entry, str) or params[entry[1][0]] == entry[1][1]
    ]
