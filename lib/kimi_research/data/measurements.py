"""One fact, counted once: rows of ``observations.csv`` that report the same measurement.

A *measurement* is one number measured once (QuestMobile's Kimi MAU of December 2024); an
*observation* is one source reporting it. Several sources may report the same measurement, and
one source may report it twice (a month and the quarter that holds it). Every fit, ranking and
count uses measurements; the observations stay visible as corroboration (``source_ids``).

Rows are folded into one measurement by three rules:

1. **same measurement** (automatic): same firm (``vendor``, empty = none named), entity, metric,
   period, ``duration_days``, ``value_kind`` and qualifier, and a value equal within rounding
   (``rel_tol``, 0.5%: 2101万 = 21.01 million; 1408万 ~ 1407.2万);
2. **a month repeated as its quarter** (automatic): a month's own value (``period_value``)
   lying inside a longer ``monthly_average`` period of the same firm, entity and metric and equal
   to it within rounding is the same figure reported twice (QuestMobile's 1408万 for May 2025 and
   1407.2万 for Q2 2025); the longer period is kept;
3. **``same_as``** (explicit): a contributor names the earlier row, for what a rule cannot see.

In each group one row is kept as the measurement's representative: a dated row before an undated
one, then the longer period, then a tier-1 source, then the first obs_id.
"""

from __future__ import annotations

import pandas as pd

ROUNDING = 0.005
_QUALIFIER_FAMILY = {"=": "=", "~": "="}


def _close(a: float, b: float, rel_tol: float) -> bool:
    if pd.isna(a) and pd.isna(b):
        return True
    if pd.isna(a) or pd.isna(b):
        return False
    if a == b:
        return True
    ref = max(abs(a), abs(b))
    return ref > 0 and abs(a - b) / ref <= rel_tol


class _UnionFind:
    def __init__(self, items):
        self.parent = {i: i for i in items}

    def find(self, i):
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def _col(rows: pd.DataFrame, name: str, default=None) -> pd.Series:
    return rows[name] if name in rows.columns else pd.Series(default, index=rows.index, dtype=object)


def measurement_ids(rows: pd.DataFrame, rel_tol: float = ROUNDING) -> pd.Series:
    """obs_id -> id of the measurement it belongs to (the obs_id of the row kept for it).

    Computed on ``rows`` only (pass a selection to fold within it); ``rows`` needs the loader's
    columns (entity, metric, vendor, period_start, period_end, base_value ...).
    """
    if rows.empty:
        return pd.Series(dtype=object, name="measurement")
    uf = _UnionFind(rows.index)
    vendor = _col(rows, "vendor").fillna("")
    kind = _col(rows, "value_kind").fillna("")
    qual = _col(rows, "qualifier", "=").fillna("=").map(lambda q: _QUALIFIER_FAMILY.get(q, q))
    dur = _col(rows, "duration_days").astype(object).where(_col(rows, "duration_days").notna(), None)
    start, end = rows["period_start"], rows["period_end"]
    high = _col(rows, "base_value_high", float("nan")).astype(float)
    entity, metric = _col(rows, "entity").fillna(""), _col(rows, "metric").fillna("")
    key = pd.DataFrame(
        {
            "v": vendor,
            "e": entity,
            "m": metric,
            "s": start.astype(str),
            "t": end.astype(str),
            "d": dur.astype(str),
            "k": kind,
            "q": qual,
        }
    )
    # rule 1: same firm, entity, metric, period, kind and qualifier; value within rounding
    # (only for rows that say which entity and metric they are about)
    identified = "entity" in rows.columns and "metric" in rows.columns
    for _, g in key.groupby(list(key.columns), sort=False, dropna=False) if identified else []:
        ids = list(g.index)
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                if _close(rows.at[a, "base_value"], rows.at[b, "base_value"], rel_tol) and _close(high[a], high[b], rel_tol):
                    uf.union(a, b)
    # rule 2: a month's own value repeated as the average of its quarter (or any longer period)
    dated = rows[start.notna() & end.notna()]
    for _, g in dated.groupby([vendor[dated.index], entity[dated.index], metric[dated.index]], sort=False):
        length = g["period_end"] - g["period_start"]
        for a, r in g.iterrows():
            for b, q in g.iterrows():
                if a == b or not length[b] > length[a]:
                    continue
                kinds_ok = (kind[a], kind[b]) in {("period_value", "monthly_average"), ("", "")}
                inside = q["period_start"] <= r["period_start"] and r["period_end"] <= q["period_end"]
                if kinds_ok and inside and _close(r["base_value"], q["base_value"], rel_tol):
                    uf.union(b, a)
    # rule 3: explicit same_as
    for a, target in _col(rows, "same_as").items():
        if isinstance(target, str) and target in uf.parent:
            uf.union(target, a)
    groups: dict = {}
    for i in rows.index:
        groups.setdefault(uf.find(i), []).append(i)
    length = (end - start).dt.days.fillna(-1)
    tier = _col(rows, "tier", 1).fillna(9).astype(float)
    out = {}
    for members in groups.values():
        kept = min(members, key=lambda i: (pd.isna(start[i]), -length[i], tier[i], str(i)))
        for i in members:
            out[i] = kept
    return pd.Series(out, name="measurement").reindex(rows.index)


def repeated_figures(rows: pd.DataFrame, rel_tol: float = ROUNDING) -> dict[str, str]:
    """{obs_id: obs_id kept} for every row of ``rows`` that repeats another row's measurement.

    A thin wrapper over :func:`measurement_ids` for the callers that drop repeats
    (QuestMobile's 1408万 for May 2025 repeats 1407.2万 for Q2 2025: ``{"o000_06": "o004_16"}``).
    """
    ids = measurement_ids(rows, rel_tol)
    return {i: m for i, m in ids.items() if i != m}


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
