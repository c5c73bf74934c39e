"""Gaussian mixture (scikit-learn's), K by BIC when ``n_clusters: auto``."""

import numpy as np
from sklearn.mixture import GaussianMixture

from ..kselect import bic_curve
from ._ksweep import check_n_clusters, chosen, k_is_auto, sweep_points
from ._predict import Mixture


def gmm(x, params, seed):
    """Gaussian mixture (EM, k-means initialisation), the component of highest posterior.

    Fitted in float64 with ``reg_covar`` added to every covariance's diagonal:
    autoencoder codes often span fewer dimensions than the latent size (on the seed's
    64-d MNIST codes the covariance has eigenvalues near 1e-13), and a full covariance
    then fails in float32 with scikit-learn's default 1e-6. ``n_clusters: auto``: the
    number of components of lowest BIC among ``k_min..k_max`` on the swept points.
    """

    def mixture(k):
        return GaussianMixture(
            n_components=k,
            covariance_type=params["covariance_type"],
            n_init=params["n_init"],
            max_iter=params["max_iter"],
            reg_covar=params["reg_covar"],
            random_state=seed,
        )

    x64 = np.asarray(x, dtype=np.float64)
    used = {}
    if k_is_auto(params):
        points, ks, notes = sweep_points(x64, params, seed)
        selection = bic_curve(points, ks, mixture)
        notes += [
            "K of lowest BIC",
            f"the final mixture of {selection.chosen} components fits all {len(x)} points",
        ]
        used = chosen(selection, notes, estimated=len(points) < len(x))
    n_clusters = used.get("n_clusters", params["n_clusters"])
    check_n_clusters(n_clusters, x)
    model = mixture(n_clusters)
    labels = model.fit_predict(x64)
    return labels, used, Mixture(model, x64)
