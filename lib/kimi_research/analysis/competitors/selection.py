"""Which apps, which user metric, which period: the vocabulary of notebook 04's parameters, and the rows of a
user metric at a date (the parameter models and notebook 05's scenario engine use these too)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from kimi_research.data import vocabulary as V
from kimi_research.data.comparable import ANY_FIRM, NO_FIRM, levels
from kimi_research.data.loader import Dataset
from kimi_research.errors import ParameterError

KIMI = "kimi"
#: the user metrics (data.vocabulary), in the order the ranking tries them
USER_METRICS = tuple(sorted(V.USER_METRICS, key=("dau", "wau", "mau").index))
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


def _candidates(ds: Dataset, metric: str, apps: list[str]) -> pd.DataFrame:
    """Every exact period of one firm's figures (values of ``metric``, ranks of ``<metric>_rank``) for ``apps``,
    from the comparability layer (each measurement once; change and cumulative rows, undated rows left out):
    period_start, period_end, period (the one label), series, scale, apps (ids), n_apps, kimi, metrics."""
    cols = ["period_start", "period_end", "period", "series", "scale", "apps", "n_apps", "kimi", "metrics", "vendors"]
    rm = rank_metric(ds, metric)
    lv = levels(ds, [metric] + ([rm] if rm else []), list(apps), ANY_FIRM, prefer=None)
    rows = lv.rows
    if rows.empty:
        return pd.DataFrame(columns=cols)
    scale = rows["scale"].where(rows["metric"] == metric, "")
    g = rows.assign(_scale=scale).groupby(["period_start", "period_end", "series"], sort=False)
    out = pd.DataFrame(
        {
            "period": g["period"].first(),
            "scale": g["_scale"].agg(lambda s: ", ".join(sorted({x for x in s if x})) or "rank"),
            "apps": g["entity"].agg(lambda s: sorted(set(s))),
            "metrics": g["metric"].agg(lambda s: ", ".join(sorted(set(s)))),
        }
    ).reset_index()
    out["n_apps"] = out["apps"].map(len)
    out["kimi"] = out["apps"].map(lambda a: KIMI in a)
    out["vendors"] = out["series"].map(lambda v: "(none)" if v.startswith(NO_FIRM) else v)
    return out[cols]


def available_periods(ds: Dataset, metric: str, apps: list[str]) -> pd.DataFrame:
    """The periods with data for ``metric`` (values or ranks) among ``apps``, oldest first: period_start,
    period_end, period, metrics, apps (', '-joined ids), vendors."""
    c = _candidates(ds, metric, apps)
    if c.empty:
        return pd.DataFrame(columns=["period_start", "period_end", "period", "metrics", "apps", "vendors"])
    g = c.groupby(["period_start", "period_end"])
    out = pd.DataFrame(
        {
            "metrics": g["metrics"].agg(lambda s: ", ".join(sorted({m for x in s for m in x.split(", ")}))),
            "apps": g["apps"].agg(lambda s: ", ".join(sorted({a for x in s for a in x}))),
            "vendors": g["vendors"].agg(lambda s: ", ".join(sorted(set(s)))),
            "period": g["period"].first(),
        }
    ).reset_index()
    return out.sort_values(["period_end", "period_start"]).reset_index(drop=True)[
        ["period_start", "period_end", "period", "metrics", "apps", "vendors"]
    ]


def matching_periods(ds: Dataset, metric: str, as_of: str, apps: list[str]) -> pd.DataFrame:
    """The candidate (period, firm) pairs for ``as_of``, best first (see :func:`resolve_as_of`)."""
    c = _candidates(ds, metric, apps)
    if c.empty:
        return c
    if as_of == "latest":
        several = c[c["n_apps"] >= 2]
        m = several if len(several) else c
        m = m[m["period_end"] == m["period_end"].max()]
    else:
        lo, hi = parse_as_of(as_of)
        m = (
            c[(c["period_start"] <= lo) & (c["period_end"] >= lo)]
            if lo == hi
            else c[(c["period_start"] >= lo) & (c["period_end"] <= hi)]
        )
    m = m.assign(_len=(m["period_end"] - m["period_start"]).dt.days, _named=m["series"].str.startswith(NO_FIRM))
    return m.sort_values(
        ["n_apps", "_named", "kimi", "period_end", "_len", "series"], ascending=[False, True, False, False, True, True]
    ).drop(columns=["_len", "_named"])


def resolve_as_of(ds: Dataset, metric: str, as_of: str, apps: list[str]) -> dict[str, Any]:
    """Turn the ``as_of`` parameter into one exact period and firm with data; ParameterError when none.

    The figures compared are those of exactly one period (a quarter's average is not a figure for one of its
    months, a week is not the month's) on one firm's list: 'latest' -> the period ending last in which one firm
    gives the metric for two or more of ``apps`` (any period when none does); a date -> a period containing
    it; a month -> the month itself or a period inside it. Among several: the one with most apps, a named firm,
    Kimi's, the latest, the shortest."""
    periods = available_periods(ds, metric, apps)
    listing = "; ".join(f"{r['period']} ({r['metrics']})" for _, r in periods.iterrows()) or "none"
    if periods.empty:
        raise ParameterError(f"parameter 'metric' = {metric!r}: no data for the selected apps ({', '.join(apps)})")
    m = matching_periods(ds, metric, as_of, apps)
    if m.empty:
        raise ParameterError(
            f"parameter 'as_of' = {as_of!r}: no {metric} data for the selected apps in that period; "
            f"periods with data for {metric}: {listing}"
        )
    best = m.iloc[0]
    lo, hi = (best["period_end"], best["period_end"]) if as_of == "latest" else parse_as_of(as_of)
    return {
        "requested": as_of,
        "kind": "latest" if as_of == "latest" else "date" if lo == hi else "month",
        "window_start": best["period_start"],
        "window_end": best["period_end"],
        "start": best["period_start"],
        "end": best["period_end"],
        "label": best["period"],
        "series": best["series"],
        "scale": best["scale"],
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
