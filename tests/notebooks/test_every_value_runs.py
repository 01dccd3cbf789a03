"""Every parameter value validation accepts runs the notebook to its end (issue 21): each notebook with every
bounded number at its lowest accepted value, then at its highest, and the entity and firm parameters under every
name form the README promises (id, English name, Chinese name, alias). A value is either refused by validation
with a ParameterError, or the notebook's every cell runs: never a chart or pandas crash.

The notebooks run in-process from their py:percent pairs (the same cells papermill runs, the parameters cell
replaced), so that the boundaries of all six notebooks are covered in a minute or two.
"""

from __future__ import annotations

import math
import re
import typing

import annotated_types as at
import matplotlib
import pytest

from kimi_research import paths, registry
from kimi_research.errors import ParameterError
from kimi_research.params import defaults, model

pytestmark = pytest.mark.notebook

CELL = re.compile(r"^# %%(.*)$", re.M)


def code_cells(notebook: str) -> list[tuple[str, str]]:
    """(header, source) of each code cell of the notebook's py:percent pair, in order."""
    text = (paths.NOTEBOOKS_DIR / "py" / f"{notebook}.py").read_text(encoding="utf-8")
    parts = CELL.split(text)
    cells = [(parts[i].strip(), parts[i + 1]) for i in range(1, len(parts), 2)]
    return [(h, src) for h, src in cells if not h.startswith("[markdown]")]


def _bounds(field) -> list[at.BaseMetadata]:
    meta = list(field.metadata)
    for arg in typing.get_args(field.annotation):
        if typing.get_origin(arg) is typing.Annotated:
            for m in typing.get_args(arg)[1:]:
                meta += list(getattr(m, "metadata", [m]))
    return [m for m in meta if isinstance(m, at.Ge | at.Gt | at.Le | at.Lt)]


def edge(field, side: str) -> float | int | None:
    """The lowest (or highest) value the field accepts, or None when it has no bound on that side."""
    integer = field.annotation is int
    for b in _bounds(field):
        if side == "low" and isinstance(b, at.Ge):
            return b.ge
        if side == "low" and isinstance(b, at.Gt):
            return b.gt + 1 if integer else math.nextafter(float(b.gt), math.inf) * (1 + 1e-12) + 1e-300
        if side == "high" and isinstance(b, at.Le):
            return b.le
        if side == "high" and isinstance(b, at.Lt):
            return b.lt - 1 if integer else math.nextafter(float(b.lt), -math.inf) - 1e-12
    return None


def edges(notebook: str, side: str) -> dict[str, float | int]:
    out = {}
    for name, f in model(notebook).model_fields.items():
        v = edge(f, side)
        if v is not None:
            out[name] = type(f.default)(v) if isinstance(f.default, int | float) and not isinstance(f.default, bool) else v
    return out


def run_in_process(notebook: str, params: dict, tmp_path, monkeypatch) -> None:
    """Every code cell, with ``params`` injected after the parameters cell (as papermill does)."""
    matplotlib.use("Agg")
    monkeypatch.setenv("KIMI_RESEARCH_RUN_DIR", str(tmp_path / "run"))
    monkeypatch.chdir(paths.NOTEBOOKS_DIR)
    ns: dict = {"__name__": "__main__"}
    for header, src in code_cells(notebook):
        exec(compile(src, f"{notebook}.py", "exec"), ns)  # noqa: S102 - the project's own notebook
        if "parameters" in header:
            ns.update(params)
    import matplotlib.pyplot as plt

    plt.close("all")


def run_or_refuse(notebook: str, params: dict, tmp_path, monkeypatch) -> str:
    try:
        run_in_process(notebook, params, tmp_path, monkeypatch)
    except ParameterError:
        return "refused"
    return "ran"


CASES = [(n, side) for n in registry.NAMES for side in ("low", "high") if edges(n, side)]


@pytest.mark.parametrize(("notebook", "side"), CASES, ids=[f"{n}-{s}" for n, s in CASES])
def test_every_bound_runs_or_is_refused_at_validation(notebook, side, tmp_path, monkeypatch):
    params = edges(notebook, side)
    if notebook == "05_conclusions":
        params = {**params, "samples": min(params.get("samples", 3), 3)}  # the grid's size is not what is tested
        if params.get("ad_share_low", 0) >= params.get("ad_share_high", 1):
            params["ad_share_high"], params["ad_share_low"] = defaults(notebook)["ad_share_high"], params["ad_share_low"]
    outcome = run_or_refuse(notebook, params, tmp_path, monkeypatch)
    assert outcome in ("ran", "refused")


def _name_forms(ds, entity: str) -> list[str]:
    e = ds.entities.loc[entity]
    forms = [entity, str(e["name_en"]), str(e["name_zh"])]
    forms += [a for a in str(e.get("aliases") or "").split(";") if a.strip()][:1]
    return list(dict.fromkeys(f for f in forms if f and f != "nan"))


@pytest.mark.parametrize(("notebook", "extra"), [("00_data_audit", {}), ("01_user_decline", {"metric": "wau"})])
def test_every_name_form_of_an_entity_runs(notebook, extra, live_ds, tmp_path, monkeypatch):
    for form in _name_forms(live_ds, "doubao"):
        assert run_or_refuse(notebook, {"entity": form, **extra}, tmp_path, monkeypatch) == "ran", form


def test_every_name_form_of_the_competitors_runs(live_ds, tmp_path, monkeypatch):
    forms = [_name_forms(live_ds, e)[i % 3] for i, e in enumerate(["kimi", "doubao", "yuanbao"])]
    assert run_or_refuse("04_competitor_comparison", {"entities": forms}, tmp_path, monkeypatch) == "ran", forms
