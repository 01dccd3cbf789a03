"""What did each app spend on advertising per month? Every spend row of the selected apps at its monthly rate,
with its flags; the mean per month by calendar quarter; Kimi's out-spend ratio (the one notebook 02 gives too)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field

from kimi_research.analysis.competitors.selection import KIMI
from kimi_research.analysis.sections import Section, shown
from kimi_research.data.labels import Citation, Name, cite, names
from kimi_research.data.loader import Dataset
from kimi_research.data.periods import period_label, quarter_label

SPEND_METRICS = ("ad_spend", "ad_spend_monthly", "ad_spend_peak_month")


def spend_table(ds: Dataset, entities: list[str]) -> pd.DataFrame:
    """Every advertising row of the selected apps, with its per-month rate and its flags.

    ``per_month``: a flow over a period divided by the months it covers (a quarter -> /3, a
    stated number of days -> days / 30.44); rates (per month already) as written."""
    o = ds.observations
    s = o[o["metric"].isin(SPEND_METRICS) & o["entity"].isin(entities)].copy()
    s["per_month"] = np.where(s["metric"] == "ad_spend", s["base_value_per_month"], s["base_value"])
    s["period"] = s.apply(period_label, axis=1)
    s["lower_bound"] = s["qualifier"].isin([">", ">="])
    s["dated"] = s["period_start"].notna()
    s["flag_text"] = s.apply(_flag_text, axis=1)
    s["name"] = s["entity"].map(ds.name)
    s["vendor_name"] = s["vendor"].map(lambda v: ds.name(v) if isinstance(v, str) else "(none named)")
    s = s.sort_index().sort_values(["entity", "period_start"], na_position="last", kind="stable")
    # the same fact in two articles is two rows: mark the later ones as repeats of the first
    key = [
        s["entity"],
        s["metric"],
        s["period_start"].astype(str),
        s["period_end"].astype(str),
        s["base_value"].astype(str),
        s["vendor"].fillna(""),
    ]
    first = s.groupby(key, dropna=False)["obs_id"].transform("first")
    s["repeat_of"] = np.where(first != s["obs_id"], first, "")
    s["all_obs"] = s.groupby(key, dropna=False)["obs_id"].transform(lambda x: ", ".join(x))
    s["all_sources"] = s.groupby(key, dropna=False)["source_id"].transform(lambda x: ", ".join(sorted(set(x))))
    return s


def _flag_text(r: pd.Series) -> str:
    parts = []
    for f in r["flag_list"]:
        if f == "conflict":
            parts.append(f"conflict ({r['conflict_group']})")
        elif f in ("suspicious", "hearsay", "estimate"):
            parts.append(f)
    if r["qualifier"] in (">", ">="):
        parts.append("lower bound")
    if r["metric"] == "ad_spend_peak_month":
        parts.append("peak month, undated")
    elif pd.isna(r["period_start"]):
        parts.append("undated")
    return "; ".join(parts)


def spend_by_quarter(spend: pd.DataFrame) -> pd.DataFrame:
    """Mean spend per month by app and calendar quarter, from dated point figures (not lower
    bounds) whose period lies inside one quarter. ``months`` = months covered by the figures."""
    s = spend[(spend["metric"] == "ad_spend") & spend["dated"] & ~spend["lower_bound"] & (spend["repeat_of"] == "")].copy()
    s = s[[quarter_label(a) == quarter_label(b) for a, b in zip(s["period_start"], s["period_end"], strict=True)]]
    s["quarter"] = s["period_start"].map(quarter_label)
    g = s.groupby(["quarter", "entity"])
    out = pd.DataFrame(
        {
            "total": g["base_value"].sum(),
            "months": g["period_months"].sum(),
            "low_month": g["per_month"].min(),
            "months_covered": g["period_start"].agg(lambda d: ", ".join(f"{x:%b}" for x in sorted(set(d)))),
            "flags": g["flag_text"].agg(lambda f: "; ".join(sorted({x for x in f if x}))),
            "obs": g["all_obs"].agg(", ".join),
        }
    ).reset_index()
    out["per_month"] = out["total"] / out["months"]
    return out


def outspend_ratio(kimi_months: Any, rivals_per_month: Any) -> float:
    """How many times over Kimi out-spent its rivals: Kimi's lowest reported month over the highest rival's
    per-month rate ("at least N times"). Notebooks 02 and 04 both call this, so they give one ratio."""
    k, r = pd.Series(kimi_months, dtype=float).dropna(), pd.Series(rivals_per_month, dtype=float).dropna()
    if k.empty or r.empty or r.max() <= 0:
        return float("nan")
    return float(k.min() / r.max())


def comparison_quarter(byq: pd.DataFrame, entities: list[str]) -> str | None:
    """The latest quarter with figures for the most selected apps."""
    b = byq[byq["entity"].isin(entities)]
    if b.empty:
        return None
    n = b.groupby("quarter")["entity"].nunique()
    best = n[n == n.max()].index
    return str(sorted(best)[-1])


# --- section -------------------------------------------------------------------------------------
class AdSpend(Section):
    """What did each app spend on advertising per month, and by how much did Kimi out-spend its rivals?"""

    ad_spend_quarter: str | None = Field(description="the comparison quarter: the latest with figures for the most apps")
    ad_spend_per_month: dict[str, float] = Field(description="entity -> mean spend per month in that quarter, CNY")
    ad_spend_flags: dict[str, str] = Field(description="observation id -> its flags (conflict, suspicious, lower bound ...)")

    rows: pd.DataFrame = shown("every spend row: name, period, value_text, per_month, vendor_name, flag_text, repeat_of ...")
    drawn: pd.DataFrame = shown("the dated rows the chart draws over their period (no repeats)")
    undated: pd.DataFrame = shown("the undated rows the chart draws across (no repeats)")
    by_quarter: pd.DataFrame = shown("mean spend per month by quarter and app (point figures only)")
    quarter_rows: pd.DataFrame = shown("the comparison quarter's rows, by entity (empty without a quarter)")
    outspend: float | None = shown("Kimi's lowest month / the highest rival's monthly rate; None when not computable")
    top_rival: str | None = shown("the rival with the highest monthly rate in the quarter")
    names: dict[str, Name] = shown("entity names")
    events: pd.DataFrame = shown("campaigns, funding and legal events for the time axis")
    source: Citation = shown("the rows the chart draws")


def ad_spend(ds: Dataset, sel: list[str]) -> AdSpend:
    spend = spend_table(ds, sel)
    byq = spend_by_quarter(spend)
    quarter = comparison_quarter(byq, sel)
    q = byq[byq["quarter"] == quarter].set_index("entity")
    rivals = q.drop(index=KIMI, errors="ignore")
    comparable = KIMI in q.index and rivals["per_month"].sum() > 0
    flows = (spend["repeat_of"] == "") & spend["metric"].isin(["ad_spend", "ad_spend_monthly"])
    drawn, undated = spend[flows & spend["dated"]], spend[flows & ~spend["dated"]]
    return AdSpend(
        ad_spend_quarter=quarter,
        ad_spend_per_month={e: v for e, v in q["per_month"].items()} if quarter else {},
        ad_spend_flags={i: f for i, f in spend["flag_text"].items() if f},
        rows=spend,
        drawn=drawn,
        undated=undated,
        by_quarter=byq,
        quarter_rows=q,
        outspend=outspend_ratio(pd.Series([q.at[KIMI, "low_month"]]), rivals["per_month"]) if comparable else None,
        top_rival=str(rivals["per_month"].idxmax()) if comparable else None,
        names=names(ds, [*spend["entity"], *byq["entity"]]),
        events=ds.events[ds.events["kind"].isin(["ad_campaign", "funding", "legal"])],
        source=cite(ds, pd.concat([drawn, undated])),
    )
