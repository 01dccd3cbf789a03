"""The decay fit of notebook 01 on small hand-made series (issue 24): what each rule of
``analysis/decline/fit.py``, ``common.py`` and ``legacy.py`` computes, pinned by values worked out by hand.

The least-squares line, its t-interval, R² and the intervals of a prediction are computed here from the textbook
formulas of simple regression (not from statsmodels, which the module uses); everything else is arithmetic written
in the comments. No dataset: each test runs in milliseconds (these are the tests ``tools/mutate.py`` runs first).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from kimi_research.analysis import decline
from kimi_research.analysis.decline import common, fit, legacy
from kimi_research.errors import ParameterError

T0 = pd.Timestamp("2025-01-01")
DPM = 365.25 / 12  # days in a month


def at(t: float) -> pd.Timestamp:
    return T0 + pd.Timedelta(days=t * DPM)


def pts(values, t, kinds=None, qualifier="=") -> pd.DataFrame:
    """Point-dated rows (start = end = mid) at months ``t`` after 2025-01-01, as fit_decay reads them."""
    mids = [at(x) for x in t]
    n = len(values)
    return pd.DataFrame(
        {
            "obs_id": [f"x{i}" for i in range(n)],
            "base_value": [float(v) for v in values],
            "base_value_high": np.nan,
            "period_mid": mids,
            "period_start": mids,
            "period_end": mids,
            "period_months": 0.0,
            "kind": kinds or ["point"] * n,
            "qualifier": qualifier,
            "period": [f"m{x:g}" for x in t],
            "series": "questmobile",
        },
        index=[f"x{i}" for i in range(n)],
    )


def period_row(oid, start, end, value, qualifier="=", vendor="questmobile", **kw) -> dict:
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    return {
        "obs_id": oid,
        "base_value": float(value),
        "base_value_high": np.nan,
        "period_start": s,
        "period_end": e,
        "period_mid": s + (e - s) / 2,
        "period_months": float(round((e - s).days / DPM)),
        "qualifier": qualifier,
        "kind": common.point_kind(qualifier),
        "vendor": vendor,
        "series": vendor,
        **kw,
    }


def frame(*rows: dict) -> pd.DataFrame:
    df = pd.DataFrame(list(rows)).set_index("obs_id", drop=False)
    df.index.name = None
    df["period"] = [common.week_or_period_label(r) for _, r in df.iterrows()] if len(df) else []
    return df


def ols(t, y):
    """Simple regression by its formulas: slope, intercept, slope's standard error, residual sd, R², t̄, Sxx."""
    t, y = np.asarray(t, float), np.asarray(y, float)
    n, tb, yb = len(t), t.mean(), y.mean()
    sxx = ((t - tb) ** 2).sum()
    b = ((t - tb) * (y - yb)).sum() / sxx
    a = yb - b * tb
    rss = ((y - a - b * t) ** 2).sum()
    s = math.sqrt(rss / (n - 2)) if n > 2 else float("nan")
    r2 = 1 - rss / ((y - yb) ** 2).sum()
    return b, a, s / math.sqrt(sxx), s, r2, tb, sxx


T4, V4 = [0, 2, 4, 6], [1000, 800, 700, 500]


# --- common.py: the vocabulary ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("qualifier", "kind"),
    [("=", "point"), ("~", "point"), (">", "lower bound"), (">=", "lower bound"), ("<", "upper bound"), ("<=", "upper bound")]
    + [("range", "range"), ("?", "range")],
)
def test_point_kind(qualifier, kind):
    assert common.point_kind(qualifier) == kind


def test_months_between_counts_months_of_365_25_over_12_days():
    assert common.months_between(T0, T0 + pd.Timedelta(days=30.4375)) == 1.0
    assert common.months_between(T0, pd.Timestamp("2026-01-01 06:00")) == 12.0  # 365.25 days
    assert common.months_between(pd.Timestamp("2026-01-01 06:00"), T0) == -12.0
    out = common.months_between(T0, pd.Series([T0, at(3), pd.Timestamp("2025-01-16")]))
    assert isinstance(out, np.ndarray) and out.tolist() == pytest.approx([0.0, 3.0, 15 / 30.4375], abs=1e-12)


def test_window_of_the_parameters():
    assert common.window("", "") == (None, None)
    assert common.window("2025-01-01", "") == (pd.Timestamp("2025-01-01"), None)
    assert common.window("", "2025-06-30") == (None, pd.Timestamp("2025-06-30"))
    assert common.window("2025-03-01", "2025-03-01") == (pd.Timestamp("2025-03-01"),) * 2  # one day is a window
    with pytest.raises(ParameterError) as e:
        common.window("2025-03-02", "2025-03-01")
    assert str(e.value) == (
        "invalid parameters for 01_user_decline:\n"
        "- parameters 'start' = '2025-03-02' and 'end' = '2025-03-01': start is after end"
    )


def test_in_window_keeps_both_days():
    rows = pts([1, 2, 3, 4], [0, 1, 2, 3])  # 2025-01-01, 01-31 10:30, 03-02 21:00, 04-02 07:30
    assert list(common.in_window(rows, pd.Timestamp("2025-01-01"), pd.Timestamp("2025-03-02")).index) == ["x0", "x1", "x2"]
    assert list(common.in_window(rows, pd.Timestamp("2025-01-02"), None).index) == ["x1", "x2", "x3"]
    assert list(common.in_window(rows).index) == ["x0", "x1", "x2", "x3"]


def test_with_kind_names_the_bound_and_the_period():
    rows = frame(
        period_row("a", "2025-01-01", "2025-01-31", 5e6),
        period_row("b", "2025-12-08", "2025-12-14", 4e6),
        period_row("c", "2025-04-01", "2025-06-30", 3e6),
    ).drop(columns=["kind", "period", "obs_id"])
    rows["bound"] = ["point", "lower", "strange"]
    out = common.with_kind(rows)
    assert out["kind"].tolist() == ["point", "lower bound", "point"]  # an unknown bound reads as a point
    assert out["period"].tolist() == ["2025-01", "week of 2025-12-08", "2025 Q2"]
    assert out["obs_id"].tolist() == ["a", "b", "c"]
    assert "kind" not in rows.columns  # a copy
    rows["bound"] = ["upper", "range", "point"]
    assert common.with_kind(rows)["kind"].tolist() == ["upper bound", "range", "point"]
    assert common.with_kind(rows.drop(columns="bound"))["kind"].tolist() == ["point"] * 3
    empty = common.with_kind(rows.iloc[:0])
    assert empty.empty and "period" not in empty.columns and "obs_id" in empty.columns


# --- legacy.py: the rows and the peak ----------------------------------------------------------------
def test_peak_latest_of_hand_made_rows():
    rows = pts([600, 1000, 800, 2000, 500], [0, 2, 4, 5, 7], kinds=["point", "point", "point", "lower bound", "point"])
    p = legacy.peak_latest(rows)
    # the bound (2000) is no peak; peak 1000 at month 2, latest 500 at month 7: -50% in 5 months
    assert (p["n_rows"], p["n_points"], p["n_bounds"]) == (5, 4, 1)
    assert (p["peak_obs"], p["peak_value"], p["peak_period"], p["peak_date"]) == ("x1", 1000.0, "m2", at(2))
    assert (p["latest_obs"], p["latest_value"], p["latest_period"], p["latest_date"]) == ("x4", 500.0, "m7", at(7))
    assert p["peak_series"] == p["latest_series"] == "questmobile"
    assert p["peak_to_latest_change"] == -0.5 and p["months_since_peak"] == pytest.approx(5.0, abs=1e-12)
    assert type(p["peak_value"]) is float and type(p["latest_value"]) is float


def test_peak_latest_ties_take_the_earliest_and_one_point_has_no_change():
    tied = legacy.peak_latest(pts([900, 1000, 1000, 700], [0, 1, 3, 6]))
    assert tied["peak_obs"] == "x1" and tied["peak_date"] == at(1)
    assert tied["peak_to_latest_change"] == pytest.approx(-0.3)
    one = legacy.peak_latest(pts([1000, 3000], [0, 1], kinds=["point", "upper bound"]))
    assert one["peak_obs"] == one["latest_obs"] == "x0"
    assert one["peak_to_latest_change"] is None and one["months_since_peak"] is None
    none = legacy.peak_latest(pts([3000], [1], kinds=["lower bound"]))
    assert none == {"n_rows": 1, "n_points": 0, "n_bounds": 1} | dict.fromkeys(legacy.PEAK_KEYS)


def test_prepare_names_series_kind_and_period_in_time_order():
    rows = frame(
        period_row("q", "2025-04-01", "2025-06-30", 3e6, vendor=None),
        period_row("m", "2025-05-01", "2025-05-31", 4e6, qualifier=">="),
        period_row("w", "2025-05-12", "2025-05-18", 2e6, vendor=""),
        period_row("j", "2025-01-01", "2025-01-31", 5e6, qualifier="~"),
    ).drop(columns=["series", "kind", "period"])
    r = legacy._prepare(rows)
    # by period midpoint: January (16th), the week (15 May), then May and Q2 (both 16 May: the earlier end first)
    assert list(r.index) == ["j", "w", "m", "q"]
    assert r["series"].tolist() == ["questmobile", "none", "questmobile", "none"]
    assert r["kind"].tolist() == ["point", "point", "lower bound", "point"]
    assert r["period"].tolist() == ["2025-01", "week of 2025-05-12", "2025-05", "2025 Q2"]
    same_mid = frame(
        period_row("b", "2025-01-01", "2025-01-31", 1),
        period_row("a", "2025-01-11", "2025-01-21", 1),
        period_row("c", "2025-01-16", "2025-01-16", 1),
    ).drop(columns=["series", "kind", "period"])
    # one midpoint (16 January): the earlier end first, ties by obs id
    assert list(legacy._prepare(same_mid).index) == ["c", "a", "b"]
    empty = legacy._prepare(same_mid.iloc[:0])
    assert empty.empty and {"series", "kind", "period"} <= set(empty.columns)
    assert empty["period"].dtype == pd.Series(dtype=str).dtype  # text, as for rows


def test_placeable_names_why_a_row_is_left_out():
    rows = frame(
        period_row("ok", "2025-01-01", "2025-01-31", 5e6, value_kind="period_value", measurement="ok"),
        period_row("cum", "2025-01-01", "2025-01-31", 9e6, value_kind="growth_rate", measurement="cum"),
        period_row("dup", "2025-01-01", "2025-01-31", 5e6, value_kind="period_value", measurement="ok"),
        period_row("q", "2025-01-01", "2025-03-31", 5e6, value_kind="period_value", measurement="ok"),
    )
    rows.loc["undated", :] = rows.loc["ok"]
    rows.loc["undated", ["period_start", "obs_id", "measurement"]] = [pd.NaT, "undated", "undated"]
    kept, out = legacy.placeable(rows)
    assert list(kept.index) == ["ok", "q"]  # the quarter is another period: kept, the fit counts it once
    assert out == {
        "undated": "undated: cannot be placed on a time axis",
        "cum": "value_kind growth_rate: not a level",
        "dup": "the same measurement as ok (another source quoting it): counted once",
    }
    plain, none_out = legacy.placeable(rows.loc[["ok", "dup"]].drop(columns=["value_kind", "measurement"]))
    assert list(plain.index) == ["ok", "dup"] and none_out == {}


def test_resolve_vendor_auto_and_named():
    def r(series, kind, t):
        return {"series": series, "kind": kind, "period_mid": at(t)}

    rows = pd.DataFrame(
        [r("a", "point", 0), r("a", "point", 1), r("b", "point", 2), r("b", "point", 3), r("b", "lower bound", 4)]
        + [r("none:s1", "point", 5), r("none:s1", "point", 6), r("none:s1", "lower bound", 7)]
    )
    # b and none:s1: two points, three rows each; a named firm first
    assert legacy.resolve_vendor(rows, "auto") == "b"
    assert legacy.resolve_vendor(rows.iloc[:4], "auto") == "b"  # a tie on points and rows: the latest data
    assert legacy.resolve_vendor(rows[rows["series"] != "b"], "auto") == "none:s1"  # more rows than a
    assert legacy.resolve_vendor(pd.DataFrame([r("d", "point", 0), r("c", "point", 0)]), "auto") == "c"  # then by name
    # points before rows: three points beat one point and four bounds
    more_rows = [r("p", "point", t) for t in (0, 1, 2)] + [r("q", "point", 0)] + [r("q", "lower bound", t) for t in (1, 2, 3, 4)]
    assert legacy.resolve_vendor(pd.DataFrame(more_rows), "auto") == "p"
    assert legacy.resolve_vendor(rows, "a") == "a" and legacy.resolve_vendor(rows, "all") == "all"
    with pytest.raises(ParameterError) as e:
        legacy.resolve_vendor(rows, "zz")
    assert str(e.value) == (
        "invalid parameters for 01_user_decline:\n- parameter 'vendor' = 'zz': no rows from this vendor in the "
        "window; vendors in the window: a, b, none:s1"
    )


# --- fit.py: the decay fit ---------------------------------------------------------------------------
def test_fit_decay_by_the_formulas_of_simple_regression():
    f = fit.fit_decay(pts(V4, T4), "QM")
    b, a, se, _, r2, _, _ = ols(T4, np.log(V4))
    assert (f.label, f.status, f.why_not, f.n, f.n_dates, f.t0) == ("QM", "fit", "", 4, 4, T0)
    assert f.slope == pytest.approx(b, abs=1e-12) and f.intercept == pytest.approx(a, abs=1e-12)
    q = stats.t.ppf(0.975, 2)
    assert f.slope_ci == pytest.approx((b - q * se, b + q * se), abs=1e-12)
    assert f.r_squared == pytest.approx(r2, abs=1e-12) and f.result is not None
    assert f.used["t"].tolist() == pytest.approx(T4, abs=1e-12) and f.excluded == {}


def test_three_dates_give_an_interval_and_two_points_none():
    f = fit.fit_decay(pts([1000, 700, 600], [0, 2, 5]), "QM")
    assert f.status == "fit" and f.n_dates == 3 and f.slope_ci[0] < f.slope < f.slope_ci[1]
    two = fit.fit_decay(pts([1000, 500], [0, 4]), "QM")
    # two points: the line through them, ln(0.5) / 4 a month, no interval, no R²
    assert two.status == "no_ci" and two.slope == pytest.approx(math.log(0.5) / 4, abs=1e-12)
    assert two.intercept == pytest.approx(math.log(1000), abs=1e-12)
    assert (two.slope_ci, two.r_squared, two.result) == ((None, None), None, None)


def test_fit_decay_lists_every_row_it_leaves_out():
    rows = pts([800, 1000, 3.6e7, 900, 600], [0, 2, 3, 4, 6], kinds=["point", "point", "lower bound", "point", "point"])
    rows.loc["x2", "qualifier"] = ">="
    f = fit.fit_decay(rows, "QM")
    assert f.excluded == {"x2": "lower bound (≥3600万), not a point", "x0": "before the peak (m0)"}
    assert list(f.used.index) == ["x1", "x3", "x4"] and f.t0 == at(2)
    assert f.used["t"].tolist() == pytest.approx([0, 2, 4], abs=1e-12)


def test_a_month_repeating_its_quarter_is_counted_once():
    rows = frame(
        period_row("m", "2025-05-01", "2025-05-31", 14_080_000),
        period_row("q", "2025-04-01", "2025-06-30", 14_072_000),
        period_row("p", "2025-01-01", "2025-01-31", 20_000_000),
        period_row("l", "2025-09-01", "2025-09-30", 10_000_000),
    )
    f = fit.fit_decay(rows, "QM")
    assert f.excluded == {"m": "repeats q (1407.2万, 2025 Q2): one figure reported for the month and the quarter, counted once"}
    assert sorted(f.used.index) == ["l", "p", "q"]


@pytest.mark.parametrize(
    ("values", "t", "kinds", "why"),
    [
        ([], [], None, "no exact figure"),
        ([5e6], [0], ["lower bound"], "no exact figure"),
        ([1000], [0], None, "one exact figure: no rate"),
        ([500, 1000], [0, 3], None, "the series peaks at its latest figure: no decline after the peak to fit"),
        ([1000, 900], [2, 2], None, "its figures after the peak share one date: no rate"),
    ],
)
def test_no_rate_without_two_dates_after_the_peak(values, t, kinds, why):
    f = fit.fit_decay(pts(values, t, kinds=kinds), "QM")
    assert f.status == "too_few" and f.why_not == why and f.slope is None
    assert "t" in f.used.columns and f.used["t"].dtype == np.float64
    assert list(fit.segment_rates(f).columns) == ["from_obs", "to_obs", "from_period", "to_period", "months", "monthly_change"]
    assert fit.forecast(f, 6).empty and fit.segment_rates(f).empty and fit.leave_one_out(f).empty
    with pytest.raises(ValueError, match=r"^no fit to predict from \(" + why.split(":")[0]):
        f.predict([1.0])


def test_points_too_close_give_no_rate_unless_allowed():
    rows = pts([1000, 900, 850], [0, 0.5, 1])
    f = fit.fit_decay(rows, "QM")
    assert f.status == "too_close" and f.slope is None
    assert fit.segment_rates(f).empty and fit.forecast(f, 3).empty  # no rate: no segments, no forecast
    assert f.why_not == (
        "the points are 30 days apart (1.0 months), less than about two months (1.9): "
        "a rate fitted from them would not be a trend"
    )
    assert fit.fit_decay(rows, "QM", min_span_months=1.0).status == "fit"  # one month allowed: a rate
    assert fit.fit_decay(pts([1000, 900], [0, 1.95]), "QM").status == "no_ci"  # 1.95 months: the default (1.9) allows it


def test_predict_the_line_and_its_two_intervals_by_hand():
    f = fit.fit_decay(pts(V4, T4), "QM")
    b, a, _, s, _, tb, sxx = ols(T4, np.log(V4))
    q = stats.t.ppf(0.975, 2)
    t = np.array([1.0, 8.0])
    centre = a + b * t
    se_mean = s * np.sqrt(1 / 4 + (t - tb) ** 2 / sxx)
    se_new = s * np.sqrt(1 + 1 / 4 + (t - tb) ** 2 / sxx)
    for got, se in ((f.predict(t), se_mean), (f.predict(t, "confidence"), se_mean), (f.predict(t, "prediction"), se_new)):
        assert list(got.columns) == ["t", "value", "low", "high"] and got["t"].tolist() == [1.0, 8.0]
        assert got["value"].to_numpy() == pytest.approx(np.exp(centre), rel=1e-12)
        assert got["low"].to_numpy() == pytest.approx(np.exp(centre - q * se), rel=1e-9)
        assert got["high"].to_numpy() == pytest.approx(np.exp(centre + q * se), rel=1e-9)
    assert f.predict([1, 8])["t"].dtype == np.float64  # months given as integers are months all the same
    two = fit.fit_decay(pts([1000, 500], [0, 4]), "QM").predict([8])
    assert two["value"].tolist() == pytest.approx([250.0]) and two[["low", "high"]].isna().all().all()


def test_predict_without_a_line_names_why():
    f = fit.DecayFit("QM", pts([], []).assign(t=[]), {}, None, "too_few")
    with pytest.raises(ValueError, match=r"^no fit to predict from \(too_few\)$"):
        f.predict([1.0])
    f.slope = -0.1  # a slope without an intercept is no line either
    with pytest.raises(ValueError, match=r"^no fit to predict from \(too_few\)$"):
        f.predict([1.0])
    f.slope, f.intercept, f.why_not = None, 1.0, "a reason"
    with pytest.raises(ValueError, match=r"^no fit to predict from \(a reason\)$"):
        f.predict([1.0])


def test_date_of_months_since_the_peak():
    f = fit.DecayFit("QM", pts([], []), {}, T0, "fit")
    got = f.date_of([0, 1, 12])
    assert list(got) == [T0, pd.Timestamp("2025-01-31 10:30"), pd.Timestamp("2026-01-01 06:00")]


def test_forecast_extends_the_line_month_by_month():
    f = fit.fit_decay(pts([1000, 500], [0, 4]), "QM")  # -50% in 4 months: 500 / 2^(k/4) k months later
    fc = fit.forecast(f, 4)
    assert list(fc.columns) == ["months_ahead", "t", "date", "value", "low", "high"]
    assert fc["months_ahead"].dtype == int and fc["t"].dtype == np.float64
    assert fc["months_ahead"].tolist() == [1, 2, 3, 4] and fc["t"].tolist() == pytest.approx([5, 6, 7, 8])
    assert fc["date"].tolist() == [at(x) for x in (5, 6, 7, 8)]
    assert fc["value"].tolist() == pytest.approx([500 / 2 ** (k / 4) for k in (1, 2, 3, 4)])
    assert fc[["low", "high"]].isna().all().all()
    assert list(fit.forecast(f, 0).columns) == list(fc.columns) and fit.forecast(f, 0).empty
    assert fit.forecast(f, -2).empty
    assert fit.forecast(f, 1)["months_ahead"].tolist() == [1]
    # with an interval: a new point's (wider than the line's)
    f4 = fit.fit_decay(pts(V4, T4), "QM")
    fc4 = fit.forecast(f4, 2)
    p = f4.predict([7.0, 8.0], "prediction")
    assert fc4["low"].tolist() == pytest.approx(p["low"].tolist()) and fc4["high"].tolist() == pytest.approx(p["high"].tolist())


def test_redate_to_last_month():
    rows = frame(
        period_row("q", "2025-07-01", "2025-09-30", 3e6),
        period_row("two", "2025-07-01", "2025-08-31", 3e6),
        period_row("m", "2025-07-01", "2025-07-31", 3e6),
        period_row("m½", "2025-07-01", "2025-08-15", 3e6),
    )
    rows.loc["m½", "period_months"] = 1.5  # a month and a half is not yet several months
    r = fit.redate_to_last_month(rows)
    assert r.at["m½", "period_mid"] == rows.at["m½", "period_mid"]
    assert r.at["q", "period_mid"] == pd.Timestamp("2025-09-15 12:00")  # 1 Sep + 29 days / 2
    assert r.at["two", "period_mid"] == pd.Timestamp("2025-08-16")  # 1 Aug + 30 days / 2
    assert r.at["m", "period_mid"] == rows.at["m", "period_mid"] == pd.Timestamp("2025-07-16")
    assert rows.at["q", "period_mid"] == pd.Timestamp("2025-08-15 12:00")  # the rows given are not changed


def test_dating_sensitivity_refits_with_quarters_at_their_last_month():
    rows = frame(
        period_row("jan", "2025-01-01", "2025-01-31", 100),
        period_row("q2", "2025-04-01", "2025-06-30", 50),
    )
    # Q2 dated 15 June 12:00 instead of 15 May 12:00: 150 days after 16 January 00:00... 12:00 - halved in that time
    m = (pd.Timestamp("2025-06-15 12:00") - pd.Timestamp("2025-01-16")).total_seconds() / 86400 / DPM
    assert fit.dating_sensitivity(rows, "QM") == pytest.approx(0.5 ** (1 / m) - 1, rel=1e-9)
    assert fit.dating_sensitivity(rows.iloc[:1], "QM") is None


def test_leave_one_out_refits_without_each_point_but_the_peak():
    f = fit.fit_decay(pts(V4, T4), "QM")
    loo = fit.leave_one_out(f)
    y = np.log(V4)
    expected = {
        f"x{i}": math.expm1(ols([t for j, t in enumerate(T4) if j != i], [v for j, v in enumerate(y) if j != i])[0])
        for i in (1, 2, 3)
    }
    assert loo.name == "monthly_change" and loo.dtype == float
    assert loo.to_dict() == pytest.approx(expected, abs=1e-12)
    assert list(loo.index) == ["x1", "x2", "x3"]
    # a second figure on the peak's date is not left out either
    same = fit.fit_decay(pts([1000, 990, 700, 600], [0, 0, 2, 5]), "QM")
    assert list(fit.leave_one_out(same).index) == ["x2", "x3"]
    none = fit.leave_one_out(fit.fit_decay(pts([1000, 500], [0, 4]), "QM"))  # no interval: no refits
    assert none.empty and none.dtype == np.float64


def test_segments_between_consecutive_dates():
    rows = pts([1000, 810, 640, 400], [4, 6, 6, 9]).iloc[[3, 1, 2, 0]]  # not in time order
    seg = fit.segments_of(rows)
    assert list(seg.columns) == [
        "from_obs",
        "to_obs",
        "from_period",
        "to_period",
        "from_date",
        "to_date",
        "months",
        "monthly_change",
    ]
    # month 6 holds two figures: their geometric mean sqrt(810 * 640) = 720, named by its first figure
    assert seg["from_obs"].tolist() == ["x0", "x1"] and seg["to_obs"].tolist() == ["x1", "x3"]
    assert seg["from_period"].tolist() == ["m4", "m6"] and seg["to_period"].tolist() == ["m6", "m9"]
    assert seg["from_date"].tolist() == [at(4), at(6)] and seg["to_date"].tolist() == [at(6), at(9)]
    assert seg["months"].tolist() == pytest.approx([2.0, 3.0], abs=1e-12)
    assert seg["monthly_change"].tolist() == pytest.approx([(720 / 1000) ** 0.5 - 1, (400 / 720) ** (1 / 3) - 1], rel=1e-12)
    one_date = fit.segments_of(rows.iloc[1:3])  # two figures, one date: no segment
    assert one_date.empty and list(one_date.columns) == list(seg.columns)
    assert fit.segments_of(rows.iloc[:1]).empty and list(fit.segments_of(rows.iloc[:1]).columns) == list(seg.columns)


def test_by_date_groups_figures_within_about_a_week():
    rows = pts([100, 400, 50], [0, 0.1, 1])  # 3 days apart: one date; a month later another
    g = fit._by_date(rows, pd.Series([0.0, 0.1, 1.0], index=rows.index))
    assert g["t"].tolist() == pytest.approx([0.05, 1.0]) and g["value"].tolist() == pytest.approx([200.0, 50.0])
    assert g["obs"].tolist() == ["x0", "x2"] and g["obs_ids"].tolist() == [["x0", "x1"], ["x2"]]
    assert g["period"].tolist() == ["m0", "m1"] and g["mid"].tolist() == [at(0), at(1)]
    # 0.2 and 0.3 months (3 days apart) round to the same quarter-month: one date
    close = pts([100, 400], [0.2, 0.3])
    assert fit._by_date(close, pd.Series([0.2, 0.3], index=close.index))["obs_ids"].tolist() == [["x0", "x1"]]


def test_segment_rates_and_acceleration():
    f = fit.fit_decay(pts([1000, 900, 720, 504], [0, 2, 4, 6]), "QM")
    seg = fit.segment_rates(f)
    assert list(seg.columns) == ["from_obs", "to_obs", "from_period", "to_period", "months", "monthly_change"]
    # -10%, -20%, -30% every two months: each segment falls faster than the one before
    assert seg["monthly_change"].tolist() == pytest.approx([0.9**0.5 - 1, 0.8**0.5 - 1, 0.7**0.5 - 1], rel=1e-12)
    assert fit.accelerating(seg) is True
    two = fit.segment_rates(fit.fit_decay(pts([1000, 500], [0, 4]), "QM"))
    assert two["monthly_change"].tolist() == pytest.approx([0.5**0.25 - 1]) and fit.accelerating(two) is None


@pytest.mark.parametrize(
    ("changes", "expected"),
    [([], None), ([-0.1], None), ([-0.1, -0.2], True), ([-0.1, -0.2, -0.15], False), ([-0.1, -0.1], False)]
    + [([-0.3, -0.2, -0.1], False), ([-0.1, -0.2, -0.3, -0.35], True)],
)
def test_accelerating_means_every_segment_falls_faster(changes, expected):
    got = fit.accelerating(pd.DataFrame({"monthly_change": changes}))
    assert got is expected


def test_flag_below_floor():
    fc = pd.DataFrame({"value": [60.0, 50.0, 40.0]})
    out = fit.flag_below_floor(fc, pd.Series({"base_value": 50.0}))
    assert out["below_wau_floor"].tolist() == [False, False, True]  # at the floor is not below it
    assert "below_wau_floor" not in fc.columns
    assert fit.flag_below_floor(fc, None)["below_wau_floor"].tolist() == [False] * 3


def test_weekly_floor_on_the_frozen_data(ds):
    floor = fit.weekly_floor(ds, "kimi", "mau", "questmobile")
    assert (floor.name, floor["base_value"], floor["period"]) == ("o004_01", 4_500_000.0, "week of 2025-12-08")
    assert floor["kind"] == "point"
    assert fit.weekly_floor(ds, "kimi", "mau", "all")["base_value"] == 4_500_000.0
    assert fit.weekly_floor(ds, "kimi", "wau", "questmobile") is None  # a floor only under monthly users
    assert fit.weekly_floor(ds, "kimi", "mau", "questmobile", window=("2020-01-01", "2020-12-31")) is None


def test_the_package_names_the_same_functions():
    assert decline.fit_decay is fit.fit_decay and decline.point_kind is common.point_kind
    assert decline.peak_latest is legacy.peak_latest


def week(base: pd.Series, oid: str, series: str, start: str, value: float, conflicts=()) -> pd.Series:
    """A weekly figure like the frozen one, in another week, firm or value."""
    r = base.copy()
    s = pd.Timestamp(start)
    r["obs_id"], r["series"], r["base_value"], r["conflicts_with"] = oid, series, value, list(conflicts)
    r["period_start"], r["period_end"], r["period_mid"] = s, s + pd.Timedelta(days=6), s + pd.Timedelta(days=3)
    r["period"], r["conflict"] = f"week of {s.date()}", bool(conflicts)
    return r.rename(oid)


@pytest.fixture(scope="module")
def weeks(ds):
    """A dataset whose only weekly figures are these (notebook 01 reads them through its memo of the layer)."""
    from types import SimpleNamespace

    from kimi_research.analysis.decline.series import levels_of
    from kimi_research.data import comparable as C

    lv = levels_of(ds, "wau", "kimi")
    base = lv.rows.iloc[0]
    rows = pd.DataFrame(
        [
            week(base, "a1", "questmobile", "2025-12-08", 4.5e6, ["a2"]),
            week(base, "a2", "questmobile", "2025-12-08", 5.0e6, ["a1"]),  # the same week, another figure
            week(base, "b", "aldi", "2025-12-22", 6.0e6),  # the latest of all
            week(base, "c", "none:s9", "2025-12-15", 3.0e6),  # a source naming no firm
        ]
    )
    return SimpleNamespace(_decline_memo={("levels", "wau", "kimi"): C.Comparable(rows, lv.left_out, lv.rules)})


@pytest.mark.parametrize(
    ("vendor", "obs"),
    [("questmobile", "a1"), ("aldi", "b"), ("all", "b"), ("none", "b"), ("none:s9", "b"), ("zz", "b")],
)
def test_weekly_floor_is_the_firms_latest_week_or_the_latest_of_all(weeks, vendor, obs):
    # a firm with weekly figures: its latest (of two figures for one week, the first: rule conflict_choice);
    # pooled, no firm named, or a firm without weekly figures: the latest weekly figure of all
    floor = fit.weekly_floor(weeks, "kimi", "mau", vendor)
    assert floor.name == obs and floor["kind"] == "point"
