"""Every path the project uses, in one place (cookiecutter-data-science convention).

Three environment variables redirect the defaults, for tests and sweeps:
``KIMI_RESEARCH_DATA_DIR`` (curated tables), ``KIMI_RESEARCH_BUILD_DIR`` (all outputs) and
``KIMI_RESEARCH_SEEDS_DIR`` (archived source texts, by default ``sources/`` in the data folder).
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS_DIR = ROOT / "notebooks"
PARAMS_DIR = NOTEBOOKS_DIR / "params"


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


DATA_DIR = data_dir()
BUILD_DIR = build_dir()
