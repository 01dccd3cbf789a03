"""Helpers of notebook 01 (user decline): series per vendor, peak and latest, a log-linear decay
fit with statsmodels, its forecast, the growth phase before the fall and the rank trajectory.

Conventions (the notebook states them too):

* **One series per vendor.** Measurement firms use different panels; their figures are never
  joined into one line. Rows that name no firm form their own series, "no firm named". The
  vendor parameter ``"all"`` pools every vendor for the fit, and everything built from it is
  labelled as pooled.
* **Dating.** A row is dated at the midpoint of its period (``period_mid``): a month at its
  middle day, a quarter at mid-quarter (Q3 2025 -> 2025-08-15 12:00). Time differences are
  counted in months of ``DAYS_PER_MONTH`` (365.25 / 12) days.
* **Points and bounds.** Only rows with qualifier ``=`` or ``~`` are points. ``>``/``>=`` are
  lower bounds, ``<``/``<=`` upper bounds, ``range`` a range: they are drawn but never enter
  a peak, a latest value or a fit.
* **Decay fit.** OLS of ``log(users)`` on months since the peak, over the exact points of the
  chosen series dated at or after its peak. Monthly change = ``exp(slope) - 1``; half-life =
  ``ln 2 / -slope`` (only when declining); 95% intervals from the t distribution. Two points
  give a rate but no interval; fewer give no fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from pydantic import BaseModel, Field

from kimi_research.analysis.sections import Analysis, Section, shown
from kimi_research.data.labels import Citation, Name, cite, name
from kimi_research.data.loader import repeated_figures
from kimi_research.data.periods import week_or_period_label
from kimi_research.data.series import LEVEL_KINDS
from kimi_research.data.units import DAYS_PER_MONTH
from kimi_research.data.vocabulary import count_text, rank_text, row_value_text
from kimi_research.errors import ParameterError

NOTEBOOK = "01_user_decline"
USER_METRICS = ("mau", "dau", "wau")
RANK_METRICS = ("mau_rank", "wau_rank", "download_rank")
METRIC_SHORT = {
    "mau": "MAU",
    "dau": "DAU",
    "wau": "WAU",
    "mau_rank": "MAU rank",
    "wau_rank": "WAU rank",
    "download_rank": "download rank",
}
POINT_QUALIFIERS = ("=", "~")
LOWER_QUALIFIERS = (">", ">=")
UPPER_QUALIFIERS = ("<", "<=")
AUTO, POOLED, NO_VENDOR = "auto", "all", "none"
NO_VENDOR_LABEL = "no firm named"
POOLED_LABEL = "all vendors pooled"
MIN_POINTS_FOR_CI = 3
CONFIDENCE = 0.95
# event kinds drawn on time axes, most important first (launches of rivals are the story)
EVENT_PRIORITY = ("model_launch", "product_launch", "ad_campaign", "funding", "legal", "market")


# --- parameters --------------------------------------------------------------------------------
def user_entities(ds, metric: str | None = None) -> list[str]:
    """Entity ids with at least one row of ``metric`` (or of any user metric)."""
    o = ds.observations
    o = o[o["metric"] == metric] if metric in USER_METRICS else o[o["metric"].isin(USER_METRICS)]
    return sorted(o["entity"].unique())


def resolve_entity(ds, value) -> str | None:
    """Entity id for an id or English name, case-insensitively ("Kimi", "kimi" -> "kimi")."""
    if not isinstance(value, str):
        return None
    v = value.strip().casefold()
    for eid, r in ds.entities.iterrows():
        if v in (eid.casefold(), str(r["name_en"]).casefold()):
            return eid
    return None


def vendor_key(v) -> str:
    """The series a row belongs to: its vendor id, or NO_VENDOR when the article names no firm."""
    return v if isinstance(v, str) and v else NO_VENDOR


def vendor_label(ds, key: str) -> str:
    if key == NO_VENDOR:
        return NO_VENDOR_LABEL
    if key == POOLED:
        return POOLED_LABEL
    return ds.name(key)


def vendor_choices(ds, entity_id: str | None, metric) -> list[str]:
    """Values the vendor parameter accepts for this entity and metric."""
    if entity_id is None or metric not in USER_METRICS:
        return [AUTO, POOLED]
    rows = ds.select(entity=entity_id, metric=metric)
    return [AUTO, POOLED, *sorted({vendor_key(v) for v in rows["vendor"]})]


# --- selection ---------------------------------------------------------------------------------
def window(start: str, end: str) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    s = pd.Timestamp(start) if start else None
    e = pd.Timestamp(end) if end else None
    if s is not None and e is not None and s > e:
        raise ParameterError(
            f"invalid parameters for {NOTEBOOK}:\n- parameters 'start' = {start!r} and 'end' = {end!r}: start is after end"
        )
    return s, e


def in_window(rows: pd.DataFrame, start=None, end=None) -> pd.DataFrame:
    keep = pd.Series(True, index=rows.index)
    if start is not None:
        keep &= rows["period_mid"] >= start
    if end is not None:
        keep &= rows["period_mid"] <= end + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
    return rows[keep]


def point_kind(qualifier: str) -> str:
    if qualifier in POINT_QUALIFIERS:
        return "point"
    if qualifier in LOWER_QUALIFIERS:
        return "lower bound"
    if qualifier in UPPER_QUALIFIERS:
        return "upper bound"
    return "range"


def _prepare(rows: pd.DataFrame) -> pd.DataFrame:
    r = rows.copy()
    r["series"] = r["vendor"].map(vendor_key)
    r["kind"] = r["qualifier"].map(point_kind)
    r["period"] = r.apply(week_or_period_label, axis=1) if len(r) else pd.Series(dtype=str)
    return r.sort_index().sort_values(["period_mid", "period_end"], kind="stable")


def placeable(rows: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """The rows that are dated levels, each measurement once, and {obs_id: reason} for the others.

    Left out: an undated row (it cannot sit on a time axis), a row whose ``value_kind`` is not a level
    (a change over a period is never a level; see :mod:`kimi_research.data.series`), and a row that reports
    the same measurement as another for the same period (two sources quoting one figure: corroboration, not a
    second point). A month inside its own quarter's average keeps its row here; the fit counts it once
    (:func:`fit_decay`)."""
    out: dict[str, str] = {}
    for oid in rows.index[rows["period_start"].isna()]:
        out[oid] = "undated: cannot be placed on a time axis"
    if "value_kind" in rows.columns:
        for oid in rows.index[~rows["value_kind"].isin(LEVEL_KINDS) & rows["period_start"].notna()]:
            out[oid] = f"value_kind {rows.at[oid, 'value_kind']}: not a level"
    r = rows.drop(index=list(out))
    if "measurement" in r.columns:
        same = r["measurement"].map(lambda m: m in r.index) & (r.index != r["measurement"])
        for oid in r.index[same]:
            m = r.at[oid, "measurement"]
            if r.at[oid, "period_start"] == r.at[m, "period_start"] and r.at[oid, "period_end"] == r.at[m, "period_end"]:
                out[oid] = f"the same measurement as {m} (another source quoting it): counted once"
    return rows.drop(index=list(out)), out


def select(ds, entity_id: str, metric: str, start: str = "", end: str = "") -> pd.DataFrame:
    """Every row of the entity and metric inside the window, with ``series``, ``kind``, ``period``.

    Raises ParameterError (naming start/end) when the window leaves nothing."""
    s, e = window(start, end)
    rows, _ = placeable(ds.select(entity=entity_id, metric=metric))
    kept = in_window(rows, s, e)
    if kept.empty:
        span = f"{rows['period_mid'].min().date()} to {rows['period_mid'].max().date()}"
        raise ParameterError(
            f"invalid parameters for {NOTEBOOK}:\n- parameters 'start' = {start!r} and "
            f"'end' = {end!r}: no {metric} rows of {entity_id} in this window; "
            f"its rows are dated (period midpoints) {span}"
        )
    return _prepare(kept)


def resolve_vendor(rows: pd.DataFrame, vendor: str) -> str:
    """The series the fit uses. 'auto': most exact points; ties -> a named firm, then the latest data."""
    if vendor != AUTO:
        if vendor != POOLED and not (rows["series"] == vendor).any():
            raise ParameterError(
                f"invalid parameters for {NOTEBOOK}:\n- parameter 'vendor' = {vendor!r}: "
                f"no rows from this vendor in the window; vendors in the window: "
                f"{', '.join(sorted(rows['series'].unique()))}"
            )
        return vendor
    g = rows.groupby("series").agg(
        points=("kind", lambda k: int((k == "point").sum())), rows=("kind", "size"), last=("period_mid", "max")
    )
    g["named"] = g.index != NO_VENDOR
    g = g.reset_index().sort_values(["points", "rows", "named", "last", "series"], ascending=[False, False, False, False, True])
    return str(g.iloc[0]["series"])


def series_rows(rows: pd.DataFrame, key: str) -> pd.DataFrame:
    """Rows of one series (every row when key is POOLED)."""
    return rows if key == POOLED else rows[rows["series"] == key]


# --- peak and latest ---------------------------------------------------------------------------
def peak_latest(rows: pd.DataFrame) -> dict:
    """Peak (largest exact point, earliest if tied) and latest exact point of one series."""
    pts = rows[rows["kind"] == "point"]
    out = {"n_rows": len(rows), "n_points": len(pts), "n_bounds": int((rows["kind"] != "point").sum())}
    if pts.empty:
        keys = [
            "peak_series",
            "latest_series",
            "peak_obs",
            "peak_value",
            "peak_period",
            "peak_date",
            "latest_obs",
            "latest_value",
            "latest_period",
            "latest_date",
            "peak_to_latest_change",
            "months_since_peak",
        ]
        return out | dict.fromkeys(keys)
    peak = (
        pts.loc[pts["base_value"].idxmax()]
        if pts["base_value"].is_unique
        else pts[pts["base_value"] == pts["base_value"].max()].iloc[0]
    )
    latest = pts.iloc[-1]
    months = months_between(peak["period_mid"], latest["period_mid"])
    single = len(pts) == 1  # one point: peak and latest are the same number, no change to speak of
    return out | {
        "peak_series": peak["series"],
        "latest_series": latest["series"],
        "peak_obs": peak["obs_id"],
        "peak_value": float(peak["base_value"]),
        "peak_period": peak["period"],
        "peak_date": peak["period_mid"],
        "latest_obs": latest["obs_id"],
        "latest_value": float(latest["base_value"]),
        "latest_period": latest["period"],
        "latest_date": latest["period_mid"],
        "peak_to_latest_change": None if single else float(latest["base_value"] / peak["base_value"] - 1),
        "months_since_peak": None if single else months,
    }


def series_table(ds, rows: pd.DataFrame) -> pd.DataFrame:
    """One line per vendor series: rows, points, peak, latest, change, months since the peak."""
    out = []
    for key, g in rows.groupby("series", sort=True):
        s = peak_latest(g)
        bounds = g[g["kind"] != "point"]
        out.append(
            {
                "series": key,
                "vendor": vendor_label(ds, key),
                **s,
                "bounds": "; ".join(f"{row_value_text(r)} ({r['period']}, {r['kind']})" for _, r in bounds.iterrows()),
            }
        )
    t = pd.DataFrame(out).set_index("series")
    return t.sort_values(["n_points", "vendor"], ascending=[False, True])


def higher_elsewhere(rows: pd.DataFrame, key: str, peak_value: float | None) -> pd.DataFrame:
    """Rows outside the fitted points (other vendors' points, lower bounds) above the chosen peak."""
    if peak_value is None:
        return rows.iloc[0:0]
    other = (
        rows[rows["kind"] == "lower bound"]
        if key == POOLED
        else rows[(rows["series"] != key) & rows["kind"].isin(["point", "lower bound"])]
    )
    return other[other["base_value"] > peak_value]


# --- decay fit ---------------------------------------------------------------------------------
def months_between(a: pd.Timestamp, b) -> np.ndarray | float:
    """(b - a) in months of DAYS_PER_MONTH days; b may be a Series."""
    d = b - a
    if isinstance(d, pd.Series):
        return (d.dt.total_seconds() / 86400 / DAYS_PER_MONTH).to_numpy()
    return d.total_seconds() / 86400 / DAYS_PER_MONTH


@dataclass
class DecayFit:
    """A log-linear fit of one series after its peak (see the module docstring)."""

    label: str
    used: pd.DataFrame  # rows in the fit, with column t (months since the peak)
    excluded: dict[str, str]  # obs_id -> reason
    t0: pd.Timestamp | None
    status: str  # "fit", "no_ci" (2 points), "too_few" (0 or 1)
    slope: float | None = None
    intercept: float | None = None
    slope_ci: tuple[float | None, float | None] = (None, None)
    r_squared: float | None = None
    result: object = field(default=None, repr=False)

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
        return (None, None) if lo is None else (math.expm1(lo), math.expm1(hi))

    @property
    def declining(self) -> bool:
        return self.slope is not None and self.slope < 0

    @property
    def half_life(self) -> float | None:
        return math.log(2) / -self.slope if self.declining else None

    @property
    def half_life_ci(self) -> tuple[float | None, float | None]:
        """Half-life interval; the upper end is None (unbounded) when the slope's CI reaches 0."""
        lo, hi = self.slope_ci
        if lo is None or lo >= 0:
            return (None, None)
        return (math.log(2) / -lo, math.log(2) / -hi if hi < 0 else None)

    def predict(self, t: np.ndarray | list[float], interval: str = "confidence") -> pd.DataFrame:
        """Fitted users at months t since the peak; 'confidence' (the line) or 'prediction' (a new point).

        The back-transformed centre is the median on the original scale."""
        t = np.asarray(t, dtype=float)
        centre = np.exp(self.intercept + self.slope * t)
        if self.result is None:
            return pd.DataFrame({"t": t, "value": centre, "low": np.nan, "high": np.nan})
        pr = self.result.get_prediction(sm.add_constant(t, has_constant="add")).summary_frame(alpha=1 - CONFIDENCE)
        lo, hi = ("mean_ci_lower", "mean_ci_upper") if interval == "confidence" else ("obs_ci_lower", "obs_ci_upper")
        return pd.DataFrame({"t": t, "value": centre, "low": np.exp(pr[lo].to_numpy()), "high": np.exp(pr[hi].to_numpy())})

    def date_of(self, t) -> pd.DatetimeIndex:
        return self.t0 + pd.to_timedelta(np.asarray(t, dtype=float) * DAYS_PER_MONTH, unit="D")


def fit_decay(rows: pd.DataFrame, label: str) -> DecayFit:
    """Fit log(users) = a + b * months since the peak on the exact points at or after the peak."""
    excluded = {}
    for oid, r in rows[rows["kind"] != "point"].iterrows():
        excluded[oid] = f"{r['kind']} ({row_value_text(r)}), not a point"
    pts = rows[rows["kind"] == "point"]
    for oid, kept in repeated_figures(pts).items():
        excluded[oid] = (
            f"repeats {kept} ({count_text(pts.at[kept, 'base_value'])}, {pts.at[kept, 'period']}): "
            f"one figure reported for the month and the quarter, counted once"
        )
    pts = pts.drop(index=list(repeated_figures(pts)))
    if pts.empty:
        return DecayFit(label, pts.assign(t=pd.Series(dtype=float)), excluded, None, "too_few")
    peak = peak_latest(rows)
    t0 = peak["peak_date"]
    for oid, r in pts[pts["period_mid"] < t0].iterrows():
        excluded[oid] = f"before the peak ({r['period']})"
    used = pts[pts["period_mid"] >= t0].copy()
    used["t"] = months_between(t0, used["period_mid"])
    fit = DecayFit(label, used, excluded, t0, "too_few")
    if len(used) < 2 or used["t"].nunique() < 2:
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


def segment_rates(fit: DecayFit) -> pd.DataFrame:
    """The constant-rate check: the monthly change between each pair of consecutive dates of the fit.

    A constant monthly rate (the fit's assumption) makes these equal up to noise; rates that grow more negative
    over time mean an accelerating fall, which the single fitted rate averages away."""
    cols = ["from_obs", "to_obs", "from_period", "to_period", "months", "monthly_change"]
    if fit.n < 2:
        return pd.DataFrame(columns=cols)
    u = fit.used.sort_values("t")
    g = u.groupby(np.round(u["t"] * 4)).agg(
        t=("t", "mean"),
        value=("base_value", lambda v: float(np.exp(np.log(v).mean()))),
        obs=("obs_id", "first"),
        period=("period", "first"),
    )
    out = []
    for (_, a), (_, b) in zip(g.iloc[:-1].iterrows(), g.iloc[1:].iterrows(), strict=True):
        months = float(b["t"] - a["t"])
        out.append(
            {
                "from_obs": a["obs"],
                "to_obs": b["obs"],
                "from_period": a["period"],
                "to_period": b["period"],
                "months": months,
                "monthly_change": float((b["value"] / a["value"]) ** (1 / months) - 1),
            }
        )
    return pd.DataFrame(out, columns=cols)


def accelerating(segments: pd.DataFrame) -> bool | None:
    """True when every segment falls faster than the one before (None with fewer than two segments)."""
    if len(segments) < 2:
        return None
    return bool((segments["monthly_change"].diff().dropna() < 0).all())


def weekly_floor(ds, entity_id: str, metric: str, vendor: str) -> pd.Series | None:
    """The latest exact weekly-user figure (same firm when it has one): monthly users are at least weekly users
    over the same time, so a monthly forecast below it contradicts a measurement. None for other metrics."""
    if metric != "mau":
        return None
    w, _ = placeable(ds.select(entity=entity_id, metric="wau"))
    w = w[w["qualifier"].isin(POINT_QUALIFIERS)]
    if vendor not in (POOLED, NO_VENDOR) and (w["vendor"] == vendor).any():
        w = w[w["vendor"] == vendor]
    if w.empty:
        return None
    return _prepare(w).iloc[-1]


def flag_below_floor(fc: pd.DataFrame, floor: pd.Series | None) -> pd.DataFrame:
    """Mark forecast months whose value lies below the weekly-user floor (column ``below_wau_floor``)."""
    fc = fc.copy()
    fc["below_wau_floor"] = False if floor is None else fc["value"] < float(floor["base_value"])
    return fc


# --- growth phase ------------------------------------------------------------------------------
def growth_phases(ds, entity_id: str) -> pd.DataFrame:
    """Rises within one series (metric x vendor) of a user metric: from its first exact point to its
    maximum, when the maximum comes later. Multiple, months and compound monthly growth."""
    rows = _prepare(placeable(ds.select(entity=entity_id, metric=list(USER_METRICS)))[0])
    out = []
    for (metric, key), g in rows[rows["kind"] == "point"].groupby(["metric", "series"], sort=True):
        first = g.iloc[0]
        top = (
            g.loc[g["base_value"].idxmax()] if g["base_value"].is_unique else g[g["base_value"] == g["base_value"].max()].iloc[0]
        )
        if top["period_mid"] <= first["period_mid"] or top["base_value"] <= first["base_value"]:
            continue
        months = months_between(first["period_mid"], top["period_mid"])
        multiple = top["base_value"] / first["base_value"]
        out.append(
            {
                "metric": metric,
                "series": key,
                "vendor": vendor_label(ds, key),
                "start_obs": first["obs_id"],
                "start_period": first["period"],
                "start_value": float(first["base_value"]),
                "end_obs": top["obs_id"],
                "end_period": top["period"],
                "end_value": float(top["base_value"]),
                "multiple": float(multiple),
                "months": float(months),
                "monthly_growth": float(multiple ** (1 / months) - 1),
                "source_ids": sorted(set(g["source_id"])),
            }
        )
    cols = [
        "metric",
        "series",
        "vendor",
        "start_obs",
        "start_period",
        "start_value",
        "end_obs",
        "end_period",
        "end_value",
        "multiple",
        "months",
        "monthly_growth",
        "source_ids",
    ]
    return pd.DataFrame(out, columns=cols).sort_values("start_period", kind="stable").reset_index(drop=True)


# --- ranks -------------------------------------------------------------------------------------


def rank_rows(ds, entity_id: str, start=None, end=None) -> pd.DataFrame:
    """The entity's rank rows, each with its list (metric, vendor, scope) and a readable rank."""
    rows = in_window(placeable(ds.select(entity=entity_id, metric=list(RANK_METRICS)))[0], start, end)
    if rows.empty:
        return _prepare(rows).assign(list_name=pd.Series(dtype=str), rank=pd.Series(dtype=str))
    r = _prepare(rows)
    r["list_name"] = [
        f"{METRIC_SHORT[m]}, {vendor_label(ds, vendor_key(v))}" + (f", {s}" if isinstance(s, str) and s else "")
        for m, v, s in zip(r["metric"], r["vendor"], r["scope"], strict=True)
    ]
    r["rank"] = [rank_text(v, q) for v, q in zip(r["value"], r["qualifier"], strict=True)]
    return r


# --- events ------------------------------------------------------------------------------------
def chart_events(ds, start, end, max_labels: int = 8) -> pd.DataFrame:
    """Events in [start, end] for a time chart: same-day events merged into one label; when there are
    more dates than ``max_labels``, the most important kinds (EVENT_PRIORITY) are kept."""
    ev = ds.events[(ds.events["date"] >= start) & (ds.events["date"] <= end)].copy()
    if ev.empty:
        return ev.assign(event_ids=pd.Series(dtype=object))
    ev["priority"] = ev["kind"].map({k: i for i, k in enumerate(EVENT_PRIORITY)}).fillna(len(EVENT_PRIORITY))
    merged = ev.groupby("date", sort=True).agg(
        label=("label", " / ".join), kind=("kind", "first"), priority=("priority", "min"), event_ids=("event_id", list)
    )
    merged = merged.sort_values(["priority"], kind="stable").head(max_labels).sort_index()
    merged["date"] = merged.index
    return merged.reset_index(drop=True)


# --- chart windows -----------------------------------------------------------------------------
def time_range(dates, extra_end=None, pad_days: float = 45, min_span_days: float = 240):
    """A padded x range covering ``dates`` (and ``extra_end``); at least ``min_span_days`` wide."""
    d = pd.Series(pd.to_datetime(list(dates)))
    if extra_end is not None:
        d = pd.concat([d, pd.Series([pd.Timestamp(extra_end)])])
    lo, hi = d.min() - pd.Timedelta(days=pad_days), d.max() + pd.Timedelta(days=pad_days)
    if (hi - lo).days < min_span_days:
        mid, half = lo + (hi - lo) / 2, pd.Timedelta(days=min_span_days / 2)
        lo, hi = mid - half, mid + half
    return lo, hi


@dataclass(frozen=True)
class TimeAxis:
    """A time chart's x range and the events annotated on it (none when ``annotate_events`` is off)."""

    lo: pd.Timestamp
    hi: pd.Timestamp
    events: pd.DataFrame  # chart_events rows: date, label, kind, event_ids

    @property
    def event_ids(self) -> list[str]:
        return [i for ids in self.events["event_ids"] for i in ids] if len(self.events) else []


def time_axis(ds, dates, annotate: bool, extra_end=None) -> TimeAxis:
    lo, hi = time_range(dates, extra_end)
    events = chart_events(ds, lo, hi) if annotate else ds.events.iloc[:0].assign(event_ids=pd.Series(dtype=object))
    return TimeAxis(lo, hi, events)


# --- notebook 01 as typed sections ----------------------------------------------------------------
class SeriesSummary(BaseModel):
    """Peak, latest and change of one firm's series (results key ``series``)."""

    vendor: str
    n_points: int
    n_bounds: int
    peak_value: float | None
    peak_period: str | None
    latest_value: float | None
    latest_period: str | None
    peak_to_latest_change: float | None
    months_since_peak: float | None


class GrowthPhase(BaseModel):
    metric: str
    series: str
    start_obs: str
    start_period: str
    start_value: float
    end_obs: str
    end_period: str
    end_value: float
    multiple: float
    months: float
    monthly_growth: float


class RankPoint(BaseModel):
    obs_id: str
    metric: str
    vendor: str
    scope: str | None
    period: str
    qualifier: str
    rank: int
    text: str = Field(description="the rank with its qualifier, e.g. '≤3' (presentation.format.rank_text)")


class ForecastPoint(BaseModel):
    months_ahead: int
    date: str
    value: float | None
    low: float | None
    high: float | None


class Basis(Section):
    """Which evidence the run used."""

    evidence: str = Field(description="the evidence the run used: 'articles' or 'all'")


class Trajectory(Section):
    """Which figures exist for the app and metric, one series per measurement firm?"""

    entity: str = Field(description="the entity id")
    entity_name: str = Field(description="its English name")
    metric: Literal["mau", "dau", "wau"] = Field(description="the user metric")
    n_observations: int = Field(description="placeable rows of the entity and metric in the window")
    left_out_rows: dict[str, str] = Field(
        description="rows of the entity and metric that are not dated levels or repeat a measurement: obs_id -> reason"
    )

    name: Name = shown("the entity's display name")
    metric_name: str = shown("the metric's name in words (metrics.csv), e.g. 'monthly active users'")
    rows: pd.DataFrame = shown("every placeable row in the window, with series, kind and period")
    series_names: dict[str, str] = shown("series key -> firm label")
    axis: TimeAxis = shown("x range and events of the trajectory chart")
    source: Citation = shown("the rows of the chart")


class PeakAndLatest(Section):
    """Per firm: where was the peak, where is the latest figure, how far apart? Which series is fitted?"""

    vendor: str = Field(description="the series fitted: a vendor id, 'none' or 'all' (pooled)")
    vendor_label: str = Field(description="that series in words")
    vendor_parameter: str = Field(description="the vendor parameter as given")
    pooled: bool = Field(description="True when every firm is pooled (different panels)")
    n_points: int = Field(description="exact figures in the fitted series")
    peak_value: float | None = Field(description="its largest exact figure")
    peak_period: str | None = Field(description="the period of the peak")
    peak_obs: str | None = Field(description="its observation id")
    latest_value: float | None = Field(description="the latest exact figure")
    latest_period: str | None = Field(description="its period")
    latest_obs: str | None = Field(description="its observation id")
    peak_to_latest_change: float | None = Field(description="latest / peak - 1 (None with one figure)")
    months_since_peak: float | None = Field(description="months between their period midpoints")
    series: dict[str, SeriesSummary] = Field(description="the same for every firm's series")
    higher_elsewhere: list[str] = Field(description="rows of other firms (or bounds) above the fitted series' peak")

    table: pd.DataFrame = shown("series_table: one line per firm")
    head: dict[str, Any] = shown("peak_latest of the fitted series, with peak/latest firm labels")
    chosen: pd.DataFrame = shown("the rows of the fitted series")
    higher: pd.DataFrame = shown("the higher rows, with firm")
    other_metrics: pd.DataFrame = shown("the entity's figures of the other user metrics, with firm")


class DecayFitSection(Section):
    """How fast: the log-linear decay fit of the chosen series, and where its rate would lead."""

    dating: str = Field(description="how a figure is dated")
    days_per_month: float = Field(description="days in a month of the time axis")
    n_fit: int = Field(description="points in the fit")
    fit_status: str = Field(description="'fit', 'no_ci' (two points or dates) or 'too_few'")
    monthly_change: float | None = Field(description="exp(slope) - 1")
    monthly_change_ci: list[float | None] = Field(description="its 95% interval")
    half_life_months: float | None = Field(description="ln 2 / -slope (declining series only)")
    half_life_ci: list[float | None] = Field(description="its 95% interval (None: unbounded)")
    r_squared: float | None = Field(description="R² of the fit (with an interval only)")
    forecast_months: int = Field(description="months extrapolated after the last figure")
    forecast: list[ForecastPoint] = Field(description="the extrapolation with its 95% prediction interval")
    wau_floor: dict[str, Any] | None = Field(
        description="the latest weekly-user figure (obs_id, value, period): monthly users cannot be below it"
    )
    forecast_below_wau_floor: list[str] = Field(description="forecast months (YYYY-MM) whose value is below the floor")

    fit: DecayFit = shown("the fit")
    metric: str = shown("the user metric")
    name: Name = shown("the entity's display name")
    vendor_label: str = shown("the fitted series in words")
    chosen: pd.DataFrame = shown("the rows of the fitted series")
    forecast_table: pd.DataFrame = shown("the extrapolation: months_ahead, t, date, value, low, high, below_wau_floor")
    floor_row: pd.Series | None = shown("the weekly-user floor's row")
    axis: TimeAxis = shown("x range and events of the decay chart")
    source: Citation = shown("the rows of the chart")


class FitBasis(Section):
    """What the rate rests on: the rows in and out of the fit, and how much one point or the dating moves it."""

    fit_rows: list[str] = Field(description="observation ids in the fit")
    excluded_rows: dict[str, str] = Field(description="observation id -> why it is not in the fit")
    leave_one_out: dict[str, float] = Field(description="the monthly change without each point (the peak anchors the fit)")
    monthly_change_quarters_at_last_month: float | None = Field(
        description="the monthly change with quarters dated at their last month"
    )

    fit: DecayFit = shown("the fit")
    metric: str = shown("the user metric")
    used: pd.DataFrame = shown("the rows in the fit, with firm, value and months since the peak")
    left_out: dict[str, str] = shown("rows left out of the series or the fit (repeats listed apart)")
    loo: pd.Series = shown("leave-one-out monthly changes")
    quarters_in_series: bool = shown("whether the series holds a figure for several months")
    other_rates: list[tuple[str, float | None]] = shown("other firms' series with two points or more: (firm, rate)")
    repeat_values: dict[str, float] = shown("value of each row counted once with its quarter")


class ConstantRate(Section):
    """Is the monthly rate constant? The rate between each pair of consecutive dates of the fit."""

    segment_rates: list[dict[str, Any]] = Field(
        description="the constant-rate check: monthly change between consecutive dates of the fit (from_obs, to_obs, "
        "from_period, to_period, months, monthly_change)"
    )
    accelerating: bool | None = Field(description="True when each segment falls faster than the one before")

    segments: pd.DataFrame = shown("the segment rates")


class Growth(Section):
    """Before the fall: the first rise of a user series of the entity."""

    growth_phase: GrowthPhase | None = Field(description="the first rise: start, maximum, multiple, monthly growth")

    name: Name = shown("the entity's display name")
    phases: pd.DataFrame = shown("every rise, one series at a time")
    rows: pd.DataFrame = shown("the rows of the first rise's series")
    axis: TimeAxis | None = shown("x range and events of the growth chart (None without a rise)")
    source: Citation | None = shown("the rows of the chart")


class Ranks(Section):
    """Where did the entity rank, list by list?"""

    ranks: list[RankPoint] = Field(description="every rank row in the window, with its list")

    name: Name = shown("the entity's display name")
    table: pd.DataFrame = shown("rank rows with list_name, rank text and firm")
    axis: TimeAxis | None = shown("x range and events of the rank chart (None without ranks)")
    source: Citation | None = shown("the rows of the chart")


class Annotations(Section):
    """The events drawn on the notebook's time charts."""

    events_annotated: list[str] = Field(description="event ids drawn on any time chart of the run")


class RivalCoverage(Section):
    """Which apps' series can be fitted at all?"""

    table: pd.DataFrame = shown("entity x metric: points, firms, dates, whether a fit is possible")


class EvidenceComparison(Section):
    """The fit on each firm's series with the articles only and with the supplement."""

    table: pd.DataFrame | None = shown("one row per (evidence, series); None without the full dataset")


class DeclineAnalysis(Analysis):
    """Notebook 01: how fast the app lost users, per measurement firm, and how sure we are."""

    notebook: ClassVar[str] = NOTEBOOK

    basis: Basis
    trajectory: Trajectory
    peak: PeakAndLatest
    decay: DecayFitSection
    fit_basis: FitBasis
    constant_rate: ConstantRate
    growth: Growth
    ranks: Ranks
    annotations: Annotations
    coverage: RivalCoverage
    evidence_comparison: EvidenceComparison


DATING = "period midpoint (a quarter at mid-quarter)"


def _firm(ds, rows: pd.DataFrame) -> pd.Series:
    return rows["series"].map(lambda k: vendor_label(ds, k)) if len(rows) else pd.Series(dtype=str)


def _trajectory(ds, P, eid: str, rows: pd.DataFrame) -> Trajectory:
    return Trajectory(
        entity=eid,
        entity_name=ds.name(eid),
        metric=P.metric,
        n_observations=len(rows),
        left_out_rows=placeable(ds.select(entity=eid, metric=P.metric))[1],
        name=name(ds, eid),
        metric_name=str(ds.metrics.at[P.metric, "name"]).lower(),
        rows=rows,
        series_names={k: vendor_label(ds, k) for k in rows["series"].unique()},
        axis=time_axis(ds, pd.concat([rows["period_start"], rows["period_end"]]), P.annotate_events),
        source=cite(ds, rows),
    )


def _peak(ds, P, eid: str, rows: pd.DataFrame, key: str, chosen: pd.DataFrame) -> PeakAndLatest:
    head = peak_latest(chosen)
    table = series_table(ds, rows)
    higher = higher_elsewhere(rows, key, head["peak_value"])
    others = _prepare(ds.select(entity=eid, metric=[x for x in USER_METRICS if x != P.metric]))
    return PeakAndLatest(
        vendor=key,
        vendor_label=vendor_label(ds, key),
        vendor_parameter=P.vendor,
        pooled=key == POOLED,
        n_points=head["n_points"],
        peak_value=head["peak_value"],
        peak_period=head["peak_period"],
        peak_obs=head["peak_obs"],
        latest_value=head["latest_value"],
        latest_period=head["latest_period"],
        latest_obs=head["latest_obs"],
        peak_to_latest_change=head["peak_to_latest_change"],
        months_since_peak=head["months_since_peak"],
        series={
            k: SeriesSummary(
                **{c: (None if c.endswith("period") and not isinstance(r[c], str) else r[c]) for c in SeriesSummary.model_fields}
            )
            for k, r in table.iterrows()
        },
        higher_elsewhere=list(higher.index),
        table=table,
        head={
            **head,
            "peak_series_label": vendor_label(ds, head["peak_series"]) if head["peak_series"] else None,
            "latest_series_label": vendor_label(ds, head["latest_series"]) if head["latest_series"] else None,
        },
        chosen=chosen,
        higher=higher.assign(firm=_firm(ds, higher)),
        other_metrics=others.assign(firm=_firm(ds, others)),
    )


def _decay(ds, P, eid: str, key: str, chosen: pd.DataFrame, fit: DecayFit) -> DecayFitSection:
    floor = weekly_floor(ds, eid, P.metric, key)
    fc = flag_below_floor(forecast(fit, P.forecast_months), floor)
    x_end = None
    if fit.slope is not None and len(fc):
        x_end = fc["date"].max()
        if floor is not None:
            x_end = max(x_end, floor["period_mid"])
    return DecayFitSection(
        dating=DATING,
        days_per_month=DAYS_PER_MONTH,
        n_fit=fit.n,
        fit_status=fit.status,
        monthly_change=fit.monthly_change,
        monthly_change_ci=list(fit.monthly_change_ci),
        half_life_months=fit.half_life,
        half_life_ci=list(fit.half_life_ci),
        r_squared=fit.r_squared,
        forecast_months=P.forecast_months,
        forecast=[
            ForecastPoint(
                months_ahead=int(r["months_ahead"]),
                date=r["date"].date().isoformat(),
                value=r["value"],
                low=r["low"],
                high=r["high"],
            )
            for _, r in fc.iterrows()
        ],
        wau_floor=None
        if floor is None
        else {"obs_id": floor.name, "value": float(floor["base_value"]), "period": floor["period"]},
        forecast_below_wau_floor=[r["date"].strftime("%Y-%m") for _, r in fc.iterrows() if r["below_wau_floor"]],
        fit=fit,
        metric=P.metric,
        name=name(ds, eid),
        vendor_label=vendor_label(ds, key),
        chosen=chosen,
        forecast_table=fc,
        floor_row=floor,
        axis=time_axis(ds, pd.concat([chosen["period_start"], chosen["period_end"]]), P.annotate_events, x_end),
        source=cite(ds, chosen),
    )


def _fit_basis(ds, P, rows: pd.DataFrame, key: str, chosen: pd.DataFrame, fit: DecayFit, left: dict) -> FitBasis:
    loo = leave_one_out(fit)
    other = []
    if key != POOLED:
        for k, g in rows.groupby("series", sort=True):
            if k == key or (g["kind"] == "point").sum() < 2:
                continue
            other.append((vendor_label(ds, k), fit_decay(g, vendor_label(ds, k)).monthly_change))
    used = fit.used.assign(firm=_firm(ds, fit.used))
    return FitBasis(
        fit_rows=list(fit.used.index),
        excluded_rows=fit.excluded,
        leave_one_out=loo.to_dict(),
        monthly_change_quarters_at_last_month=dating_sensitivity(chosen, vendor_label(ds, key)),
        fit=fit,
        metric=P.metric,
        used=used,
        left_out=left,
        loo=loo,
        quarters_in_series=bool((chosen["period_months"] > 1.5).any()),
        other_rates=other,
        repeat_values={oid: float(rows.at[oid, "base_value"]) for oid, why in fit.excluded.items() if why.startswith("repeats ")},
    )


def _growth(ds, P, eid: str) -> Growth:
    phases = growth_phases(ds, eid)
    if not len(phases):
        return Growth(growth_phase=None, name=name(ds, eid), phases=phases, rows=phases, axis=None, source=None)
    g = phases.iloc[0]
    grows = select(ds, eid, g["metric"])
    grows = grows[grows["series"] == g["series"]]
    return Growth(
        growth_phase=GrowthPhase(**{k: g[k] for k in GrowthPhase.model_fields}),
        name=name(ds, eid),
        phases=phases.assign(start_date=phases["start_obs"].map(lambda o: ds.observations.at[o, "period_mid"])),
        rows=grows,
        axis=time_axis(ds, pd.concat([grows["period_start"], grows["period_end"]]), P.annotate_events),
        source=cite(ds, grows),
    )


def _ranks(ds, P, eid: str) -> Ranks:
    s, e = window(P.start, P.end)
    r = rank_rows(ds, eid, s, e)
    return Ranks(
        ranks=[
            RankPoint(
                obs_id=oid,
                metric=x["metric"],
                vendor=vendor_key(x["vendor"]),
                scope=x["scope"] if isinstance(x["scope"], str) else None,
                period=x["period"],
                qualifier=x["qualifier"],
                rank=int(x["value"]),
                text=x["rank"],
            )
            for oid, x in r.iterrows()
        ],
        name=name(ds, eid),
        table=r.assign(firm=r["vendor"].map(lambda v: vendor_label(ds, vendor_key(v)))) if len(r) else r.assign(firm=""),
        axis=time_axis(ds, r["period_mid"], P.annotate_events) if len(r) else None,
        source=cite(ds, r) if len(r) else None,
    )


def coverage(ds) -> pd.DataFrame:
    """Entity x user metric: exact points (+ bounds) and the firms quoting them; which can be fitted."""
    rows = _prepare(ds.select(metric=list(USER_METRICS)))
    out = []
    for (e, m), g in rows.groupby(["entity", "metric"], sort=True):
        vend = g.groupby("series")["kind"].agg(lambda k: int((k == "point").sum()))
        best = int(vend.max())
        out.append(
            {
                "entity": ds.name(e),
                "metric": METRIC_SHORT[m],
                "points (+ bounds)": f"{int((g['kind'] == 'point').sum())} (+{int((g['kind'] != 'point').sum())})",
                "firms": ", ".join(vendor_label(ds, k) for k in vend.index),
                "from": g["period"].iloc[0],
                "to": g["period"].iloc[-1],
                "most points from one firm": best,
                "decay fit possible": "with CI" if best >= MIN_POINTS_FOR_CI else ("rate only" if best == 2 else "no"),
            }
        )
    return pd.DataFrame(out).set_index(["entity", "metric"])


def evidence_comparison(full, P) -> pd.DataFrame | None:
    """The fit on each firm's series under both evidence settings: one row per (evidence, series).

    Columns: evidence, series, exact figures, in the fit, monthly change, ci_low, ci_high."""
    if full.evidence != "all":
        return None
    out = []
    for ev in ("articles", "all"):
        ds = full.with_evidence(ev)
        try:
            rows = select(ds, resolve_entity(ds, P.entity) or P.entity, P.metric, P.start, P.end)
        except (ParameterError, KeyError):  # no rows with this evidence: the table says so by their absence
            continue
        for key, g in rows.groupby("series", sort=True):
            fit = fit_decay(g, vendor_label(ds, key))
            lo, hi = fit.monthly_change_ci
            out.append(
                {
                    "evidence": ev,
                    "series": vendor_label(ds, key),
                    "exact figures": int((g["kind"] == "point").sum()),
                    "in the fit": fit.n,
                    "monthly change": fit.monthly_change,
                    "ci_low": lo,
                    "ci_high": hi,
                }
            )
    return pd.DataFrame(out)


def analyse(ds, P) -> DeclineAnalysis:
    """Run every step for validated parameters P on the full dataset ``ds`` (its ``P.evidence`` part is used;
    the evidence comparison uses both). Raises ParameterError on an empty window."""
    full = ds
    ds = ds.with_evidence(P.evidence)
    eid = resolve_entity(ds, P.entity)
    rows = select(ds, eid, P.metric, P.start, P.end)
    key = resolve_vendor(rows, P.vendor)
    chosen = series_rows(rows, key)
    fit = fit_decay(chosen, vendor_label(ds, key))
    traj = _trajectory(ds, P, eid, rows)
    decay = _decay(ds, P, eid, key, chosen, fit)
    growth = _growth(ds, P, eid)
    ranks = _ranks(ds, P, eid)
    segments = segment_rates(fit)
    axes = [traj.axis, decay.axis, growth.axis, ranks.axis]
    return DeclineAnalysis(
        parameters=P,
        basis=Basis(evidence=P.evidence),
        trajectory=traj,
        peak=_peak(ds, P, eid, rows, key, chosen),
        decay=decay,
        fit_basis=_fit_basis(ds, P, rows, key, chosen, fit, traj.left_out_rows),
        constant_rate=ConstantRate(
            segment_rates=[
                {k: r[k] for k in ("from_obs", "to_obs", "from_period", "to_period", "months", "monthly_change")}
                for _, r in segments.iterrows()
            ],
            accelerating=accelerating(segments),
            segments=segments,
        ),
        growth=growth,
        ranks=ranks,
        annotations=Annotations(events_annotated=sorted({i for a in axes if a is not None for i in a.event_ids})),
        coverage=RivalCoverage(table=coverage(ds)),
        evidence_comparison=EvidenceComparison(table=evidence_comparison(full, P)),
    )
