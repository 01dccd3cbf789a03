"""The ``parameters`` cell of each notebook, generated from its pydantic model (one copy of each fact).

The model in :mod:`kimi_research.params` is the definition: each field's default and description. The cell
papermill injects after is its literal image, one line per parameter, ``name = <default>  # <description>``,
``evidence`` last, between ``# fmt: off`` / ``# fmt: on``. ``python -m kimi_research params`` (``make params``,
and the pre-commit hook) rewrites the cell of every notebook whose cell differs and re-syncs its jupytext pair;
``--check`` (``make lint``) only names them. Edit the model, never the cell.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat

from kimi_research import paths, registry
from kimi_research.params import model

TAG = "parameters"
HEAD, TAIL = "# fmt: off", "# fmt: on"


def literal(value: Any) -> str:
    """A default as Python source: strings in double quotes (as the comments quote examples), lists of them."""
    if isinstance(value, str):
        if '"' in value or "\\" in value or "\n" in value:
            return repr(value)
        return f'"{value}"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, bool | int | float) or value is None:
        return repr(value)
    raise TypeError(f"a parameter default must be a literal (str, number, bool, list), got {value!r}")


def cell_source(notebook: str) -> str:
    """The parameters cell of ``notebook``, from its model: every field in declaration order, ``evidence`` last."""
    m = model(notebook)
    names = [n for n in m.model_fields if n != "evidence"] + ["evidence"]
    lines = [f"{n} = {literal(m.model_fields[n].default)}  # {m.model_fields[n].description}" for n in names]
    return "\n".join([HEAD, *lines, TAIL])


def notebook_path(notebook: str) -> Path:
    return paths.NOTEBOOKS_DIR / f"{notebook}.ipynb"


def _cell(book) -> Any:
    tagged = [c for c in book.cells if TAG in c.metadata.get("tags", [])]
    if len(tagged) != 1:
        raise ValueError(f"expected exactly one cell tagged {TAG!r}, found {len(tagged)}")
    return tagged[0]


def stale(notebooks: list[str] | None = None) -> list[str]:
    """The notebooks whose parameters cell is not the one their model generates."""
    out = []
    for name in notebooks or registry.NAMES:
        book = nbformat.read(notebook_path(name), as_version=4)
        if _cell(book).source != cell_source(name):
            out.append(name)
    return out


def write(notebooks: list[str] | None = None) -> list[str]:
    """Rewrite the parameters cell of every stale notebook and re-sync its py:percent pair; returns them."""
    changed = stale(notebooks)
    for name in changed:
        path = notebook_path(name)
        book = nbformat.read(path, as_version=4)
        _cell(book).source = cell_source(name)
        nbformat.write(book, path)
        subprocess.run([sys.executable, "-m", "jupytext", "--sync", "--quiet", str(path)], check=True)
    return changed


def main(check: bool) -> int:
    if check:
        bad = stale()
        for name in bad:
            print(
                f"notebooks/{name}.ipynb: its parameters cell is not its model's ({model(name).__module__}); "
                "run `make params` to regenerate it",
                file=sys.stderr,
            )
        return 1 if bad else 0
    for name in write():
        print(f"notebooks/{name}.ipynb: parameters cell regenerated from its model")
    return 0
