# %% [markdown] slideshow={"slide_type": "slide"}
# # What we conclude, and how sure
#
# The other notebooks each take one reading of evidence the articles dispute: a cost per user of 10元 (or 30元?),
# a peak of 2101万 monthly users (or "3600万以上"?), a decline fitted on one firm's series. This notebook names every
# such **contested input** once, evaluates the collection's analyses for **every combination of their readings**
# (seeded samples where an input is only a range), and tests each conclusion the collection draws against that
# scenario table: the share of scenarios in which it holds, the input that flips it, and a grade:
#
# * **holds in every reading**: it may be stated plainly;
# * **holds unless X**: it must be stated with its condition;
# * **not supported by these articles**: it must not be stated as a finding.

# %% slideshow={"slide_type": "skip"}
from IPython.display import Markdown, display

import kimi_research as kr
from kimi_research.analysis import conclusions, contested, scenarios
from kimi_research.presentation import plotting
from kimi_research.presentation.figures import conclusions as figures
from kimi_research.presentation.narrative import conclusions as narrative

# %% slideshow={"slide_type": "skip"} tags=["parameters"]
# fmt: off
vary = ["cpa", "spend_path", "peak_mau", "peak_spend", "alibaba_investment", "valuation", "doubao_spend", "decline_series", "dating", "may_repeat", "retention_30d", "ad_share"]  # contested inputs to vary (the others keep their first reading; a range its article figure)
samples = 8  # Latin-hypercube draws of the varied range inputs per combination of the discrete readings (1 to 1000)
seed = 0  # seed of the draws: the same seed gives the same table
retention_low = 0.001  # lowest 30-day retention below article 001's 'under 1%' (no article gives a floor)
ad_share_low = 0.5  # lowest reading of article 003's undated, unsourced 70% ad share
ad_share_high = 0.9  # highest reading of the 70% ad share
usd_cny = 7.2  # CNY per USD for Alibaba's investment (notebook 03's default)
price_per_paying_user_yuan = 49.0  # monthly price of a paying user, CNY, for the users needed to cover the cost (notebook 03's default)
evidence = "articles"  # which evidence to use: "articles" (the tier-1 articles the project is built on) or "all" (also the tier-2 public reports)
# fmt: on

# %% slideshow={"slide_type": "skip"}
ds = kr.load()
P = kr.validate_parameters("05_conclusions", globals(), ds)
spec = P.grid_spec()
ev = scenarios.evaluate(ds, spec)
table, reg = ev.table, ev.registry
graded = conclusions.grade(table, reg)
varied = conclusions.varied_inputs(table, reg)
lang = plotting.theme()

# %% slideshow={"slide_type": "slide"}
display(Markdown("## What this notebook finds\n\n" + narrative.short_summary(graded, len(table), varied)))

# %% slideshow={"slide_type": "notes"}
display(Markdown(narrative.scope_markdown(len(table), varied, ev.n_tasks)))

# %% slideshow={"slide_type": "subslide"}
display(Markdown(narrative.grade_markdown(graded, "every")))

# %% slideshow={"slide_type": "subslide"}
display(Markdown(narrative.grade_markdown(graded, "unless")))

# %% slideshow={"slide_type": "subslide"}
display(Markdown(narrative.grade_markdown(graded, "not_supported")))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The contested inputs
#
# Each input with its readings and where each comes from: the observation ids of `data/observations.csv` (the
# value is looked up there) or the notebook parameter it is. A range is a figure the articles give only as a bound
# or without a source; its bounds are this notebook's parameters.

# %% slideshow={"slide_type": "subslide"}
parts = narrative.contested_parts(contested.table(reg).drop(columns=["question"]))
display(Markdown(f"**The inputs with discrete readings** (part 1 of {len(parts) - 1})"), parts[0])

# %% slideshow={"slide_type": "subslide"}
display(Markdown(f"**The inputs with discrete readings** (part 2 of {len(parts) - 1})"), parts[1])

# %% slideshow={"slide_type": "subslide"}
display(Markdown("**The inputs known only as a range** (sampled between their bounds)"), parts[-1])

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The scenario table
#
# One row per scenario: the reading of every input, then the outputs of the analyses of notebooks 01 to 04, computed
# in this process by the analysis modules' own functions (the churn fit of the stock-flow model, the log-linear decay
# fit, the spend path, the formula of article 003, the ranking). Each analysis runs once per combination of the inputs
# it reads.

# %% slideshow={"slide_type": "subslide"}
out_cols = [
    "bought_churn",
    "bought_half_life",
    "decline_monthly_change",
    "peak_to_latest_change",
    "cost_per_retained_user_yuan",
    "ratio_to_threshold_firm",
    "runway_months_alibaba",
]
display(Markdown(f"**{len(table):,} scenarios** ({ev.n_tasks} analysis runs); the range of each main output:"))
display(table[out_cols].describe().loc[["min", "50%", "max"]].T.rename(columns={"50%": "median"}))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Every conclusion, graded
#
# The share of scenarios in which each conclusion holds, the input whose readings split it most, the grade and the
# observations it rests on. A scenario in which a conclusion cannot be computed (a decline on a series with one
# point) counts as one in which nothing supports it.

# %% slideshow={"slide_type": "subslide"}
display(narrative.display_table(graded))

# %% slideshow={"slide_type": "subslide"}
src = ds.source_label(sorted({ds.observations.at[i, "source_id"] for ids in graded["obs_ids"] for i in ids}))
fig = figures.grades_chart(graded, len(table), f"{src}. Scenario grid: notebook 05 (seed {P.seed}, {P.samples} samples).")
_ = plotting.save(fig, "05_conclusions", "grades")

# %% slideshow={"slide_type": "skip"}
fig = figures.grades_deck_chart(graded, len(table), src)  # the summary deck's version: fewer rows, larger type
_ = plotting.save(fig, "05_conclusions", "grades_deck", show=False)
plotting.close_all()  # saved for the summary deck only, not shown here

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Where the readings split
#
# For each conclusion that some reading flips: the share of scenarios in which it holds, per reading of each input
# that moves it (a range is split into quarters of its samples). Conclusions that share an input are shown
# together, one column each; '–': the input does not split that conclusion.

# %% slideshow={"slide_type": "subslide"}
groups = narrative.split_groups(graded)
display(Markdown(narrative.group_title(groups, 0)), groups[0])

# %% slideshow={"slide_type": "subslide"}
display(Markdown(narrative.group_title(groups, 1)), groups[1])

# %% slideshow={"slide_type": "subslide"}
display(Markdown(narrative.group_title(groups, 2)), groups[2])

# %% slideshow={"slide_type": "skip"}
results = {
    "n_scenarios": len(table),
    "n_tasks": ev.n_tasks,
    "varied": varied,
    "grade_counts": conclusions.counts(graded),
    "conclusions": graded.drop(columns=["share_by_reading"]).to_dict(orient="records"),
    "share_by_reading": dict(zip(graded["id"], graded["share_by_reading"], strict=True)),
}
results["headline"] = narrative.headline(results)
_ = kr.write_results("05_conclusions", results, P)
