"""The level series rules (kimi_research.data.series.level_series) on small synthetic row tables: which rows
are levels, which firm, each measurement once with its corroboration, never a month beside its own average,
the order, and what was left out and why (``attrs["excluded"]``, its exact text)."""

from __future__ import annotations

import pandas as pd
import pytest
from test_measurements import obs

from kimi_research.data.series import LEVEL_KINDS, level_series

APR = {"period_start": "2025-04-01", "period_end": "2025-04-30"}
MAY = {"period_start": "2025-05-01", "period_end": "2025-05-31"}
JUN = {"period_start": "2025-06-01", "period_end": "2025-06-30"}
JUL = {"period_start": "2025-07-01", "period_end": "2025-07-31"}
Q2 = {"period_start": "2025-04-01", "period_end": "2025-06-30", "value_kind": "monthly_average"}


def with_mid(rows: pd.DataFrame) -> pd.DataFrame:
    """The loader's period_mid: the middle of each period (rows' periods are given above)."""
    rows = rows.copy()
    rows["period_mid"] = rows["period_start"] + (rows["period_end"] - rows["period_start"]) / 2
    return rows


def test_prefer_and_kinds_are_checked_with_their_message():
    rows = obs({})
    with pytest.raises(ValueError) as e:
        level_series(rows, "app_a", "mau", prefer="quarter")
    assert str(e.value) == "prefer must be 'period_value' or 'monthly_average', got 'quarter'"
    with pytest.raises(ValueError) as e:
        level_series(rows, "app_a", "mau", kinds=("period_value", "growth", "change"))
    assert str(e.value) == "not level kinds: change, growth (a 'change' is never a level)"
    # every level kind is accepted, cumulative included; both preferences are valid
    assert list(level_series(rows, "app_a", "mau", kinds=LEVEL_KINDS).index) == ["o_t00"]
    assert list(level_series(rows, "app_a", "mau", prefer="monthly_average").index) == ["o_t00"]


def test_one_entity_one_metric_and_the_firm_asked_for():
    rows = with_mid(
        obs(
            APR | {"base_value": 1000.0},
            MAY | {"base_value": 2000.0, "vendor": "aicpb"},
            JUN | {"base_value": 3000.0, "vendor": None},
            APR | {"base_value": 4000.0, "entity": "app_b"},
            APR | {"base_value": 5000.0, "metric": "dau"},
        )
    )
    # the default is any firm ("*"): every firm's rows of app_a's MAU, in period order
    assert list(level_series(rows, "app_a", "mau").index) == ["o_t00", "o_t01", "o_t02"]
    assert list(level_series(rows, "app_a", "mau", "*").index) == ["o_t00", "o_t01", "o_t02"]
    assert list(level_series(rows, "app_a", "mau", "aicpb").index) == ["o_t01"]
    assert list(level_series(rows, "app_a", "mau", "questmobile").index) == ["o_t00"]
    assert list(level_series(rows, "app_a", "mau", None).index) == ["o_t02"]  # rows that name no firm
    assert list(level_series(rows, "app_b", "mau").index) == ["o_t03"]
    assert list(level_series(rows, "app_a", "dau").index) == ["o_t04"]
    assert level_series(rows, "app_a", "mau").attrs["excluded"] == {}


def test_a_change_and_an_undated_row_are_left_out_with_the_reason():
    rows = obs(
        APR | {"base_value": 1000.0},
        MAY | {"base_value": 0.1, "value_kind": "change"},
        MAY | {"base_value": 5e6, "value_kind": "cumulative"},
        JUN | {"base_value": 2000.0, "value_kind": "end_value"},
        {"period_start": None, "period_end": None, "base_value": 3000.0},
    )
    s = level_series(rows, "app_a", "mau")
    assert list(s.index) == ["o_t00", "o_t03"]  # an end value is a level by default
    assert s.attrs["excluded"] == {
        "o_t01": "value_kind change: not a level",
        "o_t02": "value_kind cumulative: not a level",
        "o_t04": "undated: cannot be placed on a time axis",
    }
    # cumulative only on request
    s = level_series(rows, "app_a", "mau", kinds=("period_value", "cumulative"))
    assert list(s.index) == ["o_t00", "o_t02"]
    assert s.attrs["excluded"] == {
        "o_t01": "value_kind change: not a level",
        "o_t03": "value_kind end_value: not a level",
        "o_t04": "undated: cannot be placed on a time axis",
    }


def test_each_measurement_once_with_its_corroboration():
    """Three rows of one figure (within 0.5%); the tier-1 row is kept and carries every source once, sorted."""
    rows = obs(
        MAY | {"base_value": 1000.0, "source_id": "s_b"},
        MAY | {"base_value": 1001.0, "source_id": "s_c", "tier": 1},
        MAY | {"base_value": 1002.0, "source_id": "s_a"},
        MAY | {"base_value": 1003.0, "source_id": "s_b"},
        JUN | {"base_value": 1500.0, "source_id": "s_d"},
    )
    s = level_series(rows, "app_a", "mau")
    assert list(s.index) == ["o_t01", "o_t04"]
    assert s.at["o_t01", "source_ids"] == ["s_a", "s_b", "s_c"]
    assert s.at["o_t01", "obs_ids"] == ["o_t00", "o_t01", "o_t02", "o_t03"]
    assert s.at["o_t01", "n_sources"] == 3
    assert s.at["o_t04", "source_ids"] == ["s_d"] and s.at["o_t04", "obs_ids"] == ["o_t04"]
    assert s.at["o_t04", "n_sources"] == 1
    assert s.attrs["excluded"] == {
        "o_t00": "the same measurement as o_t01: counted once",
        "o_t02": "the same measurement as o_t01: counted once",
        "o_t03": "the same measurement as o_t01: counted once",
    }


def test_the_rounding_tolerance_is_passed_on():
    rows = obs(MAY | {"base_value": 1000.0}, MAY | {"base_value": 1020.0})  # 2% apart
    assert list(level_series(rows, "app_a", "mau").index) == ["o_t00", "o_t01"]
    assert list(level_series(rows, "app_a", "mau", rel_tol=0.05).index) == ["o_t00"]


def quarter_and_months() -> pd.DataFrame:
    """Q2's average (o_t00) and the months of one firm: April and June at its two edges, July outside; another
    firm's May; a period that starts before the quarter. Values far apart: no two rows are one measurement."""
    return with_mid(
        obs(
            Q2 | {"base_value": 1200.0},
            APR | {"base_value": 1000.0},
            JUN | {"base_value": 1400.0},
            JUL | {"base_value": 1600.0},
            MAY | {"base_value": 900.0, "vendor": "aicpb"},
            {"period_start": "2025-03-15", "period_end": "2025-04-14", "base_value": 700.0},
        )
    )


def test_prefer_the_months_drops_the_average_that_holds_them():
    s = level_series(quarter_and_months(), "app_a", "mau")
    assert list(s.index) == ["o_t05", "o_t01", "o_t04", "o_t02", "o_t03"]
    assert s.attrs["excluded"] == {
        "o_t00": "monthly average over a period that holds o_t01, o_t02: the months are used, not their average"
    }


def test_prefer_the_average_drops_the_months_inside_it():
    s = level_series(quarter_and_months(), "app_a", "mau", prefer="monthly_average")
    assert list(s.index) == ["o_t05", "o_t00", "o_t04", "o_t03"]  # Q2 and May share a midpoint: Q2 starts first
    assert s.attrs["excluded"] == {
        "o_t01": "inside the period of the monthly average o_t00: the average is used",
        "o_t02": "inside the period of the monthly average o_t00: the average is used",
    }


def test_the_average_and_months_of_rows_that_name_no_firm():
    rows = with_mid(obs(Q2 | {"base_value": 1200.0, "vendor": None}, MAY | {"base_value": 1000.0, "vendor": None}))
    assert list(level_series(rows, "app_a", "mau", None).index) == ["o_t01"]
    # the firm's May is not inside the average of rows that name no firm
    rows = with_mid(obs(Q2 | {"base_value": 1200.0, "vendor": None}, MAY | {"base_value": 1000.0}))
    assert list(level_series(rows, "app_a", "mau").index) == ["o_t00", "o_t01"]


def test_an_average_inside_a_longer_average_is_not_a_month():
    h1 = {"period_start": "2025-01-01", "period_end": "2025-06-30", "value_kind": "monthly_average"}
    rows = with_mid(obs(h1 | {"base_value": 1100.0}, Q2 | {"base_value": 1200.0}))
    s = level_series(rows, "app_a", "mau")
    assert list(s.index) == ["o_t00", "o_t01"] and s.attrs["excluded"] == {}


def test_sorted_by_the_period_midpoint_then_its_start():
    """Two periods with one midpoint (16 May): the one that starts first comes first, whatever the row order."""
    rows = obs(
        JUN | {"base_value": 3000.0},
        {"period_start": "2025-05-11", "period_end": "2025-05-21", "base_value": 2000.0},
        MAY | {"base_value": 1000.0},
    )
    rows["period_mid"] = pd.to_datetime(["2025-06-15", "2025-05-16", "2025-05-16"])
    assert list(level_series(rows, "app_a", "mau").index) == ["o_t02", "o_t01", "o_t00"]
    # without a period_mid column, the rows keep their order
    assert list(level_series(rows.drop(columns="period_mid"), "app_a", "mau").index) == ["o_t00", "o_t01", "o_t02"]
