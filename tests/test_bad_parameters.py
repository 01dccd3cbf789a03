"""Every notebook, run through papermill with an unknown parameter name and a wrong type,
stops at its validation cell with one ParameterError naming both (papermill alone only warns)."""

from __future__ import annotations

import json

import pytest

from kimi_research import paths
from kimi_research.params import spec

pytestmark = pytest.mark.notebook
NOTEBOOKS = sorted(p.stem for p in paths.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))


def numeric_parameter(name: str):
    return next(p for p in spec(name) if p.kind in ("float", "int"))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_unknown_name_and_wrong_type_fail_at_validation(run_notebook, name):
    p = numeric_parameter(name)
    run = run_notebook(name, {"colour": "red", p.name: "abc"})
    assert run.returncode != 0
    out = run.output
    assert "ParameterError" in out
    assert "unknown parameter 'colour'" in out
    assert f"parameter '{p.name}' = 'abc'" in out
    assert "pandas" not in out.lower().replace("pandas 3", "")
    assert run.results is None, "a failed run must not write results"
    nb = json.loads(run.executed().read_text(encoding="utf-8"))
    failing = [c for c in nb["cells"] if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    assert len(failing) == 1 and f'validate_parameters("{name}"' in "".join(failing[0]["source"])
