"""Helpers of notebook 04 (competitor comparison): rankings at a date, ranks merged with values,
ratios to Kimi, derived figures, ad spend per month side by side, the capability matrix, and
the grouping by backing (big tech vs independent).

Every number comes from ``data/``; the only model assumption is ``chars_per_token``, used to
put a context window measured in 万字 (Chinese characters) beside one measured in tokens.

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
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kimi_research.data.periods import period_label, quarter_label
from kimi_research.data.units import DAYS_PER_MONTH, format_cn, format_en
from kimi_research.data.vocabulary import rank_text
from kimi_research.errors import DataError, ParameterError

KIMI = "kimi"
USER_METRICS = ("dau", "wau", "mau")
QUALIFIER_PRIORITY = {"=": 0, "~": 1, ">=": 2, ">": 2, "<=": 2, "<": 2, "range": 3}
YEAR_WINDOW_DAYS = 62  # "a year before" = a period ending 365 +/- 62 days before the as-of date


# --- vocabulary ----------------------------------------------------------------------------
def apps_with_data(ds) -> list[str]:
    """Entity ids of kind 'app' that have at least one observation."""
    apps = set(ds.entities.index[ds.entities["kind"] == "app"])
    return sorted(apps & set(ds.observations["entity"]))


def ranking_metrics(ds) -> list[str]:
    """User metrics (stock) with dated observations for apps."""
    o = ds.observations
    o = o[o["entity"].isin(apps_with_data(ds)) & o["period_start"].notna()]
    return [m for m in USER_METRICS if m in set(o["metric"])]


def rank_metric(ds, metric: str) -> str | None:
    m = f"{metric}_rank"
    return m if m in ds.metrics.index else None


def selection(entities, apps: list[str]) -> list[str]:
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
def metric_rows(ds, metric: str, apps: list[str] | None = None) -> pd.DataFrame:
    """Dated value rows of ``metric`` and rank rows of ``<metric>_rank`` for apps.

    Adds ``role`` ('value' or 'rank') and ``vendor_key`` ('' when no firm is named)."""
    metrics = [metric] + ([rank_metric(ds, metric)] if rank_metric(ds, metric) else [])
    o = ds.observations
    o = o[o["metric"].isin(metrics) & o["period_start"].notna()]
    o = o[o["entity"].isin(apps if apps is not None else apps_with_data(ds))].copy()
    o["role"] = np.where(o["metric"] == metric, "value", "rank")
    o["vendor_key"] = o["vendor"].fillna("")
    return o


def available_periods(ds, metric: str, apps: list[str]) -> pd.DataFrame:
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


def resolve_as_of(ds, metric: str, as_of: str, apps: list[str]) -> dict:
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
        a, b = lo[e], hi[e]
        if a > b:
            rank, text, basis = None, "inconsistent", "the stated ranks and the values contradict each other"
        elif a == b:
            rank, text = int(a), str(int(a))
            basis = (
                "stated"
                if stated_exact[e]
                else ("derived from the order of the values and the other ranks" if stated_any[e] or e in values else "derived")
            )
        else:
            rank = None
            text = (
                (f"≥{int(a)}" if a > 1 else "not stated") if math.isinf(b) else (f"≤{int(b)}" if a == 1 else f"{int(a)}–{int(b)}")
            )
            basis = "bound only" if stated_any[e] else "no rank stated (position among the apps quoted)"
        rows.append(
            {"entity": e, "lo": a, "hi": b, "rank": rank, "rank_text": text, "basis": basis, "rank_obs": ", ".join(stated_any[e])}
        )
    out = pd.DataFrame(rows).set_index("entity")
    out["rank"] = pd.Series([r["rank"] for r in rows], index=out.index, dtype=object)  # int or None
    return out


def ranking(ds, metric: str, as_of: dict, entities: list[str]) -> dict:
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


def value_bounds_from_ranks(t: pd.DataFrame) -> tuple[list, list]:
    """For an app with an exact rank but no value: the values of the nearest valued apps
    ranked above and below it bound its value (NaN when there is no such neighbour)."""
    exact = t[t["rank"].notna() & t["value"].notna()]
    lows, highs = [], []
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


def derived_values(ds, metric: str, as_of: dict, entities: list[str]) -> pd.DataFrame:
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
    ds, metric_list=USER_METRICS, exclude: tuple | None = None, entities: list[str] | None = None
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


# --- Kimi's rank over time -----------------------------------------------------------------
def kimi_rank_history(ds) -> pd.DataFrame:
    """Every rank row about Kimi in a user list (MAU, WAU, DAU ranks), oldest first."""
    ms = [rank_metric(ds, m) for m in USER_METRICS if rank_metric(ds, m)]
    o = ds.observations
    h = o[(o["entity"] == KIMI) & o["metric"].isin(ms) & o["period_start"].notna()].copy()
    h["period"] = h.apply(period_label, axis=1)
    h["rank_text"] = [rank_text(v, q) for q, v in zip(h["qualifier"], h["value"], strict=True)]
    h["vendor_name"] = h["vendor"].map(lambda v: ds.name(v) if isinstance(v, str) else "(none named)")
    h["list"] = h["vendor_name"] + " " + h["metric"].str.replace("_rank", "").str.upper() + " · " + h["scope"].fillna("")
    return h.sort_values(["period_end", "metric"])


def year_before(history: pd.DataFrame, as_of_end: pd.Timestamp, window: int = YEAR_WINDOW_DAYS) -> pd.DataFrame:
    """Kimi's rank rows for periods ending 365 ± ``window`` days before ``as_of_end``."""
    target = as_of_end - pd.Timedelta(days=365)
    gap = (history["period_end"] - target).dt.days.abs()
    return history[gap <= window]


def rank_change(
    history: pd.DataFrame, rank_metric_id: str, vendor: str, now_rank: int | None, now_end: pd.Timestamp
) -> dict | None:
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


# --- ad spend ------------------------------------------------------------------------------
SPEND_METRICS = ("ad_spend", "ad_spend_monthly", "ad_spend_peak_month")


def spend_table(ds, entities: list[str]) -> pd.DataFrame:
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


def _flag_text(r) -> str:
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


def outspend_ratio(kimi_months: pd.Series, rivals_per_month: pd.Series) -> float:
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
    return sorted(best)[-1]


# --- backing -------------------------------------------------------------------------------
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
            "flags": g["flags"].agg(lambda f: "; ".join(x for x in f if x)),
        }
    )


# --- capabilities --------------------------------------------------------------------------
CAP_DIMENSIONS = [
    "context window",
    "modalities",
    "open weights",
    "model launches",
    "data ecosystem",
    "own cloud",
    "developer tools",
]
CAP_COLUMN = {
    "modalities": "modalities",
    "open weights": "open_weights",
    "data ecosystem": "data_ecosystem",
    "own cloud": "own_cloud",
    "developer tools": "developer_tools",
}


def camp_of(ds, entity: str) -> str:
    """The top company of an entity (app -> owner -> owner's owner ...)."""
    seen = set()
    e = entity
    while e in ds.entities.index and isinstance(ds.entities.at[e, "owner"], str) and e not in seen:
        seen.add(e)
        e = ds.entities.at[e, "owner"]
    return e


def camp_name(ds, camp: str) -> str:
    return ds.name(camp).replace(" (company)", "")


def camps(ds, apps: list[str], include_others: bool) -> list[str]:
    """Companies behind the selected apps (Kimi's first); with ``include_others`` also the
    companies with capability data but no app in the data (MiniMax, Baidu)."""
    out = list(dict.fromkeys(camp_of(ds, a) for a in sorted(apps, key=lambda a: a != KIMI)))
    if include_others:
        ents = set(ds.capabilities["entity"]) | set(
            ds.observations.loc[ds.observations["metric"].str.startswith("context_window"), "entity"]
        )
        for e in sorted(ents):
            c = camp_of(ds, e)
            if c in ds.entities.index and ds.entities.at[c, "kind"] == "company" and c not in out:
                out.append(c)
    return out


def context_windows(ds, chars_per_token: float) -> pd.DataFrame:
    """Every context-window row, with a token-equivalent (characters ÷ chars_per_token, flagged)."""
    o = ds.observations
    c = o[o["metric"].isin(["context_window_chars", "context_window_tokens"])].copy()
    c["camp"] = c["entity"].map(lambda e: camp_of(ds, e))
    c["period"] = c.apply(period_label, axis=1)
    is_chars = c["dimension"] == "characters"
    c["tokens_equiv"] = np.where(is_chars, c["base_value"] / chars_per_token, c["base_value"])
    c["tokens_equiv_high"] = np.where(is_chars, c["base_value_high"] / chars_per_token, c["base_value_high"])
    c["converted"] = is_chars
    return c.sort_index().sort_values(["camp", "period_start"], na_position="last", kind="stable")


def _day_text(d: pd.Timestamp, precision: str) -> str:
    return d.strftime("%Y-%m") if precision in ("month", "quarter") else d.date().isoformat()


def reasoning_entities(ds) -> dict[str, str]:
    """Models the articles call reasoning models, with the record that says so."""
    caps = ds.capabilities
    out = {r["entity"]: r["cap_id"] for _, r in caps[caps["capability"] == "reasoning_model"].iterrows()}
    o = ds.observations
    rk = o[(o["metric"] == "capability_rank") & o["scope"].fillna("").str.contains("reasoning")]
    for _, r in rk.iterrows():
        out.setdefault(r["entity"], r["obs_id"])
    return out


def capability_facts(ds, camp_list: list[str], chars_per_token: float) -> pd.DataFrame:
    """Long table: one row per (camp, dimension, fact) with text, record id and source id."""
    rows = []
    cw = context_windows(ds, chars_per_token)
    for _, r in cw[cw["camp"].isin(camp_list)].iterrows():
        conv = f" ≈ {format_cn(r['tokens_equiv'], ' tokens', 0)}†" if r["converted"] else ""
        who = "" if r["entity"] == r["camp"] or ds.entities.at[r["entity"], "kind"] == "app" else f"{ds.name(r['entity'])}: "
        when = r["period"] if r["period"] != "undated" else "undated"
        chart = format_en(r["base_value"], r["dimension"]) + (
            f" ≈ {format_en(r['tokens_equiv'], 'tokens')}†" if r["converted"] else ""
        )
        rows.append(
            {
                "camp": r["camp"],
                "dimension": "context window",
                "text": f"{who}{r['value_text']}{conv} ({when})",
                "short": f"{r['value_text']}{conv}",
                "chart": chart,
                "record": r["obs_id"],
                "source_id": r["source_id"],
                "has": True,
                "score": r["tokens_equiv"],
                "date": r["period_start"],
                "span": (r["period_end"] - r["period_start"]).days,
                "assumption": bool(r["converted"]),
            }
        )
    caps = ds.capabilities.copy()
    caps["camp"] = caps["entity"].map(lambda e: camp_of(ds, e))
    for dim, col in CAP_COLUMN.items():
        for _, r in caps[(caps["capability"] == col) & caps["camp"].isin(camp_list)].iterrows():
            val = r["value"]
            lacks = val.startswith("none")
            who = ds.name(r["entity"])
            text = who if dim == "open weights" else (f"{val} ({who})" if r["entity"] != r["camp"] else val)
            score = len([x for x in val.split(";") if x.strip()]) if dim == "modalities" else np.nan
            short = who if dim == "open weights" else val
            rows.append(
                {
                    "camp": r["camp"],
                    "dimension": dim,
                    "text": text,
                    "short": short,
                    "chart": short,
                    "record": r["cap_id"],
                    "source_id": r["source_id"],
                    "has": not lacks,
                    "score": score,
                    "date": pd.NaT,
                    "assumption": False,
                }
            )
    reasoning = reasoning_entities(ds)
    ev = ds.events[ds.events["kind"] == "model_launch"].copy()
    ev["camp"] = ev["entity"].map(lambda e: camp_of(ds, e))
    for _, e in ev[ev["camp"].isin(camp_list)].iterrows():
        r_id = reasoning.get(e["entity"])
        mark = " (reasoning)" if r_id else ""
        day = _day_text(e["date"], e["date_precision"])
        rows.append(
            {
                "camp": e["camp"],
                "dimension": "model launches",
                "text": f"{day} {e['label']}{mark}",
                "short": f"{ds.name(e['entity'])}{mark} {day}",
                "chart": (
                    f"{e['label'].split(' (')[0]}" if ds.entities.at[e["entity"], "kind"] == "app" else ds.name(e["entity"])
                )
                + f"{'*' if r_id else ''} {day}",
                "record": e["event_id"] + (f", {r_id}" if r_id else ""),
                "source_id": e["source_id"],
                "has": True,
                "score": np.nan,
                "date": e["date"],
                "assumption": False,
                "reasoning": bool(r_id),
            }
        )
    f = pd.DataFrame(rows)
    if "reasoning" not in f:
        f["reasoning"] = False
    f["reasoning"] = [x is True for x in f["reasoning"]]
    return f


def _window_steps(f: pd.DataFrame) -> list[tuple[str, str, list[str], str]]:
    """Distinct windows of one camp, smallest first: (text, first date, source ids, chart label)."""
    out = []
    for _, g in f.assign(_v=f["score"]).groupby("_v", sort=True):
        dated = g[g["date"].notna()].sort_values(["span", "date"])  # the most precise date first
        r = dated.iloc[0] if len(dated) else g.iloc[0]
        when = r["text"].rsplit("(", 1)[-1].rstrip(")") if len(dated) else "undated"
        out.append((f"{r['short']} ({when})", when, sorted(set(g["source_id"])), r["chart"]))
    return out


def capability_sources(facts: pd.DataFrame, camp_list: list[str]) -> pd.DataFrame:
    """Camp x dimension: the article ids behind each cell ('' when none)."""
    out = pd.DataFrame("", index=camp_list, columns=CAP_DIMENSIONS)
    for (c, d), g in facts.groupby(["camp", "dimension"]):
        if c in out.index:
            out.loc[c, d] = ", ".join(sorted(set(g["source_id"])))
    return out


def capability_status(facts: pd.DataFrame, camp_list: list[str]) -> pd.DataFrame:
    """Camp x dimension: 'has', 'lacks' (the article says none) or 'not stated'."""
    out = pd.DataFrame("not stated", index=camp_list, columns=CAP_DIMENSIONS)
    for (c, d), g in facts.groupby(["camp", "dimension"]):
        if c in out.index:
            out.loc[c, d] = "has" if g["has"].any() else "lacks"
    return out


def window_comparison(cw: pd.DataFrame) -> pd.DataFrame:
    """Largest window per camp (token-equivalent), excluding industry-wide statements."""
    c = cw[cw["camp"] != "industry"].copy()
    c["_span"] = (c["period_end"] - c["period_start"]).dt.days.fillna(1e9)  # most precise row first
    c = c.sort_values(["tokens_equiv", "_span"], ascending=[False, True]).drop_duplicates("camp")
    best = c[["camp", "entity", "value_text", "period", "period_start", "tokens_equiv", "converted", "obs_id", "source_id"]]
    return best.set_index("camp")


def overtaken(cw: pd.DataFrame, camp: str = "moonshot") -> dict | None:
    """When a rival first stated a window at least as large as ``camp``'s largest (token terms)."""
    w = window_comparison(cw)
    if camp not in w.index or pd.isna(w.loc[camp, "period_start"]):
        return None
    k = w.loc[camp]
    c = cw[
        (cw["camp"] != "industry") & (cw["camp"] != camp) & cw["period_start"].notna() & (cw["tokens_equiv"] >= k["tokens_equiv"])
    ].sort_values("period_start")
    if c.empty:
        return None
    r = c.iloc[0]
    months = (r["period_start"] - k["period_start"]).days / DAYS_PER_MONTH
    return {
        "by": r["camp"],
        "entity": r["entity"],
        "value_text": r["value_text"],
        "period": r["period"],
        "obs_id": r["obs_id"],
        "kimi_period": k["period"],
        "kimi_obs": k["obs_id"],
        "months_later": months,
    }


def break_even_chars_per_token(cw: pd.DataFrame, camp: str = "moonshot") -> dict[str, float]:
    """For each other camp's largest window in tokens: the chars_per_token at which ``camp``'s
    largest window in characters equals it (below that value ``camp``'s window is larger)."""
    c = cw[cw["camp"] != "industry"]
    chars = c[(c["camp"] == camp) & c["converted"]]["base_value"].max()
    toks = c[(c["camp"] != camp) & ~c["converted"]].groupby("camp")["base_value"].max()
    return {k: float(chars / v) for k, v in toks.items()} if not np.isnan(chars) else {}


def launches_per_camp(facts: pd.DataFrame, since: pd.Timestamp | None = None) -> pd.Series:
    f = facts[facts["dimension"] == "model launches"]
    if since is not None:
        f = f[f["date"] >= since]
    return f.groupby("camp").size()


# --- verdict (logic; the table text: presentation.narrative.competitors) ---------------------


def launch_lead(ds, kimi: str = KIMI) -> dict | None:
    """Kimi's first context window against what the articles say the industry had then."""
    o = ds.observations
    c = o[(o["metric"] == "context_window_chars") & o["period_start"].notna()]
    k = c[c["entity"] == kimi].sort_values("period_start")
    if k.empty:
        return None
    first = k.iloc[0]
    ind = c[(c["entity"] == "industry") & (c["period_start"] <= first["period_end"]) & (c["period_end"] >= first["period_start"])]
    if ind.empty:
        return None
    i = ind.iloc[0]
    high = i["base_value_high"] if not pd.isna(i["base_value_high"]) else i["base_value"]
    rank = o[(o["entity"] == kimi) & (o["metric"] == "capability_rank") & (o["period_start"] == first["period_start"])]
    return {
        "kimi": first["value_text"],
        "kimi_obs": first["obs_id"],
        "period": period_label(first),
        "industry": i["value_text"],
        "industry_obs": i["obs_id"],
        "ratio_low": first["base_value"] / high,
        "ratio_high": first["base_value"] / i["base_value"],
        "capability_rank": int(rank.iloc[0]["value"]) if len(rank) else None,
        "capability_rank_obs": rank.iloc[0]["obs_id"] if len(rank) else None,
    }


def _status(kimi: float, best: float) -> str:
    return "leads" if kimi > best else "par" if kimi == best else "trails"


def comparisons(
    ds,
    table: pd.DataFrame,
    metric: str,
    change: dict | None,
    facts: pd.DataFrame,
    status: pd.DataFrame,
    spend_q: pd.DataFrame | None,
    quarter: str | None,
    kimi_camp: str = "moonshot",
) -> pd.DataFrame:
    """One row per comparison: Kimi's figure, the best rival's, their ratio and a status
    ('leads', 'par', 'trails', 'lacks'); ``current`` marks the comparisons that describe
    Kimi now (the verdict is about them), the others are history.

    Figures the articles state as text are in ``kimi`` and ``best rival``; a number to be
    formatted is in ``kimi_value``/``rival_value`` with its ``unit`` ('users' or 'CNY'), the
    rival's name in ``rival`` and a note in ``kimi_note``/``rival_note`` (the text columns
    are then None: presentation.narrative.competitors.verdict_rows writes them)."""
    rows = []
    name = ds.metrics.at[metric, "name"]
    if KIMI in table.index:
        k = table.loc[KIMI]
        rivals = table[table.index != KIMI]
        top = rivals.sort_values("lo").iloc[0] if len(rivals) else None
        kv, kr_ = k["value"], k["rank"]
        if top is not None and not pd.isna(kv) and not pd.isna(top["value"]):
            rows.append(
                {
                    "dimension": f"{name} ({table['period'].iloc[0]})",
                    "kimi": None,
                    "best rival": None,
                    "unit": "users",
                    "kimi_value": kv,
                    "kimi_note": f"rank {k['rank_text']}",
                    "rival": top["name"],
                    "rival_value": top["value"],
                    "rival_note": f"rank {top['rank_text']}",
                    "kimi_over_best": kv / top["value"],
                    "status": _status(kv, top["value"]),
                    "current": True,
                }
            )
        elif kr_ is not None and not pd.isna(kr_):
            rows.append(
                {
                    "dimension": f"{name} rank ({table['period'].iloc[0]})",
                    "kimi": f"rank {int(kr_)}",
                    "best rival": "rank 1" if int(kr_) > 1 else "—",
                    "kimi_over_best": np.nan,
                    "status": "leads" if int(kr_) == 1 else "trails",
                    "current": True,
                }
            )
    if change:
        rows.append(
            {
                "dimension": f"{change['metric'].replace('_rank', '').upper()} rank a year before ({change['before_period']})",
                "kimi": f"rank {change['before_text']}",
                "best rival": "rank 1",
                "kimi_over_best": np.nan,
                "status": "leads" if change["before_rank"] == 1 else "trails",
                "current": False,
            }
        )
    lead = launch_lead(ds)
    if lead:
        rk = f"; ranked {lead['capability_rank']} in the world" if lead["capability_rank"] else ""
        rows.append(
            {
                "dimension": f"context window at launch ({lead['period']})",
                "kimi": lead["kimi"],
                "best rival": f"industry: {lead['industry']}{rk}",
                "kimi_over_best": lead["ratio_low"],
                "status": "leads",
                "current": False,
            }
        )
    cw = facts[facts["dimension"] == "context window"]
    kcw = cw[cw["camp"] == kimi_camp]
    ocw = cw[cw["camp"] != kimi_camp]
    if len(kcw) and len(ocw):
        kb, ob = kcw.loc[kcw["score"].idxmax()], ocw.loc[ocw["score"].idxmax()]
        # Kimi's window is an app's, in characters (converted), of 2024; the rivals' are models' in tokens, of other
        # dates: shown, but not a dated, comparable fact the verdict may rest on
        rows.append(
            {
                "dimension": "largest context window (tokens; † = converted)",
                "kimi": f"{kb['short']}",
                "best rival": f"{camp_name(ds, ob['camp'])} {ob['short']}",
                "kimi_over_best": kb["score"] / ob["score"],
                "status": _status(kb["score"], ob["score"]),
                "current": True,
                "comparable": bool(kb["date"] == ob["date"] and not kb["assumption"] and not ob["assumption"]),
            }
        )
    mod = facts[facts["dimension"] == "modalities"]
    if (mod["camp"] == kimi_camp).any() and (mod["camp"] != kimi_camp).any():
        km = mod[mod["camp"] == kimi_camp]["score"].max()
        om = mod[mod["camp"] != kimi_camp].sort_values("score").iloc[-1]
        rows.append(
            {
                "dimension": "modalities (items the articles list)",
                "kimi": f"{int(km)}",
                "best rival": f"{camp_name(ds, om['camp'])} {int(om['score'])} ({om['short']})",
                "kimi_over_best": km / om["score"],
                "status": _status(km, om["score"]),
                "current": True,
                "comparable": False,
            }
        )  # a count of what the articles happen to list
    rsn = facts[(facts["dimension"] == "model launches") & facts["reasoning"]]
    if (rsn["camp"] == kimi_camp).any() and (rsn["camp"] != kimi_camp).any():
        kd = rsn[rsn["camp"] == kimi_camp]["date"].min()
        od = rsn[rsn["camp"] != kimi_camp].sort_values("date").iloc[0]
        st = "par" if kd == od["date"] else "leads" if kd < od["date"] else "trails"
        rows.append(
            {
                "dimension": "first reasoning model",
                "kimi": kd.date().isoformat(),
                "best rival": f"{camp_name(ds, od['camp'])} {od['date'].date().isoformat()}",
                "kimi_over_best": np.nan,
                "status": st,
                "current": True,
            }
        )
    n = launches_per_camp(facts, since=pd.Timestamp("2025-01-01"))
    if kimi_camp in n.index and len(n.drop(kimi_camp)):
        best = n.drop(kimi_camp).sort_values().index[-1]
        rows.append(
            {
                "dimension": "model launches named in the articles, 2025",
                "kimi": str(int(n[kimi_camp])),
                "best rival": f"{camp_name(ds, best)} {int(n[best])}",
                "kimi_over_best": n[kimi_camp] / n[best],
                "status": _status(n[kimi_camp], n[best]),
                "current": True,
                "comparable": False,
            }
        )  # a count of what the articles happen to list
    for d in ["open weights", "data ecosystem", "own cloud", "developer tools"]:
        if kimi_camp not in status.index:
            continue
        others = [c for c in status.index if c != kimi_camp and status.loc[c, d] == "has"]
        ks = status.loc[kimi_camp, d]
        kt = "; ".join(facts[(facts["camp"] == kimi_camp) & (facts["dimension"] == d)]["short"]) or "not stated"
        ot = ", ".join(camp_name(ds, c) for c in others) or "none stated"
        if ks == "lacks" or (ks == "not stated" and others):
            st = "lacks"
        elif d == "developer tools" and "basic" in kt:
            st = "trails"  # article 003: Kimi's API 'still at the basic level', DeepSeek 'the benchmark'
        else:
            st = "par" if others else "leads"
        rows.append({"dimension": d, "kimi": kt, "best rival": ot, "kimi_over_best": np.nan, "status": st, "current": True})
    if spend_q is not None and quarter and (spend_q["entity"] == KIMI).any():
        q = spend_q[spend_q["quarter"] == quarter]
        kq = q[q["entity"] == KIMI]
        oq = q[q["entity"] != KIMI].sort_values("per_month")
        if len(kq) and len(oq):
            kv, ov = kq["low_month"].iloc[0], oq.iloc[-1]
            only = f"; Kimi: {kq['months_covered'].iloc[0]} only" if kq["months"].iloc[0] < 3 else ""
            rows.append(
                {
                    "dimension": f"ad spend per month ({quarter}{only})",
                    "kimi": None,
                    "best rival": None,
                    "unit": "CNY",
                    "kimi_value": kv,
                    "kimi_note": "at least, each month",
                    "rival": ds.name(ov["entity"]),
                    "rival_value": ov["per_month"],
                    "kimi_over_best": outspend_ratio(kq["low_month"], oq["per_month"]),
                    "status": _status(kv, ov["per_month"]),
                    "current": False,
                }
            )
    cols = [
        "dimension",
        "kimi",
        "best rival",
        "kimi_over_best",
        "status",
        "current",
        "comparable",
        "unit",
        "kimi_value",
        "kimi_note",
        "rival",
        "rival_value",
        "rival_note",
    ]
    out = pd.DataFrame(rows, columns=cols)
    out["comparable"] = out["comparable"].fillna(True).astype(bool)
    return out


def verdict(table: pd.DataFrame, status: pd.DataFrame, kimi_camp: str = "moonshot") -> dict:
    """Does 'whatever Kimi has, the others have too, and it is not the best' hold?

    Part 1 ('the others have it too'): no capability Kimi has (status matrix) is one that a rival
    is said to lack while no rival has it; capabilities the articles state for no rival at all
    are listed as 'not_stated_for_rivals' (silence is not evidence either way).
    Part 2 ('not the best'): Kimi leads on none of the current, comparable comparisons in ``table`` (dated facts
    of the same kind; counts of what the articles happen to list and an app's window against a model's are
    shown but are not evidence here: ``context_only``).
    The verdict holds when both do."""
    kimi_has = [d for d in status.columns if kimi_camp in status.index and status.loc[kimi_camp, d] == "has"]
    others = status.drop(index=kimi_camp, errors="ignore")
    shared = [d for d in kimi_has if (others[d] == "has").any()]
    # Kimi alone only where a rival is said to lack it; silence about every rival is not evidence
    unique = [d for d in kimi_has if d not in shared and (others[d] == "lacks").any()]
    unknown = [d for d in kimi_has if d not in shared and d not in unique]
    missing = [d for d in status.columns if d not in kimi_has and (others[d] == "has").any()]
    cur = table[table["current"] & table["comparable"]]
    leads = list(cur.loc[cur["status"] == "leads", "dimension"])
    return {
        "kimi_has": kimi_has,
        "shared_with_rivals": shared,
        "unique_to_kimi": unique,
        "not_stated_for_rivals": unknown,
        "rivals_have_kimi_lacks": missing,
        "leads_now": leads,
        "par_now": list(cur.loc[cur["status"] == "par", "dimension"]),
        "trails_now": list(cur.loc[cur["status"].isin(["trails", "lacks"]), "dimension"]),
        "leads_before": list(table.loc[~table["current"] & (table["status"] == "leads"), "dimension"]),
        "context_only": list(table.loc[table["current"] & ~table["comparable"], "dimension"]),
        "others_have_what_kimi_has": not unique,
        "kimi_best_nowhere": not leads,
        "holds": (not unique) and (not leads),
    }


def require(cond: bool, what: str) -> None:
    """Raise a clear DataError when a section has nothing to show."""
    if not cond:
        raise DataError("data/observations.csv", message=what)


# --- the whole analysis of notebook 04 ------------------------------------------------------------
@dataclass
class ComparisonAnalysis:
    """Everything notebook 04 shows, computed once from the validated parameters."""

    sel: list
    as_of_period: dict
    metric_name: str
    rank_metric_id: str | None
    rk: dict
    table: pd.DataFrame
    full: pd.DataFrame
    vendor_label: str
    ratios: dict
    derived: pd.DataFrame
    kimi_in: bool
    kimi_rank: int | None
    kimi_rank_text: str
    kimi_value: float  # NaN when Kimi has no value
    history: pd.DataFrame
    change: dict | None
    year_before_rows: pd.DataFrame
    snaps: pd.DataFrame
    spend: pd.DataFrame
    byq: pd.DataFrame
    quarter: str | None
    kimi_camp: str
    camp_list: list
    facts: pd.DataFrame
    status: pd.DataFrame
    cw: pd.DataFrame
    windows: pd.DataFrame
    overtaken_by: dict | None
    breakeven: dict
    backing: dict
    users_b: pd.DataFrame
    spend_b: pd.DataFrame | None
    vt: pd.DataFrame
    summary: dict
    lead: dict | None
    valued: pd.DataFrame
    snapshot_tables: list
    snap_results: list


def analyse(ds, P) -> ComparisonAnalysis:
    """The ranking at the chosen date and earlier snapshots, Kimi's rank history, ad spend, capabilities,
    backing, and the comparisons the verdict rests on (ParameterError when no period has data)."""
    apps = apps_with_data(ds)
    sel = selection(P.entities, apps)
    as_of_period = resolve_as_of(ds, P.metric, P.as_of, sel)  # ParameterError listing the periods with data
    metric_name = ds.metrics.at[P.metric, "name"]
    rank_metric_id = rank_metric(ds, P.metric)
    rk = ranking(ds, P.metric, as_of_period, sel)
    table, full = rk["table"], rk["full"]
    vendor_label = ds.name(rk["vendor"]) if rk["vendor"] else "no measurement firm named"
    ratios = ratios_to_kimi(table)
    derived = derived_values(ds, P.metric, as_of_period, sel)
    kimi_in = "kimi" in table.index
    kimi_rank = table.at["kimi", "rank"] if kimi_in else None
    kimi_rank_text = table.at["kimi", "rank_text"] if kimi_in else "not in the list"
    kimi_value = table.at["kimi", "value"] if kimi_in else np.nan
    history = kimi_rank_history(ds)
    change = rank_change(history, rank_metric_id, rk["vendor"], kimi_rank, as_of_period["end"]) if rank_metric_id else None
    year_before_rows = year_before(history, as_of_period["end"])
    snaps = multi_app_snapshots(ds, exclude=(P.metric, as_of_period["start"], as_of_period["end"]), entities=sel)
    spend = spend_table(ds, sel)
    byq = spend_by_quarter(spend)
    quarter = comparison_quarter(byq, sel)
    kimi_camp = camp_of(ds, "kimi")
    camp_list = camps(
        ds, list(full.index[full.index.isin(sel)]) + [e for e in sel if e not in full.index], include_others=P.entities == "all"
    )
    facts = capability_facts(ds, camp_list, P.chars_per_token)
    camp_list = [c for c in camp_list if c in set(facts["camp"])]  # only camps with a fact under this evidence
    status = capability_status(facts, camp_list)
    cw = context_windows(ds, P.chars_per_token)
    cw = cw[cw["camp"].isin(camp_list) | (cw["entity"] == "industry")]
    windows = window_comparison(cw)
    overtaken_by = overtaken(cw, kimi_camp)
    breakeven = break_even_chars_per_token(cw, kimi_camp)
    backing = ds.entities["backing"].to_dict()
    users_b = users_by_backing(table)
    spend_b = spend_by_backing(byq, quarter, backing) if quarter else None
    vt = comparisons(ds, table, P.metric, change, facts, status, byq, quarter, kimi_camp)
    summary = verdict(vt, status, kimi_camp)
    lead = launch_lead(ds)
    # --- what the sections compare (selections, not prose) -------------------------------------------
    valued = table[table["value"].notna()]
    snapshot_tables = []  # (snapshot row, its ranking, its derived values)
    for _, s in snaps.iterrows():
        a = resolve_as_of(ds, s["metric"], s["period_end"].date().isoformat(), sel)
        snapshot_tables.append((s, ranking(ds, s["metric"], a, sel), derived_values(ds, s["metric"], a, sel)))
    snap_results = [
        {
            "metric": s["metric"],
            "period": s["period"],
            "vendor": r["vendor"],
            "values": {e: v for e, v in r["table"][r["table"]["value"].notna()]["value"].items()},
            "derived": [
                {"entity": x["entity"], "value": x["value"], "formula": x["formula"], "inputs": x["inputs"]}
                for _, x in d.iterrows()
            ],
        }
        for s, r, d in snapshot_tables
    ]
    return ComparisonAnalysis(
        sel=sel,
        as_of_period=as_of_period,
        metric_name=metric_name,
        rank_metric_id=rank_metric_id,
        rk=rk,
        table=table,
        full=full,
        vendor_label=vendor_label,
        ratios=ratios,
        derived=derived,
        kimi_in=kimi_in,
        kimi_rank=kimi_rank,
        kimi_rank_text=kimi_rank_text,
        kimi_value=kimi_value,
        history=history,
        change=change,
        year_before_rows=year_before_rows,
        snaps=snaps,
        spend=spend,
        byq=byq,
        quarter=quarter,
        kimi_camp=kimi_camp,
        camp_list=camp_list,
        facts=facts,
        status=status,
        cw=cw,
        windows=windows,
        overtaken_by=overtaken_by,
        breakeven=breakeven,
        backing=backing,
        users_b=users_b,
        spend_b=spend_b,
        vt=vt,
        summary=summary,
        lead=lead,
        valued=valued,
        snapshot_tables=snapshot_tables,
        snap_results=snap_results,
    )


def results(an: ComparisonAnalysis, P) -> dict:
    """The results JSON of notebook 04 (declared by CompetitorResults in orchestration/results_models.py)."""
    as_of_period = an.as_of_period
    breakeven = an.breakeven
    byq = an.byq
    change = an.change
    derived = an.derived
    kimi_rank = an.kimi_rank
    kimi_rank_text = an.kimi_rank_text
    kimi_value = an.kimi_value
    quarter = an.quarter
    ratios = an.ratios
    rk = an.rk
    snap_results = an.snap_results
    spend = an.spend
    spend_b = an.spend_b
    status = an.status
    summary = an.summary
    table = an.table
    users_b = an.users_b
    valued = an.valued
    windows = an.windows
    year_before_rows = an.year_before_rows

    def _num(x):
        return None if x is None or (isinstance(x, float) and np.isnan(x)) else x

    return {
        "metric": P.metric,
        "as_of": {
            "requested": P.as_of,
            "start": as_of_period["start"],
            "end": as_of_period["end"],
            "label": table["period"].iloc[0],
        },
        "vendor": rk["vendor"],
        "ranking": [
            {
                "entity": e,
                "name": r["name"],
                "value": _num(r["value"]),
                "rank": _num(r["rank"]),
                "rank_text": r["rank_text"],
                "rank_basis": r["basis"],
                "value_obs": r["value_obs"] or None,
                "rank_obs": r["rank_obs"] or None,
                "backing": r["backing"],
                "value_low_by_rank": _num(r["value_low_by_rank"]),
                "value_high_by_rank": _num(r["value_high_by_rank"]),
            }
            for e, r in table.iterrows()
        ],
        "kimi_rank": _num(kimi_rank),
        "kimi_rank_text": kimi_rank_text,
        "kimi_value": _num(kimi_value),
        "ratio_to_kimi": {e: round(v, 4) for e, v in ratios.items()},
        "ratio_to_leader": ({e: round(v / valued["value"].max(), 4) for e, v in valued["value"].items()} if len(valued) else {}),
        "derived": [
            {"entity": r["entity"], "value": r["value"], "formula": r["formula"], "inputs": r["inputs"], "label": r["label"]}
            for _, r in derived.iterrows()
        ],
        "rank_change": change,
        "kimi_rank_year_before": [
            {
                "metric": r["metric"],
                "period": r["period"],
                "rank": int(r["value"]),
                "rank_text": r["rank_text"],
                "vendor": r["vendor"],
                "obs_id": r["obs_id"],
            }
            for _, r in year_before_rows.iterrows()
        ],
        "snapshots": snap_results,
        "ad_spend_quarter": quarter,
        "ad_spend_per_month": (
            {e: v for e, v in byq[byq["quarter"] == quarter].set_index("entity")["per_month"].items()} if quarter else {}
        ),
        "ad_spend_flags": {i: f for i, f in spend["flag_text"].items() if f},
        "users_by_backing": {
            b: {
                "users": r["users"],
                "apps": r["apps_with_value"],
                "unvalued_apps": r["apps_without_value"],
                "unvalued_low": _num(r["unvalued_low"]),
                "unvalued_high": _num(r["unvalued_high"]),
            }
            for b, r in users_b.iterrows()
        },
        "spend_by_backing": ({b: r["per_month"] for b, r in spend_b.iterrows()} if spend_b is not None else {}),
        "chars_per_token": P.chars_per_token,
        "context_window_tokens_equiv": {c: r["tokens_equiv"] for c, r in windows.iterrows()},
        "break_even_chars_per_token": breakeven,
        "capability_status": status.to_dict(orient="index"),
        "verdict": summary,
    }
