"""What every part of the runner shares: its error type and the check of a notebook's name."""

from __future__ import annotations

from pathlib import Path

from kimi_research import paths, registry
from kimi_research.errors import KimiResearchError


class RunnerError(KimiResearchError):
    """A command-line input or run state the runner cannot use; the message says which and why."""


def check_name(name: str) -> Path:
    """The notebook file of a registered notebook ``name``; RunnerError naming the known ones."""
    src = paths.NOTEBOOKS_DIR / f"{name}.ipynb"
    if name not in registry.NAMES or not src.exists():
        raise RunnerError(f"no notebook {name!r}; known: {', '.join(registry.NAMES)}")
    return src
