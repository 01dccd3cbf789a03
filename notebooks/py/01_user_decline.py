# %% [markdown] slideshow={"slide_type": "slide"}
# # The user decline: how fast, since when, how sure
#
# How fast did Kimi lose users, since when, and how sure can we be? The articles quote several
# measurement firms (QuestMobile, AI Product Ranking, unnamed "data") whose panels differ, so
# their figures are **never joined into one line**: each firm is its own series, and rows that
# name no firm form a series only within one source. Every figure is asked of the project's
# comparability layer: a quarter's average never stands beside its own months, bounds stay
# bounds, special days and figures outside the study window are listed, never fitted. This
# notebook shows every firm's figures on one time axis with the dated events, measures the change
# per firm (and says which comparison it is), fits a log-linear decay with confidence intervals,
# places the events between the figures, recovers the growth phase before the fall, the rank
# history one list at a time, and the stickiness (DAU/MAU) of every app with both figures from one
# firm. Change `entity` and `metric` to run it for a rival.

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
vendor = "auto"  # series to fit: "auto" (firm with most points), a measurement firm by id or name (e.g. "QuestMobile"), "none" (the source naming no firm with most points) or none: and one such source's id (e.g. "none:s004"), or "all" (pooled)
start = "2023-10-01"  # start of the study window: figures whose period midpoint is before this ISO date are drawn and listed, never fitted (default: Kimi's launch month; e.g. "2024-06-01"; "" for no limit)
end = "2025-12-31"  # end of the study window: figures whose period midpoint is after this ISO date are drawn and listed, never fitted (default: the last month of the articles; "" for no limit)
forecast_months = 6  # months to extrapolate the fitted decay after the last figure, 0 to 36 (0: no forecast)
annotate_events = True  # mark launches and other dated events on the time charts
evidence = "articles"  # which evidence to use: "articles" (the tier-1 articles the project is built on) or "all" (also the tier-2 public reports)
# fmt: on

# %% slideshow={"slide_type": "skip"}
ds = kr.load()
P = kr.validate_parameters("01_user_decline", globals(), ds)
an = decline.analyse(ds, P)  # P.evidence of the data; every entity and metric with data runs (no rate: the notebook says why)
_ = plotting.theme()
NB = "01_user_decline"

# %% slideshow={"slide_type": "slide"}
display(Markdown("## What this notebook finds\n\n" + narrative.summary_markdown(an)))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The trajectory: every firm's figures on one time axis
#
# Each colour is one firm; a line joins only the figures of that firm. An open caret with an
# arrow is a **bound** ("at least ...": pointing up), never part of a line; an open bar is a
# range. Figures for a quarter are drawn at mid-quarter with a pale bar over the quarter they
# cover. An open circle is a figure outside the study window or of a special day: drawn, never
# fitted. Dotted vertical lines mark launches and other dated events: they place the figures in
# time and say nothing of cause. Look for how far the firms' figures disagree at similar dates:
# that gap is why they are kept apart.

# %% slideshow={"slide_type": "subslide"}
_ = plotting.save(figures.trajectory(an.trajectory), NB, "trajectory")

# %% slideshow={"slide_type": "subslide"}
display(Markdown(narrative.series_note(an.peak)))
display(narrative.display_series_table(an.peak))

# %% slideshow={"slide_type": "subslide"}
display(Markdown(narrative.window_note(an.trajectory)))
left = narrative.left_out_table(an.trajectory)
display(Markdown(left) if isinstance(left, str) else left)

# %% slideshow={"slide_type": "subslide"}
display(Markdown(narrative.direction_note(an.user_base)))

# %% [markdown] slideshow={"slide_type": "slide"}
# ### Like for like: which comparison is the change?
#
# A change between two figures means what it says only when both are the same kind of figure from
# the same firm: a month against a month, a quarter's average of monthly values against another
# quarter's average. A month against a quarter's average mixes a single month with three months'
# mean. The table lists every comparison of one grain the data allow, firm by firm.

# %% slideshow={"slide_type": "subslide"}
display(Markdown(narrative.like_for_like_note(an.like_for_like, an.peak)))
if an.like_for_like.like_for_like_change:
    display(narrative.like_for_like_table(an.like_for_like))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. How fast: a log-linear decay fit
#
# If users fall by a constant share each month, `log(users)` falls on a straight line:
# `log(users) = a + b·t`, with `t` the months since the peak. An ordinary least-squares fit
# (statsmodels) gives the **monthly change** `e^b − 1` and the **half-life** `ln 2 / −b`, each
# with a 95% confidence interval from the t distribution. Only exact figures at or after the
# peak of the chosen series enter the fit, and only figures of one scale (months and quarters'
# monthly averages together, single days apart); bounds never do. No rate is fitted from figures
# less than about two months apart: two holiday days are not a trend.
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
# Filled points are in the fit; a ring marks a figure of the series left out of it (dated before
# the peak). The grey band is the 95% confidence interval of the fitted line; the red dashed
# segment is the **extrapolation** with its 95% prediction interval (where a new figure would fall
# if the rate held).

# %% slideshow={"slide_type": "subslide"}
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

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What happened between the figures
#
# Each dated event is placed between the two figures of the series that bracket it, with the rate
# of the figures before it and after it. With so few figures a side often rests on one or two
# figures: a rate through two figures has no interval, and then whether the rates differ cannot
# be tested. The placement is in time only.

# %% slideshow={"slide_type": "fragment"}
display(Markdown(narrative.events_note(an.timing)))
if len(narrative.events_table(an.timing)):
    display(narrative.events_table(an.timing))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Before the fall: the growth phase
#
# A decline is measured against a rise. This section looks at every user series of the entity
# (any metric, one firm or one source at a time) for a rise from its first exact figure to a later
# maximum, and reports the multiple and the compound monthly growth rate, `multiple^(1/months) − 1`.

# %% slideshow={"slide_type": "subslide"}
display(Markdown(narrative.growth_note(an.growth)))
if an.growth.growth_phase is not None:
    _ = plotting.save(figures.growth_phase(an.growth, an.trajectory.series_names), NB, "growth_phase")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. The rank history, one list at a time
#
# Ranks come from different lists (MAU, WAU or downloads; QuestMobile or AI Product Ranking;
# domestic or global): a rank on one list is never compared with a rank on another, so each list
# with two ranks or more gets its own panel. Rank 1 is at the top. A caret is a bound: "≤3" (▲)
# means third or better, ">20" (▼) worse than twentieth.

# %% slideshow={"slide_type": "subslide"}
display(Markdown(narrative.ranks_note(an.ranks)))

# %% slideshow={"slide_type": "subslide"}
if an.ranks.histories:
    _ = plotting.save(figures.ranks(an.ranks), NB, "ranks")

# %% slideshow={"slide_type": "subslide"}
if an.ranks.ranks:
    display(narrative.ranks_table(an.ranks))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. One user base: stickiness (DAU/MAU) of every app
#
# How many of a month's users come back on an average day? DAU/MAU answers it only when both
# figures come from one firm, for exactly the same period: a single day's DAU against a month's
# MAU, or one firm's DAU against another's MAU, would mix panels and periods.

# %% slideshow={"slide_type": "subslide"}
display(Markdown(narrative.stickiness_note(an.user_base)))
if an.user_base.stickiness:
    display(narrative.stickiness_table(an.user_base))
if an.user_base.stickiness_left_out:
    display(narrative.stickiness_left_out_table(an.user_base))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Articles only, and with the public-report supplement
#
# The supplement adds monthly panels (QuestMobile, AI Product Ranking) and repeats of the articles' figures.
# The same fit on each firm's series, with `evidence = "articles"` and `evidence = "all"`, both computed here. A
# figure quoted by several sources is one measurement: it never adds a point to a fit.

# %% slideshow={"slide_type": "subslide"}
display(narrative.evidence_comparison(an.evidence_comparison))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Rivals: which series can be fitted at all
#
# The same analysis runs for any app with user data. For most rivals the sources give one or
# two snapshots: enough for a level, not for a rate. The table says, per app and metric, how many
# exact figures exist inside the study window and whether a rate (with or without a confidence
# interval) can be fitted on one firm's series, and why not.

# %% slideshow={"slide_type": "subslide"}
display(narrative.coverage_table(an.coverage))

# %% slideshow={"slide_type": "skip"}
_ = kr.write_results(an)
