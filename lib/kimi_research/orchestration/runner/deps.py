"""What a notebook's default run depends on, for precise incremental runs.

``build/deps/<notebook>.mk`` (written after each default run) lists the notebook and every
module of the package it imports, transitively (function-level imports included), so that make
re-runs a notebook exactly when one of its own inputs changed.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

from kimi_research import paths, registry
from kimi_research.io import atomic_write_text
from kimi_research.orchestration.runner.base import check_name


def _module_file(mod: str) -> Path | None:
    if mod != "kimi_research" and not mod.startswith("kimi_research."):
        return None
    base = paths.ROOT / "lib" / Path(*mod.split("."))
    for f in (base.with_suffix(".py"), base / "__init__.py"):
        if f.is_file():
            return f
    return None


def _imports(tree, package: str) -> set[str]:
    """Every module an AST imports, anywhere (function-level imports included)."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            out.add(base)
            out.update(f"{base}.{a.name}" for a in node.names)
    return out


def module_closure(roots: set[str]) -> set[Path]:
    """Files of the kimi_research modules ``roots`` import, transitively (with parent packages)."""
    seen: set[str] = set()
    files: set[Path] = set()
    todo = list(roots)
    while todo:
        mod = todo.pop()
        if mod in seen:
            continue
        seen.add(mod)
        f = _module_file(mod)
        if f is None:
            continue
        files.add(f)
        parts = mod.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))  # importing a.b runs a/__init__
        package = mod if f.name == "__init__.py" else ".".join(parts[:-1])
        todo.extend(_imports(ast.parse(f.read_text(encoding="utf-8")), package))
    return files


def notebook_dependencies(name: str) -> list[Path]:
    """The files a notebook's run depends on besides the data: the notebook and every module of
    the package it imports (its cells' imports and its registered analysis and parameter
    modules, which are imported by name), transitively."""
    src = check_name(name)
    nb = json.loads(src.read_text(encoding="utf-8"))
    roots = {registry.BY_NAME[name].analysis, registry.BY_NAME[name].params}
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        code = "".join(cell.get("source", []))
        code = "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln for ln in code.splitlines())
        try:
            roots |= _imports(ast.parse(code), "")
        except SyntaxError:
            continue
    return [src, *sorted(module_closure(roots))]


def write_depfile(name: str) -> Path:
    """build/deps/<name>.mk: ``DEPS_<name> := <files>`` (relative to the checkout) for make."""
    files = [paths.shown(f) for f in notebook_dependencies(name)]
    out = paths.deps_dir() / f"{name}.mk"
    atomic_write_text(out, f"# written by the runner after a default run of {name}\nDEPS_{name} := {' '.join(files)}\n")
    return out
