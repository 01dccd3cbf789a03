"""Big-tech-backed vs independent: the users at the chosen date and the ad spend of the comparison quarter,
summed by backing (data/entities.csv says who stands behind each app)."""

from __future__ import annotations

from typing import Any, cast

import pandas as pd
from pydantic import BaseModel, Field

from kimi_research.analysis.competitors.ranking import RankingAtDate
from kimi_research.analysis.competitors.spend import AdSpend
from kimi_research.analysis.sections import FROZEN, Section, shown
from kimi_research.data.labels import Citation, Name, cite, names
from kimi_research.data.loader import Dataset
from kimi_research.data.periods import quarter_label


def users_by_backing(table: pd.DataFrame) -> pd.DataFrame:
    """Sum of the values per backing; apps ranked without a value are counted apart with the
    bounds their neighbours' values imply (so the totals are 'at least' figures)."""
    rows = []
    for b, g in table.groupby("backing"):
        valued = g[g["value"].notna()]
        unvalued = g[g["value"].isna()]
        rows.append(
            {
                "backing": b,
                "apps_with_value": ", ".join(valued["name"]),
                "n_valued": len(valued),
                "users": valued["value"].sum(),
                "apps_without_value": ", ".join(unvalued["name"]),
                "n_unvalued": len(unvalued),
                "unvalued_low": unvalued["value_low_by_rank"].sum(min_count=1),
                "unvalued_high": unvalued["value_high_by_rank"].sum(min_count=1),
            }
        )
    out = pd.DataFrame(rows).set_index("backing")
    out["share_of_valued"] = out["users"] / out["users"].sum()
    return out


def spend_by_backing(byq: pd.DataFrame, quarter: str, backing: dict[str, str]) -> pd.DataFrame:
    q = byq[byq["quarter"] == quarter].copy()
    q["backing"] = q["entity"].map(backing)
    g = q.groupby("backing")
    return pd.DataFrame(
        {
            "apps": g["entity"].agg(", ".join),
            "per_month": g["per_month"].sum(),
            "covered": g[["entity", "months_covered"]].apply(
                lambda d: "; ".join(
                    f"{e}: {m} only" for e, m in zip(d["entity"], d["months_covered"], strict=True) if m != "the quarter"
                )
            ),
            "flags": g["flags"].agg(lambda f: "; ".join(x for x in f if x)),
        }
    )


# --- section -------------------------------------------------------------------------------------
class BackingUsers(BaseModel):
    """The users of one backing at the ranking's date."""

    model_config = FROZEN

    users: float = Field(description="sum of the published values")
    apps: str = Field(description="the apps with a value")
    unvalued_apps: str = Field(description="the apps ranked without a value")
    unvalued_low: float | None = Field(description="the least those apps add (their neighbours' values)")
    unvalued_high: float | None = Field(description="the most they add")


class Backing(Section):
    """Do the big-tech-backed apps have more users on less advertising than the independents?"""

    users_by_backing: dict[str, BackingUsers] = Field(description="backing -> users at the ranking's date")
    spend_by_backing: dict[str, float] = Field(description="backing -> ad spend per month in the comparison quarter, CNY")

    users: pd.DataFrame = shown("by backing: apps_with_value, users, share_of_valued, apps_without_value, unvalued_low ...")
    spend: pd.DataFrame | None = shown(
        "by backing: apps (names), per_month, covered (apps whose figures cover part of the quarter), flags; None "
        "without a comparison quarter"
    )
    quarter: str | None = shown("the comparison quarter")
    quarter_rows: pd.DataFrame = shown("the quarter's spend per app, with its backing")
    table: pd.DataFrame = shown("the ranking's table (apps, values, backing)")
    metric: str = shown("parameter metric")
    metric_name: str = shown("the metric's name")
    period: str = shown("the ranking's period")
    show_users: bool = shown("the users are drawn beside the spend only when both cover the same quarter")
    names: dict[str, Name] = shown("entity names")
    source: Citation = shown("the rows the chart shows")


def _number(v: float) -> float | None:
    return None if pd.isna(v) else float(v)


def backing_section(ds: Dataset, rk: RankingAtDate, sp: AdSpend, as_of: dict[str, Any]) -> Backing:
    users_b = users_by_backing(rk.table)
    quarter = sp.ad_spend_quarter
    backing_of = cast(dict[str, str], ds.entities["backing"].to_dict())
    spend_b = spend_by_backing(sp.by_quarter, quarter, backing_of) if quarter else None
    same = quarter is not None and {quarter_label(as_of["start"]), quarter_label(as_of["end"])} == {quarter}
    show_users = spend_b is None or same
    qq = sp.by_quarter[sp.by_quarter["quarter"] == quarter].assign(backing=lambda d: d["entity"].map(backing_of))
    src = [rk.source_rows] if show_users else []
    if spend_b is not None:
        src.append(sp.rows[sp.rows["obs_id"].isin([i.strip() for o in qq["obs"] for i in o.split(",")])])
    return Backing(
        users_by_backing={
            str(b): BackingUsers(
                users=r["users"],
                apps=r["apps_with_value"],
                unvalued_apps=r["apps_without_value"],
                unvalued_low=_number(r["unvalued_low"]),
                unvalued_high=_number(r["unvalued_high"]),
            )
            for b, r in users_b.iterrows()
        },
        spend_by_backing={str(b): r["per_month"] for b, r in spend_b.iterrows()} if spend_b is not None else {},
        users=users_b,
        spend=(
            None
            if spend_b is None
            else spend_b.assign(
                apps=[", ".join(ds.name(e) for e in a.split(", ")) for a in spend_b["apps"]],
                covered=[
                    "; ".join(f"{ds.name(x.split(': ')[0])}: {x.split(': ', 1)[1]}" for x in c.split("; ") if x)
                    for c in spend_b["covered"]
                ],
            )
        ),
        quarter=quarter,
        quarter_rows=qq,
        table=rk.table,
        metric=rk.metric,
        metric_name=rk.metric_name,
        period=rk.period,
        show_users=show_users,
        names=names(ds, [*rk.table.index, *qq["entity"]]),
        source=cite(ds, pd.concat(src)),
    )
