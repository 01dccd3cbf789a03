# %% [markdown] slideshow={"slide_type": "slide"}
# # Article 003's "sustainable growth" rule, put to Kimi's numbers
#
# Article 003 offers a rule of thumb for AI start-ups: growth is sustainable in proportion to how
# much of its cost a company covers with paid revenue, discounted by how much of its cost goes to
# buying traffic. This notebook implements the rule exactly, places Kimi on it, works out what
# the rule would have demanded of Kimi (revenue, paying users, cash), and tests how much the
# verdict depends on the many numbers nobody published.

# %% slideshow={"slide_type": "skip"}
import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

import kimi_research as kr
from kimi_research.analysis import sustainability as su
from kimi_research.presentation import plotting

# %% slideshow={"slide_type": "skip"} tags=["parameters"]
paid_revenue_monthly_yuan = 1e7  # ILLUSTRATIVE: the articles give no revenue; 1000万元 a month, an order-of-magnitude guess (CNY, in [0, 1e12]; far larger amounts overflow the Monte Carlo)
total_cost_monthly_yuan = "implied"  # CNY a month in (0, 1e12], or implied: Kimi's peak monthly ad spend (from data) divided by ad_share; every runway (investment / monthly burn) must end before 2262, the end of pandas' calendar
ad_share = 0.7  # ad-spend share of total cost in (0, 1) (the implied cost base divides by the share, the frontier by 1 - share); article 003's figure for Kimi (o003_14)
alarm_threshold = 0.3  # share above which article 003 says to worry, in [0, 1) (o003_15)
price_per_paying_user_yuan = 49.0  # ASSUMPTION (no price in the articles): a typical entry-level monthly subscription, CNY, at least 0.01 (a fen)
target_rate = "threshold_firm"  # Monte Carlo target rate (a number > 0), or threshold_firm: a break-even firm at the alarm line
revenue_spread_factor = 3.0  # Monte Carlo: 90% of revenue draws lie within this factor of the assumed revenue, in (1, 100]
usd_cny = 7.2  # ASSUMPTION: CNY per USD (about the 2024 average) to convert the USD investments, in [1, 20]
mc_samples = 20000  # Monte Carlo draws, 100 to 5,000,000
seed = 0  # seed of the Monte Carlo's random generator (same seed, same results), in [0, 2**32 - 1]
evidence = "articles"  # which evidence to use: "articles" (the five articles) or "all" (also the public-report supplement)

# %% slideshow={"slide_type": "skip"}
ds = kr.load()
P = kr.validate_parameters("03_sustainability_formula", globals(), ds)
facts = su.kimi_facts(ds)
plotting.theme()

# %% slideshow={"slide_type": "skip"}
# --- the model: every number below is computed from data/ and the parameters ----------------
peak, peak_low = facts.peak_ad_spend, facts.peak_ad_spend_low
implied_cost = su.implied_total_cost(peak.value, P.ad_share) if P.ad_share > 0 else math.nan
implied_non_ad = su.implied_non_ad_cost(peak.value, P.ad_share) if P.ad_share > 0 else math.nan
implied_cost_low = su.implied_total_cost(peak_low.value, P.ad_share) if P.ad_share > 0 else math.nan
implied_non_ad_low = su.implied_non_ad_cost(peak_low.value, P.ad_share) if P.ad_share > 0 else math.nan
cost_is_implied = P.total_cost_monthly_yuan == "implied"
total_cost = implied_cost if cost_is_implied else P.total_cost_monthly_yuan
non_ad_cost = total_cost * (1 - P.ad_share)
revenue_cost = P.paid_revenue_monthly_yuan / total_cost
rate = su.sustainable_growth_rate(P.paid_revenue_monthly_yuan, total_cost, P.ad_share)
ratio = su.ratio_to_threshold_firm(P.ad_share, P.alarm_threshold)
threshold_firm_rate = su.sustainable_growth_rate(P.paid_revenue_monthly_yuan, total_cost, P.alarm_threshold)
factor_kimi, factor_alarm = su.frontier_factor(P.ad_share), su.frontier_factor(P.alarm_threshold)
train_lo, train_hi = facts.training_cost.value, facts.training_cost.high
consistency_key, consistency_text = su.compare_to_range(implied_non_ad, train_lo, train_hi)
consistency_key_low, consistency_text_low = su.compare_to_range(implied_non_ad_low, train_lo, train_hi)
users_needed = math.ceil(su.paying_users_needed(total_cost, P.price_per_paying_user_yuan))
users_needed_non_ad = (math.ceil(su.paying_users_needed(non_ad_cost, P.price_per_paying_user_yuan))
                       if non_ad_cost > 0 else 0)
users_share = users_needed / facts.mau.value
users_at_assumed_revenue = P.paid_revenue_monthly_yuan / P.price_per_paying_user_yuan
target = su.resolve_target(P.target_rate, P.alarm_threshold)
revenue_for_target = su.required_revenue_cost_ratio(target, P.ad_share) * total_cost
article_share, article_alarm = facts.ad_share.value, facts.alarm_threshold.value
share_note = ("article 003's figure" if math.isclose(P.ad_share, article_share)
              else f"set by parameter; article 003 says {article_share:.0%}")
alarm_note = ("article 003's line" if math.isclose(P.alarm_threshold, article_alarm)
              else f"set by parameter; article 003 says {article_alarm:.0%}")

# Monte Carlo
spec = su.MCSpec(paid_revenue=P.paid_revenue_monthly_yuan, ad_share=P.ad_share,
                 revenue_spread_factor=P.revenue_spread_factor, ad_spend_low=peak_low.value,
                 ad_spend_high=peak.value, total_cost=None if cost_is_implied else P.total_cost_monthly_yuan)
sim = su.monte_carlo(spec, P.mc_samples, P.seed)
mc = su.mc_summary(sim, target)
base_inputs = {"paid_revenue": P.paid_revenue_monthly_yuan, "ad_share": P.ad_share}
base_inputs.update({"ad_spend": peak.value} if cost_is_implied else {"total_cost": total_cost})
torn = su.tornado(sim, base_inputs)

# runway
funding_cny = {oid: f.value * P.usd_cny for oid, f in facts.investments.items()}
funding_label = {oid: f"{ds.observations.at[oid, 'value_text']} ({oid}, {ds.observations.at[oid, 'source_id']})"
                 for oid in funding_cny}
burns = {
    "total_cost": total_cost,
    "total_cost_less_revenue": total_cost - P.paid_revenue_monthly_yuan,
    "non_ad_cost": non_ad_cost,
    "training_cost_high": train_hi,
    "training_cost_low": train_lo,
}
burn_label = {
    "total_cost": "total cost (peak)",
    "total_cost_less_revenue": "total cost less assumed revenue",
    "non_ad_cost": "non-advertising cost (ads stopped)",
    "training_cost_high": f"training only, upper reading ({facts.training_cost.obs_id})",
    "training_cost_low": f"training only, lower reading ({facts.training_cost.obs_id})",
}
funding_en = {oid: f"{su.funding_label_en(ds.observations.loc[oid])} ({oid})" for oid in funding_cny}
runway = su.runway_table(funding_cny, burns)
first, last = list(funding_cny)  # the smaller and the larger investment figure
cash_out = runway.map(lambda m: su.cash_out_date(facts.investment_date, m))
latest_source = ds.sources["date_published"].map(lambda d: pd.Timestamp(d)).idxmax()
last_article = pd.Timestamp(ds.sources.at[latest_source, "date_published"])

# %% slideshow={"slide_type": "slide"}
display(Markdown(f"""
## What this notebook finds

* **The rule**: sustainable growth rate = (paid revenue ÷ total cost) × (1 − ad-spend share). At any
  given revenue/cost, a firm spending **{P.ad_share:.0%}** of its cost on traffic ({share_note}) keeps
  **{ratio:.1%}** of the growth of a firm at the **{P.alarm_threshold:.0%}** alarm line ({alarm_note}).
* **The frontier**: to reach a target rate *s* it needs revenue/cost of **{factor_kimi:.2f} s**, against
  **{factor_alarm:.2f} s** at the alarm line.
* **Kimi's implied cost base**: a peak month of {su.yi(peak.value)} of ads ({peak.obs_id}) at a {P.ad_share:.0%}
  share means **{su.yi(implied_cost)} a month** in total, **{su.yi(implied_non_ad)}** of it not advertising.
  Article 002's monthly training cost of "several 千万" ({su.wan(train_lo)}–{su.wan(train_hi)}元, {facts.training_cost.obs_id}) is
  {consistency_text}; with the lower reading of the peak ({su.yi(peak_low.value)}, {peak_low.obs_id}) the
  non-advertising part is {su.yi(implied_non_ad_low)}, {consistency_text_low}.
* **Revenue needed**: covering {su.yi(total_cost)} a month at {P.price_per_paying_user_yuan:g}元 a month takes
  **{su.wan(users_needed)} paying users**, **{users_share:.1%}** of Kimi's {su.wan(facts.mau.value)} MAU
  ({facts.mau.obs_id}, QuestMobile).
* **Kimi's rate**, with an *illustrative* revenue of {su.cny(P.paid_revenue_monthly_yuan)} a month: **{rate:.4f}**
  (revenue/cost {revenue_cost:.3f}). In {P.mc_samples:,} Monte Carlo draws the rate exceeds the target
  {target:.2f} with probability **{mc['p_rate_above_target']:.1%}**; its 95th percentile is {mc['rate_p95']:.4f}.
  The input that moves it most is **{torn.index[0]}**.
* **Runway**: {funding_label[first].split(' (')[0]} ≈ {su.yi(funding_cny[first], 1)} lasts
  **{runway.at['total_cost', first]:.1f} months** at the implied total cost, {funding_label[last].split(' (')[0]}
  **{runway.at['total_cost', last]:.1f} months**; no new funding came after {facts.last_funding:%B %Y}.
* **Caveat**: the rule is the author's heuristic, not the textbook sustainable growth rate; its share has
  no stated base and the rate no time unit. Read as a share of *revenue*, the same {P.ad_share:.0%} tells a
  different story (section 8).
"""))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The rule, as article 003 writes it
#
# > 可持续增长率 = （付费收入 ÷ 总成本）×（1 - 投流费用占比）
#
# *Sustainable growth rate = (paid revenue ÷ total cost) × (1 − share of spending on traffic).* The rule
# is implemented once, in `kimi_research.analysis.sustainability.sustainable_growth_rate`, and used everywhere below.

# %% slideshow={"slide_type": "fragment"}
o = ds.observations
display(Markdown(f"""
The article goes on: "{o.at[facts.alarm_threshold.obs_id, 'quote']}" (*when the share passes
{article_alarm:.0%}, one should worry*) and "{o.at[facts.ad_share.obs_id, 'quote']}" (*Kimi's once
reached {article_share:.0%}*): rows {facts.alarm_threshold.obs_id} and {facts.ad_share.obs_id},
{ds.source_label([o.at[facts.ad_share.obs_id, 'source_id']])}.
"""))

# %% slideshow={"slide_type": "subslide"}
cmp = pd.DataFrame({
    "ad-spend share": [P.ad_share, P.alarm_threshold],
    "rate at revenue = cost": [su.sustainable_growth_rate(1, 1, P.ad_share), su.sustainable_growth_rate(1, 1, P.alarm_threshold)],
    "rate at Kimi's revenue/cost": [rate, threshold_firm_rate],
}, index=["Kimi", "firm at the alarm line"])
display(cmp.style.format({"ad-spend share": "{:.0%}", "rate at revenue = cost": "{:.3f}",
                          "rate at Kimi's revenue/cost": "{:.4f}"}))
display(Markdown(f"Whatever the revenue and cost, the two rates differ by the factor (1 − {P.ad_share:.2f}) ÷ "
                 f"(1 − {P.alarm_threshold:.2f}) = **{ratio:.3f}**: Kimi keeps {ratio:.1%} of the threshold "
                 f"firm's growth. The shares come from {facts.ad_share.obs_id} and {facts.alarm_threshold.obs_id} "
                 f"({ds.source_label(['s003'])})."))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The whole rule on one map
#
# The rate rises along the revenue/cost axis and falls towards zero as the ad share approaches 100%.
# Each contour line is a *frontier*: the combinations that give the same rate. Look where Kimi sits
# against the dashed alarm line, and how far to the left the assumed revenue puts it.

# %% slideshow={"slide_type": "subslide"}
x = np.linspace(0, 2, 201)
y = np.linspace(0, 1, 101)
X, Y = np.meshgrid(x, y)
Z = su.sustainable_growth_rate(X, 1.0, Y)  # revenue/cost = X (cost 1), share = Y
fig, ax = plt.subplots(figsize=(10, 5.4))
mesh = ax.pcolormesh(X, Y * 100, Z, cmap="viridis", shading="auto", vmin=0, vmax=2)
cs = ax.contour(X, Y * 100, Z, levels=[0.1, 0.25, 0.5, 0.75, 1.0, 1.5], colors="white", linewidths=1)
ax.clabel(cs, fmt="rate %.2f", fontsize=9)
ax.axhline(P.alarm_threshold * 100, color="#d62728", ls="--", lw=1.8, label=f"alarm line ({P.alarm_threshold:.0%})")
kx = min(revenue_cost, 2.0)
ax.scatter([kx], [P.ad_share * 100], s=140, color="#e377c2", edgecolor="black", zorder=5,
           label=f"Kimi: share {P.ad_share:.0%}, revenue/cost {revenue_cost:.3f} (assumed revenue)")
ax.scatter([1.0], [P.alarm_threshold * 100], s=110, marker="D", color="white", edgecolor="black", zorder=5,
           label=f"break-even firm at the alarm line (rate {target if P.target_rate == 'threshold_firm' else su.sustainable_growth_rate(1, 1, P.alarm_threshold):.2f})")
ax.annotate("Kimi", (kx, P.ad_share * 100), xytext=(12, 8), textcoords="offset points", color="white",
            fontsize=12, fontweight="bold")
ax.set_xlim(0, 2)
ax.set_ylim(0, 100)
ax.set_title("Sustainable growth rate = (paid revenue ÷ total cost) × (1 − ad share)")
ax.set_xlabel("paid revenue ÷ total cost (ratio; 1 = revenue covers cost)")
ax.set_ylabel("ad-spend share of total cost (%)")
fig.colorbar(mesh, ax=ax, label="sustainable growth rate (no time unit)")
ax.legend(loc="upper right", fontsize=9, framealpha=0.9)
plotting.footnote(fig, f"Source: rule, alarm line and Kimi's share from {ds.source_label(['s003'])}; Kimi's revenue/cost "
                  f"uses an illustrative revenue of {su.en_money(P.paid_revenue_monthly_yuan)} a month (no revenue figure in the articles)",
                  caption="Figure 1. White lines join points of equal rate (frontiers).")
plotting.save(fig, "03_sustainability_formula", "heatmap")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. The frontier: how much revenue a target rate needs
#
# Solving the rule for revenue/cost gives *revenue/cost = s ÷ (1 − share)* for a target rate *s*. The
# chart shows that requirement against the ad share; it explodes as the share approaches 100%. Compare
# the markers at the alarm line and at Kimi's share with the flat line of Kimi's (assumed) revenue/cost.

# %% slideshow={"slide_type": "subslide"}
shares = np.linspace(0, 0.95, 200)
targets = sorted({0.1, 0.5, round(target, 4)})
fig, ax = plt.subplots(figsize=(10, 5.2))
for s in targets:
    ax.plot(shares * 100, su.required_revenue_cost_ratio(s, shares), lw=2,
            label=f"target rate {s:g}" + (" (Monte Carlo target)" if math.isclose(s, target) else ""))
for sh, name in [(P.alarm_threshold, "alarm line"), (P.ad_share, "Kimi")]:
    need = su.required_revenue_cost_ratio(target, sh)
    ax.scatter([sh * 100], [need], s=70, color="black", zorder=5)
    ax.annotate(f"{name}: {su.frontier_factor(sh):.2f} × {target:.2f} = {need:.2f}", (sh * 100, need),
                xytext=(-10, 12), textcoords="offset points", fontsize=10, ha="right")
if revenue_cost > 0:
    ax.axhline(revenue_cost, color="#e377c2", ls="--", lw=1.5, label=f"Kimi's assumed revenue/cost ({revenue_cost:.3f})")
ax.axvline(P.alarm_threshold * 100, color="#d62728", ls=":", lw=1)
ax.set_yscale("log")
ax.set_title("Revenue/cost needed for a target rate: target ÷ (1 − ad share)")
ax.set_xlabel("ad-spend share of total cost (%)")
ax.set_ylabel("paid revenue ÷ total cost needed (ratio, log scale)")
ax.legend(loc="upper left", fontsize=9.5)
plotting.footnote(fig, f"Source: rule from {ds.source_label(['s003'])}; revenue/cost uses the illustrative revenue assumption",
                  caption="Figure 2. Per unit of target rate Kimi needs "
                          f"{factor_kimi:.2f} against {factor_alarm:.2f} at the alarm line.")
plotting.save(fig, "03_sustainability_formula", "frontier")
plt.show()

# %% slideshow={"slide_type": "subslide"}
display(Markdown(f"""
Per unit of target rate, Kimi at {P.ad_share:.0%} needs revenue/cost of **{factor_kimi:.2f}**; a firm at the
{P.alarm_threshold:.0%} line needs **{factor_alarm:.2f}**, i.e. Kimi needs {factor_kimi / factor_alarm:.2f} times as much
paid revenue per yuan of cost for the same rate. To reach the target {target:.2f} at its implied cost base Kimi
would need {su.cny(revenue_for_target)} of paid revenue a month, {revenue_for_target / P.paid_revenue_monthly_yuan if P.paid_revenue_monthly_yuan else float('inf'):.0f} times the assumed revenue.
"""))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Kimi's implied cost base
#
# If advertising was a known share of total cost, the peak month's ad spend fixes the total:
# *total cost = ad spend ÷ share*. The articles give the peak month twice, with different values;
# both are used. Compare the non-advertising part with article 002's monthly training cost, which the
# article gives only as "several 千万" (read as a range).

# %% slideshow={"slide_type": "subslide"}
rows = ds.observations.loc[[peak.obs_id, peak_low.obs_id, facts.training_cost.obs_id]]
readings = [(peak, implied_non_ad), (peak_low, implied_non_ad_low)]
fig, ax = plt.subplots(figsize=(11, 5.2))
ylab = []
for i, (f, n) in enumerate(readings):  # rows 0-1: total = ad + non-ad
    vendor = ds.vendor_label([ds.observations.at[f.obs_id, "vendor"]])
    ylab.append(f"total, from peak {su.en_money(f.value)}\n({f.obs_id}, {vendor})")
    ax.barh(i, f.value, color="#2ca02c", label="advertising (the peak month)" if i == 0 else None)
    ax.barh(i, n, left=f.value, color="#9467bd", label=f"not advertising (implied at a {P.ad_share:.0%} share)" if i == 0 else None)
    ax.text(f.value + n, i, f"  {su.en_money(f.value + n)}", va="center", fontsize=10)
for j, (f, n) in enumerate(readings):  # rows 2-3: the non-ad part alone, from zero
    ylab.append(f"non-advertising part\n(peak {su.en_money(f.value)})")
    ax.barh(2 + j, n, color="#9467bd")
    ax.text(n, 2 + j, f"  {su.en_money(n)}", va="center", fontsize=10)
ylab.append(f"training cost\n({facts.training_cost.obs_id}, {ds.observations.at[facts.training_cost.obs_id, 'source_id']})")
ax.barh(4, train_hi - train_lo, left=train_lo, color="#bbbbbb", hatch="//", edgecolor="#555555",
        label="training cost, 'several tens of millions' read as a range")
ax.text(train_hi, 4, f"  {su.en_money(train_lo)} to {su.en_money(train_hi)}", va="center", fontsize=10)
ax.axvline(train_hi, color="#555555", ls=":", lw=1.2)
su.fmt_millions(ax, "x")
ax.set_yticks(range(5), ylab, fontsize=10)
ax.set_xlim(0, max(f.value + n for f, n in readings) * 1.3)
ax.invert_yaxis()
ax.set_title("Monthly cost implied by the peak ad spend, against the training cost")
ax.set_xlabel("CNY per month (millions)")
ax.legend(loc="lower right", fontsize=9.5)
plotting.footnote(fig, plotting.source_text(ds, rows) + f"; share {P.ad_share:.0%} ({share_note})",
                  caption="Figure 3. Non-advertising cost = total − ad spend = ad spend × (1 − share) ÷ share.")
plotting.save(fig, "03_sustainability_formula", "cost_base")
plt.show()

# %% slideshow={"slide_type": "subslide"}
train_share_lo, train_share_hi = train_lo / implied_non_ad, train_hi / implied_non_ad
share_limit = su.max_share_for_cost(peak.value, train_hi)
if train_share_hi > 1:
    fit = (f"At the upper reading, training alone would cost more than the whole non-advertising budget, so the figures "
           f"agree only for the lower part of 'several 千万' or an ad share of at most {share_limit:.1%} in the peak month "
           f"(a lower share implies a larger total cost).")
elif train_share_hi > 0.8:
    fit = (f"The orders of magnitude agree, but at the upper reading training would take {train_share_hi:.0%} of it, "
           f"leaving little for inference and staff: the figures sit comfortably together only for the lower part of "
           f"'several 千万' or a peak-month ad share clearly below {share_limit:.1%} (at that share the non-advertising "
           f"part would just equal the upper reading).")
else:
    fit = (f"Training fits inside it with {1 - train_share_hi:.0%}–{1 - train_share_lo:.0%} left for inference, staff and "
           f"everything else: consistent, though the rule then implies a large cost the articles do not account for.")
display(Markdown(f"""
**Are they consistent?** The non-advertising cost implied by the {su.yi(peak.value)} peak is **{su.yi(implied_non_ad)}**
a month, against "several 千万" = {su.wan(train_lo)}–{su.wan(train_hi)}元 ({su.yi(train_lo)}–{su.yi(train_hi)},
{facts.training_cost.obs_id}): {consistency_text}. With the {su.yi(peak_low.value)} reading ({peak_low.obs_id}) it is
{su.yi(implied_non_ad_low)}, {consistency_text_low}. But training is only *part* of the non-advertising cost (inference
compute, salaries and offices are in it too), so the real question is whether training fits *inside* it: it would take
{train_share_lo:.0%} to {train_share_hi:.0%} of it. {fit}
"""))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. What revenue that cost base needs
#
# How many paying users at a monthly price would make paid revenue equal to the cost (revenue/cost = 1)?
# The price is an assumption (no article gives one). The curve shows the answer for any price; the
# lower curve is the same for the non-advertising cost alone, i.e. if all advertising stopped.

# %% slideshow={"slide_type": "subslide"}
prices = np.linspace(5, 200, 300)
fig, ax = plt.subplots(figsize=(10, 5))
ax.plot(prices, total_cost / prices, lw=2.2, color="#6a3d9a", label=f"to cover the total cost ({su.en_money(total_cost)} a month)")
if non_ad_cost > 0:
    ax.plot(prices, non_ad_cost / prices, lw=2, ls="--", color="#9467bd",
            label=f"to cover the non-advertising cost only ({su.en_money(non_ad_cost)})")
ax.axhline(facts.mau.value, color="#1f77b4", lw=1.5, label=f"Kimi's MAU {su.en_count(facts.mau.value)} ({facts.mau.obs_id}, QuestMobile)")
ax.scatter([P.price_per_paying_user_yuan], [users_needed], s=80, color="black", zorder=5)
ax.annotate(f"{su.en_count(users_needed)} payers at CNY {P.price_per_paying_user_yuan:g} = {users_share:.1%} of MAU",
            (P.price_per_paying_user_yuan, users_needed), xytext=(15, 15), textcoords="offset points", fontsize=10.5)
ax.set_ylim(0, max(facts.mau.value * 1.15, min(total_cost / prices[0], facts.mau.value * 3)))
su.fmt_millions(ax, "y")
ax.set_title("Paying users needed for paid revenue to equal cost")
ax.set_xlabel("price per paying user (CNY per month)")
ax.set_ylabel("paying users needed (millions)")
ax.legend(loc="upper right", fontsize=9.5)
plotting.footnote(fig, plotting.source_text(ds, ds.observations.loc[[peak.obs_id, facts.mau.obs_id]])
                  + f"; price CNY {P.price_per_paying_user_yuan:g} a month is an assumption",
                  caption="Figure 4. Paying users needed = monthly cost ÷ price.")
plotting.save(fig, "03_sustainability_formula", "paying_users")
plt.show()

# %% slideshow={"slide_type": "subslide"}
mau_row = ds.observations.loc[facts.mau.obs_id]
display(Markdown(f"""
At {P.price_per_paying_user_yuan:g}元 a month Kimi would need **{su.wan(users_needed)} paying users** to cover
{su.yi(total_cost)} a month: **{users_share:.1%}** of the {su.wan(facts.mau.value)} monthly users QuestMobile
counted in {mau_row['period_start']:%B %Y} (the QuestMobile month nearest the peak ad spend). Covering the
non-advertising cost alone would take {su.wan(users_needed_non_ad)} ({users_needed_non_ad / facts.mau.value:.1%}).
The assumed revenue of {su.cny(P.paid_revenue_monthly_yuan)} corresponds to {su.wan(users_at_assumed_revenue)} payers
({users_at_assumed_revenue / facts.mau.value:.2%} of MAU).""" + "".join(
    f" A conflicting figure: {r['value_text']} ({r['obs_id']}, {r['period_start']:%B %Y}, "
    f"{ds.vendor_label([r['vendor']]) if isinstance(r['vendor'], str) else 'no firm named'}); with it the share would be "
    f"{users_needed / r['base_value']:.1%}."
    for _, r in ds.observations[(ds.observations['conflict_group'] == mau_row['conflict_group'])
                                & (ds.observations.index != facts.mau.obs_id)].iterrows())))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. How robust is the verdict? A Monte Carlo over the unknowns
#
# Revenue is unknown, Kimi's share was reached only "at one point" (一度), and the peak month's spend is
# reported twice with different values. Each is drawn from a stated distribution (below); the rate is
# computed for every draw. The random generator is seeded, so a rerun gives identical numbers.

# %% slideshow={"slide_type": "subslide"}
display(spec.describe())
display(Markdown(f"{P.mc_samples:,} draws, seed {P.seed}. Target rate: **{target:.2f}**"
                 + (" (a firm that just breaks even at the alarm line)." if P.target_rate == "threshold_firm" else ".")))

# %% [markdown] slideshow={"slide_type": "subslide"}
# The input distributions as drawn: revenue on a log scale (its uncertainty is a factor, not an
# amount), the share leaning below article 003's peak figure, the peak spend between the two readings.

# %% slideshow={"slide_type": "subslide"}
cols = ["paid_revenue", "ad_share", "ad_spend" if cost_is_implied else "total_cost"]
titles = {"paid_revenue": "paid revenue (CNY million / month, log)", "ad_share": "ad share (%)",
          "ad_spend": "peak monthly ad spend (CNY million)", "total_cost": "total cost (CNY million / month)"}
fig, axes = plt.subplots(1, 3, figsize=(11, 4))
for ax, c in zip(axes, cols, strict=True):
    v = sim[c] * (100 if c == "ad_share" else 1)
    if c == "paid_revenue" and (v > 0).all():
        ax.hist(v, bins=np.geomspace(v.min(), v.max(), 50), color="#6a3d9a", alpha=0.8)
        ax.set_xscale("log")
    else:
        ax.hist(v, bins=50, color="#6a3d9a", alpha=0.8)
    if c in ("paid_revenue", "ad_spend", "total_cost"):
        su.fmt_millions(ax, "x")
    ax.set_xlabel(titles[c])
    ax.set_title(c.replace("_", " "), fontsize=12)
axes[0].set_ylabel("draws")
fig.suptitle("Monte Carlo inputs", fontweight="bold", x=0.01, ha="left")
plotting.footnote(fig, plotting.source_text(ds, ds.observations.loc[[peak.obs_id, peak_low.obs_id, facts.ad_share.obs_id]])
                  + "; spreads are model assumptions", caption="Figure 5. Distributions of the uncertain inputs.")
plotting.save(fig, "03_sustainability_formula", "mc_inputs")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# The resulting distribution of the rate, with the target and the base case marked. The share of draws to
# the right of the target line is the probability that the rate exceeds it.

# %% slideshow={"slide_type": "subslide"}
fig, ax = plt.subplots(figsize=(10, 4.8))
r = sim["rate"]
if (r > 0).all():
    ax.hist(r, bins=np.geomspace(r.min(), max(r.max(), target) * 1.05, 80), color="#6a3d9a", alpha=0.8, label="draws")
    ax.set_xscale("log")
else:
    ax.hist(r, bins=80, color="#6a3d9a", alpha=0.8, label="draws")
ax.axvline(target, color="#d62728", lw=2, label=f"target {target:.2f}: P(rate > target) = {mc['p_rate_above_target']:.1%}")
ax.axvline(rate, color="black", ls="--", lw=1.5, label=f"base case {rate:.4f}")
ax.axvline(mc["rate_p95"], color="#555555", ls=":", lw=1.5, label=f"95th percentile {mc['rate_p95']:.4f}")
ax.set_title("Distribution of Kimi's sustainable growth rate under the uncertain inputs")
ax.set_xlabel("sustainable growth rate (no time unit" + (", log scale)" if (r > 0).all() else ")"))
ax.set_ylabel("draws")
ax.legend(loc="upper left", fontsize=9.5)
plotting.footnote(fig, f"Source: model of {ds.source_label(['s003'])} with the inputs of Figure 5",
                  caption=f"Figure 6. {P.mc_samples:,} draws, seed {P.seed}.")
plotting.save(fig, "03_sustainability_formula", "mc_rate")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# Which unknown matters most? Each input is moved alone from its 5th to its 95th percentile while the
# others stay at the base case; the longest bar is the input the verdict depends on most.

# %% slideshow={"slide_type": "subslide"}
fig, ax = plt.subplots(figsize=(10, 3.8))
t = torn.iloc[::-1]
for i, (_, row) in enumerate(t.iterrows()):
    lo, hi = sorted([row["rate_at_low"], row["rate_at_high"]])
    ax.barh(i, hi - lo, left=lo, color="#6a3d9a", alpha=0.85)
    fmt = (lambda v: f"{v:.0%}") if row["key"] == "ad_share" else su.en_money
    ax.text(hi, i, f"  {fmt(row['low_value'])} → {row['rate_at_low']:.4f};  {fmt(row['high_value'])} → {row['rate_at_high']:.4f}",
            va="center", fontsize=9.5)
ax.axvline(rate, color="black", ls="--", lw=1.2, label=f"base case {rate:.4f}")
ax.set_yticks(range(len(t)), t.index)
ax.set_xlim(0, t[["rate_at_low", "rate_at_high"]].to_numpy().max() * 1.9)
ax.set_title("Tornado: the rate as each input moves from its 5th to its 95th percentile")
ax.set_xlabel("sustainable growth rate (no time unit)")
ax.legend(loc="lower right")
plotting.footnote(fig, f"Source: model of {ds.source_label(['s003'])}; input ranges from the Monte Carlo draws",
                  caption="Figure 7. Bars span the rate at the two ends of each input's range, the others held at the base case.")
plotting.save(fig, "03_sustainability_formula", "tornado")
plt.show()

# %% slideshow={"slide_type": "subslide"}
display(Markdown(f"""
In {P.mc_samples:,} draws the rate exceeds {target:.2f} in **{mc['p_rate_above_target']:.1%}** of them and revenue covers
cost in {mc['p_break_even']:.1%}; the median rate is {mc['rate_median']:.4f} (90% interval {mc['rate_p05']:.4f} to
{mc['rate_p95']:.4f}). **{torn.index[0]}** moves the rate most (a swing of {torn['swing'].iloc[0]:.4f}), so the verdict
rests on the number the articles do not give.""" + (f""" A structural point: with the cost implied from a fixed ad spend,
the rate is revenue × share × (1 − share) ÷ ad spend, which can never exceed revenue ÷ (4 × ad spend), reached at a 50%
share, and is the same for a share *s* and 1 − *s* (a {P.ad_share:.0%} share and a {1 - P.ad_share:.0%} share give the same
rate, because the smaller share implies a larger cost). Reaching {target:.2f} would take a paid revenue of at least
{su.cny(target / 0.25 * peak.value)} a month at the peak spend, whatever the share.""" if cost_is_implied else "")))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Cash runway
#
# How long would Alibaba's investment last? The articles disagree on its size, and it is in US dollars,
# so it is converted at the `usd_cny` parameter. The burn scenarios run from the implied peak cost down to
# the training cost alone. This counts only that one investment, not other rounds or cash in hand.

# %% slideshow={"slide_type": "subslide"}
show = runway.rename(index=burn_label, columns=funding_label)
show.insert(0, "monthly burn", [su.cny(burns[k]) for k in runway.index])
display(show.style.format({c: "{:.1f}" for c in funding_label.values()}, na_rep="no burn"))
display(Markdown(f"Funding at {P.usd_cny:g} CNY per USD: " + "; ".join(
    f"{funding_label[k]} = {su.yi(v, 1)}" for k, v in funding_cny.items())
    + (" (the article says *over* this amount: a lower bound)." if ds.observations.at[last, 'qualifier'] == '>' else ".")))

# %% [markdown] slideshow={"slide_type": "subslide"}
# The same scenarios in time, starting from the date of the investment (data/events.csv). Each bar runs to the month the
# smaller figure would be spent; its pale extension to the month the larger would be. Note the last
# funding round: after it, no new money came.

# %% slideshow={"slide_type": "subslide"}
fig, ax = plt.subplots(figsize=(11, 5.6))
horizon = last_article + pd.DateOffset(years=2)
order = list(runway.index)
for i, k in enumerate(order):
    d_small, d_large = cash_out.at[k, first], cash_out.at[k, last]
    d_small = horizon if d_small is None or d_small > horizon else d_small
    d_large = horizon if d_large is None or d_large > horizon else d_large
    ax.barh(i, d_small - facts.investment_date, left=facts.investment_date, color="#6a3d9a", height=0.55)
    ax.barh(i, d_large - d_small, left=d_small, color="#6a3d9a", alpha=0.3, height=0.55)
    months = runway.at[k, first]
    txt = "beyond the chart" if not math.isfinite(months) or cash_out.at[k, first] is None or cash_out.at[k, first] > horizon \
        else f"{cash_out.at[k, first]:%b %Y} – {cash_out.at[k, last]:%b %Y}" if cash_out.at[k, last] is not None else ""
    ax.text(min(d_large, horizon), i, "  " + txt, va="center", fontsize=9.5)
ax.set_yticks(range(len(order)), [f"{burn_label[k]}\n{su.en_money(burns[k])}/month" for k in order], fontsize=9.5)
ax.set_ylim(len(order) - 0.5, -3.2)  # inverted, with head room for the event labels
ax.set_xlim(facts.investment_date - pd.DateOffset(months=2), horizon + pd.DateOffset(months=6))
ax.axvline(last_article, color="#1f77b4", lw=1.2, ls="-.")
ax.text(last_article, len(order) - 0.6, f" latest article ({latest_source})", fontsize=9, color="#1f77b4")
ev = ds.events[ds.events["kind"].isin(["funding", "legal"]) | (ds.events.index == "e_deepseek_r1")]
drawn = plotting.annotate_events(ax, ev)
ax.set_title("When would Alibaba's investment run out at each burn rate?")
ax.set_xlabel(f"date (burn starts at the investment, {facts.investment_date:%B %Y})")
ax.set_ylabel("burn scenario")
plotting.footnote(fig, plotting.source_text(ds, ds.observations.loc[list(facts.investments) + [peak.obs_id, facts.training_cost.obs_id]])
                  + f"; events from data/events.csv; {P.usd_cny:g} CNY/USD assumed",
                  caption=f"Figure 8. Dark: the smaller figure ({funding_en[first]}); pale: up to the larger ({funding_en[last]}).")
plotting.save(fig, "03_sustainability_formula", "runway")
plt.show()


# %% slideshow={"slide_type": "subslide"}
def _when(k, f):
    d = cash_out.at[k, f]
    return "never (no net burn)" if d is None else f"{d:%B %Y}"
display(Markdown(f"""
At the implied peak cost of {su.yi(total_cost)} a month, {funding_label[first].split(' (')[0]} lasts
**{runway.at['total_cost', first]:.1f} months** (to {_when('total_cost', first)}) and {funding_label[last].split(' (')[0]}
**{runway.at['total_cost', last]:.1f} months** (to {_when('total_cost', last)}). With advertising stopped the same money
lasts {runway.at['non_ad_cost', first]:.0f}–{runway.at['non_ad_cost', last]:.0f} months. The articles say there was no new
funding after {facts.last_funding:%B %Y} ({ds.events.at['e_last_funding', 'source_id']}). At the peak rate even the larger
figure would have been spent {"before" if cash_out.at['total_cost', last] is not None and cash_out.at['total_cost', last] < last_article else "after"}
the latest article ({last_article:%B %Y}); a burn like the peak month's could not have been kept up on this money alone.
Only this one investment is counted: other rounds, cash in hand and revenue are not in the articles.
"""))

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
alt = su.alternative_reading(peak.value, P.ad_share, P.paid_revenue_monthly_yuan, total_cost, train_lo, train_hi)
display(alt.style.format({"share": "{:.0%}", "paid_revenue": su.yi, "total_cost": su.yi, "total_cost_low": su.yi,
                          "rate_low": "{:.4f}", "rate_high": "{:.4f}"}, na_rep="–"))
b = alt.iloc[1] if len(alt) > 1 and alt.index[1].startswith("(b)") else None
c = alt.loc[[i for i in alt.index if i.startswith("(c)")]].iloc[0] if any(i.startswith("(c)") for i in alt.index) else None
text = f"Under the main reading Kimi's rate is **{rate:.4f}**."
if b is not None:
    text += (f" Read as a share of **revenue**, a {P.ad_share:.0%} share would mean Kimi earned {su.yi(b['paid_revenue'])} a "
             f"month (ad spend ÷ share); with the training cost as the only other cost, revenue/cost would be "
             f"{b['paid_revenue'] / b['total_cost']:.2f}–{b['paid_revenue'] / b['total_cost_low']:.2f} and the rate "
             f"**{b['rate_low']:.2f}–{b['rate_high']:.2f}**, {b['rate_low'] / su.sustainable_growth_rate(1, 1, P.alarm_threshold):.0%}–"
             f"{b['rate_high'] / su.sustainable_growth_rate(1, 1, P.alarm_threshold):.0%} of a break-even firm at the alarm line"
             + (f", {b['rate_low'] / rate:.0f}–{b['rate_high'] / rate:.0f} times the main reading's rate" if rate > 0 else "")
             + (": revenue would cover cost, a healthy-looking business." if b["paid_revenue"] >= b["total_cost"] else "."))
if c is not None:
    text += (f" Computed instead from the assumed revenue, the share of revenue spent on ads is **{c['share']:.0%}** and the "
             f"rule gives **{c['rate_low']:.2f}**" + (", a negative 'growth rate' (the rule has no floor)." if c['rate_low'] < 0 else "."))
text += (" The same sentence in the article supports anything from a thriving to a collapsing company; the verdict that "
         "Kimi was unsustainable rests on the assumed revenue, not on the share.")
display(Markdown(text))

# %% [markdown] slideshow={"slide_type": "skip"} tags=["no-slides"]
# ## 9. Explore it yourself (JupyterLab)
#
# Move the sliders to recompute the rule (revenue and cost on log scales). The explorer needs a live
# kernel; the slides skip it, and under papermill it is built but never touched.

# %% slideshow={"slide_type": "skip"} tags=["no-slides"]
explorer = su.build_explorer(P.paid_revenue_monthly_yuan, total_cost, P.ad_share, P.alarm_threshold,
                            P.price_per_paying_user_yuan, facts.mau.value)
display(explorer)

# %% slideshow={"slide_type": "skip"}
results = {
    "sustainable_growth_rate": rate,
    "ad_share": P.ad_share,
    "alarm_threshold": P.alarm_threshold,
    "article_ad_share": article_share,
    "article_alarm_threshold": article_alarm,
    "ratio_to_threshold_firm": ratio,
    "revenue_cost_ratio": revenue_cost,
    "frontier_factor_at_share": factor_kimi,
    "frontier_factor_at_threshold": factor_alarm,
    "peak_ad_spend_yuan": peak.value,
    "peak_ad_spend_obs": peak.obs_id,
    "peak_ad_spend_low_yuan": peak_low.value,
    "peak_ad_spend_low_obs": peak_low.obs_id,
    "implied_total_monthly_cost_yuan": implied_cost,
    "implied_non_ad_monthly_cost_yuan": implied_non_ad,
    "implied_total_monthly_cost_low_yuan": implied_cost_low,
    "implied_non_ad_monthly_cost_low_yuan": implied_non_ad_low,
    "total_monthly_cost_used_yuan": total_cost,
    "training_cost_monthly_range_yuan": [train_lo, train_hi],
    "non_ad_vs_training": consistency_key,
    "non_ad_low_vs_training": consistency_key_low,
    "paying_users_needed": users_needed,
    "paying_users_needed_non_ad": users_needed_non_ad,
    "mau": facts.mau.value,
    "mau_obs": facts.mau.obs_id,
    "paying_share_of_mau": users_share,
    "target_rate": target,
    "revenue_needed_for_target_yuan": revenue_for_target,
    "p_rate_above_target": mc["p_rate_above_target"],
    "p_break_even": mc["p_break_even"],
    "mc_rate_quantiles": {"p05": mc["rate_p05"], "median": mc["rate_median"], "p95": mc["rate_p95"]},
    "tornado_swing": torn["swing"].to_dict(),
    "most_influential_input": torn.index[0],
    "funding_cny": funding_cny,
    "burn_scenarios_yuan": burns,
    "runway_months": {k: runway.loc[k].to_dict() for k in runway.index},
    "cash_out_dates": {k: cash_out.loc[k].to_dict() for k in cash_out.index},
    "alternative_reading": {"rate_share_of_revenue_face_value": [alt.iloc[1]["rate_low"], alt.iloc[1]["rate_high"]]
                            if len(alt) > 1 and alt.index[1].startswith("(b)") else None,
                            "implied_revenue_face_value_yuan": peak.value / P.ad_share if P.ad_share > 0 else None,
                            "share_of_assumed_revenue": peak.value / P.paid_revenue_monthly_yuan
                            if P.paid_revenue_monthly_yuan > 0 else None,
                            "rate_from_assumed_revenue": su.rate_share_of_revenue(P.paid_revenue_monthly_yuan, total_cost, peak.value)},
}
results["headline"] = su.headline(ds, results, P)
print(kr.write_results("03_sustainability_formula", results, P))
