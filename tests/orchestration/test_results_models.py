"""The results models (orchestration/results_models.py): one per notebook, checked on write."""

from __future__ import annotations

import json

import pytest

import kimi_research as kr
from kimi_research import registry
from kimi_research.orchestration import results_models as RM


@pytest.fixture
def build(tmp_path, monkeypatch):
    monkeypatch.setenv("KIMI_RESEARCH_BUILD_DIR", str(tmp_path))
    return tmp_path


def _minimal_audit() -> dict:
    return {
        "entity": "all",
        "n_observations": 3,
        "n_sources": 1,
        "observations_per_source": {"s000": 3},
        "n_events": 0,
        "n_conflicts": 0,
        "n_conflict_rows": 0,
        "conflict_groups": {},
        "n_suspicious": 0,
        "suspicious": [],
        "flag_counts": {},
        "quotes_checked": None,
        "quotes_found": None,
        "claims": {"c01": {"verdict": "holds", "computed_low": 1.0, "computed_high": 1.0, "gap": 0.0, "relation": "="}},
        "verdict_counts": {"holds": 1},
        "headline": "3 numbers.",
        "quote_status": None,
        "evidence": "articles",
        "most_covered_sources": ["s000"],
        "sources_by_tier": {"1": {"sources": 1, "sources with rows": 1, "rows": 3}},
    }


def test_every_notebook_declares_its_results():
    assert set(RM.MODELS) <= set(registry.NAMES)
    assert {n for n in registry.NAMES if n[:2] in ("00", "01", "02", "03", "04")} <= set(RM.MODELS)
    for model in RM.MODELS.values():
        assert {"notebook", "parameters", "headline"} <= set(model.model_fields)
        assert model.model_config.get("extra") == "forbid"


def test_a_valid_dict_is_written_as_given(build):
    path = kr.write_results("00_data_audit", _minimal_audit(), {"entity": "all", "tolerance": 0.05})
    written = json.loads(path.read_text(encoding="utf-8"))
    assert written == {"notebook": "00_data_audit", "parameters": {"entity": "all", "tolerance": 0.05}, **_minimal_audit()}


def test_a_model_instance_is_written_like_its_dict(build):
    payload = {"notebook": "00_data_audit", "parameters": {}, **_minimal_audit()}
    inst = RM.MODELS["00_data_audit"].model_validate(payload)
    path = kr.write_results("00_data_audit", inst, {})
    assert json.loads(path.read_text(encoding="utf-8")) == payload


def test_a_missing_key_is_named_and_nothing_is_written(build):
    bad = _minimal_audit()
    del bad["n_events"]
    with pytest.raises(RM.ResultsError) as e:
        kr.write_results("00_data_audit", bad, {})
    assert "n_events: Field required" in str(e.value) and "AuditAnalysisResults" in str(e.value)
    assert not (build / "results" / "00_data_audit.json").exists()


def test_an_unknown_key_or_a_wrong_type_is_refused(build):
    with pytest.raises(RM.ResultsError, match="n_event: Extra inputs are not permitted"):
        kr.write_results("00_data_audit", {**_minimal_audit(), "n_event": 1}, {})
    with pytest.raises(RM.ResultsError, match=r"claims\.c01\.gap: .*got 'wide'"):
        bad = _minimal_audit()
        bad["claims"]["c01"]["gap"] = "wide"
        kr.write_results("00_data_audit", bad, {})


def test_a_notebook_without_a_model_is_not_checked(build):
    path = kr.write_results("99_scratch", {"anything": [1, 2]}, {})
    assert json.loads(path.read_text(encoding="utf-8"))["anything"] == [1, 2]


@pytest.mark.notebook
@pytest.mark.parametrize("name", sorted(RM.MODELS))
def test_default_results_match_their_model(default_results, name):
    RM.MODELS[name].model_validate(default_results(name))


# --- analyse(ds, P) -> typed sections -> payload_of(an): the shape every notebook module takes -------------------
def _run(ds, name):
    from kimi_research.analysis.sections import Analysis
    from kimi_research.orchestration.results import payload_of
    from kimi_research.params import defaults

    nb = registry.get(name)
    mod = nb.module()
    P = kr.validate_parameters(name, defaults(name), ds)
    an = mod.analyse(ds, P)
    assert isinstance(an, Analysis)  # typed sections: the payload is written from them, headline included
    r = payload_of(an)
    RM.MODELS[name].model_validate(r)
    return mod, P, an, r


def test_ad_spend_analysis(ds):
    mod, P, an, r = _run(ds, "02_ad_spend_bubble")
    months = ds.select("kimi", "ad_spend")
    months = months[months["period_months"] == 1]
    assert r["peak_monthly_spend_yuan"] == months["base_value"].max()
    assert r["users_bought_peak_window"] == r["peak_window_spend_yuan"] / P.cpa_yuan
    assert r["cost_per_retained_user_yuan"] == (P.cpa_yuan + P.compute_cost_per_user_yuan) / P.retention_30d


def test_sustainability_analysis(ds):
    mod, P, an, r = _run(ds, "03_sustainability_formula")
    total = r["peak_ad_spend_yuan"] / P.ad_share  # the default cost is implied from the peak spend
    assert r["implied_total_monthly_cost_yuan"] == pytest.approx(total)
    assert r["sustainable_growth_rate"] == pytest.approx(P.paid_revenue_monthly_yuan / total * (1 - P.ad_share))


def test_competitor_analysis(ds):
    mod, P, an, r = _run(ds, "04_competitor_comparison")
    ranked = [x["entity"] for x in r["ranking"] if x["rank"] is not None]
    if r["kimi_rank"] is not None:
        assert r["kimi_rank"] == next(x["rank"] for x in r["ranking"] if x["entity"] == "kimi")
        assert "kimi" in ranked
    assert {row["status"] for row in r["verdict_table"]} <= {"leads", "par", "trails", "lacks"}
    assert r["verdict"]["holds"] == (not r["verdict"]["unique_to_kimi"] and not r["verdict"]["leads_now"])
