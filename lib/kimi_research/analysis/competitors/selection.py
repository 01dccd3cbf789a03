"""Which apps, which user metric, which period: the vocabulary of notebook 04's parameters, and the rows of a
user metric at a date (the parameter models and notebook 05's scenario engine use these too)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from kimi_research.data.loader import Dataset
from kimi_research.data.periods import period_label
from kimi_research.errors import ParameterError

KIMI = "kimi"
USER_METRICS = ("dau", "wau", "mau")
QUALIFIER_PRIORITY = {"=": 0, "~": 1, ">=": 2, ">": 2, "<=": 2, "<": 2, "range": 3}


def apps_with_data(ds: Dataset) -> list[str]:
    """Entity ids of kind 'app' that have at least one observation."""
    apps = set(ds.entities.index[ds.entities["kind"] == "app"])
    return sorted(apps & set(ds.observations["entity"]))


def ranking_metrics(ds: Dataset) -> list[str]:
    """User metrics (stock) with dated observations for apps."""
    o = ds.observations
    o = o[o["entity"].isin(apps_with_data(ds)) & o["period_start"].notna()]
    return [m for m in USER_METRICS if m in set(o["metric"])]


def rank_metric(ds: Dataset, metric: str) -> str | None:
    m = f"{metric}_rank"
    return m if m in ds.metrics.index else None


def selection(entities: Any, apps: list[str]) -> list[str]:
    """The apps to show: 'all' -> every app with data; Kimi always included (first)."""
    chosen = list(apps) if entities == "all" else list(dict.fromkeys(entities))
    return [KIMI] + [e for e in chosen if e != KIMI] if KIMI in apps else chosen


def parse_as_of(value: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """'YYYY-MM-DD' -> (day, day); 'YYYY-MM' -> (first, last day of the month)."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            d = pd.Timestamp(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a valid date") from None
        return d, d
    if re.fullmatch(r"\d{4}-\d{2}", value):
        try:
            start = pd.Timestamp(value + "-01")
        except ValueError:
            raise ValueError(f"{value!r} is not a valid month") from None
        return start, start + pd.offsets.MonthEnd(0)
    raise ValueError(f"expected 'latest', an ISO date YYYY-MM-DD or a month YYYY-MM, got {value!r}")


# --- rows at a date ------------------------------------------------------------------------
def metric_rows(ds: Dataset, metric: str, apps: list[str] | None = None) -> pd.DataFrame:
    """Dated value rows of ``metric`` and rank rows of ``<metric>_rank`` for apps.

    Adds ``role`` ('value' or 'rank') and ``vendor_key`` ('' when no firm is named)."""
    rm = rank_metric(ds, metric)
    metrics = [metric] + ([rm] if rm else [])
    o = ds.observations
    o = o[o["metric"].isin(metrics) & o["period_start"].notna()]
    o = o[o["entity"].isin(apps if apps is not None else apps_with_data(ds))].copy()
    o["role"] = np.where(o["metric"] == metric, "value", "rank")
    o["vendor_key"] = o["vendor"].fillna("")
    return o


def available_periods(ds: Dataset, metric: str, apps: list[str]) -> pd.DataFrame:
    """The periods with data for ``metric`` (values or ranks) among ``apps``, oldest first."""
    o = metric_rows(ds, metric, apps)
    if o.empty:
        return pd.DataFrame(columns=["period_start", "period_end", "period", "metrics", "apps", "vendors"])
    g = o.groupby(["period_start", "period_end"])
    out = pd.DataFrame(
        {
            "metrics": g["metric"].agg(lambda s: ", ".join(sorted(set(s)))),
            "apps": g["entity"].agg(lambda s: ", ".join(sorted(set(s)))),
            "vendors": g["vendor_key"].agg(lambda s: ", ".join(sorted({v or "(none)" for v in s}))),
        }
    ).reset_index()
    out["period"] = out.apply(period_label, axis=1)
    return out.sort_values(["period_end", "period_start"]).reset_index(drop=True)


def resolve_as_of(ds: Dataset, metric: str, as_of: str, apps: list[str]) -> dict[str, Any]:
    """Turn the ``as_of`` parameter into a date window with data; ParameterError when none.

    'latest' -> the end date of the most recent period with data (rows containing that date);
    a date -> rows whose period contains it; a month -> rows whose period overlaps it."""
    periods = available_periods(ds, metric, apps)
    listing = "; ".join(f"{r['period']} ({r['metrics']})" for _, r in periods.iterrows()) or "none"
    if periods.empty:
        raise ParameterError(f"parameter 'metric' = {metric!r}: no data for the selected apps ({', '.join(apps)})")
    if as_of == "latest":
        d = periods["period_end"].max()
        lo, hi, kind = d, d, "latest"
    else:
        lo, hi = parse_as_of(as_of)
        kind = "date" if lo == hi else "month"
    rows = rows_in_window(metric_rows(ds, metric, apps), lo, hi)
    if rows.empty:
        raise ParameterError(
            f"parameter 'as_of' = {as_of!r}: no {metric} data for the selected apps in that period; "
            f"periods with data for {metric}: {listing}"
        )
    spans = rows[["period_start", "period_end"]].drop_duplicates()
    label = (
        period_label(spans.iloc[0])
        if len(spans) == 1
        else f"periods containing {lo.date()}"
        if lo == hi
        else f"periods overlapping {as_of}"
    )
    return {
        "requested": as_of,
        "kind": kind,
        "window_start": lo,
        "window_end": hi,
        "start": rows["period_start"].min(),
        "end": rows["period_end"].max(),
        "label": label,
        "periods_with_data": list(periods["period"]),
    }


def rows_in_window(o: pd.DataFrame, lo: pd.Timestamp, hi: pd.Timestamp) -> pd.DataFrame:
    """Rows whose period overlaps [lo, hi] (for a single day: contains it)."""
    return o[(o["period_start"] <= hi) & (o["period_end"] >= lo)]


def best_row(rows: pd.DataFrame) -> pd.Series:
    """Among several rows for one app: '=' before '~' before bounds, then the shortest period,
    then the latest, then the lowest obs id."""
    r = rows.assign(
        _q=rows["qualifier"].map(QUALIFIER_PRIORITY).fillna(9),
        _len=(rows["period_end"] - rows["period_start"]).dt.days,
        _end=-rows["period_end"].astype("int64"),
    )
    r = r.assign(_id=r["obs_id"].to_numpy()).reset_index(drop=True)
    return r.sort_values(["_q", "_len", "_end", "_id"]).iloc[0].drop(["_q", "_len", "_end", "_id"])
