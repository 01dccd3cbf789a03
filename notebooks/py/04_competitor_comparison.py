# %% [markdown] slideshow={"slide_type": "slide"}
# # Where Kimi stands: Doubao, DeepSeek, Yuanbao, Qwen and the rest
#
# The articles' verdict on Kimi is blunt: *whatever Kimi has, the others have too, and it is not
# the best*. This notebook puts that to the data, side by side: users (the ranking at a date and
# earlier snapshots), advertising spend per month, capabilities (context window, modalities,
# open weights, model launches, data ecosystem, own cloud), and big-tech backing.

# %% slideshow={"slide_type": "skip"}
from IPython.display import Markdown, display

import kimi_research as kr
from kimi_research.analysis import competitors
from kimi_research.presentation import plotting
from kimi_research.presentation.figures import competitors as figures
from kimi_research.presentation.narrative import competitors as narrative

NB = "04_competitor_comparison"

# %% slideshow={"slide_type": "skip"} tags=["parameters"]
# fmt: off
entities = "all"  # apps to compare by id or name, e.g. ["kimi", "Doubao", "腾讯元宝"], or "all" for every app with data; Kimi is always included
metric = "wau"  # user metric to rank by: "wau", "dau" or "mau"
as_of = "latest"  # "latest" (the most recent period in which one firm gives the metric for two or more apps, else the most recent with data), an ISO date "2025-12-10" or a month "2025-12" with data for the metric
chars_per_token = 1.67  # ASSUMPTION: Chinese characters per token (DeepSeek API docs: ~0.6 token per character), to compare 万字 with tokens, in [0.1, 10]
evidence = "articles"  # which evidence to use: "articles" (the tier-1 articles the project is built on) or "all" (also the tier-2 public reports)
# fmt: on

# %% slideshow={"slide_type": "skip"}
ds = kr.load()
P = kr.validate_parameters("04_competitor_comparison", globals(), ds)
_ = plotting.theme()

# %% slideshow={"slide_type": "skip"}
an = competitors.analyse(ds, P)  # P.evidence of the data; ParameterError listing the periods with data

# %% slideshow={"slide_type": "slide"}
display(Markdown("## What this notebook finds\n\n" + narrative.summary_markdown(an)))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The ranking at the chosen date
#
# One firm's list for exactly one period (a quarter's average is not a figure for one of its
# months, a week is not the month). Values and ranks come from different sentences of the same
# article: the leaders are given as values and "the top three", some apps only as a rank. The
# table merges them; ranks that follow from the values are marked *derived* (explained below).
# A figure published only as a bound ("突破…", more than) is shown as a bound, never ranked as a
# point; of two conflicting figures for one app, the one used and the one not used are both named.

# %% slideshow={"slide_type": "subslide"}
table, note = narrative.ranking_table(an.ranking)
display(table, Markdown(note))

# %% slideshow={"slide_type": "subslide"}
display(Markdown(narrative.rank_sources(an.ranking)))

# %% [markdown] slideshow={"slide_type": "subslide"}
# The chart shows the values as bars and the ratio to Kimi beside each; apps with a rank but no
# published value get a row with their rank and the range their neighbours imply, but no bar.

# %% slideshow={"slide_type": "subslide"}
_ = plotting.save(figures.ranking(an.ranking), NB, "ranking")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Earlier snapshots: other comparisons the articles make
#
# Every other firm, period and scale in which the data give a user metric for two or more apps,
# drawn as small multiples by metric on one shared scale: one column per firm, period and scale.
# A quarter's average is labelled with its quarter and never drawn as one of its months; a
# bound is an open triangle with its arrow. A figure implied by a share (DeepSeek's DAU stated
# as a share of ChatGPT's) is computed and drawn as an open diamond, labelled *derived*: no
# article states it.

# %% slideshow={"slide_type": "subslide"}
if not an.snapshots.snapshots:
    display(Markdown("No other period compares two or more of the selected apps."))
else:
    _ = plotting.save(figures.snapshots(an.snapshots), NB, "snapshots")

# %% slideshow={"slide_type": "skip"}
if an.snapshots.snapshots:
    display(narrative.snapshots_table(an.snapshots))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Kimi's rank a year before, and since
#
# Each vendor's list is its own line (QuestMobile's weekly list, QuestMobile's monthly list,
# AI产品榜's lists); a line is never drawn across vendors or scopes. "Top three" is drawn as an
# open triangle at 3: Kimi was there or higher.

# %% slideshow={"slide_type": "subslide"}
_ = plotting.save(figures.kimi_rank_history(an.rank_history), NB, "kimi_rank_history")
display(narrative.rank_history_table(an.rank_history))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Advertising, side by side, per month
#
# AppGrowing's figures as quoted: Kimi's are monthly, Doubao's and Yuanbao's quarterly. A
# quarter is divided by its three months to put it beside a month; a quarter's own figure is
# never added to the months or campaigns inside it, and months that cover part of a quarter
# give a lower bound for it. Flags travel with the numbers.

# %% slideshow={"slide_type": "fragment"}
display(Markdown(narrative.flagged_spend(an.ad_spend)))

# %% slideshow={"slide_type": "subslide"}
display(narrative.spend_rows_table(an.ad_spend))

# %% [markdown] slideshow={"slide_type": "subslide"}
# Each figure is drawn over the period it covers, at its monthly rate (log scale: the values span
# two orders of magnitude). Dashed = lower bound; red outline = flagged suspicious; dotted
# lines across = undated statements.

# %% slideshow={"slide_type": "subslide"}
_ = plotting.save(figures.ad_spend(an.ad_spend), NB, "ad_spend")

# %% slideshow={"slide_type": "subslide"}
if an.ad_spend.ad_spend_quarter:
    display(Markdown(narrative.spend_by_quarter_note(an.ad_spend)), narrative.spend_by_quarter_table(an.ad_spend))

# %% [markdown] slideshow={"slide_type": "slide"}
# ### Spend per new user, against a zero-ad benchmark
#
# Advertising over a calendar month or quarter divided by the monthly users gained in the same
# window: the MAU at the window's end minus the MAU just before it, both from **one firm** (two
# firms' figures are never subtracted, and a quarter's average is never a month's level). A bound
# stays a bound ("at least", "at most"). DeepSeek, the fastest grower of 2025, has no advertising
# figure in any source: its spend is *none reported*, not zero, and it is the benchmark.

# %% slideshow={"slide_type": "subslide"}
display(Markdown(narrative.spend_per_new_user_line(an.acquisition)))
display(narrative.spend_per_new_user_table(an.acquisition))

# %% slideshow={"slide_type": "subslide"}
display(Markdown(narrative.ad_share_line(an.acquisition)))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Capabilities: the matrix
#
# One row per company (the app's owner: Ant Afu belongs with Alibaba), one column per capability
# the articles discuss. Each cell quotes the data and ends with the article ids in brackets;
# the record ids are in the table after it. "—" means the articles say nothing, which is not the
# same as "does not have". † = characters converted to tokens with `chars_per_token` (an
# assumption).

# %% slideshow={"slide_type": "subslide"}
display(narrative.capability_table(an.capabilities))

# %% slideshow={"slide_type": "subslide"}
_ = plotting.save(figures.capability_matrix_chart(an.capabilities), NB, "capability_matrix")

# %% slideshow={"slide_type": "skip"}
display(narrative.capability_facts_table(an.capabilities))

# %% [markdown] slideshow={"slide_type": "slide"}
# ### Context windows over time
#
# Kimi's windows are stated in 万字 (Chinese characters); Qwen's and MiniMax's in tokens. To
# put them on one axis, characters are divided by `chars_per_token` (an **assumption**, marked †
# and drawn with open markers). The industry's "a few thousand characters" (几千字) at Kimi's
# launch is drawn as a band: the range recorded for it in `data/observations.csv` (our reading).

# %% slideshow={"slide_type": "subslide"}
_ = plotting.save(figures.context_windows(an.context_windows), NB, "context_windows")

# %% slideshow={"slide_type": "subslide"}
table, note = narrative.windows_table(an.context_windows)
display(table, Markdown(note))

# %% [markdown] slideshow={"slide_type": "slide"}
# ### Release cadence
#
# Model launches the articles name, by company; a star marks a reasoning model (DeepSeek R1
# and Kimi k1.5 came out on the same day). These are the launches the articles mention, not a
# complete release history.

# %% slideshow={"slide_type": "subslide"}
_ = plotting.save(figures.release_cadence(an.release_cadence), NB, "release_cadence")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Big-tech-backed vs independent
#
# `data/entities.csv` says who stands behind each app: ByteDance, Tencent, Alibaba (and Ant)
# on one side; Moonshot and DeepSeek, start-ups, on the other. Users at the chosen date and ad
# spend in the comparison quarter, summed by backing. Apps ranked without a value add an unknown
# amount, bounded by their neighbours' values.

# %% slideshow={"slide_type": "subslide"}
display(*narrative.backing_tables(an.backing))

# %% slideshow={"slide_type": "subslide"}
_ = plotting.save(figures.backing(an.backing), NB, "backing")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Where Kimi leads, where it trails, and the verdict
#
# Each comparison from the sections above, with Kimi's figure and the best rival's. *Current*
# comparisons describe Kimi today and decide the verdict; the others are history.

# %% slideshow={"slide_type": "subslide"}
display(narrative.verdict_table(an.verdict))

# %% slideshow={"slide_type": "subslide"}
_ = plotting.save(figures.verdict(an.verdict), NB, "verdict")

# %% slideshow={"slide_type": "subslide"}
display(Markdown(narrative.verdict_markdown(an)))

# %% slideshow={"slide_type": "skip"}
_ = kr.write_results(an)
