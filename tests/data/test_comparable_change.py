"""The comparability layer's change over a window (kimi_research.data.comparable.level_change), on synthetic
rows: the level at the window's end minus the level just before it, one series, months only (or an
end-of-period value at the window's end), bounds kept, everything else listed with its reason."""

from __future__ import annotations

import pytest

from kimi_research.data import comparable as C

from synthetic_rows import month, rows

WAN = 1e4
DEC = {"obs_id": "o_dec", **month("2024-12"), "value": 1000}
MAR = {"obs_id": "o_mar", **month("2025-03"), "value": 1500}
Q1_END = {"obs_id": "o_q1end", **month("2025 Q1"), "value_kind": "end_value", "value": 1400, "qualifier": ">"}
Q1_AVG = {"obs_id": "o_q1avg", **month("2025 Q1"), "value_kind": "monthly_average", "value": 1300}


def change(*specs, period="2025 Q1", series="questmobile") -> C.Change:
    return C.level_change(C.levels(rows(*specs), "mau"), period, series)


def test_the_change_over_a_quarter_is_its_last_month_minus_the_month_before():
    c = change(DEC, MAR, {"obs_id": "o_feb", **month("2025-02"), "value": 1200})
    assert c.value == pytest.approx(500 * WAN) and c.bound == "point" and c.why_not == ""
    assert list(c.rows.index) == ["o_dec", "o_mar"] and list(c.rows["edge"]) == ["before", "end"]
    assert c.left_out.at["o_feb", "rule"] == "not_at_window_edge" and "level_change" in c.rules
    # a month is its own window; a fall is a negative change
    assert change(DEC, {"obs_id": "o_jan", **month("2025-01"), "value": 900}, period="2025-01").value == pytest.approx(-100 * WAN)


def test_an_end_of_period_value_at_the_windows_end_is_its_level_and_a_lower_bound_gives_at_least():
    c = change(DEC, Q1_END)
    assert c.value == pytest.approx(400 * WAN) and c.bound == "lower"
    assert "end_value_at_period_end" in c.rules and list(c.rows.index) == ["o_dec", "o_q1end"]
    # with the month itself as well, the point is used and the bound listed as the same level
    c = change(DEC, Q1_END, MAR)
    assert list(c.rows.index) == ["o_dec", "o_mar"] and c.bound == "point"
    assert c.left_out.at["o_q1end", "rule"] == "same_measurement"


def test_a_quarters_average_is_never_an_edge():
    c = change(DEC, Q1_AVG)
    assert c.value is None and c.bound == "none" and "the level at the end of 2025 Q1" in c.why_not
    assert c.left_out.at["o_q1avg", "rule"] == "not_at_window_edge"
    assert "an average is never a month's level" in c.left_out.at["o_q1avg", "reason"]


def test_no_change_joins_two_firms_or_two_sources_that_name_none():
    c = change(DEC | {"vendor": "aicpb"}, MAR)
    assert c.value is None and c.left_out.at["o_dec", "rule"] == "other_series"
    c = change(DEC | {"vendor": None, "source_id": "s_a"}, MAR | {"vendor": None, "source_id": "s_b"}, series="none:s_b")
    assert c.value is None and c.left_out.at["o_dec", "rule"] == "other_series"


@pytest.mark.parametrize(
    "before, end, want",
    [
        ("=", "=", "point"),
        ("=", ">", "lower"),
        ("<", "=", "lower"),
        ("=", "<", "upper"),
        (">", "=", "upper"),
        (">", ">", "none"),
        ("range", "=", "none"),
    ],
)
def test_bounds_at_an_edge_make_the_change_a_bound_or_leave_it_unknown(before, end, want):
    c = change(DEC | {"qualifier": before, "value_high": 1100}, MAR | {"qualifier": end})
    assert c.bound == want
    assert (c.value is None) == (want == "none")
    if want == "none":
        assert "their difference has no bound" in c.why_not


def test_a_special_day_is_never_an_edge_and_conflicting_edges_are_named():
    c = change(DEC, MAR | {"flags": "special_day"})
    assert c.value is None and c.left_out.at["o_mar", "rule"] == "special_day"
    c = change(DEC, MAR, {"obs_id": "o_mar_b", **month("2025-03"), "value": 1700, "source_id": "s_y", "tier": 1})
    assert c.rows.at["o_mar_b", "edge"] == "end"  # the tier-1 source first
    assert c.left_out.at["o_mar", "rule"] == "conflict_choice" and "conflict_choice" in c.rules


def test_one_entity_at_a_time():
    with pytest.raises(ValueError, match="one entity"):
        change(DEC, MAR | {"entity": "app_b"})
