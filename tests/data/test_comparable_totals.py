"""The comparability layer's running totals (kimi_research.data.comparable.cumulative) and the sum of a monthly
path over a window (path_total, rule days_share_of_month): on synthetic rows."""

from __future__ import annotations

import pandas as pd
import pytest

from kimi_research.data import comparable as C

from synthetic_rows import rows

YI = 1e8


def spend_rows(*specs: dict) -> pd.DataFrame:
    """Ad-spend rows as the loader gives them (test_comparable.rows); each dict overrides an AppGrowing total of 9亿
    since March 2024."""
    base = {
        "metric": "ad_spend",
        "vendor": "appgrowing",
        "period_start": "2024-03-01",
        "period_end": "2025-02-09",
        "value": 9.0,
        "unit": "亿元",
        "value_kind": "cumulative",
    }
    return rows(*[base | {"obs_id": spec.get("obs_id", f"o_t{i:02d}")} | spec for i, spec in enumerate(specs)])


def test_cumulative_keeps_running_totals_only_each_once():
    rows = spend_rows(
        {"obs_id": "o_total"},
        {"obs_id": "o_total_again", "source_id": "s_y", "value": 9.01},  # the same estimate, rounded: one measurement
        {
            "obs_id": "o_month",
            "period_start": "2024-10-01",
            "period_end": "2024-10-31",
            "value": 2.2,
            "value_kind": "period_value",
        },
        {"obs_id": "o_undated", "period_start": None, "period_end": None, "value": 9.0},
        {"obs_id": "o_change", "value": 30, "unit": "%", "value_kind": "change"},
    )
    cm = C.cumulative(rows, "app_a", "ad_spend")
    assert list(cm.rows.index) == ["o_total"]
    assert cm.rows.at["o_total", "obs_ids"] == ["o_total", "o_total_again"]
    assert cm.left_out.at["o_total_again", "rule"] == "same_measurement"
    assert cm.left_out.at["o_undated", "rule"] == "undated"
    assert "o_month" not in cm.left_out.index and "o_change" not in cm.left_out.index  # levels and changes: not totals
    assert "cumulative_total" in cm.rules and "same_measurement" in cm.rules
    # a level's sum never reads the running total: period_total lists it as not a level
    t = C.period_total(rows, "app_a", "ad_spend", "2024-10")
    assert t.value == pytest.approx(2.2 * YI) and t.left_out.at["o_total", "rule"] == "not_a_level"


def test_cumulative_shows_conflicting_totals_and_keeps_bounds():
    rows = spend_rows(
        {"obs_id": "o_a"},
        {"obs_id": "o_b", "value": 12.0, "source_id": "s_y"},
        {"obs_id": "o_c", "qualifier": ">", "period_end": "2025-06-30"},
    )
    cm = C.cumulative(rows, "app_a", "ad_spend")
    assert set(cm.rows.index) == {"o_a", "o_b", "o_c"}
    assert cm.rows.at["o_a", "conflicts_with"] == ["o_b"] and "conflicts_shown" in cm.rules
    assert cm.rows.at["o_c", "bound"] == "lower" and cm.rows.at["o_c", "open"]


def test_an_empty_selection_has_no_rules():
    cm = C.cumulative(spend_rows({"value_kind": "period_value"}), "app_a", "ad_spend")
    assert cm.rows.empty and cm.rules == ()


def test_path_total_counts_a_partial_month_by_its_days():
    idx = pd.period_range("2024-02", "2025-03", freq="M")
    path = pd.Series(1e7, index=idx)
    total, w = C.path_total(path, "2024-03-01", "2025-02-09")
    assert w[pd.Period("2024-02", "M")] == 0 and w[pd.Period("2025-03", "M")] == 0
    assert w[pd.Period("2024-03", "M")] == 1 and w[pd.Period("2025-02", "M")] == pytest.approx(9 / 28)
    assert total == pytest.approx(11 * 1e7 + 9 / 28 * 1e7)  # March 2024 to January 2025 whole, 9 days of February
    assert C.days_inside(pd.Period("2024-02", "M"), "2024-02-15", "2024-03-31") == pytest.approx(15 / 29)  # a leap February
    assert "days_share_of_month" in C.RULES and "cumulative_total" in C.RULES
