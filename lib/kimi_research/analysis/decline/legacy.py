"""The row selection notebook 05's scenario engine reads (``analysis.scenarios``): every placeable row of one entity
and metric with ``series`` (the vendor id, or ``'none'``), ``kind`` and ``period``, and the peak and latest point
of such rows.

Notebook 01 itself asks the comparability layer (:mod:`kimi_research.data.comparable`, through
:mod:`.series`); these functions keep the signature and meaning the scenario engine relies on (a month repeating
its quarter's figure stays a row here, so that the engine's 'counted twice' reading can find it) until notebook
05 is rebuilt on the layer.
"""

from __future__ import annotations

from typing import Any, cast

import pandas as pd

from kimi_research.analysis.decline.common import (
    AUTO,
    NO_VENDOR,
    NOTEBOOK,
    POOLED,
    in_window,
    months_between,
    point_kind,
    vendor_key,
    vendor_label,
    window,
)
from kimi_research.data.periods import week_or_period_label
from kimi_research.data.series import LEVEL_KINDS
from kimi_research.data.vocabulary import row_value_text
from kimi_research.errors import ParameterError


def _prepare(rows: pd.DataFrame) -> pd.DataFrame:
    r = rows.copy()
    r["series"] = r["vendor"].map(vendor_key)
    r["kind"] = r["qualifier"].map(point_kind)
    r["period"] = r.apply(week_or_period_label, axis=1) if len(r) else pd.Series(dtype=str)
    return r.sort_index().sort_values(["period_mid", "period_end"], kind="stable")


def placeable(rows: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """The rows that are dated levels, each measurement once, and {obs_id: reason} for the others.

    Left out: an undated row, a row whose ``value_kind`` is not a level, and a row that reports the same
    measurement as another for the same period. A month inside its own quarter's average keeps its row here;
    :func:`~kimi_research.analysis.decline.fit.fit_decay` counts it once."""
    out: dict[str, str] = {}
    for oid in rows.index[rows["period_start"].isna()]:
        out[oid] = "undated: cannot be placed on a time axis"
    if "value_kind" in rows.columns:
        for oid in rows.index[~rows["value_kind"].isin(LEVEL_KINDS) & rows["period_start"].notna()]:
            out[oid] = f"value_kind {rows.at[oid, 'value_kind']!s}: not a level"
    r = rows.drop(index=list(out))
    if "measurement" in r.columns:
        same = r["measurement"].map(lambda m: m in r.index) & (r.index != r["measurement"])
        for oid in r.index[same]:
            m = cast(str, r.at[oid, "measurement"])
            start, end = cast(pd.Timestamp, r.at[oid, "period_start"]), cast(pd.Timestamp, r.at[oid, "period_end"])
            if start == r.at[m, "period_start"] and end == r.at[m, "period_end"]:
                out[oid] = f"the same measurement as {m} (another source quoting it): counted once"
    return rows.drop(index=list(out)), out


def select(ds, entity_id: str, metric: str, start: str = "", end: str = "") -> pd.DataFrame:
    """Every placeable row of the entity and metric inside the window, with ``series``, ``kind``, ``period``.

    Raises ParameterError (naming start/end) when the window leaves nothing."""
    s, e = window(start, end)
    rows, _ = placeable(ds.select(entity=entity_id, metric=metric))
    kept = in_window(rows, s, e)
    if kept.empty:
        span = f"{rows['period_mid'].min().date()} to {rows['period_mid'].max().date()}" if len(rows) else "none"
        raise ParameterError(
            f"invalid parameters for {NOTEBOOK}:\n- parameters 'start' = {start!r} and "
            f"'end' = {end!r}: no {metric} rows of {entity_id} in this window; "
            f"its rows are dated (period midpoints) {span}"
        )
    return _prepare(kept)


def resolve_vendor(rows: pd.DataFrame, vendor: str) -> str:
    """The series a fit uses. 'auto': most exact points; ties -> a named firm, then the latest data."""
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
    g["named"] = ~g.index.str.startswith(NO_VENDOR)
    g = g.reset_index().sort_values(["points", "rows", "named", "last", "series"], ascending=[False, False, False, False, True])
    return str(g.iloc[0]["series"])


def series_rows(rows: pd.DataFrame, key: str) -> pd.DataFrame:
    """Rows of one series (every row when key is POOLED)."""
    return rows if key == POOLED else rows[rows["series"] == key]


PEAK_KEYS = (
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
)


def peak_latest(rows: pd.DataFrame) -> dict:
    """Peak (largest exact point, earliest if tied) and latest exact point of rows with ``kind``/``series``."""
    pts = rows[rows["kind"] == "point"]
    out = {"n_rows": len(rows), "n_points": len(pts), "n_bounds": int((rows["kind"] != "point").sum())}
    if pts.empty:
        return out | dict.fromkeys(PEAK_KEYS)
    peak = (
        pts.loc[cast(Any, pts["base_value"].idxmax())]
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
    """One line per vendor series of :func:`select` rows: rows, points, peak, latest, change, months since the peak."""
    out = []
    for key, g in rows.groupby("series", sort=True):
        s = peak_latest(g)
        bounds = g[g["kind"] != "point"]
        out.append(
            {
                "series": key,
                "vendor": vendor_label(ds, cast(str, key)),
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
