"""Prose of notebook 02 (the ad-spend bubble): each function takes one section of the analysis (the summary,
the verdict and the headline take the whole analysis) and returns a string or a table."""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pandas as pd

from kimi_research.analysis.adspend import (
    BUDGET,
    BoughtVsKept,
    BubbleAnalysis,
    ChurnByCpaAndPath,
    CostBase,
    Counterfactuals,
    CumulativeCheck,
    EvidenceComparison,
    PaidAcquisition,
    RetainedUserCost,
    RivalSpend,
    SpendPath,
    StockFlowFit,
    UnitEconomics,
)
from kimi_research.presentation import format as F
from kimi_research.presentation import plotting


def ci_text(lo_hi, fmt="{:.1%}") -> str:
    """An interval for prose: '12.3% to 45.6%', '... to no upper limit', 'not estimated'."""
    if lo_hi is None:
        return "not estimated"
    lo, hi = min(lo_hi), max(lo_hi)
    return f"{fmt.format(lo)} to " + ("no upper limit" if np.isinf(hi) else fmt.format(hi))


def _burn_vs_article(ue: UnitEconomics) -> str:
    a = ue.burn_article["base_value"]
    burn30, burn31 = ue.peak_daily_burn_yuan
    return "rounded down" if a < burn31 else "inside that range" if a <= burn30 else "rounded up"


def _churn_text(f: StockFlowFit) -> str:
    if f.churn_fitted:
        return (
            f"fitted monthly churn **{f.fitted_monthly_churn:.1%}** ({f.fit.level:.0%} profile interval "
            f"{ci_text(f.churn_ci_profile)}, from {f.fit_points} MAU points)"
        )
    return f"monthly churn **{f.fitted_monthly_churn:.1%}** (set by the `monthly_churn` parameter)"


def _cpa(section) -> str:
    """The cost per user a section used, in prose: '10元', or 'the dated CPA path'."""
    return f"{section.cpa_yuan:g}元" if section.cpa_text.startswith("CNY") else section.cpa_text


def _half_life(months: float | None) -> str:
    return "none (no churn)" if months is None or np.isinf(months) else f"{months:.1f} months"


def headline(an: BubbleAnalysis) -> str:
    """One sentence for the title slide and the index: the churn as the range the MAU points allow over the CPA
    readings and spend paths (no single churn stated as fact); the cost per retained user as a floor when the
    retention is an upper bound."""
    j, ue, sp = an.joint, an.retained, an.spend_path
    lo, hi = j.churn_range_allowed
    at_default = [r for r in j.churn_by_cpa_and_path if r["cpa_yuan"] == j.cpa_yuan and r["spend_path"] == j.spend_path]
    cpas = sorted({r["cpa_yuan"] for r in j.churn_by_cpa_and_path})
    floor = "at least " if ue.cost_per_retained_user_is_lower_bound else ""
    worse = "" if not at_default or at_default[0]["allowed"] else ", a worse fit"
    default = f" ({at_default[0]['churn']:.1%} at CNY {j.cpa_yuan:g} and the '{j.spend_path}' path{worse})" if at_default else ""
    return (
        f"Peak ad spend {F.cny_en(sp.peak_monthly_spend_yuan)} a month ({sp.peak_month}); a user kept 30 days "
        f"cost {floor}CNY {ue.cost_per_retained_user_yuan:,.0f}; the MAU points fit a bought-user churn anywhere "
        f"from {lo:.0%} to {hi:.0%} a month across CPA CNY {cpas[0]:g}-{cpas[-1]:g} and the spend paths{default}."
    )


def joint_table(j: ChurnByCpaAndPath) -> pd.DataFrame:
    """The churn fitted at each CPA reading and spend path: what the MAU points allow."""
    t = j.joint.assign(
        cpa=lambda d: d["cpa_yuan"].map(lambda v: f"{v:g}元"),
        churn_pct=lambda d: d["churn"].map("{:.1%}".format),
    )
    return t.pivot(index="spend_path", columns="cpa", values="churn_pct")


def joint_note(j: ChurnByCpaAndPath) -> str:
    lo, hi = j.churn_range_allowed
    return (
        f"**The churn is pinned only jointly with the CPA.** The same {j.n_points} QuestMobile points fit a churn from "
        f"**{lo:.1%} to {hi:.1%}** a month over the articles' CPA readings and the spend paths (every pair above fits "
        "about as well as the best: with this few points the data do not choose between them). A higher CPA buys "
        "fewer users, so fewer need to leave: the churn falls as the CPA rises. Quote the range, not one value."
    )


def evidence_comparison(ec: EvidenceComparison) -> pd.DataFrame | str:
    """Key results with the articles only and with the supplement, side by side (both computed by the analysis)."""
    if ec.table is None:
        return "The comparison of both evidence settings needs the whole dataset, which this run did not give the analysis."

    def cell(key: str, v) -> str:
        if key == "spend in January 2025":
            return "not modelled" if v is None else f"{F.cny_zh(v[0])} ({v[1]})"
        if key == "churn at the chosen CPA and path":
            return f"{v:.1%}"
        if key == "churn range (CPA x path)":
            return f"{v[0]:.1%} to {v[1]:.1%}"
        if key in ("cumulative estimate", "'articles' path over its window", "reconciled path over its window"):
            return "none in this evidence" if v is None else F.cny_zh(v)
        return str(v)

    return pd.DataFrame({ev: {k: cell(cast(str, k), v) for k, v in col.items()} for ev, col in ec.table.items()})


def creatives_note(ec: EvidenceComparison) -> str:
    if ec.creatives.empty:
        return ""
    return (
        "Ad creatives in the supplement (not a spend figure, not in the model): "
        + "; ".join(
            f"{r['value_text']} ({r['period_start']:%Y-%m-%d} to {r['period_end']:%Y-%m-%d}, {oid}, {r['note'].split(';')[0]})"
            for oid, r in ec.creatives.iterrows()
        )
        + "."
    )


def summary_markdown(an: BubbleAnalysis) -> str:
    """The bullets under 'What this notebook finds', from computed values only."""
    sp, ue, rc, bk, f, cb = an.spend_path, an.unit_economics, an.retained, an.bought_vs_kept, an.fit, an.cost_base
    burn30, burn31 = ue.peak_daily_burn_yuan
    twenty, cpa_rows = ue.twenty, ue.cpa_rows
    upper = rc.cost_per_retained_user_is_lower_bound
    peak_month = pd.Period(sp.peak_month, freq="M")
    change = f.observed_mau_change
    lo, hi = an.joint.churn_range_allowed
    return f"""* **Peak burn.** AppGrowing's peak month, {peak_month.strftime("%B %Y")}, is **{F.cny_zh(sp.peak_monthly_spend_yuan)}**: {F.cny_range_zh(burn31, burn30)}
  a day in a 31- or 30-day month (the article's "{ue.burn_article["value_text"]} a day" is {_burn_vs_article(ue)}). Article 004's
  hypothetical {F.users_zh(ue.new_users_row["base_value"], 0)} new users a day at {ue.all_in["value_text"]} all-in is
  {F.cny_range_zh(ue.hypothetical_daily_burn_yuan[0], ue.hypothetical_daily_burn_yuan[1], digits=0)} a day; "{F.cny_zh(twenty["base_value"])} in {int(twenty["duration_days"])} days" ({twenty["value_text"]}) is {F.cny_zh(twenty["base_value_per_day"], 0)} a day.
* **Cost per user.** {F.cny_zh(BUDGET)} buys {F.users_zh(ue.users_per_100m_yuan_by_cpa_row[cpa_rows.index[0]], 0)} users at {cpa_rows.iloc[0]["value_text"]} but only
  {F.users_zh(ue.users_per_100m_yuan_by_cpa_row[cpa_rows.index[-1]])} at {cpa_rows.iloc[-1]["value_text"]}. With an all-in cost of {ue.all_in_cpa_yuan:g}元 and
  a 30-day retention of {F.pct(rc.retention_30d)} (an **unsourced industry rumour**{' of "under ' + rc.retention_row["value_text"] + '": an upper bound' if upper else ""}), each
  *retained* user costs **{"at least " if upper else ""}{rc.cost_per_retained_user_yuan:,.0f}元**.
* **Bought vs kept.** {bk.window[0].strftime("%b")}–{bk.window[-1].strftime("%b %Y")} spend of {F.cny_zh(bk.window_spend)} buys
  {F.users_zh(bk.users_bought_peak_window)} users at {_cpa(bk)}; QuestMobile measured **{F.users_zh(bk.mau_after_peak)}** MAU in {pd.Period(bk.after["period_start"], freq="M").strftime("%B %Y")},
  {bk.mau_to_bought_ratio:.0%} of that. At {F.pct(bk.retention_30d)} retention only {F.users_zh(bk.users_kept_30d_peak_window)} would remain: the rumoured retention
  is hard to square with the MAU QuestMobile measured.
* **Decay.** QuestMobile's MAU {"fell" if change < 0 else "rose"} {abs(change):.0%} from {f.first_t["period"]} to {f.last_t["period"]}
  (about {F.pct(abs(f.observed_mau_monthly_change))} a month). A stock-flow model of bought users fits a monthly churn anywhere from
  **{lo:.1%} to {hi:.1%}** over the articles' CPA readings and spend paths; {_churn_text(f)} at
  {_cpa(f)} on the "{f.spend_path}" path (half-life {_half_life(f.bought_user_half_life_months)}). With {f.fit_points} points this illustrates the mechanism
  (the model misses {f.worst} by {cast(float, f.fit.table.at[f.worst, "relative_error"]):+.0%}). Evidence: {F.evidence_used(an.basis.evidence, code=True)}.
* **Against the trackers.** {_cap(_summary_cumulative(an.cumulative))}
* **Retention the MAU imply.** {_cap(_summary_retention(an.acquisition))}
* **Bridge to notebook 03.** If the {F.cny_zh(sp.peak_monthly_spend_yuan)} peak was {cb.share_row["value_text"]} of total cost (article 003), Kimi's
  total monthly cost was about **{F.cny_zh(cb.implied_total_monthly_cost_yuan, 2)}**.
"""


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _summary_cumulative(cc: CumulativeCheck) -> str:
    x = cc.cumulative_check
    if x.reported_total is None:
        if x.window is None:
            return "the evidence has no cumulative estimate of the ad spend."
        return (
            f"the articles give no cumulative estimate; over the window of the supplement's (AppGrowing, {cc.window_label}) "
            f"their figures and bounds allow at least {F.cny_zh(x.figures_allow)}, and the '{x.path}' path puts {F.cny_zh(x.path_total)} there."
        )
    arts = x.by_path["articles"]
    return (
        f"AppGrowing's own cumulative estimate is **{F.cny_zh(x.reported_total)}** over {cc.window_label} ({x.reported_obs}); "
        f"the '{x.path}' path totals {F.cny_zh(x.path_total)} there ({_gap_text(x.gap, x.gap_share)})"
        + (
            f", the 'articles' path {F.cny_zh(arts.path_total)} ({_gap_text(arts.gap, arts.gap_share)})"
            if x.path != "articles"
            else ""
        )
        + "."
    )


def _summary_retention(pa: PaidAcquisition) -> str:
    if pa.implied_retention_range is None:
        return "bought users alone cannot reach the MAU at any reading."
    lo, hi = pa.implied_retention_range
    return (
        f"if every user was bought, the MAU after the peak needs a 30-day retention of **{lo:.0%} to {hi:.0%}** (the least the "
        "MAU allow to the stock-flow fits' keep rate), far above the rumoured 'under 1%'. At an assumed "
        f"{pa.payback.revenue_per_active_user_yuan:g}元 a month per active user, {_payback_short(pa)}."
    )


def _payback_short(pa: PaidAcquisition) -> str:
    cells = [c for row in pa.payback.months.values() for c in row.values()]
    paid = [c.months for c in cells if c.months is not None]
    return "a bought user never pays back at any reading" if not paid else f"the fastest payback is {min(paid):.1f} months"


def spend_rows_table(sp: SpendPath):
    """Every spend row as written, with its monthly and daily rate."""
    rows = sp.rows
    table = rows.assign(
        vendor=rows["vendor_name"],
        per_month=rows["per_month"].map(lambda v: "" if pd.isna(v) else F.cny_zh(v)),
        per_day=rows["base_value_per_day"].map(lambda v: "" if pd.isna(v) else F.cny_zh(v)),
        flags=rows["flags"].fillna(""),
    )
    return (
        table[["metric", "period", "qualifier", "value_text", "per_month", "per_day", "vendor", "source", "flags"]]
        .sort_values("period")
        .style.hide(axis="index")
    )


def spend_path_note(sp: SpendPath) -> str:
    """What the chosen spend path assumes."""
    return (
        f"**Spend path `{sp.spend_path}`:** {sp.description}. "
        f"The pre-peak floor is {F.cny_zh(sp.spend_floor_yuan_per_month)} a month ({', '.join(sp.floor_obs)}, a lower bound)."
    )


#: the spread rules of adspend.SPREAD_RULES in words
SPREAD_LABELS = {
    "supplement": "the supplement's months first",
    "bounds": "in proportion to the bounds",
    "even": "evenly",
    "near_peak": "nearest the peak first",
}


def _gap_text(gap: float | None, share: float | None) -> str:
    if gap is None or share is None:
        return "no total to compare"
    if abs(share) < 0.005:
        return "meets it"
    return f"{F.cny_zh(abs(gap))} {'below' if gap > 0 else 'above'} it ({abs(share):.0%})"


def cumulative_note(cc: CumulativeCheck) -> str:
    """The chosen path against the trackers' cumulative estimate, or what the evidence alone allows without one."""
    x, rec = cc.cumulative_check, cc.reconciliation
    if x.reported_total is None:
        if x.window is None:
            return f"**No cumulative estimate to check against.** {x.reason.capitalize()}."
        return (
            f"**The articles give no cumulative estimate.** {x.reason[0].upper()}{x.reason[1:]}. Over that window the "
            f"articles' figures and bounds allow at least **{F.cny_zh(x.figures_allow)}** (reported months and bounds only, "
            f"nothing in months without a figure); the '{x.path}' path puts {F.cny_zh(x.path_total)} there. With "
            '`evidence = "all"` the reconciled path meets the estimate.'
        )
    sup = ""
    if rec.supplement is not None and x.spread_rule == "supplement":
        oid, first, level = rec.supplement
        sup = (
            f" The supplement's level is {F.cny_zh(level)} a month from {first.strftime('%B %Y')} ({oid}: its start read from its "
            "wording, its end unknown); months with a figure of their own keep it."
        )
    spread = (
        f" The reconciled path spreads the gap of {F.cny_zh(rec.gap)} over {len(rec.open_months)} open months (whole months "
        f"of the window without a single-month figure) {SPREAD_LABELS[x.spread_rule]}: {cc.rules[x.spread_rule]}."
        if x.spread_rule
        else f" {rec.reason.capitalize()}."
        if rec.reason
        else ""
    )
    return (
        f"**Against the trackers.** {cc_source(cc)} estimates **{F.cny_zh(x.reported_total)}** in total over {cc.window_label} "
        f"({x.reported_obs}, {'an estimate' if x.reported_bound == 'point' else 'a lower bound'}). Over the same window the "
        f"'{x.path}' path totals {F.cny_zh(x.path_total)}: {_gap_text(x.gap, x.gap_share)}. The figures and bounds alone allow "
        f"at least {F.cny_zh(x.figures_allow)}.{spread}{sup}"
    )


def cc_source(cc: CumulativeCheck) -> str:
    """The firm of the cumulative estimate, as the citation names it."""
    return cc.source.firms.split(",")[0] if cc.source.firms else "The tracker"


def cumulative_table(cc: CumulativeCheck) -> pd.DataFrame:
    """Every spend path over the estimate's window: its total and how far it is from the estimate."""
    x = cc.cumulative_check
    rows = {
        p.replace("_", " "): {
            "total over the window": F.cny_zh(t.path_total) if t.path_total is not None else "no window",
            "against the estimate": _gap_text(t.gap, t.gap_share),
        }
        for p, t in x.by_path.items()
    }
    return pd.DataFrame(rows).T.rename_axis("spend path")


def spread_table(cc: CumulativeCheck) -> pd.DataFrame | str:
    """The reconciled path's open months under every spread rule (the rule used first)."""
    if not cc.spread_alternatives:
        return "No gap to spread: " + (cc.reconciliation.reason or "the evidence has no cumulative estimate") + "."
    used = cc.cumulative_check.spread_rule
    order = [used, *[r for r in cc.spread_alternatives if r != used]]
    t = pd.DataFrame({SPREAD_LABELS[r] + (" (used)" if r == used else ""): cc.spread_alternatives[r] for r in order})
    return t.map(F.cny_zh).rename_axis("month")


def cpa_path_table(pa: PaidAcquisition) -> pd.DataFrame:
    """The dated cost-per-user readings of the 'rising' option, each with its rows."""
    return pd.DataFrame(
        [
            {"month": s.month, "CPA": f"{s.cpa_yuan:g}元", "rows": s.obs_ids.replace(";", ", "), "dated by": s.placed}
            for s in pa.cpa_path_steps
        ]
    ).set_index("month")


def bought_by_cpa_note(pa: PaidAcquisition) -> str:
    """Users the peak bought at each CPA, and where 'the peak bought more users than stayed' stops holding."""
    parts = [
        f"{F.users_zh(v)} at {k}元" if k != "rising" else f"{F.users_zh(v)} on the dated CPA path"
        for k, v in pa.users_bought_at_peak_by_cpa.items()
    ]
    limit = pa.peak_bought_more_than_mau_up_to_cpa_yuan
    cheap = [f"{k}元" for k in pa.users_bought_at_peak_by_cpa if k != "rising" and float(k) < limit]
    dear = [f"{k}元" for k in pa.users_bought_at_peak_by_cpa if k != "rising" and float(k) >= limit]
    verdict = f"it holds at {' and '.join(cheap) or 'no reading'}" + (f", not at {' or '.join(dear)}" if dear else "")
    return (
        f"The {pa.window[0].strftime('%b')}–{pa.window[-1].strftime('%b %Y')} spend of {F.cny_zh(pa.window_spend)} bought "
        + "; ".join(parts)
        + f". It bought more users than QuestMobile counted the month after ({F.users_zh(pa.mau_after)}) only at a CPA "
        f"below **{limit:.1f}元**: {verdict}."
    )


def implied_retention_note(pa: PaidAcquisition) -> str:
    """The 30-day retention the MAU points imply, against the rumour."""
    ir = pa.implied_retention
    if pa.implied_retention_range is None:
        return "The MAU points imply no retention: bought users alone cannot reach the MAU at any reading."
    lo, hi = pa.implied_retention_range
    rumour = pa.rumour_row
    under = "under " if len(rumour) and rumour["qualifier"] in ("<", "<=") else ""
    told = f" The rumour of {under}{rumour['value_text']} ({rumour.name}) lies far below." if len(rumour) else ""
    fl = f"{ir.floor_range[0]:.0%} to {ir.floor_range[1]:.0%}" if ir.floor_range else "none reachable"
    keep = f"{ir.model_keep_range[0]:.0%} to {ir.model_keep_range[1]:.0%}" if ir.model_keep_range else "not fitted"
    return (
        f"**What retention the MAU points imply: {lo:.0%} to {hi:.0%}.** If every user was bought (no organic users), "
        f"QuestMobile's {F.users_zh(pa.mau_after)} ({ir.mau_obs}) needs a 30-day retention of at least {fl} over the CPA "
        f"readings and spend paths, even if nobody who stayed past 30 days ever left; the stock-flow fits keep {keep} a "
        f"month.{told} How: {ir.how}"
    )


def payback_table(pa: PaidAcquisition) -> pd.DataFrame:
    """Months to pay back a bought user, by retention reading (rows) and CPA (columns)."""

    def cell(c) -> str:
        if c.months is None:
            life = "no end" if c.lifetime_revenue_yuan is None else F.cny_zh(c.lifetime_revenue_yuan)
            return f"never (earns {life} against {c.cost_yuan:g}元)"
        return f"{c.months:.1f} months"

    pb = pa.payback
    cpas = list(next(iter(pb.months.values())))
    return pd.DataFrame(
        {f"CPA {k}元": {f"{r}: {pb.retention_readings[r]:.1%}": cell(row[k]) for r, row in pb.months.items()} for k in cpas}
    ).rename_axis("30-day retention")


def payback_note(pa: PaidAcquisition) -> str:
    """The payback estimate's condition, and its answer in words."""
    pb = pa.payback
    cells = [c for row in pb.months.values() for c in row.values()]
    never = sum(c.months is None for c in cells)
    answer = (
        "at none of them does a bought user pay back"
        if never == len(cells)
        else f"{len(cells) - never} of the {len(cells)} pairs pay back, the fastest in {min(c.months for c in cells if c.months is not None):.1f} months"
    )
    return (
        f"**Payback, conditional.** {pb.condition[0].upper()}{pb.condition[1:]}. Over the retention readings and CPAs above, "
        f"{answer}. Change `revenue_per_active_user_yuan` to see where it would: a lifetime revenue of revenue × (1 + "
        "retention ÷ churn) must exceed the cost."
    )


def rivals_note(rv: RivalSpend) -> str:
    """How far Kimi outspent its rivals in its peak quarter."""
    if rv.same_quarter.empty:
        return "No rival's spend is reported for the quarter of Kimi's peak months."
    return (
        f"In {rv.window[0].strftime('%b')}–{rv.window[-1].strftime('%b %Y')} Kimi spent at least {F.cny_zh(rv.kimi_peak_per_month)} a month; in the same "
        "quarter "
        + " and ".join(
            f"{plotting.name(rv.names[r['entity']])} spent {F.cny_zh(r['base_value_per_month'])} a month"
            for _, r in rv.same_quarter.iterrows()
        )
        + f": Kimi outspent them {rv.outspend:.1f} times over (article 002: 'the most among Chinese LLM apps')."
    )


def unit_economics_table(ue: UnitEconomics):
    """The articles' unit economics, recomputed from their rows."""
    burn30, burn31 = ue.peak_daily_burn_yuan
    peak_row, twenty = ue.peak_row, ue.twenty
    rows = [
        {
            "quantity": f"peak month {peak_row['value_text']} per day",
            "computed": f"{F.cny_range_zh(burn31, burn30)}",
            "article says": ue.burn_article["value_text"],
            "rows": f"{peak_row.name}, {ue.burn_article.name}",
        },
        {
            "quantity": f"{ue.new_users_row['value_text']} new users a day × {ue.all_in['value_text']}",
            "computed": f"{F.cny_range_zh(ue.hypothetical_daily_burn_yuan[0], ue.hypothetical_daily_burn_yuan[1], digits=0)} a day",
            "article says": ue.burn_hypo_article["value_text"],
            "rows": f"{ue.new_users_row.name}, {ue.all_in.name}, {ue.burn_hypo_article.name}",
        },
        {
            "quantity": f"same with the parameters ({ue.daily_new_users:,} × {ue.all_in_cpa_yuan:g}元)",
            "computed": f"{F.cny_zh(ue.parameter_daily_burn_yuan)} a day",
            "article says": "",
            "rows": "parameters",
        },
        {
            "quantity": f"'{twenty['value_text']}' in {int(twenty['duration_days'])} days",
            "computed": f"{F.cny_zh(twenty['base_value_per_day'], 0)} a day",
            "article says": "",
            "rows": twenty.name,
        },
        *[
            {
                "quantity": f"users bought with {F.cny_zh(BUDGET)} at {r['value_text']}",
                "computed": F.users_zh(ue.users_per_100m_yuan_by_cpa_row[cast(str, oid)]),
                "article says": "",
                "rows": oid,
            }
            for oid, r in ue.cpa_rows.iterrows()
        ],
    ]
    return pd.DataFrame(rows).style.hide(axis="index")


def retained_user_note(ue: RetainedUserCost) -> str:
    """What a retained user costs."""
    r = ue.retention_row
    return (
        f"With CPA {ue.cpa_yuan:g}元 + compute {ue.compute_cost_per_user_yuan:g}元 = **{ue.all_in_cpa_yuan:g}元 all-in** and "
        f"retention {F.pct(ue.retention_30d)} (row {r.name}: '{r['value_text']}', flags: "
        f"{r['flags']}), a retained user costs **{ue.cost_per_retained_user_yuan:,.0f}元**"
        + (
            f", a **lower bound**: the article says retention is *under* {F.pct(ue.retention_30d)} ('{r['qualifier']}'), "
            "and every lower retention makes a kept user dearer"
            if ue.cost_per_retained_user_is_lower_bound
            else ""
        )
        + f". The stock-flow model of section 7 keeps "
        f"{1 - ue.model_churn:.0%} of bought users each month; at that retention a retained user would cost "
        f"{ue.cost_at_model_keep:,.1f}元."
    )


def bought_vs_kept_note(bk: BoughtVsKept) -> str:
    """Bought against kept, in words."""
    lo, hi = bk.by_reading.iloc[0], bk.by_reading.iloc[-1]  # cheapest CPA first
    kept, mau = bk.users_kept_30d_peak_window, bk.mau_after_peak
    return (
        f"At {lo['value_text']} per user the peak spend bought {F.users_zh(lo['users'])} users, "
        f"{lo['share_of_mau']:.1f} times the MAU measured a month later; at {hi['value_text']} "
        f"it bought {F.users_zh(hi['users'])}, {hi['share_of_mau']:.0%} of it. "
        f"Either way, a 30-day retention of {F.pct(bk.retention_30d)} would leave {F.users_zh(kept)}: "
        f"{kept / mau:.1%} of the measured MAU. Even all spend up to {bk.last_data.strftime('%b %Y')} on this path "
        f"({F.cny_zh(bk.spend_to_last)}, {F.users_zh(bk.bought_to_last)} users at {_cpa(bk)}) would keep only "
        f"{F.users_zh(bk.bought_to_last * bk.retention_30d)}. Kimi kept far more than {F.pct(bk.retention_30d)} of what it bought, or most of its users "
        "were not bought."
        if kept < mau
        else "were not bought, or the retention is not that low."
    )


def churn_note(f: StockFlowFit) -> str:
    """The fitted (or given) churn and how well it is pinned down."""
    fit = f.fit
    if f.churn_fitted:
        jk = fit.jackknife
        jk_text = (
            "; leaving one point out gives " + ", ".join(f"{r['churn']:.1%} without {r['left_out']}" for _, r in jk.iterrows())
            if len(jk)
            else ""
        )
        return (
            f"Fitted churn **{f.fitted_monthly_churn:.1%}** a month (standard error {fit.se:.1%}; curvature interval "
            f"{ci_text(fit.ci_curvature)}; profile interval {ci_text(f.churn_ci_profile)}){jk_text}. The **half-life of a "
            f"bought user** is ln 0.5 ÷ ln(1 − churn) = **{_half_life(f.bought_user_half_life_months)}** (interval "
            f"{ci_text(f.half_life_ci_months, '{:.1f}')} months). The largest miss is {f.worst} "
            f"({cast(float, fit.table.at[f.worst, 'relative_error']):+.0%}, {f.targets.at[f.worst, 'period']!s}): one churn rate and one "
            "CPA cannot match every point. Take the mechanism, not the decimals."
        )
    best = fit.profile.loc[cast(Any, fit.profile["sse"].idxmin())]
    return (
        f"Churn set to **{f.fitted_monthly_churn:.1%}** by the parameter (not fitted); half-life "
        f"**{_half_life(f.bought_user_half_life_months)}**. Sum of squared log errors at this churn: {fit.sse:.3f} (the "
        f"fitted minimum is {best['sse']:.3f} at {best['churn']:.1%})."
    )


def counterfactual_note(cf: Counterfactuals) -> str:
    """The counterfactuals at the last MAU figure."""
    at = cf.at_last_point
    return (
        f"Over {cf.last_t['period']} (QuestMobile: {F.users_zh(cf.last_t['base_value'])}) the model gives {F.users_zh(at['spend stopped'])} "
        f"with spend stopped and {F.users_zh(at['spend continued'])} with spend continued at "
        f"{F.cny_zh(cf.continued_level)} a month, which would have cost "
        f"{F.cny_zh(cf.continued_level * cf.months_after)} over the {cf.months_after} months to {cf.cf.index[-1].strftime('%b %Y')} "
        f"(the '{cf.spend_path}' path assumes {F.cny_zh(cf.path_spend_after)}). "
        f"Continued spend has diminishing returns: a month's spend buys ever fewer users as the stock nears a market of "
        f"{F.users_zh(cf.saturation_users)} (parameter `saturation_users`"
        + (
            f" = the largest app's users in the data, {cf.saturation_label} ({cf.saturation_source}; monthly users are at "
            "least the weekly users, so either bounds the market from below)"
            if cf.saturation_is_largest_app
            else ""
        )
        + "), so no spend buys more users than that market holds."
    )


def bridge_note(cb: CostBase) -> str:
    """The implied total cost that notebook 03 starts from."""
    low, _ = cb.implied_total_monthly_cost_range_yuan
    return (
        f"Peak ad spend {F.cny_zh(cb.peak_row['base_value'])} ({cb.peak_row.name}) ÷ ad-spend share {cb.share_row['value_text']} "
        f"({cb.share_row.name}) = **{F.cny_zh(cb.implied_total_monthly_cost_yuan, 2)} a month** in total; with article 004's "
        f"'{cb.low_peak['value_text']}' ({cb.low_peak.name}) peak it is {F.cny_zh(low, 2)}. Notebook 03 asks what revenue that cost "
        f"base would need. The share's base is not defined by the article ('{cb.share_row['note']}')."
    )


def verdict_markdown(an: BubbleAnalysis) -> str:
    """The verdict bullets."""
    sp, bk, f, cf, ue, rise = an.spend_path, an.bought_vs_kept, an.fit, an.counterfactuals, an.unit_economics, an.rise
    rc = an.retained
    floor, peak = sp.spend_floor_yuan_per_month, sp.peak_monthly_spend_yuan
    span = sp.span
    span_text = f"{span[0].strftime('%b %Y')} to {span[-1].strftime('%b %Y')}" if len(span) else "no span"
    lo, hi = bk.by_reading.iloc[0], bk.by_reading.iloc[-1]
    dau, first_spend = rise.dau, rise.first_spend
    change = f.observed_mau_change
    burn30, burn31 = ue.peak_daily_burn_yuan
    bought = bk.users_bought_peak_window
    jlo, jhi = an.joint.churn_range_allowed
    return f"""
* **Spend.** From a floor of {F.cny_zh(floor)} a month ({span_text}, a lower
  bound) to {F.cny_zh(peak)} in {pd.Period(sp.peak_month, freq="M").strftime("%B %Y")}{f": up to {peak / floor:.0f} times" if floor > 0 else ""}. Kimi's DAU (no firm named, article 003)
  grew {rise.dau_growth:.1f} times from {dau["period_start"].iloc[0]:%b %Y} to {dau["period_start"].iloc[-1]:%b %Y}; the spend
  recorded in that window starts with {first_spend["scope"]} ({F.cny_zh(first_spend["base_value"])} or more, {", ".join(first_spend["flag_list"])}).
* **{"The peak bought more users than stayed" if bought > bk.mau_after_peak else "At this CPA the peak bought fewer users than were active"}.**
  {bk.window[0].strftime("%b")}–{bk.window[-1].strftime("%b %Y")} spend of {F.cny_zh(bk.window_spend)} buys {F.users_zh(bought)} users at
  {_cpa(bk)} (between {F.users_zh(hi["users"])} and {F.users_zh(lo["users"])} at the articles'
  {hi["value_text"]} and {lo["value_text"]}); QuestMobile counted {F.users_zh(bk.mau_after_peak)} active users the next month.
* **Users kept leaving.** QuestMobile's MAU {"fell" if change < 0 else "rose"} {abs(change):.0%} from {f.first_t["period"]} to {f.last_t["period"]}, about
  {F.pct(abs(f.observed_mau_monthly_change))} a month. The stock-flow model needs a churn of {f.fitted_monthly_churn:.1%} a month (half-life {_half_life(f.bought_user_half_life_months)})
  {"(fitted)" if f.churn_fitted else "(given)"} at {_cpa(f)}, and anywhere from {jlo:.1%} to {jhi:.1%} over the
  articles' CPA readings and spend paths; with spend stopped after {sp.last_data.strftime("%b %Y")} it ends at
  {F.users_zh(cf.cf["spend stopped"].iloc[-1])} bought users in {cf.cf.index[-1].strftime("%b %Y")}.
* **Unit economics.** Each retained user costs at least {rc.cost_per_retained_user_yuan:,.0f}元 at the rumoured "under {F.pct(rc.retention_30d)}" retention, but
  the measured MAU shows Kimi kept far more than that rumour allows. The peak burn was {F.cny_range_zh(burn31, burn30)} a day,
  and the cost base it implies is about {F.cny_zh(an.cost_base.implied_total_monthly_cost_yuan, 2)} a month.
* **What the fit supports, and what it does not.** With organic users set to {cf.organic_users_per_month:,.0f} a month (an assumption, not an
  estimate), the {f.fit_points} QuestMobile points allow a bought-user churn anywhere from {jlo:.0%} to {jhi:.0%} a month over the CPA readings and
  spend paths (the pairs that fit about as well as the best); at {f.cpa_text} on the '{f.spend_path}' path the model misses one point by
  {max(abs(v) for v in f.fit_relative_errors.values()):.0%}. The points do not test whether the users were bought (organic users are assumed, not
  estimated), nor which churn is right. The CPA ({lo["value_text"]} vs {hi["value_text"]}) and the retention are hearsay, and spend after
  {sp.last_data.strftime("%B %Y")} is not reported.
"""


def fit_table(f: StockFlowFit) -> pd.DataFrame:
    """The fitted MAU points: period, observed, model, relative error."""
    targets = f.targets
    tt = f.fit.table.assign(
        period=lambda d: d.apply(
            lambda r: (
                cast(list[pd.Period], targets.at[r.name, "months"])[0].strftime("%Y-%m")
                if r["n_months"] == 1
                else f"{r['period_start']:%Y-%m} to {r['period_end']:%Y-%m} (mean)"
            ),
            axis=1,
        ),
        observed=lambda d: d["base_value"].map(F.users_zh),
        model=lambda d: d["model"].map(F.users_zh),
        error=lambda d: d["relative_error"].map("{:+.1%}".format),
    )
    return tt[["period", "observed", "model", "error", "source_id"]]


def not_counted_note(f: StockFlowFit) -> str:
    """MAU rows left out of the fit because they repeat another (counted once)."""
    notes = f.targets[~f.targets["used"]]
    return "Not counted twice: " + "; ".join(f"{i} ({r['reason']})" for i, r in notes.iterrows()) if len(notes) else ""
