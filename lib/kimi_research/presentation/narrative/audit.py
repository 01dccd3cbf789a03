"""Prose of notebook 00 (the data audit): each function takes one section (the summary and the headline take
the whole analysis) and returns a string or a table."""

from __future__ import annotations

import pandas as pd

from kimi_research.analysis.audit import AuditAnalysis, Basis, ClaimsCheck, Conflicts, Doubtful, Traceability
from kimi_research.presentation import format as F


def _counts(cc: ClaimsCheck) -> tuple[int, int, int]:
    n = cc.verdict_counts
    return n.get("holds", 0), n.get("roughly holds", 0), n.get("fails", 0)


def summary_markdown(an: AuditAnalysis) -> str:
    """The bullets under 'What this notebook finds', from computed values only."""
    cov, con, dbt, cc, tr = an.coverage, an.conflicts, an.doubtful, an.claims, an.traceability
    q = tr.quote_status
    quote_line = (
        "the archived texts (data/sources/) are not available here, so quotes were not checked"
        if q is None
        else f"of {tr.quotes_checked} quotes, {q['found']} were found verbatim in their archived text, "
        f"{q['not found']} were not found, and {q['no archived text']} have no archived text to check"
    )
    richest = cov.most_covered_sources
    tiers = cov.tiers
    tier2 = (
        f" Tier-2 (supplement) sources: {tiers.at[2, 'sources with rows']!s} of {tiers.at[2, 'sources']!s} contribute "
        f"{tiers.at[2, 'rows']!s} rows."
        if 2 in tiers.index and tiers.at[2, "sources"]
        else ""
    )
    holds, roughly, fails = _counts(cc)
    spread = con.spread
    return f"""* **Evidence**: {F.evidence_used(an.basis.evidence)} (parameter `evidence`).
* **{cov.n_observations} observations** ({an.basis.scope}) from **{cov.n_sources} {"articles" if cov.by_articles else "sources"}**, quoting
  {cov.n_vendors} measurement firms; {cov.n_events} dated events; {cov.n_claims} claims.
  The most covered source{" is" if len(richest) == 1 else "s (tied) are"} {", ".join(richest)}
  ({cov.by_source["observations"].max()} rows{"" if len(richest) == 1 else " each"}).{tier2}
* **{con.n_conflicts} conflicts** ({con.n_conflict_rows} rows) where articles disagree; the widest is
  `{con.widest}`, whose values differ by a factor of {spread["high / low"].max() if len(spread) else float("nan"):.2f}.
* **{dbt.n_suspicious} doubtful values** flagged with a reason, {dbt.n_flagged} rows carry some flag.
* Of the {len(cc.verdicts)} claims recomputed: {holds} hold, {roughly}
  roughly hold (within the tolerance), {fails} fail (tolerance {cc.tolerance:.0%}).
* Traceability: {quote_line}.
"""


def headline(an: AuditAnalysis) -> str:
    """One sentence for the title slide and the index."""
    cov, cc = an.coverage, an.claims
    holds, roughly, fails = _counts(cc)
    return (
        f"{cov.n_observations} numbers from {cov.n_sources} {'articles' if cov.by_articles else 'sources'}, each with its quote; "
        f"{an.conflicts.n_conflicts} conflicts kept side by side; {holds} of {len(cc.verdicts)} "
        f"claims hold when recomputed, {roughly} roughly, {fails} fail."
    )


def conflicts_table(con: Conflicts):
    """Every conflicting row, side by side."""
    return con.table[["conflict_group", "entity", "period", "qualifier", "value_text", "vendor", "source"]].style.hide(
        axis="index"
    )


def k2_note(dbt: Doubtful) -> str:
    """The 36亿 visits in 48 hours as visits a second ('' when the row is not in the audit)."""
    v = dbt.k2_row
    if v is None:
        return ""
    return (
        f"The K2 figure: {v['value_text']} visits in {int(v['duration_days'])} days is "
        f"**{dbt.k2_per_second:,.0f} visits a second**, around the clock."
    )


def doubtful_table(dbt: Doubtful) -> pd.DataFrame:
    """The suspicious rows with their reason; a row that names no firm says so."""
    return dbt.table.assign(vendor=dbt.table["vendor"].fillna("none named"))


def no_claims_note(basis: Basis) -> str:
    return f"No claim of `data/claims.csv` uses the rows of {basis.scope}: nothing to recompute."


def claims_table(cc: ClaimsCheck):
    """Each claim with its recomputed value, the gap and the verdict."""
    v = cc.verdicts
    show = v.assign(
        computed=[F.number_range(lo, hi) for lo, hi in zip(v["computed_low"], v["computed_high"], strict=True)],
        gap=v["gap"].map("{:.2%}".format),
    )
    return show[["source_id", "statement", "computed", "relation", "asserted", "gap", "verdict"]].style.hide(axis="index")


def quote_table(tr: Traceability) -> pd.DataFrame | None:
    """Quotes per table and status (None when the archived texts are not available)."""
    if tr.quotes is None:
        return None
    return tr.quotes.pivot_table(index="table", columns="status", values="id", aggfunc="count", fill_value=0).reindex(
        columns=["found", "not found", "no archived text"], fill_value=0
    )


def quote_note(tr: Traceability) -> str:
    if tr.quotes is None:
        return "The archived source texts (`data/sources/`) are not available: quotes not checked."
    missing = tr.quotes[tr.quotes["status"] == "not found"]
    return "No quote with an archived text is missing from it." if missing.empty else f"**Not found:** {', '.join(missing['id'])}"


def dictionary(tr: Traceability) -> str:
    return tr.dictionary.replace("# Data dictionary", "### Data dictionary", 1)
