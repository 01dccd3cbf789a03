"""Every notebook, run through papermill with an unknown parameter name and a wrong type, stops at
its validation cell with one ParameterError naming both (papermill alone only warns); and the
edges of the parameter bounds (issue 14) run to the end."""

from __future__ import annotations

import json

import pytest

from kimi_research import paths
from kimi_research.params import adspend as adspend_params
from kimi_research.params import model

pytestmark = pytest.mark.notebook
NOTEBOOKS = sorted(p.stem for p in paths.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))


def numeric_parameter(name: str) -> str:
    return next(n for n, f in model(name).model_fields.items() if f.annotation in (int, float))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_unknown_name_and_wrong_type_fail_at_validation(run_notebook, name):
    p = numeric_parameter(name)
    run = run_notebook(name, {"colour": "red", p: "abc"})
    assert run.returncode != 0
    out = run.output
    assert "ParameterError" in out
    assert "unknown parameter 'colour'" in out
    assert f"parameter '{p}' = 'abc'" in out
    assert "pandas" not in out.lower().replace("pandas 3", "").replace("pandas' calendar", "")
    assert "ValidationError" not in out and "pydantic" not in out
    assert run.results is None, "a failed run must not write results"
    nb = json.loads(run.executed().read_text(encoding="utf-8"))
    failing = [c for c in nb["cells"] if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    assert len(failing) == 1 and f'validate_parameters("{name}"' in "".join(failing[0]["source"])


def test_ad_spend_at_the_edges_of_its_bounds(run_notebook):
    """CPA and compute cost at their ceiling, the largest daily burn the chart draws, the least churn."""
    cost = adspend_params.CPA_MAX
    params = {
        "cpa_yuan": cost,
        "compute_cost_per_user_yuan": cost,
        "monthly_churn": adspend_params.CHURN_MIN_NONZERO,
        "daily_new_users": int(adspend_params.DAILY_BURN_MAX // (2 * cost)),
        "retention_30d": 1e-300,
    }
    run = run_notebook("02_ad_spend_bubble", params)
    assert run.returncode == 0, run.output[-2000:]
    assert run.results["parameters"]["cpa_yuan"] == cost


def test_sustainability_at_the_edges_of_its_bounds(run_notebook):
    """Largest amounts and spread, the least price, a tiny ad share, the fewest draws."""
    params = {
        "paid_revenue_monthly_yuan": 1e12,
        "total_cost_monthly_yuan": 1e12,
        "revenue_spread_factor": 100.0,
        "price_per_paying_user_yuan": 0.01,
        "ad_share": 0.01,
        "alarm_threshold": 0.0,
        "mc_samples": 100,
        "usd_cny": 20.0,
    }
    run = run_notebook("03_sustainability_formula", params)
    assert run.returncode == 0, run.output[-2000:]
    assert run.results["parameters"]["ad_share"] == 0.01
