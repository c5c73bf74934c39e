"""Ablation: a second, fixed view of the images (wavelet scattering coefficients, no
training) clustered like the quality preset's embedding: UMAP, a mixture, merging.

    python tests/benchmarks/ablation_scattering.py [--dataset fashion_mnist] [--seed 0]
        [--deskew] [--pca 100] [--over 10 20] [--n-init 3 10] [--neighbors 20]
        [--views scattering [autoencoder]] [--composition] [--cache DIR]

Needs kymatio (``pip install kymatio==0.3.0``; not a pipeline requirement).

Features: the images scaled to [0, 1], padded to a multiple of 4 (32 x 32 for 28 x 28),
second-order scattering (J=2, L=8: 81 channels of 8 x 8), log(1 + 50 x), standardised,
PCA to ``--pca`` dimensions; then the umap_gmm defaults of the schema (UMAP 10-d, 20
neighbours, min_dist 0) and a full-covariance mixture, merged to 10 by kNN connectivity
when it has more components. The PCA features are cached in DIR (default .bench-cache/).
Prints each variant's accuracy, NMI, largest clusters and seconds.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "tests" / "helpers")]

from ablation_overcluster import print_variant  # noqa: E402

from config_defaults import algorithm_defaults  # noqa: E402
from deepclust.cluster import umap_embed  # noqa: E402
from disturbance import watch  # noqa: E402


def scattering_features(images, pca, seed, batch=2000):
    """float32 ``(N, pca)``: log scattering coefficients, standardised, PCA-reduced."""
    import torch
    from kymatio.scattering2d.frontend.torch_frontend import ScatteringTorch2D
    from sklearn.decomposition import PCA

    h, w = images.shape[1:3]
    pad_h, pad_w = (-h) % 4 or 4, (-w) % 4 or 4
    shape = (h + pad_h, w + pad_w)
    transform = ScatteringTorch2D(J=2, shape=shape, L=8)
    parts = []
    with torch.no_grad():
        for start in range(0, len(images), batch):
            x = torch.from_numpy(images[start : start + batch].astype(np.float32) / 255.0)
            x = torch.nn.functional.pad(
                x, (pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2)
            )
            parts.append(transform(x).reshape(len(x), -1).numpy())
    features = np.log1p(50.0 * np.concatenate(parts))
    features = (features - features.mean(0)) / (features.std(0) + 1e-6)
    return PCA(pca, svd_solver="randomized", random_state=seed).fit_transform(features)


def features(dataset, seed, pca, deskewed, cache):
    """``(features, labels)`` of all 70,000 images, computed once and cached."""
    tag = f"scattering_{dataset}_pca{pca}{'_deskew' if deskewed else ''}_seed{seed}"
    path, labels_path = cache / f"{tag}.npy", cache / f"labels_{dataset}.npy"
    if path.exists() and labels_path.exists():
        return np.load(path), np.load(labels_path)
    from deepclust.preprocess import deskew
    from deepclust.sources.decode import load_image_dataset

    source = ROOT.parent / "shared" / "datasets" / dataset
    images, labels, _ = load_image_dataset(
        str(source), ["train", "test"], "image", "label", n_jobs=2
    )
    if deskewed:
        images = deskew(images)
    start = time.perf_counter()
    x = scattering_features(images, pca, seed).astype(np.float32)
    print(f"scattering + PCA of {len(x)} images: {time.perf_counter() - start:.0f} s", flush=True)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, x)
    np.save(labels_path, labels)
    return x, labels


def autoencoder_codes(dataset, seed, cache):
    """The quality preset's seed-``seed`` autoencoder codes of the deskewed images, cached."""
    path = cache / f"codes_{dataset}_seed{seed}.npy"
    if path.exists():
        return np.load(path)
    from config_defaults import section_defaults
    from deepclust.model import AutoencoderSettings, encode, scale_images, train_autoencoder
    from deepclust.preprocess import deskew
    from deepclust.sources.decode import load_image_dataset

    source = ROOT.parent / "shared" / "datasets" / dataset
    images, _, _ = load_image_dataset(str(source), ["train", "test"], "image", "label", n_jobs=2)
    x = scale_images(deskew(images), "symmetric").reshape(len(images), -1)
    params = section_defaults("autoencoder") | {"device": "cpu"}
    model, _ = train_autoencoder(x, AutoencoderSettings.from_params(params), seed, log=print)
    codes = encode(model, x)
    np.save(path, codes)
    return codes


def standardised(x):
    """Columns to mean 0, and the whole block to unit mean variance (blocks weigh alike)."""
    x = x - x.mean(0)
    return (x / np.sqrt((x**2).sum(1).mean())).astype(np.float32)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="fashion_mnist", help="mnist or fashion_mnist")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pca", type=int, default=100)
    parser.add_argument("--deskew", action="store_true")
    parser.add_argument("--over", type=int, nargs="+", default=[10, 20])
    parser.add_argument("--n-init", type=int, nargs="+", default=[3, 10])
    parser.add_argument("--neighbors", type=int, nargs="+", default=[20], help="UMAP's")
    parser.add_argument("--composition", action="store_true", help="classes in each cluster")
    parser.add_argument("--cache", type=Path, default=ROOT / ".bench-cache")
    parser.add_argument(
        "--views",
        nargs="+",
        default=["scattering"],
        choices=["scattering", "autoencoder"],
        help="features clustered: one view, or both side by side (each block standardised)",
    )
    args = parser.parse_args()
    import torch

    torch.set_num_threads(2)
    x, truth = features(args.dataset, args.seed, args.pca, args.deskew, args.cache)
    blocks = {"scattering": x}
    if "autoencoder" in args.views:
        blocks["autoencoder"] = autoencoder_codes(args.dataset, args.seed, args.cache)
    if len(args.views) == 1:  # as they are: UMAP's layout changes with any rescaling
        x = blocks[args.views[0]]
    else:
        x = np.hstack([standardised(blocks[v]) for v in args.views])
    print(f"views {args.views}: {x.shape[1]} features")
    for n_neighbors in args.neighbors:
        params = algorithm_defaults("umap_gmm") | {"n_neighbors": n_neighbors}
        start = time.perf_counter()
        z = umap_embed(x, params, args.seed)
        seconds = time.perf_counter() - start
        print(
            f"{args.dataset}, seed {args.seed}, {len(z)} images; UMAP with {n_neighbors} "
            f"neighbours {seconds:.0f} s"
        )
        for over in args.over:
            for n_init in args.n_init:
                print_variant(
                    z, truth, over, n_init, params["merge_neighbors"], args.seed, args.composition
                )


if __name__ == "__main__":
    with watch():
        main()
