"""Notebook 02 (the ad-spend bubble): the module's logic, then the notebook's results JSON."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

import kimi_research as kr
from kimi_research.analysis import adspend
from kimi_research.orchestration.runner import load_param_set

NB = "02_ad_spend_bubble"
M = pd.Period


# --- the spend path ----------------------------------------------------------------------------------
def test_spend_data_by_month(ds):
    d = adspend.spend_data_by_month(ds)
    assert d.loc[M("2024-10", "M"), "value"] == pytest.approx(2.2e8)
    assert d.loc[M("2024-10", "M"), "obs_ids"] == "o001_13;o002_05"  # the same AppGrowing figure in two articles
    assert d.loc[M("2024-11", "M"), "value"] == 2e8
    assert d.loc[M("2024-02", "M"), "kind"] == "lower bound" and d.loc[M("2024-02", "M"), "value"] == 1e8  # Bilibili 超亿元
    span = d[d["kind"] == "span bound"]
    assert list(span.index.astype(str)) == [f"2024-0{m}" for m in range(3, 10)]
    assert np.allclose(span["value"], 1e7)  # 上千万元, a lower bound per month


@pytest.mark.parametrize(
    "path, mar, dec, mar_status, dec_status",
    [
        ("articles", 1e7, 1e7, "lower bound", "assumption"),
        ("lower_bounds", 1e7, 0.0, "lower bound", "assumption"),
        ("interpolate", 1e8 + (2.2e8 - 1e8) / 8, 1e7, "interpolated", "assumption"),
        ("zero", 0.0, 0.0, "assumption", "assumption"),
    ],
)
def test_monthly_spend_paths(ds, path, mar, dec, mar_status, dec_status):
    s = adspend.monthly_spend(ds, path, "2025-12")
    assert s.index[0] == M("2024-02", "M") and s.index[-1] == M("2025-12", "M")
    assert s.attrs["last_data_month"] == M("2024-11", "M")
    assert s.loc[M("2024-03", "M"), "spend_yuan"] == pytest.approx(mar)
    assert s.loc[M("2024-03", "M"), "status"] == mar_status
    assert s.loc[M("2024-12", "M"), "spend_yuan"] == dec and s.loc[M("2024-12", "M"), "status"] == dec_status
    assert not s.loc[M("2024-12", "M") :, "data"].any()  # nothing after November 2024 is data
    assert s.loc[M("2024-10", "M"), "status"] == "reported" and s.loc[M("2024-10", "M"), "spend_yuan"] == pytest.approx(2.2e8)
    assert list(adspend.peak_window(s).astype(str)) == ["2024-10", "2024-11"]


def test_monthly_spend_rejects_unknown_path(ds):
    with pytest.raises(ValueError, match="unknown spend_path"):
        adspend.monthly_spend(ds, "guess")


def test_spend_rows_empty_selection_is_a_data_error(ds):
    with pytest.raises(kr.DataError, match="no ad-spend rows"):
        adspend.spend_rows(ds, "chatgpt")
    with pytest.raises(kr.DataError, match="no dated MAU rows"):
        adspend.mau_targets(ds, "kimi", "hays")


def test_mau_targets_count_a_repeated_figure_once(ds):
    t = adspend.mau_targets(ds)
    assert list(t.index[t["used"]]) == ["o000_08", "o004_16", "o004_17"]
    assert not t.at["o000_06", "used"] and "o004_16" in t.at["o000_06", "reason"]  # 1408万 = Q2's 1407.2万 rounded
    assert t.at["o004_16", "n_months"] == 3


# --- unit economics ----------------------------------------------------------------------------------
def test_unit_economics():
    assert adspend.cost_per_retained_user(10, 2.5, 0.01) == pytest.approx(1250)
    assert adspend.cost_per_retained_user(30, 2.5, 0.05) == pytest.approx(650)
    np.testing.assert_allclose(adspend.cost_per_retained_user(10, 0, np.array([0.1, 1.0])), [100, 10])
    with pytest.raises(ValueError):
        adspend.cost_per_retained_user(10, 2.5, 0)
    with pytest.raises(ValueError):
        adspend.cost_per_retained_user(-5, 2.5, 0.01)
    d30, d31 = adspend.daily_burn_per_month(2.2e8)
    assert round(d30 / 1e4, 1) == 733.3 and round(d31 / 1e4, 1) == 709.7
    assert adspend.users_per_budget(1e8, 10) == 1e7
    assert round(adspend.users_per_budget(1e8, 30)) == 3_333_333


# --- the stock-flow model ----------------------------------------------------------------------------
def test_simulate_and_half_life():
    idx = pd.period_range("2024-01", periods=4, freq="M")
    u = adspend.simulate(pd.Series([100.0, 0, 0, 50], index=idx), cpa=10, churn=0.5)
    assert list(u) == [10, 5, 2.5, 6.25]
    assert adspend.half_life(0.5) == pytest.approx(1.0)
    assert adspend.half_life(1 - 0.5 ** (1 / 3)) == pytest.approx(3.0)
    assert math.isinf(adspend.half_life(0.0))
    with pytest.raises(ValueError):
        adspend.simulate(pd.Series([1.0], index=idx[:1]), cpa=10, churn=1.0)


def test_fit_recovers_a_known_churn():
    idx = pd.period_range("2024-01", periods=12, freq="M")
    spend = pd.Series([5e7, 1e7, 1e7, 2e8, 0, 0, 0, 0, 0, 0, 0, 0], index=idx)
    truth = adspend.simulate(spend, 10, 0.3)
    targets = pd.DataFrame(
        {
            "entity": "x",
            "metric": "mau",
            "period_start": [idx[4].start_time, idx[6].start_time, idx[9].start_time],
            "period_end": [idx[4].end_time, idx[8].end_time, idx[11].end_time],
            "n_months": [1, 3, 3],
            "months": [[idx[4]], list(idx[6:9]), list(idx[9:12])],
            "vendor": "v",
            "source_id": "s",
            "used": True,
        },
        index=["a", "b", "c"],
    )
    targets["base_value"] = [truth.loc[ms].mean() for ms in targets["months"]]
    fit = adspend.fit_churn(spend, 10, targets)
    assert fit.fitted and fit.churn == pytest.approx(0.3, abs=1e-6)
    assert fit.sse == pytest.approx(0, abs=1e-10)
    assert fit.dof == 2 and len(fit.jackknife) == 3
    given = adspend.fit_churn(spend, 10, targets, churn=0.1)
    assert not given.fitted and given.churn == 0.1 and given.ci_profile is None and given.sse > 0


def test_fit_to_kimi_default(ds):
    spend = adspend.monthly_spend(ds, "articles", "2025-12")
    fit = adspend.fit_churn(spend["spend_yuan"], 10.0, adspend.mau_targets(ds))
    assert fit.n == 3 and round(fit.churn, 3) == 0.212
    lo, hi = fit.ci_profile
    assert lo < fit.churn < hi and round(lo, 3) == 0.092 and round(hi, 3) == 0.364
    assert round(fit.table.at["o000_08", "relative_error"], 2) == 0.58  # the model overshoots December 2024
    cf = adspend.counterfactuals(spend, 10.0, fit.churn)
    assert (cf["spend stopped"] <= cf["chosen spend path"] + 1e-6).all()
    assert (cf["chosen spend path"] <= cf["spend continued"] + 1e-6).all()
    assert cf.loc[: M("2024-11", "M")].nunique(axis=1).eq(1).all()  # identical up to the last reported month


# --- the notebook --------------------------------------------------------------------------------------
@pytest.mark.notebook
def test_default_run(default_results):
    r = default_results(NB)
    assert r["peak_monthly_spend_yuan"] == pytest.approx(2.2e8) and r["peak_month"] == "2024-10"
    d30, d31 = r["peak_daily_burn_yuan"]
    assert round(d30, 1) == 7_333_333.3 and round(d31, 1) == 7_096_774.2  # 733.3万 and 709.7万 (article: 700万)
    assert r["article_daily_burn_yuan"] == 7e6
    assert r["hypothetical_daily_burn_yuan"] == pytest.approx([2.4e6, 2.6e6])  # article: about 250万
    assert r["parameter_daily_burn_yuan"] == pytest.approx(2.5e6)
    assert r["burn_20_days_per_day_yuan"] == pytest.approx(5e6)
    assert r["users_per_100m_yuan"] == pytest.approx(1e7)
    assert r["users_per_100m_yuan_by_cpa_row"]["o004_20"] == pytest.approx(1e7)
    assert round(r["users_per_100m_yuan_by_cpa_row"]["o000_13"]) == 3_333_333
    assert r["cost_per_retained_user_yuan"] == pytest.approx(1250)
    assert r["peak_window"] == ["2024-10", "2024-11"] and r["peak_window_spend_yuan"] == pytest.approx(4.2e8)
    assert r["users_bought_peak_window"] == pytest.approx(4.2e7) and r["users_kept_30d_peak_window"] == pytest.approx(4.2e5)
    assert r["mau_after_peak_obs"] == "o000_08" and r["mau_after_peak"] == pytest.approx(2.101e7)
    assert round(r["mau_to_bought_ratio"], 3) == 0.5
    assert r["spend_status_by_month"]["2024-12"] == "assumption" and r["spend_by_month_yuan"]["2024-12"] == 1e7
    assert r["churn_fitted"] and round(r["fitted_monthly_churn"], 3) == 0.212 and r["fit_points"] == 3
    assert round(r["bought_user_half_life_months"], 2) == 2.90
    assert [round(x, 3) for x in r["churn_ci_profile"]] == [0.092, 0.364]
    assert round(r["observed_mau_change"], 3) == -0.528
    assert r["ad_spend_share"] == pytest.approx(0.7)
    assert round(r["implied_total_monthly_cost_yuan"]) == 314_285_714  # 2.2亿 / 0.7
    assert [round(x) for x in r["implied_total_monthly_cost_range_yuan"]] == [285_714_286, 314_285_714]
    cf = r["counterfactual_users_end"]
    assert r["counterfactual_end_month"] == "2025-12"
    assert cf["spend stopped"] < cf["chosen spend path"] < cf["spend continued"]


def _params(name: str) -> dict:
    return load_param_set(NB, name)


@pytest.mark.notebook
def test_cpa_30_set(run_notebook):
    run = run_notebook(NB, _params("cpa_30"))
    assert run.returncode == 0, run.output[-2000:]
    r = run.results
    assert r["parameters"]["cpa_yuan"] == 30.0
    assert round(r["users_per_100m_yuan"]) == 3_333_333
    assert r["cost_per_retained_user_yuan"] == pytest.approx(3250)  # (30 + 2.5) / 1%
    assert r["users_bought_peak_window"] == pytest.approx(1.4e7)  # fewer than the 2101万 MAU of December
    assert round(r["mau_to_bought_ratio"], 3) == 1.501
    assert round(r["fitted_monthly_churn"], 3) == 0.067
    assert r["peak_daily_burn_yuan"] == pytest.approx([2.2e8 / 30, 2.2e8 / 31])  # independent of the CPA


@pytest.mark.notebook
def test_spend_zero_set(run_notebook):
    run = run_notebook(NB, _params("spend_zero"))
    assert run.returncode == 0, run.output[-2000:]
    r = run.results
    assert r["spend_path"] == "zero"
    assert r["spend_by_month_yuan"]["2024-03"] == 0 and r["spend_by_month_yuan"]["2025-06"] == 0
    assert r["spend_to_last_report_yuan"] == pytest.approx(5.2e8)  # 1亿 + 2.2亿 + 2亿
    assert round(r["fitted_monthly_churn"], 3) == 0.158


@pytest.mark.notebook
def test_given_churn_set(run_notebook):
    run = run_notebook(NB, _params("churn_10pct"))
    assert run.returncode == 0, run.output[-2000:]
    r = run.results
    assert not r["churn_fitted"] and r["fitted_monthly_churn"] == 0.1
    assert r["churn_ci_profile"] is None and r["churn_jackknife"] == {}
    assert round(r["bought_user_half_life_months"], 2) == 6.58
    assert r["cost_per_retained_user_yuan"] == pytest.approx(250)  # 12.5 / 5%
    assert r["spend_status_by_month"]["2024-05"] == "interpolated"


@pytest.mark.notebook
def test_bad_parameters_fail_at_validation(run_notebook):
    run = run_notebook(NB, {"retention_30d": 0, "cpa_yuan": -5})
    assert run.returncode != 0 and run.results is None
    out = run.output
    assert "ParameterError" in out
    assert "'retention_30d' = 0" in out and "(0, 1]" in out
    assert "'cpa_yuan' = -5" in out and "[0.01, 1000]" in out
    assert "pandas" not in out
    failed = json.loads(run.executed().read_text(encoding="utf-8"))
    errored = [c for c in failed["cells"] if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    assert len(errored) == 1 and 'validate_parameters("02_ad_spend_bubble"' in "".join(errored[0]["source"])


# --- issue 13 §4 / issue 12 §5: churn pinned only jointly with the CPA; cohort, organic, saturation -----
@pytest.fixture(scope="module")
def joint(ds):
    arts = ds.with_evidence("articles")
    targets = adspend.mau_targets(arts)
    return arts, targets, adspend.churn_by_cpa_and_path(arts, targets, "2025-12", adspend.cpa_readings(arts))


def test_churn_profile_over_cpa_and_spend_path(joint):
    arts, targets, t = joint
    cpas = adspend.cpa_readings(arts)
    assert len(t) == len(cpas) * len(adspend.SPEND_PATHS)
    for path in adspend.SPEND_PATHS:  # each row is the single-CPA fit of the notebook
        sp = adspend.monthly_spend(arts, path, "2025-12")["spend_yuan"]
        for key, cpa in cpas.items():
            row = t[(t["spend_path"] == path) & (t["cpa_reading"] == key)].iloc[0]
            assert row["churn"] == pytest.approx(adspend.fit_churn(sp, cpa, targets).churn, abs=1e-6)
        by_cpa = t[t["spend_path"] == path].sort_values("cpa_yuan")
        assert by_cpa["churn"].is_monotonic_decreasing  # a dearer user: fewer bought, fewer need to leave
    # the frozen data: 21.2% at 10元 on the articles path, about 6.7% at 30元 on the same path
    at = t.set_index(["cpa_reading", "spend_path"])["churn"]
    assert round(at[("10", "articles")], 3) == 0.212 and round(at[("30", "articles")], 3) == 0.067
    assert t["allowed"].all()  # three points cannot tell the pairs apart


def test_simulate_options():
    idx = pd.period_range("2024-01", periods=40, freq="M")
    spend = pd.Series([1e8] * 3 + [0.0] * 37, index=idx)
    plain = adspend.simulate(spend, 10, 0.2)
    assert np.allclose(adspend.simulate(spend, 10, 0.2, first_month_retention=0.8), plain)  # 1 - churn: the adstock
    cohort = adspend.simulate(spend, 10, 0.2, first_month_retention=0.3)
    assert cohort.iloc[0] == plain.iloc[0] and cohort.iloc[1] == pytest.approx(1e7 * 0.3 + 1e7)
    organic = adspend.simulate(spend * 0, 10, 0.25, organic=1e6)
    assert organic.iloc[-1] == pytest.approx(1e6 / 0.25, rel=1e-3)  # the steady state inflow / churn
    sat = adspend.simulate(pd.Series(1e9, index=idx), 10, 0.05, saturation_users=5e7)
    assert sat.max() <= 5e7 and sat.iloc[-1] > 0.9 * 5e7  # never above the market, close to it with endless spend
    small = adspend.simulate(spend, 10, 0.2, saturation_users=1e12)
    assert np.allclose(small, plain, rtol=1e-3)  # a market far larger than the stock: no effect
    with pytest.raises(ValueError):
        adspend.simulate(spend, 10, 0.2, first_month_retention=1.5)


def test_counterfactual_cannot_outgrow_the_market(ds):
    arts = ds.with_evidence("articles")
    spend = adspend.monthly_spend(arts, "articles", "2030-12")
    size = 2.5e7
    cf = adspend.counterfactuals(spend, 10.0, 0.05, saturation_users=size)
    free = adspend.counterfactuals(spend, 10.0, 0.05)
    assert free["spend continued"].max() > size  # without saturation it would outgrow it
    after = cf.index > spend.attrs["last_data_month"]
    assert cf.loc[after, "spend continued"].max() <= max(size, cf["chosen spend path"].max())


def test_spend_path_never_spreads_a_total_over_months(live_ds):
    full = live_ds.with_evidence("all")
    d = adspend.spend_data_by_month(full)
    ids = {i for s in d["obs_ids"] for i in s.split(";")}
    kinds = full.observations.loc[sorted(ids), "value_kind"]
    assert not kinds.isin(adspend.NOT_A_MONTH).any()
    spend = adspend.monthly_spend(full, "articles", "2025-12")
    w = adspend.peak_window(spend)
    rep = spend[spend["status"] == "reported"]
    assert rep["spend_yuan"].astype(float).idxmax() in w  # the window holds the peak, not the last reported month


def test_headline_states_the_range_and_the_floor(ds, analysed):
    from kimi_research.orchestration.results import payload_of
    from kimi_research.presentation.narrative import adspend as narrative

    an, _ = analysed(NB, ds)
    r = payload_of(an)
    lo, hi = r["churn_range_allowed"]
    assert lo < an.fit.fitted_monthly_churn < hi
    assert r["cost_per_retained_user_is_lower_bound"] == (an.retained.retention_row["qualifier"] in ("<", "<="))
    text = r["headline"]
    assert text == narrative.headline(an)
    assert f"{lo:.0%} to {hi:.0%}" in text
    assert ("at least CNY" in text) == r["cost_per_retained_user_is_lower_bound"]
    assert "lower bound" in narrative.retained_user_note(an.retained)


def test_sections_are_the_results_contract(ds, analysed):
    """Every result key comes from exactly one section, the payload validates against the generated model, and the
    evidence comparison is computed by the analysis (both settings), not by a sentence function."""
    from kimi_research.orchestration.results import payload_of
    from kimi_research.orchestration.results_models import MODELS

    an, _ = analysed(NB, ds)
    keys = [k for s in an.sections().values() for k in s.results()]
    assert len(keys) == len(set(keys))
    payload = payload_of(an)
    MODELS[NB].model_validate(payload)
    assert set(payload) == {"notebook", "parameters", "headline", *keys}
    assert all(len(type(s).model_fields) <= 25 for s in an.sections().values())
    table = an.evidence_comparison.table
    assert list(table.columns) == ["articles", "all"]
    assert table.at["MAU points fitted", "articles"] == an.fit.fit_points  # the default run uses the articles


@pytest.mark.notebook
def test_evidence_all_set(run_notebook, live_ds):
    run = run_notebook(NB, _params("evidence_all"))
    assert run.returncode == 0, run.output[-2000:]
    r = run.results
    assert r["evidence"] == "all" and r["parameters"]["evidence"] == "all"
    assert r["churn_range_allowed"][0] <= r["fitted_monthly_churn"] <= r["churn_range_allowed"][1]
    assert r["spend_floor_yuan_per_month"] > 0
