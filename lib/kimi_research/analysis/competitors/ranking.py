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
from typing import Any, cast

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from kimi_research.analysis.competitors.selection import KIMI, USER_METRICS, apps_with_data, rank_metric
from kimi_research.analysis.sections import FROZEN, Section, shown
from kimi_research.data.comparable import ANY_FIRM, NO_FIRM, comparable, snapshot_table
from kimi_research.data.labels import Citation, Name, cite, names
from kimi_research.data.loader import Dataset
from kimi_research.data.periods import period_label, short_period_label


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
            # (every app has a value or a rank row: it is in the list because of one)
            basis = "stated" if stated_exact[e] else "derived from the order of the values and the other ranks"
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
    # the columns named: with no app at all (a list of bounds only) the table is empty, not an error
    out = pd.DataFrame(rows, columns=["entity", "lo", "hi", "rank", "rank_text", "basis", "rank_obs"]).set_index("entity")
    out["rank"] = pd.Series([r["rank"] for r in rows], index=out.index, dtype=object)  # int or None
    return out


def choose_values(values: pd.DataFrame) -> tuple[dict[str, pd.Series], pd.DataFrame, dict[str, list[str]]]:
    """One figure per app of one list and period (comparability layer rows): a point before a bound, then the
    layer's conflict order (a named firm, a tier-1 source, the lowest obs_id: rule ``conflict_choice``).

    Returns ({entity: chosen row}, the rows that are bounds only (apps without a point: shown, never ranked
    as points), {entity: the conflicting figures not used, 'value_text (obs_id)'})."""
    if values.empty:
        return {}, values, {}
    r = values.assign(
        _open=values["open"].astype(int),
        _named=(values["firm"] == "").astype(int),
        _tier=values["tier"].astype(float) if "tier" in values.columns else 1.0,
        _id=values.index.astype(str),
    ).sort_values(["_open", "_named", "_tier", "_id"])  # (obs ids are unique: a total order)
    chosen: dict[str, pd.Series] = {}
    conflicts: dict[str, list[str]] = {}
    bounds = []
    for e, g in r.groupby("entity", sort=False):
        first = g.iloc[0]
        if first["open"]:
            bounds.append(first.name)
            continue
        chosen[str(e)] = first
        others = [c for c in first["conflicts_with"] if c in g.index]
        if others:
            conflicts[str(e)] = [f"{g.at[c, 'value_text']!s} ({c})" for c in others]
    return chosen, values.loc[bounds], conflicts


def ranking(ds: Dataset, metric: str, as_of: dict[str, Any], entities: list[str]) -> dict[str, Any]:
    """The ranking at ``as_of`` (from :func:`resolve_as_of`: one exact period, one firm) for the selected
    ``entities``.

    The figures are the comparability layer's (``comparable`` with the exact period: each measurement once, a
    quarter's average never a month's figure, change rows never levels). Ranks are derived on the firm's whole
    list (every app with data), then filtered, so a selection cannot change an app's rank. A bound ('突破2000万')
    is shown as a bound and never ranked as a point; of conflicting figures for one app one is used and the
    others are named. Returns a dict with 'table' (one row per selected app in the list), 'vendor',
    'other_lists' (other firms' figures of the same period), 'bounds', 'conflicts' and the layer's 'left_out'."""
    rm = rank_metric(ds, metric)
    metrics = [metric] + ([rm] if rm else [])
    period = (as_of["start"], as_of["end"])
    series = as_of.get("series", ANY_FIRM)
    cmp = comparable(ds, metrics, apps_with_data(ds), ANY_FIRM, period=period, prefer=None)
    rows = cmp.rows
    main = rows[rows["series"] == series] if series != ANY_FIRM else rows
    other = rows[(rows["series"] != series) & rows["entity"].isin(entities)] if series != ANY_FIRM else rows.iloc[0:0]
    vals = main[main["metric"] == metric]
    chosen, bound_rows, conflicts = choose_values(vals)
    values = {e: float(r["base_value"]) for e, r in chosen.items()}
    rank_rows = main[main["metric"] != metric]
    ranks = derive_ranks(values, rank_rows)
    for e in bound_rows["entity"]:
        if e not in ranks.index:
            ranks.loc[e] = {
                "lo": 1.0,
                "hi": math.inf,
                "rank": None,
                "rank_text": "not stated",
                "basis": "no rank stated; its figure is a bound",
                "rank_obs": "",
            }
    ents = list(ranks.index)
    bound_of = {r["entity"]: r for _, r in bound_rows.iterrows()}
    t = pd.DataFrame(index=pd.Index(ents, name="entity"))
    t["name"] = [ds.name(e) for e in ents]
    backing: list[Any] = [ds.entities.at[e, "backing"] for e in ents]
    t["backing"] = backing
    t["value"] = [values.get(e, np.nan) for e in ents]
    t["value_text"] = [
        chosen[e]["value_text"] if e in chosen else bound_of[e]["value_text"] if e in bound_of else "" for e in ents
    ]
    t["qualifier"] = [chosen[e]["qualifier"] if e in chosen else bound_of[e]["qualifier"] if e in bound_of else "" for e in ents]
    t["bound"] = [bound_of[e]["bound"] if e in bound_of else "point" if e in chosen else "" for e in ents]
    t["bound_value"] = [float(bound_of[e]["base_value"]) if e in bound_of else np.nan for e in ents]
    value_obs: list[Any] = [chosen[e].name if e in chosen else bound_of[e].name if e in bound_of else "" for e in ents]
    t["value_obs"] = value_obs
    t["conflicts"] = ["; ".join(conflicts.get(e, [])) for e in ents]
    t = t.join(ranks)
    pos = pd.Series(values).rank(ascending=False, method="min")
    t["position"] = [int(pos[e]) if e in pos.index else None for e in ents]
    kimi_v = values.get(KIMI)
    t["ratio_to_kimi"] = [v / kimi_v if kimi_v and not np.isnan(v) else np.nan for v in t["value"]]
    lo_v, hi_v = value_bounds_from_ranks(t)
    t["value_low_by_rank"], t["value_high_by_rank"] = lo_v, hi_v
    t["period"] = as_of["label"]
    t["vendor"] = main["firm"].iloc[0] if len(main) else ""
    t = t.assign(_r=t["rank"].astype(float).fillna(t["lo"]), _v=-t["value"].fillna(-1))
    full = t.sort_values(["_r", "_v"]).drop(columns=["_r", "_v"])
    t = full[full.index.isin(entities)]
    used = [r.name for r in chosen.values()] + list(bound_rows.index) + list(rank_rows.index)
    return {
        "table": t,
        "full": full,
        "rank_rows": rank_rows,
        "vendor": t["vendor"].iloc[0] if len(t) else "",
        "other_lists": other,
        "source_rows": main[main.index.isin(used) & main["entity"].isin(entities)],
        "conflicts": {e: v for e, v in conflicts.items() if e in entities},
        "left_out": cmp.left_out,
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
    return {cast(str, e): float(v) for e, v in t["ratio_to_kimi"].items()}


def derived_values(ds: Dataset, metric: str, as_of: dict[str, Any], entities: list[str]) -> pd.DataFrame:
    """Values implied by a share: '<metric>_share_of_<other>' rows (DeepSeek's DAU is 41.6% of
    ChatGPT's) divided into the same app's point figure for exactly the same period and firm.

    Only for apps in ``entities`` (the input app); the result is labelled derived."""
    out = []
    o = ds.observations
    start, end, series = as_of["start"], as_of["end"], as_of.get("series", ANY_FIRM)
    shares = o[
        o["metric"].str.fullmatch(rf"{re.escape(metric)}_share_of_[a-z0-9_]+")
        & (o["period_start"] == start)
        & (o["period_end"] == end)
    ]
    for _, s in shares.iterrows():
        firm = s["vendor"] if isinstance(s["vendor"], str) else ""
        own = firm or f"{NO_FIRM}:{s['source_id']}"
        if s["entity"] not in entities or (series != ANY_FIRM and own != series):
            continue
        target = s["metric"].split("_share_of_", 1)[1]
        base = comparable(ds, metric, [s["entity"]], own, period=(start, end)).rows
        base = base[~base["open"]]
        if base.empty:
            continue
        b = choose_values(base)[0][s["entity"]]
        out.append(
            {
                "entity": target,
                "name": ds.name(target),
                "value": b["base_value"] / s["base_value"],
                "formula": f"{b['value_text']} ÷ {s['value_text']}",
                "inputs": f"{b.name}, {s['obs_id']}",
                "from_entity": s["entity"],
                "vendor": firm,
                "period": period_label(s),
                "source_id": s["source_id"],
                "label": "derived",
            }
        )
    return pd.DataFrame(
        out, columns=["entity", "name", "value", "formula", "inputs", "from_entity", "vendor", "period", "source_id", "label"]
    )


def snapshot_groups(ds: Dataset, entities: list[str], exclude: tuple[str, str, pd.Timestamp, pd.Timestamp] | None = None):
    """The comparability layer's snapshot table (:func:`~kimi_research.data.comparable.snapshot_table`) of the
    user metrics for ``entities``: one group per metric, firm, exact period and scale with two or more apps (a
    quarter's average and its own months are separate groups, each labelled as what it is). ``exclude`` =
    (metric, series, start, end): the ranking's own list. Returns (table, groups in time order, left out)."""
    snap = snapshot_table(ds, USER_METRICS, list(entities), ANY_FIRM, prefer=None)
    t = snap.rows
    if exclude is not None and len(t):
        m, ser, s0, e0 = exclude
        t = t[~((t["metric"] == m) & (t["series"] == ser) & (t["period_start"] == s0) & (t["period_end"] == e0))]
    key = ["metric", "series", "period_start", "period_end", "scale"]
    if t.empty:
        return t, pd.DataFrame(columns=[*key, "mid"]), snap.left_out
    groups = t.groupby(key, sort=False).agg(mid=("period_mid", "first")).reset_index()
    order = {m: i for i, m in enumerate(USER_METRICS)}
    groups = groups.assign(_m=groups["metric"].map(order)).sort_values(["_m", "mid", "series", "scale"]).drop(columns="_m")
    return t, groups.reset_index(drop=True), snap.left_out


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
    value: float | None = Field(description="the published value (users); None when only a rank or a bound is published")
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
    ranking_bounds: dict[str, str] = Field(
        description="app -> its figure as written where it is only a bound ('突破2000万'): shown, never ranked as a point"
    )
    ranking_conflicts: dict[str, list[str]] = Field(
        description="app -> the conflicting figures for the same list and period not used ('value (obs_id)'); the one "
        "used is the first by the layer's conflict order (a point, a named firm, a tier-1 source, the lowest obs_id)"
    )

    metric_name: str = shown("the metric's name ('Weekly active users'), with ' (monthly average)' for an average")
    scale: str = shown("the scale of the figures ranked: week, month, monthly average, end of period ...")
    period: str = shown("the ranking's period label")
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
    """An earlier comparison of two or more apps: one firm, one exact period, one scale."""

    model_config = FROZEN

    metric: str
    period: str = Field(description="the period as labelled by the comparability layer ('2025 Q3' for a quarter)")
    vendor: str = Field(description="the measurement firm ('' when none is named)")
    scale: str = Field(description="month, monthly average, end of period, day, days, week ...: never mixed in a snapshot")
    values: dict[str, float] = Field(description="entity -> published point value")
    bounds: dict[str, str] = Field(description="entity -> its figure as written where it is only a bound ('突破1.1億')")
    conflicts: dict[str, list[str]] = Field(description="entity -> conflicting figures not used ('value (obs_id)')")
    derived: list[SnapshotDerived] = Field(description="values implied by a share")
    obs_ids: list[str] = Field(description="the observations shown")


class Snapshots(Section):
    """What other comparisons of the same kind do the articles make?"""

    snapshots: list[Snapshot] = Field(
        description="every other firm, period and scale that gives a user metric for two or more apps, in time order"
    )

    points: pd.DataFrame = shown(
        "one row per figure drawn: entity, metric, series, vendor_name, period, short, scale, value, bound, open, "
        "derived, obs_id, group (the snapshot's index)"
    )
    metric_names: dict[str, str] = shown("metric -> its name")
    names: dict[str, Name] = shown("entity names of the chart")
    source: Citation = shown("the rows the snapshot chart shows, the inputs of derived values included")


# --- builders ------------------------------------------------------------------------------------
def _number(v: Any) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def _text(v: Any) -> str | None:
    return v if isinstance(v, str) and v else None


def _firm_label(ds: Dataset, firm: str) -> str:
    return ds.name(firm) if firm else "no measurement firm named"


def ranking_at_date(ds: Dataset, metric: str, as_of: dict[str, Any], sel: list[str]) -> RankingAtDate:
    rk = ranking(ds, metric, as_of, sel)
    table = rk["table"]
    derived = derived_values(ds, metric, as_of, sel)
    kimi_in = KIMI in table.index
    valued = table[table["value"].notna()]
    other = rk["other_lists"].assign(
        name=lambda o: o["entity"].map(ds.name), vendor_name=lambda o: o["firm"].map(lambda v: _firm_label(ds, v))
    )
    scale = str(as_of.get("scale", ""))
    name = cast(str, ds.metrics.at[metric, "name"]) + (" (monthly average)" if scale == "monthly average" else "")
    return RankingAtDate(
        metric=metric,
        as_of=AsOf(
            requested=as_of["requested"],
            start=as_of["start"].date().isoformat(),
            end=as_of["end"].date().isoformat(),
            label=as_of["label"],
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
        ranking_bounds={e: r["value_text"] for e, r in table.iterrows() if r["bound"] not in ("point", "")},
        ranking_conflicts=rk["conflicts"],
        metric_name=name,
        scale=scale,
        period=as_of["label"],
        vendor_label=_firm_label(ds, rk["vendor"]),
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
    """Every other firm, exact period and scale in which the data give a user metric for two or more of the
    selected apps (the comparability layer's snapshot table): one snapshot each, never a quarter's average in a
    month's snapshot, bounds kept as bounds, conflicting figures named, and the values a share implies."""
    exclude = (metric, as_of.get("series", ""), as_of["start"], as_of["end"])
    t, groups, _ = snapshot_groups(ds, sel, exclude)
    results, pts, src = [], [], []
    for gi, g in groups.iterrows():
        rows = t[
            (t["metric"] == g["metric"])
            & (t["series"] == g["series"])
            & (t["period_start"] == g["period_start"])
            & (t["period_end"] == g["period_end"])
            & (t["scale"] == g["scale"])
        ]
        chosen, bounds, conflicts = choose_values(rows)
        firm = rows["firm"].iloc[0]
        a = {"start": g["period_start"], "end": g["period_end"], "series": g["series"]}
        d = derived_values(ds, g["metric"], a, sel)
        shown_rows = [r.name for r in chosen.values()] + list(bounds.index)
        results.append(
            Snapshot(
                metric=g["metric"],
                period=rows["period"].iloc[0],
                vendor=firm,
                scale=g["scale"],
                values={e: float(r["base_value"]) for e, r in sorted(chosen.items(), key=lambda kv: -float(kv[1]["base_value"]))},
                bounds={r["entity"]: r["value_text"] for _, r in bounds.iterrows()},
                conflicts=conflicts,
                derived=[
                    SnapshotDerived(entity=x["entity"], value=x["value"], formula=x["formula"], inputs=x["inputs"])
                    for _, x in d.iterrows()
                ],
                obs_ids=sorted(shown_rows),
            )
        )
        common = {
            "metric": g["metric"],
            "series": g["series"],
            "vendor_name": _firm_label(ds, firm),
            "period": rows["period"].iloc[0],
            "short": short_period_label(rows.iloc[0]),
            "scale": g["scale"],
            "mid": g["mid"],
            "group": gi,
        }
        for oid in shown_rows:
            r = rows.loc[oid]
            pts.append(
                {
                    **common,
                    "entity": r["entity"],
                    "value": float(r["base_value"]),
                    "bound": r["bound"],
                    "open": bool(r["open"]),
                    "derived": False,
                    "obs_id": oid,
                }
            )
        for _, x in d.iterrows():
            pts.append(
                {**common, "entity": x["entity"], "value": float(x["value"]), "bound": "point", "open": False}
                | {"derived": True, "obs_id": x["inputs"]}
            )
        src.append(rows.loc[shown_rows])
        if len(d):
            src.append(ds.observations.loc[[i.strip() for x in d["inputs"] for i in x.split(",")]])
    points = pd.DataFrame(
        pts,
        columns=[
            "entity",
            "metric",
            "series",
            "vendor_name",
            "period",
            "short",
            "scale",
            "mid",
            "group",
            "value",
            "bound",
            "open",
            "derived",
            "obs_id",
        ],
    )
    return Snapshots(
        snapshots=results,
        points=points,
        metric_names={m: ds.metrics.at[m, "name"] for m in points["metric"].unique()},
        names=names(ds, points["entity"]),
        source=cite(ds, pd.concat(src)) if src else Citation(firms="", sources_en="", sources_zh=""),
    )
