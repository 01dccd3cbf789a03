# %% [markdown] slideshow={"slide_type": "slide"}
# # What we conclude, and how sure
#
# The other notebooks each take one reading of evidence the sources dispute: a cost per user of 10元 (or 30元?),
# a peak of 2101万 monthly users (or "3600万以上"?), a decline fitted on one firm's series. This notebook finds every
# such **contested input** in the data (the figures of a conflict group, the answers to a question), evaluates the
# collection's analyses for **every combination of their readings** (seeded samples where an input is only a
# range), and grades each conclusion the collection draws over the readings **it reads**:
#
# * **holds in every reading**: it may be stated plainly;
# * **holds unless X**: it must be stated with its condition (a range's threshold is solved, not sampled);
# * **not supported by the evidence**: it must not be stated as a finding;
# * a reading in which a conclusion cannot be computed (a decline on a series with one point) is **not
#   evaluable**: it is left out of the grade, never counted against it, and the grade says where.

# %% slideshow={"slide_type": "skip"}
from IPython.display import Markdown, display

import kimi_research as kr
from kimi_research.analysis import conclusions
from kimi_research.presentation import plotting
from kimi_research.presentation.figures import conclusions as figures
from kimi_research.presentation.narrative import conclusions as narrative

# %% slideshow={"slide_type": "skip"} tags=["parameters"]
# fmt: off
vary = ["cpa", "spend_path", "peak_mau", "peak_spend", "alibaba_investment", "valuation", "doubao_spend", "decline_series", "dating", "retention_30d", "ad_share"]  # contested inputs to vary (the others keep their first reading; a range its own figure from the evidence)
samples = 8  # Latin-hypercube draws of the varied range inputs per combination of the discrete readings (1 to 1000)
seed = 0  # seed of the draws: the same seed gives the same table
retention_low = 0.001  # lowest 30-day retention below article 001's 'under 1%' (no article gives a floor)
ad_share_low = "ledger"  # lowest reading of the ad share, in (0, 1), or "ledger": the cash ledger's period average (notebook 03)
ad_share_high = "revenue"  # highest reading of the ad share, in (0, 1), or "revenue": article 003's share read against revenue (notebook 03)
usd_cny = 7.2  # CNY per USD for Alibaba's investment (notebook 03's default)
price_per_paying_user_yuan = 49.0  # monthly price of a paying user, CNY, for the users needed to cover the cost (notebook 03's default)
evidence = "articles"  # which evidence to use: "articles" (the tier-1 articles the project is built on) or "all" (also the tier-2 public reports)
# fmt: on

# %% slideshow={"slide_type": "skip"}
ds = kr.load()
P = kr.validate_parameters("05_conclusions", globals(), ds)
_ = plotting.theme()

# %% slideshow={"slide_type": "skip"}
an = conclusions.analyse(ds, P)  # the grid on P.evidence of the data, and the grades on the other setting beside them

# %% slideshow={"slide_type": "slide"}
display(Markdown("## What this notebook finds\n\n" + narrative.summary_markdown(an)))

# %% slideshow={"slide_type": "notes"}
display(Markdown(narrative.scope_markdown(an.scenarios)))

# %% slideshow={"slide_type": "subslide"}
display(Markdown(narrative.grade_markdown(an.grades, "every")))

# %% slideshow={"slide_type": "subslide"}
display(Markdown(narrative.grade_markdown(an.grades, "unless")))

# %% slideshow={"slide_type": "subslide"}
display(Markdown(narrative.grade_markdown(an.grades, "not_supported")))

# %% slideshow={"slide_type": "subslide"}
display(Markdown(narrative.grade_markdown(an.grades, "not_evaluable")))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The contested inputs, found in the data
#
# Each input is a question. Its readings are every figure in `data/observations.csv` that answers it (the rows of
# the data's conflict group, or of a metric over a period), each measurement once; figures with the same value are
# one reading whatever the number of sources that state them (one source's sentence written twice counts once),
# and figures flagged suspicious are listed, not used. A new source's row enters on the next run. A modelling
# choice's readings are the values of a notebook parameter; a range's bounds are this notebook's parameters or
# figures of the data, each with its source.

# %% slideshow={"slide_type": "subslide"}
display(narrative.queries_table(an.inputs))

# %% slideshow={"slide_type": "subslide"}
parts = narrative.contested_parts(an.inputs)
titles = narrative.part_titles(parts)
display(Markdown(titles[0]), parts[0])

# %% slideshow={"slide_type": "subslide"}
display(Markdown(titles[1]), parts[1])

# %% slideshow={"slide_type": "subslide"}
display(Markdown(titles[2]), parts[2])

# %% slideshow={"slide_type": "subslide"}
display(Markdown("**Rows a question found and did not use**, with the rule"), narrative.left_out_table(an.inputs))
display(Markdown(narrative.compute_note(an.inputs)))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The scenario table
#
# One row per scenario: the reading of every input, then the outputs of the analyses of notebooks 01 to 04, computed
# in this process by the analysis modules' own functions (the churn fit of the stock-flow model, the log-linear decay
# fit, the spend path, the formula of article 003, the ranking). Each analysis runs once per combination of the inputs
# it reads; the engine records, for every output, the inputs it depends on.

# %% slideshow={"slide_type": "subslide"}
display(
    Markdown(f"**{an.scenarios.n_scenarios:,} scenarios** ({an.scenarios.n_tasks} analysis runs); the range of each main output:")
)
display(an.scenarios.outputs)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Every conclusion, graded
#
# What each conclusion reads, its grade and where it cannot be evaluated. A conclusion is graded over the
# combinations of the readings of the inputs it reads, each once; one that reads no contested input is one
# computation and says so.

# %% slideshow={"slide_type": "subslide"}
display(narrative.display_table(an.grades, ("every",), reads_input=True))

# %% slideshow={"slide_type": "subslide"}
display(narrative.display_table(an.grades, reads_input=False))  # one computation each

# %% slideshow={"slide_type": "subslide"}
display(narrative.display_table(an.grades, ("unless",)))

# %% slideshow={"slide_type": "subslide"}
display(narrative.display_table(an.grades, ("not_supported", "not_evaluable"), reads_input=True))

# %% slideshow={"slide_type": "subslide"}
fig = figures.grades_chart(an.grades, "every")
_ = plotting.save(fig, "05_conclusions", "grades")

# %% slideshow={"slide_type": "subslide"}
fig = figures.grades_chart(an.grades, "other")
_ = plotting.save(fig, "05_conclusions", "grades_other")

# %% slideshow={"slide_type": "skip"}
fig = figures.grades_deck_chart(an.grades)  # the summary deck's version: fewer rows, larger type
_ = plotting.save(fig, "05_conclusions", "grades_deck", show=False)
plotting.close_all()  # saved for the summary deck only, not shown here

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Thresholds, solved.** Where a conclusion reads a range input, the value at which it flips is solved for each
# combination of the other readings: in closed form where the engine's formula has one (the ad share at which
# (1 − s) / (1 − 0.3) reaches one half), by Brent's method otherwise. An "unless" condition takes the largest (or
# smallest) of them, so that the conclusion holds in every combination beyond it.

# %% slideshow={"slide_type": "fragment"}
display(narrative.thresholds_table(an.grades))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Where the readings split
#
# For each conclusion that some reading moves: the outcome of each reading of each input it reads (holds, fails,
# holds in part, not evaluable). A range is split into quarters of its samples.

# %% slideshow={"slide_type": "subslide"}
display(narrative.splits_table(an.splits))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. The five articles against every source
#
# The same grades computed on the five articles and on every source (the public-report supplement adds readings:
# a 50元 cost per user, AI产品榜's December 2024 monthly users, more points on its series), side by side, and why a
# grade changes.

# %% slideshow={"slide_type": "subslide"}
display(narrative.evidence_table(an.evidence_comparison))

# %% slideshow={"slide_type": "fragment"}
display(Markdown(narrative.evidence_note(an.evidence_comparison)))

# %% slideshow={"slide_type": "skip"}
_ = kr.write_results(an)
