"""Every path the project uses, in one place (cookiecutter-data-science convention).

Three environment variables redirect the defaults, for tests and sweeps:
``KIMI_RESEARCH_DATA_DIR`` (curated tables), ``KIMI_RESEARCH_BUILD_DIR`` (all outputs) and
``KIMI_RESEARCH_SEEDS_DIR`` (the source articles, by default ``../shared/seeds``).
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


def seeds_dir() -> Path:
    """The five source articles; may be absent outside the development checkout."""
    return _env_path("KIMI_RESEARCH_SEEDS_DIR", ROOT.parent / "shared" / "seeds")


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
