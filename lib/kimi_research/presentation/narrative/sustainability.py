"""Prose of notebook 03 (the sustainability formula)."""

from __future__ import annotations

import math

import pandas as pd

from kimi_research.analysis import sustainability as su
from kimi_research.analysis.sustainability import range_position
from kimi_research.data.periods import period_label
from kimi_research.presentation import format as F


def compare_to_range(value: float, low: float, high: float, near: float = 0.25) -> tuple[str, str]:
    """Where ``value`` lies against the range [low, high]: the key (analysis.range_position) and a phrase."""
    key = range_position(value, low, high, near)
    phrase = {
        "below": f"below the lower reading ({value / low:.2f} x it)",
        "within": "within the range",
        "just_above": f"just above the upper reading ({value / high - 1:.1%} above it)",
        "well_above": f"well above the upper reading ({value / high:.1f} x it)",
    }[key]
    return key, phrase


def describe_share(an, P) -> str:
    """Whether the ad share is the article's figure or a parameter."""
    return (
        "article 003's figure"
        if math.isclose(P.ad_share, an.article_share)
        else f"set by parameter; article 003 says {an.article_share:.0%}"
    )


def describe_alarm(an, P) -> str:
    return (
        "article 003's line"
        if math.isclose(P.alarm_threshold, an.article_alarm)
        else f"set by parameter; article 003 says {an.article_alarm:.0%}"
    )


def funding_labels(ds, an) -> dict[str, str]:
    """Investment observation id -> 'value as written (id, source)'."""
    o = ds.observations
    return {oid: f"{o.at[oid, 'value_text']} ({oid}, {o.at[oid, 'source_id']})" for oid in an.funding_cny}


def funding_labels_en(ds, an) -> dict[str, str]:
    return {oid: f"{funding_label_en(ds.observations.loc[oid])} ({oid})" for oid in an.funding_cny}


def burn_labels(an) -> dict[str, str]:
    """Burn scenario key -> its label in tables."""
    oid = an.facts.training_cost.obs_id
    return {
        "total_cost": "total cost (peak)",
        "total_cost_less_revenue": "total cost less assumed revenue",
        "non_ad_cost": "non-advertising cost (ads stopped)",
        "training_cost_high": f"training only, upper reading ({oid})",
        "training_cost_low": f"training only, lower reading ({oid})",
    }


def funding_label_en(row) -> str:
    """'USD 0.8bn' / 'over USD 1bn' for an investment observation (USD base value)."""
    words = {">": "over ", ">=": "at least ", "~": "about ", "<": "under "}
    return f"{words.get(row['qualifier'], '')}USD {row['base_value'] / 1e9:g}bn"


def evidence_label(evidence: str) -> str:
    """The evidence a notebook used, in words."""
    return F.evidence_used(evidence)


def headline(ds, r: dict, P) -> str:
    """One sentence for the title slide and the index, from the results JSON.

    It states the comparison the rule makes (equal revenue/cost) and no more: with the cost implied from the
    peak ad spend, a share s and 1 - s give the same rate, and any rate rests on the assumed revenue.
    """
    text = (
        f"At equal revenue/cost, a {r['ad_share']:.0%} ad-spend share keeps {r['ratio_to_threshold_firm']:.1%} of "
        f"the growth of a firm at the {r['alarm_threshold']:.0%} alarm line"
    )
    if P.total_cost_monthly_yuan == "implied" and not math.isclose(r["ad_share"], r["same_rate_share"]):
        text += (
            f"; with the cost implied from Kimi's peak ad spend, {r['same_rate_share']:.0%} and {r['ad_share']:.0%} "
            f"give the same rate, so the verdict rests on the assumed revenue, which no article gives"
        )
    return text + "."


def summary_markdown(ds, an, P):
    """The bullets under 'What this notebook finds', from computed values only."""
    alarm_note = describe_alarm(an, P)
    consistency_text = compare_to_range(an.implied_non_ad, an.train_lo, an.train_hi)[1]
    consistency_text_low = compare_to_range(an.implied_non_ad_low, an.train_lo, an.train_hi)[1]
    factor_alarm = an.factor_alarm
    factor_kimi = an.factor_kimi
    facts = an.facts
    implied_cost = an.implied_cost
    implied_non_ad = an.implied_non_ad
    implied_non_ad_low = an.implied_non_ad_low
    mc = an.mc
    peak = an.peak
    peak_low = an.peak_low
    rate = an.rate
    ratio = an.ratio
    revenue_cost = an.revenue_cost
    share_note = describe_share(an, P)
    target = an.target
    torn = an.torn
    total_cost = an.total_cost
    train_hi = an.train_hi
    train_lo = an.train_lo
    users_needed = an.users_needed
    users_share = an.users_share
    return f"""* **Evidence**: {evidence_label(P.evidence)} (parameter `evidence`).
* **The rule**: sustainable growth rate = (paid revenue ÷ total cost) × (1 − ad-spend share). At any
  given revenue/cost, a firm spending **{P.ad_share:.0%}** of its cost on traffic ({share_note}) keeps
  **{ratio:.1%}** of the growth of a firm at the **{P.alarm_threshold:.0%}** alarm line ({alarm_note}).
* **The frontier**: to reach a target rate *s* it needs revenue/cost of **{factor_kimi:.2f} s**, against
  **{factor_alarm:.2f} s** at the alarm line.
* **Kimi's implied cost base**: a peak month of {F.cny_zh(peak.value)} of ads ({peak.obs_id}) at a {P.ad_share:.0%}
  share means **{F.cny_zh(implied_cost)} a month** in total, **{F.cny_zh(implied_non_ad)}** of it not advertising.
  Article 002's monthly training cost of "several 千万" ({F.wan_zh(train_lo)}–{F.wan_zh(train_hi)}元, {facts.training_cost.obs_id}) is
  {consistency_text}; with the lower reading of the peak ({F.cny_zh(peak_low.value)}, {peak_low.obs_id}) the
  non-advertising part is {F.cny_zh(implied_non_ad_low)}, {consistency_text_low}.
* **Revenue needed**: covering {F.cny_zh(total_cost)} a month at {P.price_per_paying_user_yuan:g}元 a month takes
  **{F.wan_zh(users_needed)} paying users**, **{users_share:.1%}** of Kimi's {F.wan_zh(facts.mau.value)} MAU
  ({facts.mau.obs_id}, QuestMobile).
* **Kimi's rate**, *if* its revenue were the illustrative {F.cny_zh(P.paid_revenue_monthly_yuan)} a month (no
  article gives a revenue): **{rate:.4f}** (revenue/cost {revenue_cost:.3f}). Conditional on that assumption, in
  {P.mc_samples:,} Monte Carlo draws around it the rate exceeds the target {target:.2f} in
  **{mc["p_rate_above_target"]:.1%}** of draws (95th percentile {mc["rate_p95"]:.4f}): this restates the assumed
  revenue, it does not measure Kimi. The input that moves it most is **{torn.index[0]}**.
* **Runway** (notebook 02's "{an.spend_path}" spend path plus the {F.cny_zh(an.non_ad_cost)} a month not spent on
  ads, every funding round the evidence gives): {ledger_sentence(an)}
* **Caveat**: the rule is the author's heuristic, not the textbook sustainable growth rate; its share has
  no stated base and the rate no time unit. Read as a share of *revenue*, the same {P.ad_share:.0%} tells a
  different story (section 8).
"""


def _month(d) -> str:
    return "never (no net burn)" if d is None else f"{pd.Timestamp(d):%B %Y}"


def ledger_sentence(an) -> str:
    """When the cash runs out, per evidence choice, smaller to larger reading of the rounds."""
    parts = []
    for ev, lg in an.ledgers.items():
        parts.append(f"with {evidence_label(ev)} the cash lasts to **{_month(lg.cash_out_low)}**–**{_month(lg.cash_out_high)}**")
    return "; ".join(parts) + " (smaller to larger reading of each round)."


def ledger_table(ds, an, P) -> pd.DataFrame:
    """The cash ledger side by side: one column pair per evidence choice."""
    rows = {}
    for ev, lg in an.ledgers.items():
        rows[ev] = {
            "funding before the first spend month (counted in full)": f"{F.cny_zh(lg.opening_low)}–{F.cny_zh(lg.opening_high)}",
            "funding inside the ledger": f"{F.cny_zh(lg.table['funding_low'].sum())}–{F.cny_zh(lg.table['funding_high'].sum())}",
            "ad spend in the ledger (02's path)": F.cny_zh(lg.table["ad_spend"].sum()),
            "non-advertising cost in the ledger": F.cny_zh(lg.table["non_ad"].sum()),
            "monthly burn after the data": F.cny_zh(lg.tail_burn),
            "cash runs out": f"{_month(lg.cash_out_low)} – {_month(lg.cash_out_high)}",
        }
    return pd.DataFrame(rows).rename(columns=evidence_label)


def rounds_table(ds, an) -> pd.DataFrame:
    """The funding rounds of the chosen evidence, with their readings."""
    r = an.rounds
    return pd.DataFrame(
        {
            "date": r["date"].dt.strftime("%Y-%m"),
            "round": r["label"],
            "amount (CNY)": [
                ("amount not given" if pd.isna(lo) else F.cny_range_zh(lo, hi) if hi > lo else F.cny_zh(lo))
                + (" (lower bound)" if lb else "")
                for lo, hi, lb in zip(r["low_cny"], r["high_cny"], r["lower_bound"], strict=True)
            ],
            "rows": r["obs_ids"].replace("", "–"),
            "source": r["source_id"],
        }
    ).set_index("date")


def ledger_note(ds, an, P) -> str:
    """The ledger in words."""
    return (
        f"Cash month by month from {an.ledgers[P.evidence].start:%B %Y}, the first month with a spend figure: "
        f"rounds before it are counted in full as opening cash (an upper bound: what they had already paid for is "
        f"not in the data), later rounds arrive in their month; each month burns notebook 02's "
        f'"{an.spend_path}" spend path plus a non-advertising cost of {F.cny_zh(an.non_ad_cost)} (the peak month\'s '
        f"implied cost at a {P.ad_share:.0%} share, held constant). {ledger_sentence(an).capitalize()[0]}"
        f"{ledger_sentence(an)[1:]} Revenue and any round the "
        f"data do not give are not counted; a round without an amount adds nothing."
    )


def article_quotes(ds, an, P):
    """What article 003 says about the alarm line and Kimi's share."""
    article_alarm = an.article_alarm
    article_share = an.article_share
    facts = an.facts
    o = ds.observations
    return f"""
The article goes on: "{o.at[facts.alarm_threshold.obs_id, "quote"]}" (*when the share passes
{article_alarm:.0%}, one should worry*) and "{o.at[facts.ad_share.obs_id, "quote"]}" (*Kimi's once
reached {article_share:.0%}*): rows {facts.alarm_threshold.obs_id} and {facts.ad_share.obs_id},
{ds.source_label([o.at[facts.ad_share.obs_id, "source_id"]])}.
"""


def rule_comparison(ds, an, P):
    """Kimi against a firm at the alarm line: a table and what it means."""
    facts = an.facts
    rate = an.rate
    ratio = an.ratio
    threshold_firm_rate = an.threshold_firm_rate
    cmp = pd.DataFrame(
        {
            "ad-spend share": [P.ad_share, P.alarm_threshold],
            "rate at revenue = cost": [
                su.sustainable_growth_rate(1, 1, P.ad_share),
                su.sustainable_growth_rate(1, 1, P.alarm_threshold),
            ],
            "rate at Kimi's revenue/cost": [rate, threshold_firm_rate],
        },
        index=["Kimi", "firm at the alarm line"],
    )
    _table = cmp.style.format(
        {"ad-spend share": "{:.0%}", "rate at revenue = cost": "{:.3f}", "rate at Kimi's revenue/cost": "{:.4f}"}
    )
    return _table, (
        f"Whatever the revenue and cost, the two rates differ by the factor (1 − {P.ad_share:.2f}) ÷ "
        f"(1 − {P.alarm_threshold:.2f}) = **{ratio:.3f}**: Kimi keeps {ratio:.1%} of the threshold "
        f"firm's growth. The shares come from {facts.ad_share.obs_id} and {facts.alarm_threshold.obs_id} "
        f"({ds.source_label(['s003'])})."
    )


def frontier_note(ds, an, P):
    """The frontier in words."""
    factor_alarm = an.factor_alarm
    factor_kimi = an.factor_kimi
    revenue_for_target = an.revenue_for_target
    target = an.target
    return f"""
Per unit of target rate, Kimi at {P.ad_share:.0%} needs revenue/cost of **{factor_kimi:.2f}**; a firm at the
{P.alarm_threshold:.0%} line needs **{factor_alarm:.2f}**, i.e. Kimi needs {factor_kimi / factor_alarm:.2f} times as much
paid revenue per yuan of cost for the same rate. To reach the target {target:.2f} at its implied cost base Kimi
would need {F.cny_zh(revenue_for_target)} of paid revenue a month, {revenue_for_target / P.paid_revenue_monthly_yuan if P.paid_revenue_monthly_yuan else float("inf"):.0f} times the assumed revenue.
"""


def consistency_note(ds, an, P):
    """Are the implied non-advertising cost and the training cost consistent?"""
    consistency_text = compare_to_range(an.implied_non_ad, an.train_lo, an.train_hi)[1]
    consistency_text_low = compare_to_range(an.implied_non_ad_low, an.train_lo, an.train_hi)[1]
    facts = an.facts
    implied_non_ad = an.implied_non_ad
    implied_non_ad_low = an.implied_non_ad_low
    peak = an.peak
    peak_low = an.peak_low
    share_limit = an.share_limit
    train_hi = an.train_hi
    train_lo = an.train_lo
    train_share_hi = an.train_share_hi
    train_share_lo = an.train_share_lo
    if train_share_hi > 1:
        fit = (
            f"At the upper reading, training alone would cost more than the whole non-advertising budget, so the figures "
            f"agree only for the lower part of 'several 千万' or an ad share of at most {share_limit:.1%} in the peak month "
            f"(a lower share implies a larger total cost)."
        )
    elif train_share_hi > 0.8:
        fit = (
            f"The orders of magnitude agree, but at the upper reading training would take {train_share_hi:.0%} of it, "
            f"leaving little for inference and staff: the figures sit comfortably together only for the lower part of "
            f"'several 千万' or a peak-month ad share clearly below {share_limit:.1%} (at that share the non-advertising "
            f"part would just equal the upper reading)."
        )
    else:
        fit = (
            f"Training fits inside it with {1 - train_share_hi:.0%}–{1 - train_share_lo:.0%} left for inference, staff and "
            f"everything else: consistent, though the rule then implies a large cost the articles do not account for."
        )
    return f"""
**Are they consistent?** The non-advertising cost implied by the {F.cny_zh(peak.value)} peak is **{F.cny_zh(implied_non_ad)}**
a month, against "several 千万" = {F.wan_zh(train_lo)}–{F.wan_zh(train_hi)}元 ({F.cny_zh(train_lo)}–{F.cny_zh(train_hi)},
{facts.training_cost.obs_id}): {consistency_text}. With the {F.cny_zh(peak_low.value)} reading ({peak_low.obs_id}) it is
{F.cny_zh(implied_non_ad_low)}, {consistency_text_low}. But training is only *part* of the non-advertising cost (inference
compute, salaries and offices are in it too), so the real question is whether training fits *inside* it: it would take
{train_share_lo:.0%} to {train_share_hi:.0%} of it. {fit}
"""


def paying_users_note(ds, an, P):
    """Paying users needed, as a share of MAU."""
    facts = an.facts
    total_cost = an.total_cost
    users_at_assumed_revenue = an.users_at_assumed_revenue
    users_needed = an.users_needed
    users_needed_non_ad = an.users_needed_non_ad
    users_share = an.users_share
    mau_row = ds.observations.loc[facts.mau.obs_id]
    return f"""
At {P.price_per_paying_user_yuan:g}元 a month Kimi would need **{F.wan_zh(users_needed)} paying users** to cover
{F.cny_zh(total_cost)} a month: **{users_share:.1%}** of the {F.wan_zh(facts.mau.value)} monthly users QuestMobile
counted in {mau_row["period_start"]:%B %Y} (the QuestMobile month nearest the peak ad spend). Covering the
non-advertising cost alone would take {F.wan_zh(users_needed_non_ad)} ({users_needed_non_ad / facts.mau.value:.1%}).
The assumed revenue of {F.cny_zh(P.paid_revenue_monthly_yuan)} corresponds to {F.wan_zh(users_at_assumed_revenue)} payers
({users_at_assumed_revenue / facts.mau.value:.2%} of MAU).""" + "".join(
        f" A conflicting figure: {r['value_text']} ({r['obs_id']}, {period_label(r)}, "
        f"{ds.vendor_label([r['vendor']]) if isinstance(r['vendor'], str) else 'no firm named'}); with it the share would be "
        f"{users_needed / r['base_value']:.1%}."
        for _, r in ds.observations[
            (ds.observations["conflict_group"] == mau_row["conflict_group"]) & (ds.observations.index != facts.mau.obs_id)
        ].iterrows()
    )


def mc_spec(ds, an, P):
    """The Monte Carlo's input distributions and its target."""
    spec = an.spec
    target = an.target
    _table = spec.describe()
    return _table, (
        f"{P.mc_samples:,} draws, seed {P.seed}. Target rate: **{target:.2f}**"
        + (" (a firm that just breaks even at the alarm line)." if P.target_rate == "threshold_firm" else ".")
    )


def mc_note(ds, an, P):
    """The Monte Carlo in words."""
    cost_is_implied = an.cost_is_implied
    mc = an.mc
    peak = an.peak
    target = an.target
    torn = an.torn
    return f"""
In {P.mc_samples:,} draws the rate exceeds {target:.2f} in **{mc["p_rate_above_target"]:.1%}** of them and revenue covers
cost in {mc["p_break_even"]:.1%}; the median rate is {mc["rate_median"]:.4f} (90% interval {mc["rate_p05"]:.4f} to
{mc["rate_p95"]:.4f}). **{torn.index[0]}** moves the rate most (a swing of {torn["swing"].iloc[0]:.4f}), so the verdict
rests on the number the articles do not give.""" + (
        f""" A structural point: with the cost implied from a fixed ad spend,
the rate is revenue × share × (1 − share) ÷ ad spend, which can never exceed revenue ÷ (4 × ad spend), reached at a 50%
share, and is the same for a share *s* and 1 − *s* (a {P.ad_share:.0%} share and a {1 - P.ad_share:.0%} share give the same
rate, because the smaller share implies a larger cost). Reaching {target:.2f} would take a paid revenue of at least
{F.cny_zh(target / 0.25 * peak.value)} a month at the peak spend, whatever the share."""
        if cost_is_implied
        else ""
    )


def runway_table(ds, an, P):
    """Months each investment figure lasts under each burn scenario."""
    burn_label = burn_labels(an)
    burns = an.burns
    funding_cny = an.funding_cny
    funding_label = funding_labels(ds, an)
    last = an.last
    runway = an.runway
    show = runway.rename(index=burn_label, columns=funding_label)
    show.insert(0, "monthly burn", [F.cny_zh(burns[k]) for k in runway.index])
    _table = show.style.format({c: "{:.1f}" for c in funding_label.values()}, na_rep="no burn")
    return _table, (
        f"Funding at {P.usd_cny:g} CNY per USD: "
        + "; ".join(f"{funding_label[k]} = {F.cny_zh(v, 1)}" for k, v in funding_cny.items())
        + (" (the article says *over* this amount: a lower bound)." if ds.observations.at[last, "qualifier"] == ">" else ".")
    )


def runway_note(ds, an, P):
    """The runway in words."""
    cash_out = an.cash_out
    facts = an.facts
    first = an.first
    funding_label = funding_labels(ds, an)
    last = an.last
    last_article = an.last_article
    runway = an.runway
    total_cost = an.total_cost

    def _when(k, f):
        d = cash_out.at[k, f]
        return "never (no net burn)" if d is None else f"{d:%B %Y}"

    return f"""
At the implied peak cost of {F.cny_zh(total_cost)} a month, {funding_label[first].split(" (")[0]} lasts
**{runway.at["total_cost", first]:.1f} months** (to {_when("total_cost", first)}) and {funding_label[last].split(" (")[0]}
**{runway.at["total_cost", last]:.1f} months** (to {_when("total_cost", last)}). With advertising stopped the same money
lasts {runway.at["non_ad_cost", first]:.0f}–{runway.at["non_ad_cost", last]:.0f} months. The articles say there was no new
funding after {facts.last_funding:%B %Y} ({ds.events.at["e_last_funding", "source_id"]}). At the peak rate even the larger
figure would have been spent {"before" if cash_out.at["total_cost", last] is not None and cash_out.at["total_cost", last] < last_article else "after"}
the latest article ({last_article:%B %Y}); a burn like the peak month's could not have been kept up on this money alone.
Only this one investment is counted: other rounds, cash in hand and revenue are not in the articles.
"""


def alternative_reading_table(ds, an, P):
    """The share read as a share of revenue: a table and its story."""
    alt = an.alt
    rate = an.rate
    _table = alt.style.format(
        {
            "share": "{:.0%}",
            "paid_revenue": F.cny_zh,
            "total_cost": F.cny_zh,
            "total_cost_low": F.cny_zh,
            "rate_low": "{:.4f}",
            "rate_high": "{:.4f}",
        },
        na_rep="–",
    )
    b = alt.iloc[1] if len(alt) > 1 and alt.index[1].startswith("(b)") else None
    c = alt.loc[[i for i in alt.index if i.startswith("(c)")]].iloc[0] if any(i.startswith("(c)") for i in alt.index) else None
    text = f"Under the main reading Kimi's rate is **{rate:.4f}**."
    if b is not None:
        text += (
            f" Read as a share of **revenue**, a {P.ad_share:.0%} share would mean Kimi earned {F.cny_zh(b['paid_revenue'])} a "
            f"month (ad spend ÷ share); with the training cost as the only other cost, revenue/cost would be "
            f"{b['paid_revenue'] / b['total_cost']:.2f}–{b['paid_revenue'] / b['total_cost_low']:.2f} and the rate "
            f"**{b['rate_low']:.2f}–{b['rate_high']:.2f}**, {b['rate_low'] / su.sustainable_growth_rate(1, 1, P.alarm_threshold):.0%}–"
            f"{b['rate_high'] / su.sustainable_growth_rate(1, 1, P.alarm_threshold):.0%} of a break-even firm at the alarm line"
            + (f", {b['rate_low'] / rate:.0f}–{b['rate_high'] / rate:.0f} times the main reading's rate" if rate > 0 else "")
            + (": revenue would cover cost, a healthy-looking business." if b["paid_revenue"] >= b["total_cost"] else ".")
        )
    if c is not None:
        text += (
            f" Computed instead from the assumed revenue, the share of revenue spent on ads is **{c['share']:.0%}** and the "
            f"rule gives **{c['rate_low']:.2f}**"
            + (", a negative 'growth rate' (the rule has no floor)." if c["rate_low"] < 0 else ".")
        )
    text += (
        " The same sentence in the article supports anything from a thriving to a collapsing company; the verdict that "
        "Kimi was unsustainable rests on the assumed revenue, not on the share."
    )
    return _table, (text)
