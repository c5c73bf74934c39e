"""How steady umap_gmm's ``n_clusters: auto`` is across seeds on the unit tests' blobs.

    python tests/benchmarks/umap_gmm_k_by_seed.py [--seeds 12] [--criteria median ...]

For each k_criterion, the K chosen on blobs of (3 in 10-d, 5 in 32-d, 8 in 64-d) under
seeds 0..N-1, with tests/unit/test_kselect.py's settings, and how many seeds found the
true K. Tells which criterion a unit test can pin without depending on one seed's UMAP.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [
    str(ROOT / "scripts"),
    str(ROOT / "tests" / "helpers"),
    str(ROOT / "tests" / "unit"),
]

from test_kselect import AUTO, SETTINGS, blobs  # noqa: E402

from config_defaults import algorithm_defaults  # noqa: E402
from deepclust.cluster import run_algorithm  # noqa: E402

CASES = [(3, 10), (5, 32), (8, 64)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=12)
    parser.add_argument(
        "--criteria", nargs="+", default=["prediction_strength", "merge_gap", "median"]
    )
    args = parser.parse_args()
    base = algorithm_defaults("umap_gmm") | SETTINGS["umap_gmm"] | AUTO
    for criterion in args.criteria:
        right = 0
        for k, dim in CASES:
            x, _ = blobs(k, dim, seed=k)
            found = [
                run_algorithm("umap_gmm", x, base | {"k_criterion": criterion}, seed=s)[1][
                    "n_clusters"
                ]
                for s in range(args.seeds)
            ]
            right += found.count(k)
            print(f"{criterion:20s} K={k} in {dim}-d: {found}", flush=True)
        print(f"{criterion:20s} true K on {right} of {len(CASES) * args.seeds}", flush=True)


if __name__ == "__main__":
    main()
