"""Helpers of notebook 00 (data audit): coverage, conflicts, doubtful values, quote checks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar, cast

import pandas as pd
from pydantic import BaseModel, Field

from kimi_research.analysis import claims as claim_rules
from kimi_research.analysis.sections import Analysis, Section, shown
from kimi_research.data import provenance
from kimi_research.data.labels import Citation, Name, cite, names
from kimi_research.data.periods import period_label
from kimi_research.data.schema import dictionary_markdown


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


# --- notebook 00 as typed sections -----------------------------------------------------------------
#: the doubtful value the notebook puts into numbers: 36亿 site visits in the 48 hours after Kimi K2's launch
K2_VISITS = "o000_02"


class ClaimCheck(BaseModel):
    """One claim of data/claims.csv, recomputed (results key ``claims``)."""

    verdict: str
    computed_low: float | None
    computed_high: float | None
    gap: float | None
    relation: str


class Basis(Section):
    """Which evidence and which entity the audit covers."""

    evidence: str = Field(description="the evidence the audit used")
    entity: str = Field(description="'all' or the entity the audit is restricted to")

    scope: str = shown("'all entities' or 'entity `<id>`'")


class Coverage(Section):
    """Which source supplies which numbers, about which entity and metric?"""

    n_observations: int = Field(description="observations in the audit")
    n_sources: int = Field(description="sources with at least one of them")
    observations_per_source: dict[str, int] = Field(description="source id -> observations")
    n_events: int = Field(description="dated events")
    most_covered_sources: list[str] = Field(description="every source with the most rows (ties reported as ties)")
    sources_by_tier: dict[str, dict[str, int]] = Field(description="tier -> sources, sources with rows, rows")

    by_source: pd.DataFrame = shown("per source: producer, date, observations, flagged, events, claims, vendors quoted")
    n_vendors: int = shown("measurement firms quoted")
    n_claims: int = shown("claims in the audit")
    kinds: pd.DataFrame = shown("observations per source and metric kind (chart 1)")
    source_labels: list[str] = shown("chart 1's tick label of each source, in the order of ``kinds``")
    matrix: pd.DataFrame = shown("observations per entity (id) and metric, most-covered first (chart 2)")
    names: dict[str, Name] = shown("display names of the matrix's entities")
    tiers: pd.DataFrame = shown("per tier: sources, sources with rows, rows")
    evidence: str = shown("the evidence the audit used")
    by_articles: bool = shown("True when only the articles are used ('articles' rather than 'sources' in prose)")


class Conflicts(Section):
    """Where do the sources disagree, and by how much?"""

    n_conflicts: int = Field(description="conflict groups")
    n_conflict_rows: int = Field(description="rows in a conflict group")
    conflict_groups: dict[str, float | None] = Field(description="conflict group -> high / low of its comparable values")

    table: pd.DataFrame = shown("every conflicting row, side by side")
    spread: pd.DataFrame = shown("per group: rows, low, high, high / low")
    widest: str | None = shown("the group whose values differ most")
    source: Citation = shown("the sources of the rows")


class Doubtful(Section):
    """Which values are implausible as written, and why?"""

    n_suspicious: int = Field(description="rows flagged suspicious")
    suspicious: list[str] = Field(description="observation ids flagged suspicious")
    flag_counts: dict[str, int] = Field(description="flag -> rows carrying it")

    table: pd.DataFrame = shown("the suspicious rows with their reason")
    n_flagged: int = shown("rows carrying any flag")
    k2_row: pd.Series | None = shown("the 36亿 visits row (o000_02), when in the audit")
    k2_per_second: float | None = shown("those visits per second")


class ClaimsCheck(Section):
    """Does the articles' arithmetic hold when recomputed?"""

    claims: dict[str, ClaimCheck] = Field(description="claim id -> its recomputation")
    verdict_counts: dict[str, int] = Field(description="verdict -> claims")

    verdicts: pd.DataFrame = shown("claims.evaluate: one row per claim")
    tolerance: float = shown("parameter: the tolerance of an approximate claim")


class Traceability(Section):
    """Is every quote in its source's archived text?"""

    quotes_checked: int | None = Field(description="None when the archived articles are not available")
    quotes_found: int | None = Field(description="quotes found verbatim in their archived text")
    quote_status: dict[str, int] | None = Field(description="found / not found / no archived text; None when unchecked")

    quotes: pd.DataFrame | None = shown("one row per quote: table, id, source_id, status, found")
    tiers: pd.DataFrame = shown("per tier: sources, sources with rows, rows")
    dictionary: str = shown("the data dictionary (markdown), generated from the schema")


class AuditAnalysis(Analysis):
    """Notebook 00: where every number comes from."""

    notebook: ClassVar[str] = "00_data_audit"

    basis: Basis
    coverage: Coverage
    conflicts: Conflicts
    doubtful: Doubtful
    claims: ClaimsCheck
    traceability: Traceability


def _coverage(ds, P, obs: pd.DataFrame, events: pd.DataFrame, cl: pd.DataFrame) -> Coverage:
    by_source = coverage_by_source(ds, obs, events, cl)
    tiers = tier_coverage(ds, obs)
    kinds = obs.assign(kind=obs["metric_kind"]).pivot_table(
        index="source_id", columns="kind", values="obs_id", aggfunc="count", fill_value=0
    )
    few = len(kinds) <= 8  # with the supplement's dozens of sources, the ids alone (data/sources.csv names them)
    labels = [f"{s} {ds.sources.at[s, 'producer_en']}\n({ds.sources.at[s, 'date_published']})" if few else s for s in kinds.index]
    mat = coverage_matrix(obs)
    mat = mat[mat.sum().sort_values(ascending=False).head(16).index]
    totals = mat.sum(axis=1).sort_values(ascending=False)
    mat = mat.loc[totals[totals > 0].head(12).index]
    return Coverage(
        n_observations=len(obs),
        n_sources=int(obs["source_id"].nunique()),
        observations_per_source=by_source["observations"].to_dict(),
        n_events=len(events),
        most_covered_sources=leaders(by_source["observations"]),
        sources_by_tier={str(t): r.to_dict() for t, r in tiers.iterrows()},
        by_source=by_source,
        n_vendors=int(obs["vendor"].nunique()),
        n_claims=len(cl),
        kinds=kinds,
        source_labels=labels,
        matrix=mat,
        names=names(ds, mat.index),
        tiers=tiers,
        evidence=P.evidence,
        by_articles=P.evidence == "articles",
    )


def _conflicts(ds, obs: pd.DataFrame) -> Conflicts:
    conf = conflicts(ds, obs)
    spread = conflict_spread(conf)
    return Conflicts(
        n_conflicts=len(spread),
        n_conflict_rows=len(conf),
        conflict_groups=spread["high / low"].round(4).to_dict(),
        table=conf,
        spread=spread,
        widest=str(spread["high / low"].idxmax()) if len(spread) else None,
        source=cite(ds, conf),
    )


def _doubtful(obs: pd.DataFrame) -> Doubtful:
    susp = doubtful(obs)
    k2 = cast(pd.Series, obs.loc[K2_VISITS]) if K2_VISITS in obs.index else None
    return Doubtful(
        n_suspicious=len(susp),
        suspicious=list(susp.index),
        flag_counts=flag_counts(obs).to_dict(),
        table=susp,
        n_flagged=int(obs["flags"].notna().sum()),
        k2_row=k2,
        k2_per_second=None if k2 is None else float(k2["base_value"] / (k2["duration_days"] * 86400)),
    )


def _claims(ds, P, cl: pd.DataFrame) -> ClaimsCheck:
    verdicts = claim_rules.evaluate(ds, P.tolerance).loc[cl.index]
    return ClaimsCheck(
        claims={
            cid: ClaimCheck(
                verdict=r["verdict"],
                computed_low=r["computed_low"],
                computed_high=r["computed_high"],
                gap=round(r["gap"], 6),
                relation=r["relation"],
            )
            for cid, r in verdicts.iterrows()
        },
        verdict_counts=verdicts["verdict"].value_counts().to_dict(),
        verdicts=verdicts,
        tolerance=P.tolerance,
    )


def _traceability(ds, obs: pd.DataFrame) -> Traceability:
    quotes = quote_check(ds)
    return Traceability(
        quotes_checked=None if quotes is None else len(quotes),
        quotes_found=None if quotes is None else int(quotes["found"].sum()),
        quote_status=quote_statuses(quotes),
        quotes=quotes,
        tiers=tier_coverage(ds, obs),
        dictionary=dictionary_markdown(),
    )


def analyse(ds, P) -> AuditAnalysis:
    """The audit of the ``P.evidence`` part of the full dataset ``ds``, restricted to ``P.entity`` ('all': everything)."""
    ds = ds.with_evidence(P.evidence)
    obs, events, cl = restrict(ds, P.entity)
    return AuditAnalysis(
        parameters=P,
        basis=Basis(
            evidence=P.evidence,
            entity=P.entity,
            scope="all entities" if P.entity == "all" else f"entity `{P.entity}`",
        ),
        coverage=_coverage(ds, P, obs, events, cl),
        conflicts=_conflicts(ds, obs),
        doubtful=_doubtful(obs),
        claims=_claims(ds, P, cl),
        traceability=_traceability(ds, obs),
    )
