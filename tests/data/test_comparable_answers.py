"""comparable.answers: every figure that answers one contested question, on synthetic rows.

The readings of notebook 05's contested inputs are found by this query (a conflict group, or a metric over a
period), never by a list of ids: each rule is checked on rows written in the test.
"""

from __future__ import annotations

import pandas as pd
import pytest

from kimi_research.data import comparable as C

from synthetic_rows import WAN, month, rows


def cpa(**kw) -> dict:
    return {"metric": "cpa", "vendor": None, "unit": "元", "base_value": kw.get("value", 10.0), **kw}


def test_a_conflict_group_answers_whatever_its_metrics_and_dates():
    r = rows(
        {"obs_id": "a1", "value": 2.2, "base_value": 2.2e8, "metric": "ad_spend", **month("2024-10"), "conflict_group": "peak"},
        {
            "obs_id": "a2",
            "value": 2.0,
            "base_value": 2e8,
            "metric": "ad_spend_peak_month",
            "period_start": None,
            "period_end": None,
            "vendor": None,
            "source_id": "s_b",
            "conflict_group": "peak",
        },
        {"obs_id": "a3", "value": 9.9, "base_value": 9.9e8, "metric": "ad_spend", **month("2024-11")},
    )
    a = C.answers(r, conflict_group="peak")
    assert list(a.rows.index) == ["a1", "a2"]
    assert a.rows.loc["a2", "dated"] == False  # noqa: E712  (undated rows are kept: they answer the question)
    assert set(a.rows.loc["a1", "conflicts_with"]) == {"a2"}


def test_a_period_keeps_the_dated_rows_inside_it_and_undated_rows_of_the_group_only():
    r = rows(
        {"obs_id": "q4", **month("2024-12")},
        {"obs_id": "q3", **month("2024-09")},
        {"obs_id": "und_group", "period_start": None, "period_end": None, "source_id": "s_b", "conflict_group": "late"},
        {"obs_id": "und_loose", "period_start": None, "period_end": None, "source_id": "s_c"},
    )
    a = C.answers(r, metric="mau", entities="app_a", period="2024 Q4", conflict_group="late")
    assert set(a.rows.index) == {"q4", "und_group"}
    assert a.left_out.loc["q3", "rule"] == "other_period"
    assert a.left_out.loc["und_loose", "rule"] == "undated_outside_group"


def test_a_figure_stated_twice_is_one_answer_and_a_doubtful_one_is_listed():
    r = rows(
        cpa(obs_id="c1", value=20.0, base_value=20.0, period_start=None, period_end=None, source_id="s_n"),
        cpa(obs_id="c2", value=20.0, base_value=20.0, period_start=None, period_end=None, source_id="s_n"),
        cpa(obs_id="c3", value=99.0, base_value=99.0, period_start=None, period_end=None, source_id="s_n", flags="suspicious"),
    )
    a = C.answers(r, metric="cpa")
    assert list(a.rows.index) == ["c1"] and a.rows.loc["c1", "obs_ids"] == ["c1", "c2"]
    assert a.left_out.loc["c2", "rule"] == "same_measurement"
    assert a.left_out.loc["c3", "rule"] == "doubtful" and "doubtful" in a.rules


def test_changes_and_cumulative_totals_never_answer_a_level_question():
    r = rows({"obs_id": "lv"}, {"obs_id": "ch", "value_kind": "change"}, {"obs_id": "cu", "value_kind": "cumulative"})
    a = C.answers(r, metric="mau")
    assert list(a.rows.index) == ["lv"] and set(a.left_out["rule"]) == {"not_a_level"}


def test_bounds_are_kept_and_say_so():
    r = rows({"obs_id": "lo", "qualifier": ">=", "vendor": None}, {"obs_id": "pt", "value": 900.0})
    a = C.answers(r, metric="mau")
    assert a.rows.loc["lo", "bound"] == "lower" and bool(a.rows.loc["lo", "open"])


def test_a_peak_question_keeps_the_largest_figure_of_each_series():
    r = rows(
        {"obs_id": "qm_oct", **month("2024-10"), "value": 1800.0},
        {"obs_id": "qm_dec", **month("2024-12"), "value": 2101.0},
        {"obs_id": "ai_dec", **month("2024-12"), "value": 1669.0, "vendor": "aicpb"},
    )
    a = C.answers(r, metric="mau", period=("2024-10-01", "2024-12-31"), per_series="peak")
    assert set(a.rows.index) == {"qm_dec", "ai_dec"}
    assert a.left_out.loc["qm_oct", "rule"] == "largest_per_series"
    assert a.rows.loc["qm_dec", "base_value"] == 2101.0 * WAN
    with pytest.raises(ValueError, match="per_series"):
        C.answers(r, metric="mau", per_series="latest")


def test_a_question_nobody_answers_gives_no_rows():
    a = C.answers(rows({"obs_id": "x"}), metric="cpa")
    assert a.rows.empty and isinstance(a.left_out, pd.DataFrame)


def test_every_rule_named_is_documented():
    assert {"doubtful", "undated_outside_group", "largest_per_series", "other_period"} <= set(C.RULES)
