"""Prose of notebook 03 (the sustainability formula): each function takes one section of the analysis (the summary
and the headline take the whole analysis) and returns a string or a table."""

from __future__ import annotations

import math
from typing import Any, cast

import pandas as pd

from kimi_research.analysis.sustainability import (
    AlternativeReading,
    CashLedger,
    CostBase,
    FormulaAnalysis,
    Frontier,
    LedgerAdShare,
    MonteCarlo,
    PayingUsers,
    Rule,
    Runway,
)
from kimi_research.presentation import format as F


def range_phrase(key: str, value: float, low: float, high: float) -> str:
    """Where ``value`` lies against the range [low, high], in words, for the key of ``analysis.range_position``."""
    return {
        "below": f"below the lower reading ({value / low:.2f} x it)",
        "within": "within the range",
        "just_above": f"just above the upper reading ({value / high - 1:.1%} above it)",
        "well_above": f"well above the upper reading ({value / high:.1f} x it)",
    }[key]


def _non_ad_phrases(cb: CostBase) -> tuple[str, str]:
    """Where the implied non-advertising cost lies against the training cost: with the peak, with the lower reading."""
    lo, hi = cb.training_low, cb.training_high
    return (
        range_phrase(cb.non_ad_vs_training, cb.implied_non_ad_monthly_cost_yuan, lo, hi),
        range_phrase(cb.non_ad_low_vs_training, cb.implied_non_ad_monthly_cost_low_yuan, lo, hi),
    )


def burn_labels(rw: Runway) -> dict[str, str]:
    """Burn scenario key -> its label in tables."""
    oid = rw.training_obs
    return {
        "total_cost": "total cost (peak)",
        "total_cost_less_revenue": "total cost less assumed revenue",
        "non_ad_cost": "non-advertising cost (ads stopped)",
        "training_cost_high": f"training only, upper reading ({oid})",
        "training_cost_low": f"training only, lower reading ({oid})",
    }


def evidence_label(evidence: str) -> str:
    """The evidence a notebook used, in words."""
    return F.evidence_used(evidence)


def headline(an: FormulaAnalysis) -> str:
    """One sentence for the title slide and the index.

    It states the comparison the rule makes (equal revenue/cost) and no more: with the cost implied from the
    peak ad spend, a share s and 1 - s give the same rate, and any rate rests on the assumed revenue.
    """
    r = an.rule
    text = (
        f"At equal revenue/cost, a {r.ad_share:.0%} ad-spend share keeps {r.ratio_to_threshold_firm:.1%} of "
        f"the growth of a firm at the {r.alarm_threshold:.0%} alarm line"
    )
    if r.cost_is_implied and not math.isclose(r.ad_share, r.same_rate_share):
        text += (
            f"; with the cost implied from Kimi's peak ad spend, {r.same_rate_share:.0%} and {r.ad_share:.0%} "
            f"give the same rate, so the verdict rests on the assumed revenue, which no article gives"
        )
    return text + "."


def summary_markdown(an: FormulaAnalysis) -> str:
    """The bullets under 'What this notebook finds', from computed values only."""
    r, fr, cb, pu, mc, lg = an.rule, an.frontier, an.cost_base, an.paying_users, an.monte_carlo, an.ledger
    consistency_text, consistency_text_low = _non_ad_phrases(cb)
    train_lo, train_hi = cb.training_low, cb.training_high
    return f"""* **Evidence**: {evidence_label(an.basis.evidence)} (parameter `evidence`).
* **The rule**: sustainable growth rate = (paid revenue ÷ total cost) × (1 − ad-spend share). At any
  given revenue/cost, a firm spending **{r.ad_share:.0%}** of its cost on traffic ({r.share_note}) keeps
  **{r.ratio_to_threshold_firm:.1%}** of the growth of a firm at the **{r.alarm_threshold:.0%}** alarm line ({r.alarm_note}).
* **The frontier**: to reach a target rate *s* it needs revenue/cost of **{fr.frontier_factor_at_share:.2f} s**, against
  **{fr.frontier_factor_at_threshold:.2f} s** at the alarm line.
* **Kimi's implied cost base**: a peak month of {F.cny_zh(cb.peak_ad_spend_yuan)} of ads ({cb.peak_ad_spend_obs}) at a {cb.ad_share:.0%}
  share means **{F.cny_zh(cb.implied_total_monthly_cost_yuan)} a month** in total, **{F.cny_zh(cb.implied_non_ad_monthly_cost_yuan)}** of it not advertising.
  That implied non-advertising cost is {consistency_text} of article 002's monthly training cost ("several 千万", read as
  {F.wan_zh(train_lo)}–{F.wan_zh(train_hi)}元, {cb.training_obs}); with the lower reading of the peak ({F.cny_zh(cb.peak_ad_spend_low_yuan)},
  {cb.peak_ad_spend_low_obs}) it is {F.cny_zh(cb.implied_non_ad_monthly_cost_low_yuan)}, {consistency_text_low}.
* **Revenue needed**: covering {F.cny_zh(pu.total_cost)} a month at {pu.price_per_paying_user_yuan:g}元 a month takes
  **{F.wan_zh(pu.paying_users_needed)} paying users**, **{pu.paying_share_of_mau:.1%}** of Kimi's {F.wan_zh(pu.mau)} MAU
  ({pu.mau_obs}, QuestMobile).
* **Kimi's rate**, *if* its revenue were the illustrative {F.cny_zh(r.paid_revenue_monthly_yuan)} a month (no
  article gives a revenue): **{r.sustainable_growth_rate:.4f}** (revenue/cost {r.revenue_cost_ratio:.3f}). Conditional on that assumption, in
  {mc.samples:,} Monte Carlo draws around it the rate exceeds the target {mc.target:.2f} in
  **{mc.p_rate_above_target:.1%}** of draws (95th percentile {mc.mc_rate_quantiles["p95"]:.4f}): this restates the assumed
  revenue, it does not measure Kimi. The input that moves it most is **{mc.most_influential_input}**.
* **Runway** (notebook 02's "{lg.spend_path}" spend path plus the {F.cny_zh(lg.non_ad_cost)} a month not spent on
  ads, every funding round the evidence gives): {ledger_sentence(lg)} {runway_range_sentence(lg)}
* **Ad share over the ledger**: {ledger_share_sentence(an.ledger_share)}
* **Caveat**: the rule is the author's heuristic, not the textbook sustainable growth rate; its share has
  no stated base and the rate no time unit. Read as a share of *revenue*, the same {r.ad_share:.0%} tells a
  different story (section 8).
"""


def _when(text: str | None) -> str:
    return "never (no net burn)" if text is None else text


def _span(lo: str | None, hi: str | None) -> str:
    lo, hi = _when(lo), _when(hi)
    return lo if lo == hi else f"{lo} to {hi}"


def ledger_sentence(lg: CashLedger) -> str:
    """When the cash runs out, per evidence choice, smaller to larger reading of the rounds (years or quarters: no
    month, see ``RunwayRange.precision``)."""
    parts = [f"with {evidence_label(ev)} the cash runs out in **{_span(*lg.cash_out_text[ev])}**" for ev in lg.ledgers]
    return "; ".join(parts) + " (smaller to larger reading of each round)."


def runway_range_sentence(lg: CashLedger) -> str:
    """The chosen path's cash-out against every other spend path's."""
    rr = lg.runway_range
    others = ", ".join(f"'{p.replace('_', ' ')}' {_span(*v)}" for p, v in rr.by_path.items() if p != rr.path)
    return (
        f"Over every spend path of notebook 02 the cash runs out between **{_when(rr.earliest)} and "
        f"{_when(rr.latest)}** ({others}). Stated in years (a quarter only inside the ledger's months), never months: the "
        "non-advertising cost is an assumption "
        "held constant, and the spend after the last reported month is each path's assumption."
    )


def ledger_share_sentence(ls: LedgerAdShare) -> str:
    """The ledger's period-average ad share against article 003's 70%, and the revenue-base reading."""
    x = ls.ledger_ad_share
    text = (
        f"From {x.window[0]} to {x.window[1]} (the ledger's months with a spend figure) ads are **{x.value:.0%}** of the "
        f"ledger's cost ({F.cny_zh(x.ad_spend_yuan)} of ads against {F.cny_zh(x.other_cost_yuan)} of other cost). The "
        f"ledger implies its non-advertising cost from the {x.ad_share_parameter:.0%} share in the peak month, so that month "
        f"is at {x.ad_share_parameter:.0%} by construction; over the period the average is {x.value:.0%}, which fits article "
        "003's wording (一度, at one point)."
    )
    if x.revenue_base_reading:
        lo, hi = x.revenue_base_reading
        text += (
            f" Read as a share of revenue (section 8), the same sentence puts ads at {lo:.0%}–{hi:.0%} of cost in the peak "
            "month (training cost as the only other cost)."
        )
    return text


def ledger_table(lg: CashLedger) -> pd.DataFrame:
    """The cash ledger side by side: one column pair per evidence choice."""
    rows = {}
    for ev, ledger in lg.ledgers.items():
        t = ledger.table
        rows[ev] = {
            "funding before the first spend month (counted in full)": f"{F.cny_zh(ledger.opening_low)}–{F.cny_zh(ledger.opening_high)}",
            "funding inside the ledger": f"{F.cny_zh(t['funding_low'].sum())}–{F.cny_zh(t['funding_high'].sum())}",
            "ad spend in the ledger (02's path)": F.cny_zh(t["ad_spend"].sum()),
            "non-advertising cost in the ledger": F.cny_zh(t["non_ad"].sum()),
            "monthly burn after the data": F.cny_zh(ledger.tail_burn),
            "cash runs out": _span(*lg.cash_out_text[ev]),
        }
    return pd.DataFrame(rows).rename(columns=evidence_label)


def rounds_table(lg: CashLedger) -> pd.DataFrame:
    """The funding rounds of the chosen evidence, with their readings."""
    r = lg.rounds
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


def ledger_note(lg: CashLedger) -> str:
    """The ledger in words."""
    sentence = ledger_sentence(lg)
    return (
        f"Cash month by month from {lg.start:%B %Y}, the first month with a spend figure: "
        f"rounds before it are counted in full as opening cash (an upper bound: what they had already paid for is "
        f"not in the data), later rounds arrive in their month; each month burns notebook 02's "
        f'"{lg.spend_path}" spend path plus a non-advertising cost of {F.cny_zh(lg.non_ad_cost)} (the peak month\'s '
        f"implied cost at a {lg.ad_share:.0%} share, held constant). {sentence.capitalize()[0]}"
        f"{sentence[1:]} Revenue and any round the "
        f"data do not give are not counted; a round without an amount adds nothing."
    )


def article_quotes(r: Rule) -> str:
    """What article 003 says about the alarm line and Kimi's share."""
    return f"""
The article goes on: "{r.alarm_quote}" (*when the share passes
{r.article_alarm_threshold:.0%}, one should worry*) and "{r.share_quote}" (*Kimi's once
reached {r.article_ad_share:.0%}*): rows {r.alarm_obs} and {r.share_obs},
{r.quote_source}.
"""


def rule_comparison(r: Rule):
    """Kimi against a firm at the alarm line: a table and what it means."""
    table = r.comparison.style.format(
        {"ad-spend share": "{:.0%}", "rate at revenue = cost": "{:.3f}", "rate at Kimi's revenue/cost": "{:.4f}"}
    )
    ratio = r.ratio_to_threshold_firm
    return table, (
        f"Whatever the revenue and cost, the two rates differ by the factor (1 − {r.ad_share:.2f}) ÷ "
        f"(1 − {r.alarm_threshold:.2f}) = **{ratio:.3f}**: Kimi keeps {ratio:.1%} of the threshold "
        f"firm's growth. The shares come from {r.share_obs} and {r.alarm_obs} "
        f"({r.rule_source.sources_en})."
    )


def frontier_note(fr: Frontier) -> str:
    """The frontier in words."""
    return f"""
Per unit of target rate, Kimi at {fr.ad_share:.0%} needs revenue/cost of **{fr.frontier_factor_at_share:.2f}**; a firm at the
{fr.alarm_threshold:.0%} line needs **{fr.frontier_factor_at_threshold:.2f}**, i.e. Kimi needs {fr.factor_ratio:.2f} times as much
paid revenue per yuan of cost for the same rate. To reach the target {fr.target_rate:.2f} at its implied cost base Kimi
would need {F.cny_zh(fr.revenue_needed_for_target_yuan)} of paid revenue a month, {fr.revenue_multiple:.0f} times the assumed revenue.
"""


def consistency_note(cb: CostBase) -> str:
    """Are the implied non-advertising cost and the training cost consistent?"""
    consistency_text, consistency_text_low = _non_ad_phrases(cb)
    train_lo, train_hi = cb.training_low, cb.training_high
    if cb.train_share_hi > 1:
        fit = (
            f"At the upper reading, training alone would cost more than the whole non-advertising budget, so the figures "
            f"agree only for the lower part of 'several 千万' or an ad share of at most {cb.share_limit:.1%} in the peak month "
            f"(a lower share implies a larger total cost)."
        )
    elif cb.train_share_hi > 0.8:
        fit = (
            f"The orders of magnitude agree, but at the upper reading training would take {cb.train_share_hi:.0%} of it, "
            f"leaving little for inference and staff: the figures sit comfortably together only for the lower part of "
            f"'several 千万' or a peak-month ad share clearly below {cb.share_limit:.1%} (at that share the non-advertising "
            f"part would just equal the upper reading)."
        )
    else:
        fit = (
            f"Training fits inside it with {1 - cb.train_share_hi:.0%}–{1 - cb.train_share_lo:.0%} left for inference, staff and "
            f"everything else: consistent, though the rule then implies a large cost the articles do not account for."
        )
    return f"""
**Are they consistent?** The non-advertising cost implied by the {F.cny_zh(cb.peak_ad_spend_yuan)} peak is **{F.cny_zh(cb.implied_non_ad_monthly_cost_yuan)}**
a month, against "several 千万" = {F.wan_zh(train_lo)}–{F.wan_zh(train_hi)}元 ({F.cny_zh(train_lo)}–{F.cny_zh(train_hi)},
{cb.training_obs}): {consistency_text}. With the {F.cny_zh(cb.peak_ad_spend_low_yuan)} reading ({cb.peak_ad_spend_low_obs}) it is
{F.cny_zh(cb.implied_non_ad_monthly_cost_low_yuan)}, {consistency_text_low}. But training is only *part* of the non-advertising cost (inference
compute, salaries and offices are in it too), so the real question is whether training fits *inside* it: it would take
{cb.train_share_lo:.0%} to {cb.train_share_hi:.0%} of it. {fit}
"""


def paying_users_note(pu: PayingUsers) -> str:
    """Paying users needed, as a share of MAU."""
    return f"""
At {pu.price_per_paying_user_yuan:g}元 a month Kimi would need **{F.wan_zh(pu.paying_users_needed)} paying users** to cover
{F.cny_zh(pu.total_cost)} a month: **{pu.paying_share_of_mau:.1%}** of the {F.wan_zh(pu.mau)} monthly users QuestMobile
counted in {pu.mau_month:%B %Y} (the QuestMobile month nearest the peak ad spend). Covering the
non-advertising cost alone would take {F.wan_zh(pu.paying_users_needed_non_ad)} ({pu.non_ad_share_of_mau:.1%}).
The assumed revenue of {F.cny_zh(pu.paid_revenue_monthly_yuan)} corresponds to {F.wan_zh(pu.users_at_assumed_revenue)} payers
({pu.assumed_share_of_mau:.2%} of MAU).""" + "".join(
        f" A conflicting figure: {r['value_text']} ({oid}, {r['period']}, {r['firm']}); with it the share would be "
        f"{r['share']:.1%}."
        for oid, r in pu.conflicting.iterrows()
    )


def mc_spec(mc: MonteCarlo):
    """The Monte Carlo's input distributions and its target."""
    return mc.inputs, (
        f"{mc.samples:,} draws, seed {mc.seed}. Target rate: **{mc.target:.2f}**"
        + (" (a firm that just breaks even at the alarm line)." if mc.target_is_threshold_firm else ".")
    )


def mc_note(mc: MonteCarlo) -> str:
    """The Monte Carlo in words."""
    s, torn, target = mc.summary, mc.tornado, mc.target
    return f"""
In {mc.samples:,} draws the rate exceeds {target:.2f} in **{s["p_rate_above_target"]:.1%}** of them and revenue covers
cost in {s["p_break_even"]:.1%}; the median rate is {s["rate_median"]:.4f} (90% interval {s["rate_p05"]:.4f} to
{s["rate_p95"]:.4f}). **{torn.index[0]}** moves the rate most (a swing of {torn["swing"].iloc[0]:.4f}), so the verdict
rests on the number the articles do not give.""" + (
        f""" A structural point: with the cost implied from a fixed ad spend,
the rate is revenue × share × (1 − share) ÷ ad spend, which can never exceed revenue ÷ (4 × ad spend), reached at a 50%
share, and is the same for a share *s* and 1 − *s* (a {mc.ad_share:.0%} share and a {mc.mirror_share:.0%} share give the same
rate, because the smaller share implies a larger cost). Reaching {target:.2f} would take a paid revenue of at least
{F.cny_zh(mc.revenue_for_target_any_share)} a month at the peak spend, whatever the share."""
        if mc.cost_is_implied
        else ""
    )


def runway_table(rw: Runway):
    """Months each investment figure lasts under each burn scenario."""
    funding_label = rw.funding_labels
    show = rw.runway.rename(index=burn_labels(rw), columns=funding_label)
    show.insert(0, "monthly burn", [F.cny_zh(rw.burn_scenarios_yuan[k]) for k in rw.runway.index])
    table = show.style.format({c: "{:.1f}" for c in funding_label.values()}, na_rep="no burn")
    return table, (
        f"Funding at {rw.usd_cny:g} CNY per USD: "
        + "; ".join(f"{funding_label[k]} = {F.cny_zh(v, 1)}" for k, v in rw.funding_cny.items())
        + (" (the article says *over* this amount: a lower bound)." if rw.last_is_lower_bound else ".")
    )


def runway_note(rw: Runway) -> str:
    """The runway in words: an arithmetic of constant burns, each date a quarter (a constant burn from the round's
    month has no month-precise end)."""
    first, last, runway = rw.first, rw.last, rw.runway

    def _when(k, f):
        return rw.cash_out_dates[k][f] or "never (no net burn)"

    def _amount(oid: str) -> str:
        return rw.funding_labels[oid].split(" (")[0]

    return f"""
At the implied peak cost of {F.cny_zh(rw.total_cost)} a month, {_amount(first)} lasts
**{cast(float, runway.at["total_cost", first]):.1f} months** (to {_when("total_cost", first)}) and {_amount(last)}
**{cast(float, runway.at["total_cost", last]):.1f} months** (to {_when("total_cost", last)}). With advertising stopped the same money
lasts {cast(float, runway.at["non_ad_cost", first]):.0f}–{cast(float, runway.at["non_ad_cost", last]):.0f} months. The articles say there was no new
funding after {rw.last_funding:%B %Y} ({rw.last_funding_source}). At the peak month's rate, held every month, even the larger
figure would have been spent {"before" if rw.spent_before_latest_article else "after"} the latest article ({rw.last_article:%B %Y}).
This is arithmetic, not a forecast: notebook 02's spend paths (the ledger above) burn the peak rate only in the reported peak
months, and only this one investment is counted here (other rounds, cash in hand and revenue are not).
"""


def alternative_reading_table(alt: AlternativeReading):
    """The share read as a share of revenue: a table and its story."""
    table = alt.table.style.format(
        cast(
            dict[str, Any],
            {
                "share": "{:.0%}",
                "paid_revenue": F.cny_zh,
                "total_cost": F.cny_zh,
                "total_cost_low": F.cny_zh,
                "rate_low": "{:.4f}",
                "rate_high": "{:.4f}",
            },
        ),
        na_rep="–",
    )
    b, c, rate = alt.face_value, alt.from_revenue, alt.rate
    text = f"Under the main reading Kimi's rate is **{rate:.4f}**."
    if b is not None and alt.face_value_revenue_cost is not None and alt.face_value_vs_alarm is not None:
        (rc_hi, rc_lo), (vs_lo, vs_hi) = alt.face_value_revenue_cost, alt.face_value_vs_alarm
        text += (
            f" Read as a share of **revenue**, a {alt.ad_share:.0%} share would mean Kimi earned {F.cny_zh(b['paid_revenue'])} a "
            f"month (ad spend ÷ share); with the training cost as the only other cost, revenue/cost would be "
            f"{rc_hi:.2f}–{rc_lo:.2f} and the rate "
            f"**{b['rate_low']:.2f}–{b['rate_high']:.2f}**, {vs_lo:.0%}–"
            f"{vs_hi:.0%} of a break-even firm at the alarm line"
            + (
                f", {alt.face_value_vs_main[0]:.0f}–{alt.face_value_vs_main[1]:.0f} times the main reading's rate"
                if alt.face_value_vs_main
                else ""
            )
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
    return table, text
