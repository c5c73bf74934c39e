"""The names of clusterings that are not an algorithm's own: a self-trained relabelling and
a consensus of seeds, and the display name of any clustering. Imports nothing: the Snakefile
reads it at parse time, and a script that needs only names pulls in no other module."""

SELF_TRAINED_SUFFIX = "_selftrain"
CONSENSUS_SUFFIX = "_consensus"


def self_trained(base):
    """The name of the self-trained relabelling of clustering ``base``."""
    return base + SELF_TRAINED_SUFFIX


def consensus_of(clustering):
    """The name of the consensus of ``clustering``'s seeds."""
    return clustering + CONSENSUS_SUFFIX


def title(name, titles):
    """Display name of a clustering: its algorithm's title in ``titles`` (the registry's,
    deepclust.cluster.TITLES), its base's plus self-training, or the consensus of a
    clustering's seeds."""
    if name.endswith(CONSENSUS_SUFFIX):
        return f"{title(name.removesuffix(CONSENSUS_SUFFIX), titles)}, consensus of seeds"
    if name.endswith(SELF_TRAINED_SUFFIX):
        return f"{title(name.removesuffix(SELF_TRAINED_SUFFIX), titles)} + self-training"
    return titles.get(name, name)


def recommended_first(by_clustering, pick):
    """``by_clustering`` (a dict keyed by clustering name) with ``pick`` first, the others
    in their order: every table, figure and colouring shows the recommended one first."""
    return dict(sorted(by_clustering.items(), key=lambda item: item[0] != pick))
