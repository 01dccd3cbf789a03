"""Who ranks where: the ranking at the chosen date (values and ranks of one vendor's list merged), the figures
implied by a share, and the earlier snapshots in which the articles compare two or more apps.

How ranks are merged with values (:func:`derive_ranks`)
-------------------------------------------------------
A vendor's list at a date gives values for some apps and ranks for others, and sometimes only
a bound ("前三" = rank <= 3). Each app starts with the interval [1, inf) and is narrowed by
(a) every rank row about it (``=`` fixes it, ``<=``/``<``/``>=``/``>`` bound it), (b) the order
of the values (an app with a larger value ranks above one with a smaller value), and (c) the
ranks other apps occupy exactly (two apps cannot share a rank). When the interval closes on
one integer the rank is exact: "stated" when a row says so, "derived" when it follows from
(a)-(c). Otherwise the bound is kept ("<= 3"). An app with a rank but no value keeps no value;
the values of its neighbours bound it, and that bound is reported as text, never drawn as a bar.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from kimi_research.analysis.competitors.selection import (
    KIMI,
    USER_METRICS,
    apps_with_data,
    available_periods,
    best_row,
    metric_rows,
    resolve_as_of,
    rows_in_window,
)
from kimi_research.analysis.sections import FROZEN, Section, shown
from kimi_research.data.labels import Citation, Name, cite, names
from kimi_research.data.loader import Dataset
from kimi_research.data.periods import period_label


def split_lists(rows: pd.DataFrame) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    """Rank only within one vendor's list: the vendor with most value rows (then most rows,
    then by name) is the main list; the other vendors' rows are returned apart."""
    if rows.empty:
        return "", rows, rows
    stats = rows.groupby("vendor_key").agg(values=("role", lambda s: int((s == "value").sum())), n=("role", "size"))
    stats = stats.reset_index().sort_values(["values", "n", "vendor_key"], ascending=[False, False, True])
    main = stats.iloc[0]["vendor_key"]
    return main, rows[rows["vendor_key"] == main], rows[rows["vendor_key"] != main]


# --- ranks ---------------------------------------------------------------------------------
def derive_ranks(values: dict[str, float], rank_rows: pd.DataFrame) -> pd.DataFrame:
    """Merge a list's values and rank rows into one rank (or bound) per app; see module doc.

    ``values``: entity -> value; ``rank_rows``: rows with entity, qualifier, value (the rank).
    Returns one row per entity: lo, hi, rank (int or None), rank_text, basis, stated (obs ids)."""
    ents = list(dict.fromkeys(list(values) + list(rank_rows["entity"]) if len(rank_rows) else list(values)))
    lo = dict.fromkeys(ents, 1.0)
    hi = dict.fromkeys(ents, math.inf)
    stated_exact: dict[str, list[str]] = {e: [] for e in ents}
    stated_any: dict[str, list[str]] = {e: [] for e in ents}
    for _, r in rank_rows.iterrows():
        e, q, v = r["entity"], r["qualifier"], float(r["value"])
        stated_any[e].append(r["obs_id"])
        if q == "=":
            lo[e], hi[e] = max(lo[e], v), min(hi[e], v)
            stated_exact[e].append(r["obs_id"])
        elif q == "<=":
            hi[e] = min(hi[e], v)
        elif q == "<":
            hi[e] = min(hi[e], v - 1)
        elif q == ">=":
            lo[e] = max(lo[e], v)
        elif q == ">":
            lo[e] = max(lo[e], v + 1)
        # '~' and 'range' ranks give no hard constraint
    order = sorted(values, key=lambda e: -values[e])
    pairs = [(a, b) for i, a in enumerate(order) for b in order[i + 1 :] if values[a] > values[b]]
    for _ in range(100):
        before = (dict(lo), dict(hi))
        for a, b in pairs:  # a has the larger value, so ranks above b
            lo[b] = max(lo[b], lo[a] + 1)
            hi[a] = min(hi[a], hi[b] - 1)
        taken = {e: lo[e] for e in ents if lo[e] == hi[e]}
        for e in ents:
            if lo[e] == hi[e]:
                continue
            others = {v for k, v in taken.items() if k != e}
            while lo[e] in others and lo[e] < hi[e]:
                lo[e] += 1
            while hi[e] in others and hi[e] > lo[e]:
                hi[e] -= 1
        if (dict(lo), dict(hi)) == before:
            break
    rows = []
    for e in ents:
        low, high = lo[e], hi[e]
        rank: int | None
        if low > high:
            rank, text, basis = None, "inconsistent", "the stated ranks and the values contradict each other"
        elif low == high:
            rank, text = int(low), str(int(low))
            basis = (
                "stated"
                if stated_exact[e]
                else ("derived from the order of the values and the other ranks" if stated_any[e] or e in values else "derived")
            )
        else:
            rank = None
            text = (
                (f"≥{int(low)}" if low > 1 else "not stated")
                if math.isinf(high)
                else (f"≤{int(high)}" if low == 1 else f"{int(low)}–{int(high)}")
            )
            basis = "bound only" if stated_any[e] else "no rank stated (position among the apps quoted)"
        rows.append(
            {
                "entity": e,
                "lo": low,
                "hi": high,
                "rank": rank,
                "rank_text": text,
                "basis": basis,
                "rank_obs": ", ".join(stated_any[e]),
            }
        )
    out = pd.DataFrame(rows).set_index("entity")
    out["rank"] = pd.Series([r["rank"] for r in rows], index=out.index, dtype=object)  # int or None
    return out


def ranking(ds: Dataset, metric: str, as_of: dict[str, Any], entities: list[str]) -> dict[str, Any]:
    """The ranking at ``as_of`` (from :func:`resolve_as_of`) for the selected ``entities``.

    Ranks are derived on the vendor's whole list (every app with data), then filtered, so a
    selection cannot change an app's rank. Returns a dict with 'table' (one row per selected
    app in the list), 'vendor', 'other_lists' (rows of other vendors at the same date)."""
    rows = rows_in_window(metric_rows(ds, metric), as_of["window_start"], as_of["window_end"])
    # only the lists in which a selected app appears
    rows = rows[rows["vendor_key"].isin(set(rows.loc[rows["entity"].isin(entities), "vendor_key"]))]
    vendor, main, other = split_lists(rows)
    vals = main[main["role"] == "value"]
    chosen = {e: best_row(g) for e, g in vals.groupby("entity")}
    values = {e: float(r["base_value"]) for e, r in chosen.items()}
    ranks = derive_ranks(values, main[main["role"] == "rank"])
    ents = [e for e in ranks.index]
    t = pd.DataFrame(index=pd.Index(ents, name="entity"))
    t["name"] = [ds.name(e) for e in ents]
    t["backing"] = [ds.entities.at[e, "backing"] for e in ents]
    t["value"] = [values.get(e, np.nan) for e in ents]
    t["value_text"] = [chosen[e]["value_text"] if e in chosen else "" for e in ents]
    t["qualifier"] = [chosen[e]["qualifier"] if e in chosen else "" for e in ents]
    t["value_obs"] = [chosen[e]["obs_id"] if e in chosen else "" for e in ents]
    t = t.join(ranks)
    pos = pd.Series(values).rank(ascending=False, method="min")
    t["position"] = [int(pos[e]) if e in pos.index else None for e in ents]
    kimi_v = values.get(KIMI)
    t["ratio_to_kimi"] = [v / kimi_v if kimi_v and not np.isnan(v) else np.nan for v in t["value"]]
    lo_v, hi_v = value_bounds_from_ranks(t)
    t["value_low_by_rank"], t["value_high_by_rank"] = lo_v, hi_v
    spans = main[["period_start", "period_end"]].drop_duplicates()
    t["period"] = period_label(spans.iloc[0]) if len(spans) == 1 else as_of["label"]
    t["vendor"] = vendor
    t = t.assign(_r=t["rank"].astype(float).fillna(t["lo"]), _v=-t["value"].fillna(-1))
    full = t.sort_values(["_r", "_v"]).drop(columns=["_r", "_v"])
    t = full[full.index.isin(entities)]
    return {
        "table": t,
        "full": full,
        "rank_rows": main[main["role"] == "rank"],
        "vendor": vendor,
        "other_lists": other[other["entity"].isin(entities)],
        "source_rows": main[main["entity"].isin(entities)],
    }


def value_bounds_from_ranks(t: pd.DataFrame) -> tuple[list[float], list[float]]:
    """For an app with an exact rank but no value: the values of the nearest valued apps
    ranked above and below it bound its value (NaN when there is no such neighbour)."""
    exact = t[t["rank"].notna() & t["value"].notna()]
    lows: list[float] = []
    highs: list[float] = []
    for _, r in t.iterrows():
        if not (pd.isna(r["value"]) and r["rank"] is not None and not pd.isna(r["rank"])):
            lows.append(np.nan)
            highs.append(np.nan)
            continue
        above = exact[exact["rank"] < r["rank"]]
        below = exact[exact["rank"] > r["rank"]]
        highs.append(above.loc[above["rank"].astype(int).idxmax(), "value"] if len(above) else np.nan)
        lows.append(below.loc[below["rank"].astype(int).idxmin(), "value"] if len(below) else np.nan)
    return lows, highs


def ratios_to_kimi(table: pd.DataFrame) -> dict[str, float]:
    t = table[table["ratio_to_kimi"].notna() & (table.index != KIMI)]
    return {e: float(v) for e, v in t["ratio_to_kimi"].items()}


def derived_values(ds: Dataset, metric: str, as_of: dict[str, Any], entities: list[str]) -> pd.DataFrame:
    """Values implied by a share: '<metric>_share_of_<other>' rows (DeepSeek's DAU is 41.6% of
    ChatGPT's) divided into the same app's value in the same period and vendor list.

    Only for apps in ``entities`` (the input app); the result is labelled derived."""
    out = []
    o = ds.observations
    shares = o[o["metric"].str.fullmatch(rf"{re.escape(metric)}_share_of_[a-z0-9_]+") & o["period_start"].notna()]
    shares = rows_in_window(shares, as_of["window_start"], as_of["window_end"])
    for _, s in shares.iterrows():
        if s["entity"] not in entities:
            continue
        target = s["metric"].split("_share_of_", 1)[1]
        base = o[
            (o["entity"] == s["entity"])
            & (o["metric"] == metric)
            & (o["period_start"] == s["period_start"])
            & (o["period_end"] == s["period_end"])
            & (o["vendor"].fillna("") == (s["vendor"] if isinstance(s["vendor"], str) else ""))
        ]
        if base.empty:
            continue
        b = best_row(base)
        out.append(
            {
                "entity": target,
                "name": ds.name(target),
                "value": b["base_value"] / s["base_value"],
                "formula": f"{b['value_text']} ÷ {s['value_text']}",
                "inputs": f"{b['obs_id']}, {s['obs_id']}",
                "from_entity": s["entity"],
                "vendor": s["vendor"] if isinstance(s["vendor"], str) else "",
                "period": period_label(s),
                "source_id": s["source_id"],
                "label": "derived",
            }
        )
    return pd.DataFrame(
        out, columns=["entity", "name", "value", "formula", "inputs", "from_entity", "vendor", "period", "source_id", "label"]
    )


def multi_app_snapshots(
    ds: Dataset,
    metric_list: tuple[str, ...] = USER_METRICS,
    exclude: tuple[str, pd.Timestamp, pd.Timestamp] | None = None,
    entities: list[str] | None = None,
) -> pd.DataFrame:
    """Periods in which the articles give a user metric (value or rank) for two or more apps:
    the comparisons the articles make. ``exclude`` = (metric, start, end) to leave out."""
    rows = []
    for m in metric_list:
        p = available_periods(ds, m, entities or apps_with_data(ds))
        for _, r in p.iterrows():
            if len(r["apps"].split(", ")) < 2:
                continue
            if exclude and (m, r["period_start"], r["period_end"]) == exclude:
                continue
            rows.append({"metric": m, **r.to_dict()})
    return pd.DataFrame(rows)


# --- sections ------------------------------------------------------------------------------------
class AsOf(BaseModel):
    """The period the ranking is at."""

    model_config = FROZEN

    requested: str = Field(description="the as_of parameter")
    start: str = Field(description="first day of the ranking's rows (ISO date)")
    end: str = Field(description="last day of the ranking's rows (ISO date)")
    label: str = Field(description="the ranking's period as shown")


class RankingRow(BaseModel):
    """One app of the ranking."""

    model_config = FROZEN

    entity: str
    name: str
    value: float | None = Field(description="the published value (users); None when only a rank is published")
    rank: int | None = Field(description="the exact rank, stated or derived; None when only a bound is known")
    rank_text: str
    rank_basis: str = Field(description="stated, derived (how) or a bound")
    value_obs: str | None
    rank_obs: str | None
    backing: str | None
    value_low_by_rank: float | None = Field(description="for a ranked app without a value: the next value below")
    value_high_by_rank: float | None = Field(description="... and the next value above")


class DerivedValue(BaseModel):
    """A value implied by a share (no article states it)."""

    model_config = FROZEN

    entity: str
    value: float
    formula: str
    inputs: str = Field(description="the observation ids divided")
    label: str = Field(description="always 'derived'")


class RankingAtDate(Section):
    """Who ranks where on one vendor's list at the chosen date, and how far the rivals are from Kimi?"""

    metric: str = Field(description="the user metric ranked (parameter metric)")
    as_of: AsOf = Field(description="the period of the ranking")
    vendor: str = Field(description="the measurement firm whose list is ranked ('' when none is named)")
    ranking: list[RankingRow] = Field(description="the selected apps in rank order")
    kimi_rank: int | None = Field(description="Kimi's exact rank; None when Kimi has none in the list")
    kimi_rank_text: str = Field(description="Kimi's rank as text ('7', '≤3', 'not in the list')")
    kimi_value: float | None = Field(description="Kimi's value (users); None when none is published")
    ratio_to_kimi: dict[str, float] = Field(description="each rival's value / Kimi's, rounded to 4 decimals")
    ratio_to_leader: dict[str, float] = Field(description="each value / the largest, rounded to 4 decimals")
    derived: list[DerivedValue] = Field(description="values implied by a share in the same period")

    metric_name: str = shown("the metric's name ('Weekly active users')")
    period: str = shown("the ranking's period label")
    vendor_name: str = shown("the firm's name (the id itself when none is named)")
    vendor_label: str = shown("the firm's name, or 'no measurement firm named'")
    table: pd.DataFrame = shown("one row per selected app of the list: name, backing, value, rank, basis, ratio ...")
    full: pd.DataFrame = shown("the same for every app of the list (ranks are derived on the whole list)")
    rank_rows: pd.DataFrame = shown("the rank rows of the list")
    other_lists: pd.DataFrame = shown("other firms' rows of the period, with name and vendor_name")
    derived_rows: pd.DataFrame = shown("the derived values: entity, name, value, formula, inputs ...")
    names: dict[str, Name] = shown("entity names of the chart")
    source_rows: pd.DataFrame = shown("the list's rows of the selected apps")
    source: Citation = shown("the rows the ranking chart shows")


class SnapshotDerived(BaseModel):
    model_config = FROZEN

    entity: str
    value: float
    formula: str
    inputs: str


class Snapshot(BaseModel):
    """An earlier comparison of two or more apps."""

    model_config = FROZEN

    metric: str
    period: str
    vendor: str
    values: dict[str, float] = Field(description="entity -> published value")
    derived: list[SnapshotDerived] = Field(description="values implied by a share")


class SnapshotView(BaseModel):
    """What the snapshot chart and the summary show of one snapshot."""

    model_config = FROZEN

    metric: str
    metric_name: str
    period: str
    vendor_name: str  # the firm's name, or 'no firm named'
    values: pd.DataFrame  # the apps with a value: name, value
    derived: pd.DataFrame  # the derived values: entity, name, value, formula, inputs


class Snapshots(Section):
    """What other comparisons of the same kind do the articles make?"""

    snapshots: list[Snapshot] = Field(description="every other period that gives a user metric for two or more apps")

    views: list[SnapshotView] = shown("one per snapshot, for the chart and the summary")
    names: dict[str, Name] = shown("entity names of the chart")
    source: Citation = shown("the rows the snapshot chart shows, the inputs of derived values included")


# --- builders ------------------------------------------------------------------------------------
def _number(v: Any) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def _text(v: Any) -> str | None:
    return v if isinstance(v, str) and v else None


def ranking_at_date(ds: Dataset, metric: str, as_of: dict[str, Any], sel: list[str]) -> RankingAtDate:
    rk = ranking(ds, metric, as_of, sel)
    table = rk["table"]
    derived = derived_values(ds, metric, as_of, sel)
    kimi_in = KIMI in table.index
    valued = table[table["value"].notna()]
    other = rk["other_lists"].assign(
        name=lambda o: o["entity"].map(ds.name), vendor_name=lambda o: o["vendor"].map(lambda v: ds.name(v))
    )
    return RankingAtDate(
        metric=metric,
        as_of=AsOf(
            requested=as_of["requested"],
            start=as_of["start"].date().isoformat(),
            end=as_of["end"].date().isoformat(),
            label=table["period"].iloc[0],
        ),
        vendor=rk["vendor"],
        ranking=[
            RankingRow(
                entity=e,
                name=r["name"],
                value=_number(r["value"]),
                rank=None if _number(r["rank"]) is None else int(r["rank"]),
                rank_text=r["rank_text"],
                rank_basis=r["basis"],
                value_obs=_text(r["value_obs"]),
                rank_obs=_text(r["rank_obs"]),
                backing=_text(r["backing"]),
                value_low_by_rank=_number(r["value_low_by_rank"]),
                value_high_by_rank=_number(r["value_high_by_rank"]),
            )
            for e, r in table.iterrows()
        ],
        kimi_rank=table.at[KIMI, "rank"] if kimi_in else None,
        kimi_rank_text=table.at[KIMI, "rank_text"] if kimi_in else "not in the list",
        kimi_value=_number(table.at[KIMI, "value"]) if kimi_in else None,
        ratio_to_kimi={e: round(v, 4) for e, v in ratios_to_kimi(table).items()},
        ratio_to_leader={e: round(v / valued["value"].max(), 4) for e, v in valued["value"].items()} if len(valued) else {},
        derived=[
            DerivedValue(entity=r["entity"], value=r["value"], formula=r["formula"], inputs=r["inputs"], label=r["label"])
            for _, r in derived.iterrows()
        ],
        metric_name=ds.metrics.at[metric, "name"],
        period=table["period"].iloc[0],
        vendor_name=ds.name(rk["vendor"]),
        vendor_label=ds.name(rk["vendor"]) if rk["vendor"] else "no measurement firm named",
        table=table,
        full=rk["full"],
        rank_rows=rk["rank_rows"],
        other_lists=other,
        derived_rows=derived,
        names=names(ds, [*table.index, *derived["entity"]]),
        source_rows=rk["source_rows"],
        source=cite(ds, rk["source_rows"]),
    )


def earlier_snapshots(ds: Dataset, metric: str, as_of: dict[str, Any], sel: list[str]) -> Snapshots:
    """Every other period in which the articles give a user metric for two or more of the selected apps."""
    snaps = multi_app_snapshots(ds, exclude=(metric, as_of["start"], as_of["end"]), entities=sel)
    results, views, rows, ents = [], [], [], []
    for _, s in snaps.iterrows():
        a = resolve_as_of(ds, s["metric"], s["period_end"].date().isoformat(), sel)
        r, d = ranking(ds, s["metric"], a, sel), derived_values(ds, s["metric"], a, sel)
        t = r["table"]
        valued = t[t["value"].notna()]
        results.append(
            Snapshot(
                metric=s["metric"],
                period=s["period"],
                vendor=r["vendor"],
                values={e: v for e, v in valued["value"].items()},
                derived=[
                    SnapshotDerived(entity=x["entity"], value=x["value"], formula=x["formula"], inputs=x["inputs"])
                    for _, x in d.iterrows()
                ],
            )
        )
        views.append(
            SnapshotView(
                metric=s["metric"],
                metric_name=ds.metrics.at[s["metric"], "name"],
                period=s["period"],
                vendor_name=ds.name(r["vendor"]) if r["vendor"] else "no firm named",
                values=valued,
                derived=d,
            )
        )
        rows.append(r["source_rows"])
        if len(d):
            rows.append(ds.observations.loc[[i.strip() for x in d["inputs"] for i in x.split(",")]])
        ents += [*valued.index, *d["entity"]]
    return Snapshots(
        snapshots=results,
        views=views,
        names=names(ds, ents),
        source=cite(ds, pd.concat(rows)) if rows else Citation(firms="", sources_en="", sources_zh=""),
    )
