# %% [markdown] slideshow={"slide_type": "slide"}
# # The user decline: how fast, since when, how sure
#
# How fast did Kimi lose users, since when, and how sure can we be? The articles quote several
# measurement firms (QuestMobile, AI Product Ranking, unnamed "data") whose panels differ, so
# their figures are **never joined into one line**: each firm is its own series. This notebook
# shows every figure, measures peak-to-latest change per firm, fits a log-linear decay with
# confidence intervals, extrapolates it (clearly as an extrapolation), recovers the growth phase
# before the fall and the rank trajectory. Change `entity` to run it for a rival.

# %% slideshow={"slide_type": "skip"}
from IPython.display import Markdown, display

import kimi_research as kr
from kimi_research.analysis import decline
from kimi_research.presentation import plotting
from kimi_research.presentation.figures import decline as figures
from kimi_research.presentation.narrative import decline as narrative

# %% slideshow={"slide_type": "skip"} tags=["parameters"]
# fmt: off
entity = "kimi"  # app to study: an id or a name (English or Chinese, any case) from data/entities.csv with data for the metric (e.g. "DeepSeek" or "kimi智能助手")
metric = "mau"  # user metric: "mau", "dau" or "wau"
vendor = "auto"  # series to fit: "auto" (firm with most points), a measurement firm by id or name (e.g. "QuestMobile"), "none" (no firm named) or "all" (pooled)
start = ""  # keep figures whose period midpoint is on or after this ISO date, e.g. "2024-06-01" ("" for no limit)
end = ""  # keep figures whose period midpoint is on or before this ISO date ("" for no limit)
forecast_months = 6  # months to extrapolate the fitted decay after the last figure, 0 to 36 (0: no forecast)
annotate_events = True  # mark launches and other dated events on the time charts
evidence = "articles"  # which evidence to use: "articles" (the tier-1 articles the project is built on) or "all" (also the tier-2 public reports)
# fmt: on

# %% slideshow={"slide_type": "skip"}
ds = kr.load()
P = kr.validate_parameters("01_user_decline", globals(), ds)
an = decline.analyse(ds, P)  # P.evidence of the data; fails here, naming start/end or vendor, when the selection is empty
_ = plotting.theme()
NB = "01_user_decline"

# %% slideshow={"slide_type": "slide"}
display(Markdown("## What this notebook finds\n\n" + narrative.summary_markdown(an)))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The trajectory: every figure, one series per measurement firm
#
# Each colour is one firm; a line joins only the figures of that firm. A caret (▲ with an arrow)
# is a **lower bound** ("at least ..."), drawn at the bound and pointing up, never part of a
# line. Figures for a quarter are drawn at mid-quarter with a pale bar over the quarter they
# cover. Dotted vertical lines mark launches and other events. Look for how far the firms'
# figures disagree at similar dates: that gap is why they are kept apart.

# %% slideshow={"slide_type": "subslide"} tags=["hide-input"]
_ = plotting.save(figures.trajectory(an.trajectory), NB, "trajectory")

# %% slideshow={"slide_type": "subslide"}
display(Markdown(narrative.series_note(an.peak)))
display(narrative.display_series_table(an.peak))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. How fast: a log-linear decay fit
#
# If users fall by a constant share each month, `log(users)` falls on a straight line:
# `log(users) = a + b·t`, with `t` the months since the peak. An ordinary least-squares fit
# (statsmodels) gives the **monthly change** `e^b − 1` and the **half-life** `ln 2 / −b`, each
# with a 95% confidence interval from the t distribution. Only exact figures at or after the
# peak of the chosen series enter the fit; lower bounds and ranges never do.
#
# **Dating convention:** each figure is dated at the **midpoint of its period**: a month at its
# middle day, a quarter at mid-quarter (Q3 2025 → 15 August 2025), and `t` is measured in months
# of 365.25 / 12 days. The effect of dating a quarter at its last month instead is shown below.

# %% slideshow={"slide_type": "subslide"}
display(Markdown(narrative.fit_rows_heading(an.fit_basis)))
if an.fit_basis.fit.n:
    display(narrative.fit_rows_table(an.fit_basis))

# %% slideshow={"slide_type": "-"}
display(Markdown(narrative.fit_basis_note(an.fit_basis)))

# %% [markdown] slideshow={"slide_type": "subslide"}
# On the next chart the y axis is **logarithmic**, so a constant monthly rate is a straight line.
# Filled points are in the fit; a ring marks a figure left out of it (dated before the peak, or a month
# repeating its own quarter's figure: then the ring sits around the quarter's filled point, which is in the fit). The grey band is the
# 95% confidence interval of the fitted line; the red dashed segment is the **extrapolation**
# with its 95% prediction interval (where a new figure would fall if the rate held).

# %% slideshow={"slide_type": "subslide"} tags=["hide-input"]
_ = plotting.save(figures.decay_fit(an.decay, an.trajectory.series_names), NB, "decay_fit")

# %% slideshow={"slide_type": "subslide"}
display(Markdown(narrative.forecast_note(an.decay)))
if len(an.decay.forecast_table):
    display(narrative.forecast_table(an.decay))
    display(Markdown(narrative.floor_note(an.decay)))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Is the monthly rate constant?
#
# The fit assumes one constant monthly rate. Between each pair of consecutive dates of the fit, the rate
# that joins them is computed directly: equal rates support the assumption, rates that grow more negative mean
# an accelerating fall, which one fitted rate averages away.

# %% slideshow={"slide_type": "fragment"}
if len(an.constant_rate.segments):
    display(narrative.segments_table(an.constant_rate))
display(Markdown(narrative.constant_rate_note(an.constant_rate)))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Before the fall: the growth phase
#
# A decline is measured against a rise. This section looks at every user series of the entity
# (any metric, one firm at a time) for a rise from its first exact figure to a later maximum,
# and reports the multiple and the compound monthly growth rate, `multiple^(1/months) − 1`.

# %% slideshow={"slide_type": "subslide"} tags=["hide-input"]
display(Markdown(narrative.growth_note(an.growth)))
if an.growth.growth_phase is not None:
    _ = plotting.save(figures.growth_phase(an.growth, an.trajectory.series_names), NB, "growth_phase")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. The rank trajectory
#
# Ranks come from different lists (MAU, WAU or downloads; QuestMobile or AI Product Ranking;
# domestic or global), so each point is labelled with its list and only points of the same list
# are joined. Rank 1 is at the top. "top 3" (▲) means third or better; "outside the top 20" (▼)
# means worse than twentieth.

# %% slideshow={"slide_type": "subslide"} tags=["hide-input"]
if an.ranks.ranks:
    _ = plotting.save(figures.ranks(an.ranks), NB, "ranks")
else:
    display(Markdown(narrative.no_ranks_note(an.ranks)))

# %% slideshow={"slide_type": "subslide"}
if an.ranks.ranks:
    display(narrative.ranks_table(an.ranks))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Articles only, and with the public-report supplement
#
# The supplement adds monthly panels (QuestMobile, AI Product Ranking) and repeats of the articles' figures.
# The same fit on each firm's series, with `evidence = "articles"` and `evidence = "all"`, both computed here. A
# figure quoted by several sources is one measurement: it never adds a point to a fit.

# %% slideshow={"slide_type": "subslide"}
display(narrative.evidence_comparison(an.evidence_comparison))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Rivals: which series can be fitted at all
#
# The same analysis runs for any app with user data. For most rivals the articles give one or
# two snapshots: enough for a level, not for a rate. The table says, per app and metric, how many
# exact figures exist and whether a decay fit (with or without a confidence interval) is possible.

# %% slideshow={"slide_type": "subslide"}
display(narrative.coverage_table(an.coverage))

# %% slideshow={"slide_type": "skip"}
_ = kr.write_results(an)
