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

# The notebook list comes from the registry (kimi_research/registry.py; `python -m kimi_research
# notebooks` prints it too). Read here without importing the package (and pandas), so that a
# no-op `make run` stays fast; the command is the fallback.
REGISTRY  = $(BIN)/python -S -c "import importlib.util as u, sys; s = u.spec_from_file_location('registry', \
  'lib/kimi_research/registry.py'); m = u.module_from_spec(s); sys.modules['registry'] = m; s.loader.exec_module(m); \
  print(*m.NAMES)" 2>/dev/null || $(BIN)/python -m kimi_research notebooks
NAMES     = $(shell $(REGISTRY))
EXECUTED  = $(NAMES:%=$(BUILD)/executed/%.ipynb)
DATA     := $(wildcard data/*.csv data/sources/*)

.PHONY: help setup run queue FORCE test test-fast lab slides pdf lint format params clean distclean dictionary bench sweep check-data scenarios bench-scenarios mutate

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | sort | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

setup: $(STAMP) ## Create .venv (Python 3.11+), install the project with dev tools; as root also Chromium and a CJK font
	@$(SYSTEM_PACKAGES)

# Debian packages, installed when missing and make runs as root with apt-get (quietly; `apt-get
# update` only when the install fails without it), otherwise a note says how:
# - chromium: the browser test of the decks and reports, and `make pdf` (Playwright drives it;
#   KIMI_RESEARCH_CHROMIUM names another executable). Without it those tests skip, except under
#   CI=true, where they and `make pdf` fail with one line saying what to install;
# - fonts-wqy-microhei: Chinese names in charts (plotting.theme(lang="zh")); optional.
# A fresh .venv runs this (so `make test` on a new machine installs Chromium); `make setup` re-checks.
define SYSTEM_PACKAGES
missing=""; \
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing=" chromium"; \
[ -e $(CJK_FONT) ] || missing="$$missing fonts-wqy-microhei"; \
if [ -n "$$missing" ]; then \
  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
    if { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null 2>&1 || \
         { apt-get update -qq >/dev/null 2>&1 && \
           DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null 2>&1; }; }; then \
      rm -f "$(MPLCONFIGDIR)"/fontlist-*.json; echo "installed$$missing (Debian packages)"; \
    else echo "note: apt-get could not install$$missing"; fi; \
  fi; \
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
    echo "note: no chromium: the browser and PDF tests skip (fail under CI=true), make pdf writes nothing; sudo apt-get install chromium, or make setup as root"; \
  [ -e $(CJK_FONT) ] || echo "note: no CJK font (sudo apt-get install fonts-wqy-microhei); charts use romanised names"; \
fi
endef

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@# rfc3987-syntax is optional for jsonschema; compiling its grammar costs ~2 s in every
	@# tool that imports nbformat (jsonschema issue #1428). Nothing here needs it.
	$(BIN)/python -m pip uninstall --quiet --yes rfc3987-syntax || true
	$(if $(filter setup,$(MAKECMDGOALS)),,@$(SYSTEM_PACKAGES))
	@touch $@

run: $(STAMP) ## Execute the notebooks whose inputs changed (parallel) into build/executed, results, figures, html
	@if [ -z "$(WHAT_IF)$(ONLY)$(filter PARAMS_%,$(.VARIABLES))" ] && \
	    $(MAKE) --no-print-directory -s -q queue QUEUE=/dev/null NAMES="$(NAMES)" 2>/dev/null; then \
	  echo "nothing to run: every notebook is up to date"; \
	else \
	  KIMI_RESEARCH_MAKE="$(MAKE)" KIMI_RESEARCH_MAKE_PID=$$PPID exec $(BIN)/python -m kimi_research make-run --jobs $(JOBS) \
	    $(foreach f,$(WHAT_IF),--what-if $(f)) $(if $(ONLY),--only $(ONLY)); \
	fi

# `make run` first asks make (-q) whether anything is out of date: if not, it is done (no
# Python). Otherwise the recipe's shell execs (so make is its parent, and a SIGKILL of make
# reaches it through PR_SET_PDEATHSIG) a Python process (kimi_research.orchestration.runner.makerun)
# that checks every quote against its archived text and that build/ can be written (refusing
# before anything runs), holds build/.run.lock (a second `make run` waits), reaps what a killed
# run left, then asks this Makefile (`make queue`) which notebooks are out of date and runs them
# JOBS at a time.
# `make run WHAT_IF=lib/kimi_research/analysis/competitors/ranking.py` runs what an edit of that file would;
# `make run ONLY="00_data_audit 01_user_decline"` considers only those notebooks.
# A notebook's executed copy depends on the notebook, the package modules it imports
# (build/deps/<notebook>.mk, written by the runner after each default run; missing: run it),
# the data. PARAMS_<notebook>=file.yaml (relative to the folder you called make from) always
# runs, in its own folder build/runs/<notebook>-<set>-<time>/, never replacing the target.
-include $(wildcard $(BUILD)/deps/*.mk)
.SECONDEXPANSION:
queue: $(EXECUTED)
# A module recorded in the deps that no longer exists (renamed, deleted) forces a run: as a plain prerequisite
# it would make the pattern rule "impossible", and make would then silently consider the notebook up to date.
$(BUILD)/executed/%.ipynb: notebooks/%.ipynb $$(or $$(wildcard $$(DEPS_$$*)),FORCE) \
    $$(if $$(filter-out $$(wildcard $$(DEPS_$$*)),$$(DEPS_$$*)),FORCE) $(DATA) $$(if $$(PARAMS_$$*),FORCE) | $(STAMP)
	@echo "$*$(if $(PARAMS_$*),=$(PARAMS_$*))" >> "$(QUEUE)"
FORCE:

test: pdf ## Run every notebook, build the decks and PDFs, then the whole test suite (slowest 25 listed)
	$(BIN)/python -m pytest -n $(JOBS) --durations=25 tests

# The edit-test loop: unit and in-process tests only (no notebook, no browser, no `make` or
# runner in a subprocess: the markers notebook, browser, make and slow in pyproject.toml), in under two minutes.
test-fast: $(STAMP) ## Run the unit and in-process tests only (no notebooks, browser, make or slow), in under 2 minutes
	$(BIN)/python -m pytest -n $(JOBS) -m "not notebook and not browser and not make and not slow" --durations=10 tests

# Mutation score (issue 24, docs/testing.md): mutmut mutates one module at a time (a copy in mutants/) and runs
# the fast tests that cover it (the mapping is in tools/mutate.py); prints the score per module and the mutants
# no test killed. On demand, never part of `make test`. MODULES="data/units.py analysis/claims.py" runs some.
mutate: $(STAMP) ## Mutation score per module of the rules that make numbers and claims (mutmut; on demand, long)
	$(BIN)/python tools/mutate.py --max-children $(JOBS) $(MODULES)

lab: $(STAMP) ## Open JupyterLab on the project (works as root too)
	@mkdir -p "$(MPLCONFIGDIR)" "$(IPYTHONDIR)" "$(JUPYTER_RUNTIME_DIR)"
	$(BIN)/jupyter lab --notebook-dir="$(CURDIR)" --IdentityProvider.token='' --no-browser \
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
	$(BIN)/ruff format --check lib tests notebooks
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m kimi_research params --check
	$(BIN)/python -m pytest -q tests/notebooks/test_notebook_conventions.py -k "pair or valid_and_clean"

format: $(STAMP) ## Format lib, tests and notebooks (ruff), sort imports, then re-sync the notebooks/py pairs
	$(BIN)/ruff check --fix --select I lib tests notebooks
	$(BIN)/ruff format lib tests notebooks
	$(BIN)/jupytext --sync notebooks/[0-9][0-9]_*.ipynb

params: $(STAMP) ## Regenerate each notebook's parameters cell from its pydantic model (kimi_research.params), then its py pair
	$(BIN)/python -m kimi_research params

check-data: $(STAMP) ## Validate data/ (every table, claim and quote) in about a second; each problem once, with the fix
	@$(BIN)/python -m kimi_research check-data

dictionary: $(STAMP) ## Print the data dictionary (generated from the schema)
	@$(BIN)/python -m kimi_research dictionary

# REPEATS=n repeats each timing and reports medians; QUICK=1 is the reduced run the test makes.
bench: $(STAMP) ## Time a clean and a no-op `make run` against a papermill loop, the scenario engine, loading at scale
	@mkdir -p $(BUILD) $(MPLCONFIGDIR) $(IPYTHONDIR) $(JUPYTER_RUNTIME_DIR)
	$(BIN)/python -m kimi_research bench --jobs $(JOBS) $(if $(REPEATS),--repeats $(REPEATS)) $(if $(QUICK),--quick)

# The scenario grid of notebook 05 on local worker processes (JOBS), or on a Dask cluster with
# SCHEDULER=tcp://host:8786; skipped when data/, lib/ and the parameters are unchanged (FORCE=1 reruns).
scenarios: $(STAMP) ## Evaluate every combination of the contested readings into build/scenarios (incremental)
	@mkdir -p $(BUILD) $(MPLCONFIGDIR)
	$(BIN)/python -m kimi_research.orchestration.scenarios run --workers $(JOBS) \
	  $(if $(SCHEDULER),--scheduler $(SCHEDULER),) $(if $(FORCE),--force,)

bench-scenarios: $(STAMP) ## Time the scenario engine against papermill runs of the same small grid
	@mkdir -p $(BUILD) $(MPLCONFIGDIR) $(IPYTHONDIR) $(JUPYTER_RUNTIME_DIR)
	$(BIN)/python -m kimi_research bench --only scenarios

sweep: $(STAMP) ## Run NOTEBOOK over a parameter GRID (YAML) in parallel; results CSV in build/sweeps
	@test -n "$(NOTEBOOK)" -a -n "$(GRID)" || { echo "usage: make sweep NOTEBOOK=01_user_decline GRID=grid.yaml [JOBS=2]"; exit 2; }
	$(BIN)/python -m kimi_research sweep $(NOTEBOOK) $(GRID) --jobs $(JOBS)

clean: ## Remove everything generated in build/ (keeps the tool caches and .venv)
	find $(BUILD) -mindepth 1 -maxdepth 1 ! -name cache -exec rm -rf {} + 2>/dev/null || true

distclean: clean ## Remove build/ entirely and .venv
	rm -rf build $(VENV)
