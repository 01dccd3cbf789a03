# %% [markdown] slideshow={"slide_type": "slide"}
# # Article 003's "sustainable growth" rule, put to Kimi's numbers
#
# Article 003 offers a rule of thumb for AI start-ups: growth is sustainable in proportion to how
# much of its cost a company covers with paid revenue, discounted by how much of its cost goes to
# buying traffic. This notebook implements the rule exactly, places Kimi on it, works out what
# the rule would have demanded of Kimi (revenue, paying users, cash), and tests how much the
# verdict depends on the many numbers nobody published.

# %% slideshow={"slide_type": "skip"}
from IPython.display import Markdown, display

import kimi_research as kr
from kimi_research.analysis import sustainability
from kimi_research.presentation import plotting
from kimi_research.presentation.figures import sustainability as figures
from kimi_research.presentation.narrative import sustainability as narrative

NB = "03_sustainability_formula"

# %% slideshow={"slide_type": "skip"} tags=["parameters"]
# fmt: off
paid_revenue_monthly_yuan = 10000000.0  # ILLUSTRATIVE: the articles give no revenue; 1000万元 a month, an order-of-magnitude guess (CNY, in [0, 1e12]; far larger amounts overflow the Monte Carlo)
total_cost_monthly_yuan = "implied"  # CNY a month in (0, 1e12], or implied: Kimi's peak monthly ad spend (from data) divided by ad_share; every runway (investment / monthly burn) must end before 2262, the end of pandas' calendar
ad_share = 0.7  # ad-spend share of total cost in (0, 1) (the implied cost base divides by the share, the frontier by 1 - share); article 003's figure for Kimi (o003_14)
alarm_threshold = 0.3  # share above which article 003 says to worry, in [0, 1) (o003_15)
price_per_paying_user_yuan = 49.0  # ASSUMPTION (no price in the articles): a typical entry-level monthly subscription, CNY, at least 0.01 (a fen)
target_rate = "threshold_firm"  # Monte Carlo target rate (a number > 0), or threshold_firm: a break-even firm at the alarm line
revenue_spread_factor = 3.0  # Monte Carlo: 90% of revenue draws lie within this factor of the assumed revenue, in (1, 100]
usd_cny = 7.2  # ASSUMPTION: CNY per USD (about the 2024 average) to convert the USD investments, in [1, 20]
mc_share_below = 0.3  # Monte Carlo: the ad share is drawn from a triangle reaching this far below ad_share (article 003's 70% was reached 一度, at one point, so other months were probably lower), in [0, 1]
mc_share_above = 0.1  # Monte Carlo: how far above ad_share the triangle of share draws reaches, in [0, 1]
mc_cost_spread_factor = 1.5  # Monte Carlo, with an explicit total cost only: 90% of cost draws lie within this factor of it, in (1, 100]
spend_path = "reconciled"  # runway: notebook 02's monthly ad spend in months without a figure: "reconciled" (the articles path plus the gap to AppGrowing's cumulative estimate, with evidence all), "articles", "lower_bounds", "interpolate" or "zero" (see adspend.SPEND_PATHS); every path is shown beside it as a range
mc_samples = 20000  # Monte Carlo draws, 100 to 5,000,000
seed = 0  # seed of the Monte Carlo's random generator (same seed, same results), in [0, 2**32 - 1]
evidence = "articles"  # which evidence to use: "articles" (the tier-1 articles the project is built on) or "all" (also the tier-2 public reports)
# fmt: on

# %% slideshow={"slide_type": "skip"}
ds = kr.load()
P = kr.validate_parameters("03_sustainability_formula", globals(), ds)
_ = plotting.theme()

# %% slideshow={"slide_type": "skip"}
an = sustainability.analyse(ds, P)  # P.evidence of the data; the cash ledger under both evidence settings

# %% slideshow={"slide_type": "slide"}
display(Markdown("## What this notebook finds\n\n" + narrative.summary_markdown(an)))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The rule, as article 003 writes it
#
# > 可持续增长率 = （付费收入 ÷ 总成本）×（1 - 投流费用占比）
#
# *Sustainable growth rate = (paid revenue ÷ total cost) × (1 − share of spending on traffic).* The rule
# is implemented once, in `kimi_research.analysis.sustainability.sustainable_growth_rate`, and used everywhere below.

# %% slideshow={"slide_type": "fragment"}
display(Markdown(narrative.article_quotes(an.rule)))

# %% slideshow={"slide_type": "subslide"}
table, note = narrative.rule_comparison(an.rule)
display(table, Markdown(note))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The whole rule on one map
#
# The rate rises along the revenue/cost axis and falls towards zero as the ad share approaches 100%.
# Each contour line is a *frontier*: the combinations that give the same rate. Look where Kimi sits
# against the dashed alarm line, and how far to the left the assumed revenue puts it.

# %% slideshow={"slide_type": "subslide"}
_ = plotting.save(figures.heatmap(an.rate_map), NB, "heatmap")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. The frontier: how much revenue a target rate needs
#
# Solving the rule for revenue/cost gives *revenue/cost = s ÷ (1 − share)* for a target rate *s*. The
# chart shows that requirement against the ad share; it explodes as the share approaches 100%. Compare
# the markers at the alarm line and at Kimi's share with the flat line of Kimi's (assumed) revenue/cost.

# %% slideshow={"slide_type": "subslide"}
_ = plotting.save(figures.frontier(an.frontier), NB, "frontier")

# %% slideshow={"slide_type": "subslide"}
display(Markdown(narrative.frontier_note(an.frontier)))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Kimi's implied cost base
#
# If advertising was a known share of total cost, the peak month's ad spend fixes the total:
# *total cost = ad spend ÷ share*. The articles give the peak month twice, with different values;
# both are used. Compare the non-advertising part with article 002's monthly training cost, which the
# article gives only as "several 千万" (read as a range).

# %% slideshow={"slide_type": "subslide"}
_ = plotting.save(figures.cost_base(an.cost_base), NB, "cost_base")

# %% slideshow={"slide_type": "subslide"}
display(Markdown(narrative.consistency_note(an.cost_base)))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. What revenue that cost base needs
#
# How many paying users at a monthly price would make paid revenue equal to the cost (revenue/cost = 1)?
# The price is an assumption (no article gives one). The curve shows the answer for any price; the
# lower curve is the same for the non-advertising cost alone, i.e. if all advertising stopped.

# %% slideshow={"slide_type": "subslide"}
_ = plotting.save(figures.paying_users(an.paying_users), NB, "paying_users")

# %% slideshow={"slide_type": "subslide"}
display(Markdown(narrative.paying_users_note(an.paying_users)))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. How robust is the verdict? A Monte Carlo over the unknowns
#
# Revenue is unknown, Kimi's share was reached only "at one point" (一度), and the peak month's spend is
# reported twice with different values. Each is drawn from a stated distribution (below); the rate is
# computed for every draw. The random generator is seeded, so a rerun gives identical numbers.

# %% slideshow={"slide_type": "subslide"}
table, note = narrative.mc_spec(an.monte_carlo)
display(table, Markdown(note))

# %% [markdown] slideshow={"slide_type": "subslide"}
# The input distributions as drawn: revenue on a log scale (its uncertainty is a factor, not an
# amount), the share leaning below article 003's peak figure, the peak spend between the two readings.

# %% slideshow={"slide_type": "subslide"}
_ = plotting.save(figures.mc_inputs(an.monte_carlo), NB, "mc_inputs")

# %% [markdown] slideshow={"slide_type": "subslide"}
# The resulting distribution of the rate, with the target and the base case marked. The share of draws to
# the right of the target line is the probability that the rate exceeds it.

# %% slideshow={"slide_type": "subslide"}
_ = plotting.save(figures.mc_rate(an.monte_carlo), NB, "mc_rate")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Which unknown matters most? Each input is moved alone from its 5th to its 95th percentile while the
# others stay at the base case; the longest bar is the input the verdict depends on most.

# %% slideshow={"slide_type": "subslide"}
_ = plotting.save(figures.tornado(an.monte_carlo), NB, "tornado")

# %% slideshow={"slide_type": "subslide"}
display(Markdown(narrative.mc_note(an.monte_carlo)))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Cash runway
#
# How long would the money last? The ledger below takes every funding round the chosen evidence gives
# (data/events.csv and the investment rows; USD converted at the `usd_cny` parameter), and burns, month by month,
# notebook 02's spend path (parameter `spend_path`; by default the path reconciled to AppGrowing's cumulative
# estimate where the evidence has it) plus the non-advertising cost implied at the peak. The articles-only and the
# all-evidence ledgers are shown side by side, and every other spend path gives the range. The cash-out is stated
# in years (quarters inside the ledger's months), never to the month: the burn after the data is an assumption.

# %% slideshow={"slide_type": "subslide"}
display(narrative.rounds_table(an.ledger), narrative.ledger_table(an.ledger), Markdown(narrative.ledger_note(an.ledger)))
display(Markdown(narrative.runway_range_sentence(an.ledger)))

# %% [markdown] slideshow={"slide_type": "subslide"}
# What share of the ledger's cost went to ads, over the months with a spend figure? Article 003's 70% was reached
# "at one point" (一度); the ledger gives the period average, and the share under the revenue-base reading of
# section 8 is computed beside it.

# %% slideshow={"slide_type": "fragment"}
display(Markdown(narrative.ledger_share_sentence(an.ledger_share)))

# %% [markdown] slideshow={"slide_type": "subslide"}
# The same ledgers in time: each band runs from the smaller to the larger reading of the rounds; the dotted
# lines extrapolate the burn after the last month with data.

# %% slideshow={"slide_type": "subslide"}
_ = plotting.save(figures.runway(an.ledger), NB, "runway")

# %% slideshow={"slide_type": "subslide"}
table, note = narrative.runway_table(an.runway)
display(Markdown("For comparison, Alibaba's round alone at constant monthly burns (months it lasts):"), table, Markdown(note))
display(Markdown(narrative.runway_note(an.runway)))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. What the rule does and does not say
#
# * **It is the author's heuristic, not the textbook sustainable growth rate.** In corporate finance the
#   sustainable growth rate is ROE × retention ratio: how fast a firm can grow from retained profit without
#   new equity or more leverage. Article 003's rule borrows the name but has no profit, no equity and no
#   reinvestment in it.
# * **The share has no stated base.** "投流费用占比" could be ad spend ÷ total cost (the reading used so
#   far) or ad spend ÷ revenue (a common marketing metric). The article does not say.
# * **The rate has no time unit.** Revenue and cost cancel their units, so the "rate" is a pure number, not
#   a growth rate per year or per month; it can only rank firms against each other.
# * **It mixes a flow with a snapshot.** Kimi's share was reached "at one point" (一度), not as an average.
#
# The table shows what the alternative reading of the share does to the verdict.

# %% slideshow={"slide_type": "subslide"}
table, note = narrative.alternative_reading_table(an.alternative)
display(table, Markdown(note))

# %% [markdown] slideshow={"slide_type": "skip"} tags=["no-slides"]
# ## 9. Explore it yourself (JupyterLab)
#
# Move the sliders to recompute the rule (revenue and cost on log scales). The explorer needs a live
# kernel; the slides skip it, and under papermill it is built but never touched.

# %% slideshow={"slide_type": "skip"} tags=["no-slides"]
explorer = figures.build_explorer(an.explorer)
display(explorer)

# %% slideshow={"slide_type": "skip"}
_ = kr.write_results(an)
