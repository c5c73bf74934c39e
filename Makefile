# One command to set up and run, one to test. Works on a fresh Debian/Ubuntu machine.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
CORES ?= all
# A config file layered over config.yaml, e.g. CONFIG=config/presets/mnist-local.yaml
CONFIG ?=
# Extra arguments for snakemake (or pytest for make test / test-fast), e.g. ARGS="-n"
ARGS ?=
# A folder of your own images (or any source), e.g. SOURCE=~/photos: one dataset named after
# it, with config/presets/own-images.yaml (size and K automatic), then CONFIG if given.
SOURCE ?=
SOURCE_CONFIG := .snakemake/source.yaml
# The files layered over config.yaml, in order. make run and make dag check each first (it
# exists and holds a YAML mapping; the error names it) and leave out the empty ones, which
# change nothing (plain Snakemake rejects an empty file without naming it).
CONFIG_FILES := $(if $(SOURCE),config/presets/own-images.yaml $(SOURCE_CONFIG)) $(CONFIG)
CHECK_CONFIG := configs="$$($(BIN)/python scripts/deepclust/configfiles.py $(CONFIG_FILES))"
CONFIG_ARG := $${configs:+--configfile $$configs}
TEX_PACKAGES := latexmk texlive-latex-base texlive-latex-recommended texlive-fonts-recommended lmodern
SYSTEM_PACKAGES := $(TEX_PACKAGES) graphviz chromium
# The test lanes are folders: test-fast runs tests/unit/, where no job runs (tests/conftest.py
# makes a job there fail); tests/workflow/ runs the workflow (markers in pyproject.toml).
# make test and the bench targets wait for this machine-wide lock, so that two of them, from
# any checkout, never run at once (test-fast does not take it).
BENCH_LOCK ?= /tmp/deepclust-bench.lock
LOCKED := flock $(BENCH_LOCK)

.PHONY: setup system-packages run config-files source-config test test-fast config-docs lint dag bench bench-explorer bench-folder bench-quality bench-scale bench-jit compare-runs export clean

setup: $(VENV)/.installed system-packages

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

# TeX (for the PDF report), Graphviz (for the DAG) and Chromium (the test that opens the HTML
# report) via apt when root and missing.
system-packages:
	@if command -v latexmk >/dev/null && command -v dot >/dev/null && command -v chromium >/dev/null && \
		kpsewhich lmodern.sty >/dev/null && kpsewhich booktabs.sty >/dev/null; then \
		exit 0; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing $(SYSTEM_PACKAGES)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES) >/dev/null; \
	else \
		echo "warning: install $(SYSTEM_PACKAGES) (needs root); the report rule fails without a TeX engine," \
			"the HTML report test is skipped without chromium" >&2; \
	fi

run: config-files setup
	@$(CHECK_CONFIG) && set -x && $(BIN)/snakemake --cores $(CORES) $(CONFIG_ARG) $(ARGS)

# Check the config files (CONFIG, and SOURCE's) and print the --configfile argument they make.
config-files: $(VENV)/.installed $(if $(SOURCE),source-config)
	@$(CHECK_CONFIG) && echo "$(CONFIG_ARG)"

# SOURCE as a config file: the dataset is named after the folder (characters a name cannot
# hold become _), the default mnist entry is switched off.
source-config: $(VENV)/.installed
	@mkdir -p $(dir $(SOURCE_CONFIG))
	@$(BIN)/python -c 'import re, sys, yaml; from pathlib import Path; \
		path = Path(sys.argv[1]).expanduser().resolve(); \
		path.is_dir() or sys.exit(f"SOURCE {sys.argv[1]!r} is not a folder"); \
		name = re.sub(r"[^A-Za-z0-9_.-]", "_", path.name).lstrip("._-") or "images"; \
		datasets = {"mnist": {"enabled": False}, name: {"source": str(path)}}; \
		print(yaml.safe_dump({"datasets": datasets}, sort_keys=False), end="")' \
		"$(SOURCE)" > $(SOURCE_CONFIG)
	@echo "$(SOURCE_CONFIG):" && cat $(SOURCE_CONFIG)

# Every lane: unit tests, real Snakemake runs, Slurm, GPU, browser (what CI runs).
test: setup
	$(LOCKED) $(BIN)/python -m pytest -q -rs tests $(ARGS)

# config/README.md, the settings reference, from the schema and config/presets/
config-docs: setup
	$(BIN)/python docs/make_config_reference.py

# Unit tests, static checks and dry runs only: for development (under a minute).
test-fast: $(VENV)/.installed
	$(BIN)/python -m pytest -q -rs tests/unit $(ARGS)

lint: setup
	$(BIN)/snakemake --lint
	PATH=$(abspath $(BIN)):$$PATH snakefmt --check .
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

dag: config-files setup
	@$(CHECK_CONFIG) && set -x && $(BIN)/snakemake --dag $(CONFIG_ARG) | dot -Tsvg > dag.svg
	$(BIN)/snakemake --rulegraph --configfile config/presets/every-step.yaml | dot -Tsvg > workflow/rulegraph.svg

# Full default pipeline on the local MNIST copy, then per-rule wall times.
bench: setup
	$(LOCKED) $(BIN)/python tests/benchmarks/bench_pipeline.py $(ARGS)

# The quality preset (config/presets/quality.yaml), 3 seeds, on one dataset (ARGS="--dataset fashion_mnist";
# also mnist, digits8, mnist16, fashion16, mnist8): scores, seconds per rule, verdict against the goals.
bench-quality: setup
	$(LOCKED) $(BIN)/python tests/benchmarks/bench_quality.py $(ARGS)

# The cluster explorer page at 20,000 points of 28x28 MNIST images (goal: under 25 MB, a few
# seconds): its size and build time.
bench-explorer: setup
	$(LOCKED) $(BIN)/python tests/benchmarks/bench_explorer.py $(ARGS)

# Reading images: Hub-layout decoding against the code before folders came (goal <= 1.5x per
# image) and a folder of 60,000 PNG files (built in .bench-cache/mnist_png; goal <= 30 s).
bench-folder: setup
	$(LOCKED) $(BIN)/python tests/benchmarks/bench_folder.py $(ARGS)

# The default config on 60k, 300k and 1.2M MNIST-like images (built and cached in
# .bench-cache/scale): per-rule time and peak RSS, fitted growth exponents.
# ARGS="--sizes 20000,60000" for a CI-sized run.
bench-scale: setup
	$(LOCKED) $(BIN)/python tests/benchmarks/bench_scale.py $(ARGS)

# numba's compile cost in a cluster job (DBSCAN on its kNN graph, umap_gmm), first and second
# job on a new machine, without and with the cache of pynndescent's and UMAP's functions.
bench-jit: setup
	$(LOCKED) $(BIN)/python tests/benchmarks/bench_jit_cache.py $(ARGS)

# The same config at two git revisions, outputs compared (embeddings, labels byte for byte,
# metrics.json apart from timings), e.g. make compare-runs BASE=445a830
# CONFIG=config/presets/every-step.yaml LIMIT=5000
BASE ?= main
LIMIT ?=
compare-runs: setup
	$(LOCKED) $(BIN)/python tests/benchmarks/compare_runs.py --base $(BASE) \
		$(if $(CONFIG),--configfile $(CONFIG)) $(if $(LIMIT),--limit $(LIMIT)) $(ARGS)

# Sorted copies of a folder source's images, after make run: results/<DATASET>/by_cluster/
# <ALGORITHM>/<cluster>/ as symbolic links to the files (deepclust/export.py), e.g.
# make export DATASET=photos ALGORITHM=kmeans. DATASET and ALGORITHM reach the program in
# its environment (make exports command-line variables), never in the recipe's shell text.
export: $(VENV)/.installed
	PYTHONPATH=scripts $(BIN)/python -m deepclust.export

clean:
	rm -rf results logs benchmarks .snakemake/metadata .snakemake/incomplete
