# %% [markdown] slideshow={"slide_type": "slide"}
# # Where every number comes from: a data audit
#
# This notebook audits `data/`: which article supplies which numbers, where the articles
# disagree, which values look doubtful, and whether the arithmetic the articles assert holds
# when recomputed. Every other notebook stands on these tables.

# %% slideshow={"slide_type": "skip"}
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from IPython.display import Markdown, display

import kimi_research as kr
from kimi_research.analysis import audit, claims
from kimi_research.presentation import format as F
from kimi_research.presentation import plotting
from kimi_research.presentation.figures import audit as figures

# %% slideshow={"slide_type": "skip"} tags=["parameters"]
# fmt: off
entity = "all"  # an entity with observations, as an id or a name (e.g. "Kimi" or "豆包"), to audit only its rows, or "all"
tolerance = 0.05  # relative gap within which an approximate claim 'holds', in (0, 0.5] (see kimi_research.analysis.claims)
evidence = "articles"  # which evidence to use: "articles" (the tier-1 articles the project is built on) or "all" (also the tier-2 public reports)
# fmt: on

# %% slideshow={"slide_type": "skip"}
ds = kr.load()
P = kr.validate_parameters("00_data_audit", globals(), ds)
ds = ds.with_evidence(P.evidence)  # the articles, or every source
obs, events, cl = audit.restrict(ds, P.entity)
plotting.theme()

# %% slideshow={"slide_type": "skip"}
verdicts = claims.evaluate(ds, P.tolerance).loc[cl.index]
conf = audit.conflicts(ds, obs)
spread = audit.conflict_spread(conf)
susp = audit.doubtful(obs)
quotes = audit.quote_check(ds)
by_source = audit.coverage_by_source(ds, obs, events, cl)
n_verdict = verdicts["verdict"].value_counts()
widest = spread["high / low"].idxmax() if len(spread) else None
scope = "all entities" if P.entity == "all" else f"entity `{P.entity}`"
q_status = audit.quote_statuses(quotes)
quote_line = (
    "the archived texts (data/sources/) are not available here, so quotes were not checked"
    if quotes is None
    else f"of {len(quotes)} quotes, {q_status['found']} were found verbatim in their archived text, "
    f"{q_status['not found']} were not found, and {q_status['no archived text']} have no archived text to check"
)
richest = audit.leaders(by_source["observations"])
tiers = audit.tier_coverage(ds, obs)
evidence_line = F.evidence_used(P.evidence)
tier2 = (
    f" Tier-2 (supplement) sources: {tiers.at[2, 'sources with rows']} of {tiers.at[2, 'sources']} contribute "
    f"{tiers.at[2, 'rows']} rows."
    if 2 in tiers.index and tiers.at[2, "sources"]
    else ""
)

# %% slideshow={"slide_type": "slide"}
display(
    Markdown(f"""
## What this notebook finds

* **Evidence**: {evidence_line} (parameter `evidence`).
* **{len(obs)} observations** ({scope}) from **{obs["source_id"].nunique()} {"articles" if P.evidence == "articles" else "sources"}**, quoting
  {obs["vendor"].nunique()} measurement firms; {events.shape[0]} dated events; {len(cl)} claims.
  The most covered source{" is" if len(richest) == 1 else "s (tied) are"} {", ".join(richest)}
  ({by_source["observations"].max()} rows{"" if len(richest) == 1 else " each"}).{tier2}
* **{len(spread)} conflicts** ({len(conf)} rows) where articles disagree; the widest is
  `{widest}`, whose values differ by a factor of {spread["high / low"].max() if len(spread) else float("nan"):.2f}.
* **{len(susp)} doubtful values** flagged with a reason, {int(obs["flags"].notna().sum())} rows carry some flag.
* Of the {len(verdicts)} claims recomputed: {n_verdict.get("holds", 0)} hold, {n_verdict.get("roughly holds", 0)}
  roughly hold (within the tolerance), {n_verdict.get("fails", 0)} fail (tolerance {P.tolerance:.0%}).
* Traceability: {quote_line}.
""")
)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Coverage per article
#
# Each article contributes a different slice of the story: article 004 (Dec 2025) carries the
# latest QuestMobile rankings, article 002 the rivals' ad spend, article 003 the formula.

# %% slideshow={"slide_type": "subslide"}
display(by_source)

# %% slideshow={"slide_type": "subslide"} tags=["hide-input"]
kinds = obs.assign(kind=obs["metric_kind"]).pivot_table(
    index="source_id", columns="kind", values="obs_id", aggfunc="count", fill_value=0
)
fig, ax = plt.subplots(figsize=(10, max(4.6, 0.26 * len(kinds) + 1.8)))
kinds.plot.barh(stacked=True, ax=ax, colormap="tab20c", width=0.7)
ax.set_title("Observations per article, by kind of metric")
ax.set_xlabel("observations (rows in data/observations.csv)")
ax.set_ylabel("article")
few = len(kinds) <= 8  # with the supplement's dozens of sources, the ids alone (data/sources.csv names them)
ax.set_yticks(
    range(len(kinds)),
    [f"{s} {ds.sources.at[s, 'producer_en']}\n({ds.sources.at[s, 'date_published']})" if few else s for s in kinds.index],
    fontsize=None if few else 8,
)
ax.invert_yaxis()
ax.legend(title="metric kind", bbox_to_anchor=(1.01, 1), loc="upper left")
plotting.footnote(
    fig,
    f"data/observations.csv, extracted by hand from {evidence_line} (texts in data/sources/)",
    caption="Figure 1. Stocks are user counts; flows are spend and visits; ranks are list positions.",
)
plotting.save(fig, "00_data_audit", "coverage_by_article")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Coverage per entity and metric
#
# Kimi dominates the data; for rivals the articles give only snapshots. A metric with a single
# row cannot show a trend: notebook 01 says so when it happens.

# %% slideshow={"slide_type": "subslide"} tags=["hide-input"]
mat = audit.coverage_matrix(obs)
mat = mat[mat.sum().sort_values(ascending=False).head(16).index]
rows = mat.sum(axis=1).sort_values(ascending=False)
mat = mat.loc[rows[rows > 0].head(12).index]
fig, ax = plt.subplots(figsize=(11, 5.4))
sns.heatmap(
    mat.rename(index=lambda e: plotting.label(ds, e)),
    annot=True,
    fmt="d",
    cmap="Blues",
    cbar=False,
    linewidths=0.5,
    ax=ax,
    mask=mat.rename(index=lambda e: plotting.label(ds, e)) == 0,
)
ax.set_title("Observations per entity and metric (most-covered first)")
ax.set_xlabel("metric (data/metrics.csv)")
ax.set_ylabel("entity")
ax.grid(False)
plt.setp(ax.get_xticklabels(), rotation=40, ha="right", rotation_mode="anchor")
plotting.footnote(
    fig,
    f"data/observations.csv ({evidence_line})",
    caption=f"Figure 2. Counts of rows for the {mat.shape[1]} most-covered metrics; blank = no data.",
)
plotting.save(fig, "00_data_audit", "coverage_matrix")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Conflicts, side by side
#
# Where two articles give different numbers for the same fact, both rows are kept and share a
# `conflict_group`. Nothing is resolved by picking one; the notebooks show both.

# %% slideshow={"slide_type": "subslide"}
display(conf[["conflict_group", "entity", "period", "qualifier", "value_text", "vendor", "source"]].style.hide(axis="index"))

# %% slideshow={"slide_type": "subslide"} tags=["hide-input"]
if len(conf):
    figures.conflicts(ds, conf, spread)
else:
    display(Markdown("No conflicts in this selection."))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Doubtful values
#
# Values that are implausible as written are kept, flagged `suspicious`, and explained. The
# most striking: 36亿 website visits in the 48 hours after Kimi K2's launch.

# %% slideshow={"slide_type": "subslide"}
if "o000_02" in obs.index:
    v = obs.loc["o000_02"]
    per_second = v["base_value"] / (v["duration_days"] * 86400)
    display(
        Markdown(
            f"The K2 figure: {v['value_text']} visits in {int(v['duration_days'])} days is "
            f"**{per_second:,.0f} visits a second**, around the clock."
        )
    )
pd.set_option("display.max_colwidth", 160)
display(susp)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. The articles' arithmetic, recomputed
#
# Each row of `data/claims.csv` is recomputed from the observations. "=" claims (stated flatly)
# hold within rounding (0.5%); "≈" claims within the tolerance parameter; inequalities must hold
# outright. A claim that misses by less than the tolerance "roughly holds".

# %% slideshow={"slide_type": "subslide"}
show = verdicts.assign(
    computed=[claims.describe_range(lo, hi) for lo, hi in zip(verdicts["computed_low"], verdicts["computed_high"], strict=True)],
    gap=verdicts["gap"].map("{:.2%}".format),
)
display(show[["source_id", "statement", "computed", "relation", "asserted", "gap", "verdict"]].style.hide(axis="index"))

# %% slideshow={"slide_type": "subslide"} tags=["hide-input"]
fig = figures.claims(verdicts, P.tolerance)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Traceability and the data dictionary
#
# Every quote must be a verbatim passage of its article (white space folded). The dictionary
# below is generated from the schema that validated the data on load.

# %% slideshow={"slide_type": "subslide"}
if quotes is None:
    display(Markdown("The archived source texts (`data/sources/`) are not available: quotes not checked."))
else:
    display(
        quotes.pivot_table(index="table", columns="status", values="id", aggfunc="count", fill_value=0).reindex(
            columns=["found", "not found", "no archived text"], fill_value=0
        )
    )
    display(tiers)
    missing = quotes[quotes["status"] == "not found"]
    display(
        Markdown(
            "No quote with an archived text is missing from it."
            if missing.empty
            else f"**Not found:** {', '.join(missing['id'])}"
        )
    )

# %% slideshow={"slide_type": "skip"}
from kimi_research.data.schema import dictionary_markdown

display(Markdown(dictionary_markdown().replace("# Data dictionary", "### Data dictionary", 1)))

# %% slideshow={"slide_type": "skip"}
claim_results = {
    cid: {
        "verdict": r["verdict"],
        "computed_low": r["computed_low"],
        "computed_high": r["computed_high"],
        "gap": round(r["gap"], 6),
        "relation": r["relation"],
    }
    for cid, r in verdicts.iterrows()
}

# %% slideshow={"slide_type": "skip"}
results = {
    "entity": P.entity,
    "n_observations": len(obs),
    "n_sources": int(obs["source_id"].nunique()),
    "observations_per_source": by_source["observations"].to_dict(),
    "n_events": len(events),
    "n_conflicts": len(spread),
    "n_conflict_rows": len(conf),
    "conflict_groups": spread["high / low"].round(4).to_dict(),
    "n_suspicious": len(susp),
    "suspicious": list(susp.index),
    "flag_counts": audit.flag_counts(obs).to_dict(),
    "quotes_checked": None if quotes is None else len(quotes),
    "quotes_found": None if quotes is None else int(quotes["found"].sum()),
    "quote_status": q_status,
    "evidence": P.evidence,
    "most_covered_sources": richest,
    "sources_by_tier": {str(t): r.to_dict() for t, r in tiers.iterrows()},
    "claims": claim_results,
    "verdict_counts": n_verdict.to_dict(),
    "headline": (
        f"{len(obs)} numbers from {obs['source_id'].nunique()} {'articles' if P.evidence == 'articles' else 'sources'}, each with its quote; "
        f"{len(spread)} conflicts kept side by side; {n_verdict.get('holds', 0)} of {len(verdicts)} "
        f"claims hold when recomputed, {n_verdict.get('roughly holds', 0)} roughly, "
        f"{n_verdict.get('fails', 0)} fail."
    ),
}
print(kr.write_results("00_data_audit", results, P))
