# kimi-research: `make` lists the targets. Every target sets up .venv itself when missing.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
BUILD   := build
JOBS    ?= 2
STAMP   := $(VENV)/.installed
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc

# Keep every tool's state inside build/, not in the user's home. The caches survive
# `make clean` (they are not outputs); `make distclean` removes them with .venv.
CACHE   := $(CURDIR)/build/cache
export MPLCONFIGDIR        := $(CACHE)/matplotlib
export IPYTHONDIR          := $(CACHE)/ipython
export JUPYTER_RUNTIME_DIR := $(CACHE)/jupyter-runtime
export JUPYTER_CONFIG_DIR  := $(CACHE)/jupyter-config
export KIMI_RESEARCH_BUILD_DIR := $(abspath $(BUILD))
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export PYTHONDONTWRITEBYTECODE := 1

# Heaviest first (the later notebooks draw the most charts): the two workers finish together.
NOTEBOOKS := $(shell ls -r notebooks/[0-9][0-9]_*.ipynb 2>/dev/null)
NAMES     := $(notdir $(basename $(NOTEBOOKS)))
EXECUTED  := $(NAMES:%=$(BUILD)/executed/%.ipynb)
LIB_SRC   := $(shell find lib -name '*.py' -not -path '*/__pycache__/*' 2>/dev/null)
DATA      := $(wildcard data/*.csv data/sources/*)

.PHONY: help setup run test lab slides pdf lint format clean distclean dictionary bench sweep check-data scenarios bench-scenarios

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | sort | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

setup: $(STAMP) ## Create .venv (Python 3.11+) and install the project, editable, with dev tools

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@# rfc3987-syntax is optional for jsonschema; compiling its grammar costs ~2 s in every
	@# tool that imports nbformat (jsonschema issue #1428). Nothing here needs it.
	$(BIN)/python -m pip uninstall --quiet --yes rfc3987-syntax || true
	@# A CJK font lets charts show Chinese names (plotting.theme(lang="zh")); optional.
	@if [ ! -e $(CJK_FONT) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null 2>&1 || \
	      { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null 2>&1; }; } \
	    && rm -f $(MPLCONFIGDIR)/fontlist-*.json && echo "installed fonts-wqy-microhei (Chinese names in charts)" \
	    || echo "note: could not install fonts-wqy-microhei; charts use romanised names"; \
	  else echo "note: no CJK font (apt-get install fonts-wqy-microhei); charts use romanised names"; fi; \
	fi
	@touch $@

QUEUE := $(BUILD)/.run-queue

run: $(STAMP) ## Execute every notebook (parallel, only those whose inputs changed) into build/executed and build/html
	@mkdir -p $(BUILD) $(MPLCONFIGDIR) $(IPYTHONDIR) $(JUPYTER_RUNTIME_DIR) && rm -f $(QUEUE)
	@$(MAKE) --no-print-directory --silent $(EXECUTED)
	@if [ -s $(QUEUE) ]; then $(BIN)/python -m kimi_research run-many --jobs $(JOBS) $$(cat $(QUEUE)); fi

# A notebook's executed copy depends on the notebook, the package and the data (and, with
# PARAMS_<notebook>=file.yaml, that parameter set). Make decides which are out of date and
# queues them; `run` then executes the queue from one process, JOBS at a time (papermill and
# nbconvert imported once), and a failure leaves the target old, so the next run retries it.
.SECONDEXPANSION:
$(BUILD)/executed/%.ipynb: notebooks/%.ipynb $(LIB_SRC) $(DATA) $$(PARAMS_$$*) | $(STAMP)
	@echo "$*$(if $(PARAMS_$*),=$(abspath $(PARAMS_$*)))" >> $(QUEUE)

test: pdf ## Run every notebook, build the decks and PDFs, then the whole test suite
	$(BIN)/python -m pytest -n $(JOBS) tests

lab: $(STAMP) ## Open JupyterLab on the project (works as root too)
	@mkdir -p $(MPLCONFIGDIR) $(IPYTHONDIR) $(JUPYTER_RUNTIME_DIR)
	$(BIN)/jupyter lab --notebook-dir=$(CURDIR) --IdentityProvider.token='' --no-browser \
	  $(if $(filter 0,$(shell id -u)),--allow-root,)

NPM_STAMP := $(BUILD)/npm/node_modules/.installed

slides: run $(NPM_STAMP) ## Build offline reveal.js decks and HTML reports (code hidden), the summary deck, build/html/index.html
	$(BIN)/python -m kimi_research slides $(NAMES)

pdf: slides ## Print every deck (one slide a page) and HTML report to build/pdf/ with headless Chromium
	$(BIN)/python -m kimi_research.orchestration.pdf

# reveal.js, require.js and jQuery at the versions pinned in package-lock.json, into build/npm.
$(NPM_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  mkdir -p $(BUILD)/npm && cp package.json package-lock.json $(BUILD)/npm/ && \
	  npm ci --prefix $(BUILD)/npm --no-audit --no-fund --loglevel=error && touch $@; \
	else \
	  echo "WARNING: npm not found: the decks will load reveal.js from a CDN and need internet." >&2; \
	fi

lint: $(STAMP) ## Lint lib, tests and notebooks (ruff), type-check lib (mypy), check the notebook pairs
	$(BIN)/ruff check lib tests notebooks
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -q tests/test_notebook_conventions.py -k "pair or valid_and_clean"

format: $(STAMP) ## Format lib, tests and notebooks (ruff), sort imports, then re-sync the notebooks/py pairs
	$(BIN)/ruff check --fix --select I lib tests notebooks
	$(BIN)/ruff format lib tests notebooks
	$(BIN)/jupytext --sync notebooks/[0-9][0-9]_*.ipynb

check-data: $(STAMP) ## Validate data/ (every table, claim and quote) in about a second; each problem once, with the fix
	@$(BIN)/python -m kimi_research check-data

dictionary: $(STAMP) ## Print the data dictionary (generated from the schema)
	@$(BIN)/python -m kimi_research dictionary

bench: $(STAMP) ## Time a clean `make run` against a sequential papermill loop, a no-op run, and the scenario engine
	$(BIN)/python -m kimi_research bench --jobs $(JOBS)
	$(BIN)/python -m kimi_research.orchestration.scenarios bench

# The scenario grid of notebook 05 on local worker processes (JOBS), or on a Dask cluster with
# SCHEDULER=tcp://host:8786; skipped when data/, lib/ and the parameters are unchanged (FORCE=1 reruns).
scenarios: $(STAMP) ## Evaluate every combination of the contested readings into build/scenarios (incremental)
	@mkdir -p $(BUILD) $(MPLCONFIGDIR)
	$(BIN)/python -m kimi_research.orchestration.scenarios run --workers $(JOBS) \
	  $(if $(SCHEDULER),--scheduler $(SCHEDULER),) $(if $(FORCE),--force,)

bench-scenarios: $(STAMP) ## Time the scenario engine against papermill runs of the same small grid
	@mkdir -p $(BUILD) $(MPLCONFIGDIR) $(IPYTHONDIR) $(JUPYTER_RUNTIME_DIR)
	$(BIN)/python -m kimi_research.orchestration.scenarios bench

sweep: $(STAMP) ## Run NOTEBOOK over a parameter GRID (YAML) in parallel; results CSV in build/sweeps
	@test -n "$(NOTEBOOK)" -a -n "$(GRID)" || { echo "usage: make sweep NOTEBOOK=01_user_decline GRID=grid.yaml [JOBS=2]"; exit 2; }
	$(BIN)/python -m kimi_research sweep $(NOTEBOOK) $(GRID) --jobs $(JOBS)

clean: ## Remove everything generated in build/ (keeps the tool caches and .venv)
	find $(BUILD) -mindepth 1 -maxdepth 1 ! -name cache -exec rm -rf {} + 2>/dev/null || true

distclean: clean ## Remove build/ entirely and .venv
	rm -rf build $(VENV)
