"""Property-based tests (Hypothesis) of the rules that turn figures into claims (issue 24, item 2).

What holds for every input, not for a few examples:

* the sustainable-growth rate of article 003 is ``revenue / cost * (1 - share)``: it never rises as the ad
  share rises (it falls whenever there is revenue), and the frontier (the revenue/cost a target rate
  needs) solves the formula back to the target; the cost-base helpers invert each other;
* the decay fit of notebook 01 recovers the monthly rate of a synthetic series (a known log-linear fall
  plus residuals orthogonal to the line) exactly, inside its 95% interval, whose width is the textbook
  t-interval computed here by hand; points before the peak never move it;
* a ranking (notebook 04) does not depend on the order of its rows or values: the ranks derived from a
  list of values and stated ranks are the same for any order, and always contain the true ranks of a
  consistent list; the whole ranking of the frozen fixture data is the same for shuffled observations.

The other invariants of the issue live next to the rules they test: normalise -> format -> read back in
tests/data/test_units_properties.py, merging measurements (order, idempotence) in tests/data/test_measurements.py and
tests/data/test_comparable.py, a failing scenario never strengthening a grade in tests/analysis/test_grading.py.
"""

from __future__ import annotations

import dataclasses
import importlib
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from kimi_research.analysis import decline
from kimi_research.analysis import sustainability as su

# the module, not the function of the same name that kimi_research.analysis.competitors exports
R = importlib.import_module("kimi_research.analysis.competitors.ranking")

PROPS = settings(max_examples=60, deadline=None, database=None)
FEW = settings(max_examples=15, deadline=None, database=None)

shares = st.floats(0.0, 1.0, allow_nan=False)
money = st.floats(1.0, 1e10, allow_nan=False)


# --- the sustainable-growth rate -----------------------------------------------------------------------
@PROPS
@given(money, money, shares, shares)
def test_the_rate_falls_as_the_ad_share_rises(revenue, cost, s1, s2):
    lo, hi = sorted((s1, s2))
    g_lo, g_hi = su.sustainable_growth_rate(revenue, cost, lo), su.sustainable_growth_rate(revenue, cost, hi)
    assert g_lo == pytest.approx(revenue / cost * (1 - lo), rel=1e-12)
    assert g_hi <= g_lo
    if hi > lo + 1e-9:
        assert g_hi < g_lo  # revenue > 0: strictly lower
    assert su.sustainable_growth_rate(revenue, cost, 1.0) == 0.0
    assert su.sustainable_growth_rate(0.0, cost, lo) == 0.0


@PROPS
@given(st.floats(0.0, 5.0), st.floats(0.0, 0.99), money)
def test_the_frontier_solves_the_formula(target, share, cost):
    """Revenue/cost on the frontier of ``target`` at ``share`` gives back ``target`` through the formula."""
    needed = su.required_revenue_cost_ratio(target, share)
    assert needed == pytest.approx(target / (1 - share), rel=1e-12)
    assert su.sustainable_growth_rate(needed * cost, cost, share) == pytest.approx(target, rel=1e-9, abs=1e-12)
    assert su.frontier_factor(share) * (1 - share) == pytest.approx(1.0, rel=1e-12)
    # a little more revenue than the frontier beats the target, a little less misses it
    if target > 1e-9:
        assert su.sustainable_growth_rate(needed * cost * 1.01, cost, share) > target
        assert su.sustainable_growth_rate(needed * cost * 0.99, cost, share) < target


@PROPS
@given(st.lists(st.tuples(money, money, shares), min_size=1, max_size=5))
def test_the_vectorised_formula_is_the_scalar_formula_for_each_element(rows):
    rev, cost, share = (np.array(c) for c in zip(*rows, strict=True))
    got = su.sustainable_growth_rate(rev, cost, share)
    assert isinstance(got, np.ndarray)
    assert got.tolist() == pytest.approx([su.sustainable_growth_rate(*r) for r in rows], rel=1e-12)
    fr = su.frontier_factor(share)
    assert fr.tolist() == pytest.approx([su.frontier_factor(s) for s in share.tolist()], rel=1e-12)


@PROPS
@given(shares, st.floats(0.0, 0.99))
def test_the_ratio_to_a_firm_at_the_alarm_line_is_the_ratio_of_their_rates(share, alarm):
    r = su.ratio_to_threshold_firm(share, alarm)
    assert r == pytest.approx((1 - share) / (1 - alarm), rel=1e-12)
    if abs(share - alarm) > 1e-9:
        assert (r < 1) == (share > alarm)


@PROPS
@given(money, st.floats(0.01, 1.0), money, st.floats(1.0, 500.0), st.floats(0.0, 3.0))
def test_the_cost_base_helpers_invert_each_other(ad_spend, share, other_cost, price, ratio):
    total = su.implied_total_cost(ad_spend, share)
    assert total * share == pytest.approx(ad_spend, rel=1e-12)
    assert su.implied_non_ad_cost(ad_spend, share) == pytest.approx(total - ad_spend, rel=1e-9, abs=1e-6)
    # the largest share whose implied non-advertising cost still covers other_cost: exactly other_cost there
    s_max = su.max_share_for_cost(ad_spend, other_cost)
    assert su.implied_non_ad_cost(ad_spend, s_max) == pytest.approx(other_cost, rel=1e-9, abs=1e-3)
    users = su.paying_users_needed(total, price, ratio)
    assert users * price == pytest.approx(ratio * total, rel=1e-12)


@PROPS
@given(money, money, st.floats(0.0, 1.0))
def test_the_share_of_revenue_reading_is_the_formula_with_that_share(revenue, cost, fraction):
    ad = revenue * fraction  # ad spend up to the whole revenue: share of revenue in [0, 1]
    got = su.rate_share_of_revenue(revenue, cost, ad)
    assert got == pytest.approx(su.sustainable_growth_rate(revenue, cost, ad / revenue), rel=1e-9, abs=1e-15)
    assert got == pytest.approx((revenue - ad) / cost, rel=1e-9, abs=1e-15)


# --- the decay fit -----------------------------------------------------------------------------------
def _rows(values, months) -> pd.DataFrame:
    """Points of one QuestMobile series at ``months`` after 2025-01-01 (as tests/analysis/test_decline.py writes them)."""
    start = pd.Timestamp("2025-01-01")
    mids = [start + pd.Timedelta(days=float(m) * decline.DAYS_PER_MONTH) for m in months]
    return pd.DataFrame(
        {
            "obs_id": [f"x{i}" for i in range(len(values))],
            "base_value": values,
            "period_mid": mids,
            "period_start": mids,
            "period_end": mids,
            "kind": ["point"] * len(values),
            "qualifier": "=",
            "value_text": [f"{v:.6g}" for v in values],
            "period": [f"month {m}" for m in months],
            "series": "questmobile",
            "base_value_high": np.nan,
        }
    ).set_index("obs_id", drop=False)


@st.composite
def decaying_series(draw):
    """A series falling at a known monthly log rate after its peak, with residuals orthogonal to the line."""
    n = draw(st.integers(4, 9))
    gaps = draw(st.lists(st.integers(1, 4), min_size=n - 1, max_size=n - 1))
    t = np.concatenate([[0.0], np.cumsum(gaps)]).astype(float)
    rate = draw(st.floats(-0.6, -0.02))  # log change per month
    level = draw(st.floats(math.log(1e5), math.log(1e8)))
    # t^2 minus its projection on (1, t): orthogonal to the fitted line, so OLS gives the slope back exactly
    X = np.column_stack([np.ones(n), t])
    q = t**2 - X @ np.linalg.lstsq(X, t**2, rcond=None)[0]
    noise = draw(st.floats(0.005, 0.05)) * q / np.abs(q).max()
    y = level + rate * t + noise
    assume(np.argmax(y) == 0 and np.all(np.diff(y) < 0))  # the first point is the peak
    return t, np.exp(y), rate, noise


@PROPS
@given(decaying_series())
def test_the_decay_fit_recovers_the_rate_within_its_interval(series):
    t, values, rate, noise = series
    f = decline.fit_decay(_rows(values, t), "QuestMobile")
    assert f.status == "fit" and f.n == len(t) and f.declining
    assert f.slope == pytest.approx(rate, abs=1e-9)
    lo, hi = f.slope_ci
    assert lo < rate < hi
    # the 95% t-interval by hand: residual variance over n - 2 degrees of freedom
    n = len(t)
    se = math.sqrt((noise**2).sum() / (n - 2) / ((t - t.mean()) ** 2).sum())
    half = stats.t.ppf(0.975, n - 2) * se
    assert (lo, hi) == (pytest.approx(rate - half, abs=1e-9), pytest.approx(rate + half, abs=1e-9))
    assert f.monthly_change == pytest.approx(math.expm1(rate), abs=1e-9)
    assert f.half_life == pytest.approx(math.log(2) / -rate, rel=1e-6)
    hl_lo, hl_hi = f.half_life_ci
    assert hl_lo == pytest.approx(math.log(2) / -lo, rel=1e-9)
    assert hl_hi is None if hi >= 0 else hl_hi == pytest.approx(math.log(2) / -hi, rel=1e-9)
    assert f.t0 == _rows(values, t)["period_mid"].iloc[0]
    assert f.intercept == pytest.approx(math.log(values[0]) - noise[0], abs=1e-9)


@PROPS
@given(decaying_series(), st.integers(1, 3), st.floats(0.1, 0.9))
def test_points_before_the_peak_never_move_the_fit(series, k, below):
    """Growth before the peak is listed as excluded and leaves the rate as it is."""
    t, values, rate, _ = series
    before = [values[0] * below ** (i + 1) for i in range(k)]  # lower than the peak, months before it
    rows = _rows([*before, *values], [*(-1.0 - np.arange(k)), *t])
    f = decline.fit_decay(rows, "QuestMobile")
    assert f.slope == pytest.approx(rate, abs=1e-9) and f.n == len(t)
    assert {o: f.excluded[o] for o in rows.index[:k]} == {
        o: f"before the peak (month {-1.0 - i})" for i, o in enumerate(rows.index[:k])
    }


@FEW
@given(st.floats(-0.6, -0.02))
def test_two_points_give_the_rate_of_their_ratio_and_no_interval(rate):
    f = decline.fit_decay(_rows([1e6, 1e6 * math.exp(rate * 3)], [0, 3]), "QuestMobile")
    assert f.status == "no_ci" and f.slope == pytest.approx(rate, abs=1e-12) and f.slope_ci == (None, None)


# --- rankings ----------------------------------------------------------------------------------------
@st.composite
def consistent_lists(draw):
    """A list of apps with true ranks 1..n: some give a value (in rank order), some a stated rank or bound."""
    n = draw(st.integers(2, 7))
    ents = [f"app{i}" for i in range(n)]  # app{i} has true rank i + 1
    with_value = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    values, v = {}, 1e9
    for e, has in zip(ents, with_value, strict=True):
        v /= draw(st.floats(1.05, 3.0))
        if has:
            values[e] = v
    rank_rows = []
    for i, e in enumerate(ents):
        kind = draw(st.sampled_from(["none", "none", "=", "<=", ">=", "<", ">", "~"]))
        true = i + 1
        stated = {"=": true, "<=": true + draw(st.integers(0, 2)), "<": true + draw(st.integers(1, 2))}.get(kind)
        if kind in (">=", ">"):
            stated = max(true - draw(st.integers(0, 2)) - (kind == ">"), 0 if kind == ">" else 1)
        if kind == "~":
            stated = true + 1
        if kind != "none":
            rank_rows.append({"entity": e, "qualifier": kind, "value": float(stated), "obs_id": f"r{i}"})
    assume(values or rank_rows)
    rows = pd.DataFrame(rank_rows, columns=["entity", "qualifier", "value", "obs_id"])
    return values, rows


@PROPS
@given(consistent_lists(), st.randoms(use_true_random=False))
def test_derived_ranks_do_not_depend_on_row_order_and_contain_the_true_rank(drawn, rnd):
    values, rows = drawn
    got = R.derive_ranks(values, rows)
    keys = list(values)
    rnd.shuffle(keys)
    shuffled = R.derive_ranks({k: values[k] for k in keys}, rows.sample(frac=1, random_state=rnd.randrange(2**32)))
    pd.testing.assert_frame_equal(got.sort_index(), shuffled.sort_index())
    for e, r in got.iterrows():
        true = int(str(e)[3:]) + 1
        assert r["rank_text"] != "inconsistent"
        assert r["lo"] <= true <= r["hi"], (e, r.to_dict())
        if r["rank"] is not None:
            assert r["rank"] == true and r["rank_text"] == str(true)


@PROPS
@given(st.lists(st.floats(1.0, 1e9), min_size=1, max_size=8, unique=True))
def test_values_alone_rank_by_size(vals):
    """With no stated rank, apps are placed by their values: a bound from the position, never an invented rank."""
    values = {f"e{i}": v for i, v in enumerate(vals)}
    got = R.derive_ranks(values, pd.DataFrame(columns=["entity", "qualifier", "value", "obs_id"]))
    order = sorted(values, key=lambda e: -values[e])
    for pos, e in enumerate(order, start=1):
        assert got.at[e, "lo"] == pos  # at least its position among the apps quoted
        assert math.isinf(got.at[e, "hi"]) and got.at[e, "rank"] is None
        assert got.at[e, "rank_text"] == ("not stated" if pos == 1 else f"≥{pos}")


@pytest.fixture(scope="module")
def latest_ranking(ds):
    from kimi_research.analysis import competitors as C

    sel = C.selection("all", C.apps_with_data(ds))
    as_of = C.resolve_as_of(ds, "wau", "latest", sel)
    return sel, as_of, R.ranking(ds, "wau", as_of, sel)


@FEW
@given(st.integers(0, 2**32 - 1))
def test_the_ranking_of_the_frozen_data_is_the_same_for_shuffled_observations(ds, latest_ranking, seed):
    sel, as_of, want = latest_ranking
    shuffled = dataclasses.replace(ds, observations=ds.observations.sample(frac=1, random_state=seed))
    got = R.ranking(shuffled, "wau", as_of, sel)
    pd.testing.assert_frame_equal(got["table"], want["table"])
    assert got["conflicts"] == want["conflicts"] and got["vendor"] == want["vendor"]
