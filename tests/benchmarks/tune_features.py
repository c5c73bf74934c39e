"""Tuning the features encoder's reduction and the clustering, raw features computed once.

    python tests/benchmarks/tune_features.py [--folders textures ...] [--variants base lbp ...]
        [--seed 0] [--limit 1500]

Each folder (tests/benchmarks/eval_folders.py, read as bench_encoders.py reads it) gets its
raw features once (the schema's settings with every group, LBP included); each variant then
sets group weights, PCA dimensions and whitening (the reducer refitted) and how it is
clustered with K given: UMAP + GMM (the own-images preset's settings with the variant's
UMAP changes) or K-Means on the reduced features. Prints accuracy per folder and variant, and
the mean over the tuning folders and over the held-out ones (eval_folders.HELDOUT).
"""

import argparse
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1] / "scripts"), str(HERE.parents[1] / "tests" / "helpers")]
sys.path.insert(0, str(HERE))

from bench_encoders import FEATURES, PRESET, load_folder  # noqa: E402
from eval_folders import HELDOUT  # noqa: E402

from config_defaults import layered  # noqa: E402
from disturbance import watch  # noqa: E402

# the defaults before this tuning (2026-12-07): no LBP; UMAP as the preset had it then
BEFORE = {"texture": 1.0, "layout": 0.0, "intensity": 0.3, "colour": 1.0, "lbp": 0.0, "hue": 0.0}
BASE = {"weights": BEFORE, "dimensions": 64, "whiten": 0.5}
BASE["umap"] = {"n_components": 10, "gmm_n_init": 1}


def variant(weights=None, umap=None, **changes):
    weights = BASE["weights"] | (weights or {})
    return BASE | changes | {"weights": weights, "umap": BASE["umap"] | (umap or {})}


DIM5_G10 = {"n_components": 5, "gmm_n_init": 10}
VARIANTS = {
    "base": variant(),
    "lbp1": variant({"lbp": 1.0}),
    "lbp05": variant({"lbp": 0.5}),
    "lbp1_int1": variant({"lbp": 1.0, "intensity": 1.0}),
    "lbp1_dim32": variant({"lbp": 1.0}, dimensions=32),
    "lbp1_white1": variant({"lbp": 1.0}, whiten=1.0),
    "lbp1_white0": variant({"lbp": 1.0}, whiten=0.0),
    "lbp1_nn50": variant({"lbp": 1.0}, umap={"n_neighbors": 50}),
    "lbp1_nn10": variant({"lbp": 1.0}, umap={"n_neighbors": 10}),
    "lbp1_kmeans": variant({"lbp": 1.0}, cluster="kmeans"),
    "lbp1_kmeans_white1": variant({"lbp": 1.0}, whiten=1.0, cluster="kmeans"),
    "lbp1_g10": variant({"lbp": 1.0}, umap={"gmm_n_init": 10}),
    "lbp2_g10": variant({"lbp": 2.0}, umap={"gmm_n_init": 10}),
    "lbp1_dim32_g10": variant({"lbp": 1.0}, dimensions=32, umap={"gmm_n_init": 10}),
    "lbp1_nn50_g10": variant({"lbp": 1.0}, umap={"n_neighbors": 50, "gmm_n_init": 10}),
    "lbp1_diag_g10": variant({"lbp": 1.0}, umap={"covariance_type": "diag", "gmm_n_init": 10}),
    "lbp1_dim5_g10": variant({"lbp": 1.0}, umap={"n_components": 5, "gmm_n_init": 10}),
    "lbp1_int1_g10": variant({"lbp": 1.0, "intensity": 1.0}, umap={"gmm_n_init": 10}),
    "lbp1_int06_dim5_g10": variant({"lbp": 1.0, "intensity": 0.6}, umap=DIM5_G10),
    "lbp1_int1_dim5_g10": variant({"lbp": 1.0, "intensity": 1.0}, umap=DIM5_G10),
    "lbp1_col2_dim5_g10": variant({"lbp": 1.0, "colour": 2.0}, umap=DIM5_G10),
    "lbp1_tex05_dim5_g10": variant({"lbp": 1.0, "texture": 0.5}, umap=DIM5_G10),
    "lbp1_hue025_dim5_g10": variant({"lbp": 1.0, "hue": 0.25}, umap=DIM5_G10),
    "lbp1_hue05_dim5_g10": variant({"lbp": 1.0, "hue": 0.5}, umap=DIM5_G10),
    "lbp1_hue1_dim5_g10": variant({"lbp": 1.0, "hue": 1.0}, umap=DIM5_G10),
    "lbp1_nn30_dim5_g10": variant({"lbp": 1.0}, umap=DIM5_G10 | {"n_neighbors": 30}),
}


def raw(images, seed):
    from deepclust.encoders import features

    every = FEATURES | {"weights": {g: 1.0 for g in features.GROUPS}, "device": "cpu"}
    settings = features.FeatureSettings.from_params(every)
    bank = features._bank(images, settings)
    parts = [
        features.raw_features(images[a : a + 500], settings, bank)
        for a in range(0, len(images), 500)
    ]
    return np.concatenate([p[0] for p in parts]), parts[0][1]


def score(x, groups, labels, v, seed):
    from deepclust.cluster import run_algorithm
    from deepclust.encoders.features import GROUPS
    from deepclust.encoders.reduce import apply_reducer, fit_reducer
    from deepclust.metrics import cluster_accuracy

    weights = [v["weights"][g] for g in GROUPS]
    z = apply_reducer(fit_reducer(x, groups, weights, v["dimensions"], v["whiten"]), x)
    k = int(labels.max()) + 1
    name = v.get("cluster", "umap_gmm")
    params = {key: val for key, val in layered(PRESET)["algorithms"][name].items()}
    params.pop("enabled", None)
    params |= {"n_clusters": k} | (v["umap"] if name == "umap_gmm" else {})
    pred, _ = run_algorithm(name, z, params, seed)
    return cluster_accuracy(labels, pred)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    tuning = ["textures", "grey_photo_textures", "photos", "colour_textures"]
    parser.add_argument("--folders", nargs="+", default=tuning + list(HELDOUT))
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=1500)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(2)
    print("| variant | " + " | ".join(args.folders) + " | tuning mean | held-out mean |")
    feats = {}
    for folder in args.folders:
        images, labels = load_folder(folder, args.seed, 64, "pad", args.limit)
        feats[folder] = (*raw(images, args.seed), labels)
    for name in args.variants:
        acc = {f: score(*feats[f], VARIANTS[name], args.seed) for f in args.folders}
        held = [acc[f] for f in args.folders if f in HELDOUT]
        tune = [acc[f] for f in args.folders if f not in HELDOUT]
        cells = " | ".join(f"{acc[f]:.3f}" for f in args.folders)
        means = f"{np.mean(tune) if tune else np.nan:.3f} | {np.mean(held) if held else np.nan:.3f}"
        print(f"| {name} | {cells} | {means} |", flush=True)


if __name__ == "__main__":
    with watch():
        main()
