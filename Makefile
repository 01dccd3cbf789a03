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

# Keep every tool's state inside build/, not in the user's home.
export MPLCONFIGDIR        := $(CURDIR)/$(BUILD)/cache/matplotlib
export IPYTHONDIR          := $(CURDIR)/$(BUILD)/cache/ipython
export JUPYTER_RUNTIME_DIR := $(CURDIR)/$(BUILD)/cache/jupyter-runtime
export JUPYTER_CONFIG_DIR  := $(CURDIR)/$(BUILD)/cache/jupyter-config
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export PYTHONDONTWRITEBYTECODE := 1

NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
NAMES     := $(notdir $(basename $(NOTEBOOKS)))
EXECUTED  := $(NAMES:%=$(BUILD)/executed/%.ipynb)
LIB_SRC   := $(shell find lib -name '*.py' -not -path '*/__pycache__/*' 2>/dev/null)
DATA      := $(wildcard data/*.csv)

.PHONY: help setup run test lab slides lint clean dictionary

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
	@touch $@

run: $(STAMP) ## Execute every notebook (parallel, only those whose inputs changed) into build/executed and build/html
	@$(MAKE) --no-print-directory -j$(JOBS) $(EXECUTED)

# A notebook's executed copy depends on the notebook, the package and the data.
$(BUILD)/executed/%.ipynb: notebooks/%.ipynb $(LIB_SRC) $(DATA) | $(STAMP)
	$(BIN)/python -m kimi_research run $*

test: run ## Run every notebook, then the whole test suite
	$(BIN)/python -m pytest -n $(JOBS) tests

lab: $(STAMP) ## Open JupyterLab on the project (works as root too)
	$(BIN)/jupyter lab --notebook-dir=$(CURDIR) --IdentityProvider.token='' --no-browser \
	  $(if $(filter 0,$(shell id -u)),--allow-root,)

slides: run ## Build reveal.js decks (code hidden) into build/slides
	$(BIN)/python -m kimi_research slides $(NAMES)

lint: $(STAMP) ## Lint lib, tests and notebooks with ruff
	$(BIN)/ruff check lib tests notebooks

dictionary: $(STAMP) ## Print the data dictionary (generated from the schema)
	@$(BIN)/python -m kimi_research dictionary

clean: ## Remove build/ (keeps .venv)
	rm -rf $(BUILD)
