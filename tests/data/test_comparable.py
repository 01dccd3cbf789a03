"""The comparability layer (kimi_research.data.comparable): every rule on synthetic rows, nothing left
out silently on the live data, selections invariant to row order (Hypothesis)."""

from __future__ import annotations

import csv
import io
import re
import shutil

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kimi_research as kr
from kimi_research.data import comparable as C
from kimi_research.data.periods import grain, parse_period, period_label
from kimi_research.data.schema import FLAGS

from synthetic_rows import WAN, YI, month, rows

FROZEN = kr.paths.ROOT / "tests" / "fixtures" / "data"
PROPS = settings(max_examples=15, deadline=None, database=None)


# --- periods: one label, one grain --------------------------------------------------------------------
@pytest.mark.parametrize(
    "label, want",
    [("2025-08", "month"), ("2025 Q3", "quarter"), ("2025", "year"), ("2025-08-14", "day"), ("2025-02-13 to 2025-03-11", "days")],
)
def test_period_labels_parse_back_and_name_their_grain(label, want):
    s, e = parse_period(label)
    assert period_label({"period_start": s, "period_end": e}) == label
    assert grain(s, e) == want


def test_grain_of_weeks_runs_of_months_and_undated_rows():
    assert grain(pd.Timestamp("2025-12-08"), pd.Timestamp("2025-12-14")) == "week"
    assert grain(pd.Timestamp("2024-03-01"), pd.Timestamp("2024-09-30")) == "months"
    assert grain(None, None, 20) == "duration" and grain(None, None) == "undated"
    with pytest.raises(ValueError, match="2025 Q3"):
        parse_period("Q3 2025")


# --- one measurement counted once ----------------------------------------------------------------------
def test_a_figure_in_three_sources_is_one_level_with_its_corroboration():
    r = rows(
        {"source_id": "s_a"},
        {"source_id": "s_b", "value": 1001},
        {"source_id": "s_c", "value": 0.1001, "unit": "亿", "base_value": 1001 * WAN},
    )
    lv = C.levels(r, "mau")
    assert list(lv.rows.index) == ["o_c00"]
    assert lv.rows.at["o_c00", "obs_ids"] == ["o_c00", "o_c01", "o_c02"] and lv.rows.at["o_c00", "n_sources"] == 3
    assert set(lv.left_out["rule"]) == {"same_measurement"} and "same_measurement" in lv.rules


# --- a quarter's average: never beside its own months, never labelled a month --------------------------------
Q3_AVG = {"obs_id": "o_q3", **month("2025 Q3"), "value_kind": "monthly_average", "value": 992.6}
AUG = {"obs_id": "o_aug", **month("2025-08"), "value": 1050}


def test_a_quarters_average_is_never_beside_its_own_months():
    lv = C.levels(rows(Q3_AVG, AUG), "mau")
    assert list(lv.rows.index) == ["o_aug"] and lv.left_out.at["o_q3", "rule"] == "months_over_average"
    lv = C.levels(rows(Q3_AVG, AUG), "mau", prefer="averages")
    assert list(lv.rows.index) == ["o_q3"] and lv.left_out.at["o_aug", "rule"] == "average_over_months"
    # another firm's month is not the average's own month
    lv = C.levels(rows(Q3_AVG, AUG | {"vendor": "aicpb"}), "mau")
    assert set(lv.rows.index) == {"o_q3", "o_aug"}


def test_a_quarters_average_is_never_labelled_as_a_month():
    c = C.comparable(rows(Q3_AVG, AUG | {"entity": "app_b"}), "mau", period="2025-08")
    assert list(c.rows.index) == ["o_aug"]
    assert c.left_out.at["o_q3", "rule"] == "other_period" and "never a month's figure" in c.left_out.at["o_q3", "reason"]
    q = C.comparable(rows(Q3_AVG, AUG | {"entity": "app_b"}), "mau", period="2025 Q3")
    assert list(q.rows.index) == ["o_q3"] and q.rows.at["o_q3", "period"] == "2025 Q3"
    assert q.rows.at["o_q3", "scale"] == "monthly average" and q.rows.at["o_q3", "grain"] == "quarter"


# --- grains kept apart unless a named rule converts them ------------------------------------------------------
def test_days_and_windows_never_join_a_month_series_and_averages_join_by_a_named_rule():
    r = rows(
        {"obs_id": "o_dec", **month("2024-12"), "value": 2101},
        {"obs_id": "o_q2", **month("2025 Q2"), "value_kind": "monthly_average", "value": 1407.2},
        {"obs_id": "o_day", "period_start": "2025-03-04", "period_end": "2025-03-04", "value": 373},
        {"obs_id": "o_win", "period_start": "2025-02-01", "period_end": "2025-02-11", "value": 900},
    )
    t = C.trend(r, "app_a", "mau", "questmobile")
    assert list(t.rows.index) == ["o_dec", "o_q2"]
    assert t.left_out.loc[["o_day", "o_win"], "rule"].tolist() == ["other_scale", "other_scale"]
    assert "monthly_average_as_month_level" in t.rules and "other_scale" in t.rules
    assert t.fit_allowed


def test_a_series_of_single_days_is_its_own_scale():
    days = [
        {"obs_id": f"o_d{i}", "period_start": d, "period_end": d, "metric": "dau", "value": v}
        for i, (d, v) in enumerate([("2025-01-10", 400), ("2025-03-04", 373), ("2025-06-01", 300)])
    ]
    t = C.trend(rows(*days, {"obs_id": "o_m", "metric": "dau", **month("2025-04"), "value": 350}), "app_a", "dau", "questmobile")
    assert list(t.rows.index) == ["o_d0", "o_d1", "o_d2"] and t.left_out.at["o_m", "rule"] == "other_scale"


# --- sums over a period: the widest window, never a window added to those it contains ------------------------------
YUANBAO_Q1 = [
    {
        "obs_id": "o_q1",
        **month("2025 Q1"),
        "metric": "ad_spend",
        "vendor": "appgrowing",
        "base_value": 14 * YI,
        "value_text": "14億元",
    },
    {
        "obs_id": "o_jan",
        **month("2025-01"),
        "metric": "ad_spend",
        "vendor": "appgrowing",
        "base_value": 0.2 * YI,
        "qualifier": "~",
    },
    {"obs_id": "o_feb", **month("2025-02"), "metric": "ad_spend", "vendor": "appgrowing", "base_value": 3 * YI},
    {
        "obs_id": "o_mar",
        **month("2025-03"),
        "metric": "ad_spend",
        "vendor": "appgrowing",
        "base_value": 10 * YI,
        "qualifier": ">",
    },
    {
        "obs_id": "o_c27",
        "period_start": "2025-02-13",
        "period_end": "2025-03-11",
        "duration_days": 27,
        "metric": "ad_spend",
        "vendor": None,
        "base_value": 2.81 * YI,
        "source_id": "s_26",
    },
    {
        "obs_id": "o_c15",
        "period_start": "2025-02-13",
        "period_end": "2025-02-27",
        "metric": "ad_spend",
        "vendor": None,
        "base_value": 2.81 * YI,
        "same_as": "o_c27",
        "source_id": "s_44",
    },
]


def test_a_quarters_total_is_the_quarter_and_never_adds_its_own_months_and_campaigns():
    """The 04 evidence=all bug: 3.58亿 a month from the quarter + its months + one campaign twice. Right: 14亿 ÷ 3."""
    t = C.period_total(rows(*YUANBAO_Q1), "app_a", "ad_spend", "2025 Q1")
    assert t.value == pytest.approx(14 * YI) and t.per_month == pytest.approx(14 * YI / 3) and t.months == 3
    assert list(t.rows.index) == ["o_q1"] and not t.lower_bound
    assert {"widest_window", "total_per_month", "same_measurement"} <= set(t.rules)
    assert t.left_out.loc[["o_jan", "o_feb", "o_mar", "o_c27"], "rule"].eq("inside_window").all()
    assert t.left_out.at["o_c15", "rule"] == "same_measurement"
    # the months, added as a cross-check: 0.2 + 3 + more than 10 = more than 13.2亿, a lower bound
    assert (
        t.parts.value == pytest.approx(13.2 * YI)
        and t.parts.lower_bound
        and list(t.parts.rows.index) == ["o_jan", "o_feb", "o_mar"]
    )
    assert t.parts.left_out.at["o_c27", "rule"] == "overlapping_window"


def test_without_a_covering_window_disjoint_windows_give_a_stated_lower_bound():
    t = C.period_total(rows(*YUANBAO_Q1[1:]), "app_a", "ad_spend", "2025 Q1")
    assert t.value == pytest.approx(13.2 * YI) and t.lower_bound and t.coverage == 1.0
    assert "disjoint_windows" in t.rules and t.left_out.at["o_c27", "rule"] == "overlapping_window"
    jan_feb = C.period_total(rows(*YUANBAO_Q1[1:3]), "app_a", "ad_spend", "2025 Q1")
    assert jan_feb.value == pytest.approx(3.2 * YI) and jan_feb.lower_bound and jan_feb.coverage == pytest.approx(59 / 90)
    assert jan_feb.per_month == pytest.approx(3.2 * YI / 2)


def test_windows_wider_than_the_period_or_overlapping_it_in_part_are_listed():
    year = {
        "obs_id": "o_year",
        "metric": "ad_spend",
        "period_start": "2025-02-01",
        "period_end": "2026-01-31",
        "base_value": 169 * YI,
    }
    t = C.period_total(rows(year, YUANBAO_Q1[2]), "app_a", "ad_spend", "2025 Q1")
    assert t.left_out.at["o_year", "rule"] == "partial_overlap" and list(t.rows.index) == ["o_feb"]
    t = C.period_total(rows(year), "app_a", "ad_spend", "2025-03")
    assert t.value is None and t.left_out.at["o_year", "rule"] == "wider_than_period"


def test_a_stated_duration_gives_the_months_of_a_window():
    t = C.period_total(rows(YUANBAO_Q1[4]), "app_a", "ad_spend", "2025-02-13 to 2025-03-11")
    assert t.per_month == pytest.approx(2.81 * YI / (27 / (365.25 / 12)))


def test_conflicting_totals_for_one_period_are_both_returned_and_the_choice_named():
    other = YUANBAO_Q1[0] | {"obs_id": "o_q1b", "vendor": None, "base_value": 1.4 * YI, "source_id": "s_other"}
    t = C.period_total(rows(YUANBAO_Q1[0], other), "app_a", "ad_spend", "2025 Q1")
    assert list(t.rows.index) == ["o_q1"] and list(t.alternatives.index) == ["o_q1b"]
    assert "conflict_choice" in t.rules and t.left_out.at["o_q1b", "rule"] == "conflict_choice"


def test_a_monthly_rate_over_a_span_is_converted_by_a_named_rule():
    rate = {
        "metric": "ad_spend_monthly",
        **month("2024-07"),
        "period_start": "2024-03-01",
        "value_kind": "monthly_average",
        "base_value": 1e7,
        "qualifier": ">=",
    }
    t = C.period_total(rows(rate), "app_a", "ad_spend_monthly", ("2024-03-01", "2024-07-31"))
    assert t.value == pytest.approx(5e7) and "monthly_rate_times_months" in t.rules and t.lower_bound


# --- change and cumulative rows never become levels ----------------------------------------------------------------
def test_change_and_cumulative_rows_are_never_levels():
    r = rows(
        {"obs_id": "o_lvl"},
        {"obs_id": "o_chg", "period_start": "2025-01-01", "period_end": "2025-06-30", "value_kind": "change", "value": 5800},
        {"obs_id": "o_cum", "value_kind": "cumulative", "value": 11000},
    )
    lv = C.levels(r, "mau")
    assert list(lv.rows.index) == ["o_lvl"] and lv.left_out.loc[["o_chg", "o_cum"], "rule"].eq("not_a_level").all()
    assert list(C.latest(lv).rows.index) == ["o_lvl"]
    t = C.period_total(r.assign(metric="downloads"), "app_a", "downloads", "2025-05")
    assert t.left_out.at["o_cum", "rule"] == "not_a_level" and list(t.rows.index) == ["o_lvl"]


# --- bounds stay bounds ----------------------------------------------------------------------------------------------
def test_a_bound_stays_a_bound():
    r = rows(
        {"obs_id": "o_pt", **month("2025 Q1"), "value_kind": "end_value", "value": 1.9, "unit": "亿", "base_value": 1.9 * YI},
        {
            "obs_id": "o_lo",
            "entity": "app_b",
            **month("2025 Q1"),
            "value_kind": "end_value",
            "qualifier": ">",
            "value_text": "突破1.1億",
            "base_value": 1.1 * YI,
        },
    )
    lv = C.levels(r, "mau")
    assert lv.rows.at["o_lo", "bound"] == "lower" and lv.rows.at["o_lo", "open"]
    assert lv.rows.at["o_pt", "bound"] == "point" and not lv.rows.at["o_pt", "open"]
    assert C.trend(r, "app_b", "mau").left_out.at["o_lo", "rule"] == "bound"
    assert C.latest(lv).left_out.at["o_lo", "rule"] == "bound"
    assert C.snapshot_table(r, "mau").rows.loc["o_lo", "open"]


# --- no series joins two firms, nor an unattributed row to an attributed one --------------------------------------
def test_no_series_joins_two_firms_or_two_sources_that_name_none():
    """01 evidence=all joined 36Kr's 50.83万 (no firm) to an unattributed '目前约1900万' and reported x37.4."""
    r = rows(
        {"obs_id": "o_36a", "metric": "dau", "vendor": None, "source_id": "s003", **month("2023-12"), "value": 50.83},
        {"obs_id": "o_36b", "metric": "dau", "vendor": None, "source_id": "s003", **month("2024-05"), "value": 589.7},
        {"obs_id": "o_1900", "metric": "dau", "vendor": None, "source_id": "s017", **month("2025-02"), "value": 1900},
        {"obs_id": "o_qm", "metric": "dau", **month("2025-03"), "value": 373},
    )
    lv = C.levels(r, "dau")
    assert lv.rows["series"].to_dict() == {
        "o_36a": "none:s003",
        "o_36b": "none:s003",
        "o_1900": "none:s017",
        "o_qm": "questmobile",
    }
    t = C.trend(r, "app_a", "dau", C.NO_FIRM)
    assert t.series == "none:s003" and list(t.rows.index) == ["o_36a", "o_36b"]
    assert t.left_out.at["o_1900", "rule"] == "other_series" and t.left_out.at["o_qm", "rule"] == "other_series"
    assert "unattributed_one_source" in t.rules
    pooled = C.trend(r, "app_a", "dau", C.POOLED)
    assert len(pooled.rows) == 4 and "pooled_firms" in pooled.rules


# --- study window, special days, points too close for a rate ---------------------------------------------------------
def test_study_window_is_kimis_launch_month_to_the_last_month_of_the_articles():
    ds = kr.load(FROZEN)
    lo, hi = C.STUDY_WINDOW
    assert ds.events.at["e_kimi_launch", "date"] == lo
    tier1 = ds.observations[ds.observations["tier"] == 1]
    users = tier1[tier1["metric"].isin(["mau", "wau", "dau"]) & tier1["period_mid"].notna()]
    assert users["period_mid"].between(lo, hi).all() and users["period_end"].max().to_period("M") == hi.to_period("M")


def test_special_days_and_figures_outside_the_window_are_listed_not_fitted():
    assert C.SPECIAL_DAY in FLAGS
    r = rows(
        {"obs_id": "o_m1", "metric": "dau", **month("2025-06"), "value": 500},
        {"obs_id": "o_m2", "metric": "dau", **month("2025-09"), "value": 450},
        {"obs_id": "o_cny", "metric": "dau", **month("2025-07"), "value": 900, "flags": "special_day"},
        {"obs_id": "o_2026", "metric": "dau", **month("2026-02"), "value": 300},
    )
    t = C.trend(r, "app_a", "dau")
    assert list(t.rows.index) == ["o_m1", "o_m2"] and t.fit_allowed
    assert t.left_out.at["o_cny", "rule"] == "special_day" and t.left_out.at["o_2026", "rule"] == "outside_window"
    assert C.latest(C.levels(r, "dau")).left_out.at["o_cny", "rule"] == "special_day"
    assert list(C.trend(r, "app_a", "dau", window=None).rows.index) == ["o_m1", "o_m2", "o_2026"]


def test_a_holiday_pair_is_not_a_trend():
    """Two 2026 holiday DAU days six days apart gave '-74.8% a month, half-life 0.5 months'."""
    r = rows(
        {"obs_id": "o_h1", "metric": "dau", "period_start": "2025-01-28", "period_end": "2025-01-28", "value": 4000},
        {"obs_id": "o_h2", "metric": "dau", "period_start": "2025-02-03", "period_end": "2025-02-03", "value": 3000},
    )
    t = C.trend(r, "app_a", "dau")
    assert len(t.rows) == 2 and not t.fit_allowed and "6 days apart" in t.why_not and "too_close" in t.rules
    assert C.rate_allowed([pd.Timestamp("2025-01-16"), pd.Timestamp("2025-02-15")])[0] is False
    assert C.rate_allowed([pd.Timestamp("2025-01-16"), pd.Timestamp("2025-03-16")])[0] is True
    assert C.rate_allowed([pd.Timestamp("2025-01-16")]) == (False, "one point: no rate")


# --- conflicting figures: both returned, or the choice named ------------------------------------------------------------
def test_conflicting_figures_are_both_returned_or_the_choice_named():
    r = rows(
        {"obs_id": "o_a", **month("2025-12"), "value": 7523},
        {"obs_id": "o_b", **month("2025-12"), "value": 8000, "source_id": "s_y"},
        {"obs_id": "o_old", **month("2025-10"), "value": 7000},
    )
    lv = C.levels(r, "mau")
    assert lv.rows.at["o_a", "conflicts_with"] == ["o_b"] and "conflicts_shown" in lv.rules
    shown = C.latest(lv)
    assert list(shown.rows.index) == ["o_a", "o_b"] and shown.left_out.at["o_old", "rule"] == "earlier"
    chosen = C.latest(lv, choose=True)
    assert list(chosen.rows.index) == ["o_a"] and chosen.left_out.at["o_b", "rule"] == "conflict_choice"
    assert C.conflicts(lv)["obs_ids"].tolist() == [["o_a", "o_b"]]


def test_a_point_inside_a_bound_is_no_conflict_and_the_data_conflict_group_is():
    r = rows(
        {"obs_id": "o_pt", "value": 2215},
        {"obs_id": "o_gt", "value": 2000, "qualifier": ">"},
        {"obs_id": "o_x", **month("2025-06"), "conflict_group": "g", "value": 1},
        {"obs_id": "o_y", **month("2025-07"), "conflict_group": "g"},
    )
    lv = C.levels(r, "mau")
    assert lv.rows.at["o_pt", "conflicts_with"] == [] and lv.rows.at["o_x", "conflicts_with"] == ["o_y"]
    assert C.levels(rows({"value": 1900}, {"value": 2000, "qualifier": ">"}), "mau").rows["conflict"].all()


# --- latest and peak per firm, snapshots by metric, one rank list -----------------------------------------------------
def test_latest_and_peak_per_firm():
    r = rows(
        {"obs_id": "o_1", **month("2024-12"), "value": 2101},
        {"obs_id": "o_2", **month("2025 Q3"), "value_kind": "monthly_average", "value": 992.6},
        {"obs_id": "o_3", **month("2025-03"), "vendor": "aicpb", "value": 2649},
    )
    lv = C.levels(r, "mau")
    assert C.latest(lv).rows["period"].to_dict() == {"o_3": "2025-03", "o_2": "2025 Q3"}
    assert sorted(C.peak(lv).rows.index) == ["o_1", "o_3"]


def test_snapshot_table_by_metric_keeps_quarters_and_months_apart_and_aggregates_out():
    r = rows(
        {"obs_id": "o_a_q3", **month("2025 Q3"), "value_kind": "monthly_average", "value": 992.6},
        {"obs_id": "o_b_q3", "entity": "app_b", **month("2025 Q3"), "value_kind": "monthly_average", "value": 15900},
        {"obs_id": "o_b_sep", "entity": "app_b", **month("2025-09"), "value": 17200},
        {"obs_id": "o_c_sep", "entity": "app_c", **month("2025-09"), "value": 14500},
        {
            "obs_id": "o_w",
            "entity": "app_b",
            "metric": "wau",
            "period_start": "2025-12-08",
            "period_end": "2025-12-14",
            "value": 15520,
        },
        {
            "obs_id": "o_w2",
            "entity": "app_a",
            "metric": "wau",
            "period_start": "2025-12-08",
            "period_end": "2025-12-14",
            "value": 450,
        },
    )
    st_ = C.snapshot_table(r, ["mau", "wau"])
    assert st_.rows.loc[["o_a_q3", "o_b_q3"], "period"].eq("2025 Q3").all()
    assert st_.rows.loc[["o_a_q3", "o_b_q3"], "panel"].eq("mau · monthly average").all()
    assert st_.rows.loc[["o_b_sep", "o_c_sep"], "panel"].eq("mau · month").all()  # never in the average's panel
    assert set(st_.rows["panel"]) == {"mau · monthly average", "mau · month", "wau · week"}
    months = C.snapshot_table(r, "mau", prefer="months")
    assert set(months.rows.index) == {"o_b_sep", "o_c_sep"} and months.left_out.at["o_a_q3", "rule"] == "one_app"
    assert months.left_out.at["o_b_q3", "rule"] == "months_over_average"


def test_rank_history_never_mixes_the_monthly_and_the_weekly_list():
    r = rows(
        {
            "obs_id": "o_m1",
            "metric": "mau_rank",
            **month("2024-12"),
            "value": 3,
            "qualifier": "<=",
            "scope": "native apps",
            "base_value": 3,
        },
        {"obs_id": "o_m2", "metric": "mau_rank", **month("2025-05"), "value": 9, "scope": "native apps", "base_value": 9},
        {
            "obs_id": "o_w1",
            "metric": "wau_rank",
            "period_start": "2025-12-08",
            "period_end": "2025-12-14",
            "value": 7,
            "scope": "native apps",
            "base_value": 7,
        },
    )
    h = C.rank_history(r, "app_a")
    assert list(h.rows.index) == ["o_m1", "o_m2"] and h.left_out.at["o_w1", "rule"] == "other_list"
    assert h.rows.at["o_m1", "bound"] == "upper"
    w = C.rank_history(r, "app_a", list_key="wau_rank · questmobile · native apps")
    assert list(w.rows.index) == ["o_w1"]


# --- the live data: nothing left out silently ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def live():
    return kr.load()


def _accounted(selected: pd.DataFrame, res: C.Comparable) -> None:
    """Every selected row is kept or listed with its reason, never both; a folded row names a kept one."""
    assert set(res.rows.index) | set(res.left_out.index) == set(selected.index)
    assert not set(res.rows.index) & set(res.left_out.index)
    folded = {i for ids in res.rows["obs_ids"] for i in ids} - set(res.rows.index) if len(res.rows) else set()
    assert (res.left_out.loc[sorted(folded), "rule"] == "same_measurement").all()


@pytest.mark.parametrize("metric", ["mau", "dau", "wau", "ad_spend", "mau_rank"])
def test_every_row_of_the_live_data_is_kept_or_listed_with_a_reason(live, metric):
    o = live.observations
    for entity in sorted(o.loc[o["metric"] == metric, "entity"].unique()):
        sel = o[(o["metric"] == metric) & (o["entity"] == entity)]
        lv = C.levels(live, metric, entity)
        _accounted(sel, lv)
        assert lv.left_out["rule"].isin(list(C.RULES)).all() and set(lv.rules) <= set(C.RULES)
        assert not lv.rows["value_kind"].isin(["change", "cumulative"]).any()
        assert not (lv.rows["scale"].eq("monthly average").any() and len(C._own_months(lv.rows)))
        for s in lv.rows["series"].unique():
            t = C.trend(live, entity, metric, s)
            assert t.rows["series"].eq(s).all() and not t.rows["open"].any() and not t.rows["special_day"].any()
            assert t.rows["in_study_window"].all()
            assert t.fit_allowed == (len(t.rows) > 1 and t.span_months >= C.MIN_TREND_SPAN_MONTHS)


# --- selections do not depend on row order (Hypothesis) ---------------------------------------------------------------
@st.composite
def mixed_rows(draw):
    periods = ["2025-01", "2025-02", "2025-03", "2025 Q1", "2025-02-13 to 2025-03-11", "2025-03-04"]
    out = []
    for i in range(draw(st.integers(1, 10))):
        kind = draw(st.sampled_from(["period_value", "period_value", "monthly_average", "change"]))
        out.append(
            {
                "obs_id": f"o_p{i:02d}",
                "entity": draw(st.sampled_from(["app_a", "app_b"])),
                **month(draw(st.sampled_from(periods))),
                "vendor": draw(st.sampled_from(["questmobile", "aicpb", None])),
                "source_id": draw(st.sampled_from(["s_a", "s_b"])),
                "value": draw(st.sampled_from([100.0, 100.3, 140.0, 300.0])),
                "qualifier": draw(st.sampled_from(["=", "~", ">"])),
                "value_kind": kind,
                "flags": draw(st.sampled_from([None, None, "special_day"])),
            }
        )
    return rows(*out)


def _same(a: C.Comparable, b: C.Comparable) -> None:
    assert sorted(a.rows.index) == sorted(b.rows.index)
    assert a.left_out.sort_index().equals(b.left_out.sort_index())
    assert sorted(a.rules) == sorted(b.rules)


@PROPS
@given(mixed_rows(), st.randoms(use_true_random=False))
def test_selections_do_not_depend_on_row_order(r, rnd):
    shuffled = r.loc[rnd.sample(list(r.index), len(r))]
    _same(C.levels(r, "mau"), C.levels(shuffled, "mau"))
    _same(C.trend(r, "app_a", "mau"), C.trend(shuffled, "app_a", "mau"))
    _same(C.latest(C.levels(r, "mau")), C.latest(C.levels(shuffled, "mau")))
    a, b = C.period_total(r, "app_a", "mau", "2025 Q1"), C.period_total(shuffled, "app_a", "mau", "2025 Q1")
    _same(a, b)
    assert a.value == b.value and a.bound == b.bound


# --- docs/data-conventions.md: every example row loads and does what the page says --------------------------------
DOC = kr.paths.ROOT / "docs" / "data-conventions.md"
KINDS = (
    "A difference",
    "A cumulative total",
    "An aggregate",
    "A rank on another list",
    "A multiple",
    "A vague date",
    "A special day",
)
CHECK = re.compile(r"^Layer check: `(\w+)(?: ([^`]+))?` (keeps|leaves out) `(o_\w+)`(?: \(`(\w+)`\))?\.$", re.M)


def _doc_tables(text: str) -> dict[str, list[list[str]]]:
    """{header line: rows} of every ```csv block of the page."""
    out: dict[str, list[list[str]]] = {}
    for block in re.findall(r"```csv\n(.*?)```", text, re.S):
        lines = list(csv.reader(io.StringIO(block)))
        out.setdefault(",".join(lines[0]), []).extend(lines[1:])
    return out


@pytest.fixture(scope="module")
def doc_ds(tmp_path_factory):
    """The frozen data with the page's example rows added, loaded (any problem fails here, naming the row)."""
    d = tmp_path_factory.mktemp("conventions") / "data"
    shutil.copytree(FROZEN, d)
    for header, rows_ in _doc_tables(DOC.read_text(encoding="utf-8")).items():
        name = "sources" if header.startswith("source_id,") else "observations"
        path = d / f"{name}.csv"
        assert path.read_text(encoding="utf-8").splitlines()[0] == header, f"the {name} header of the page differs from data/"
        with path.open("a", encoding="utf-8", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(rows_)
    return kr.load(d, cache=False)


def test_the_page_covers_every_awkward_case_with_a_checked_example(doc_ds):
    text = DOC.read_text(encoding="utf-8")
    for kind in KINDS:
        assert f"### {kind}" in text
    examples = {r[0] for h, rs in _doc_tables(text).items() if h.startswith("obs_id,") for r in rs}
    assert examples and examples <= set(doc_ds.observations.index)
    assert examples == {m[3] for m in CHECK.findall(text)}, "every example row has a Layer check, and every check an example"
    assert len(CHECK.findall(text)) == text.count("Layer check:")


@pytest.mark.parametrize("check", CHECK.findall(DOC.read_text(encoding="utf-8")), ids=lambda c: f"{c[0]}-{c[3]}")
def test_each_layer_check_of_the_page_holds(doc_ds, check):
    func, arg, verb, oid, rule = check
    r = doc_ds.observations.loc[oid]
    series = r["vendor"] if isinstance(r["vendor"], str) else f"{C.NO_FIRM}:{r['source_id']}"
    res = {
        "levels": lambda: C.levels(doc_ds, r["metric"], r["entity"]),
        "trend": lambda: C.trend(doc_ds, r["entity"], r["metric"], series),
        "latest": lambda: C.latest(C.levels(doc_ds, r["metric"], r["entity"])),
        "snapshot_table": lambda: C.snapshot_table(doc_ds, r["metric"]),
        "rank_history": lambda: C.rank_history(doc_ds, r["entity"]),
        "period_total": lambda: C.period_total(doc_ds, r["entity"], r["metric"], arg),
    }[func]()
    if verb == "keeps":
        assert oid in res.rows.index, res.left_out.get("reason", pd.Series()).get(oid)
    else:
        assert oid in res.left_out.index and res.left_out.at[oid, "rule"] == rule, res.left_out.to_dict(orient="index").get(oid)


# --- additions for notebook 01: open windows, one selection for several series, every rank list, ratios -------------
def test_a_window_end_left_empty_is_open():
    r = rows(
        {"obs_id": "o_old", **month("2023-06"), "value": 900},
        {"obs_id": "o_mid", **month("2025-05"), "value": 800},
        {"obs_id": "o_new", **month("2026-02"), "value": 700},
    )
    assert C.in_window(r, ("2024-01-01", None)).to_dict() == {"o_old": False, "o_mid": True, "o_new": True}
    assert C.in_window(r, ("", "2025-12-31")).to_dict() == {"o_old": True, "o_mid": True, "o_new": False}
    assert C.in_window(r, None).all() and C.in_window(r, (None, None)).all()
    assert [C.window_text(w) for w in [("2024-01-01", None), (None, "2025-12-31"), (None, None), C.STUDY_WINDOW]] == [
        "from 2024-01",
        "up to 2025-12",
        "no limit",
        "2023-10 to 2025-12",
    ]
    t = C.trend(r, "app_a", "mau", window=(None, "2025-12-31"))
    assert list(t.rows.index) == ["o_old", "o_mid"] and t.left_out.at["o_new", "rule"] == "outside_window"
    assert "up to 2025-12" in t.left_out.at["o_new", "reason"]


def test_trend_in_is_trend_on_levels_already_selected():
    r = rows(
        {"obs_id": "o_q1", **month("2025-01"), "value": 1000},
        {"obs_id": "o_q2", **month("2025-04"), "value": 800},
        {"obs_id": "o_a1", **month("2025-02"), "value": 1500, "vendor": "aicpb"},
        {"obs_id": "o_n1", **month("2025-03"), "value": 1900, "vendor": None, "source_id": "s_y"},
    )
    lv = C.levels(r, "mau", "app_a")
    for series in ("questmobile", "aicpb", C.POOLED, "auto", C.NO_FIRM):
        a, b = C.trend(r, "app_a", "mau", series), C.trend_in(lv, series)
        assert list(a.rows.index) == list(b.rows.index) and a.left_out.equals(b.left_out), series
        assert (a.series, a.fit_allowed, a.why_not, a.rules) == (b.series, b.fit_allowed, b.why_not, b.rules)


def test_every_rank_list_is_its_own_history_and_the_window_applies():
    rank = {"metric": "mau_rank", "scope": "native apps", "unit": "rank"}
    r = rows(
        {"obs_id": "o_m1", **rank, **month("2024-12"), "value": 3, "qualifier": "<=", "base_value": 3},
        {"obs_id": "o_m2", **rank, **month("2025-05"), "value": 9, "base_value": 9},
        {"obs_id": "o_m3", **rank, **month("2026-03"), "value": 12, "base_value": 12},
        {"obs_id": "o_w1", **rank, "metric": "wau_rank", **month("2024-12"), "value": 2, "base_value": 2},
    )
    assert C.rank_lists(r, "app_a") == ["mau_rank · questmobile · native apps", "wau_rank · questmobile · native apps"]
    hs = C.rank_histories(r, "app_a", window=C.STUDY_WINDOW)
    assert list(hs) == C.rank_lists(r, "app_a", window=C.STUDY_WINDOW)
    mau = hs["mau_rank · questmobile · native apps"]
    assert list(mau.rows.index) == ["o_m1", "o_m2"] and mau.left_out.at["o_m3", "rule"] == "outside_window"
    assert mau.left_out.at["o_w1", "rule"] == "other_list" and list(hs["wau_rank · questmobile · native apps"].rows.index) == [
        "o_w1"
    ]
    assert list(C.rank_history(r, "app_a", window=C.STUDY_WINDOW).rows.index) == ["o_m1", "o_m2"]
    assert list(C.rank_history(r, "app_a").rows.index) == ["o_m1", "o_m2", "o_m3"]  # no window: every rank


def test_a_ratio_takes_one_firm_one_period_one_scale_and_lists_the_pairs_that_are_not_like_for_like():
    dau = {"metric": "dau"}
    r = rows(
        {"obs_id": "o_d1", **dau, **month("2025-06"), "value": 300},
        {"obs_id": "o_m1", **month("2025-06"), "value": 1000},
        {"obs_id": "o_d2", **dau, "period_start": "2025-07-04", "period_end": "2025-07-04", "value": 400},
        {"obs_id": "o_m2", **month("2025-07"), "value": 1100},
        {"obs_id": "o_d3", **dau, **month("2025-08"), "value": 350, "vendor": "aicpb"},
        {"obs_id": "o_m3", **month("2025-08"), "value": 1050},
        {"obs_id": "o_d4", **dau, **month("2025-09"), "value": 320, "scope": "native apps"},
        {"obs_id": "o_m4", **month("2025-09"), "value": 1200, "scope": "apps and web"},
        {"obs_id": "o_d5", **dau, **month("2025-10"), "value": 1300},
        {"obs_id": "o_m5", **month("2025-10"), "value": 1250},
        {"obs_id": "o_d6", **dau, **month("2025-11"), "value": 300, "qualifier": ">"},
        {"obs_id": "o_m6", **month("2025-11"), "value": 1250},
        {"obs_id": "o_d7", **dau, **month("2025-12"), "value": 900, "flags": "special_day"},
        {"obs_id": "o_m7", **month("2025-12"), "value": 1250},
    )
    p = C.ratio_pairs(r)
    assert list(p.rows.index) == ["o_d1/o_m1"] and p.rows.at["o_d1/o_m1", "ratio"] == pytest.approx(0.3)
    assert p.rows.at["o_d1/o_m1", "num_obs_ids"] == ["o_d1"] and p.rows.at["o_d1/o_m1", "den_obs_ids"] == ["o_m1"]
    assert p.left_out["rule"].to_dict() == {
        "o_d2/o_m2": "other_scale",  # a day against a month
        "o_d3/o_m3": "other_series",  # one firm's DAU, another's MAU
        "o_d4/o_m4": "other_scope",
        "o_d5/o_m5": "impossible_ratio",  # DAU above MAU
        "o_d6/o_m6": "bound",
        "o_d7/o_m7": "special_day",
    }
    assert "same_series_same_period" in p.rules and "a day figure against a month figure" in p.left_out.at["o_d2/o_m2", "reason"]
    assert ((p.rows["ratio"] > 0) & (p.rows["ratio"] <= 1)).all()
