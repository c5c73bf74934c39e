"""Encoders x evaluation folders: accuracy / NMI / seconds with K given and with K auto.

    make bench-encoders        # or: python tests/benchmarks/bench_encoders.py
        [--folders textures photos ...] [--encoders features pixels ...] [--seed 0]
        [--limit 1500] [--auto] [--max-side 64] [--fit pad] [--gmm-n-init 1]
        [--features-changes JSON] [--umap JSON]

Each folder of tests/benchmarks/eval_folders.py is read as the workflow reads a user's
folder (survey, size auto up to --max-side, channels auto, fit as the preset says), at most
--limit images (a seeded sample), and encoded by each encoder (the schema's settings, on
the CPU); then clustered with the schema's defaults layered with
config/presets/own-images.yaml: UMAP + GMM and K-Means with K given (the number of class
subfolders), and with --auto also K auto (the preset's criteria), which prints the K
found. Seconds are the encoder's (fit and encode). Encoders: pixels (PCA 50, the issue's
baseline), features, features_layout, features_32, features_whitened (variants),
conv_autoencoder, autoencoder (the preset's), combined (autoencoder + features).
--features-changes layers a JSON object over the features' settings (e.g.
'{"weights": {"lbp": 1}}'); --umap one over the preset's umap_gmm settings. The held-out
folders of eval_folders.py (HELDOUT) are a check: settings are tuned on the others.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "tests" / "helpers"), str(HERE)]

from eval_folders import BUILDERS, build  # noqa: E402

from config_defaults import layered, section_defaults  # noqa: E402
from disturbance import watch  # noqa: E402

PRESET = ROOT / "config" / "presets" / "own-images.yaml"
ARRAYS = ROOT / ".bench-cache" / "eval" / "arrays"


def load_folder(name, seed, max_side, fit, limit):
    """``(images uint8, labels int)`` of folder ``name`` as the workflow fits them."""
    path = ARRAYS / f"{name}-s{seed}-side{max_side}-{fit}.npz"
    if not path.exists():
        from deepclust.sources import choose_target, open_source, write_fitted
        from deepclust.sources.survey import survey

        quiet = lambda _: None  # noqa: E731
        folder = build(name, seed)
        settings = {"source": str(folder), "splits": ["train"], "image_column": "image"}
        settings |= {"label_column": "label", "limit": None}
        source = open_source(settings, None, quiet)
        surveyed = survey(source, "error", 2, log=quiet)
        prep = {"size": "auto", "max_side": max_side, "channels": "auto", "fit": fit}
        target, why = choose_target(surveyed, prep)
        ARRAYS.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".npy")
        values, _ = write_fitted(tmp, source, target, 0, len(source), "error", 2, log=quiet)
        _, labels = np.unique(np.asarray(values), return_inverse=True)
        np.savez(path, images=np.load(tmp), labels=labels)
        tmp.unlink()
    data = np.load(path)
    images, labels = data["images"], data["labels"]
    if limit and len(images) > limit:
        rows = np.sort(np.random.default_rng(seed).choice(len(images), limit, replace=False))
        images, labels = images[rows], labels[rows]
    return images, labels


# The schema's defaults (on the CPU): what encoder features / conv_autoencoder run.
FEATURES = section_defaults("encoders")["features"] | {"device": "cpu"}


def features_encoder(**changes):
    def run(images, seed):
        from deepclust.encoders import features

        settings = features.FeatureSettings.from_params(FEATURES | changes)
        state = features.fit(images, settings, seed, log=lambda _: None)
        return np.concatenate(list(features.encode(state, images, settings)))

    return run


CONV = section_defaults("encoders")["conv_autoencoder"] | {"device": "cpu"}


def conv_autoencoder(images, seed):
    from deepclust.encoders import convae

    settings = convae.ConvAutoencoderSettings.from_params(CONV)
    state = convae.fit(images, settings, seed, log=lambda _: None)
    return np.concatenate(list(convae.encode(state, images, settings)))


_CODES = {}  # (folder's fingerprint, seed) -> the autoencoder's codes, for combined


def autoencoder(images, seed):
    """The fully connected autoencoder with the own-images preset's settings."""
    import hashlib

    from deepclust.model import AutoencoderSettings, encode_images, train_autoencoder

    key = (hashlib.sha256(images.tobytes()).hexdigest(), seed)
    if key not in _CODES:
        params = layered(PRESET)["autoencoder"] | {"device": "cpu"}
        settings = AutoencoderSettings.from_params(params)
        model, _ = train_autoencoder(images, settings, seed, log=_quiet)
        _CODES[key] = np.concatenate(list(encode_images(model, images, params["scaling"])))
    return _CODES[key]


def combined(images, seed):
    """The autoencoder's codes beside the features, each weighted 1 (the schema's views;
    the autoencoder's codes are reused when it ran on the folder just before)."""
    from deepclust.encoders.combined import combine, fit_combination

    views = [autoencoder(images, seed), ENCODERS["features"](images, seed)]
    return combine(fit_combination(views, [1.0, 1.0]), views)


def _quiet(_):
    pass


def pixels_pca(images, seed):
    """Raw pixels in [0, 1], PCA 50 (the issue's baseline)."""
    from sklearn.decomposition import PCA

    x = images.reshape(len(images), -1).astype(np.float32) / 255
    return PCA(50, random_state=seed).fit_transform(x).astype(np.float32)


ENCODERS = {
    "pixels": pixels_pca,
    "features": features_encoder(),
    "features_layout": features_encoder(weights=FEATURES["weights"] | {"layout": 1.0}),
    "features_32": features_encoder(dimensions=32),
    "features_whitened": features_encoder(whiten=1.0),
    "conv_autoencoder": conv_autoencoder,
    "autoencoder": autoencoder,
    "combined": combined,
}


def cluster_scores(x, labels, seed, auto, gmm_n_init, umap=None):
    """``{(algorithm, "given"|"auto"): (accuracy, nmi, k)}``."""
    from sklearn.metrics import normalized_mutual_info_score

    from deepclust.cluster import run_algorithm
    from deepclust.metrics import cluster_accuracy

    config = layered(PRESET)["algorithms"]
    k = int(labels.max()) + 1
    runs = {}
    for name in ("umap_gmm", "kmeans"):
        params = {key: v for key, v in config[name].items() if key != "enabled"}
        if name == "umap_gmm" and gmm_n_init:
            params["gmm_n_init"] = gmm_n_init
        if name == "umap_gmm" and umap:
            params |= umap
        for mode in ("given", "auto") if auto else ("given",):
            used = params | ({"n_clusters": k} if mode == "given" else {})
            pred, _ = run_algorithm(name, x, used, seed)
            nmi = normalized_mutual_info_score(labels, pred)
            runs[name, mode] = (cluster_accuracy(labels, pred), nmi, len(np.unique(pred)))
    return runs


def throughput(n, seed):
    """Seconds of the features encoder (fit on its sample, then encode) on the first ``n``
    MNIST training images (28 x 28 grey), and the time this gives for 1.2 million."""
    from deepclust.encoders import features
    from deepclust.sources import load_image_dataset

    source = ROOT.parent / "shared" / "datasets" / "mnist"
    images, _, _ = load_image_dataset(str(source), ["train"], "image", "label", limit=n, n_jobs=2)
    settings = features.FeatureSettings.from_params(FEATURES)
    start = time.perf_counter()
    state = features.fit(images, settings, seed, log=_quiet)
    fitted = time.perf_counter()
    for _ in features.encode(state, images, settings):
        pass
    encode = time.perf_counter() - fitted
    total = (fitted - start) + encode * 1_200_000 / n
    print(
        f"features on {n} MNIST images: fit {fitted - start:.1f} s, encode {encode:.1f} s "
        f"({n / encode:.0f} images/s); 1.2 million: about {total / 60:.1f} min (goal <= 15)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folders", nargs="+", default=list(BUILDERS), choices=list(BUILDERS))
    parser.add_argument("--encoders", nargs="+", default=["pixels", "features"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=1500)
    parser.add_argument("--max-side", type=int, default=64)
    parser.add_argument(
        "--fit",
        default=layered(PRESET)["preprocessing"]["fit"],
        choices=["pad", "crop", "stretch"],
        help="how images become one size (default: the preset's)",
    )
    parser.add_argument("--gmm-n-init", type=int, help="UMAP + GMM's restarts (preset's)")
    parser.add_argument("--auto", action="store_true", help="also K auto")
    parser.add_argument("--features-changes", type=json.loads, default={}, metavar="JSON")
    parser.add_argument("--umap", type=json.loads, default={}, metavar="JSON")
    parser.add_argument(
        "--throughput", type=int, metavar="N", help="only time the features on N MNIST images"
    )
    args = parser.parse_args()
    import torch

    torch.set_num_threads(2)
    if args.features_changes:
        changes = args.features_changes
        if "weights" in changes:
            changes = changes | {"weights": FEATURES["weights"] | changes["weights"]}
        ENCODERS["features"] = features_encoder(**changes)
    if args.throughput:
        return throughput(args.throughput, args.seed)
    header = "| folder | encoder | seconds | UMAP+GMM acc / NMI | K-Means acc / NMI |"
    if args.auto:
        header += " UMAP+GMM auto: K, acc | K-Means auto: K, acc |"
    print(header, flush=True)
    for folder in args.folders:
        images, labels = load_folder(folder, args.seed, args.max_side, args.fit, args.limit)
        for encoder in args.encoders:
            start = time.perf_counter()
            x = ENCODERS[encoder](images, args.seed)
            seconds = time.perf_counter() - start
            runs = cluster_scores(x, labels, args.seed, args.auto, args.gmm_n_init, args.umap)
            row = f"| {folder} ({len(images)}, {images.shape[1:]}) | {encoder} | {seconds:.1f} |"
            for name in ("umap_gmm", "kmeans"):
                acc, nmi, _ = runs[name, "given"]
                row += f" {acc:.3f} / {nmi:.3f} |"
            if args.auto:
                for name in ("umap_gmm", "kmeans"):
                    acc, _, k = runs[name, "auto"]
                    row += f" {k}, {acc:.3f} |"
            print(row, flush=True)


if __name__ == "__main__":
    with watch():
        main()
