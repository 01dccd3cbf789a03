# %% [markdown] slideshow={"slide_type": "slide"}
# # The ad-spend bubble: what Kimi's paid traffic bought, what it kept, and what happened when spending stopped
#
# The articles argue that Kimi's growth was bought (AppGrowing's monthly ad-spend figures, a Bilibili campaign,
# "20天烧钱1个亿") and that users left once the money stopped. This notebook tests that story with the
# vocabulary of marketing-mix modelling: cost per acquisition (CPA), cost per *retained* user, daily burn,
# and an adstock-style stock of bought users that decays at a monthly churn rate.

# %% slideshow={"slide_type": "skip"}
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display
from matplotlib.patches import Patch

import kimi_research as kr
from kimi_research.analysis import adspend
from kimi_research.data.units import DAYS_PER_MONTH, format_en
from kimi_research.presentation import plotting

# %% slideshow={"slide_type": "skip"} tags=["parameters"]
cpa_yuan = 10.0  # advertising cost per acquired user, CNY, in [0.01, 1000] (article 004's investor: about 10元; article 000: 30元 on Bilibili; above a few thousand 元 the bought users are too few for the churn fit to give a half-life)
compute_cost_per_user_yuan = 2.5  # compute cost of serving a new user, CNY, in [0, 1000] (middle of article 004's all-in 12-13元 minus its 10元 CPA; the same ceiling as cpa_yuan)
retention_30d = 0.01  # share of new users active after 30 days, in (0, 1] (article 001's 'under 1%': industry hearsay; 0 would make the cost per retained user infinite)
daily_new_users = 200000  # new users a day in the burn arithmetic, 1 to 1亿 (article 004's hypothetical 20万 a day); with the all-in cost at most 100亿元 a day, the longest bar the burn chart can draw
spend_path = "articles"  # months without a spend figure: "articles", "lower_bounds", "interpolate" or "zero" (see adspend.SPEND_PATHS)
monthly_churn = "fit"  # monthly churn of bought users, 0 or in [1e-9, 0.999] (the range of the fit; a smaller churn has no computable half-life), or "fit" to fit it to QuestMobile's MAU
evidence = "articles"  # which evidence to use: "articles" (the five articles) or "all" (also the public-report supplement)

# %% slideshow={"slide_type": "skip"}
ds = kr.load()
P = kr.validate_parameters("02_ad_spend_bubble", globals(), ds)
rows = adspend.spend_rows(ds, "kimi")  # DataError if Kimi has no spend rows
targets = adspend.mau_targets(ds, "kimi", "questmobile")  # DataError if there is no MAU to fit to
lang = plotting.theme()

# %% slideshow={"slide_type": "skip"}
# --- the articles' figures, all from data/observations.csv -------------------------------------
obs = ds.observations
dated_months = rows[rows["metric"].eq("ad_spend") & rows["period_months"].eq(1)]
peak_row = dated_months.loc[dated_months["base_value"].idxmax()]
peak = float(peak_row["base_value"])
peak_month = pd.Period(peak_row["period_start"], freq="M")
burn30, burn31 = adspend.daily_burn_per_month(peak)
undated_peaks = rows[rows["metric"] == "ad_spend_peak_month"]
burn_article = obs.loc["o003_07"]  # '相当于每天烧掉700万'
twenty = rows[rows["duration_days"].notna()].iloc[0]  # '20天烧钱1个亿'
cpa_rows = ds.select("kimi", "cpa").sort_values("base_value")
all_in = ds.select("kimi", "cpa_all_in").iloc[0]
new_users_row = ds.select("kimi", "daily_new_users").iloc[0]
burn_hypo_article = obs.loc["o004_23"]  # '一天就得烧掉约250万元'
burn_hypo = (P.daily_new_users * all_in["base_value"], P.daily_new_users * all_in["base_value_high"])
all_in_param = P.cpa_yuan + P.compute_cost_per_user_yuan
burn_param = P.daily_new_users * all_in_param
BUDGET = 1e8  # one 亿元: the unit the articles count campaigns in
users_per_budget = {oid: adspend.users_per_budget(BUDGET, r["base_value"]) for oid, r in cpa_rows.iterrows()}
users_per_budget_param = adspend.users_per_budget(BUDGET, P.cpa_yuan)
retention_row = ds.select("industry", "retention_30d").iloc[0]
cost_retained = adspend.cost_per_retained_user(P.cpa_yuan, P.compute_cost_per_user_yuan, P.retention_30d)
share_row = ds.select("kimi", "ad_spend_share").iloc[0]
implied_cost = peak / share_row["base_value"]
implied_cost_low = undated_peaks["base_value"].min() / share_row["base_value"]

# --- the monthly spend path and users bought vs kept --------------------------------------------
kimi_users = ds.select("kimi", ["mau", "wau", "dau"])
end = max(pd.Period(kimi_users["period_end"].max(), freq="M"), max(m for ms in targets["months"] for m in ms))
spend = adspend.monthly_spend(ds, P.spend_path, end)
last_data = spend.attrs["last_data_month"]
window = adspend.peak_window(spend)
window_spend = float(spend.loc[window, "spend_yuan"].sum())
bought = window_spend / P.cpa_yuan
kept = bought * P.retention_30d
after = targets[targets["used"] & (targets["period_start"] > window[-1].to_timestamp(how="end"))].iloc[0]
mau_after = float(after["base_value"])
spend_to_last = float(spend.loc[:last_data, "spend_yuan"].sum())
bought_to_last = spend_to_last / P.cpa_yuan
floor = spend.attrs["floor"]

# %% slideshow={"slide_type": "skip"}
# --- the stock-flow model -----------------------------------------------------------------------
fit = adspend.fit_churn(spend["spend_yuan"], P.cpa_yuan, targets, P.monthly_churn)
churn = fit.churn
hl = adspend.half_life(churn)
ci = fit.ci_profile
hl_ci = tuple(sorted((adspend.half_life(ci[0]), adspend.half_life(ci[1])))) if ci else None
users = adspend.simulate(spend["spend_yuan"], P.cpa_yuan, churn)
cf = adspend.counterfactuals(spend, P.cpa_yuan, churn)
used = targets[targets["used"]]
first_t, last_t = used.iloc[0], used.iloc[-1]
months_between = (last_t["period_mid"] - first_t["period_mid"]).days / DAYS_PER_MONTH
observed_change = last_t["base_value"] / first_t["base_value"] - 1
observed_monthly = (1 + observed_change) ** (1 / months_between) - 1
last_months = list(last_t["months"])
cf_at_last = cf.loc[last_months].mean()
worst = fit.table["relative_error"].abs().idxmax()


cn, pct = adspend.cn, adspend.pct


def ci_text(lo_hi, fmt="{:.1%}"):
    if lo_hi is None:
        return "not estimated"
    lo, hi = min(lo_hi), max(lo_hi)
    return f"{fmt.format(lo)} to " + ("no upper limit" if np.isinf(hi) else fmt.format(hi))


burn_vs_article = ("rounded down" if burn_article["base_value"] < burn31 else
                   "inside that range" if burn_article["base_value"] <= burn30 else "rounded up")
churn_text = (f"fitted monthly churn **{churn:.1%}** ({fit.level:.0%} profile interval {ci_text(ci)}, from "
              f"{fit.n} MAU points)" if fit.fitted else f"monthly churn **{churn:.1%}** (set by the `monthly_churn` parameter)")

# %% slideshow={"slide_type": "slide"}
display(Markdown(f"""
## What this notebook finds

* **Peak burn.** AppGrowing's peak month, {peak_month.strftime('%B %Y')}, is **{cn(peak)}元**: {cn(burn31)}–{cn(burn30)}元
  a day in a 31- or 30-day month (the article's "{burn_article['value_text']} a day" is {burn_vs_article}). Article 004's
  hypothetical {cn(new_users_row['base_value'], 0)} new users a day at {all_in['value_text']} all-in is
  {cn(burn_hypo[0], 0)}–{cn(burn_hypo[1], 0)}元 a day; "{cn(twenty['base_value'])}元 in {int(twenty['duration_days'])} days" ({twenty['value_text']}) is {cn(twenty['base_value_per_day'], 0)}元 a day.
* **Cost per user.** {cn(BUDGET)}元 buys {cn(users_per_budget[cpa_rows.index[0]], 0)} users at {cpa_rows.iloc[0]['value_text']} but only
  {cn(users_per_budget[cpa_rows.index[-1]])} at {cpa_rows.iloc[-1]['value_text']}. With an all-in cost of {all_in_param:g}元 and
  a 30-day retention of {pct(P.retention_30d)} (an **unsourced industry rumour**), each *retained* user costs
  **{cost_retained:,.0f}元**.
* **Bought vs kept.** {window[0].strftime('%b')}–{window[-1].strftime('%b %Y')} spend of {cn(window_spend)}元 buys
  {cn(bought)} users at {P.cpa_yuan:g}元; QuestMobile measured **{cn(mau_after)}** MAU in {pd.Period(after['period_start'], freq='M').strftime('%B %Y')},
  {mau_after / bought:.0%} of that. At {pct(P.retention_30d)} retention only {cn(kept)} would remain: the rumoured retention
  is hard to square with the MAU QuestMobile measured.
* **Decay.** QuestMobile's MAU {'fell' if observed_change < 0 else 'rose'} {abs(observed_change):.0%} from {first_t['period']} to {last_t['period']}
  (about {pct(abs(observed_monthly))} a month). A stock-flow model of bought users (spend path "{P.spend_path}") gives a {churn_text}:
  a bought user's half-life is **{hl:.1f} months**. With {fit.n} points this illustrates the mechanism; it is not an
  estimate to trust to the decimal (the model misses {worst} by {fit.table.at[worst, 'relative_error']:+.0%}).
* **Bridge to notebook 03.** If the {cn(peak)}元 peak was {share_row['value_text']} of total cost (article 003), Kimi's
  total monthly cost was about **{cn(implied_cost, 2)}元**.
"""))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. What the articles report about Kimi's ad spend
#
# Every spend row, as written. Lower bounds (超, 上千万) are marked; the undated "peak month" figures of
# articles 003 and 004 disagree (conflict group `kimi_peak_ad_spend`), and the Bilibili figure is industry hearsay.

# %% slideshow={"slide_type": "subslide"}
table = rows.assign(
    source=rows["source_id"].map(lambda s: f"{s} {ds.sources.at[s, 'producer_en']}"),
    vendor=rows["vendor"].fillna("(none named)").map(lambda v: ds.name(v) if v != "(none named)" else v),
    per_month=rows["per_month"].map(lambda v: "" if pd.isna(v) else cn(v) + "元"),
    per_day=rows["base_value_per_day"].map(lambda v: "" if pd.isna(v) else cn(v) + "元"),
    flags=rows["flags"].fillna(""),
)
display(table[["metric", "period", "qualifier", "value_text", "per_month", "per_day", "vendor", "source", "flags"]]
        .sort_values("period").style.hide(axis="index"))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The spend timeline: data and assumptions
#
# One bar per month. Solid bars are single-month figures (AppGrowing); hatched bars with an arrow are lower
# bounds drawn at their bound (the real spend was higher); grey dotted bars are **assumptions** for months no
# article reports, chosen by the `spend_path` parameter. Everything after the last reported month is assumption.

# %% slideshow={"slide_type": "fragment"}
display(Markdown(f"**Spend path `{P.spend_path}`:** {adspend.SPEND_PATHS[P.spend_path]}. "
                 f"The pre-peak floor is {cn(floor)}元 a month (o001_12, a lower bound)."))

# %% slideshow={"slide_type": "subslide"}
STYLE = {
    "reported": dict(color=plotting.ENTITY_COLORS["kimi"], edgecolor=plotting.ENTITY_COLORS["kimi"]),
    "lower bound": dict(color="white", edgecolor=plotting.ENTITY_COLORS["kimi"], hatch="///"),
    "interpolated": dict(color="#cab2d6", edgecolor=plotting.ENTITY_COLORS["kimi"], hatch=".."),
    "assumption": dict(color="#eeeeee", edgecolor="#888888", hatch="..", linestyle="--"),
}
x = adspend.month_mid(spend.index)
fig, ax = plt.subplots(figsize=(11, 5.4))
for status, st in STYLE.items():
    m = (spend["status"] == status).to_numpy()
    if m.any():
        ax.bar(x[m], spend["spend_yuan"].to_numpy()[m] / 1e6, width=24, linewidth=1.2, label=status, **st)
lb = spend[spend["status"] == "lower bound"]
ax.scatter(adspend.month_mid(lb.index), lb["spend_yuan"] / 1e6, marker="^", s=70, color=plotting.ENTITY_COLORS["kimi"],
           zorder=5, label="at least this much")
for _, r in undated_peaks.iterrows():
    ax.axhline(r["base_value"] / 1e6, color="#b2182b", lw=1, ls="--")
    ax.annotate(f"'peak month' {plotting.value_label(r)} ({r['source_id']}, undated; conflict)",
                (x[-1] + pd.Timedelta(days=14), r["base_value"] / 1e6), xytext=(0, 3 if r["base_value"] == peak else -12),
                textcoords="offset points", fontsize=9, color="#b2182b", ha="right")
ax.axvspan(last_data.to_timestamp(how="end"), x[-1] + pd.Timedelta(days=16), color="#f4f4f4", zorder=0)
ax.set_xlim(x[0] - pd.Timedelta(days=20), x[-1] + pd.Timedelta(days=16))
ax.set_ylim(0, peak / 1e6 * 1.7)
ax.set_title(f"Kimi's monthly ad spend (spend path: {P.spend_path})")
ax.set_ylabel("ad spend (CNY million per month)")
ax.set_xlabel("month")
plotting.annotate_events(ax, adspend.key_events(ds, "kimi"), max_labels=8, fontsize=8.5)
h, _ = ax.get_legend_handles_labels()
ax.legend(handles=h + [Patch(facecolor="#f4f4f4", edgecolor="none", label="no spend reported: assumption")],
          loc="lower right", bbox_to_anchor=(1, 0.05), fontsize=9.5, title="month's figure", framealpha=0.95)
plotting.footnote(fig, plotting.source_text(ds, rows.loc[[i for ids in spend["obs_ids"] for i in ids.split(";") if i]
                                                        + list(undated_peaks.index)]),
                  caption="Figure 1. CNY 100 million = 1 yi. Lower bounds for one month: "
                          + "; ".join(f"{r['period']} ({r['scope']}, {', '.join(r['flag_list'])})"
                                      for _, r in rows[rows["lower_bound"] & rows["period_months"].eq(1)].iterrows())
                          + f". The figure for {int(twenty['duration_days'])} days ({twenty.name}) has no dates and is not placed.")
plotting.save(fig, "02_ad_spend_bubble", "spend_timeline")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Rivals' spend beside Kimi's
#
# Doubao's and Yuanbao's spend is quarterly (AppGrowing, article 002), drawn as a monthly average across each
# quarter; Kimi's single-month figures as bars. Article 003's monthly budget for Doubao is undated and conflicts
# with every AppGrowing quarter (dashed line); Yuanbao's last quarter is flagged as suspicious (red ring; the
# data note says why). The axis is logarithmic.

# %% slideshow={"slide_type": "subslide"}
rivals = ds.select(["doubao", "yuanbao"], ["ad_spend", "ad_spend_monthly"])
fig, ax = plt.subplots(figsize=(11, 5.4))
kd = spend[spend["data"]]
ax.bar(adspend.month_mid(kd.index), kd["spend_yuan"] / 1e6, width=24, color=plotting.ENTITY_COLORS["kimi"], alpha=0.85,
       label=f"{plotting.label(ds, 'kimi')} (month; hatched = lower bound)")
for patch, status in zip(ax.patches, kd["status"], strict=True):
    if status != "reported":
        patch.set(facecolor="white", hatch="///", edgecolor=plotting.ENTITY_COLORS["kimi"])
for ent in ["doubao", "yuanbao"]:
    col = plotting.ENTITY_COLORS[ent]
    q = rivals[(rivals["entity"] == ent) & rivals["period_start"].notna()]
    for i, (_, r) in enumerate(q.iterrows()):
        y = r["base_value_per_month"] / 1e6
        sus = "suspicious" in r["flag_list"]
        ax.hlines(y, r["period_start"], r["period_end"], color=col, lw=3.5, ls=":" if sus else "-",
                  label=f"{plotting.label(ds, ent)} (quarter, per month)" if i == 0 else None)
        ax.scatter(r["period_mid"], y, color=col, s=60 if not sus else 140, zorder=5,
                   edgecolor="#d62728" if sus else col, linewidth=2.5 if sus else 1)
        if sus:
            ax.annotate(f"{plotting.value_label(r)}: flagged suspicious\n({r['source_id']}; {r['note'].split(';')[0]})",
                        (r["period_mid"], y), xytext=(-430, 12), textcoords="offset points", fontsize=9,
                        color="#d62728", arrowprops=dict(arrowstyle="->", color="#d62728"))
    u = rivals[(rivals["entity"] == ent) & rivals["period_start"].isna()]
    for _, r in u.iterrows():
        ax.axhline(r["base_value"] / 1e6, color=col, lw=1.2, ls="--")
        ax.annotate(f"{plotting.label(ds, ent)} budget {plotting.value_label(r)} ({r['source_id']}, undated): "
                    "conflicts with AppGrowing", (kd.index[0].to_timestamp(), r["base_value"] / 1e6), xytext=(0, 4),
                    textcoords="offset points", fontsize=9, color=col)
ax.set_yscale("log")
ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 1 else f"{v:.1f}"))
ax.set_ylim(1, ax.get_ylim()[1] * 6)
ax.set_title("Ad spend per month: Kimi against Doubao and Yuanbao")
ax.set_ylabel("ad spend (CNY million per month, log scale)")
ax.set_xlabel("month")
ax.legend(loc="lower right", fontsize=9.5)
plotting.footnote(fig, plotting.source_text(ds, pd.concat([rows.loc[kd["obs_ids"].str.split(";").explode()], rivals])),
                  caption="Figure 2. Quarterly spend divided by the quarter's three months. Different apps are never joined "
                          "into one line.")
plotting.save(fig, "02_ad_spend_bubble", "rivals_spend")
plt.show()

# %% slideshow={"slide_type": "fragment"}
kimi_peak_pm = spend.loc[window, "spend_yuan"].min()
q4 = rivals[rivals["period_start"].eq(pd.Timestamp(window[0].to_timestamp())) & rivals["period_months"].eq(3)]
display(Markdown(
    f"In {window[0].strftime('%b')}–{window[-1].strftime('%b %Y')} Kimi spent at least {cn(kimi_peak_pm)}元 a month; in the same "
    "quarter " + " and ".join(f"{plotting.label(ds, r['entity'])} spent {cn(r['base_value_per_month'])}元 a month"
                              for _, r in q4.iterrows())
    + f": Kimi outspent them {kimi_peak_pm / q4['base_value_per_month'].max():.1f} times over (article 002: "
    "'the most among Chinese LLM apps')."))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. The articles' unit economics, reproduced
#
# Each figure the articles give is recomputed from the rows it rests on. A month has 30 or 31 days, so a
# monthly figure gives a daily range; article 004's all-in acquisition cost is itself a range.

# %% slideshow={"slide_type": "subslide"}
ue = pd.DataFrame([
    {"quantity": f"peak month {peak_row['value_text']} per day", "computed": f"{cn(burn31)}–{cn(burn30)}元",
     "article says": burn_article["value_text"], "rows": f"{peak_row.name}, {burn_article.name}"},
    {"quantity": f"{new_users_row['value_text']} new users a day × {all_in['value_text']}",
     "computed": f"{cn(burn_hypo[0], 0)}–{cn(burn_hypo[1], 0)}元 a day", "article says": burn_hypo_article["value_text"],
     "rows": f"{new_users_row.name}, {all_in.name}, {burn_hypo_article.name}"},
    {"quantity": f"same with the parameters ({P.daily_new_users:,} × {all_in_param:g}元)", "computed": f"{cn(burn_param)}元 a day",
     "article says": "", "rows": "parameters"},
    {"quantity": f"'{twenty['value_text']}' in {int(twenty['duration_days'])} days",
     "computed": f"{cn(twenty['base_value_per_day'], 0)}元 a day", "article says": "", "rows": twenty.name},
    *[{"quantity": f"users bought with {cn(BUDGET)}元 at {r['value_text']}", "computed": cn(users_per_budget[oid]),
       "article says": "", "rows": oid} for oid, r in cpa_rows.iterrows()],
])
display(ue.style.hide(axis="index"))

# %% slideshow={"slide_type": "subslide"}
fig, (a1, a2) = plt.subplots(1, 2, figsize=(11.5, 4.8), gridspec_kw={"width_ratios": [1.6, 1]})
nu = new_users_row["base_value"]
bars = [("peak month ÷ 31 days", burn31, burn_article), ("peak month ÷ 30 days", burn30, burn_article),
        (f"{format_en(P.daily_new_users, 'count')}/day × {all_in['base_value']:g} CNY", burn_hypo[0], burn_hypo_article),
        (f"{format_en(P.daily_new_users, 'count')}/day × {all_in['base_value_high']:g} CNY", burn_hypo[1], burn_hypo_article),
        (f"parameters: {format_en(P.daily_new_users, 'count')}/day × {all_in_param:g} CNY", burn_param, None),
        (f"{format_en(twenty['base_value'], 'CNY')} in {int(twenty['duration_days'])} days", twenty["base_value_per_day"], None)]
labels = [b[0] for b in bars]
a1.barh(labels, [b[1] / 1e6 for b in bars], color=["#6a3d9a"] * 2 + ["#9e9ac8"] * 3 + ["#bcbddc"])
for i, (_, v, art) in enumerate(bars):
    a1.text(max(v, art["base_value"] if art is not None else 0) / 1e6, i, f"  {v / 1e6:.2f}m", va="center", fontsize=9.5)
    if art is not None:
        a1.scatter(art["base_value"] / 1e6, i, marker="D", color="#d62728", zorder=5,
                   label="the article's figure" if i in (0,) else None)
a1.invert_yaxis()
a1.set_xlim(0, burn30 / 1e6 * 1.25)
a1.set_title("Daily burn")
a1.set_xlabel("CNY million per day")
a1.legend(loc="lower right", fontsize=9)
names = [f"CPA {r['base_value']:g} CNY\n({oid})" for oid, r in cpa_rows.iterrows()]
vals = [users_per_budget[oid] / 1e6 for oid in cpa_rows.index]
a2.bar(names, vals, color="#6a3d9a")
for i, v in enumerate(vals):
    a2.text(i, v, f"{v:.2f}m", ha="center", va="bottom", fontsize=10)
a2.set_title(f"Users bought with {format_en(BUDGET, 'CNY')}")
a2.set_ylabel("users (million)")
a2.set_ylim(0, max(vals) * 1.15)
plotting.footnote(fig, plotting.source_text(ds, obs.loc[[peak_row.name, burn_article.name, new_users_row.name, all_in.name,
                                                          burn_hypo_article.name, twenty.name, *cpa_rows.index]]),
                  caption="Figure 3. Bars: recomputed from the rows (the middle group uses the daily_new_users parameter); "
                          "red diamonds: what the article says.")
plotting.save(fig, "02_ad_spend_bubble", "unit_economics")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Cost per retained user
#
# What a user still active after a month costs: the all-in CPA divided by the 30-day retention. The default
# retention is article 001's "不到" (under) figure, a set of numbers "circulating in the industry" with no vendor,
# no date and no product named: **unsourced hearsay**, kept only because it is the articles' own figure.

# %% slideshow={"slide_type": "fragment"}
display(Markdown(
    f"With CPA {P.cpa_yuan:g}元 + compute {P.compute_cost_per_user_yuan:g}元 = **{all_in_param:g}元 all-in** and "
    f"retention {pct(P.retention_30d)} (row {retention_row.name}: '{retention_row['value_text']}', flags: "
    f"{retention_row['flags']}), a retained user costs **{cost_retained:,.0f}元**. The stock-flow model of section 7 keeps "
    f"{1 - churn:.0%} of bought users each month; at that retention a retained user would cost "
    f"{adspend.cost_per_retained_user(P.cpa_yuan, P.compute_cost_per_user_yuan, 1 - churn):,.1f}元."))

# %% slideshow={"slide_type": "subslide"}
ret = np.geomspace(0.005, 1, 200)
fig, ax = plt.subplots(figsize=(10, 5))
cpas = sorted({*cpa_rows["base_value"], P.cpa_yuan})
for c in cpas:
    src = ", ".join(cpa_rows.index[cpa_rows["base_value"] == c]) or "parameter"
    ax.plot(ret * 100, adspend.cost_per_retained_user(c, P.compute_cost_per_user_yuan, ret),
            lw=2.6 if c == P.cpa_yuan else 1.6, label=f"CPA {c:g} + compute {P.compute_cost_per_user_yuan:g} CNY ({src})")
ax.scatter([P.retention_30d * 100], [cost_retained], color="#d62728", zorder=5, s=60)
ax.annotate(f"retention {pct(P.retention_30d)} (hearsay): {cost_retained:,.0f} CNY", (P.retention_30d * 100, cost_retained),
            xytext=(10, 5), textcoords="offset points", fontsize=10, color="#d62728")
ax.axvline((1 - churn) * 100, color="#555555", ls="--", lw=1)
ax.text((1 - churn) * 100, cost_retained, f"model keeps {1 - churn:.0%}  \na month  ",
        fontsize=9.5, color="#555555", va="top", ha="right")
ax.set_xscale("log")
ax.set_yscale("log")
ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}%"))
ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
ax.set_title("Cost per retained user falls as retention rises")
ax.set_xlabel("30-day retention (% of new users still active, log scale)")
ax.set_ylabel("cost per retained user (CNY, log scale)")
ax.legend(loc="upper right", fontsize=9.5)
plotting.footnote(fig, plotting.source_text(ds, pd.concat([cpa_rows, obs.loc[[retention_row.name]]])),
                  caption="Figure 4. (CPA + compute cost) ÷ retention. The model's share kept per month is from the "
                          "stock-flow fit of section 7.")
plotting.save(fig, "02_ad_spend_bubble", "cost_per_retained_user")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Users bought vs users kept
#
# The spend of the peak months (the last run of AppGrowing's single-month figures), divided by the CPA, is the
# number of users it could have bought. The month after, QuestMobile counted Kimi's monthly active users: that is
# the most that was kept (it also includes users who came without ads).

# %% slideshow={"slide_type": "subslide"}
bv = [(f"bought at {r['base_value']:g} CNY ({oid})", window_spend / r["base_value"], "#9e9ac8") for oid, r in cpa_rows.iterrows()]
if P.cpa_yuan not in set(cpa_rows["base_value"]):
    bv.append((f"bought at {P.cpa_yuan:g} CNY (parameter)", bought, "#9e9ac8"))
bv += [(f"kept after 30 days at {pct(P.retention_30d)}\n(hearsay), CPA {P.cpa_yuan:g}", kept, "#d9d9d9"),
       (f"QuestMobile MAU {pd.Period(after['period_start'], freq='M').strftime('%b %Y')} ({after.name})", mau_after,
        plotting.VENDOR_COLORS["questmobile"])]
fig, ax = plt.subplots(figsize=(10, 4.8))
ax.barh([b[0] for b in bv], [b[1] / 1e6 for b in bv], color=[b[2] for b in bv])
for i, b in enumerate(bv):
    ax.text(b[1] / 1e6, i, f" {b[1] / 1e6:.1f}m", va="center", fontsize=10)
ax.invert_yaxis()
ax.set_xlim(0, max(b[1] for b in bv) / 1e6 * 1.18)
ax.set_title(f"{window[0].strftime('%b')}–{window[-1].strftime('%b %Y')} spend of CNY {window_spend / 1e6:,.0f}m: "
             "users bought vs users measured")
ax.set_xlabel("users (million)")
plotting.footnote(fig, plotting.source_text(ds, pd.concat([rows.loc[spend.loc[window, "obs_ids"].str.split(";").explode()],
                                                           cpa_rows, obs.loc[[after.name, retention_row.name]]])),
                  caption="Figure 5. Bought = spend ÷ CPA. The MAU is everyone active in the month, bought or not.")
plotting.save(fig, "02_ad_spend_bubble", "bought_vs_kept")
plt.show()

# %% slideshow={"slide_type": "fragment"}
hi_cpa, lo_cpa = cpa_rows.iloc[-1], cpa_rows.iloc[0]
display(Markdown(
    f"At {lo_cpa['value_text']} per user the peak spend bought {cn(window_spend / lo_cpa['base_value'])} users, "
    f"{window_spend / lo_cpa['base_value'] / mau_after:.1f} times the MAU measured a month later; at {hi_cpa['value_text']} "
    f"it bought {cn(window_spend / hi_cpa['base_value'])}, {window_spend / hi_cpa['base_value'] / mau_after:.0%} of it. "
    f"Either way, a 30-day retention of {pct(P.retention_30d)} would leave {cn(kept)}: "
    f"{kept / mau_after:.1%} of the measured MAU. Even all spend up to {last_data.strftime('%b %Y')} on this path "
    f"({cn(spend_to_last)}元, {cn(bought_to_last)} users at {P.cpa_yuan:g}元) would keep only "
    f"{cn(bought_to_last * P.retention_30d)}. Kimi kept far more than {pct(P.retention_30d)} of what it bought, or most of its users "
    "were not bought." if kept < mau_after else "were not bought, or the retention is not that low."))

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
tt = fit.table.assign(period=lambda d: d.apply(lambda r: targets.at[r.name, "months"][0].strftime("%Y-%m") if r["n_months"] == 1
                                               else f"{r['period_start']:%Y-%m} to {r['period_end']:%Y-%m} (mean)", axis=1),
                      observed=lambda d: d["base_value"].map(cn), model=lambda d: d["model"].map(cn),
                      error=lambda d: d["relative_error"].map("{:+.1%}".format))
display(tt[["period", "observed", "model", "error", "source_id"]])
notes = targets[~targets["used"]]
display(Markdown("Not counted twice: " + "; ".join(f"{i} ({r['reason']})" for i, r in notes.iterrows()) if len(notes) else ""))

# %% slideshow={"slide_type": "subslide"}
others = ds.select("kimi", "mau")
others = others[~others.index.isin(targets.index) & others["period_start"].notna()]
fig, ax = plt.subplots(figsize=(11, 5.4))
xm = adspend.month_mid(users.index)
ax.bar(xm, spend["spend_yuan"] / P.cpa_yuan / 1e6, width=24, color="#dadaeb", label=f"users bought that month (spend ÷ {P.cpa_yuan:g} CNY)")
if ci:
    lo_u = adspend.simulate(spend["spend_yuan"], P.cpa_yuan, ci[1])
    hi_u = adspend.simulate(spend["spend_yuan"], P.cpa_yuan, ci[0])
    ax.fill_between(xm, lo_u / 1e6, hi_u / 1e6, color=plotting.ENTITY_COLORS["kimi"], alpha=0.15,
                    label=f"churn {ci[0]:.0%}–{ci[1]:.0%} ({fit.level:.0%} interval)")
ax.plot(xm, users / 1e6, color=plotting.ENTITY_COLORS["kimi"], lw=2.4, label=f"model: bought users still active (churn {churn:.1%})")
qm = plotting.VENDOR_COLORS["questmobile"]
for i, (_, r) in enumerate(targets.iterrows()):
    y = r["base_value"] / 1e6
    style = dict(color=qm, s=70, zorder=6) if r["used"] else dict(facecolor="none", edgecolor=qm, s=70, zorder=6)
    if r["n_months"] > 1:
        ax.hlines(y, r["period_start"], r["period_end"], color=qm, lw=3)
    ax.scatter(r["period_mid"], y, label="QuestMobile MAU (fitted; quarters as bars)" if i == 0 else None, **style)
for oid, r in others.iterrows():
    ax.scatter(r["period_mid"], r["base_value"] / 1e6, marker="s", facecolor="none",
               edgecolor=plotting.VENDOR_COLORS.get(r["vendor"] if isinstance(r["vendor"], str) else "", "#555555"), s=70, zorder=6)
    who = ds.name(r["vendor"]) if isinstance(r["vendor"], str) else "no firm named"
    ax.annotate(f"{plotting.value_label(r)} ({who}, {oid}): not fitted", (r["period_mid"], r["base_value"] / 1e6),
                xytext=(8, -4), textcoords="offset points", fontsize=9, color="#555555",
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85), zorder=7)
ax.axvspan(last_data.to_timestamp(how="end"), xm[-1] + pd.Timedelta(days=16), color="#f4f4f4", zorder=0)
ax.set_xlim(xm[0] - pd.Timedelta(days=20), xm[-1] + pd.Timedelta(days=16))
ax.set_ylim(0, ax.get_ylim()[1] * 1.15)
ax.set_title(f"Bought users under the '{P.spend_path}' spend path vs measured MAU")
ax.set_ylabel("users (million)")
ax.set_xlabel("month")
plotting.annotate_events(ax, adspend.key_events(ds, "kimi"), max_labels=8, fontsize=8.5)
h, _ = ax.get_legend_handles_labels()
ax.legend(handles=h + [Patch(facecolor="#f4f4f4", edgecolor="none", label="no spend reported: assumption")],
          loc="upper center", bbox_to_anchor=(0.5, -0.17), ncol=3, fontsize=9)
plotting.footnote(fig, plotting.source_text(ds, pd.concat([targets, others, rows.loc[spend.loc[window, "obs_ids"].str.split(";").explode()]])),
                  caption="Figure 6. Hollow circle: a monthly figure counted once with its quarter; squares: other vendors "
                          "or no firm named, not fitted.")
plotting.save(fig, "02_ad_spend_bubble", "stock_flow_fit")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### How well is the churn pinned down?
#
# Left: the sum of squared log errors for every churn; the fitted value is its minimum, and the shaded band is the
# profile interval (churns whose fit is not significantly worse, with an F test on n − 1 degrees of freedom).
# Right: what the model gets wrong at each measured point.

# %% slideshow={"slide_type": "subslide"}
fig, (a1, a2) = plt.subplots(1, 2, figsize=(11.5, 4.6), gridspec_kw={"width_ratios": [1.3, 1]})
prof = fit.profile[fit.profile["churn"] <= min(0.9, max(0.6, churn * 2.5))]
a1.plot(prof["churn"] * 100, prof["sse"], color=plotting.ENTITY_COLORS["kimi"], lw=2)
if ci:
    a1.axvspan(ci[0] * 100, ci[1] * 100, color=plotting.ENTITY_COLORS["kimi"], alpha=0.12, label=f"{fit.level:.0%} profile interval")
a1.axvline(churn * 100, color="#333333", ls="--", lw=1, label=f"{'fitted' if fit.fitted else 'given'}: {churn:.1%}")
a1.set_title("Fit quality by churn")
a1.set_xlabel("monthly churn (%)")
a1.set_ylim(0, None)
a1.set_ylabel("sum of squared log errors")
a1.legend(fontsize=9.5)
lab = [f"{targets.at[oid, 'period']}\n({oid})" for oid in fit.table.index]
a2.bar(lab, fit.table["relative_error"] * 100, color=["#d62728" if v > 0 else "#1f77b4" for v in fit.table["relative_error"]])
for i, v in enumerate(fit.table["relative_error"]):
    a2.text(i, v * 100, f"{v:+.0%}", ha="center", va="bottom" if v > 0 else "top", fontsize=10)
a2.axhline(0, color="#333333", lw=1)
a2.set_title("Residuals: model vs QuestMobile")
a2.set_ylabel("model ÷ observed − 1 (%)")
a2.set_xlabel("MAU period")
lim = max(20, fit.table["relative_error"].abs().max() * 100 * 1.3)
a2.set_ylim(-lim, lim)
plotting.footnote(fig, plotting.source_text(ds, targets[targets["used"]]),
                  caption=f"Figure 7. {fit.n} points, one parameter: {fit.dof} degrees of freedom. Spend path '{P.spend_path}', "
                          f"CPA {P.cpa_yuan:g} CNY.")
plotting.save(fig, "02_ad_spend_bubble", "fit_diagnostics")
plt.show()

# %% slideshow={"slide_type": "fragment"}
if fit.fitted:
    jk = fit.jackknife
    jk_text = ("; leaving one point out gives " + ", ".join(f"{r['churn']:.1%} without {r['left_out']}" for _, r in jk.iterrows())
               if len(jk) else "")
    display(Markdown(
        f"Fitted churn **{churn:.1%}** a month (standard error {fit.se:.1%}; curvature interval {ci_text(fit.ci_curvature)}; "
        f"profile interval {ci_text(ci)}){jk_text}. The **half-life of a bought user** is ln 0.5 ÷ ln(1 − churn) = "
        f"**{hl:.1f} months** (interval {ci_text(hl_ci, '{:.1f}')} months). The largest miss is {worst} "
        f"({fit.table.at[worst, 'relative_error']:+.0%}, {targets.at[worst, 'period']}): one churn rate and one CPA cannot "
        "match every point. Take the mechanism, not the decimals."))
else:
    display(Markdown(f"Churn set to **{churn:.1%}** by the parameter (not fitted); half-life **{hl:.1f} months**. "
                     f"Sum of squared log errors at this churn: {fit.sse:.3f} (the fitted minimum is "
                     f"{fit.profile['sse'].min():.3f} at {fit.profile.loc[fit.profile['sse'].idxmin(), 'churn']:.1%})."))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. What if spending had continued, or stopped?
#
# The same model, the same churn, three spend paths after the last reported month: the chosen assumption, spend
# continued at that month's level, and spend stopped. Bought users are a leaky bucket: when the inflow stops the stock
# halves every half-life.

# %% slideshow={"slide_type": "subslide"}
fig, ax = plt.subplots(figsize=(11, 5.4))
colors = {"chosen spend path": plotting.ENTITY_COLORS["kimi"], "spend continued": "#2ca02c", "spend stopped": "#d62728"}
for k, s in cf.items():
    ax.plot(adspend.month_mid(s.index), s / 1e6, lw=2.4 if k != "chosen spend path" else 2.8, color=colors[k],
            ls="-" if k != "chosen spend path" else "--",
            label=f"{k}: {format_en(s.iloc[-1], 'count')} in {s.index[-1].strftime('%b %Y')}")
for i, (_, r) in enumerate(targets[targets["used"]].iterrows()):
    if r["n_months"] > 1:
        ax.hlines(r["base_value"] / 1e6, r["period_start"], r["period_end"], color=qm, lw=3)
    ax.scatter(r["period_mid"], r["base_value"] / 1e6, color=qm, s=70, zorder=6, label="QuestMobile MAU" if i == 0 else None)
ax.axvspan(last_data.to_timestamp(how="end"), cf.index[-1].to_timestamp(how="end"), color="#f4f4f4", zorder=0)
ax.set_ylim(0, cf.max().max() / 1e6 * 1.3)
ax.set_title(f"Counterfactual: bought users with spend continued vs stopped (churn {pct(churn)})")
ax.set_ylabel("users (million)")
ax.set_xlabel("month")
plotting.annotate_events(ax, adspend.key_events(ds, "kimi"), max_labels=8, fontsize=8.5)
h, _ = ax.get_legend_handles_labels()
ax.legend(handles=h + [Patch(facecolor="#f4f4f4", edgecolor="none", label="after the last reported spend: scenarios")],
          loc="center left", fontsize=9.5, framealpha=0.95)
plotting.footnote(fig, plotting.source_text(ds, pd.concat([rows.loc[spend.loc[window, "obs_ids"].str.split(";").explode()],
                                                           targets[targets["used"]]])),
                  caption=f"Figure 8. 'Continued' = {format_en(spend.loc[last_data, 'spend_yuan'], 'CNY')} a month ({last_data.strftime('%b %Y')}'s level) "
                          f"every month; 'stopped' = zero. CPA {P.cpa_yuan:g} CNY.")
plotting.save(fig, "02_ad_spend_bubble", "counterfactual")
plt.show()

# %% slideshow={"slide_type": "fragment"}
n_after = int((spend.index > last_data).sum())
display(Markdown(
    f"Over {last_t['period']} (QuestMobile: {cn(last_t['base_value'])}) the model gives {cn(cf_at_last['spend stopped'])} "
    f"with spend stopped and {cn(cf_at_last['spend continued'])} with spend continued at "
    f"{cn(spend.loc[last_data, 'spend_yuan'])}元 a month, which would have cost "
    f"{cn(spend.loc[last_data, 'spend_yuan'] * n_after)}元 over the {n_after} months to {spend.index[-1].strftime('%b %Y')} "
    f"(the '{P.spend_path}' path assumes {cn(spend['spend_yuan'].iloc[-n_after:].sum())}元)."))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 9. Bridge to notebook 03: the implied total cost
#
# Article 003 gives the share of Kimi's spending that once went to traffic (its formula's ad-spend share). If the
# peak month's ad bill was that share, the whole monthly cost base follows.

# %% slideshow={"slide_type": "fragment"}
low_peak = undated_peaks.loc[undated_peaks["base_value"].idxmin()]
display(Markdown(
    f"Peak ad spend {cn(peak)}元 ({peak_row.name}) ÷ ad-spend share {share_row['value_text']} ({share_row.name}) = "
    f"**{cn(implied_cost, 2)}元 a month** in total; with article 004's '{low_peak['value_text']}' ({low_peak.name}) "
    f"peak it is {cn(implied_cost_low, 2)}元. Notebook 03 asks what revenue that cost base would need. The share's base is "
    f"not defined by the article ('{share_row['note']}')."))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 10. Verdict

# %% slideshow={"slide_type": "slide"}
dau = ds.select("kimi", "dau").sort_values("period_start")
dau_growth = dau["base_value"].iloc[-1] / dau["base_value"].iloc[0] if len(dau) > 1 else float("nan")
span = spend.index[spend["obs_ids"].isin(rows.index[rows["metric"] == "ad_spend_monthly"])]
first_spend = rows.loc[spend["obs_ids"].iloc[0].split(";")[0]]
span_text = f"{span[0].strftime('%b %Y')} to {span[-1].strftime('%b %Y')}" if len(span) else "no span"
display(Markdown(f"""
* **Spend.** From a floor of {cn(floor)}元 a month ({span_text}, a lower
  bound) to {cn(peak)}元 in {peak_month.strftime('%B %Y')}: up to {peak / floor:.0f} times. Kimi's DAU (no firm named, article 003)
  grew {dau_growth:.1f} times from {dau['period_start'].iloc[0]:%b %Y} to {dau['period_start'].iloc[-1]:%b %Y}; the spend
  recorded in that window starts with {first_spend['scope']} ({cn(first_spend['base_value'])}元 or more, {', '.join(first_spend['flag_list'])}).
* **{'The peak bought more users than stayed' if bought > mau_after else 'At this CPA the peak bought fewer users than were active'}.**
  {window[0].strftime('%b')}–{window[-1].strftime('%b %Y')} spend of {cn(window_spend)}元 buys {cn(bought)} users at
  {P.cpa_yuan:g}元 (between {cn(window_spend / hi_cpa['base_value'])} and {cn(window_spend / lo_cpa['base_value'])} at the articles'
  {hi_cpa['value_text']} and {lo_cpa['value_text']}); QuestMobile counted {cn(mau_after)} active users the next month.
* **Users kept leaving.** QuestMobile's MAU {'fell' if observed_change < 0 else 'rose'} {abs(observed_change):.0%} from {first_t['period']} to {last_t['period']}, about
  {pct(abs(observed_monthly))} a month. The stock-flow model needs a churn of {churn:.1%} a month (half-life {hl:.1f} months)
  {'(fitted)' if fit.fitted else '(given)'}; with spend stopped after {last_data.strftime('%b %Y')} it ends at
  {cn(cf['spend stopped'].iloc[-1])} bought users in {cf.index[-1].strftime('%b %Y')}.
* **Unit economics.** Each retained user costs {cost_retained:,.0f}元 at the rumoured {pct(P.retention_30d)} retention, but
  the measured MAU shows Kimi kept far more than that rumour allows. The peak burn was {cn(burn31)}–{cn(burn30)}元 a day,
  and the cost base it implies is about {cn(implied_cost, 2)}元 a month.
* **Caveats.** The CPA ({lo_cpa['value_text']} vs {hi_cpa['value_text']}) and the retention are hearsay; spend after {last_data.strftime('%B %Y')} is not reported; the
  model has one parameter and {fit.n} points and ignores organic users. The story "bought growth, leaky bucket"
  fits the numbers qualitatively; the exact churn does not deserve trust.
"""))

# %% slideshow={"slide_type": "skip"}
results = {
    "spend_path": P.spend_path,
    "peak_month": str(peak_month),
    "peak_monthly_spend_yuan": peak,
    "peak_daily_burn_yuan": [burn30, burn31],
    "article_daily_burn_yuan": float(burn_article["base_value"]),
    "hypothetical_daily_burn_yuan": list(burn_hypo),
    "parameter_daily_burn_yuan": burn_param,
    "burn_20_days_per_day_yuan": float(twenty["base_value_per_day"]),
    "users_per_100m_yuan": users_per_budget_param,
    "users_per_100m_yuan_by_cpa_row": users_per_budget,
    "all_in_cpa_yuan": all_in_param,
    "cost_per_retained_user_yuan": cost_retained,
    "peak_window": [str(m) for m in window],
    "peak_window_spend_yuan": window_spend,
    "users_bought_peak_window": bought,
    "users_kept_30d_peak_window": kept,
    "mau_after_peak": mau_after,
    "mau_after_peak_obs": after.name,
    "mau_to_bought_ratio": mau_after / bought,
    "spend_to_last_report_yuan": spend_to_last,
    "spend_floor_yuan_per_month": floor,
    "spend_by_month_yuan": {str(m): v for m, v in spend["spend_yuan"].items()},
    "spend_status_by_month": {str(m): v for m, v in spend["status"].items()},
    "fitted_monthly_churn": churn,
    "churn_fitted": fit.fitted,
    "churn_se": fit.se,
    "churn_ci_profile": list(ci) if ci else None,
    "churn_ci_curvature": list(fit.ci_curvature) if fit.ci_curvature else None,
    "churn_jackknife": dict(zip(fit.jackknife["left_out"], fit.jackknife["churn"], strict=True)) if len(fit.jackknife) else {},
    "bought_user_half_life_months": hl,
    "half_life_ci_months": list(hl_ci) if hl_ci else None,
    "fit_points": fit.n,
    "fit_relative_errors": fit.table["relative_error"].to_dict(),
    "observed_mau_change": observed_change,
    "observed_mau_monthly_change": observed_monthly,
    "counterfactual_end_month": str(cf.index[-1]),
    "counterfactual_users_end": cf.iloc[-1].to_dict(),
    "ad_spend_share": float(share_row["base_value"]),
    "implied_total_monthly_cost_yuan": implied_cost,
    "implied_total_monthly_cost_range_yuan": [implied_cost_low, implied_cost],
}
results["headline"] = adspend.headline(ds, results, P)
print(kr.write_results("02_ad_spend_bubble", results, P))
