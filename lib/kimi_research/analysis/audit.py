"""Helpers of notebook 00 (data audit): coverage, conflicts, doubtful values, quote checks."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from kimi_research.data import provenance
from kimi_research.data.periods import period_label


def entities_with_data(ds) -> list[str]:
    return sorted(ds.observations["entity"].unique())


def restrict(ds, entity: str):
    """Observations, events and claims about one entity (claims: those that use its rows)."""
    if entity == "all":
        return ds.observations, ds.events, ds.claims
    o = ds.observations[ds.observations["entity"] == entity]
    e = ds.events[ds.events["entity"] == entity]
    ids = set(o.index)

    def uses(r) -> bool:
        names = re.findall(r"o\d{3}_\d{2}\w*", r["expression"] + " " + r["target"])
        return bool(ids & {re.sub(r"_(hi|pm)$", "", n) for n in names})

    c = ds.claims[ds.claims.apply(uses, axis=1)]
    return o, e, c


def coverage_by_source(ds, obs: pd.DataFrame, events: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    s = ds.sources[["producer", "date_published"]].copy()
    s["observations"] = obs.groupby("source_id").size().reindex(s.index, fill_value=0)
    s["flagged"] = obs[obs["flags"].notna()].groupby("source_id").size().reindex(s.index, fill_value=0)
    s["events"] = events.groupby("source_id").size().reindex(s.index, fill_value=0)
    s["claims"] = claims.groupby("source_id").size().reindex(s.index, fill_value=0)
    s["vendors quoted"] = (
        obs.groupby("source_id")["vendor"]
        .agg(lambda v: ", ".join(sorted({x for x in v if isinstance(x, str)})) or "none")
        .reindex(s.index, fill_value="none")
    )
    return s


def coverage_matrix(obs: pd.DataFrame) -> pd.DataFrame:
    """Observation counts, entity x metric."""
    return pd.crosstab(obs["entity"], obs["metric"])


def conflicts(ds, obs: pd.DataFrame) -> pd.DataFrame:
    """Every conflict group, its rows side by side, with the spread of the values."""
    c = obs[obs["conflict_group"].notna()].copy()
    c["period"] = c.apply(period_label, axis=1)
    c["source"] = c["source_id"].map(lambda s: f"{s} {ds.sources.at[s, 'producer_en']}")
    c["vendor"] = c["vendor"].fillna("(none named)")
    # compare like with like: a flow (spend per quarter) as its monthly rate
    c["comparable_value"] = c["base_value_per_month"].where(c["metric_kind"] == "flow", c["base_value"])
    cols = [
        "conflict_group",
        "entity",
        "metric",
        "period",
        "qualifier",
        "value_text",
        "base_value",
        "base_value_high",
        "dimension",
        "metric_kind",
        "period_months",
        "duration_days",
        "comparable_value",
        "vendor",
        "source",
        "source_id",
        "note",
    ]
    return c[cols].sort_values(["conflict_group", "comparable_value"])


def conflict_spread(conf: pd.DataFrame) -> pd.DataFrame:
    g = conf.groupby("conflict_group")["comparable_value"]
    out = pd.DataFrame({"rows": g.size(), "low": g.min(), "high": g.max()})
    out["high / low"] = out["high"] / out["low"]
    return out


def doubtful(obs: pd.DataFrame) -> pd.DataFrame:
    d = obs[obs["flag_list"].map(lambda f: "suspicious" in f)]
    return d[["entity", "metric", "value_text", "vendor", "source_id", "note"]]


def flag_counts(obs: pd.DataFrame) -> pd.Series:
    return obs["flag_list"].explode().dropna().value_counts()


def quote_check(ds, seeds: Path | None = None) -> pd.DataFrame | None:
    """For every quote in every table: found / not found / no archived text (see
    :mod:`kimi_research.data.provenance`). Columns: table, id, source_id, status, and ``found``
    (nullable boolean: <NA> when the source has no archived text, so ``quotes[~quotes["found"]]``
    lists only the quotes missing from their text). None when the archive folder does not exist.
    """
    folder = seeds or provenance.archive_dir(ds)
    if not folder.is_dir():
        return None
    return provenance.quote_status(ds, folder)


def leaders(counts: pd.Series) -> list[str]:
    """Every key that reaches the maximum count (ties are reported as ties, in index order)."""
    counts = counts[counts > 0]
    return [] if counts.empty else list(counts.index[counts == counts.max()])


def tier_coverage(ds, obs: pd.DataFrame) -> pd.DataFrame:
    """Per source tier (1 = the articles the project is built on, 2 = the public reports): sources in data/sources.csv,
    sources with at least one row in ``obs``, and rows."""
    tiers = ds.sources["tier"].astype(int)
    rows = obs.groupby("source_id").size()
    out = (
        pd.DataFrame(
            {
                "sources": tiers.value_counts(),
                "sources with rows": tiers[tiers.index.isin(rows.index)].value_counts(),
                "rows": rows.groupby(tiers.reindex(rows.index)).sum(),
            }
        )
        .fillna(0)
        .astype(int)
    )
    out.index.name = "tier"
    return out.sort_index()


def quote_statuses(quotes: pd.DataFrame | None) -> dict[str, int] | None:
    """Counts of the quote check's three statuses (found / not found / no archived text); None when unchecked."""
    return None if quotes is None else provenance.summary(quotes)
