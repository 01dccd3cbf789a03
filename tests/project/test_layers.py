"""The import contract (pyproject.toml [tool.importlinter]): layers and no cycles.

Runs import-linter on the package as it is, then on copies with an upward import and with a
cycle injected, which must fail: the contract is enforced, not hoped for.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kimi_research import paths

PKG = paths.ROOT / "lib" / "kimi_research"
LINT = Path(sys.executable).with_name("lint-imports")


def lint(package_parent: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    r = subprocess.run(
        [str(LINT), "--no-cache", str(paths.ROOT / "pyproject.toml")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    r.stdout = " ".join(r.stdout.split())  # the report wraps long lines
    return r


@pytest.fixture
def copy(tmp_path):
    dst = tmp_path / "src" / "kimi_research"
    shutil.copytree(PKG, dst, ignore=shutil.ignore_patterns("__pycache__"))
    return dst


def append(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_the_package_keeps_its_contracts(tmp_path):
    r = lint(PKG.parent, tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr


def test_an_upward_import_breaks_the_layers(copy, tmp_path):
    append(copy / "analysis" / "audit.py", "from kimi_research.presentation import format  # noqa")
    r = lint(copy.parent, tmp_path)
    assert r.returncode == 1 and "kimi_research.presentation.format" in r.stdout


def test_data_may_not_import_analysis(copy, tmp_path):
    append(copy / "data" / "periods.py", "import kimi_research.analysis.claims  # noqa")
    r = lint(copy.parent, tmp_path)
    assert r.returncode == 1 and "kimi_research.data.periods" in r.stdout


def test_a_cycle_inside_a_layer_is_refused(copy, tmp_path):
    append(copy / "analysis" / "claims.py", "import kimi_research.analysis.audit  # noqa")
    append(copy / "analysis" / "audit.py", "import kimi_research.analysis.claims  # noqa")
    r = lint(copy.parent, tmp_path)
    assert r.returncode == 1 and ".claims -> .audit" in r.stdout  # the import that closes the cycle is named


def test_analysis_never_draws_or_writes_markdown():
    """No matplotlib, seaborn, IPython or ipywidgets in the analysis and data layers (their subpackages too)."""
    banned = ("matplotlib", "seaborn", "IPython", "ipywidgets")
    files = [f for layer in ("analysis", "data") for f in (PKG / layer).rglob("*.py")]
    assert any(f.parent.name == "competitors" for f in files)  # a subpackage is searched
    for f in files:
        text = f.read_text(encoding="utf-8")
        for name in banned:
            assert f"import {name}" not in text and f"from {name}" not in text, f"{f.name} imports {name}"


# --- presentation only draws and writes (issue 22) ------------------------------------------------------------
PRESENTATION = PKG / "presentation"
#: data-layer modules presentation may use: formatting and labels, never loading or selecting
DATA_FOR_PRESENTATION = {"periods", "units", "vocabulary", "labels"}
#: calls that load, select or fit: never in presentation
FORBIDDEN_CALLS = {"load", "analyse", "select", "with_evidence", "measurements", "level_series", "evaluate", "fit_decay"}


def _presentation_files() -> list[Path]:
    return sorted(p for p in PRESENTATION.rglob("*.py") if p.name != "__init__.py")


def _is_type_or_constant(name: str) -> bool:
    return name[:1].isupper()  # a class (CamelCase) or a constant (UPPER_CASE)


def test_presentation_only_draws_and_writes():
    """presentation/ never loads data, selects or fits, never takes the dataset or the parameters, and imports only
    types and constants from the analysis layer (and only formatting and label helpers from the data layer)."""
    import ast

    problems = []
    for path in _presentation_files():
        rel = path.relative_to(PKG)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kimi_research."):
                parts = node.module.split(".")
                for alias in node.names:
                    if alias.name.startswith("_"):
                        problems.append(f"{rel}: imports the private {node.module}.{alias.name}")
                    if parts[1] == "analysis" and len(parts) > 2 and not _is_type_or_constant(alias.name):
                        problems.append(f"{rel}: imports the function {node.module}.{alias.name} (take it from a section)")
                    if parts[1] == "analysis" and len(parts) == 2:
                        problems.append(f"{rel}: imports the analysis module {alias.name} (import its types only)")
                    if parts[1] == "data" and (parts[2:3] or [alias.name])[0] not in DATA_FOR_PRESENTATION:
                        problems.append(f"{rel}: imports {node.module}.{alias.name} from the data layer")
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith(("kimi_research.analysis", "kimi_research.data.loader")):
                        problems.append(f"{rel}: imports {alias.name}")
            if isinstance(node, ast.Call):
                f = node.func
                called = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
                if called in FORBIDDEN_CALLS:
                    problems.append(f"{rel}:{node.lineno}: calls {called}()")
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names = [a.arg for a in node.args.args + node.args.kwonlyargs]
                if {"ds", "P"} & set(names):
                    problems.append(f"{rel}:{node.lineno}: {node.name}() takes {sorted({'ds', 'P'} & set(names))}")
    assert not problems, "\n".join(problems)


def test_the_presentation_check_catches_a_load(tmp_path, monkeypatch):
    """The check above fails on a sentence function that loads the data (it is not vacuous)."""
    bad = tmp_path / "bad.py"
    bad.write_text("from kimi_research.data.loader import load\n\ndef note(ds):\n    return str(load())\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "_presentation_files", lambda: [bad])
    monkeypatch.setattr(sys.modules[__name__], "PKG", tmp_path)
    with pytest.raises(AssertionError) as e:
        test_presentation_only_draws_and_writes()
    text = str(e.value)
    assert "imports kimi_research.data.loader.load" in text and "calls load()" in text and "takes ['ds']" in text
