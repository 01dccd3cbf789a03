"""One fact, counted once: rows of ``observations.csv`` that report the same measurement.

A *measurement* is one number measured once (QuestMobile's Kimi MAU of December 2024); an
*observation* is one source reporting it. Several sources may report the same measurement, and
one source may report it twice (a month and the quarter that holds it). Every fit, ranking and
count uses measurements; the observations stay visible as corroboration (``source_ids``).

Rows are folded into one measurement by three rules:

1. **same measurement** (automatic): same firm (``vendor``, empty = none named), entity, metric,
   period, ``duration_days``, ``value_kind`` and qualifier, and a value equal within rounding
   (:data:`ROUNDING`, 0.5%: 2101万 = 21.01 million; 1408万 ~ 1407.2万);
2. **a month repeated as its quarter** (automatic): a month's own value (``period_value``)
   lying inside a longer ``monthly_average`` period of the same firm, entity and metric and equal
   to it within rounding is the same figure reported twice (QuestMobile's 1408万 for May 2025 and
   1407.2万 for Q2 2025); the longer period is kept;
3. **``same_as``** (explicit): a contributor names the earlier row, for what a rule cannot see.

In each group one row is kept as the measurement's representative: a dated row before an undated
one, then the longer period, then a tier-1 source, then the first obs_id.

How it scales: the rules are applied to *candidate pairs* only, found by sorting within groups
(rule 1: rows of one group sorted by value, where "equal within rounding" links neighbours; rule 2:
a merge of the distinct months with the distinct averages of the same firm, entity and metric), and
the groups are the connected components of those pairs (``scipy.sparse.csgraph``). Time grows with
the number of rows, not with its square.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

#: Relative difference under which two values of one firm, entity, metric and period are one figure
#: written twice (rounding: 2101万 and 21.01 million; 1408万 and 1407.2万 are 0.06% apart). The
#: boundary is tested (0.4% merges, 0.6% does not): a wider tolerance merges different figures.
ROUNDING = 0.005
_QUALIFIER_FAMILY = {"=": "=", "~": "="}


def _close_arrays(a: np.ndarray, b: np.ndarray, rel_tol: float) -> np.ndarray:
    """Element-wise on float arrays: equal within ``rel_tol`` of the larger magnitude (two missing values are equal).

    The division is 0/0 only when both values are 0 (equal anyway): an invalid value, never a division by zero."""
    both_nan = np.isnan(a) & np.isnan(b)
    with np.errstate(invalid="ignore"):
        ref = np.maximum(np.abs(a), np.abs(b))
        within = (ref > 0) & (np.abs(a - b) / ref <= rel_tol)
    return both_nan | (a == b) | within


def _col(rows: pd.DataFrame, name: str, default=None) -> pd.Series:
    return rows[name] if name in rows.columns else pd.Series(default, index=rows.index, dtype=object)


def _group_ids(frame: pd.DataFrame) -> np.ndarray:
    """One integer per distinct row of ``frame`` (missing values form their own group; no row: no integer)."""
    codes = np.column_stack([pd.factorize(frame[c], use_na_sentinel=False)[0] for c in frame.columns])
    return np.unique(codes, axis=0, return_inverse=True)[1].ravel()


def _chain(groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Edges that join every position to the first position of its group."""
    _, first_at, inverse = np.unique(groups, return_index=True, return_inverse=True)
    first = first_at[inverse.ravel()]
    pos = np.arange(len(groups))
    keep = first != pos
    return pos[keep], first[keep]


def _pairs_within(group_a: np.ndarray, group_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (i, j) with group_a[i] == group_b[j]: positions into the two arrays."""
    order = np.argsort(group_b, kind="stable")
    sorted_b = group_b[order]
    lo = np.searchsorted(sorted_b, group_a, side="left")
    hi = np.searchsorted(sorted_b, group_a, side="right")
    counts = hi - lo
    i = np.repeat(np.arange(len(group_a)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return i, order[np.repeat(lo, counts) + offsets]


def _rule1_edges(key: np.ndarray, value: np.ndarray, high: np.ndarray, rel_tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of positions with the same key and values (and upper ends) equal within rounding.

    Exact repeats (same key, value and upper end) are chained first; among the distinct values of a
    key, sorted, "equal within rounding" links neighbours: for values of one sign, a <= b <= c and
    a ~ c imply a ~ b and b ~ c, so the neighbours' links give the same groups as every pair's. Keys
    with a range (an upper end) or a missing value are compared pair by pair over their distinct
    values (few: ranges are rare, and exact repeats are already chained)."""
    n = len(key)
    vnan, hnan = np.isnan(value), np.isnan(high)
    exact = _group_ids(
        pd.DataFrame({"k": key, "v": np.where(vnan, 0.0, value), "vn": vnan, "h": np.where(hnan, 0.0, high), "hn": hnan})
    )
    a, b = _chain(exact)
    src, dst = [a], [b]
    first = pd.Series(np.arange(n)).groupby(exact, sort=False).first().to_numpy()  # one position per exact class
    k, v, h = key[first], value[first], high[first]
    odd = pd.Series(~np.isnan(h) | np.isnan(v)).groupby(k).transform("any").to_numpy(dtype=bool)
    simple = ~odd
    # keys whose values are all plain numbers: neighbours in value order
    idx = first[simple]
    order = np.lexsort((value[idx], key[idx]))
    s = idx[order]
    if len(s) > 1:
        a, b = s[:-1], s[1:]
        link = (key[a] == key[b]) & _close_arrays(value[a], value[b], rel_tol)
        src.append(a[link])
        dst.append(b[link])
    # keys with ranges or missing values: every pair of distinct classes
    rest = first[~simple]
    for _, g in pd.Series(rest).groupby(key[rest], sort=False):
        p = g.to_numpy()
        if len(p) < 2:
            continue
        i, j = np.triu_indices(len(p), k=1)
        a, b = p[i], p[j]
        link = _close_arrays(value[a], value[b], rel_tol) & _close_arrays(high[a], high[b], rel_tol)
        src.append(a[link])
        dst.append(b[link])
    return np.concatenate(src), np.concatenate(dst)


def _rule2_edges(
    group: np.ndarray,
    kind: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    value: np.ndarray,
    dated: np.ndarray,
    rel_tol: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (a month's own value, a longer average of the same firm, entity and metric that holds it and
    equals it within rounding). Rows alike in every field the rule reads form one class; the classes are
    paired within their group, and every member of a paired class is joined."""
    none = np.empty(0, dtype=int), np.empty(0, dtype=int)
    outer_kind = (kind == "monthly_average") | (kind == "")
    if not (dated & outer_kind).any():
        return none  # no average (nor unlabelled row) that could hold a month: nothing to pair
    pos = np.flatnonzero(dated & ((kind == "period_value") | outer_kind))
    if len(pos) < 2:
        return none
    g, k, s, t, v = group[pos], kind[pos], start[pos], end[pos], value[pos]
    c = _group_ids(pd.DataFrame({"g": g, "k": k, "s": s, "t": t, "v": v}))
    _, rep = np.unique(c, return_index=True)  # one row per class (its first)
    inner = rep[(k[rep] == "period_value") | (k[rep] == "")]
    outer = rep[outer_kind[pos][rep]]
    ia, ib = _pairs_within(g[inner], g[outer])
    a, b = inner[ia], outer[ib]
    kinds_ok = ((k[a] == "period_value") & (k[b] == "monthly_average")) | ((k[a] == "") & (k[b] == ""))
    ok = kinds_ok & ((t[b] - s[b]) > (t[a] - s[a])) & (s[b] <= s[a]) & (t[a] <= t[b])
    a, b = a[ok], b[ok]
    close = _close_arrays(v[a].astype(float), v[b].astype(float), rel_tol)
    a, b = a[close], b[close]
    if len(a) == 0:
        return none
    paired = np.isin(c, np.concatenate([c[a], c[b]]))
    ma, mb = _chain(np.where(paired, c, -1 - np.arange(len(c))))  # members of a paired class join its first
    return np.concatenate([pos[a], pos[ma]]), np.concatenate([pos[b], pos[mb]])


def measurement_ids(rows: pd.DataFrame, rel_tol: float = ROUNDING) -> pd.Series:
    """obs_id -> id of the measurement it belongs to (the obs_id of the row kept for it).

    Computed on ``rows`` only (pass a selection to fold within it); ``rows`` needs the loader's
    columns (entity, metric, vendor, period_start, period_end, base_value ...) and a unique index.
    """
    if rows.empty:
        return pd.Series(dtype=object, name="measurement")
    n = len(rows)
    vendor = _col(rows, "vendor").fillna("")
    kind = _col(rows, "value_kind").fillna("")
    qual = _col(rows, "qualifier", "=").fillna("=").map(lambda q: _QUALIFIER_FAMILY.get(q, q))
    dur = _col(rows, "duration_days").astype(object).where(_col(rows, "duration_days").notna(), None)
    start, end = rows["period_start"], rows["period_end"]
    value = pd.to_numeric(rows["base_value"], errors="coerce").to_numpy(dtype=float)
    high = _col(rows, "base_value_high", float("nan")).astype(float).to_numpy()
    entity, metric = _col(rows, "entity").fillna(""), _col(rows, "metric").fillna("")
    src: list[np.ndarray] = []
    dst: list[np.ndarray] = []
    # rule 1: same firm, entity, metric, period, kind and qualifier; value within rounding
    # (only for rows that say which entity and metric they are about)
    if "entity" in rows.columns and "metric" in rows.columns:
        key = pd.DataFrame(
            {
                "v": vendor,
                "e": entity,
                "m": metric,
                "s": start,  # grouped by value (NaT its own group), as by its text
                "t": end,
                "d": dur.astype(str),
                "k": kind,
                "q": qual,
            }
        )
        a, b = _rule1_edges(_group_ids(key), value, high, rel_tol)
        src.append(a)
        dst.append(b)
    # rule 2: a month's own value repeated as the average of its quarter (or any longer period)
    group = _group_ids(pd.DataFrame({"v": vendor, "e": entity, "m": metric}))
    dated = (start.notna() & end.notna()).to_numpy()
    a, b = _rule2_edges(group, kind.astype(str).to_numpy(), start.to_numpy(), end.to_numpy(), value, dated, rel_tol)
    src.append(a)
    dst.append(b)
    # rule 3: explicit same_as (to a row of this selection)
    target = _col(rows, "same_as")
    at = pd.Series(np.arange(n), index=rows.index)
    linked = target.map(lambda t: isinstance(t, str)) & target.isin(rows.index)
    src.append(np.flatnonzero(linked.to_numpy()))
    dst.append(at.reindex(target[linked]).to_numpy())
    s, d = np.concatenate(src).astype(int), np.concatenate(dst).astype(int)
    graph = coo_matrix((np.ones(len(s), dtype=np.int8), (s, d)), shape=(n, n))
    _, comp = connected_components(graph, directed=False)
    # the row kept: dated first, then the longer period, then the lower tier, then the first obs_id
    length = (end - start).dt.days.fillna(-1).to_numpy(dtype=float)
    tier = _col(rows, "tier", 1).fillna(9).astype(float).to_numpy()
    order = pd.DataFrame(
        {
            "c": comp,
            "undated": start.isna().to_numpy(),
            "len": -length,
            "tier": tier,
            "id": [str(i) for i in rows.index],
            "p": np.arange(n),
        }
    ).sort_values(["c", "undated", "len", "tier", "id"], kind="stable")
    kept = order.groupby("c", sort=False)["p"].first()
    labels = rows.index.to_numpy(dtype=object)[kept.reindex(comp).to_numpy()]
    return pd.Series(dict(zip(rows.index, labels, strict=True)), name="measurement").reindex(rows.index)


def repeated_figures(rows: pd.DataFrame, rel_tol: float = ROUNDING) -> dict[str, str]:
    """{obs_id: obs_id kept} for every row of ``rows`` that repeats another row's measurement.

    A thin wrapper over :func:`measurement_ids` for the callers that drop repeats
    (QuestMobile's 1408万 for May 2025 repeats 1407.2万 for Q2 2025: ``{"o000_06": "o004_16"}``).
    """
    ids = measurement_ids(rows, rel_tol)
    return {cast(str, i): m for i, m in ids.items() if i != m}


def measurements(observations: pd.DataFrame, sources: pd.DataFrame | None = None, rel_tol: float = ROUNDING) -> pd.DataFrame:
    """One row per measurement: the kept row's columns plus ``obs_ids``, ``source_ids``, ``n_sources``.

    Coverage per source stays visible (``source_ids``); every count, fit or ranking should use
    these rows, so a figure corroborated by three sources counts once.
    """
    o = observations.copy()
    o["measurement"] = measurement_ids(o, rel_tol)
    groups = {m: g for m, g in o.groupby("measurement", sort=False)}
    kept = o.loc[list(groups)].copy()
    kept["obs_ids"] = pd.Series([sorted(groups[m].index) for m in kept.index], index=kept.index, dtype=object)
    kept["source_ids"] = pd.Series([sorted(set(groups[m]["source_id"])) for m in kept.index], index=kept.index, dtype=object)
    kept["n_sources"] = kept["source_ids"].map(len)
    kept["n_observations"] = kept["obs_ids"].map(len)
    if sources is not None and "tier" in sources.columns:
        tiers = sources["tier"].astype(int)
        kept["tiers"] = kept["source_ids"].map(lambda ids: sorted({int(tiers[s]) for s in ids}))
    kept.index.name = "measurement_id"
    return kept
