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
import matplotlib.pyplot as plt
import pandas as pd
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
ds = ds.with_evidence(P.evidence)  # the articles, or every source
an = decline.analyse(ds, P)  # fails here, naming start/end or vendor, when the selection is empty
plotting.theme()
NB = "01_user_decline"
NAME, M = plotting.label(ds, an.entity), decline.METRIC_SHORT[an.metric]
M_LONG = ds.metrics.at[an.metric, "name"].lower()
COLORS = {k: plotting.VENDOR_COLORS.get("" if k == decline.NO_VENDOR else k, "#555555") for k in an.rows["series"].unique()}
events_drawn = set()

# %% slideshow={"slide_type": "slide"}
display(Markdown("## What this notebook finds\n\n" + narrative.summary_markdown(ds, an, P.forecast_months)))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The trajectory: every figure, one series per measurement firm
#
# Each colour is one firm; a line joins only the figures of that firm. A caret (▲ with an arrow)
# is a **lower bound** ("at least ..."), drawn at the bound and pointing up, never part of a
# line. Figures for a quarter are drawn at mid-quarter with a pale bar over the quarter they
# cover. Dotted vertical lines mark launches and other events. Look for how far the firms'
# figures disagree at similar dates: that gap is why they are kept apart.

# %% slideshow={"slide_type": "subslide"} tags=["hide-input"]
fig, ax = plt.subplots(figsize=(10, 5.2))
figures.draw_rows(ax, ds, an.rows, COLORS)
lo, hi = figures.time_range(pd.concat([an.rows["period_start"], an.rows["period_end"]]))
ax.set_xlim(lo, hi)
plotting.millions_axis(ax)
tops = list(an.rows["base_value"] * 1.25) + list(an.rows["base_value_high"])
plotting.headroom(ax, tops)
plotting.time_axis(ax)
ax.set_title(f"{NAME}: {M_LONG}, every figure quoted, one series per firm")
ax.set_xlabel("period (each figure at the midpoint of its period)")
ax.set_ylabel(f"{M} (millions of users)")
ax.legend(title="measurement firm", loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9.5)
plotting.footnote(
    fig,
    plotting.source_text(ds, an.rows),
    caption=f"Figure 1. {NAME} {M}, {len(an.rows)} figures. Firms' panels differ: compare within a colour.",
)
ids, levels = figures.draw_events(ax, ds, lo, hi, P.annotate_events)
plotting.headroom(ax, tops, room=plotting.label_room(levels))
events_drawn |= set(ids)
plotting.save(fig, NB, "trajectory")

# %% slideshow={"slide_type": "subslide"}
h = an.headline
display(
    Markdown(
        f"**Peak, latest and change, per firm.** The fit below uses **{an.vendor_label}**"
        + (
            " (all firms pooled: their panels differ, so the pooled line mixes definitions)"
            if an.vendor == decline.POOLED
            else f" (parameter `vendor = {P.vendor!r}`"
            + (": the firm with the most exact figures)" if P.vendor == "auto" else ")")
        )
        + ". Bounds are listed, never used as a peak or latest value. Months are counted between period midpoints."
    )
)
display(narrative.display_series_table(an.series))

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
fit = an.fit
used = fit.used.assign(
    value=fit.used["base_value"].map(narrative.fmt_users),
    firm=fit.used["series"].map(lambda k: decline.vendor_label(ds, k)),
    months_since_peak=fit.used["t"].round(2),
    dated=fit.used["period_mid"].dt.date,
)
display(
    Markdown(
        (
            f"**Rows in the fit ({fit.n}):**"
            if fit.slope is not None
            else f"**Exact figures at or after the peak ({fit.n}), too few for a fit:**"
        )
        + ("" if fit.n else " none.")
    )
)
if fit.n:
    display(used[["period", "dated", "months_since_peak", "value", "firm", "source_id"]])

# %% slideshow={"slide_type": "-"}
left = {k: v for k, v in {**an.left_out, **fit.excluded}.items() if not v.startswith("repeats ")}
lines = ["**Rows left out:** " + ("none." if not left else "; ".join(f"`{k}` {v}" for k, v in left.items()) + ".")]
lines.append(narrative.describe_fit(fit, an.metric))
if len(an.loo):
    lines.append(
        "**Leave one out** (monthly change without each point; the peak anchors the fit): "
        + "; ".join(
            f"without {fit.used.at[k, 'period']} ({narrative.fmt_users(fit.used.at[k, 'base_value'])}): {narrative.fmt_pct(v)}"
            for k, v in an.loo.items()
        )
        + "."
    )
alt = decline.dating_sensitivity(an.chosen, an.vendor_label)
if alt is not None and fit.monthly_change is not None and (an.chosen["period_months"] > 1.5).any():
    lines.append(
        f"**Dating sensitivity:** dating each quarter at the middle of its last month instead of mid-quarter "
        f"gives {narrative.fmt_pct(alt)} a month (against {narrative.fmt_pct(fit.monthly_change)})."
    )
for oid, why in fit.excluded.items():
    if why.startswith("repeats "):
        lines.append(f"**Counted once:** `{oid}` {why}.")
display(Markdown("\n\n".join(lines)))

# %% [markdown] slideshow={"slide_type": "subslide"}
# On the next chart the y axis is **logarithmic**, so a constant monthly rate is a straight line.
# Filled points are in the fit; a ring marks a figure left out of it (dated before the peak, or a month
# repeating its own quarter's figure: then the ring sits around the quarter's filled point, which is in the fit). The grey band is the
# 95% confidence interval of the fitted line; the red dashed segment is the **extrapolation**
# with its 95% prediction interval (where a new figure would fall if the rate held).

# %% slideshow={"slide_type": "subslide"} tags=["hide-input"]
fig, ids = figures.decay_fit(ds, an, P, COLORS)
events_drawn |= set(ids)
plotting.save(fig, NB, "decay_fit")

# %% slideshow={"slide_type": "subslide"}
if len(an.forecast):
    fc = pd.DataFrame(
        {
            "month": an.forecast["date"].dt.strftime("%Y-%m"),
            "months after the last figure": an.forecast["months_ahead"],
            f"{M} (fitted rate continued)": an.forecast["value"].map(narrative.fmt_est),
            "95% prediction interval": [
                ("–" if pd.isna(a) else f"{narrative.fmt_est(a)} – {narrative.fmt_est(b)}")
                for a, b in zip(an.forecast["low"], an.forecast["high"], strict=True)
            ],
            "below the weekly-user floor": an.forecast["below_wau_floor"].map({True: "yes", False: "no"}),
        }
    )
    display(
        Markdown(
            f"**Extrapolation, not a forecast of record.** The table continues the fitted rate of "
            f"{narrative.fmt_pct(fit.monthly_change)} a month for {P.forecast_months} months after the last "
            f"figure ({fit.used['period'].iloc[-1]}). It assumes nothing changes: no launch, no campaign. The "
            f"interval covers the fit's uncertainty and the scatter of single figures, not a change of regime."
        )
    )
    display(fc.set_index("month"))
    display(Markdown(narrative.floor_note(an)))
else:
    display(
        Markdown(
            "**No extrapolation:** "
            + ("`forecast_months` is 0." if P.forecast_months == 0 else "there is no fitted rate to continue.")
        )
    )

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Is the monthly rate constant?
#
# The fit assumes one constant monthly rate. Between each pair of consecutive dates of the fit, the rate
# that joins them is computed directly: equal rates support the assumption, rates that grow more negative mean
# an accelerating fall, which one fitted rate averages away.

# %% slideshow={"slide_type": "fragment"}
if len(an.segments):
    display(
        an.segments.assign(
            months=an.segments["months"].round(2), monthly_change=an.segments["monthly_change"].map(narrative.fmt_pct)
        )[["from_period", "to_period", "months", "monthly_change", "from_obs", "to_obs"]]
    )
display(Markdown(narrative.constant_rate_note(an) or "Fewer than three dates in the fit: no segment rates to compare."))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Before the fall: the growth phase
#
# A decline is measured against a rise. This section looks at every user series of the entity
# (any metric, one firm at a time) for a rise from its first exact figure to a later maximum,
# and reports the multiple and the compound monthly growth rate, `multiple^(1/months) − 1`.

# %% slideshow={"slide_type": "subslide"} tags=["hide-input"]
display(Markdown(narrative.growth_note(ds, an)))
if len(an.growth):
    fig, ids = figures.growth_phase(ds, an, P, COLORS)
    events_drawn |= set(ids)
    plotting.save(fig, NB, "growth_phase")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. The rank trajectory
#
# Ranks come from different lists (MAU, WAU or downloads; QuestMobile or AI Product Ranking;
# domestic or global), so each point is labelled with its list and only points of the same list
# are joined. Rank 1 is at the top. "top 3" (▲) means third or better; "outside the top 20" (▼)
# means worse than twentieth.

# %% slideshow={"slide_type": "subslide"} tags=["hide-input"]
ranks = an.ranks
if len(ranks):
    fig, ax = plt.subplots(figsize=(10, 5.2))
    figures.draw_ranks(ax, ranks)
    lo, hi = figures.time_range(ranks["period_mid"])
    ax.set_xlim(lo, hi)
    ax.set_ylim(figures.rank_bottom(ranks["value"].max(), 0.3), 0.3)
    plotting.time_axis(ax)
    ax.set_title(f"{NAME}: position in the rankings the articles quote (1 = top)")
    ax.set_xlabel("period (each figure at the midpoint of its period)")
    ax.set_ylabel("rank (lower is better)")
    ax.legend(title="list (metric, firm, scope)", loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9)
    plotting.footnote(
        fig, plotting.source_text(ds, ranks), caption="Figure 4. Lists differ in metric, firm and scope: compare within a colour."
    )
    ids, levels = figures.draw_events(ax, ds, lo, hi, P.annotate_events, top=False)
    ax.set_ylim(figures.rank_bottom(ranks["value"].max(), plotting.label_room(levels)), 0.3)
    events_drawn |= set(ids)
    plotting.save(fig, NB, "ranks")
else:
    display(Markdown(f"**No rank data** for {NAME} in this window."))

# %% slideshow={"slide_type": "subslide"}
if len(ranks):
    display(
        ranks.assign(firm=ranks["vendor"].map(lambda v: decline.vendor_label(ds, decline.vendor_key(v))))[
            ["period", "metric", "firm", "scope", "rank", "source_id"]
        ]
    )

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Articles only, and with the public-report supplement
#
# The supplement adds monthly panels (QuestMobile, AI Product Ranking) and repeats of the articles' figures.
# The same fit on each firm's series, with `evidence = "articles"` and `evidence = "all"`, both computed here. A
# figure quoted by several sources is one measurement: it never adds a point to a fit.

# %% slideshow={"slide_type": "subslide"}
display(narrative.evidence_comparison(P))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Rivals: which series can be fitted at all
#
# The same analysis runs for any app with user data. For most rivals the articles give one or
# two snapshots: enough for a level, not for a rate. The table says, per app and metric, how many
# exact figures exist and whether a decay fit (with or without a confidence interval) is possible.

# %% slideshow={"slide_type": "subslide"}
display(narrative.coverage(ds))

# %% slideshow={"slide_type": "skip"}
results = decline.results(ds, an, P, sorted(events_drawn))
results["headline"] = narrative.headline(ds, results, P)
print(kr.write_results("01_user_decline", results, P))
