"""The README's figure: the pipeline's own K-Means gallery (images per cluster) of the first
10,000 MNIST training images, from a real run of the workflow in a scratch copy.

    python docs/make_readme_figure.py [--source ../shared/datasets/mnist] [--limit 10000]
        [--workdir DIR] [--cores 2]

Default config otherwise (784-128-64 autoencoder, 10 epochs, seed 0), DBSCAN off; under a
minute on 2 cores. Writes docs/figures/gallery_kmeans.png and prints K-Means' scores from
the run's metrics.json (quoted under the figure).
"""

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

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
    }
    figures = workdir / "results" / "mnist" / "seed0" / "figures"
    targets = [str((figures / name).relative_to(workdir)) for name in FIGURES]
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
    scores = json.loads(metrics.read_text())
    print(
        "K-Means on {n:,} images: accuracy {accuracy:.3f}, NMI {nmi:.3f}, "
        "silhouette {silhouette:.3f}".format(n=args.limit, **scores)
    )


if __name__ == "__main__":
    main()
