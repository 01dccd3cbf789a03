"""Level series: the dated levels of one entity's metric from one firm, each measurement once.

:func:`level_series` is the one way the analysis layer should turn observations into a series to
plot or fit. It enforces what ``value_kind`` means:

* a ``change`` row (a growth rate, a difference over a period) is never a level: left out;
* every measurement counts once (:mod:`kimi_research.data.measurements`): corroborating rows are
  folded into the kept row, whose ``source_ids``/``n_sources`` list the corroboration;
* a month and its own quarter's ``monthly_average`` are never two dates of one series: where a
  month's own value lies inside an average's period, one of them is left out (``prefer``);
* undated rows cannot be placed on a time axis: left out.

What was left out, and why, is in ``series.attrs["excluded"]`` ({obs_id: reason}).
"""

from __future__ import annotations

from typing import cast

import pandas as pd

from kimi_research.data.measurements import ROUNDING, measurement_ids

ANY_VENDOR = "*"
LEVEL_KINDS = ("period_value", "monthly_average", "end_value", "cumulative")


def level_series(
    obs: pd.DataFrame,
    entity: str,
    metric: str,
    vendor: str | None = ANY_VENDOR,
    prefer: str = "period_value",
    kinds: tuple[str, ...] = ("period_value", "monthly_average", "end_value"),
    rel_tol: float = ROUNDING,
) -> pd.DataFrame:
    """The levels of ``metric`` for ``entity`` measured by ``vendor``, sorted by period midpoint.

    ``vendor``: a firm id, None for rows that name no firm, or ``"*"`` for any firm (then each
    firm's rows are resolved separately, and the ``vendor`` column tells them apart).
    ``prefer``: ``"period_value"`` keeps the months and drops an average whose period holds one
    of them; ``"monthly_average"`` keeps the average and drops the months inside it.
    ``kinds``: the value kinds that count as levels here (``cumulative`` only on request).
    """
    if prefer not in ("period_value", "monthly_average"):
        raise ValueError(f"prefer must be 'period_value' or 'monthly_average', got {prefer!r}")
    bad = set(kinds) - set(LEVEL_KINDS)
    if bad:
        raise ValueError(f"not level kinds: {', '.join(sorted(bad))} (a 'change' is never a level)")
    rows = obs[(obs["entity"] == entity) & (obs["metric"] == metric)]
    if vendor is None:
        rows = rows[rows["vendor"].isna()]
    elif vendor != ANY_VENDOR:
        rows = rows[rows["vendor"] == vendor]
    excluded: dict[str, str] = {}
    kind = rows["value_kind"]
    for oid in rows.index[~kind.isin(kinds)]:
        excluded[oid] = f"value_kind {kind[oid]}: not a level"
    rows = rows[kind.isin(kinds)]
    for oid in rows.index[rows["period_start"].isna()]:
        excluded[oid] = "undated: cannot be placed on a time axis"
    rows = rows[rows["period_start"].notna()].copy()
    # each measurement once; the kept row carries its corroboration
    rows["measurement"] = measurement_ids(rows, rel_tol)
    src = {m: sorted(set(g["source_id"])) for m, g in rows.groupby("measurement")}
    members = {m: sorted(g.index) for m, g in rows.groupby("measurement")}
    for oid, m in rows["measurement"].items():
        if oid != m:
            excluded[cast(str, oid)] = f"the same measurement as {m}: counted once"
    rows = rows[rows.index == rows["measurement"]].copy()
    rows["source_ids"] = pd.Series([src[i] for i in rows.index], index=rows.index, dtype=object)
    rows["obs_ids"] = pd.Series([members[i] for i in rows.index], index=rows.index, dtype=object)
    rows["n_sources"] = rows["source_ids"].map(len)
    # never a month and its own quarter's average as two dates (within one firm)
    vend = rows["vendor"].fillna("")
    drop: set[str] = set()
    for a, r in rows[rows["value_kind"] == "monthly_average"].iterrows():
        a = cast(str, a)
        inside = rows[
            (vend == vend[a])
            & (rows["value_kind"] != "monthly_average")
            & (rows["period_start"] >= r["period_start"])
            & (rows["period_end"] <= r["period_end"])
        ]
        if inside.empty:
            continue
        if prefer == "period_value":
            drop.add(a)
            excluded[a] = (
                f"monthly average over a period that holds {', '.join(inside.index)}: the months are used, not their average"
            )
        else:
            for m in inside.index:
                drop.add(m)
                excluded[m] = f"inside the period of the monthly average {a}: the average is used"
    rows = rows.drop(index=sorted(drop))
    if "period_mid" in rows.columns:
        rows = rows.sort_values(["period_mid", "period_start"])
    rows.attrs["excluded"] = excluded
    return rows
