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
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

import kimi_research as kr
from kimi_research.analysis import decline
from kimi_research.presentation import plotting

# %% slideshow={"slide_type": "skip"} tags=["parameters"]
entity = "kimi"  # app to study: an id or a name (English or Chinese, any case) from data/entities.csv with data for the metric (e.g. "DeepSeek" or "kimi智能助手")
metric = "mau"  # user metric: "mau", "dau" or "wau"
vendor = "auto"  # series to fit: "auto" (firm with most points), a measurement firm by id or name (e.g. "QuestMobile"), "none" (no firm named) or "all" (pooled)
start = ""  # keep figures whose period midpoint is on or after this ISO date, e.g. "2024-06-01" ("" for no limit)
end = ""  # keep figures whose period midpoint is on or before this ISO date ("" for no limit)
forecast_months = 6  # months to extrapolate the fitted decay after the last figure, 0 to 36 (0: no forecast)
annotate_events = True  # mark launches and other dated events on the time charts
evidence = "articles"  # which evidence to use: "articles" (the five articles) or "all" (also the public-report supplement)

# %% slideshow={"slide_type": "skip"}
ds = kr.load()
P = kr.validate_parameters("01_user_decline", globals(), ds)
an = decline.analyse(ds, P)  # fails here, naming start/end or vendor, when the selection is empty
plotting.theme()
NB = "01_user_decline"
NAME, M = plotting.label(ds, an.entity), decline.METRIC_SHORT[an.metric]
M_LONG = ds.metrics.at[an.metric, "name"].lower()
COLORS = {k: plotting.VENDOR_COLORS.get("" if k == decline.NO_VENDOR else k, "#555555") for k in an.rows["series"].unique()}
events_drawn = set()

# %% slideshow={"slide_type": "slide"}
display(Markdown("## What this notebook finds\n\n" + decline.summary_markdown(ds, an, P.forecast_months)))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The trajectory: every figure, one series per measurement firm
#
# Each colour is one firm; a line joins only the figures of that firm. A caret (▲ with an arrow)
# is a **lower bound** ("at least ..."), drawn at the bound and pointing up, never part of a
# line. Figures for a quarter are drawn at mid-quarter with a pale bar over the quarter they
# cover. Dotted vertical lines mark launches and other events. Look for how far the firms'
# figures disagree at similar dates: that gap is why they are kept apart.

# %% slideshow={"slide_type": "subslide"}
fig, ax = plt.subplots(figsize=(10, 5.2))
decline.draw_rows(ax, ds, an.rows, COLORS)
lo, hi = decline.time_range(pd.concat([an.rows["period_start"], an.rows["period_end"]]))
ax.set_xlim(lo, hi)
plotting.millions_axis(ax)
tops = list(an.rows["base_value"] * 1.25) + list(an.rows["base_value_high"])
plotting.headroom(ax, tops)
plotting.time_axis(ax)
ax.set_title(f"{NAME}: {M_LONG}, every figure quoted, one series per firm")
ax.set_xlabel("period (each figure at the midpoint of its period)")
ax.set_ylabel(f"{M} (millions of users)")
ax.legend(title="measurement firm", loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9.5)
plotting.footnote(fig, plotting.source_text(ds, an.rows),
                  caption=f"Figure 1. {NAME} {M}, {len(an.rows)} figures. Firms' panels differ: compare within a colour.")
ids, levels = decline.draw_events(ax, ds, lo, hi, P.annotate_events)
plotting.headroom(ax, tops, room=plotting.label_room(levels))
events_drawn |= set(ids)
plotting.save(fig, NB, "trajectory")
plt.show()

# %% slideshow={"slide_type": "subslide"}
h = an.headline
display(Markdown(
    f"**Peak, latest and change, per firm.** The fit below uses **{an.vendor_label}**"
    + (" (all firms pooled: their panels differ, so the pooled line mixes definitions)" if an.vendor == decline.POOLED
       else f" (parameter `vendor = {P.vendor!r}`" + (": the firm with the most exact figures)" if P.vendor == "auto" else ")"))
    + ". Bounds are listed, never used as a peak or latest value. Months are counted between period midpoints."))
display(decline.display_series_table(an.series))

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
used = fit.used.assign(value=fit.used["base_value"].map(decline.fmt_users), firm=fit.used["series"].map(
    lambda k: decline.vendor_label(ds, k)), months_since_peak=fit.used["t"].round(2), dated=fit.used["period_mid"].dt.date)
display(Markdown((f"**Rows in the fit ({fit.n}):**" if fit.slope is not None else
                  f"**Exact figures at or after the peak ({fit.n}), too few for a fit:**") + ("" if fit.n else " none.")))
if fit.n:
    display(used[["period", "dated", "months_since_peak", "value", "firm", "source_id"]])
lines = ["**Rows left out:** " + ("none." if not fit.excluded else
             "; ".join(f"`{k}` {v}" for k, v in fit.excluded.items()) + ".")]
lines.append(decline.describe_fit(fit, an.metric))
if len(an.loo):
    lines.append("**Leave one out** (monthly change without each point; the peak anchors the fit): "
                 + "; ".join(f"without {fit.used.at[k, 'period']} ({decline.fmt_users(fit.used.at[k, 'base_value'])}): "
                             f"{decline.fmt_pct(v)}" for k, v in an.loo.items()) + ".")
alt = decline.dating_sensitivity(an.chosen, an.vendor_label)
if alt is not None and fit.monthly_change is not None and (an.chosen["period_months"] > 1.5).any():
    lines.append(f"**Dating sensitivity:** dating each quarter at the middle of its last month instead of mid-quarter "
                 f"gives {decline.fmt_pct(alt)} a month (against {decline.fmt_pct(fit.monthly_change)}).")
for oid, why in fit.excluded.items():
    if why.startswith("repeats "):
        lines.append(f"**Counted once:** `{oid}` {why}.")
display(Markdown("\n\n".join(lines)))

# %% [markdown] slideshow={"slide_type": "subslide"}
# On the next chart the y axis is **logarithmic**, so a constant monthly rate is a straight line.
# Filled points are in the fit, hollow ones are not (dated before the peak). The grey band is the
# 95% confidence interval of the fitted line; the red dashed segment is the **extrapolation**
# with its 95% prediction interval (where a new figure would fall if the rate held).

# %% slideshow={"slide_type": "subslide"}
fig, ax = plt.subplots(figsize=(10, 5.2))
hollow = set(an.chosen.index[an.chosen["kind"] == "point"]) - set(fit.used.index)
decline.draw_rows(ax, ds, an.chosen, COLORS, join=False, hollow=hollow)
values = list(an.chosen["base_value"])
x_end = None
if fit.slope is not None:
    t = np.linspace(0, fit.used["t"].max(), 80)
    line = fit.predict(t)
    ax.plot(fit.date_of(t), line["value"], color="black", lw=2.2,
            label=f"fit: {decline.fmt_pct(fit.monthly_change)} a month (n = {fit.n})")
    if fit.status == "fit":
        ax.fill_between(fit.date_of(t), line["low"], line["high"], color="black", alpha=0.12,
                        label="95% CI of the fitted line")
    if len(an.forecast):
        f = pd.concat([fit.predict([fit.used["t"].max()], "prediction"), an.forecast[["t", "value", "low", "high"]]])
        ax.plot(fit.date_of(f["t"]), f["value"], "--", color="#d62728", lw=2,
                label=f"extrapolation, {P.forecast_months} months (not data)")
        if f["low"].notna().all():
            ax.fill_between(fit.date_of(f["t"]), f["low"], f["high"], color="#d62728", alpha=0.12,
                            label="95% prediction interval")
        values += list(f["low"]) + list(f["high"])
        x_end = an.forecast["date"].max()
else:
    ax.text(0.5, 0.45, "no fit: " + ("no exact figure" if fit.n == 0 else "fewer than two figures after the peak"),
            transform=ax.transAxes, ha="center", fontsize=13, color="#b22222")
lo, hi = decline.time_range(pd.concat([an.chosen["period_start"], an.chosen["period_end"]]), x_end)
ax.set_xlim(lo, hi)
plotting.millions_axis(ax, log=True)
values += list(an.chosen["base_value"] * 1.25)
plotting.headroom(ax, values, log=True)
plotting.time_axis(ax)
ax.set_title(f"{NAME} {M} after the peak: log-linear fit on {an.vendor_label}")
ax.set_xlabel("period (each figure at the midpoint of its period)")
ax.set_ylabel(f"{M} (millions of users, log scale)")
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9.5)
plotting.footnote(fig, plotting.source_text(ds, an.chosen),
                  caption=f"Figure 2. OLS of log({M}) on months since the peak; quarters dated at mid-quarter. "
                          "The dashed segment is an extrapolation, not a measurement.")
ids, levels = decline.draw_events(ax, ds, lo, hi, P.annotate_events)
plotting.headroom(ax, values, log=True, room=plotting.label_room(levels))
events_drawn |= set(ids)
plotting.save(fig, NB, "decay_fit")
plt.show()

# %% slideshow={"slide_type": "subslide"}
if len(an.forecast):
    fc = pd.DataFrame({
        "month": an.forecast["date"].dt.strftime("%Y-%m"), "months after the last figure": an.forecast["months_ahead"],
        f"{M} (fitted rate continued)": an.forecast["value"].map(decline.fmt_est),
        "95% prediction interval": [("–" if pd.isna(a) else f"{decline.fmt_est(a)} – {decline.fmt_est(b)}")
                                     for a, b in zip(an.forecast["low"], an.forecast["high"], strict=True)]})
    display(Markdown(f"**Extrapolation, not a forecast of record.** The table continues the fitted rate of "
                     f"{decline.fmt_pct(fit.monthly_change)} a month for {P.forecast_months} months after the last "
                     f"figure ({fit.used['period'].iloc[-1]}). It assumes nothing changes: no launch, no campaign. The "
                     f"interval covers the fit's uncertainty and the scatter of single figures, not a change of regime."))
    display(fc.set_index("month"))
else:
    display(Markdown("**No extrapolation:** " + ("`forecast_months` is 0." if P.forecast_months == 0 else
                     "there is no fitted rate to continue.")))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Before the fall: the growth phase
#
# A decline is measured against a rise. This section looks at every user series of the entity
# (any metric, one firm at a time) for a rise from its first exact figure to a later maximum,
# and reports the multiple and the compound monthly growth rate, `multiple^(1/months) − 1`.

# %% slideshow={"slide_type": "subslide"}
if len(an.growth):
    g = an.growth.iloc[0]
    grows = decline.select(ds, an.entity, g["metric"])
    grows = grows[grows["series"] == g["series"]]
    display(Markdown(
        f"{NAME}'s {decline.METRIC_SHORT[g['metric']]} ({g['vendor']}) went from **{decline.fmt_users(g['start_value'])}** "
        f"({g['start_period']}) to **{decline.fmt_users(g['end_value'])}** ({g['end_period']}): **×{g['multiple']:.1f}** in "
        f"{g['months']:.1f} months, **{decline.fmt_pct(g['monthly_growth'])} a month** compounded. The dashed line is "
        f"that constant rate, drawn between the two figures (not data in between)."))
    fig, ax = plt.subplots(figsize=(10, 5.2))
    decline.draw_rows(ax, ds, grows, COLORS, join=False)
    t = np.linspace(0, g["months"], 60)
    t0 = ds.observations.at[g["start_obs"], "period_mid"]
    ax.plot(t0 + pd.to_timedelta(t * decline.DAYS_PER_MONTH, unit="D"), g["start_value"] * (1 + g["monthly_growth"]) ** t,
            "--", color="#6a3d9a", lw=2,
            label=f"×{g['multiple']:.1f} in {g['months']:.1f} months = {decline.fmt_pct(g['monthly_growth'])} a month")
    lo, hi = decline.time_range(pd.concat([grows["period_start"], grows["period_end"]]))
    ax.set_xlim(lo, hi)
    plotting.millions_axis(ax, log=True)
    plotting.headroom(ax, list(grows["base_value"]), log=True)
    plotting.time_axis(ax)
    ax.set_title(f"{NAME} before the fall: {decline.METRIC_SHORT[g['metric']]} growth, {g['vendor']}")
    ax.set_xlabel("period (each figure at the midpoint of its period)")
    ax.set_ylabel(f"{decline.METRIC_SHORT[g['metric']]} (millions of users, log scale)")
    ax.legend(loc="lower right")
    plotting.footnote(fig, plotting.source_text(ds, grows),
                      caption="Figure 3. Two figures and the constant monthly rate that joins them.")
    ids, levels = decline.draw_events(ax, ds, lo, hi, P.annotate_events)
    plotting.headroom(ax, list(grows["base_value"]), log=True, room=plotting.label_room(levels))
    events_drawn |= set(ids)
    plotting.save(fig, NB, "growth_phase")
    plt.show()
else:
    display(Markdown(f"**No growth phase can be measured for {NAME}:** no user series has two exact figures from one "
                     f"source rising to a later maximum."))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. The rank trajectory
#
# Ranks come from different lists (MAU, WAU or downloads; QuestMobile or AI Product Ranking;
# domestic or global), so each point is labelled with its list and only points of the same list
# are joined. Rank 1 is at the top. "top 3" (▲) means third or better; "outside the top 20" (▼)
# means worse than twentieth.

# %% slideshow={"slide_type": "subslide"}
ranks = an.ranks
if len(ranks):
    fig, ax = plt.subplots(figsize=(10, 5.2))
    decline.draw_ranks(ax, ranks)
    lo, hi = decline.time_range(ranks["period_mid"])
    ax.set_xlim(lo, hi)
    ax.set_ylim(decline.rank_bottom(ranks["value"].max(), 0.3), 0.3)
    plotting.time_axis(ax)
    ax.set_title(f"{NAME}: position in the rankings the articles quote (1 = top)")
    ax.set_xlabel("period (each figure at the midpoint of its period)")
    ax.set_ylabel("rank (lower is better)")
    ax.legend(title="list (metric, firm, scope)", loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9)
    plotting.footnote(fig, plotting.source_text(ds, ranks),
                      caption="Figure 4. Lists differ in metric, firm and scope: compare within a colour.")
    ids, levels = decline.draw_events(ax, ds, lo, hi, P.annotate_events, top=False)
    ax.set_ylim(decline.rank_bottom(ranks["value"].max(), plotting.label_room(levels)), 0.3)
    events_drawn |= set(ids)
    plotting.save(fig, NB, "ranks")
    plt.show()
else:
    display(Markdown(f"**No rank data** for {NAME} in this window."))

# %% slideshow={"slide_type": "subslide"}
if len(ranks):
    display(ranks.assign(firm=ranks["vendor"].map(lambda v: decline.vendor_label(ds, decline.vendor_key(v))))
            [["period", "metric", "firm", "scope", "rank", "source_id"]])

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Rivals: which series can be fitted at all
#
# The same analysis runs for any app with user data. For most rivals the articles give one or
# two snapshots: enough for a level, not for a rate. The table says, per app and metric, how many
# exact figures exist and whether a decay fit (with or without a confidence interval) is possible.

# %% slideshow={"slide_type": "subslide"}
display(decline.coverage(ds))

# %% slideshow={"slide_type": "skip"}
results = decline.results(ds, an, P, sorted(events_drawn))
results["headline"] = decline.headline(ds, results, P)
print(kr.write_results("01_user_decline", results, P))
