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
    assert "2 kept, 0 broken" in r.stdout


def test_an_upward_import_breaks_the_layers(copy, tmp_path):
    append(copy / "analysis" / "audit.py", "from kimi_research.presentation import format  # noqa")
    r = lint(copy.parent, tmp_path)
    assert r.returncode == 1
    assert "kimi_research.analysis.audit -> kimi_research.presentation.format" in r.stdout


def test_data_may_not_import_analysis(copy, tmp_path):
    append(copy / "data" / "periods.py", "import kimi_research.analysis.claims  # noqa")
    r = lint(copy.parent, tmp_path)
    assert r.returncode == 1 and "kimi_research.data.periods -> kimi_research.analysis.claims" in r.stdout


def test_a_cycle_inside_a_layer_is_refused(copy, tmp_path):
    append(copy / "analysis" / "claims.py", "import kimi_research.analysis.audit  # noqa")
    append(copy / "analysis" / "audit.py", "import kimi_research.analysis.claims  # noqa")
    r = lint(copy.parent, tmp_path)
    assert r.returncode == 1 and "No cycles are allowed in kimi_research.analysis" in r.stdout


def test_analysis_never_draws_or_writes_markdown():
    """No matplotlib, seaborn, IPython or ipywidgets in the analysis and data layers."""
    banned = ("matplotlib", "seaborn", "IPython", "ipywidgets")
    for layer in ("analysis", "data"):
        for f in (PKG / layer).glob("*.py"):
            text = f.read_text(encoding="utf-8")
            for name in banned:
                assert f"import {name}" not in text and f"from {name}" not in text, f"{f.name} imports {name}"
