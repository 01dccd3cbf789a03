"""Where did Kimi rank before? Every rank row about Kimi in a user list, its rank a year before the chosen date,
and the places it lost on the same vendor's list (notebook 05's scenario engine reads the rank change too)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from pydantic import BaseModel, Field

from kimi_research.analysis.competitors.selection import KIMI, USER_METRICS, best_row, rank_metric
from kimi_research.analysis.sections import FROZEN, Section, shown
from kimi_research.data.comparable import ANY_FIRM, levels
from kimi_research.data.comparable import rank_history as layer_rank_history
from kimi_research.data.labels import Citation, cite
from kimi_research.data.loader import Dataset
from kimi_research.data.vocabulary import rank_text

YEAR_WINDOW_DAYS = 62  # "a year before" = a period ending 365 +/- 62 days before the as-of date


def kimi_rank_history(ds: Dataset) -> pd.DataFrame:
    """Every rank of Kimi in a user list (MAU, WAU, DAU ranks), oldest first, one list at a time: the
    comparability layer's :func:`~kimi_research.data.comparable.rank_history` of each list (one rank metric, one
    firm, one scope: the monthly and the weekly list are two histories), each measurement once. ``list_key`` names
    the list; ``list`` is its readable name."""
    ms = [rm for m in USER_METRICS if (rm := rank_metric(ds, m))]
    lv = levels(ds, ms, [KIMI], ANY_FIRM)
    rows = lv.rows
    scope = rows["scope"].fillna("") if "scope" in rows.columns else pd.Series("", index=rows.index)
    keys = sorted(set(rows["metric"] + " · " + rows["series"] + " · " + scope))
    parts = [layer_rank_history(ds, KIMI, ms, list_key=k).rows.assign(list_key=k) for k in keys]
    h = pd.concat(parts) if parts else rows.assign(list_key=pd.Series(dtype=object))
    h["rank_text"] = [rank_text(v, q) for q, v in zip(h["qualifier"], h["value"], strict=True)]
    h["vendor_name"] = h["vendor"].map(lambda v: ds.name(v) if isinstance(v, str) else "no firm named")
    h["list"] = h["vendor_name"] + " " + h["metric"].str.replace("_rank", "").str.upper() + " · " + h["scope"].fillna("")
    return h.sort_index().sort_values(["period_end", "metric"], kind="stable")


def year_before(history: pd.DataFrame, as_of_end: pd.Timestamp, window: int = YEAR_WINDOW_DAYS) -> pd.DataFrame:
    """Kimi's rank rows for periods ending 365 ± ``window`` days before ``as_of_end``."""
    target = as_of_end - pd.Timedelta(days=365)
    gap = (history["period_end"] - target).dt.days.abs()
    return history[gap <= window]


def rank_change(
    history: pd.DataFrame, rank_metric_id: str, vendor: str, now_rank: int | None, now_end: pd.Timestamp
) -> dict[str, Any] | None:
    """Kimi's rank a year before in the same vendor's list of the same metric, and the change.

    'places_lost' > 0 means Kimi fell; with a bound before (≤3) the fall is 'at least'."""
    yb = year_before(history[(history["metric"] == rank_metric_id) & (history["vendor"].fillna("") == vendor)], now_end)
    if yb.empty or now_rank is None:
        return None
    r = best_row(yb)
    before = int(r["value"])
    exact = r["qualifier"] == "="
    return {
        "metric": rank_metric_id,
        "vendor": vendor,
        "before_period": r["period"],
        "before_rank": before,
        "before_text": r["rank_text"],
        "before_obs": r["obs_id"],
        "now_rank": int(now_rank),
        "places_lost": int(now_rank) - before,
        "exact": bool(exact),
        "text": (f"{before} → {int(now_rank)}" if exact else f"{r['rank_text']} → {int(now_rank)}"),
    }


# --- section -------------------------------------------------------------------------------------
class RankChange(BaseModel):
    """Kimi's rank a year before on the same vendor's list of the same metric, and now."""

    model_config = FROZEN

    metric: str = Field(description="the rank metric ('wau_rank')")
    vendor: str
    before_period: str
    before_rank: int
    before_text: str = Field(description="the rank a year before as text ('2', '≤3')")
    before_obs: str
    now_rank: int
    places_lost: int = Field(description="now - before: > 0 means Kimi fell")
    exact: bool = Field(description="False when the rank a year before is a bound (the fall is then 'at least')")
    text: str = Field(description="'2 → 7'")


class YearBeforeRank(BaseModel):
    """One of Kimi's rank rows a year before the chosen date."""

    model_config = FROZEN

    metric: str
    period: str
    rank: int
    rank_text: str
    vendor: str | None
    obs_id: str


class RankHistory(Section):
    """Where did Kimi rank a year before, and on each vendor's list since?"""

    rank_change: RankChange | None = Field(description="the change on the ranking's own list; None without a rank then")
    kimi_rank_year_before: list[YearBeforeRank] = Field(description="every rank row of Kimi a year before (any list)")

    history: pd.DataFrame = shown("every rank row of Kimi, oldest first: period, list, rank_text, vendor_name, scope ...")
    year_before_rows: pd.DataFrame = shown("the rows a year before the chosen date")
    rank_metric: str | None = shown("the rank metric of the ranking's user metric ('wau_rank')")
    events: pd.DataFrame = shown("model launches for the time axis")
    source: Citation = shown("the rank rows the chart shows")


def rank_history(ds: Dataset, metric: str, vendor: str, kimi_rank: int | None, as_of_end: pd.Timestamp) -> RankHistory:
    history = kimi_rank_history(ds)
    rm = rank_metric(ds, metric)
    change = rank_change(history, rm, vendor, kimi_rank, as_of_end) if rm else None
    yb = year_before(history, as_of_end)
    return RankHistory(
        rank_change=RankChange(**change) if change else None,
        kimi_rank_year_before=[
            YearBeforeRank(
                metric=r["metric"],
                period=r["period"],
                rank=int(r["value"]),
                rank_text=r["rank_text"],
                vendor=r["vendor"] if isinstance(r["vendor"], str) else None,
                obs_id=r["obs_id"],
            )
            for _, r in yb.iterrows()
        ],
        history=history,
        year_before_rows=yb,
        rank_metric=rm,
        events=ds.events[ds.events["kind"] == "model_launch"],
        source=cite(ds, history),
    )
