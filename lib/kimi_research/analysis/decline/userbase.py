"""One consistent user base: DAU against MAU of the same firm and period (stickiness), each firm's direction over
the windows two firms both measured, and the fall compared like for like (month against month, a quarter's
average against a quarter's average)."""

from __future__ import annotations

from itertools import combinations
from typing import Any, cast

import pandas as pd

from kimi_research.analysis.decline.common import USER_METRICS, months_between, vendor_label, with_kind
from kimi_research.analysis.decline.series import levels_of
from kimi_research.data import comparable as C
from kimi_research.data.measurements import ROUNDING
from kimi_research.data.vocabulary import count_text

#: what a row's scale and grain say in words
SCALE_WORDS = {
    "month": "single months",
    "monthly average": "a period's monthly average",
    "day": "single days",
    "week": "single weeks",
    "days": "multi-day windows",
    "quarter": "quarters",
    "end of period": "end-of-period figures",
}


# --- stickiness -------------------------------------------------------------------------------------
def apps(ds) -> list[str] | None:
    """Entity ids of kind 'app' (None when the dataset has no entity table: every entity)."""
    if hasattr(ds, "entities") and "kind" in ds.entities.columns:
        return sorted(ds.entities.index[ds.entities["kind"] == "app"])
    return None


def stickiness(ds, window: tuple | None = C.STUDY_WINDOW) -> C.Comparable:
    """DAU/MAU of every app with a DAU and an MAU of one firm for the same period (the layer's
    :func:`~kimi_research.data.comparable.ratio_pairs`: never across firms, never a day against a month, never
    two scopes; the pairs left out are listed with their reason)."""
    return C.ratio_pairs(ds, "dau", "mau", apps(ds), window)


# --- direction by firm ------------------------------------------------------------------------------
def _direction(first: float, last: float) -> str:
    r = last / first
    return "rises" if r > 1 + ROUNDING else "falls" if r < 1 - ROUNDING else "flat"


def _scopes(rows: pd.DataFrame) -> list[str]:
    s = rows["scope"] if "scope" in rows.columns else pd.Series(None, index=rows.index)
    return sorted({x if isinstance(x, str) and x else "not stated" for x in s})


def _scales(rows: pd.DataFrame) -> list[str]:
    return sorted({f"{SCALE_WORDS.get(s, s)}" for s in rows["scale"]})


def _bracket(rows: pd.DataFrame, lo: pd.Timestamp, hi: pd.Timestamp) -> pd.DataFrame:
    """The points of one series covering [lo, hi]: from the last point at or before lo to the first at or after hi."""
    mids = rows["period_mid"]
    start = mids[mids <= lo].max() if (mids <= lo).any() else mids.min()
    end = mids[mids >= hi].min() if (mids >= hi).any() else mids.max()
    return rows[(mids >= start) & (mids <= end)]


def direction_by_vendor(ds, entity: str, window: tuple | None = C.STUDY_WINDOW) -> list[dict]:
    """For each user metric and each pair of firms that both measured the entity with two points or more (their
    trend points: one scale, no bound, no special day, inside ``window``) over overlapping spans: the window both
    cover and, for each firm, its points covering that window (from its last point at or before the window's
    start to its first at or after its end), whether that series rises, falls or stays flat (first against last,
    within the rounding tolerance), and, when the two disagree, a sentence saying what differs between the panels
    (scope and grain, from the rows). Unattributed sources are not firms: left out."""
    out = []
    for metric in USER_METRICS:
        lv = levels_of(ds, metric, entity)
        firms = sorted({s for s in lv.rows["series"] if not s.startswith(C.NO_FIRM)})
        series = {}
        for f in firms:
            t = C.trend_in(lv, series=f, window=window)
            rows = with_kind(t.rows).sort_values("period_mid", kind="stable")
            if rows["period_mid"].nunique() >= 2:
                series[f] = rows
        for a, b in combinations(sorted(series), 2):
            ra, rb = series[a], series[b]
            lo = max(ra["period_mid"].min(), rb["period_mid"].min())
            hi = min(ra["period_mid"].max(), rb["period_mid"].max())
            if lo > hi:
                continue
            parts = []
            for f, r in ((a, ra), (b, rb)):
                sub = _bracket(r, lo, hi)
                first, last = sub.iloc[0], sub.iloc[-1]
                parts.append(
                    {
                        "firm": f,
                        "firm_name": vendor_label(ds, f),
                        "direction": _direction(float(first["base_value"]), float(last["base_value"])),
                        "change": float(last["base_value"] / first["base_value"] - 1),
                        "months": float(months_between(first["period_mid"], last["period_mid"])),
                        "obs_ids": list(sub.index),
                        "periods": list(sub["period"]),
                        "values": [float(v) for v in sub["base_value"]],
                        "scopes": _scopes(sub),
                        "scales": _scales(sub),
                        "past_window": bool(sub["period_mid"].min() < lo or sub["period_mid"].max() > hi),
                        "text": " → ".join(
                            f"{count_text(v)} ({p})" for v, p in zip(sub["base_value"], sub["period"], strict=True)
                        ),
                    }
                )
            span = f"{_label_at(ra, rb, lo)} to {_label_at(ra, rb, hi)}"
            agree = len({p["direction"] for p in parts}) == 1 or "flat" in {p["direction"] for p in parts}
            out.append(
                {
                    "metric": metric,
                    "window": span,
                    "firms": [a, b],
                    "series": parts,
                    "agree": agree,
                    "sentence": None if agree else _disagreement(ds, entity, metric, span, parts),
                }
            )
    return out


def _label_at(ra: pd.DataFrame, rb: pd.DataFrame, when: pd.Timestamp) -> str:
    both = pd.concat([ra, rb])
    return str(both.loc[cast(Any, (both["period_mid"] - when).abs().idxmin()), "period"])


def _disagreement(ds, entity: str, metric: str, span: str, parts: list[dict]) -> str:
    """'The firms disagree on Kimi's MAU from 2024-12 to 2025-03: ... What differs between the panels: ...'."""
    a, b = parts
    said = "; ".join(
        f"{p['firm_name']}'s series {p['direction']} ({p['text']}"
        + (": its figures that bracket the window" if p["past_window"] else "")
        + ")"
        for p in parts
    )
    differ = []
    if a["scopes"] != b["scopes"]:
        differ.append(
            "the scope ("
            + "; ".join(f"{p['firm_name']}: {', '.join(repr(s) if s != 'not stated' else s for s in p['scopes'])}" for p in parts)
            + ")"
        )
    if a["scales"] != b["scales"]:
        differ.append("the grain (" + "; ".join(f"{p['firm_name']}: {' and '.join(p['scales'])}" for p in parts) + ")")
    differ.append("each firm's own panel and method (neither is joined to the other)")
    return (
        f"The two firms disagree on the direction of {ds.name(entity)}'s {metric.upper()} over {span}: {said}. "
        f"What differs between the panels: {'; '.join(differ)}. The data do not say which panel is right."
    )


# --- like for like ----------------------------------------------------------------------------------
GRAIN_WORDS = {
    ("month", "month"): "month against month",
    ("quarter", "monthly average"): "a quarter's monthly average against a quarter's monthly average",
    ("day", "day"): "day against day",
    ("week", "week"): "week against week",
}


def like_for_like(rows: pd.DataFrame) -> list[dict]:
    """Changes between figures of one series and one grain (month against month, a quarter's average against a
    quarter's average, same firm): per series and grain with two dates or more, from the largest figure to the
    latest when the largest comes first (else from the first), points only (``rows``: the levels that stand side
    by side, with kind and period)."""
    out = []
    pts = rows[rows["kind"] == "point"]
    for (series, grain, scale), g in pts.groupby(["series", "grain", "scale"], sort=True):
        g = g.sort_values(["period_mid", "period_end"], kind="stable")
        if g["period_mid"].nunique() < 2:
            continue
        top = (
            g.loc[cast(Any, g["base_value"].idxmax())]
            if g["base_value"].is_unique
            else g[g["base_value"] == g["base_value"].max()].iloc[0]
        )
        last = g.iloc[-1]
        basis = "peak to latest" if top["period_mid"] < last["period_mid"] else "first to latest"
        start = top if basis == "peak to latest" else g.iloc[0]
        out.append(
            {
                "series": str(series),
                "grain": str(grain),
                "scale": str(scale),
                "comparison": GRAIN_WORDS.get(
                    (cast(str, grain), cast(str, scale)), f"{grain} ({scale}) against {grain} ({scale})"
                ),
                "basis": basis,
                "from_obs": str(start.name),
                "from_period": str(start["period"]),
                "from_value": float(start["base_value"]),
                "to_obs": str(last.name),
                "to_period": str(last["period"]),
                "to_value": float(last["base_value"]),
                "months": float(months_between(start["period_mid"], last["period_mid"])),
                "change": float(last["base_value"] / start["base_value"] - 1),
                "obs_ids": sorted({*start["obs_ids"], *last["obs_ids"]}),
            }
        )
    return out


def grain_words(row) -> str:
    """'a month (2024-12)', "a quarter's monthly average (2025 Q3)", 'a day (2025-03-04)' for a level row."""
    what = {
        ("month", "month"): "a month",
        ("quarter", "monthly average"): "a quarter's monthly average",
        ("day", "day"): "a day",
        ("week", "week"): "a week",
    }.get((row["grain"], row["scale"]), f"a {row['scale']} figure")
    return f"{what} ({row['period']})"
