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
# Values from the user are data: each is taken as written ($(value ...): make expands nothing
# in it) and handed to recipes only in environment variables, never in a recipe's text, so
# no character of a folder name ($HOME, backticks, quotes, spaces, newlines) is expanded or
# run. CONFIG and ARGS are lists in shell syntax ("'my file.yaml' b.yaml"), split by Python's
# shlex, nothing expanded.
override SOURCE := $(value SOURCE)
override SOURCE_CONFIG := $(value SOURCE_CONFIG)
override CONFIG := $(value CONFIG)
override ARGS := $(value ARGS)
override CORES := $(value CORES)
export DEEPCLUST_SOURCE := $(SOURCE)
export DEEPCLUST_SOURCE_CONFIG := $(SOURCE_CONFIG)
export DEEPCLUST_CONFIG := $(CONFIG)
export DEEPCLUST_ARGS := $(ARGS)
export DEEPCLUST_CORES := $(CORES)
# The files layered over config.yaml, in order (own-images and SOURCE's, then CONFIG's). make
# run and make dag check each first (it exists and holds a YAML mapping; the error names it)
# and leave out the empty ones, which change nothing. WITH_ARGS runs a command with ARGS added.
WITH_ARGS := $(BIN)/python scripts/deepclust/configfiles.py --args
WITH_CONFIG := $(BIN)/python scripts/deepclust/configfiles.py --configfiles
TEX_PACKAGES := latexmk texlive-latex-base texlive-latex-recommended texlive-fonts-recommended lmodern
SYSTEM_PACKAGES := $(TEX_PACKAGES) graphviz chromium
# The test lanes are folders: test-fast runs tests/unit/, where no job runs (tests/conftest.py
# makes a job there fail); tests/workflow/ runs the workflow (markers in pyproject.toml).
# make test and the bench targets wait for this machine-wide lock, so that two of them, from
# any checkout, never run at once (test-fast does not take it).
BENCH_LOCK ?= /tmp/deepclust-bench.lock
LOCKED := flock $(BENCH_LOCK)

.PHONY: setup constraints system-packages run snakemake config-files source-config test test-fast config-docs lint dag bench bench-explorer bench-folder bench-quality bench-scale bench-jit bench-encoders compare-runs export clean

setup: $(VENV)/.installed system-packages

$(VENV)/.installed: requirements.txt constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt -c constraints.txt
	touch $@

# After editing requirements.txt: pin what the new install pulled in (torch without its +cpu tag).
constraints: $(VENV)/.installed
	{ grep '^#' constraints.txt; $(BIN)/pip freeze | sed 's/^torch==\([0-9.]*\)+cpu$$/torch==\1/'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	touch $(VENV)/.installed

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
	@$(WITH_CONFIG) --args $(BIN)/snakemake --cores "$$DEEPCLUST_CORES"

# Snakemake as typed in ARGS (ARGS="-n --configfile my.yaml"), each --configfile checked first
# (it exists and holds settings, the error names it; an empty one is left out).
snakemake: $(VENV)/.installed
	@$(BIN)/python scripts/deepclust/configfiles.py --check-args $(BIN)/snakemake

# Check the config files (CONFIG, and SOURCE's) and print the --configfile argument they make.
config-files: $(VENV)/.installed $(if $(SOURCE),source-config)
	@$(BIN)/python scripts/deepclust/configfiles.py --print

# SOURCE as a config file: the dataset is named after the folder (characters a name cannot
# hold become _), the default mnist entry is switched off.
source-config: $(VENV)/.installed
	@$(BIN)/python -c 'import os, re, sys, yaml; from pathlib import Path; \
		given, out = os.environ["DEEPCLUST_SOURCE"], Path(os.environ["DEEPCLUST_SOURCE_CONFIG"]); \
		path = Path(given) if Path(given).exists() else Path(given).expanduser(); \
		path = path.resolve(); path.is_dir() or sys.exit(f"SOURCE {given!r} is not a folder"); \
		name = re.sub(r"[^A-Za-z0-9_.-]", "_", path.name).lstrip("._-") or "images"; \
		datasets = {"mnist": {"enabled": False}, name: {"source": str(path)}}; \
		text = yaml.safe_dump({"datasets": datasets}, sort_keys=False, allow_unicode=True); \
		out.parent.mkdir(parents=True, exist_ok=True); out.write_text(text); \
		print(f"{out}:", text, sep="\n", end="")'

# Every lane: unit tests, real Snakemake runs, Slurm, GPU, browser (what CI runs).
test: setup
	$(LOCKED) $(WITH_ARGS) $(BIN)/python -m pytest -q -rs tests

# config/README.md, the settings reference, from the schema and config/presets/
config-docs: setup
	$(BIN)/python docs/make_config_reference.py

# Unit tests, static checks and dry runs only: for development (under a minute).
test-fast: $(VENV)/.installed
	$(WITH_ARGS) $(BIN)/python -m pytest -q -rs tests/unit

lint: setup
	$(BIN)/snakemake --lint
	PATH=$(abspath $(BIN)):$$PATH snakefmt --check .
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

dag: config-files setup
	@$(BIN)/python scripts/deepclust/configfiles.py --print >/dev/null && \
		$(WITH_CONFIG) $(BIN)/snakemake --dag | dot -Tsvg > dag.svg
	$(BIN)/snakemake --rulegraph --configfile config/presets/every-step.yaml | dot -Tsvg > workflow/rulegraph.svg

# Full default pipeline on the local MNIST copy, then per-rule wall times.
bench: setup
	$(LOCKED) $(WITH_ARGS) $(BIN)/python tests/benchmarks/bench_pipeline.py

# The quality preset (config/presets/quality.yaml), 3 seeds, on one dataset (ARGS="--dataset fashion_mnist";
# also mnist, digits8, mnist16, fashion16, mnist8): scores, seconds per rule, verdict against the goals.
bench-quality: setup
	$(LOCKED) $(WITH_ARGS) $(BIN)/python tests/benchmarks/bench_quality.py

# The cluster explorer page at 20,000 points of 28x28 MNIST images (goal: under 25 MB, a few
# seconds): its size and build time.
bench-explorer: setup
	$(LOCKED) $(WITH_ARGS) $(BIN)/python tests/benchmarks/bench_explorer.py

# Reading images: Hub-layout decoding against the code before folders came (goal <= 1.5x per
# image) and a folder of 60,000 PNG files (built in .bench-cache/mnist_png; goal <= 30 s).
bench-folder: setup
	$(LOCKED) $(WITH_ARGS) $(BIN)/python tests/benchmarks/bench_folder.py

# The default config on 60k, 300k and 1.2M MNIST-like images (built and cached in
# .bench-cache/scale): per-rule time and peak RSS, fitted growth exponents.
# ARGS="--sizes 20000,60000" for a CI-sized run.
bench-scale: setup
	$(LOCKED) $(WITH_ARGS) $(BIN)/python tests/benchmarks/bench_scale.py

# numba's compile cost in a cluster job (DBSCAN on its kNN graph, umap_gmm), first and second
# job on a new machine, without and with the cache of pynndescent's and UMAP's functions.
bench-jit: setup
	$(LOCKED) $(WITH_ARGS) $(BIN)/python tests/benchmarks/bench_jit_cache.py

# The same config at two git revisions, outputs compared (embeddings, labels byte for byte,
# metrics.json apart from timings), e.g. make compare-runs BASE=445a830
# CONFIG=config/presets/every-step.yaml ARGS="--limit 5000"
BASE ?= main
override BASE := $(value BASE)
export DEEPCLUST_BASE := $(BASE)
compare-runs: setup
	$(LOCKED) $(WITH_CONFIG) --args $(BIN)/python tests/benchmarks/compare_runs.py --base "$$DEEPCLUST_BASE"

# Encoders x evaluation folders (built in .bench-cache/eval by tests/benchmarks/eval_folders.py):
# accuracy / NMI / seconds with K given and, with ARGS="--auto", K auto.
bench-encoders: setup
	$(LOCKED) $(WITH_ARGS) $(BIN)/python tests/benchmarks/bench_encoders.py

# Sorted copies of a folder source's images, after make run: results/<DATASET>/by_cluster/
# <ALGORITHM>/<cluster>/ as symbolic links to the files (deepclust/export.py), e.g.
# make export DATASET=photos ALGORITHM=kmeans. DATASET and ALGORITHM reach the program in
# its environment (make exports command-line variables), never in the recipe's shell text.
export: $(VENV)/.installed
	PYTHONPATH=scripts $(BIN)/python -m deepclust.export

clean:
	rm -rf results logs benchmarks .snakemake/metadata .snakemake/incomplete
