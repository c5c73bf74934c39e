"""The README's figures: the pipeline's own K-Means gallery (images per cluster) of the first
10,000 MNIST training images, from a real run of the workflow in a scratch copy, and a
screenshot of its cluster explorer page (headless Chromium) with t-SNE of 5,000 of them.

    python docs/make_readme_figure.py [--source ../shared/datasets/mnist] [--limit 10000]
        [--workdir DIR] [--cores 2]

Default config otherwise (784-128-64 autoencoder, 10 epochs, seed 0), DBSCAN off; under a
minute on 2 cores, and the t-SNE. Writes docs/figures/gallery_kmeans.png and explorer.png and
prints K-Means' scores from the run's metrics.json (quoted under the figure).
"""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "helpers"))

from workflow_runner import ROOT, copy_project, snakemake, write_config  # noqa: E402

FIGURES = ("gallery_kmeans.png",)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default=str(ROOT.parent / "shared" / "datasets" / "mnist"))
    parser.add_argument("--limit", type=int, default=10000)
    parser.add_argument("--workdir", help="scratch folder (default: a new temporary one)")
    parser.add_argument("--cores", default="2")
    args = parser.parse_args()

    workdir = copy_project(Path(args.workdir or tempfile.mkdtemp(prefix="deepclust-figure-")))
    config = {
        "datasets": {
            "mnist": {
                "source": str(Path(args.source).resolve()),
                "splits": ["train"],
                "limit": args.limit,
                "cache_dir": str(workdir / "hf_cache"),
            }
        },
        "seeds": [0],
        "autoencoder": {"device": "cpu"},  # CPU: the figure is byte-reproducible
        "algorithms": {"dbscan": {"enabled": False}},
        "tsne": {"n_samples": 5000},
    }
    figures = workdir / "results" / "mnist" / "seed0" / "figures"
    targets = [str((figures / name).relative_to(workdir)) for name in FIGURES]
    targets.append("results/mnist/explorer.html")
    metrics = workdir / "results/mnist/seed0/clusters/kmeans/metrics.json"
    print(f"running the workflow in {workdir} on {args.limit:,} images ...", flush=True)
    snakemake(
        workdir,
        *targets,
        str(metrics.relative_to(workdir)),
        "--cores",
        args.cores,
        "--configfile",
        write_config(workdir, config),
        timeout=1800,
    )
    out = HERE / "figures"
    out.mkdir(exist_ok=True)
    for name in FIGURES:
        shutil.copyfile(figures / name, out / name)
        print(f"wrote {(out / name).relative_to(ROOT)}")
    screenshot(workdir / "results/mnist/explorer.html", out / "explorer.png", workdir)
    print(f"wrote {(out / 'explorer.png').relative_to(ROOT)}")
    scores = json.loads(metrics.read_text())
    print(
        "K-Means on {n:,} images: accuracy {accuracy:.3f}, NMI {nmi:.3f}, "
        "silhouette {silhouette:.3f}".format(n=args.limit, **scores)
    )


def screenshot(page, png, workdir):
    """The page as headless Chromium draws it, the map and legend (cropped, halved)."""
    from PIL import Image

    full = workdir / "explorer_full.png"
    subprocess.run(
        [
            shutil.which("chromium"),
            "--headless",
            "--no-sandbox",
            f"--user-data-dir={workdir / 'chromium'}",
            "--window-size=1300,900",
            "--virtual-time-budget=20000",
            f"--screenshot={full}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    with Image.open(full) as img:
        img.convert("RGB").crop((0, 0, 1300, 880)).reduce(2).save(png, optimize=True)


if __name__ == "__main__":
    main()
