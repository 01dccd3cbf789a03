"""Unit economics and the stock-flow model of notebook 02 on small hand-made inputs (issue 24).

Every expected value is worked out by hand from the rule in the docstring of the function (the arithmetic is in the
comments); the fits are checked against a synthetic path whose churn is known. Each test runs in well under a
second: these are the tests ``tools/mutate.py`` runs first against the mutants of ``analysis/adspend.py``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from kimi_research.analysis import adspend
from kimi_research.errors import DataError

M = pd.Period


def months(first: str, n: int) -> pd.PeriodIndex:
    return pd.period_range(first, periods=n, freq="M")


def targets(groups: list[list[pd.Period]], values: list[float], used: list[bool] | None = None) -> pd.DataFrame:
    """MAU targets as :func:`adspend.mau_targets` returns them: one row per figure, the months it covers."""
    t = pd.DataFrame(
        {
            "entity": "x",
            "metric": "mau",
            "period_start": [g[0].start_time for g in groups],
            "period_end": [g[-1].end_time for g in groups],
            "n_months": [len(g) for g in groups],
            "months": groups,
            "vendor": "v",
            "source_id": "s",
            "used": used if used is not None else [True] * len(groups),
        },
        index=[f"t{i}" for i in range(len(groups))],
    )
    t["base_value"] = values
    return t


# --- unit economics ----------------------------------------------------------------------------------
def test_cost_per_retained_user_is_the_all_in_cpa_over_the_retention():
    assert adspend.cost_per_retained_user(10, 2, 0.5) == 24.0  # (10 + 2) / 0.5
    assert adspend.cost_per_retained_user(0, 3, 1.0) == 3.0  # no ad cost, everyone kept: the compute cost alone
    assert adspend.cost_per_retained_user(6, 0, 1) == 6.0
    out = adspend.cost_per_retained_user(8, 2, 0.25)
    assert type(out) is float and out == 40.0  # a number gives a number
    arr = adspend.cost_per_retained_user(8, 2, [0.5, 1.0, 0.1])
    assert isinstance(arr, np.ndarray) and arr.tolist() == pytest.approx([20.0, 10.0, 100.0])


@pytest.mark.parametrize("retention", [0, -0.1, 1.0001, [0.5, 0.0], [1.0, 2.0]])
def test_cost_per_retained_user_needs_a_retention_in_0_1(retention):
    with pytest.raises(ValueError, match=r"^retention must be in \(0, 1\]$"):
        adspend.cost_per_retained_user(10, 2, retention)


@pytest.mark.parametrize(("cpa", "compute"), [(-1, 0), (0, -0.5), (-1, -1)])
def test_cost_per_retained_user_refuses_a_negative_cost(cpa, compute):
    with pytest.raises(ValueError, match="^costs must not be negative$"):
        adspend.cost_per_retained_user(cpa, compute, 0.5)


def test_daily_burn_is_a_month_over_30_and_over_31_days():
    assert adspend.daily_burn_per_month(9.3e6) == (310_000.0, 300_000.0)
    assert adspend.daily_burn_per_month(0.0) == (0.0, 0.0)


def test_users_per_budget_is_the_budget_over_the_cpa():
    assert adspend.users_per_budget(1e8, 8) == 12_500_000.0
    assert adspend.users_per_budget(30, 0.5) == 60.0
    for cpa in (0, -2):
        with pytest.raises(ValueError, match="^cpa must be positive$"):
            adspend.users_per_budget(1e8, cpa)


def test_cpa_per_month_fills_a_path_from_its_nearest_month():
    idx = months("2024-01", 5)
    path = pd.Series([10.0, 20.0], index=pd.PeriodIndex([M("2024-02"), M("2024-04")]))
    # reindexed: [-, 10, -, 20, -]; forward fill: [-, 10, 10, 20, 20]; back fill the first: [10, 10, 10, 20, 20]
    assert adspend.cpa_per_month(path, idx).tolist() == [10.0, 10.0, 10.0, 20.0, 20.0]
    assert adspend.cpa_per_month(7, idx[:3]).tolist() == [7.0, 7.0, 7.0]
    assert adspend.cpa_per_month(0.5, idx[:2]).tolist() == [0.5, 0.5]  # half a yuan a user is still a cost


@pytest.mark.parametrize(
    ("cpa", "n"),
    [(0, 3), (-1.0, 3), (5.0, 0), ("path with a zero", 3), ("path with a negative", 3)],
)
def test_cpa_per_month_must_be_positive_every_month(cpa, n):
    idx = months("2024-01", n)
    if cpa == "path with a zero":
        cpa = pd.Series([4.0, 0.0, 4.0], index=idx)
    elif cpa == "path with a negative":
        cpa = pd.Series([4.0, 4.0, -4.0], index=idx)
    with pytest.raises(ValueError, match="^cpa must be positive$"):
        adspend.cpa_per_month(cpa, idx)


# --- the stock-flow model ----------------------------------------------------------------------------
def test_simulate_a_three_month_path_by_hand():
    idx = months("2024-01", 3)
    u = adspend.simulate(pd.Series([100.0, 200.0, 0.0], index=idx), 10, 0.25, start_users=4)
    # bought 10, 20, 0; month 1: 0.75 * 4 + 10 = 13; month 2: 0.75 * 13 + 20 = 29.75; month 3: 0.75 * 29.75 = 22.3125
    assert u.tolist() == [13.0, 29.75, 22.3125]
    assert u.name == "users" and u.index.equals(idx)
    # no churn: every user stays
    assert adspend.simulate(pd.Series([100.0, 200.0, 0.0], index=idx), 10, 0.0).tolist() == [10.0, 30.0, 30.0]


def test_simulate_with_a_cpa_path():
    idx = months("2024-01", 3)
    cpa = pd.Series([10.0, 20.0, 20.0], index=idx)
    u = adspend.simulate(pd.Series([100.0, 200.0, 100.0], index=idx), cpa, 0.5)
    # bought 10, 10, 5; 10; 0.5 * 10 + 10 = 15; 0.5 * 15 + 5 = 12.5
    assert u.tolist() == [10.0, 15.0, 12.5]


def test_simulate_an_empty_path():
    u = adspend.simulate(pd.Series([], dtype=float, index=months("2024-01", 0)), 10, 0.2)
    assert u.empty and u.name == "users"


def test_simulate_the_cohort_model_by_hand():
    idx = months("2024-01", 3)
    spend = pd.Series([100.0, 200.0, 0.0], index=idx)
    # a share 0.5 of a month's new users is there the month after, then a churn of 0.25 a month:
    # 10; 0.5 * 10 + 20 = 25; 0.75 * 5 + 0.5 * 20 = 13.75
    assert adspend.simulate(spend, 10, 0.25, first_month_retention=0.5).tolist() == [10.0, 25.0, 13.75]
    # every new user kept a month: 10; 10 + 20 = 30; 0.75 * 10 + 20 = 27.5
    assert adspend.simulate(spend, 10, 0.25, first_month_retention=1.0).tolist() == [10.0, 30.0, 27.5]
    # none kept: only the month's own new users
    assert adspend.simulate(spend, 10, 0.25, first_month_retention=0.0).tolist() == [10.0, 20.0, 0.0]


def test_simulate_with_an_organic_inflow_by_hand():
    idx = months("2024-01", 2)
    # 10 bought + 5 organic = 15; 0.5 * 15 + 0 + 5 = 12.5
    assert adspend.simulate(pd.Series([100.0, 0.0], index=idx), 10, 0.5, organic=5).tolist() == [15.0, 12.5]


def test_simulate_with_saturation_by_hand():
    idx = months("2024-01", 2)
    u = adspend.simulate(pd.Series([1000.0, 0.0], index=idx), 10, 0.5, saturation_users=100)
    # room 100, bought 100: 100 * (1 - e^-1) = 63.212...; then half of it stays and nothing is bought
    first = 100 * (1 - math.exp(-1))
    assert u.tolist() == pytest.approx([first, first / 2], rel=1e-12)
    # a full market: the 100 kept from the start fill it, spend buys nobody (room 0, no division by it)
    full = adspend.simulate(pd.Series([1000.0], index=idx[:1]), 10, 0.5, start_users=200, saturation_users=100)
    assert full.tolist() == [100.0]
    # a market of one user: room 1, at most 1 - e^-100 of it bought
    one = adspend.simulate(pd.Series([1000.0], index=idx[:1]), 10, 0.5, saturation_users=1.0)
    assert one.tolist() == pytest.approx([1.0]) and one.iloc[0] <= 1.0
    half = adspend.simulate(pd.Series([5.0], index=idx[:1]), 10, 0.5, saturation_users=0.5)
    assert half.tolist() == pytest.approx([0.5 * (1 - math.exp(-1))])  # bought 0.5 against room 0.5
    # more kept than the market: no room, no negative purchase
    over = adspend.simulate(pd.Series([1000.0], index=idx[:1]), 10, 0.0, start_users=150, saturation_users=100)
    assert over.tolist() == [150.0]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"churn": 1.0}, r"^churn must be in \[0, 1\), got 1.0$"),
        ({"churn": -0.1}, r"^churn must be in \[0, 1\), got -0.1$"),
        ({"first_month_retention": 1.5}, r"^first_month_retention must be in \[0, 1\], got 1.5$"),
        ({"first_month_retention": -0.5}, r"^first_month_retention must be in \[0, 1\], got -0.5$"),
        ({"organic": -1.0}, "^organic inflow must not be negative$"),
        ({"saturation_users": 0.0}, "^saturation_users must be positive$"),
        ({"saturation_users": -5.0}, "^saturation_users must be positive$"),
    ],
)
def test_simulate_refuses_impossible_options(kw, message):
    kw = {"churn": 0.2} | kw
    churn = kw.pop("churn")
    with pytest.raises(ValueError, match=message):
        adspend.simulate(pd.Series([100.0, 0.0], index=months("2024-01", 2)), 10, churn, **kw)


def test_model_at_targets_is_the_month_or_the_mean_of_its_months():
    idx = months("2024-01", 4)
    users = pd.Series([1.0, 2.0, 3.0, 4.0], index=idx)
    t = targets([[idx[0]], [idx[1]], list(idx[1:4])], [0, 0, 0])
    assert adspend.model_at_targets(users, t).tolist() == [1.0, 2.0, 3.0]  # (2 + 3 + 4) / 3
    # months with a gap: looked up by label
    gap = pd.Series([1.0, 3.0, 4.0], index=pd.PeriodIndex([M("2024-01"), M("2024-03"), M("2024-04")]))
    t = targets([[M("2024-03")], [M("2024-03"), M("2024-04")], [M("2024-01")]], [0, 0, 0])
    assert adspend.model_at_targets(gap, t).tolist() == [3.0, 3.5, 1.0]


@pytest.mark.parametrize("month", ["2023-12", "2024-05", "2025-01"])
def test_model_at_targets_refuses_a_month_outside_the_model(month):
    users = pd.Series([1.0, 2.0, 3.0, 4.0], index=months("2024-01", 4))
    with pytest.raises(DataError) as e:
        adspend.model_at_targets(users, targets([[M("2024-02")], [M(month)]], [0, 0]))
    assert str(e.value) == f"data/observations.csv: MAU observed in {month}, outside the modelled months 2024-01-2024-04"
    # two months three apart: looked up by label, not by position
    apart = pd.Series([1.0, 4.0], index=pd.PeriodIndex([M("2024-01"), M("2024-04")]))
    assert adspend.model_at_targets(apart, targets([[M("2024-04")]], [0])).tolist() == [4.0]
    gap = pd.Series([1.0, 3.0], index=pd.PeriodIndex([M("2024-01"), M("2024-03")]))
    with pytest.raises(DataError, match="MAU observed in 2024-02, outside the modelled months 2024-01-2024-03"):
        adspend.model_at_targets(gap, targets([[M("2024-02")]], [0]))


def test_half_life_of_a_cohort():
    assert adspend.half_life(0.5) == 1.0  # half gone in one month
    assert adspend.half_life(0.75) == pytest.approx(0.5)  # a quarter left after a month: half after half a month
    assert adspend.half_life(0.1) == pytest.approx(math.log(2) / -math.log(0.9), rel=1e-12)  # 6.579 months
    assert round(adspend.half_life(0.1), 3) == 6.579
    assert adspend.half_life(0.0) == math.inf and adspend.half_life(-0.2) == math.inf  # nobody leaves
    assert adspend.half_life(1.0) == 0.0 and adspend.half_life(1.5) == 0.0  # everybody gone at once
    assert adspend.half_life(1e-20) == pytest.approx(math.log(2) * 1e20)  # finite, though 1 - 1e-20 == 1


# --- the fit ------------------------------------------------------------------------------------------
def test_residuals_are_log_model_minus_log_target():
    idx = months("2024-01", 2)
    spend = pd.Series([100.0, 0.0], index=idx)
    t = targets([[idx[0]], [idx[1]]], [10.0, 10.0])
    # users 10, 5 against 10, 10
    assert adspend._residuals(0.5, spend, 10, t).tolist() == pytest.approx([0.0, math.log(0.5)], abs=1e-15)
    # the model's options reach the model: 15, 12.5 with 5 organic users a month
    assert adspend._residuals(0.5, spend, 10, t, organic=5).tolist() == pytest.approx([math.log(1.5), math.log(1.25)])


SPEND = pd.Series([5e7, 1e7, 1e7, 2e8, 0, 0, 0, 0, 0, 0, 0, 0], index=months("2024-01", 12), dtype=float)


def exact_targets(churn: float, **opts) -> pd.DataFrame:
    """Three figures (a month and two quarters) read off the model itself at ``churn``."""
    idx = SPEND.index
    truth = adspend.simulate(SPEND, 10, churn, **opts)
    groups = [[idx[4]], list(idx[6:9]), list(idx[9:12])]
    return targets(groups, [truth.loc[g].mean() for g in groups])


@pytest.mark.parametrize("churn", [0.05, 0.3, 0.6])
def test_least_squares_recovers_a_known_churn(churn):
    res = adspend._least_squares(SPEND, 10, exact_targets(churn))
    assert res.x[0] == pytest.approx(churn, abs=1e-8)
    assert np.abs(res.fun).max() < 1e-8


def test_least_squares_passes_the_model_options_on():
    t = exact_targets(0.3, organic=2e6)
    assert adspend._least_squares(SPEND, 10, t, organic=2e6).x[0] == pytest.approx(0.3, abs=1e-8)
    assert adspend._least_squares(SPEND, 10, t).x[0] != pytest.approx(0.3, abs=1e-3)  # without them: another churn
    fit = adspend.fit_churn(SPEND, 10, t, organic=2e6)  # the profile and the refits too are the model with its options
    assert fit.jackknife["churn"].tolist() == pytest.approx([0.3] * 3, abs=1e-8)
    assert fit.churn == pytest.approx(0.3, abs=1e-8) and fit.profile.set_index("churn").at[0.3, "sse"] == pytest.approx(
        0, abs=1e-20
    )
    assert fit.table["model"].tolist() == pytest.approx(t["base_value"].tolist(), rel=1e-9)


def test_fit_churn_on_an_exact_path():
    t = exact_targets(0.3)
    t.loc["unused"] = t.loc["t0"]
    t.loc["unused", ["base_value", "used"]] = [1.0, False]  # a figure not used: never fitted, never counted
    fit = adspend.fit_churn(SPEND, 10, t)
    assert fit.fitted and fit.churn == pytest.approx(0.3, abs=1e-8)
    assert (fit.n, fit.dof, fit.level) == (3, 2, 0.95)
    assert fit.sse == pytest.approx(0, abs=1e-14) and list(fit.table.index) == ["t0", "t1", "t2"]
    # the profile: every churn of 0, 0.001, ..., 0.998, its SSE zero at the truth
    assert len(fit.profile) == 999 and fit.profile["churn"].iloc[[0, 1, -1]].tolist() == [0.0, 0.001, 0.998]
    assert fit.profile.set_index("churn").at[0.3, "sse"] == pytest.approx(0, abs=1e-20)
    # leave one out: each refit finds the truth again
    assert fit.jackknife["left_out"].tolist() == ["t0", "t1", "t2"]
    assert fit.jackknife["churn"].tolist() == pytest.approx([0.3] * 3, abs=1e-8)
    assert fit.jackknife["half_life_months"].tolist() == pytest.approx([math.log(0.5) / math.log(0.7)] * 3, rel=1e-6)
    assert fit.ci_profile[0] <= 0.3 <= fit.ci_profile[1] and fit.ci_profile[1] - fit.ci_profile[0] < 0.002


def test_fit_churn_at_a_given_churn_by_hand():
    idx = months("2024-01", 3)
    spend = pd.Series([100.0, 0.0, 0.0], index=idx)
    # at churn 0.5 the users are 10, 5, 2.5: the model is 10 for the first month and 3.75 for the last two
    t = targets([[idx[0]], list(idx[1:3])], [8.0, 5.0])
    fit = adspend.fit_churn(spend, 10, t, churn=0.5, level=0.9)
    assert not fit.fitted and fit.churn == 0.5 and (fit.n, fit.dof, fit.level) == (2, 1, 0.9)
    assert (fit.se, fit.ci_curvature, fit.ci_profile) == (None, None, None) and fit.jackknife.empty
    assert fit.table["model"].tolist() == [10.0, 3.75]
    assert fit.table["relative_error"].tolist() == pytest.approx([0.25, -0.25])  # 10 / 8 - 1, 3.75 / 5 - 1
    assert fit.table["log_residual"].tolist() == pytest.approx([math.log(1.25), math.log(0.75)])
    assert fit.sse == pytest.approx(math.log(1.25) ** 2 + math.log(0.75) ** 2)
    assert list(fit.table.columns) == [
        "entity",
        "metric",
        "period_start",
        "period_end",
        "n_months",
        "base_value",
        "vendor",
        "source_id",
        "model",
        "log_residual",
        "relative_error",
    ]


def test_fit_churn_with_one_or_two_figures():
    idx = months("2024-01", 3)
    spend = pd.Series([100.0, 0.0, 0.0], index=idx)
    one = adspend.fit_churn(spend, 10, targets([[idx[1]]], [6.0]))  # 10 * (1 - c) = 6: c = 0.4
    assert one.fitted and one.churn == pytest.approx(0.4, abs=1e-8) and one.dof == 0
    assert (one.se, one.ci_curvature, one.ci_profile) == (None, None, None) and one.jackknife.empty
    two = adspend.fit_churn(spend, 10, targets([[idx[1]], [idx[2]]], [6.0, 3.6]))  # 6 and 3.6: c = 0.4 again
    assert two.churn == pytest.approx(0.4, abs=1e-8) and two.dof == 1
    assert two.jackknife.empty  # no leave-one-out refit of two figures
    assert two.se is not None and two.ci_curvature is not None and two.ci_profile is not None  # one degree of freedom
    with pytest.raises(DataError, match="^data/observations.csv: no MAU observation left to fit the model to$"):
        adspend.fit_churn(spend, 10, targets([[idx[1]]], [6.0], used=[False]))


def sse_at(c: float, spend, t) -> float:
    users = adspend.simulate(spend, 10, c)
    model = np.array([users.loc[g].mean() for g in t["months"]])
    return float(np.sum((np.log(model) - np.log(t["base_value"].to_numpy())) ** 2))


def test_fit_churn_intervals_on_a_noisy_path():
    level = 0.8
    t = exact_targets(0.3)
    t["base_value"] *= [1.1, 0.92, 1.05]  # noise of a few percent
    fit = adspend.fit_churn(SPEND, 10, t, level=level)
    c, dof = fit.churn, 2
    # the optimum: the SSE is lower there than a step either side, and the fit's SSE is that SSE
    assert sse_at(c, SPEND, t) < min(sse_at(c - 1e-4, SPEND, t), sse_at(c + 1e-4, SPEND, t))
    # to the precision of another minimiser (Brent's on the SSE itself): 0.298669 a month
    brent = optimize.minimize_scalar(lambda x: sse_at(x, SPEND, t), bounds=(0.1, 0.5), method="bounded", options={"xatol": 1e-12})
    assert c == pytest.approx(brent.x, abs=1e-8) and round(c, 6) == 0.298669
    assert fit.sse == pytest.approx(sse_at(c, SPEND, t), rel=1e-9)
    # the curvature interval: se = sqrt(SSE / dof / J'J), J the derivative of the residuals (central differences)
    h = 1e-6
    jac = np.array(
        [
            (
                math.log(adspend.simulate(SPEND, 10, c + h).loc[g].mean())
                - math.log(adspend.simulate(SPEND, 10, c - h).loc[g].mean())
            )
            / (2 * h)
            for g in t["months"]
        ]
    )
    se = math.sqrt(fit.sse / dof / float(jac @ jac))
    assert fit.se == pytest.approx(se, rel=1e-4)
    q = stats.t.ppf(0.5 + level / 2, dof)
    assert fit.ci_curvature == pytest.approx((c - q * se, c + q * se), rel=1e-4)
    # the profile interval: the grid points around the optimum whose SSE is within the F threshold
    thresh = fit.sse * (1 + stats.f.ppf(level, 1, dof) / dof)
    lo, hi = fit.ci_profile
    assert lo < c < hi
    assert sse_at(lo, SPEND, t) <= thresh and sse_at(hi, SPEND, t) <= thresh
    assert sse_at(round(lo - 0.001, 3), SPEND, t) > thresh and sse_at(round(hi + 0.001, 3), SPEND, t) > thresh
    assert round(lo * 1000) == pytest.approx(lo * 1000, abs=1e-9) and round(hi * 1000) == pytest.approx(hi * 1000, abs=1e-9)


def test_fit_churn_curvature_interval_stays_inside_0_and_the_largest_churn():
    idx = months("2024-01", 4)
    spend = pd.Series([100.0, 0.0, 0.0, 0.0], index=idx)
    # a slow fall with much noise: the interval would reach below 0
    t = targets([[idx[1]], [idx[2]], [idx[3]]], [10.0, 7.0, 10.5])
    fit = adspend.fit_churn(spend, 10, t)
    assert fit.se is not None and fit.churn - 4.303 * fit.se < 0  # t(0.975; 2) = 4.303
    assert fit.ci_curvature[0] == 0.0 and fit.ci_curvature[1] == pytest.approx(fit.churn + stats.t.ppf(0.975, 2) * fit.se)
    assert fit.ci_profile[0] == 0.0  # the profile run reaches the first grid point
    check_profile(fit, spend, t)
    # a steep fall with much noise: the interval would reach above the largest churn the fit allows
    t = targets([[idx[1]], [idx[2]], [idx[3]]], [0.5, 0.002, 0.0002])
    fit = adspend.fit_churn(spend, 10, t)
    assert fit.churn + stats.t.ppf(0.975, 2) * fit.se > adspend.CHURN_MAX
    assert fit.ci_curvature[1] == adspend.CHURN_MAX
    check_profile(fit, spend, t)


def test_figures_the_churn_cannot_move_give_no_curvature_interval():
    idx = months("2024-01", 3)
    spend = pd.Series([100.0, 0.0, 0.0], index=idx)
    # two figures for the first month: its users are the month's purchases whatever the churn (10), so the
    # residuals do not depend on the churn (J'J = 0): no curvature interval, and every churn of the grid is as good
    fit = adspend.fit_churn(spend, 10, targets([[idx[0]], [idx[0]]], [8.0, 12.5]))
    assert fit.dof == 1 and fit.se is None and fit.ci_curvature is None
    assert fit.ci_profile == (0.0, 0.998)
    assert fit.sse == pytest.approx(math.log(10 / 8) ** 2 + math.log(10 / 12.5) ** 2)
    # the same with figures the model meets exactly: SSE 0 everywhere, every churn of the grid within it
    exact = adspend.fit_churn(spend, 10, targets([[idx[0]], [idx[0]]], [10.0, 10.0]))
    assert exact.sse == 0.0 and exact.ci_profile == (0.0, 0.998)


def test_the_curvature_interval_of_a_shallow_slope_by_hand():
    idx = months("2024-01", 2)
    spend = pd.Series([100.0, 0.0], index=idx)
    # two figures (8 and 9) for the average of both months, 10 * (2 - c) / 2: the fit meets their geometric mean,
    # 5 (2 - c) = sqrt(72); each log residual moves by -1 / (2 - c) per unit of churn, so J'J = 2 / (2 - c)^2 < 1
    fit = adspend.fit_churn(spend, 10, targets([list(idx), list(idx)], [8.0, 9.0]))
    c = 2 - math.sqrt(72) / 5
    assert fit.churn == pytest.approx(c, abs=1e-9)
    sse = 2 * (math.log(9 / 8) / 2) ** 2
    jtj = 2 / (2 - c) ** 2
    assert jtj < 1 and fit.sse == pytest.approx(sse, rel=1e-9)
    assert fit.se == pytest.approx(math.sqrt(sse / 1 / jtj), rel=1e-5)
    check_profile(fit, spend, targets([list(idx), list(idx)], [8.0, 9.0]))


def check_profile(fit, spend, t) -> None:
    """The profile interval is the run of grid points around the optimum whose SSE is within the F threshold."""
    thresh = fit.sse * (1 + stats.f.ppf(fit.level, 1, fit.dof) / fit.dof)
    lo, hi = fit.ci_profile
    inside = [c for c in (lo, hi) if c != fit.churn]
    assert all(sse_at(c, spend, t) <= thresh for c in inside)
    if lo > 0:
        assert sse_at(round(lo - 0.001, 3), spend, t) > thresh
    if hi < 0.998:
        assert sse_at(round(hi + 0.001, 3), spend, t) > thresh
