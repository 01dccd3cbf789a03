"""The helpers of notebook 03 at their edges, with the values and messages a reader sees (issue 24: the survivors
of `make mutate` on kimi_research.analysis.sustainability). Every expected value is computed here by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kimi_research.analysis import sustainability as su


def test_the_alternative_readings_side_by_side():
    ad, other_low, other_high = 2e8, 2e7, 9e7
    total = ad / 0.7
    alt = su.alternative_reading(ad, 0.7, 1e7, total, other_low, other_high)
    assert list(alt.index) == [
        "(a) ad spend ÷ total cost (main reading)",
        "(b) ad spend ÷ revenue, article's share at face value",
        "(c) ad spend ÷ revenue, from the assumed revenue",
    ]
    a, b, c = (alt.iloc[i] for i in range(3))
    assert (a["share"], a["paid_revenue"], a["total_cost"]) == (0.7, 1e7, pytest.approx(total))
    assert a["rate_low"] == a["rate_high"] == pytest.approx(1e7 / total * 0.3)
    assert b["share"] == 0.7 and b["paid_revenue"] == pytest.approx(ad / 0.7)
    assert (b["total_cost"], b["total_cost_low"]) == (ad + other_high, ad + other_low)
    assert b["rate_low"] == pytest.approx(ad / 0.7 / (ad + other_high) * 0.3)  # the higher other cost
    assert b["rate_high"] == pytest.approx(ad / 0.7 / (ad + other_low) * 0.3)
    assert (c["share"], c["paid_revenue"], c["total_cost"]) == (20.0, 1e7, pytest.approx(total))
    assert c["rate_low"] == c["rate_high"] == pytest.approx((1e7 - ad) / total)


def test_no_share_and_no_revenue_leave_only_the_main_reading():
    alt = su.alternative_reading(1e8, 0.0, 0.0, 5e8, 2e7, 9e7)
    assert list(alt.index) == ["(a) ad spend ÷ total cost (main reading)"]
    assert alt.iloc[0]["rate_low"] == 0.0


@pytest.mark.parametrize(
    "value, position",
    [(1.9, "below"), (2.0, "within"), (8.0, "within"), (10.0, "just_above"), (10.4, "well_above")],
)
def test_range_position_at_its_edges(value, position):
    assert su.range_position(value, 2.0, 8.0) == position  # 'just above' up to 1.25 x the high end


def test_runway_and_cash_out_date():
    assert su.runway_months(12.0, 4.0) == 3.0
    assert su.runway_months(0.0, 4.0) == 0.0
    assert su.runway_months(10.0, 0.0) == math.inf and su.runway_months(10.0, -1.0) == math.inf
    with pytest.raises(ValueError, match=r"^funding must be 0 or more, got -1\.0$"):
        su.runway_months(-1.0, 4.0)
    start = pd.Timestamp("2024-01-01")
    assert su.cash_out_date(start, 12) == start + pd.Timedelta(days=365.25)  # months of 365.25 / 12 days
    assert su.cash_out_date(start, 6) == pd.Timestamp("2024-07-01 15:00")
    assert su.cash_out_date(start, math.nan) is None


def test_resolve_target():
    assert su.resolve_target("threshold_firm", 0.3) == pytest.approx(0.7)
    assert su.resolve_target(0.5, 0.3) == 0.5 and su.resolve_target("0.25", 0.3) == 0.25


def test_the_cost_base_at_its_edges():
    assert su.implied_total_cost(0.0, 0.7) == 0.0
    assert su.implied_total_cost(2e8, 1.0) == 2e8
    with pytest.raises(ValueError, match=r"^ad_spend must be 0 or more, got -1\.0$"):
        su.implied_total_cost(-1.0, 0.7)
    for share in (0.0, 1.5):
        with pytest.raises(ValueError, match=r"^ad_share must be in \(0, 1\] to imply a total cost .*, got "):
            su.implied_total_cost(2e8, share)
    assert su.max_share_for_cost(1e8, 0.0) == 1.0
    for ad, other in ((0.0, 5.0), (-1.0, 5.0), (1e8, -1.0)):
        with pytest.raises(ValueError, match=r"^ad_spend must be > 0 and other_cost >= 0$"):
            su.max_share_for_cost(ad, other)


def test_paying_users_at_their_edges():
    assert su.paying_users_needed(1e8, 50.0, 0.5) == 1e6
    assert su.paying_users_needed(1e8, 50.0, 0.0) == 0.0
    with pytest.raises(ValueError, match=r"^price must be greater than 0, got 0\.0$"):
        su.paying_users_needed(1e8, 0.0)
    with pytest.raises(ValueError, match=r"^total_cost must be greater than 0, got 0\.0$"):
        su.paying_users_needed(0.0, 50.0)
    with pytest.raises(ValueError, match=r"^revenue_cost_ratio must be 0 or more, got -1\.0$"):
        su.paying_users_needed(1e8, 50.0, -1.0)


def test_the_ratio_to_a_firm_at_the_alarm_line_at_its_edges():
    assert su.ratio_to_threshold_firm(1.0, 0.3) == 0.0  # all advertising: no sustainable growth
    assert su.ratio_to_threshold_firm(0.0, 0.0) == 1.0
    with pytest.raises(ValueError, match=r"^ad_share must be in \[0, 1\], got 1\.5$"):
        su.ratio_to_threshold_firm(1.5, 0.3)


def test_the_share_of_revenue_reading_checks_and_shapes():
    got = su.rate_share_of_revenue(1e7, 2e7, 5e6)
    assert isinstance(got, float) and got == 0.25
    assert su.rate_share_of_revenue(0.0, 2e7, 5e6) == -0.25  # no revenue at all: the ad spend is all loss
    arr = su.rate_share_of_revenue(np.array([1e7, 2e7]), 2e7, 5e6)
    assert isinstance(arr, np.ndarray) and arr.tolist() == [0.25, 0.75]
    assert su.rate_share_of_revenue(1e7, np.array([2e7, 1e7]), 5e6).tolist() == [0.25, 0.5]
    assert su.rate_share_of_revenue(1e7, 2e7, np.array([5e6, 0.0])).tolist() == [0.25, 0.5]
    with pytest.raises(ValueError, match=r"^total_cost must be greater than 0, got 0\.0$"):
        su.rate_share_of_revenue(1e7, 0.0, 5e6)
    for rev, ad in ((-1.0, 5e6), (1e7, -1.0)):
        with pytest.raises(ValueError, match=r"^paid_revenue and ad_spend must be 0 or more$"):
            su.rate_share_of_revenue(rev, 2e7, ad)
    for i, name in enumerate(("paid_revenue", "total_cost", "ad_spend")):
        args = [1e7, 2e7, 5e6]
        args[i] = "x"
        with pytest.raises(ValueError, match=rf"^{name} must be a number \(or an array of numbers\), got 'x'$"):
            su.rate_share_of_revenue(*args)
        args[i] = math.nan
        with pytest.raises(ValueError, match=rf"^{name} must be finite, got nan$"):
            su.rate_share_of_revenue(*args)


def test_the_frontier_checks_and_shapes():
    assert isinstance(su.required_revenue_cost_ratio(0.7, 0.3), float)
    assert su.required_revenue_cost_ratio(np.array([0.7, 0.35]), 0.3).tolist() == pytest.approx([1.0, 0.5])
    assert su.required_revenue_cost_ratio(0.0, 0.5) == 0.0
    with pytest.raises(ValueError, match=r"^target_rate must be 0 or more, got -0\.1$"):
        su.required_revenue_cost_ratio(-0.1, 0.5)
    with pytest.raises(ValueError, match=r"^target_rate must be a number \(or an array of numbers\), got 'x'$"):
        su.required_revenue_cost_ratio("x", 0.5)
    with pytest.raises(ValueError, match=r"^ad_share must be in \[0, 1\], got 1\.5$"):
        su.frontier_factor(1.5)


@pytest.mark.parametrize("i, name", [(0, "paid_revenue"), (1, "total_cost"), (2, "ad_share")])
def test_the_formula_names_the_input_that_is_not_a_number_and_keeps_its_shape(i, name):
    args = [1e7, 2e7, 0.5]
    args[i] = "x"
    with pytest.raises(ValueError, match=rf"^{name} must be a number \(or an array of numbers\), got 'x'$"):
        su.sustainable_growth_rate(*args)
    args[i] = np.array([[1e7, 2e7, 0.5][i]] * 2)  # an array in any one argument gives an array
    got = su.sustainable_growth_rate(*args)
    assert isinstance(got, np.ndarray) and got.tolist() == [0.25, 0.25]


def test_the_frontier_factor_names_a_share_that_is_not_a_number():
    with pytest.raises(ValueError, match=r"^ad_share must be a number \(or an array of numbers\), got 'x'$"):
        su.frontier_factor("x")


def test_a_small_burn_is_still_a_finite_runway():
    assert su.runway_months(10.0, 0.5) == 20.0


def test_any_revenue_gives_the_share_of_revenue_reading():
    alt = su.alternative_reading(2e8, 0.7, 0.5, 3e8, 2e7, 9e7)  # half a yuan of revenue is revenue
    assert alt.index[-1] == "(c) ad spend ÷ revenue, from the assumed revenue" and alt.iloc[-1]["share"] == 4e8
