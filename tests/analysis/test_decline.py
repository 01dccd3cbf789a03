"""Notebook 01 (user decline): the helpers in kimi_research.analysis.decline, then the notebook itself."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from kimi_research.analysis import decline
from kimi_research.data.loader import repeated_figures
from kimi_research.errors import ParameterError
from kimi_research.orchestration.runner import load_param_set
from kimi_research.params import defaults
from kimi_research.presentation.narrative import decline as narrative

NB = "01_user_decline"
REQUIRED_KEYS = {
    "entity",
    "metric",
    "vendor",
    "n_points",
    "peak_value",
    "peak_period",
    "latest_value",
    "latest_period",
    "peak_to_latest_change",
    "monthly_change",
    "monthly_change_ci",
    "half_life_months",
}


def params(**kw):
    return SimpleNamespace(**(defaults(NB) | kw))


@pytest.fixture(scope="module")
def kimi(ds):
    return decline.analyse(ds, params())


# --- parameters ----------------------------------------------------------------------------------
def test_parameter_declaration():
    from kimi_research.data.comparable import STUDY_WINDOW

    assert (defaults(NB)["start"], defaults(NB)["end"]) == tuple(d.date().isoformat() for d in STUDY_WINDOW)
    assert defaults(NB) == {
        "entity": "kimi",
        "metric": "mau",
        "vendor": "auto",
        "start": "2023-10-01",
        "end": "2025-12-31",
        "forecast_months": 6,
        "annotate_events": True,
        "evidence": "articles",
    }


def test_entity_resolution(ds):
    assert decline.resolve_entity(ds, "Kimi") == decline.resolve_entity(ds, "kimi") == "kimi"
    assert decline.resolve_entity(ds, "doubao") == "doubao"
    assert decline.resolve_entity(ds, "Nope") is None


def test_window_errors_name_the_parameters(ds):
    with pytest.raises(ParameterError, match="'start' = '2025-06-01' and 'end' = '2025-01-01': start is after end"):
        decline.window("2025-06-01", "2025-01-01")
    with pytest.raises(ParameterError, match=r"no mau rows of kimi in this window; .* 2024-10-16 to 2025-08-15"):
        decline.select(ds, "kimi", "mau", "2026-01-01", "")


# --- series, dating, peak and latest -------------------------------------------------------------
def test_quarter_is_dated_at_mid_quarter(ds):
    o = ds.observations
    assert o.at["o004_17", "period_mid"] == pd.Timestamp("2025-08-15 12:00")  # 2025 Q3
    assert o.at["o004_16", "period_mid"] == pd.Timestamp("2025-05-16")  # 2025 Q2


def test_auto_vendor_is_the_firm_with_most_points(kimi, ds):
    assert kimi.peak.vendor == "questmobile"
    # rows that name no firm are a series only within one source: the key names the source
    assert decline.analyse(ds, params(metric="dau")).peak.vendor == "none:s003"
    # the scenario engine's selection keeps its meaning (notebook 05 reads it)
    assert decline.resolve_vendor(decline.select(ds, "kimi", "dau"), "auto") == decline.NO_VENDOR


def test_rows_and_kinds(kimi):
    rows = kimi.trajectory.rows
    assert len(rows) == 5 and rows["usable"].all()  # the May figure repeats the Q2 average: one measurement
    assert kimi.trajectory.left_out_rows == {"o000_06": "the same measurement as o004_16 (1407.2万, 2025 Q2): counted once"}
    assert rows.loc["o004_06", "kind"] == "lower bound"  # 3600万以上, no firm named
    assert rows.loc["o004_06", "series"] == "none:s004"
    assert (rows["series"] == "questmobile").sum() == 3
    assert rows.loc["o004_16", "obs_ids"] == ["o000_06", "o004_16"]


def test_peak_and_latest_on_questmobile(kimi):
    h = kimi.peak
    assert (h.peak_obs, h.peak_value, h.peak_period) == ("o000_08", 21_010_000, "2024-12")
    assert (h.latest_obs, h.latest_value, h.latest_period) == ("o004_17", 9_926_000, "2025 Q3")
    assert round(h.peak_to_latest_change, 4) == -0.5276  # 992.6 / 2101 - 1
    assert round(h.months_since_peak, 3) == 7.967
    assert h.conflicting_figures == []


def test_series_table_keeps_vendors_apart(kimi):
    t = kimi.peak.table
    assert list(t.index) == ["questmobile", "aicpb", "none:s004"]
    assert t.at["aicpb", "peak_value"] == 26_490_000 and pd.isna(t.at["aicpb", "peak_to_latest_change"])
    assert t.at["none:s004", "n_points"] == 0 and "≥3600万" in t.at["none:s004", "bounds"]
    shown = narrative.display_series_table(kimi.peak)
    assert shown.loc["QuestMobile", "peak to latest"] == "−52.8%"


def test_higher_figures_elsewhere(kimi):
    assert list(kimi.peak.higher.index) == ["o004_06", "o002_03"]


# --- the decay fit -------------------------------------------------------------------------------
def test_kimi_questmobile_fit(kimi):
    f = kimi.decay.fit
    # 1408万 (May 2025) repeats 1407.2万 (Q2 2025): one measurement (the layer), so 3 points and 1 degree of freedom
    assert f.status == "fit" and f.n == 3 and list(f.used.index) == ["o000_08", "o004_16", "o004_17"]
    assert f.excluded == {} and kimi.decay.why_no_rate is None
    assert round(f.monthly_change, 4) == -0.0886
    lo, hi = f.monthly_change_ci
    assert (round(lo, 4), round(hi, 4)) == (-0.1911, 0.0269)  # honest width: the CI reaches zero decline
    assert round(f.half_life, 3) == 7.470
    assert round(f.half_life_ci[0], 2) == 3.27 and f.half_life_ci[1] is None
    assert round(f.r_squared, 3) == 0.990


def test_fit_matches_two_point_arithmetic_of_its_ends(kimi):
    """Peak and latest alone: (992.6 / 2101) ** (1 / 7.967) - 1 = -8.98% a month; the fit is close."""
    h = kimi.peak
    two_point = (h.latest_value / h.peak_value) ** (1 / h.months_since_peak) - 1
    assert round(two_point, 4) == -0.0898
    assert abs(kimi.decay.fit.monthly_change - two_point) < 0.002


def test_dating_convention_sensitivity(kimi):
    r = decline.redate_to_last_month(kimi.peak.chosen)
    assert r.at["o004_17", "period_mid"] == pd.Timestamp("2025-09-15 12:00")  # Q3 at mid-September
    assert r.at["o000_08", "period_mid"] == kimi.peak.chosen.at["o000_08", "period_mid"]  # a month is unchanged
    assert round(decline.dating_sensitivity(kimi.peak.chosen, "QuestMobile"), 4) == -0.0780


def test_leave_one_out_and_repeated_figure(ds, kimi):
    assert {k: round(v, 4) for k, v in kimi.fit_basis.loo.items()} == {"o004_16": -0.0898, "o004_17": -0.0776}
    assert repeated_figures(ds.select("kimi", "mau", "questmobile")) == {"o000_06": "o004_16"}  # 1408万 vs 1407.2万


def test_forecast_continues_the_fitted_line(kimi):
    fc, f = kimi.decay.forecast_table, kimi.decay.fit
    assert list(fc["months_ahead"]) == [1, 2, 3, 4, 5, 6]
    t = f.used["t"].max() + 6
    assert fc["value"].iloc[-1] == pytest.approx(math.exp(f.intercept + f.slope * t))
    assert round(fc["value"].iloc[-1] / 1e4, 1) == 584.4
    assert (fc["low"] < fc["value"]).all() and (fc["value"] < fc["high"]).all()
    assert fc["value"].is_monotonic_decreasing
    assert decline.forecast(f, 0).empty


def test_pooled_fit_excludes_bounds_and_pre_peak_points(ds):
    an = decline.analyse(ds, params(vendor="all"))
    f = an.decay.fit
    assert an.peak.vendor_label == "all vendors pooled" and an.peak.pooled
    assert an.peak.peak_obs == "o002_03"  # AI Product Ranking's 2649万 (2025-03)
    assert an.fit_basis.excluded_rows == {
        "o000_08": "before the peak (2024-12)",
        "o004_06": "a lower bound (3600万以上): drawn open, never fitted as a point",
    }
    assert "o000_06" in an.trajectory.left_out_rows  # the repeated May figure: one measurement, same firm only
    assert round(f.monthly_change, 4) == -0.1727
    assert f.half_life_ci[1] is None  # the CI reaches zero decline
    # the headline names the pooled series (not 'this firm's series') and the comparison its change makes
    h = narrative.headline(an)
    assert "on the pooled series a fitted -17.3% a month" in h and "firm's series" not in h
    assert "-62.5% (a month against a quarter's average)" in h


def _rows(values, months, qualifier="="):
    start = pd.Timestamp("2025-01-01")
    mids = [start + pd.Timedelta(days=m * decline.DAYS_PER_MONTH) for m in months]
    return pd.DataFrame(
        {
            "obs_id": [f"x{i}" for i in range(len(values))],
            "base_value": values,
            "period_mid": mids,
            "period_start": mids,
            "period_end": mids,
            "kind": ["point"] * len(values),
            "qualifier": qualifier,
            "value_text": [str(v) for v in values],
            "period": [str(m) for m in months],
            "series": "questmobile",
            "base_value_high": np.nan,
        }
    ).set_index("obs_id", drop=False)


def test_two_points_give_a_rate_but_no_interval():
    f = decline.fit_decay(_rows([100.0, 50.0], [0, 4]), "QuestMobile")
    assert f.status == "no_ci" and f.monthly_change_ci == (None, None)
    assert f.half_life == pytest.approx(4.0)
    assert "Two points only: no confidence interval is possible" in narrative.describe_fit(f, "mau")


def test_points_on_two_dates_give_no_interval():
    f = decline.fit_decay(_rows([100.0, 60.0, 60.1], [0, 3, 3]), "QuestMobile")
    assert f.n == 3 and f.n_dates == 2 and f.status == "no_ci"
    assert "3 points on only 2 distinct dates" in narrative.describe_fit(f, "mau")


def test_no_half_life_when_not_declining():
    f = decline.fit_decay(_rows([100.0, 120.0, 90.0, 150.0], [0, 1, 2, 3]), "QuestMobile")
    assert f.status == "too_few" and f.n == 1  # the peak is the last point: nothing after it to fit
    f = decline.fit_decay(_rows([100.0, 50.0, 90.0, 95.0], [0, 1, 2, 3]), "QuestMobile")  # dip, then recovery
    assert f.status == "fit" and f.slope > 0 and not f.declining
    assert f.half_life is None
    assert f.half_life_ci[1] is None  # the interval reaches growth: no upper end (the lower end stays defined)
    assert "not declining after its peak, so there is no half-life" in narrative.describe_fit(f, "mau")


def test_one_point_and_bounds_only(ds):
    an = decline.analyse(ds, params(entity="Doubao", metric="wau"))
    f = an.decay.fit
    assert f.status == "too_few" and f.monthly_change is None and f.half_life is None
    assert f.monthly_change_ci == (None, None) and an.decay.forecast_table.empty
    assert "**No rate is fitted.**" in narrative.describe_fit(f, "wau") and "one exact figure" in an.decay.why_no_rate
    only_bound = decline.analyse(ds, params(vendor="none"))
    assert only_bound.peak.vendor == "none:s004"
    assert only_bound.decay.fit.n == 0 and only_bound.peak.peak_value is None
    assert "known only as bounds: ≥3600万 (2024-10, lower bound)" in narrative.summary_markdown(only_bound)


# --- growth phase, ranks, events -------------------------------------------------------------------
def test_growth_phase(ds):
    g = decline.growth_phases(ds, "kimi")
    assert len(g) == 1
    r = g.iloc[0]
    assert (r["metric"], r["series"], r["start_obs"], r["end_obs"]) == ("dau", "none:s003", "o003_08", "o003_09")
    assert round(r["multiple"], 2) == 11.60
    assert round(r["months"], 2) == 4.99
    assert round(r["monthly_growth"], 3) == 0.634
    assert decline.growth_phases(ds, "doubao").empty


def test_rank_history_one_list_at_a_time(kimi):
    rk = kimi.ranks
    # the list with most ranks, then the latest: QuestMobile's weekly list; never mixed with the monthly list
    assert rk.rank_list == "wau_rank · questmobile · domestic AI-native apps"
    assert [(x.obs_id, x.text, x.period) for x in rk.ranks] == [
        ("o004_03", "2", "2024-12"),
        ("o004_02", "7", "week of 2025-12-08"),
    ]
    assert {x.list_key for x in rk.ranks} == {rk.rank_list}
    others = {x.list_key: x.ranks for x in rk.other_rank_lists}
    assert others["mau_rank · questmobile · domestic native AI apps"] == ["≤3", "9"]
    assert len(others) == 4 and rk.histories == [rk.rank_list, "mau_rank · questmobile · domestic native AI apps"]
    r = rk.table
    assert r.at["o000_04", "list_name"] == "MAU rank, AI Product Ranking (aicpb.com), global AI apps"
    assert "≤3 (2024-12) → 9 (2025-05)" in narrative.ranks_note(rk)


def test_chart_events_merge_same_day_and_keep_launches(ds):
    ev = decline.chart_events(ds, pd.Timestamp("2024-10-01"), pd.Timestamp("2026-02-28"))
    assert len(ev) == 8
    labels = dict(zip(ev["date"].dt.date.astype(str), ev["label"], strict=True))
    assert labels["2025-01-20"] in ("Kimi k1.5 / DeepSeek R1", "DeepSeek R1 / Kimi k1.5")
    ids = {e for x in ev["event_ids"] for e in x}
    assert {"e_deepseek_r1", "e_kimi_k15", "e_doubao_16", "e_kimi_k2", "e_gpt5"} <= ids
    assert set(ev["kind"]) == {"model_launch"}


# --- prose and results -----------------------------------------------------------------------------
def test_summary_is_built_from_computed_values(ds, kimi):
    md = narrative.summary_markdown(kimi)
    assert md.startswith("* **Peak and latest.** Kimi's MAU as measured by QuestMobile peaked at")
    for text in [
        "**2101万** (2024-12)",
        "**992.6万**",
        "**−52.8%** in 8.0 months",
        # issue 19: the headline change says which comparison it is, and the like-for-like reading stands beside it
        "That change compares a month (2024-12) against a quarter's monthly average (2025 Q3): not like for like.",
        "2025 Q2 → 2025 Q3: **−29.5%**",
        "**−8.9% a month**",
        "95% CI −19.1% to +2.7%",
        "**7.5 months**",
        "×11.6 in 5.0 months",
        "+63.4% a month",
        "≥3600万 in 2024-10 (no firm named, s004, lower bound)",
        "2 (2024-12) → 7 (week of 2025-12-08)",
        "DeepSeek 65.7% (AI Product Ranking (aicpb.com), 2025-02-01 to 2025-02-11)",
    ]:
        assert text in md, text
    assert "counted once" in narrative.fit_basis_note(kimi.fit_basis)


def test_results_keys(ds, kimi):
    from kimi_research.orchestration.results import payload_of
    from kimi_research.orchestration.results_models import MODELS

    r = payload_of(kimi)
    MODELS[NB].model_validate(r)
    assert REQUIRED_KEYS <= set(r)
    assert len(r["monthly_change_ci"]) == 2 and r["half_life_months"] == kimi.decay.fit.half_life
    assert r["growth_phase"]["end_obs"] == "o003_09"
    for key in ("stickiness", "direction_by_vendor", "events_between_points", "like_for_like_change"):
        assert key in r and r["parameters"]["start"] == "2023-10-01"
    keys = [k for s in kimi.sections().values() for k in s.results()]
    assert len(keys) == len(set(keys)) and set(r) == {"notebook", "parameters", "headline", *keys}
    assert all(len(type(s).model_fields) <= 25 for s in kimi.sections().values())
    # the events on the time charts are chosen by the analysis, once: the results list what the charts draw
    axes = [kimi.trajectory.axis, kimi.decay.axis, kimi.growth.axis, kimi.ranks.axis]
    assert r["events_annotated"] == sorted({i for a in axes if a is not None for i in a.event_ids})
    assert "e_deepseek_r1" in r["events_annotated"]


# --- the notebook ----------------------------------------------------------------------------------
@pytest.mark.notebook
def test_default_run(default_results):
    r = default_results(NB)
    assert REQUIRED_KEYS <= set(r)
    assert (r["entity"], r["metric"], r["vendor"], r["n_points"], r["n_fit"]) == ("kimi", "mau", "questmobile", 3, 3)
    assert (r["peak_value"], r["peak_period"]) == (21_010_000, "2024-12")
    assert (r["latest_value"], r["latest_period"]) == (9_926_000, "2025 Q3")
    assert round(r["peak_to_latest_change"], 3) == -0.528
    assert round(r["monthly_change"], 3) == -0.089
    assert [round(x, 3) for x in r["monthly_change_ci"]] == [-0.191, 0.027]
    assert round(r["half_life_months"], 2) == 7.47
    assert len(r["forecast"]) == 6 and r["forecast"][-1]["date"] == "2026-02-14"
    assert round(r["growth_phase"]["multiple"], 1) == 11.6 and round(r["growth_phase"]["monthly_growth"], 2) == 0.63
    assert [x["text"] for x in r["ranks"]] == ["2", "7"]  # one list: QuestMobile's weekly ranking
    assert {"e_deepseek_r1", "e_kimi_k15", "e_doubao_16", "e_kimi_k2", "e_gpt5"} <= set(r["events_annotated"])
    assert r["left_out_rows"] == {"o000_06": "the same measurement as o004_16 (1407.2万, 2025 Q2): counted once"}
    assert set(r["excluded_rows"]) == {"o002_03", "o004_06"}  # other panels; no bound of QuestMobile, nothing before the peak
    assert r["headline_comparison"] == "a month (2024-12) against a quarter's monthly average (2025 Q3)"
    q = next(c for c in r["like_for_like_change"] if c["series"] == "questmobile")
    assert (q["from_obs"], q["to_obs"], round(q["change"], 3)) == ("o004_16", "o004_17", -0.295)


EXPECTED_SETS = {
    "doubao": {
        "entity": "doubao",
        "metric": "wau",
        "vendor": "questmobile",
        "n_points": 1,
        "peak_value": 155_200_000,
        "fit_status": "too_few",
        "monthly_change": None,
        "monthly_change_ci": [None, None],
        "half_life_months": None,
        "forecast": [],
        "growth_phase": None,
    },
    "deepseek": {
        "entity": "deepseek",
        "metric": "dau",
        "vendor": "aicpb",
        "n_points": 1,
        "peak_value": 22_150_000,
        "fit_status": "too_few",
        "excluded_rows": {"o001_05": "a lower bound (突破2000万): drawn open, never fitted as a point"},
        "half_life_months": None,
    },
    "kimi_dau": {
        "entity": "kimi",
        "metric": "dau",
        "vendor": "none:s003",
        "n_points": 2,
        "peak_value": 5_897_000,
        "fit_status": "too_few",
        "peak_to_latest_change": 0.0,
        "forecast": [],
        "half_life_months": None,
    },
    "kimi_pooled": {"entity": "kimi", "vendor": "all", "pooled": True, "peak_obs": "o002_03", "n_fit": 3, "fit_status": "fit"},
}


@pytest.mark.notebook
@pytest.mark.parametrize("name", sorted(EXPECTED_SETS))
def test_named_parameter_set(run_notebook, name):
    p = load_param_set(NB, name)
    run = run_notebook(NB, p)
    assert run.returncode == 0, run.output[-3000:]
    r = run.results
    for key, want in EXPECTED_SETS[name].items():
        assert r[key] == want, key
    if name == "kimi_pooled":
        assert round(r["monthly_change"], 3) == -0.173 and r["half_life_ci"][1] is None
        assert len(r["forecast"]) == 3
    if name == "kimi_dau":
        assert round(r["growth_phase"]["multiple"], 2) == 11.60


@pytest.mark.notebook
def test_unknown_entity_fails_at_validation(run_notebook):
    run = run_notebook(NB, {"entity": "Moonshine"})
    assert run.returncode != 0 and run.results is None
    out = run.output
    assert "ParameterError" in out
    assert "parameter 'entity' = 'Moonshine': no entity with user data named 'Moonshine'" in out
    assert "expected one of: " in out and "Kimi (kimi)" in out
    assert "pandas" not in out


@pytest.mark.notebook
def test_bad_vendor_and_horizon_fail_together(run_notebook):
    run = run_notebook(NB, {"vendor": "questmobil", "forecast_months": -1})
    assert run.returncode != 0
    out = run.output
    assert "parameter 'vendor' = 'questmobil': no measurement firm named 'questmobil' (did you mean 'QuestMobile'?)" in out
    assert "parameter 'forecast_months' = -1" in out
    assert "pandas" not in out


# --- issue 13 §4 / issue 12 §5: the constant-rate check, the weekly-user floor, evidence "all" -----------
def test_segment_rates_show_an_accelerating_fall(kimi):
    seg = kimi.constant_rate.segments
    u = kimi.decay.fit.used.sort_values("t")
    u = u.groupby(np.round(u["t"] * 4)).agg(t=("t", "mean"), v=("base_value", "mean"))
    pairs = zip(u.iloc[:-1].itertuples(), u.iloc[1:].itertuples(), strict=True)
    expected = [(b.v / a.v) ** (1 / (b.t - a.t)) - 1 for a, b in pairs]
    assert seg["monthly_change"].tolist() == pytest.approx(expected)
    assert decline.accelerating(seg) == all(b < a for a, b in zip(expected, expected[1:], strict=False))
    assert [round(x, 3) for x in seg["monthly_change"]] == [-0.078, -0.110]  # frozen data: QuestMobile


def test_forecast_is_set_against_the_weekly_floor(ds):
    an = decline.analyse(ds, params(forecast_months=36))
    floor, fc = an.decay.floor_row, an.decay.forecast_table
    assert an.decay.wau_floor == {"obs_id": "o004_01", "value": 4_500_000.0, "period": "week of 2025-12-08"}
    wau = ds.select(entity="kimi", metric="wau")
    wau = wau[wau["qualifier"].isin(decline.POINT_QUALIFIERS) & wau["period_start"].notna()]
    assert floor is not None and floor["base_value"] == wau.sort_values("period_mid")["base_value"].iloc[-1]
    assert fc["below_wau_floor"].tolist() == (fc["value"] < floor["base_value"]).tolist()
    assert fc["below_wau_floor"].any()  # three years of the fitted rate cross the floor
    assert "Floor:" in narrative.floor_note(an.decay)


def test_evidence_all_places_every_row_once(live_ds):
    from kimi_research.orchestration.results import payload_of

    full = live_ds.with_evidence("all")
    an = decline.analyse(full, params(evidence="all"))
    rows = an.trajectory.rows
    assert rows["period_mid"].notna().all()
    undated = full.select(entity="kimi", metric="mau")
    undated = undated.index[undated["period_start"].isna()]
    assert set(undated) <= set(an.trajectory.left_out_rows)
    key = rows[["measurement", "period_start", "period_end"]].astype(str).agg("|".join, axis=1)
    assert key.is_unique  # a figure quoted by several sources is one row
    assert payload_of(an)["evidence"] == "all"


def test_decay_chart_ring_never_covers_a_fitted_point(ds):
    import matplotlib.pyplot as plt

    from kimi_research.presentation.figures import decline as figures

    pooled = decline.analyse(ds, params(vendor="all"))  # QuestMobile's December is before the pooled peak: a ring
    fig = figures.decay_fit(pooled.decay, pooled.trajectory.series_names)
    ax = fig.axes[0]
    fitted = [c for c in ax.collections if str(c.get_label()).endswith(" in the fit)")]
    rings = [c for c in ax.collections if "not in the fit" in str(c.get_label())]
    assert fitted and rings and max(r.get_zorder() for r in rings) < min(f.get_zorder() for f in fitted)
    plt.close(fig)


@pytest.mark.notebook
def test_evidence_all_set(run_notebook):
    run = run_notebook(NB, load_param_set(NB, "evidence_all"))
    assert run.returncode == 0, run.output[-2000:]
    r = run.results
    assert r["evidence"] == "all" and r["left_out_rows"]
    assert all(v < 0 for v in (s["monthly_change"] for s in r["segment_rates"]))
    # slide 3.1: a row counted once is listed once, not also among the rows left out
    import json
    import re

    book = json.loads(run.executed().read_text(encoding="utf-8"))
    texts = ["".join(o.get("data", {}).get("text/markdown", "")) for c in book["cells"] for o in c.get("outputs", [])]
    fit_text = next(t for t in texts if "**Figures of the window not in the fit:**" in t)
    paragraphs = fit_text.split("\n\n")
    outside = next(p for p in paragraphs if p.startswith("**Figures of the window not in the fit:**"))
    left = set(re.findall(r"`(o\d+_\d+)`", outside))
    once = {i for p in paragraphs if p.startswith("**Counted once**") for i in re.findall(r"`(o\d+_\d+)`", p)}
    assert once and not (left & once)
    assert once <= set(r["left_out_rows"]) and not (set(r["excluded_rows"]) & once)
    # issue 23: with every source, the two firms' Kimi series are set side by side and their disagreement named
    d = next(x for x in r["direction_by_vendor"] if x["metric"] == "mau" and set(x["firms"]) == {"aicpb", "questmobile"})
    assert not d["agree"] and "What differs between the panels" in d["sentence"]
    assert all(0 < s["dau_mau"] <= 1 for s in r["stickiness"]) and r["stickiness"]
