"""Every path the project uses, in one place (cookiecutter-data-science convention).

Three environment variables redirect the defaults, for tests and sweeps:
``KIMI_RESEARCH_DATA_DIR`` (curated tables), ``KIMI_RESEARCH_BUILD_DIR`` (all outputs) and
``KIMI_RESEARCH_SEEDS_DIR`` (archived source texts, by default ``sources/`` in the data folder).

**One canonical result per notebook.** ``results_dir()``, ``figures_dir()``, ``executed_dir()``
and ``html_dir()`` are the canonical outputs: only a default ``make run`` writes them (the
runner executes the notebook into a staging folder and promotes its outputs when it succeeded
with the default parameters). Notebook code never writes there: ``write_results`` and
``plotting.save`` write to :func:`run_dir`, which is

- ``$KIMI_RESEARCH_RUN_DIR`` when the runner, a sweep or a test set it, else
- a fresh ``build/runs/<notebook>-<YYYYmmdd-HHMMSS>/`` for every run (papermill called
  directly, a JupyterLab Run All), announced with a print.

In a Jupyter kernel the cell that calls ``validate_parameters(`` opens a new run when it
succeeds and closes the run when it fails: a notebook stopped at its validation cell writes
nothing, even if the kernel still holds an earlier run's variables.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from kimi_research.errors import KimiResearchError

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS_DIR = ROOT / "notebooks"
PARAMS_DIR = NOTEBOOKS_DIR / "params"
RUN_DIR_ENV = "KIMI_RESEARCH_RUN_DIR"


class OutputPathError(KimiResearchError):
    """An output folder cannot be created (e.g. ``build`` is a file)."""


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).resolve() if value else default


def data_dir() -> Path:
    """Curated, hand-edited tables (never written by code)."""
    return _env_path("KIMI_RESEARCH_DATA_DIR", ROOT / "data")


def seeds_dir(data: Path | None = None) -> Path:
    """Archived full texts of the sources (the articles): ``data/sources`` in the checkout.

    ``data`` is the data folder whose archive is wanted (default: :func:`data_dir`);
    ``KIMI_RESEARCH_SEEDS_DIR`` overrides both.
    """
    return _env_path("KIMI_RESEARCH_SEEDS_DIR", (Path(data) if data else data_dir()) / "sources")


def build_dir() -> Path:
    """Root of every generated file (git-ignored)."""
    return _env_path("KIMI_RESEARCH_BUILD_DIR", ROOT / "build")


def shown(path: Path) -> str:
    """A path as the user should read it: relative to the checkout when inside it."""
    path = Path(path)
    return str(path.relative_to(ROOT)) if path.is_absolute() and path.is_relative_to(ROOT) else str(path)


def ensure_dir(path: Path) -> Path:
    """``mkdir -p`` with one clear message when a file stands where a folder must be."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next((p for p in [path, *path.parents] if p.exists() and not p.is_dir()), path)
        raise OutputPathError(
            f"{shown(blocker)} is a file, but outputs need a folder there (to create {shown(path)}); "
            f"move or delete that file, or point KIMI_RESEARCH_BUILD_DIR (make: BUILD=...) elsewhere"
        ) from None
    return path


# --- canonical outputs: written only by a default `make run` ---------------------------------
def results_dir() -> Path:
    return build_dir() / "results"


def figures_dir() -> Path:
    return build_dir() / "figures"


def executed_dir() -> Path:
    return build_dir() / "executed"


def html_dir() -> Path:
    return build_dir() / "html"


def slides_dir() -> Path:
    return build_dir() / "slides"


def deps_dir() -> Path:
    """Per-notebook dependency lists (Makefile fragments) written by the runner."""
    return build_dir() / "deps"


def staging_dir() -> Path:
    """Where a canonical run executes before its outputs are promoted (reaped by the next run)."""
    return build_dir() / ".staging"


def runs_dir() -> Path:
    """One folder per run with parameters, papermill run or JupyterLab run."""
    return build_dir() / "runs"


# --- where the current run writes --------------------------------------------------------------
_RUN: dict = {"dirs": {}, "invalid": None, "hooked": False}


def new_run_dir(label: str) -> Path:
    """A new, empty ``build/runs/<label>-<YYYYmmdd-HHMMSS>[-n]`` (never reused)."""
    root = ensure_dir(runs_dir())
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for n in range(1, 1000):
        d = root / (f"{label}-{stamp}" if n == 1 else f"{label}-{stamp}-{n}")
        try:
            d.mkdir()
            return d
        except FileExistsError:
            continue
    raise OutputPathError(f"could not create a new run folder for {label} in {shown(root)}")


def begin_run() -> None:
    """Start a new run in this process: the next write opens a new run folder."""
    _RUN["dirs"].clear()
    _RUN["invalid"] = None


def invalidate_run(reason: str) -> None:
    """Refuse every write until the next :func:`begin_run` (a failed validation cell)."""
    _RUN["dirs"].clear()
    _RUN["invalid"] = reason


def run_dir(notebook: str) -> Path:
    """The folder this run of ``notebook`` writes to (results/, figures/); see the module doc."""
    _hook_ipython()
    if _RUN["invalid"]:
        raise OutputPathError(
            f"{notebook}: nothing written: {_RUN['invalid']}. Fix the parameters and run the "
            f"notebook again from the top (Run All)"
        )
    env = os.environ.get(RUN_DIR_ENV)
    if env:
        return ensure_dir(Path(env).resolve())
    d = _RUN["dirs"].get(notebook)
    if d is None or not d.is_dir():
        d = _RUN["dirs"][notebook] = new_run_dir(notebook)
        print(
            f"this run of {notebook} writes its results and figures to {shown(d)} "
            f"(only a default `make run` writes build/results)",
            flush=True,
        )
    return d


def _hook_ipython() -> None:
    """In a Jupyter kernel, the validation cell opens (success) or closes (failure) a run."""
    if _RUN["hooked"]:
        return
    _RUN["hooked"] = True
    import sys

    if "IPython" not in sys.modules:
        return
    from IPython import get_ipython

    ip = get_ipython()
    if ip is None:
        return

    def post_run_cell(result) -> None:
        cell = getattr(result.info, "raw_cell", "") or ""
        if "validate_parameters(" not in cell:
            return
        if result.success:
            begin_run()
        else:
            invalidate_run("the parameters failed validation")

    ip.events.register("post_run_cell", post_run_cell)


DATA_DIR = data_dir()
BUILD_DIR = build_dir()
_hook_ipython()  # in a kernel: from the import cell on, before the validation cell runs
