"""Notebook 02's spend path like for like, reconciled to the trackers' cumulative estimate, and its paid-acquisition
economics (issues 18, 19, 23): on synthetic rows added to a copy of the frozen data, on the frozen data, and the
notebook's reconciled run on the live data (expectations derived from data/)."""

from __future__ import annotations

import math
import shutil

import numpy as np
import pandas as pd
import pytest

import kimi_research as kr
from kimi_research.analysis import adspend
from kimi_research.data import comparable as C
from kimi_research.orchestration.runner import load_param_set
from kimi_research.params import defaults
from kimi_research.presentation.narrative import adspend as narrative

from datafiles import add_row, add_source

FROZEN = kr.paths.ROOT / "tests" / "fixtures" / "data"
NB = "02_ad_spend_bubble"
M = pd.Period
YI = 1e8


@pytest.fixture(scope="module")
def syn(tmp_path_factory):
    """The frozen data plus a tier-2 page with AppGrowing's cumulative 9亿 since March 2024, its 1亿 for January 2025,
    Moonshot's 'nearly 2亿 every month since September 2024' (its start read from the wording: adspend.DATED_BY_WORDING),
    a 50元 cost per user in November 2024, and an unattributed month-to-date figure inside October (larger than the
    month's own figure)."""
    d = tmp_path_factory.mktemp("reconcile") / "data"
    shutil.copytree(FROZEN, d)
    add_source(d, "s_test_recon", producer_en="Test relay", producer="Test relay")
    common = {"source": "s_test_recon"}
    add_row(
        d,
        "o_test_recon_01",
        entity="kimi",
        metric="ad_spend",
        start="2024-03-01",
        end="2025-02-09",
        value="9",
        unit="亿元",
        value_text="9億元",
        vendor="appgrowing",
        quote="Kimi的總投放金額預計高達9億元",
        value_kind="cumulative",
        flags="estimate",
        **common,
    )
    add_row(
        d,
        "o_test_recon_02",
        entity="kimi",
        metric="ad_spend",
        start="2025-01-01",
        end="2025-01-31",
        value="1",
        unit="亿元",
        value_text="1 亿",
        vendor="appgrowing",
        quote="Kimi,1 月还有 1 亿",
        flags="estimate",
        **common,
    )
    add_row(
        d,
        "o043_01",
        entity="moonshot",
        metric="ad_spend_monthly",
        start="",
        end="",
        value="200",
        unit="million CNY",
        value_text="200 million yuan",
        vendor="",
        quote="it has invested nearly 200 million yuan in marketing every month",
        value_kind="monthly_average",
        qualifier="~",
        **common,
    )
    add_row(
        d,
        "o_test_recon_04",
        entity="kimi",
        metric="cpa",
        start="2024-11-01",
        end="2024-11-30",
        value="50",
        unit="元",
        value_text="50元",
        vendor="",
        quote="已经从年初的30元卷到了50元",
        **common,
    )
    add_row(
        d,
        "o_test_recon_05",
        entity="kimi",
        metric="ad_spend",
        start="2024-10-01",
        end="2024-10-29",
        value="2.5",
        unit="亿元",
        value_text="2.5億元",
        vendor="",
        quote="當月全網廣告投放金額高達2.5億元",
        **common,
    )
    return kr.load(d, cache=False)


def _path(ds, path="reconciled", evidence="all"):
    return adspend.monthly_spend(ds.with_evidence(evidence), path, "2025-12")


# --- like for like ---------------------------------------------------------------------------------------------
def test_a_window_inside_a_month_is_listed_not_merged(syn):
    """Old rule 'keep the larger' made October 2.5亿 from a 29-day window; the month's own figure stands."""
    d = adspend.spend_data_by_month(syn.with_evidence("all"))
    assert d.at[M("2024-10", "M"), "value"] == pytest.approx(2.2 * YI)
    assert "o_test_recon_05" not in d.at[M("2024-10", "M"), "obs_ids"]
    t = C.period_total(syn, "kimi", "ad_spend", "2024-10")
    assert t.left_out.at["o_test_recon_05", "rule"] == "inside_window"
    assert "o_test_recon_01" not in ";".join(d["obs_ids"])  # the cumulative total is never a month's spend


# --- the reconciled path -------------------------------------------------------------------------------------------
def test_reconciled_path_meets_the_cumulative_estimate(syn):
    arts = _path(syn, "articles")
    rec_path = _path(syn)
    rec = rec_path.attrs["reconciliation"]
    assert rec.obs_id == "o_test_recon_01" and rec.reported_total == pytest.approx(9 * YI)
    total, w = C.path_total(rec_path["spend_yuan"], rec.start, rec.end)
    assert total == pytest.approx(9 * YI)
    # the gap is the estimate less the 'articles' path over the window (February 2025 counted for 9 of its 28 days)
    base, _ = C.path_total(arts["spend_yuan"], rec.start, rec.end)
    assert rec.gap == pytest.approx(9 * YI - base) and base == pytest.approx((0.7 + 2.2 + 2 + 0.1 + 1 + 0.1 * 9 / 28) * YI)
    # every reported month keeps its figure; no month falls below its bound or below the 'articles' path
    reported = arts["status"] == "reported"
    assert np.allclose(rec_path.loc[reported, "spend_yuan"], arts.loc[reported, "spend_yuan"])
    assert (rec_path["spend_yuan"] >= arts["spend_yuan"] - 1e-6).all()
    # the supplement's months (September 2024 on, no figure of their own) take the gap, each under its ~2亿 level
    assert rec.rule == "supplement"
    took = rec_path.index[rec_path["status"] == "reconciled"]
    assert list(took.astype(str)) == ["2024-09", "2024-12"]
    assert (rec_path.loc[took, "spend_yuan"] <= 2 * YI).all()
    assert rec_path.at[M("2025-01", "M"), "spend_yuan"] == pytest.approx(YI)  # AppGrowing's January stands


def test_every_spread_rule_adds_exactly_the_gap(syn):
    rec = _path(syn).attrs["reconciliation"]
    assert set(rec.alternatives) == set(adspend.SPREAD_RULES)
    for rule, add in rec.alternatives.items():
        assert add.sum() == pytest.approx(rec.gap), rule
        assert (add >= -1e-6).all(), rule
    even = rec.alternatives["even"]
    assert np.allclose(even, even.iloc[0])  # the same amount in every open month
    near = rec.alternatives["near_peak"]
    assert near[near > 0].index.astype(str).tolist() == ["2024-09", "2024-12"]  # next to the October-November peak


def test_spread_rules_on_synthetic_months():
    idx = pd.period_range("2024-01", "2024-12", freq="M")
    base = pd.Series(1e7, index=idx)
    base[M("2024-06", "M")] = 3e8
    peak = pd.PeriodIndex([M("2024-06", "M")])
    open_months = [m for m in idx if m != M("2024-06", "M")]
    near = adspend.spread_gap(base, open_months, 8e8, "near_peak", peak)
    assert near.sum() == pytest.approx(8e8)
    # May and July first, each up to the peak month (2.9亿 of room each), then April and August
    assert near[M("2024-05", "M")] == pytest.approx(2.9e8) and near[M("2024-07", "M")] == pytest.approx(2.9e8)
    # the 2.2亿 left: April and August, in proportion to their room (1.1亿 each); nothing further out
    assert near[M("2024-04", "M")] == pytest.approx(1.1e8) and near[M("2024-01", "M")] == 0
    sup = adspend.spread_gap(base, open_months, 1.4e8, "supplement", peak, ("o_x", M("2024-10", "M"), 5e7))
    assert sup.sum() == pytest.approx(1.4e8)
    # October to December filled to the 5000万 level; the 2000万 they cannot hold goes to the 8 open months before
    assert sup[M("2024-10", "M")] == pytest.approx(4e7) and sup[M("2024-12", "M")] == pytest.approx(4e7)
    assert sup[M("2024-09", "M")] == pytest.approx(2e7 / 8)  # what the capped months cannot hold, in proportion
    assert adspend.spread_gap(base, open_months, -1e8, "even", peak).sum() == 0  # nothing to spread
    with pytest.raises(ValueError, match="unknown spread rule"):
        adspend.spread_gap(base, open_months, 1e8, "guess", peak)


def test_an_estimate_already_exceeded_changes_nothing(tmp_path):
    d = tmp_path / "data"
    shutil.copytree(FROZEN, d)
    add_source(d, "s_test_low")
    add_row(
        d,
        "o_test_low_01",
        entity="kimi",
        metric="ad_spend",
        start="2024-03-01",
        end="2024-12-31",
        value="3",
        unit="亿元",
        value_text="3亿元",
        vendor="appgrowing",
        quote="总投放3亿元",
        value_kind="cumulative",
        source="s_test_low",
    )
    low = kr.load(d, cache=False)
    path = _path(low)
    rec = path.attrs["reconciliation"]
    assert rec.gap < 0 and rec.rule == "" and "already reach" in rec.reason
    assert np.allclose(path["spend_yuan"], _path(low, "articles")["spend_yuan"])


def test_articles_alone_say_what_they_allow(ds, syn, analysed):
    """The articles hold no cumulative estimate: the reconciled path is the 'articles' path, and the check says what
    the articles' figures allow over the window of the estimate the full dataset has."""
    assert np.allclose(_path(syn, evidence="articles")["spend_yuan"], _path(syn, "articles", "articles")["spend_yuan"])
    P = kr.validate_parameters(NB, {**defaults(NB), "spend_path": "reconciled"}, syn)
    cc = adspend.analyse(syn, P, compare=False).cumulative.cumulative_check
    assert cc.reported_total is None and cc.gap is None
    assert "o_test_recon_01" in cc.reason and "leaves out" in cc.reason
    assert cc.window == ["2024-03-01", "2025-02-09"]
    assert cc.figures_allow == pytest.approx((0.7 + 2.2 + 2) * YI)  # reported months and bounds, nothing elsewhere
    assert cc.path_total == pytest.approx((0.7 + 2.2 + 2 + 0.2 + 0.1 * 9 / 28) * YI)  # the 'articles' path
    # no estimate anywhere (the frozen data): nothing to compare, said in words
    none = analysed(NB, ds, compare=False)[0].cumulative.cumulative_check
    assert none.window is None and none.reason.startswith("no cumulative estimate")


def test_cumulative_check_in_the_results(syn):
    from kimi_research.orchestration.results import payload_of

    P = kr.validate_parameters(NB, {**defaults(NB), "evidence": "all", "spend_path": "reconciled"}, syn)
    an = adspend.analyse(syn, P, compare=False)
    r = payload_of(an)
    cc = r["cumulative_check"]
    assert cc["reported_obs"] == "o_test_recon_01" and cc["window"] == ["2024-03-01", "2025-02-09"]
    assert abs(cc["path_total"] / cc["reported_total"] - 1) < 0.05 and cc["spread_rule"] == "supplement"
    assert set(cc["by_path"]) == set(adspend.SPEND_PATHS)
    arts = cc["by_path"]["articles"]
    assert arts["gap"] == pytest.approx(cc["reported_total"] - arts["path_total"]) and arts["gap"] > 0  # below the tracker
    assert r["reconciled_spend_by_month_yuan"]["2024-12"] == pytest.approx(
        an.cumulative.paths.at[M("2024-12", "M"), "reconciled"]
    )
    assert set(r["spread_alternatives"]) == set(adspend.SPREAD_RULES)
    note = narrative.cumulative_note(an.cumulative)
    assert "9亿元" in note and "meets it" in note


# --- paid-acquisition economics --------------------------------------------------------------------------------------
def test_rising_cost_per_user_path(syn):
    full = syn.with_evidence("all")
    spend = _path(syn, "articles")
    path, steps = adspend.cpa_path(full, spend)
    assert list(steps.index.astype(str)) == ["2024-02", "2024-10", "2024-11"]
    assert steps["cpa_yuan"].tolist() == [30.0, 10.0, 50.0]
    assert steps.at[M("2024-11", "M"), "obs_ids"] == "o_test_recon_04" and "o004_20" in steps.at[M("2024-10", "M"), "obs_ids"]
    assert path[M("2024-06", "M")] == pytest.approx(20.0)  # linear between 30元 (February) and 10元 (October)
    assert path[M("2025-06", "M")] == 50.0  # flat after the last step
    window = adspend.peak_window(spend)
    assert adspend.users_bought(spend.loc[window, "spend_yuan"], path) == pytest.approx(2.2 * YI / 10 + 2 * YI / 50)
    P = kr.validate_parameters(NB, {**defaults(NB), "evidence": "all", "cpa_path": "rising"}, syn)
    an = adspend.analyse(syn, P, compare=False)
    assert an.bought_vs_kept.users_bought_peak_window == pytest.approx(2.6e7)
    assert an.acquisition.users_bought_at_peak_by_cpa["rising"] == pytest.approx(2.6e7)
    assert [s.obs_ids for s in an.acquisition.cpa_path_steps][-1] == "o_test_recon_04"


def test_users_bought_at_the_peak_by_cost_per_user(ds, analysed):
    an, _ = analysed(NB, ds, compare=False)
    pa = an.acquisition
    assert pa.users_bought_at_peak_by_cpa["10"] == pytest.approx(4.2e7) and pa.users_bought_at_peak_by_cpa["30"] == pytest.approx(
        1.4e7
    )
    # 'the peak bought 42m users, more than stayed' holds only below 4.2亿 / 2101万 = 19.99元
    assert pa.peak_bought_more_than_mau_up_to_cpa_yuan == pytest.approx(4.2e8 / 2101e4)
    note = narrative.bought_by_cpa_note(pa)
    assert "20.0元" in note and "holds at 10元, not at 30元" in note


def test_retention_floor_and_payback_arithmetic():
    idx = pd.period_range("2024-01", "2024-04", freq="M")
    spend = pd.Series([1e8, 1e8, 0.0, 0.0], index=idx)
    # 1000万 bought in each of January and February; March holds r x 2000万
    assert adspend.retention_floor(spend, 10.0, [M("2024-03", "M")], 5e6) == pytest.approx(0.25)
    assert adspend.retention_floor(spend, 10.0, [M("2024-03", "M")], 3e7) is None  # more than everyone bought
    assert adspend.retention_floor(spend, 10.0, [M("2024-02", "M")], 5e6) == 0.0  # February's own buyers suffice
    # payback: cost 5, revenue 1 a month, 50% stay after 30 days, then 10% leave a month (a lifetime of 6)
    months = adspend.payback_months(5.0, 1.0, 0.5, 0.1)
    paid, m, active = 0.0, 0, 1.0
    while paid < 5.0 and m < 1000:
        paid += active
        m += 1
        active = 0.5 if m == 1 else active * 0.9
    assert m == 17 and math.ceil(months) == m  # the closed form agrees with month-by-month revenue
    # a lifetime revenue below the cost never pays back: 6 < 12.5
    assert adspend.lifetime_revenue(1.0, 0.5, 0.1) == pytest.approx(6.0) and adspend.payback_months(12.5, 1.0, 0.5, 0.1) is None
    assert adspend.payback_months(12.5, 0.0, 0.5, 0.1) is None and adspend.payback_months(12.5, 1.0, 0.5, 0.0) == pytest.approx(
        24.0
    )


def test_implied_retention_is_what_the_mau_require(ds, analysed):
    """At each floor the bought users (nobody leaving after 30 days) reach the MAU after the peak exactly; the range
    reaches far above the rumoured 'under 1%' that notebook 05 sampled alone."""
    arts = ds.with_evidence("articles")
    an, _ = analysed(NB, ds, compare=False)
    pa = an.acquisition
    ir = pa.implied_retention
    lo, hi = pa.implied_retention_range
    assert 0.01 < lo < hi <= 1
    spend = adspend.monthly_spend(arts, "articles", "2025-12")["spend_yuan"]
    floor = ir.floor_by_cpa_and_path["articles"]["10"]
    new = spend / 10.0
    dec = M("2024-12", "M")
    assert new[dec] + floor * new[new.index < dec].sum() == pytest.approx(2101e4)
    assert ir.floor_by_cpa_and_path["articles"]["30"] is None  # at 30元 even 100% retention falls short
    allowed = [r["churn"] for r in an.joint.churn_by_cpa_and_path if r["allowed"]]
    assert ir.model_keep_range == pytest.approx([1 - max(allowed), 1 - min(allowed)])
    assert hi == pytest.approx(1 - min(allowed)) and lo == pytest.approx(ir.floor_range[0])
    assert "1%" in narrative.implied_retention_note(pa) and f"{lo:.0%}" in narrative.implied_retention_note(pa)


def test_payback_is_conditional_and_never_is_an_answer(ds, analysed):
    an, P = analysed(NB, ds, compare=False)
    pb = an.acquisition.payback
    assert pb.revenue_per_active_user_yuan == P.revenue_per_active_user_yuan
    cells = [c for row in pb.months.values() for c in row.values()]
    assert all(c.months is None for c in cells)  # at 0.5元 a month per active user nothing pays back
    assert all(c.lifetime_revenue_yuan < c.cost_yuan for c in cells)
    paid = analysed(NB, ds, {"revenue_per_active_user_yuan": 5.0}, compare=False)[0].acquisition
    assert any(c.months is not None for row in paid.payback.months.values() for c in row.values())
    assert "an assumption" in paid.payback.condition and "never" in narrative.payback_table(an.acquisition).iloc[0, 0]


# --- repairs (issue 19) ------------------------------------------------------------------------------------------
def test_saturation_cap_is_the_largest_app_mau_or_wau(ds, analysed):
    """Old: Kimi's own '3600万以上' (o004_06). Doubao's 15520万 a week bounds the market from below."""
    P = kr.validate_parameters(NB, defaults(NB), ds)
    users, source, entity, metric = adspend.market_size(ds, P)
    lv = C.levels(ds, ["mau", "wau"], [e for e in ds.entities.index if ds.entities.at[e, "kind"] == "app"], prefer=None).rows
    lv = lv[lv["bound"].isin(["point", "lower", "range"])]
    assert users == lv["base_value"].max() and source == lv["base_value"].idxmax()
    assert (source, entity, metric) == ("o004_07", "doubao", "wau") and users == pytest.approx(15520e4)
    cf = analysed(NB, ds, compare=False)[0].counterfactuals
    assert cf.saturation_basis == "doubao wau" and "Doubao's weekly users" in narrative.counterfactual_note(cf)


def test_verdict_states_only_what_the_fit_supports(ds, analysed):
    an, _ = analysed(NB, ds, compare=False)
    text = narrative.verdict_markdown(an)
    assert "fits the numbers" not in text
    lo, hi = an.joint.churn_range_allowed
    assert f"{lo:.0%} to {hi:.0%}" in text and "do not test whether the users were bought" in text


@pytest.mark.notebook
def test_reconciled_run_meets_the_trackers(run_notebook, live_ds):
    """Done-when of issue 23: evidence all, spend path reconciled -> within 5% of AppGrowing's cumulative estimate."""
    params = load_param_set(NB, "reconciled")
    assert params == {"evidence": "all", "spend_path": "reconciled"}
    run = run_notebook(NB, params)
    assert run.returncode == 0, run.output[-2000:]
    cc = run.results["cumulative_check"]
    row, _ = adspend.cumulative_estimate(live_ds.with_evidence("all"))
    assert cc["reported_obs"] == row.name and cc["reported_total"] == pytest.approx(row["base_value"])
    assert abs(cc["path_total"] / cc["reported_total"] - 1) < 0.05
    assert cc["by_path"]["articles"]["gap"] > 0  # the articles' own path is below the tracker


# --- charts (issue 20) -------------------------------------------------------------------------------------------
def test_reconciled_charts_have_no_overlaps(syn, tmp_path, monkeypatch):
    """The cumulative check and the spend timeline of the reconciled path, saved as a run saves them: no text covered
    (by a text, a line, a marker or a legend)."""
    import matplotlib.pyplot as plt

    from kimi_research import paths
    from kimi_research.presentation import overlaps, plotting
    from kimi_research.presentation.figures import adspend as figures

    monkeypatch.setenv(paths.RUN_DIR_ENV, str(tmp_path))
    plotting.theme()  # as the notebook draws
    P = kr.validate_parameters(NB, {**defaults(NB), "evidence": "all", "spend_path": "reconciled"}, syn)
    an = adspend.analyse(syn, P, compare=False)
    plotting.save(figures.cumulative_check(an.cumulative), NB, "cumulative_check", show=False)
    plotting.save(figures.spend_timeline(an.spend_path), NB, "spend_timeline", show=False)
    plt.close("all")
    found = overlaps.find_overlaps(tmp_path / "figures")
    assert set(found) == {f"{NB}/cumulative_check", f"{NB}/spend_timeline"}
    assert not any(found.values()), overlaps.report({k: v for k, v in found.items() if v})
