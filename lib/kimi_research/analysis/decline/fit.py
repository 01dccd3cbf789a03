"""How fast: a log-linear fit of one series after its peak, its extrapolation, the constant-rate check and the
weekly-user floor.

**Decay fit.** OLS of ``log(users)`` on months since the peak, over the exact points of one series dated at or
after its peak. Monthly change = ``exp(slope) - 1``; half-life = ``ln 2 / -slope`` (only when declining); 95%
intervals from the t distribution. Two points give a rate but no interval; fewer give no fit; points less than
:data:`~kimi_research.data.comparable.MIN_TREND_SPAN_MONTHS` apart give no rate (status ``too_close``: a holiday
pair is not a trend).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd
import statsmodels.api as sm

from kimi_research.analysis.decline.common import (
    CONFIDENCE,
    MIN_POINTS_FOR_CI,
    NO_VENDOR,
    POOLED,
    months_between,
    with_kind,
)
from kimi_research.analysis.decline.legacy import peak_latest
from kimi_research.data import comparable as C
from kimi_research.data.loader import repeated_figures
from kimi_research.data.units import DAYS_PER_MONTH
from kimi_research.data.vocabulary import count_text, row_value_text


@dataclass
class DecayFit:
    """A log-linear fit of one series after its peak (see the module docstring)."""

    label: str
    used: pd.DataFrame  # rows in the fit, with column t (months since the peak)
    excluded: dict[str, str]  # obs_id -> reason
    t0: pd.Timestamp | None
    status: str  # "fit", "no_ci" (2 points or dates), "too_few" (0 or 1), "too_close" (points < ~2 months apart)
    slope: float | None = None
    intercept: float | None = None
    slope_ci: tuple[float | None, float | None] = (None, None)
    r_squared: float | None = None
    result: Any = field(default=None, repr=False)  # the statsmodels OLS results, None without a CI
    why_not: str = ""  # why there is no rate ("" when there is one)

    @property
    def n_dates(self) -> int:
        """Distinct dates among the points (within about a week): two figures for one date count once."""
        return len(np.unique(np.round(self.used["t"].to_numpy() * 4))) if len(self.used) else 0

    @property
    def n(self) -> int:
        return len(self.used)

    @property
    def monthly_change(self) -> float | None:
        return None if self.slope is None else math.expm1(self.slope)

    @property
    def monthly_change_ci(self) -> tuple[float | None, float | None]:
        lo, hi = self.slope_ci
        return (None, None) if lo is None or hi is None else (math.expm1(lo), math.expm1(hi))

    @property
    def declining(self) -> bool:
        return self.slope is not None and self.slope < 0

    @property
    def half_life(self) -> float | None:
        return math.log(2) / -self.slope if self.slope is not None and self.slope < 0 else None

    @property
    def half_life_ci(self) -> tuple[float | None, float | None]:
        """Half-life interval; the upper end is None (unbounded) when the slope's CI reaches 0."""
        lo, hi = self.slope_ci
        if lo is None or hi is None or lo >= 0:
            return (None, None)
        return (math.log(2) / -lo, math.log(2) / -hi if hi < 0 else None)

    def predict(self, t: np.ndarray | list[float], interval: str = "confidence") -> pd.DataFrame:
        """Fitted users at months t since the peak; 'confidence' (the line) or 'prediction' (a new point).

        The back-transformed centre is the median on the original scale."""
        t = np.asarray(t, dtype=float)
        if self.slope is None or self.intercept is None:
            raise ValueError(f"no fit to predict from ({self.why_not or self.status})")
        centre = np.exp(self.intercept + self.slope * t)
        if self.result is None:
            return pd.DataFrame({"t": t, "value": centre, "low": np.nan, "high": np.nan})
        pr = self.result.get_prediction(sm.add_constant(t, has_constant="add")).summary_frame(alpha=1 - CONFIDENCE)
        lo, hi = ("mean_ci_lower", "mean_ci_upper") if interval == "confidence" else ("obs_ci_lower", "obs_ci_upper")
        return pd.DataFrame({"t": t, "value": centre, "low": np.exp(pr[lo].to_numpy()), "high": np.exp(pr[hi].to_numpy())})

    def date_of(self, t) -> pd.DatetimeIndex:
        return cast(pd.Timestamp, self.t0) + pd.to_timedelta(np.asarray(t, dtype=float) * DAYS_PER_MONTH, unit="D")


def fit_decay(rows: pd.DataFrame, label: str, min_span_months: float = C.MIN_TREND_SPAN_MONTHS) -> DecayFit:
    """Fit log(users) = a + b * months since the peak on the exact points at or after the peak.

    No rate (status ``too_close``, ``why_not`` from :func:`~kimi_research.data.comparable.rate_allowed`) when
    the points after the peak are less than ``min_span_months`` apart."""
    excluded: dict[Any, str] = {}
    for oid, r in rows[rows["kind"] != "point"].iterrows():
        excluded[oid] = f"{r['kind']} ({row_value_text(r)}), not a point"
    pts = rows[rows["kind"] == "point"]
    for oid, kept in repeated_figures(pts).items():
        excluded[oid] = (
            f"repeats {kept} ({count_text(cast(float, pts.at[kept, 'base_value']))}, {pts.at[kept, 'period']!s}): "
            f"one figure reported for the month and the quarter, counted once"
        )
    pts = pts.drop(index=list(repeated_figures(pts)))
    if pts.empty:
        return DecayFit(label, pts.assign(t=pd.Series(dtype=float)), excluded, None, "too_few", why_not="no exact figure")
    peak = peak_latest(rows)
    t0 = peak["peak_date"]
    for oid, r in pts[pts["period_mid"] < t0].iterrows():
        excluded[oid] = f"before the peak ({r['period']})"
    used = pts[pts["period_mid"] >= t0].copy()
    used["t"] = months_between(t0, used["period_mid"])
    fit = DecayFit(label, used, excluded, t0, "too_few")
    if len(used) < 2 or used["t"].nunique() < 2:
        fit.why_not = (
            "one exact figure: no rate"
            if len(pts) == 1
            else "the series peaks at its latest figure: no decline after the peak to fit"
            if len(used) == 1
            else "its figures after the peak share one date: no rate"
        )
        return fit
    ok, why = C.rate_allowed(used["period_mid"], min_span_months)
    if not ok:
        fit.status, fit.why_not = "too_close", why
        return fit
    y = np.log(used["base_value"].to_numpy())
    res = sm.OLS(y, sm.add_constant(used["t"].to_numpy())).fit()
    fit.intercept, fit.slope = (float(x) for x in res.params)
    if fit.n_dates >= MIN_POINTS_FOR_CI and res.df_resid > 0:
        ci = res.conf_int(alpha=1 - CONFIDENCE)
        fit.slope_ci = (float(ci[1, 0]), float(ci[1, 1]))
        fit.r_squared = float(res.rsquared)
        fit.result = res
        fit.status = "fit"
    else:
        fit.status = "no_ci"
    return fit


def redate_to_last_month(rows: pd.DataFrame) -> pd.DataFrame:
    """The alternative dating convention: a figure for several months (a quarter) dated at the middle of
    its last month instead of mid-period (Q3 2025 -> 2025-09-15 12:00)."""
    r = rows.copy()
    multi = r["period_months"] > 1.5
    last_start = r["period_end"].dt.to_period("M").dt.start_time
    r.loc[multi, "period_mid"] = (last_start + (r["period_end"] - last_start) / 2)[multi]
    return r


def dating_sensitivity(rows: pd.DataFrame, label: str) -> float | None:
    """Monthly change of the fit when quarters are dated at their last month (None when no rate)."""
    return fit_decay(redate_to_last_month(rows), label).monthly_change


def leave_one_out(fit: DecayFit) -> pd.Series:
    """Monthly change when each point (except the peak, which anchors the fit) is left out."""
    if fit.status != "fit":
        return pd.Series(dtype=float)
    out = {}
    for oid in fit.used.index:
        if fit.used.at[oid, "t"] == 0:
            continue
        rest = fit.used.drop(index=oid)
        if rest["t"].nunique() < 2:
            continue
        res = sm.OLS(np.log(rest["base_value"].to_numpy()), sm.add_constant(rest["t"].to_numpy())).fit()
        out[oid] = math.expm1(float(res.params[1]))
    return pd.Series(out, name="monthly_change", dtype=float)


def forecast(fit: DecayFit, months: int) -> pd.DataFrame:
    """Extrapolate the fit monthly for ``months`` months after its last point, with a 95% prediction
    interval (empty when there is no fit; no interval with two points)."""
    cols = ["months_ahead", "t", "date", "value", "low", "high"]
    if months <= 0 or fit.slope is None:
        return pd.DataFrame(columns=cols)
    t_last = float(fit.used["t"].max())
    ahead = np.arange(1, months + 1, dtype=float)
    p = fit.predict(t_last + ahead, "prediction")
    p.insert(0, "months_ahead", ahead.astype(int))
    p.insert(2, "date", fit.date_of(p["t"]))
    return p[cols]


def _by_date(rows: pd.DataFrame, t: pd.Series) -> pd.DataFrame:
    """Points grouped by date (within about a week): t, geometric-mean value, first obs and period, all obs ids."""
    u = rows.assign(t=t).sort_values("t")
    return u.groupby(np.round(u["t"] * 4)).agg(
        t=("t", "mean"),
        value=("base_value", lambda v: float(np.exp(np.log(v).mean()))),
        obs=("obs_id", "first"),
        obs_ids=("obs_id", list),
        period=("period", "first"),
        mid=("period_mid", "first"),
    )


def segments_of(rows: pd.DataFrame) -> pd.DataFrame:
    """The monthly change between each pair of consecutive dates of point rows (``period_mid``, ``base_value``)."""
    cols = ["from_obs", "to_obs", "from_period", "to_period", "from_date", "to_date", "months", "monthly_change"]
    if len(rows) < 2:
        return pd.DataFrame(columns=cols)
    t0 = rows["period_mid"].min()
    g = _by_date(rows, pd.Series(months_between(t0, rows["period_mid"]), index=rows.index))
    out = []
    for (_, a), (_, b) in zip(g.iloc[:-1].iterrows(), g.iloc[1:].iterrows(), strict=True):
        months = float(b["t"] - a["t"])
        out.append(
            {
                "from_obs": a["obs"],
                "to_obs": b["obs"],
                "from_period": a["period"],
                "to_period": b["period"],
                "from_date": a["mid"],
                "to_date": b["mid"],
                "months": months,
                "monthly_change": float((b["value"] / a["value"]) ** (1 / months) - 1),
            }
        )
    return pd.DataFrame(out, columns=cols)


def segment_rates(fit: DecayFit) -> pd.DataFrame:
    """The constant-rate check: the monthly change between each pair of consecutive dates of the fit.

    A constant monthly rate (the fit's assumption) makes these equal up to noise; rates that grow more negative
    over time mean an accelerating fall, which the single fitted rate averages away. No segments without a rate."""
    cols = ["from_obs", "to_obs", "from_period", "to_period", "months", "monthly_change"]
    if fit.n < 2 or fit.slope is None:
        return pd.DataFrame(columns=cols)
    return segments_of(fit.used)[cols]


def accelerating(segments: pd.DataFrame) -> bool | None:
    """True when every segment falls faster than the one before (None with fewer than two segments)."""
    if len(segments) < 2:
        return None
    return bool((segments["monthly_change"].diff().dropna() < 0).all())


def weekly_floor(ds, entity_id: str, metric: str, vendor: str, window: tuple | None = C.STUDY_WINDOW) -> pd.Series | None:
    """The latest exact weekly-user figure (the layer's :func:`~kimi_research.data.comparable.latest`: never a
    special day or a bound), of the same firm when it has one: monthly users are at least weekly users over the
    same time, so a monthly forecast below it contradicts a measurement. None for other metrics."""
    if metric != "mau":
        return None
    from kimi_research.analysis.decline.series import levels_of

    lv = levels_of(ds, "wau", entity_id)
    rows = lv.rows[C.in_window(lv.rows, window)]
    if vendor not in (POOLED, NO_VENDOR) and not vendor.startswith(NO_VENDOR + ":") and (rows["series"] == vendor).any():
        rows = rows[rows["series"] == vendor]
    if rows.empty:
        return None
    last = C.latest(C.Comparable(rows, lv.left_out, lv.rules), by=("entity",), choose=True).rows
    if last.empty:
        return None
    return with_kind(last).iloc[-1]


def flag_below_floor(fc: pd.DataFrame, floor: pd.Series | None) -> pd.DataFrame:
    """Mark forecast months whose value lies below the weekly-user floor (column ``below_wau_floor``)."""
    fc = fc.copy()
    fc["below_wau_floor"] = False if floor is None else fc["value"] < float(floor["base_value"])
    return fc
