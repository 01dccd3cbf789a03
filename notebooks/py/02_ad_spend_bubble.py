# %% [markdown] slideshow={"slide_type": "slide"}
# # The ad-spend bubble: what Kimi's paid traffic bought, what it kept, and what the users did after the reported peak
#
# The articles argue that Kimi's growth was bought (AppGrowing's monthly ad-spend figures, a Bilibili campaign,
# "20天烧钱1个亿") and that users left once the money dried up (no article says when, or whether, spending stopped). This notebook tests that story with the
# vocabulary of marketing-mix modelling: cost per acquisition (CPA), cost per *retained* user, daily burn,
# and an adstock-style stock of bought users that decays at a monthly churn rate.

# %% slideshow={"slide_type": "skip"}
from IPython.display import Markdown, display

import kimi_research as kr
from kimi_research.analysis import adspend
from kimi_research.presentation import plotting
from kimi_research.presentation.figures import adspend as figures
from kimi_research.presentation.narrative import adspend as narrative

NB = "02_ad_spend_bubble"

# %% slideshow={"slide_type": "skip"} tags=["parameters"]
# fmt: off
cpa_yuan = 10.0  # advertising cost per acquired user, CNY, in [0.01, 1000] (article 004's investor: about 10元; article 000: 30元 on Bilibili; above a few thousand 元 the bought users are too few for the churn fit to give a half-life)
compute_cost_per_user_yuan = 2.5  # compute cost of serving a new user, CNY, in [0, 1000] (middle of article 004's all-in 12-13元 minus its 10元 CPA; the same ceiling as cpa_yuan)
retention_30d = 0.01  # share of new users active after 30 days, in (0, 1] (article 001's 'under 1%': industry hearsay; 0 would make the cost per retained user infinite)
daily_new_users = 200000  # new users a day in the burn arithmetic, 1 to 1亿 (article 004's hypothetical 20万 a day); with the all-in cost at most 100亿元 a day, the longest bar the burn chart can draw
spend_path = "articles"  # months without a spend figure: "articles", "lower_bounds", "interpolate", "zero" or "reconciled" (the articles path plus the gap to AppGrowing's cumulative estimate, with evidence all; see adspend.SPEND_PATHS)
cpa_path = "constant"  # "constant": cpa_yuan every month; "rising": the dated cost-per-user readings as a monthly path (30元 early 2024 on Bilibili, about 10元 at the peak of spending, 50元 from November 2024 with evidence all; linear between them), for the churn fit and the users bought
revenue_per_active_user_yuan = 0.5  # ASSUMPTION (no article gives Kimi's revenue): revenue a month per active user for the payback estimate, CNY, in [0, 1000] (0.5: notebook 03's illustrative 1000万元 a month over the 2101万 MAU of December 2024; 0: a bought user never pays back; the same ceiling as cpa_yuan)
monthly_churn = "fit"  # monthly churn of bought users, 0 or in [1e-9, 0.999] (the range of the fit; a smaller churn has no computable half-life), or "fit" to fit it to QuestMobile's MAU
first_month_retention = "adstock"  # cohort option: share of a month's new users still active the month after, in (0, 1] (at 0 no bought user outlives its month, and no churn reaches a MAU measured after the spending), after which the monthly churn applies as a hazard; "adstock": the same churn from the first month
organic_users_per_month = 0.0  # users a month who arrive without ads, 0 to 1亿 (an assumption: no article gives it; with 0 every user was bought, the articles' story taken literally)
saturation_users = "largest_app"  # market size for the counterfactual of continued spend, users (diminishing returns: the inflow shrinks as users approach it), or "largest_app": the largest MAU or WAU any app reaches in the data (points and lower bounds, named; monthly users are at least the weekly users, so either bounds the market from below)
evidence = "articles"  # which evidence to use: "articles" (the tier-1 articles the project is built on) or "all" (also the tier-2 public reports)
# fmt: on

# %% slideshow={"slide_type": "skip"}
ds = kr.load()
P = kr.validate_parameters("02_ad_spend_bubble", globals(), ds)
_ = plotting.theme()

# %% slideshow={"slide_type": "skip"}
an = adspend.analyse(ds, P)  # P.evidence of the data; DataError if Kimi has no spend rows or no MAU to fit to

# %% slideshow={"slide_type": "slide"}
display(Markdown("## What this notebook finds\n\n" + narrative.summary_markdown(an)))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. What the articles report about Kimi's ad spend
#
# Every spend row, as written. Lower bounds (超, 上千万) are marked; the undated "peak month" figures of
# articles 003 and 004 disagree (conflict group `kimi_peak_ad_spend`), and the Bilibili figure is industry hearsay.

# %% slideshow={"slide_type": "subslide"}
display(narrative.spend_rows_table(an.spend_path))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The spend timeline: data and assumptions
#
# One bar per month. Solid bars are single-month figures (AppGrowing); hatched bars with an arrow are lower
# bounds drawn at their bound (the real spend was higher); grey dotted bars are **assumptions** for months no
# article reports, chosen by the `spend_path` parameter. Everything after the last reported month is assumption.

# %% slideshow={"slide_type": "fragment"}
display(Markdown(narrative.spend_path_note(an.spend_path)))

# %% slideshow={"slide_type": "subslide"}
_ = plotting.save(figures.spend_timeline(an.spend_path), NB, "spend_timeline")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 2b. Against the trackers' own cumulative estimate
#
# AppGrowing, whose monthly figures the path uses, also estimates the whole spend since March 2024 (a
# cumulative total: never a month's spend). Every path is summed over that estimate's window, a month partly
# inside counted by its days, and compared with it. The `reconciled` path adds the gap to the months of the
# window without a single-month figure, without changing a reported month or going below a bound; the
# table after the chart shows how the gap is spread under each rule.

# %% slideshow={"slide_type": "fragment"}
display(Markdown(narrative.cumulative_note(an.cumulative)))

# %% slideshow={"slide_type": "subslide"}
_ = plotting.save(figures.cumulative_check(an.cumulative), NB, "cumulative_check")

# %% slideshow={"slide_type": "subslide"}
display(narrative.cumulative_table(an.cumulative))
display(narrative.spread_table(an.cumulative))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Rivals' spend beside Kimi's
#
# Doubao's and Yuanbao's spend is quarterly (AppGrowing, article 002), drawn as a monthly average across each
# quarter; Kimi's single-month figures as bars. Article 003's monthly budget for Doubao is undated and conflicts
# with every AppGrowing quarter (dashed line); Yuanbao's last quarter is flagged as suspicious (red ring; the
# data note says why). The axis is logarithmic.

# %% slideshow={"slide_type": "subslide"}
_ = plotting.save(figures.rivals_spend(an.rivals), NB, "rivals_spend")

# %% slideshow={"slide_type": "fragment"}
display(Markdown(narrative.rivals_note(an.rivals)))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. The articles' unit economics, reproduced
#
# Each figure the articles give is recomputed from the rows it rests on. A month has 30 or 31 days, so a
# monthly figure gives a daily range; article 004's all-in acquisition cost is itself a range.

# %% slideshow={"slide_type": "subslide"}
display(narrative.unit_economics_table(an.unit_economics))

# %% slideshow={"slide_type": "subslide"}
_ = plotting.save(figures.unit_economics(an.unit_economics), NB, "unit_economics")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Cost per retained user
#
# What a user still active after a month costs: the all-in CPA divided by the 30-day retention. The default
# retention is article 001's "不到" (under) figure, a set of numbers "circulating in the industry" with no vendor,
# no date and no product named: **unsourced hearsay**, kept only because it is the articles' own figure.

# %% slideshow={"slide_type": "fragment"}
display(Markdown(narrative.retained_user_note(an.retained)))

# %% slideshow={"slide_type": "subslide"}
_ = plotting.save(figures.cost_per_retained_user(an.retained), NB, "cost_per_retained_user")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Users bought vs users kept
#
# The spend of the peak months (the last run of AppGrowing's single-month figures), divided by the CPA, is the
# number of users it could have bought. The month after, QuestMobile counted Kimi's monthly active users: that is
# the most that was kept (it also includes users who came without ads).

# %% slideshow={"slide_type": "subslide"}
_ = plotting.save(figures.bought_vs_kept(an.bought_vs_kept), NB, "bought_vs_kept")

# %% slideshow={"slide_type": "fragment"}
display(Markdown(narrative.bought_vs_kept_note(an.bought_vs_kept)))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 6b. What a bought user cost, what retention the MAU imply, and whether it pays back
#
# The cost per user from advertising only (article 004's 12-13元 adds the compute of serving the user), at each
# reading, and as a dated path (option `cpa_path = "rising"`); the 30-day retention the MAU measured after the
# peak requires if every user was bought; and, **conditional on an assumed revenue per active user** (no article
# gives Kimi's revenue), the months a bought user takes to pay back its cost. "Never" is an answer.

# %% slideshow={"slide_type": "fragment"}
display(narrative.cpa_path_table(an.acquisition))
display(Markdown(narrative.bought_by_cpa_note(an.acquisition)))

# %% slideshow={"slide_type": "subslide"}
display(Markdown(narrative.implied_retention_note(an.acquisition)))

# %% slideshow={"slide_type": "subslide"}
display(narrative.payback_table(an.acquisition))
display(Markdown(narrative.payback_note(an.acquisition)))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. A stock-flow model of bought users
#
# An adstock for users: each month keeps a share (1 − churn) of last month's users and adds spend ÷ CPA new
# ones, starting from zero before the first recorded spend (only bought users are counted, the articles' story
# taken literally). The churn is fitted by least squares on log MAU to **QuestMobile's** figures only (other
# vendors are shown, not fitted). A monthly MAU is compared with the model's month; a quarterly MAU (a quarter's
# average) with the mean of the model's three months. A monthly figure that repeats its quarter's figure is
# counted once (listed under the table).
#
# **This is an illustration of the mechanism, not an estimate.** It has one parameter and a handful of data
# points, the spend after the last reported month is an assumption, and the CPA is a rumour.

# %% slideshow={"slide_type": "subslide"}
display(narrative.fit_table(an.fit))
display(Markdown(narrative.not_counted_note(an.fit)))

# %% slideshow={"slide_type": "subslide"}
_ = plotting.save(figures.stock_flow_fit(an.modelled), NB, "stock_flow_fit")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### How well is the churn pinned down?
#
# Left: the sum of squared log errors for every churn; the fitted value is its minimum, and the shaded band is the
# profile interval (churns whose fit is not significantly worse, with an F test on n − 1 degrees of freedom).
# Right: what the model gets wrong at each measured point.

# %% slideshow={"slide_type": "subslide"}
_ = plotting.save(figures.fit_diagnostics(an.fit), NB, "fit_diagnostics")

# %% slideshow={"slide_type": "fragment"}
display(Markdown(narrative.churn_note(an.fit)))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The churn depends on the CPA: every reading, every spend path
#
# The churn is fitted for a given cost per user. A user bought at 30元 instead of 10元 means a third as many
# bought users, so fewer of them need to leave to match the same MAU. The table refits the churn at each of the
# articles' CPA readings (contested input `cpa`) and each spend path; the headline quotes the range.

# %% slideshow={"slide_type": "fragment"}
display(narrative.joint_table(an.joint))
display(Markdown(narrative.joint_note(an.joint)))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. What if spending had continued, or stopped?
#
# The same model, the same churn, three spend paths after the last reported month: the chosen assumption, spend
# continued at that month's level, and spend stopped. Bought users are a leaky bucket: when the inflow stops the stock
# halves every half-life.

# %% slideshow={"slide_type": "subslide"}
_ = plotting.save(figures.counterfactual(an.counterfactuals), NB, "counterfactual")

# %% slideshow={"slide_type": "fragment"}
display(Markdown(narrative.counterfactual_note(an.counterfactuals)))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 9. Bridge to notebook 03: the implied total cost
#
# Article 003 gives the share of Kimi's spending that once went to traffic (its formula's ad-spend share). If the
# peak month's ad bill was that share, the whole monthly cost base follows.

# %% slideshow={"slide_type": "fragment"}
display(Markdown(narrative.bridge_note(an.cost_base)))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 10. Articles only, and with the public-report supplement
#
# The same analysis with `evidence = "articles"` and `evidence = "all"`, both computed here. The supplement adds
# Kimi's spend in January 2025 (a reported month after the peak), more AppGrowing rows for October-November 2024
# (the same figures, counted once) and AppGrowing's cumulative total since March 2024, which is never a month's
# spend: the reconciled path is checked against it (section 2b).

# %% slideshow={"slide_type": "subslide"}
display(narrative.evidence_comparison(an.evidence_comparison))
display(Markdown(narrative.creatives_note(an.evidence_comparison)))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 11. Verdict

# %% slideshow={"slide_type": "slide"}
display(Markdown(narrative.verdict_markdown(an)))

# %% slideshow={"slide_type": "skip"}
_ = kr.write_results(an)
