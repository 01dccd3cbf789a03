"""Notebook 01's vocabulary: metrics, series keys and their labels, the parameters' look-ups, the time axes and
the events drawn on them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kimi_research.data import comparable as C
from kimi_research.data.periods import week_or_period_label
from kimi_research.data.units import DAYS_PER_MONTH
from kimi_research.data.vocabulary import USER_METRICS
from kimi_research.errors import ParameterError

NOTEBOOK = "01_user_decline"
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
#: the vendor parameter's special values: the firm with most points, every firm pooled (rule ``pooled_firms``),
#: the source naming no firm with most points (the comparability layer's keys)
AUTO, POOLED, NO_VENDOR = "auto", C.POOLED, C.NO_FIRM
NO_VENDOR_LABEL = "no firm named"
POOLED_LABEL = "all vendors pooled"
MIN_POINTS_FOR_CI = 3
CONFIDENCE = 0.95
# event kinds drawn on time axes, most important first (launches of rivals are the story)
EVENT_PRIORITY = ("model_launch", "product_launch", "ad_campaign", "funding", "legal", "market")
#: the layer's bound column in the words the notebook uses
KIND_OF_BOUND = {"point": "point", "lower": "lower bound", "upper": "upper bound", "range": "range"}


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
    """The firm a row names: its vendor id, or NO_VENDOR when the source names no firm."""
    return v if isinstance(v, str) and v else NO_VENDOR


def vendor_label(ds, key: str) -> str:
    """A series key in words: a firm's name, 'no firm named, s003' for one source's unattributed rows, or pooled."""
    if not key:
        return "no series in the window"
    if key == NO_VENDOR:
        return NO_VENDOR_LABEL
    if key.startswith(NO_VENDOR + ":"):
        return f"{NO_VENDOR_LABEL}, {key.split(':', 1)[1]}"
    if key == POOLED:
        return POOLED_LABEL
    return ds.name(key)


def vendor_choices(ds, entity_id: str | None, metric) -> list[str]:
    """Values the vendor parameter accepts for this entity and metric."""
    if entity_id is None or metric not in USER_METRICS:
        return [AUTO, POOLED]
    rows = ds.select(entity=entity_id, metric=metric)
    unattributed = rows[rows["vendor"].map(vendor_key) == NO_VENDOR]
    sources = sorted({f"{NO_VENDOR}:{s}" for s in unattributed["source_id"]})
    return [AUTO, POOLED, *sorted({vendor_key(v) for v in rows["vendor"]}), *sources]


def window(start: str, end: str) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """The study window of parameters start/end ('' = no limit on that side)."""
    s = pd.Timestamp(start) if start else None
    e = pd.Timestamp(end) if end else None
    if s is not None and e is not None and s > e:
        raise ParameterError(
            f"invalid parameters for {NOTEBOOK}:\n- parameters 'start' = {start!r} and 'end' = {end!r}: start is after end"
        )
    return s, e


def in_window(rows: pd.DataFrame, start=None, end=None) -> pd.DataFrame:
    """The rows whose period midpoint lies in [start, end] (the layer's :func:`~kimi_research.data.comparable.in_window`)."""
    return rows[C.in_window(rows, (start, end))]


def point_kind(qualifier: str) -> str:
    if qualifier in POINT_QUALIFIERS:
        return "point"
    if qualifier in LOWER_QUALIFIERS:
        return "lower bound"
    if qualifier in UPPER_QUALIFIERS:
        return "upper bound"
    return "range"


def with_kind(rows: pd.DataFrame) -> pd.DataFrame:
    """Layer rows (:func:`~kimi_research.data.comparable.levels`) with the columns the fit and the charts read:
    ``kind`` (point, lower bound, upper bound, range), ``period`` ('week of ...' for a week) and ``obs_id``."""
    r = rows.copy()
    r["kind"] = r["bound"].map(KIND_OF_BOUND).fillna("point") if "bound" in r.columns else "point"
    if len(r):
        r["period"] = [week_or_period_label(x) for _, x in r.iterrows()]
    r["obs_id"] = r.index
    return r


def months_between(a: pd.Timestamp, b) -> np.ndarray | float:
    """(b - a) in months of DAYS_PER_MONTH days; b may be a Series."""
    d = b - a
    if isinstance(d, pd.Series):
        return (d.dt.total_seconds() / 86400 / DAYS_PER_MONTH).to_numpy()
    return d.total_seconds() / 86400 / DAYS_PER_MONTH


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
    d = pd.Series(pd.to_datetime(list(dates))).dropna()
    if extra_end is not None:
        d = pd.concat([d, pd.Series([pd.Timestamp(extra_end)])])
    if d.empty:
        d = pd.Series([C.STUDY_WINDOW[0], C.STUDY_WINDOW[1]])
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
