# %% [markdown] slideshow={"slide_type": "slide"}
# # Where every number comes from: a data audit
#
# This notebook audits `data/`: which article supplies which numbers, where the articles
# disagree, which values look doubtful, and whether the arithmetic the articles assert holds
# when recomputed. Every other notebook stands on these tables.

# %% slideshow={"slide_type": "skip"}
import pandas as pd
from IPython.display import Markdown, display

import kimi_research as kr
from kimi_research.analysis import audit
from kimi_research.presentation import plotting
from kimi_research.presentation.figures import audit as figures
from kimi_research.presentation.narrative import audit as narrative

NB = "00_data_audit"

# %% slideshow={"slide_type": "skip"} tags=["parameters"]
# fmt: off
entity = "all"  # an entity with observations, as an id or a name (e.g. "Kimi" or "豆包"), to audit only its rows, or "all"
tolerance = 0.05  # relative gap within which an approximate claim 'holds', in (0, 0.5] (see kimi_research.analysis.claims)
evidence = "articles"  # which evidence to use: "articles" (the tier-1 articles the project is built on) or "all" (also the tier-2 public reports)
# fmt: on

# %% slideshow={"slide_type": "skip"}
ds = kr.load()
P = kr.validate_parameters("00_data_audit", globals(), ds)
_ = plotting.theme()

# %% slideshow={"slide_type": "skip"}
an = audit.analyse(ds, P)  # the P.evidence part of the data, restricted to P.entity

# %% slideshow={"slide_type": "slide"}
display(Markdown("## What this notebook finds\n\n" + narrative.summary_markdown(an)))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Coverage per article
#
# Each article contributes a different slice of the story: article 004 (Dec 2025) carries the
# latest QuestMobile rankings, article 002 the rivals' ad spend, article 003 the formula.

# %% slideshow={"slide_type": "subslide"}
display(an.coverage.by_source)

# %% slideshow={"slide_type": "subslide"}
_ = plotting.save(figures.coverage_by_article(an.coverage), NB, "coverage_by_article")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Coverage per entity and metric
#
# Kimi dominates the data; for rivals the articles give only snapshots. A metric with a single
# row cannot show a trend: notebook 01 says so when it happens.

# %% slideshow={"slide_type": "subslide"}
_ = plotting.save(figures.coverage_matrix(an.coverage), NB, "coverage_matrix")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Conflicts, side by side
#
# Where two articles give different numbers for the same fact, both rows are kept and share a
# `conflict_group`. Nothing is resolved by picking one; the notebooks show both.

# %% slideshow={"slide_type": "subslide"}
display(narrative.conflicts_table(an.conflicts))

# %% slideshow={"slide_type": "subslide"}
if an.conflicts.n_conflicts:
    _ = plotting.save(figures.conflicts(an.conflicts), NB, "conflicts")
else:
    display(Markdown("No conflicts in this selection."))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Doubtful values
#
# Values that are implausible as written are kept, flagged `suspicious`, and explained. The
# most striking: 36亿 website visits in the 48 hours after Kimi K2's launch.

# %% slideshow={"slide_type": "subslide"}
if an.doubtful.k2_row is not None:
    display(Markdown(narrative.k2_note(an.doubtful)))
pd.set_option("display.max_colwidth", 160)
display(narrative.doubtful_table(an.doubtful))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. The articles' arithmetic, recomputed
#
# Each row of `data/claims.csv` is recomputed from the observations. "=" claims (stated flatly)
# hold within rounding (0.5%); "≈" claims within the tolerance parameter; inequalities must hold
# outright. A claim that misses by less than the tolerance "roughly holds". A figure the article calls
# approximate (左右, 约, 接近 ...) is read at its own precision: "两个月左右" holds from 1.5 to 2.5 months
# (half a unit of its last digit) or within the tolerance, whichever is wider; "接近" approaches from below.

# %% slideshow={"slide_type": "subslide"}
if len(an.claims.verdicts):
    display(narrative.claims_table(an.claims))
else:
    display(Markdown(narrative.no_claims_note(an.basis)))

# %% slideshow={"slide_type": "subslide"}
if len(an.claims.verdicts):
    _ = plotting.save(figures.claims(an.claims), NB, "claims")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Traceability and the data dictionary
#
# Every quote must be a verbatim passage of its article (white space folded). The dictionary
# below is generated from the schema that validated the data on load.

# %% slideshow={"slide_type": "subslide"}
if an.traceability.quotes is not None:
    display(narrative.quote_table(an.traceability))
    display(an.traceability.tiers)
display(Markdown(narrative.quote_note(an.traceability)))

# %% slideshow={"slide_type": "skip"}
display(Markdown(narrative.dictionary(an.traceability)))

# %% slideshow={"slide_type": "skip"}
_ = kr.write_results(an)
