"""Before the fall and down the lists: the rise of each user series, and the entity's rank history on one list at
a time (the comparability layer's :func:`~kimi_research.data.comparable.trend` and
:func:`~kimi_research.data.comparable.rank_history`)."""

from __future__ import annotations

import pandas as pd

from kimi_research.analysis.decline.common import (
    METRIC_SHORT,
    RANK_METRICS,
    USER_METRICS,
    months_between,
    vendor_label,
    with_kind,
)
from kimi_research.analysis.decline.series import levels_of
from kimi_research.data import comparable as C
from kimi_research.data.vocabulary import rank_text

GROWTH_COLUMNS = [
    "metric",
    "series",
    "vendor",
    "start_obs",
    "start_period",
    "start_value",
    "end_obs",
    "end_period",
    "end_value",
    "multiple",
    "months",
    "monthly_growth",
    "why_no_rate",
    "source_ids",
]


def growth_phases(ds, entity_id: str, window: tuple | None = C.STUDY_WINDOW) -> pd.DataFrame:
    """Rises within one series (metric x firm, or one source naming no firm) of a user metric: from its first
    point to its maximum, when the maximum comes later. The points are the layer's trend points (one scale, no
    bound, no special day, inside ``window``): two sources that name no firm are never joined. Multiple, months
    and the compound monthly growth, which is None (``why_no_rate``) when the two points are less than about two
    months apart."""
    out = []
    for metric in USER_METRICS:
        lv = levels_of(ds, metric, entity_id)
        for key in sorted(set(lv.rows["series"])):
            t = C.trend_in(lv, series=key, window=window)
            g = with_kind(t.rows).sort_values(["period_mid", "period_end"], kind="stable")
            if len(g) < 2:
                continue
            first = g.iloc[0]
            top = C.peak(t, by=("entity",), choose=True).rows
            top = g.loc[top.index[0]]
            if top["period_mid"] <= first["period_mid"] or top["base_value"] <= first["base_value"]:
                continue
            months = float(months_between(first["period_mid"], top["period_mid"]))
            multiple = float(top["base_value"] / first["base_value"])
            ok, why = C.rate_allowed([first["period_mid"], top["period_mid"]])
            out.append(
                {
                    "metric": metric,
                    "series": key,
                    "vendor": vendor_label(ds, key),
                    "start_obs": first.name,
                    "start_period": first["period"],
                    "start_value": float(first["base_value"]),
                    "end_obs": top.name,
                    "end_period": top["period"],
                    "end_value": float(top["base_value"]),
                    "multiple": multiple,
                    "months": months,
                    "monthly_growth": float(multiple ** (1 / months) - 1) if ok else None,
                    "why_no_rate": why,
                    "source_ids": sorted({s for x in g["source_ids"] for s in x}),
                }
            )
    return pd.DataFrame(out, columns=GROWTH_COLUMNS).sort_values("start_period", kind="stable").reset_index(drop=True)


def list_name(ds, list_key: str) -> str:
    """'WAU rank, QuestMobile, domestic AI-native apps' for a list key 'wau_rank · questmobile · domestic ...'."""
    metric, series, scope = (list_key.split(" · ", 2) + ["", ""])[:3]
    return f"{METRIC_SHORT.get(metric, metric)}, {vendor_label(ds, series)}" + (f", {scope}" if scope else "")


def rank_histories(ds, entity_id: str, window: tuple | None = C.STUDY_WINDOW) -> tuple[list[str], pd.DataFrame, dict[str, str]]:
    """The entity's rank lists (the layer's :func:`~kimi_research.data.comparable.rank_lists`: the list with most
    figures first), every rank row in the window with its list (``list_key``, ``list_name``) and a readable rank,
    and the rank rows left out ({obs_id: reason}: outside the window, a repeat, undated ...).

    Each list is its own history: the monthly and the weekly list, another firm's or another scope are never
    joined."""
    histories = C.rank_histories(ds, entity_id, list(RANK_METRICS), window)
    keys = list(histories)
    parts = []
    left: dict[str, str] = {}
    for k, h in histories.items():
        parts.append(with_kind(h.rows).assign(list_key=k, list_name=list_name(ds, k)))
        left.update({i: r for i, r in h.reasons.items() if h.left_out.at[i, "rule"] != "other_list"})
    if not parts:
        h = C.rank_history(ds, entity_id, list(RANK_METRICS), window=window)
        left.update(h.reasons)
        rows = with_kind(h.rows).assign(list_key=pd.Series(dtype=str), list_name=pd.Series(dtype=str))
    else:
        rows = pd.concat(parts)
    rows = rows.assign(rank=[rank_text(v, q) for v, q in zip(rows["value"], rows["qualifier"], strict=True)])
    order = {k: i for i, k in enumerate(keys)}
    rows = rows.assign(_order=rows["list_key"].map(order)).sort_values(["_order", "period_mid"], kind="stable")
    return keys, rows.drop(columns="_order"), dict(sorted(left.items()))
