"""Benchmark: the 2-D map of every image (deepclust.map2d, openTSNE) at 60,000 MNIST images on
2 threads: seconds, and how well the map keeps the classes apart.

Data: the first --points MNIST training images (local Hub-layout copy); standing in for the
autoencoder's 64-D embeddings, their first 64 principal components (t-SNE's cost depends on
the number of points, barely on where they come from).

    python tests/benchmarks/bench_map.py [--points 60000] [--threads 2]
        [--source ../shared/datasets/mnist]

Prints the seconds of tsne_map (after the inputs are loaded; openTSNE's import included)
and the share of points whose 10 nearest neighbours on the map mostly share their class.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT / "scripts"), str(HERE)]

from disturbance import watch  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=60000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--source", default=str(ROOT.parent / "shared" / "datasets" / "mnist"))
    args = parser.parse_args()
    from sklearn.decomposition import PCA
    from sklearn.neighbors import KNeighborsClassifier
    from threadpoolctl import threadpool_limits

    from deepclust.sources import load_image_dataset

    images, true, _ = load_image_dataset(
        args.source, ["train"], "image", "label", limit=args.points
    )
    with threadpool_limits(args.threads):
        x = PCA(64, random_state=0).fit_transform(images.reshape(len(images), -1) / 255.0)
        start = time.perf_counter()
        from deepclust.map2d import tsne_map

        rows, coords = tsne_map(x.astype(np.float32), args.points, 0, 30, args.threads)
        seconds = time.perf_counter() - start
        knn = KNeighborsClassifier(11).fit(coords, true[rows])
        # each point's 10 nearest others (itself is the first of its 11)
        votes = true[rows][knn.kneighbors(coords, return_distance=False)[:, 1:]]
        agree = np.mean((votes == true[rows][:, None]).mean(axis=1) > 0.5)
    print(f"map of {len(rows):,} points ({x.shape[1]}-D) on {args.threads} threads")
    print(f"  tsne_map: {seconds:.1f} s")
    print(f"  points whose 10 nearest on the map mostly share their class: {agree:.3f}")


if __name__ == "__main__":
    with watch():
        main()
