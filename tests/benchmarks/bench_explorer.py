"""Benchmark: the cluster explorer page (rule explorer, deepclust.explorer) at 20,000 points of
28x28 MNIST images: the size of the file and the seconds to build it.

Data: the first --points MNIST training images (local Hub-layout copy), their true labels,
two clusterings (K-Means with 10 clusters on 50 principal components; K-Means with 40
clusters whose farthest 10% of points per cluster are called noise, so that the legend sums
its smallest clusters and shows noise) and, standing in for t-SNE coordinates (the page's
size and time do not depend on where the points lie), the first two principal components.

    python tests/benchmarks/bench_explorer.py [--points 20000] [--repeats 3]
        [--source ../shared/datasets/mnist]

Prints the page's size in bytes and MB, and the seconds of what the rule does after loading
its inputs (choosing the points, encoding the thumbnails, laying out the page with Bokeh,
writing the file): the first run (with the import of Bokeh) and the best of --repeats.
Single-threaded; run it on a machine with nothing else to do.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "tests" / "helpers")]

from deepclust.labels import NOISE  # noqa: E402
from disturbance import watch  # noqa: E402


def inputs(source, n):
    """``(images, true labels, class names, {clustering: labels}, coords)`` of ``n`` images."""
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA

    from deepclust.sources.decode import load_image_dataset

    images, true, names = load_image_dataset(source, ["train"], "image", "label", limit=n)
    pcs = PCA(50, random_state=0).fit_transform(images.reshape(len(images), -1) / 255.0)
    k10 = KMeans(10, n_init=1, random_state=0).fit(pcs).labels_
    k40 = KMeans(40, n_init=1, random_state=0).fit(pcs)
    distance = np.linalg.norm(pcs - k40.cluster_centers_[k40.labels_], axis=1)
    far = np.zeros(len(pcs), bool)
    for k in range(40):
        members = np.flatnonzero(k40.labels_ == k)
        far[members[distance[members] > np.quantile(distance[members], 0.9)]] = True
    noisy = np.where(far, NOISE, k40.labels_)
    clusterings = {"kmeans": k10.astype(np.int64), "kmeans40_noise": noisy.astype(np.int64)}
    return images, true, names, clusterings, pcs[:, :2].astype(np.float32)


def build(images, true, names, clusterings, coords, path):
    """What scripts/explorer.py does after loading its inputs; returns the seconds."""
    from deepclust.explorer import describe, explorer_data, explorer_page, thumbnails
    from deepclust.io import atomic_path

    start = time.perf_counter()
    indices = np.arange(len(images))
    points = explorer_data(indices, coords, clusterings, true, names, len(images), 0)
    page = explorer_page(
        points, thumbnails(images[points["index"]]), "bench", describe(points, 0, "kmeans")
    )
    with atomic_path(path) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=20000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--source", default=str(ROOT.parent / "shared" / "datasets" / "mnist"))
    args = parser.parse_args()
    data = inputs(args.source, args.points)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "explorer.html"
        seconds = [build(*data, path) for _ in range(args.repeats)]
        size = path.stat().st_size
    print(f"explorer page, {len(data[0]):,} points of {data[0].shape[1]}x{data[0].shape[2]} images")
    print(
        f"  size: {size:,} bytes ({size / 1e6:.1f} MB; {size / len(data[0]):.0f} bytes per point)"
    )
    best = min(seconds[1:] or seconds)
    print(
        f"  build: {seconds[0]:.2f} s first (with the Bokeh import), {best:.2f} s best of the rest"
    )


if __name__ == "__main__":
    with watch():
        main()
