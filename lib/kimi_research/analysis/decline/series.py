"""Which figures stand side by side: the entity's levels of one metric from the comparability layer
(:mod:`kimi_research.data.comparable`), one series per firm, the study window, and each series' trend, peak and
latest figure.

* **One series per firm.** Measurement firms use different panels; their figures are never joined into one line.
  Rows that name no firm form a series only within one source (``none:<source_id>``). The vendor parameter
  ``"all"`` pools every firm for the fit (the layer's named rule ``pooled_firms``) and everything built from it is
  labelled as pooled.
* **Dating.** A row is dated at the midpoint of its period (``period_mid``): a month at its middle day, a quarter
  at mid-quarter (Q3 2025 -> 2025-08-15 12:00). Time differences are counted in months of ``DAYS_PER_MONTH``
  (365.25 / 12) days.
* **Points and bounds.** Only rows with qualifier ``=`` or ``~`` are points. ``>``/``>=`` are lower bounds,
  ``<``/``<=`` upper bounds, ``range`` a range: drawn open, never a peak, a latest value or a point of a fit.
* **Study window and special days.** Figures outside the window (parameters start/end, by default
  :data:`~kimi_research.data.comparable.STUDY_WINDOW`) or of a special day are drawn and listed, never fitted,
  never a peak or the latest figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import pandas as pd

from kimi_research.analysis.decline.common import (
    AUTO,
    NO_VENDOR,
    POOLED,
    months_between,
    vendor_label,
    with_kind,
)
from kimi_research.data import comparable as C
from kimi_research.data.vocabulary import row_value_text


def memo(ds, key: tuple, make):
    """A selection computed once per dataset (datasets are immutable): notebook 01 asks for the same levels from
    several sections, and a run for every entity asks for the same stickiness and coverage."""
    store = ds.__dict__.setdefault("_decline_memo", {}) if hasattr(ds, "__dict__") else {}
    if key not in store:
        store[key] = make()
    return store[key]


def levels_of(ds, metric: str | list[str], entity: str) -> C.Comparable:
    """The layer's :func:`~kimi_research.data.comparable.levels` of one entity, computed once per dataset."""
    key = ("levels", tuple(metric) if isinstance(metric, list) else metric, entity)
    return memo(ds, key, lambda: C.levels(ds, metric, [entity]))


@dataclass(frozen=True)
class Levels:
    """Every dated level of one entity and metric (the layer's :func:`~kimi_research.data.comparable.levels`),
    split into what the notebook compares and what it lists."""

    entity: str
    metric: str
    window: tuple  # (start, end); an end None is open
    every: pd.DataFrame  # every dated level, with kind/period and ``usable`` (in the window, not a special day)
    left_out: dict[str, str]  # obs_id -> reason: not a level, undated, a repeat, outside the window, a special day
    rules: tuple[str, ...]  # the layer's rules applied
    comparable: C.Comparable  # the layer's levels (what :func:`trend_of` reads)

    @property
    def rows(self) -> pd.DataFrame:
        """The levels that stand side by side: inside the window, not a special day (points and bounds)."""
        return self.every[self.every["usable"]]

    @property
    def listed(self) -> pd.DataFrame:
        """Levels drawn but never compared: outside the window or of a special day."""
        return self.every[~self.every["usable"]]


def study_levels(ds, entity: str, metric: str, window: tuple = C.STUDY_WINDOW) -> Levels:
    """The entity's levels of ``metric`` (:func:`~kimi_research.data.comparable.levels`), each measurement once,
    with the rows outside ``window`` and the special days listed (rules ``outside_window``, ``special_day``)."""
    lv = levels_of(ds, metric, entity)
    every = with_kind(lv.rows)
    inside = C.in_window(every, window)
    special = every["special_day"].astype(bool)
    every["usable"] = inside & ~special
    every["why_listed"] = ""
    text = C.window_text(window)
    left = dict(lv.reasons)
    rules = list(lv.rules)
    for oid, r in every.iterrows():
        oid = cast(str, oid)
        if r["special_day"]:
            why = f"a special day ({r['period']}): drawn and listed, never fitted, never the peak or the latest figure"
            rules.append("special_day")
        elif not inside[oid]:
            why = f"{r['period']} is outside the study window ({text}): drawn and listed, never fitted"
            rules.append("outside_window")
        else:
            continue
        every.at[oid, "why_listed"] = why
        left[oid] = why
    every = every.sort_values(["period_mid", "period_end"], kind="stable")
    return Levels(entity, metric, tuple(window), every, dict(sorted(left.items())), tuple(dict.fromkeys(rules)), lv)


def choose_vendor(lv: Levels, vendor: str) -> str:
    """The series the fit uses: ``auto`` = the series with most points in the window (the layer's
    :func:`~kimi_research.data.comparable.choose_series`), ``none`` = the source naming no firm with most points,
    ``all`` = pooled, else the firm given."""
    rows = lv.rows
    if vendor == AUTO:
        return C.choose_series(rows) or AUTO
    if vendor == NO_VENDOR:
        return C.choose_series(rows[rows["series"].str.startswith(NO_VENDOR + ":")]) or NO_VENDOR
    return vendor


def trend_of(ds, lv: Levels, series: str) -> C.Trend:
    """The layer's :func:`~kimi_research.data.comparable.trend` of one series over the notebook's window."""
    return C.trend_in(lv.comparable, series=series, window=lv.window)


def trend_rows(t: C.Trend) -> pd.DataFrame:
    """A trend's points with the columns the fit reads (kind, period, obs_id), in time order."""
    return with_kind(t.rows).sort_values(["period_mid", "period_end"], kind="stable")


@dataclass(frozen=True)
class PeakLatest:
    """The peak and the latest figure of one series' trend points (the layer's ``peak`` and ``latest``)."""

    series: str
    n_points: int
    n_bounds: int
    peak: pd.Series | None
    latest: pd.Series | None
    others: pd.DataFrame  # conflicting figures for the peak's or the latest's period, not used (rule conflict_choice)
    n_trend: int = 0  # the trend points peak and latest are taken from

    @property
    def single(self) -> bool:
        """One figure (or none): a level, no change to speak of."""
        return self.peak is None or self.latest is None or self.n_trend < 2

    @property
    def change(self) -> float | None:
        if self.single or self.peak is None or self.latest is None:
            return None
        return float(self.latest["base_value"] / self.peak["base_value"] - 1)

    @property
    def months(self) -> float | None:
        if self.single or self.peak is None or self.latest is None:
            return None
        return float(months_between(self.peak["period_mid"], self.latest["period_mid"]))


def peak_and_latest(t: C.Trend, lv: Levels) -> PeakLatest:
    """Peak and latest of a series' trend points: special days never, bounds never; conflicting figures for the
    chosen period are returned in ``others`` (the choice named: rule ``conflict_choice``)."""
    key = t.series
    in_series = lv.rows if key == POOLED else lv.rows[lv.rows["series"] == key]
    n_points, n_bounds = int((~in_series["open"]).sum()), int(in_series["open"].sum())
    if t.rows.empty:
        return PeakLatest(key, n_points, n_bounds, None, None, t.rows.iloc[0:0])
    by = ("entity",)
    top = C.peak(t, by=by, choose=True)
    last = C.latest(t, by=by, choose=True)
    conflicting = [i for x in (top, last) for i in x.left_out.index[x.left_out["rule"] == "conflict_choice"]]
    rows = trend_rows(t)
    return PeakLatest(
        key,
        n_points,
        n_bounds,
        rows.loc[top.rows.index[0]],
        rows.loc[last.rows.index[0]],
        rows.loc[sorted(set(conflicting))],
        len(rows),
    )


def series_table(ds, lv: Levels) -> pd.DataFrame:
    """One line per series in the window: rows, points, bounds, peak, latest, change, months since the peak."""
    out = []
    rows = lv.rows
    for key, g in rows.groupby("series", sort=True):
        pl = peak_and_latest(trend_of(ds, lv, str(key)), lv)
        bounds = g[g["open"]]
        out.append(
            {
                "series": key,
                "vendor": vendor_label(ds, str(key)),
                "n_rows": len(g),
                "n_points": pl.n_points,
                "n_bounds": pl.n_bounds,
                "peak_obs": None if pl.peak is None else pl.peak.name,
                "peak_value": None if pl.peak is None else float(pl.peak["base_value"]),
                "peak_period": None if pl.peak is None else pl.peak["period"],
                "latest_obs": None if pl.latest is None else pl.latest.name,
                "latest_value": None if pl.latest is None else float(pl.latest["base_value"]),
                "latest_period": None if pl.latest is None else pl.latest["period"],
                "peak_to_latest_change": pl.change,
                "months_since_peak": pl.months,
                "bounds": "; ".join(f"{row_value_text(r)} ({r['period']}, {r['kind']})" for _, r in bounds.iterrows()),
            }
        )
    cols = [
        "series", "vendor", "n_rows", "n_points", "n_bounds", "peak_obs", "peak_value", "peak_period", "latest_obs",
        "latest_value", "latest_period", "peak_to_latest_change", "months_since_peak", "bounds",
    ]  # fmt: skip
    t = pd.DataFrame(out, columns=cols).set_index("series")
    return t.sort_values(["n_points", "vendor"], ascending=[False, True], kind="stable")


def higher_elsewhere(rows: pd.DataFrame, key: str, peak_value: float | None) -> pd.DataFrame:
    """Figures outside the fitted series (other firms' points, lower bounds) above its peak."""
    if peak_value is None:
        return rows.iloc[0:0]
    other = (
        rows[rows["kind"] == "lower bound"]
        if key == POOLED
        else rows[(rows["series"] != key) & rows["kind"].isin(["point", "lower bound"])]
    )
    return other[other["base_value"] > peak_value]
