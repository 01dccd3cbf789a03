"""What did each app spend on advertising per month? Every spend row of the selected apps at its monthly rate,
with its flags; the spend per month by calendar quarter from the comparability layer's ``period_total`` (the
widest window covering the quarter, never a window added to the windows it contains); Kimi's out-spend ratio."""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from kimi_research.analysis.competitors.selection import KIMI
from kimi_research.analysis.sections import FROZEN, Section, shown
from kimi_research.data.comparable import LEVEL_KINDS, annotate, period_total
from kimi_research.data.labels import Citation, Name, cite, names
from kimi_research.data.loader import Dataset
from kimi_research.data.measurements import measurement_ids
from kimi_research.data.periods import period_label, quarter_label

SPEND_METRICS = ("ad_spend", "ad_spend_monthly", "ad_spend_peak_month")


def spend_table(ds: Dataset, entities: list[str]) -> pd.DataFrame:
    """Every advertising row of the selected apps, with its per-month rate, its flags and the comparability
    layer's columns (``bound``, ``open``, ``grain``, ``series``, ``special_day`` ...).

    ``per_month``: a flow over a period divided by the months it covers (a quarter -> /3, a stated number of
    days -> days / 30.44); rates (per month already) as written. The same figure in several sources is one
    measurement (the layer's rule ``same_measurement``): ``repeat_of`` names the row kept for it."""
    o = ds.observations
    s = annotate(o[o["metric"].isin(SPEND_METRICS) & o["entity"].isin(entities)])
    s["per_month"] = np.where(s["metric"] == "ad_spend", s["base_value_per_month"], s["base_value"])
    s["period"] = s.apply(period_label, axis=1)
    s["lower_bound"] = s["bound"] == "lower"
    s["dated"] = s["period_start"].notna()
    s["flag_text"] = s.apply(_flag_text, axis=1)
    s["name"] = s["entity"].map(ds.name)
    s["vendor_name"] = s["vendor"].map(lambda v: ds.name(v) if isinstance(v, str) else "(none named)")
    s = s.sort_index().sort_values(["entity", "period_start"], na_position="last", kind="stable")
    m = measurement_ids(s) if len(s) else pd.Series(dtype=object)
    s["repeat_of"] = np.where(m != s.index, m, "")
    groups = s.groupby(m, sort=False)
    s["all_obs"] = m.map(groups.apply(lambda g: ", ".join(g.index)))
    s["all_sources"] = m.map(groups["source_id"].agg(lambda x: ", ".join(sorted(set(x)))))
    return s


def _flag_text(r: pd.Series) -> str:
    parts = []
    for f in r["flag_list"]:
        if f == "conflict":
            parts.append(f"conflict ({r['conflict_group']})")
        elif f in ("suspicious", "hearsay", "estimate"):
            parts.append(f)
        elif f == "special_day":
            parts.append("campaign or special day")
    if r["qualifier"] in (">", ">="):
        parts.append("lower bound")
    if r["value_kind"] == "cumulative":
        parts.append("cumulative: never the total of a window")
    if r["metric"] == "ad_spend_peak_month":
        parts.append("peak month, undated")
    elif pd.isna(r["period_start"]):
        parts.append("undated")
    return "; ".join(parts)


def _months_text(used: pd.DataFrame, quarter: str) -> str:
    if len(used) == 1 and period_label(used.iloc[0]) == quarter:
        return "the quarter"
    return ", ".join(f"{r['period_start']:%b}" if r["grain"] == "month" else period_label(r) for _, r in used.iterrows())


def spend_by_quarter(spend: pd.DataFrame) -> pd.DataFrame:
    """Spend per month by app and calendar quarter, from the comparability layer's ``period_total`` of
    ``ad_spend`` over each quarter a dated figure touches: the quarter's own figure when there is one (the
    windows inside it listed, never added: rule ``widest_window``), else the non-overlapping windows inside it
    (a lower bound when they leave days uncovered). ``per_month`` = the total ÷ the months its windows cover
    (a quarter's total ÷ 3; Kimi's two months ÷ 2); ``months`` = those months; ``low_month`` = the lowest monthly
    rate of the windows used ("at least, each month"); ``bound`` 'lower' = the quarter's total may be larger;
    ``open_figure`` = a figure used is itself a bound ('超亿元'); ``parts_total`` = the windows inside a quarter's own
    figure, added (a cross-check, never the figure used)."""
    cols = [
        "quarter",
        "entity",
        "total",
        "months",
        "per_month",
        "low_month",
        "months_covered",
        "coverage",
        "bound",
        "open_figure",
        "flags",
        "obs",
        "left_out",
        "alternatives",
        "parts_total",
        "parts_bound",
        "rules",
    ]
    s = spend[(spend["metric"] == "ad_spend") & spend["dated"] & spend["value_kind"].isin(LEVEL_KINDS)]
    rows = []
    for e, g in s.groupby("entity", sort=True):
        quarters = sorted(
            {
                quarter_label(d)
                for a, b in zip(g["period_start"], g["period_end"], strict=True)
                for d in pd.date_range(a, b, freq="MS")
            }
            | {quarter_label(a) for a in g["period_start"]}
        )
        for q in quarters:
            t = period_total(spend, str(e), "ad_spend", q)
            if t.value is None or t.rows.empty:
                continue
            used = t.rows.sort_values("period_start")
            rates = [float(r["base_value"]) / float(r["period_months"]) for _, r in used.iterrows()]
            obs = ", ".join(spend.loc[i, "all_obs"] if i in spend.index else str(i) for i in used.index)
            rows.append(
                {
                    "quarter": q,
                    "entity": e,
                    "total": t.value,
                    "months": t.months,
                    "per_month": t.per_month,
                    "low_month": min(rates),
                    "months_covered": _months_text(used, q),
                    "coverage": t.coverage,
                    "bound": t.bound,
                    "open_figure": bool(used["open"].any()),
                    "flags": "; ".join(sorted({f for f in used["flag_text"] if f})),
                    "obs": obs,
                    "left_out": dict(zip(t.left_out.index, t.left_out["reason"], strict=True)),
                    "alternatives": list(t.alternatives.index) if len(t.alternatives) else [],
                    "parts_total": t.parts.value if t.parts is not None else None,
                    "parts_bound": t.parts.bound if t.parts is not None else None,
                    "rules": list(t.rules),
                }
            )
    return pd.DataFrame(rows, columns=cols)


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


def peak_quarter(spend: pd.DataFrame) -> str | None:
    """The quarter of Kimi's largest reported month of ad spend (the quarter notebook 02 compares its peak
    months with); None without a dated monthly figure of Kimi's."""
    k = spend[
        (spend["entity"] == KIMI)
        & (spend["metric"] == "ad_spend")
        & (spend["grain"] == "month")
        & ~spend["open"]
        & spend["dated"]
    ]
    if k.empty:
        return None
    return quarter_label(cast(pd.Timestamp, k.loc[cast(Any, k["base_value"].idxmax()), "period_start"]))


# --- section -------------------------------------------------------------------------------------
class QuarterSpend(BaseModel):
    """How one app's spend per month in the comparison quarter was obtained."""

    model_config = FROZEN

    per_month: float = Field(description="CNY per month: the total ÷ the months its figures cover")
    total: float = Field(description="CNY over the months covered")
    months_covered: str = Field(description="'the quarter', or the months with figures ('Oct, Nov')")
    coverage: float = Field(description="share of the quarter's days the figures cover (1 = the whole quarter)")
    bound: str = Field(
        description="'point', or 'lower': the quarter's total is at least the sum (days uncovered or a bound used)"
    )
    obs_ids: list[str] = Field(description="the figures used (with the repeats of each in other sources)")
    left_out: dict[str, str] = Field(description="obs_id -> why a figure touching the quarter is not added")


class AdSpend(Section):
    """What did each app spend on advertising per month, and by how much did Kimi out-spend its rivals?"""

    ad_spend_quarter: str | None = Field(description="the comparison quarter: the latest with figures for the most apps")
    ad_spend_per_month: dict[str, float] = Field(description="entity -> mean spend per month in that quarter, CNY")
    ad_spend_flags: dict[str, str] = Field(description="observation id -> its flags (conflict, suspicious, lower bound ...)")
    ad_spend_basis: dict[str, QuarterSpend] = Field(
        description="entity -> how its spend in the comparison quarter was obtained (the comparability layer's "
        "period_total: the figures used, the coverage, whether it is a lower bound, what was left out and why)"
    )

    rows: pd.DataFrame = shown("every spend row: name, period, value_text, per_month, vendor_name, flag_text, repeat_of ...")
    drawn: pd.DataFrame = shown("the dated rows the chart draws over their period (no repeats, no cumulative totals)")
    undated: pd.DataFrame = shown("the undated rows the chart draws across (no repeats)")
    by_quarter: pd.DataFrame = shown("spend per month by quarter and app (period_total): per_month, bound, coverage ...")
    quarter_rows: pd.DataFrame = shown("the comparison quarter's rows, by entity (empty without a quarter)")
    outspend: float | None = shown("Kimi's lowest month / the highest rival's monthly rate; None when not computable")
    top_rival: str | None = shown("the rival with the highest monthly rate in the quarter")
    peak_quarter: str | None = shown("the quarter of Kimi's largest month (notebook 02's comparison quarter)")
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
    flows = (
        (spend["repeat_of"] == "")
        & spend["metric"].isin(["ad_spend", "ad_spend_monthly"])
        & (spend["value_kind"] != "cumulative")
    )
    drawn, undated = spend[flows & spend["dated"]], spend[flows & ~spend["dated"]]
    return AdSpend(
        ad_spend_quarter=quarter,
        ad_spend_per_month={e: v for e, v in q["per_month"].items()} if quarter else {},
        ad_spend_flags={i: f for i, f in spend["flag_text"].items() if f},
        ad_spend_basis={
            str(e): QuarterSpend(
                per_month=r["per_month"],
                total=r["total"],
                months_covered=r["months_covered"],
                coverage=round(float(r["coverage"]), 4),
                bound=r["bound"],
                obs_ids=[i.strip() for i in r["obs"].split(",")],
                left_out=r["left_out"],
            )
            for e, r in q.iterrows()
        },
        rows=spend,
        drawn=drawn,
        undated=undated,
        by_quarter=byq,
        quarter_rows=q,
        outspend=outspend_ratio(pd.Series([q.at[KIMI, "low_month"]]), rivals["per_month"]) if comparable else None,
        top_rival=str(rivals["per_month"].idxmax()) if comparable else None,
        peak_quarter=peak_quarter(spend),
        names=names(ds, [*spend["entity"], *byq["entity"]]),
        events=ds.events[ds.events["kind"].isin(["ad_campaign", "funding", "legal"])],
        source=cite(ds, pd.concat([drawn, undated])),
    )
