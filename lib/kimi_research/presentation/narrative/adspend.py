"""Prose of notebook 02 (the ad-spend bubble)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kimi_research.analysis import adspend
from kimi_research.analysis.adspend import BUDGET
from kimi_research.presentation import format as F
from kimi_research.presentation import plotting


def ci_text(lo_hi, fmt="{:.1%}") -> str:
    """An interval for prose: '12.3% to 45.6%', '... to no upper limit', 'not estimated'."""
    if lo_hi is None:
        return "not estimated"
    lo, hi = min(lo_hi), max(lo_hi)
    return f"{fmt.format(lo)} to " + ("no upper limit" if np.isinf(hi) else fmt.format(hi))


def _burn_vs_article(an) -> str:
    a = an.burn_article["base_value"]
    return "rounded down" if a < an.burn31 else "inside that range" if a <= an.burn30 else "rounded up"


def _churn_text(an) -> str:
    fit, churn = an.fit, an.churn
    if fit.fitted:
        return (
            f"fitted monthly churn **{churn:.1%}** ({fit.level:.0%} profile interval {ci_text(an.ci)}, from {fit.n} MAU points)"
        )
    return f"monthly churn **{churn:.1%}** (set by the `monthly_churn` parameter)"


def headline(ds, r: dict, P) -> str:
    """One sentence for the title slide and the index, from the results JSON: the churn as the range the MAU
    points allow over the CPA readings and spend paths (no single churn stated as fact); the cost per retained user
    as a floor when the retention is an upper bound."""
    lo, hi = r["churn_range_allowed"]
    joint = r["churn_by_cpa_and_path"]
    at_default = [j for j in joint if j["cpa_yuan"] == P.cpa_yuan and j["spend_path"] == P.spend_path]
    cpas = sorted({j["cpa_yuan"] for j in joint})
    floor = "at least " if r["cost_per_retained_user_is_lower_bound"] else ""
    default = f" ({at_default[0]['churn']:.1%} at CNY {P.cpa_yuan:g} and the '{P.spend_path}' path)" if at_default else ""
    return (
        f"Peak ad spend {F.cny_en(r['peak_monthly_spend_yuan'])} a month ({r['peak_month']}); a user kept 30 days "
        f"cost {floor}CNY {r['cost_per_retained_user_yuan']:,.0f}; the MAU points fit a bought-user churn anywhere "
        f"from {lo:.0%} to {hi:.0%} a month across CPA CNY {cpas[0]:g}-{cpas[-1]:g} and the spend paths{default}."
    )


def evidence_text(P) -> str:
    return F.evidence_used(P.evidence, code=True)


def joint_table(ds, an, P):
    """The churn fitted at each CPA reading and spend path: what the MAU points allow."""
    t = an.joint.assign(
        cpa=lambda d: d["cpa_yuan"].map(lambda v: f"{v:g}元"),
        churn_pct=lambda d: d["churn"].map("{:.1%}".format),
        half_life=lambda d: d["half_life_months"].map("{:.1f}".format),
        fit_error=lambda d: d["sse"].map("{:.3f}".format),
    )
    wide = t.pivot(index="spend_path", columns="cpa", values="churn_pct")
    return wide


def joint_note(ds, an, P) -> str:
    lo, hi = an.churn_range
    n = an.joint.attrs.get("n", an.fit.n)
    return (
        f"**The churn is pinned only jointly with the CPA.** The same {n} QuestMobile points fit a churn from "
        f"**{lo:.1%} to {hi:.1%}** a month over the articles' CPA readings and the spend paths (every pair above fits "
        "about as well as the best: with this few points the data do not choose between them). A higher CPA buys "
        "fewer users, so fewer need to leave: the churn falls as the CPA rises. Quote the range, not one value."
    )


def evidence_comparison(ds, P):
    """Key results with the articles only and with the supplement, side by side (computed here, both settings)."""
    from kimi_research.data import load

    full = load()
    out = {}
    for ev in ("articles", "all"):
        an = adspend.analyse(full.with_evidence(ev), P.model_copy(update={"evidence": ev}))
        jan = an.spend.loc[an.spend.index == pd.Period("2025-01", freq="M")]
        out[ev] = {
            "spend months with a figure": int(an.spend["data"].sum()),
            "last month with a spend figure": str(an.last_data),
            "spend in January 2025": (
                F.cny_zh(float(jan["spend_yuan"].iloc[0])) + f" ({jan['status'].iloc[0]})" if len(jan) else "not modelled"
            ),
            "MAU points fitted": an.fit.n,
            "churn at the chosen CPA and path": f"{an.churn:.1%}",
            "churn range (CPA x path)": f"{an.churn_range[0]:.1%} to {an.churn_range[1]:.1%}",
        }
    sup = ds.select("kimi", ["ad_creatives", "ad_creatives_change"]) if P.evidence == "all" else None
    table = pd.DataFrame(out)
    table.attrs["creatives"] = sup
    return table


def creatives_note(ds, an, P) -> str:
    if P.evidence != "all":
        return ""
    o = ds.observations
    ch = o[(o["entity"] == "kimi") & (o["metric"] == "ad_creatives_change")]
    if ch.empty:
        return ""
    return (
        "Ad creatives in the supplement (not a spend figure, not in the model): "
        + "; ".join(
            f"{r['value_text']} ({r['period_start']:%Y-%m-%d} to {r['period_end']:%Y-%m-%d}, {oid}, {r['note'].split(';')[0]})"
            for oid, r in ch.iterrows()
        )
        + "."
    )


def summary_markdown(ds, an, P):
    """The bullets under 'What this notebook finds', from computed values only."""
    after = an.after
    all_in = an.all_in
    all_in_param = an.all_in_param
    bought = an.bought
    burn30 = an.burn30
    burn31 = an.burn31
    burn_article = an.burn_article
    burn_hypo = an.burn_hypo
    burn_vs_article = _burn_vs_article(an)
    churn_text = _churn_text(an)
    cost_retained = an.cost_retained
    cpa_rows = an.cpa_rows
    first_t = an.first_t
    fit = an.fit
    hl = an.hl
    implied_cost = an.implied_cost
    kept = an.kept
    last_t = an.last_t
    mau_after = an.mau_after
    new_users_row = an.new_users_row
    observed_change = an.observed_change
    observed_monthly = an.observed_monthly
    peak = an.peak
    peak_month = an.peak_month
    share_row = an.share_row
    twenty = an.twenty
    users_per_budget = an.users_per_budget
    window = an.window
    window_spend = an.window_spend
    worst = an.worst
    return f"""* **Peak burn.** AppGrowing's peak month, {peak_month.strftime("%B %Y")}, is **{F.cny_zh(peak)}**: {F.cny_range_zh(burn31, burn30)}
  a day in a 31- or 30-day month (the article's "{burn_article["value_text"]} a day" is {burn_vs_article}). Article 004's
  hypothetical {F.users_zh(new_users_row["base_value"], 0)} new users a day at {all_in["value_text"]} all-in is
  {F.cny_range_zh(*burn_hypo, digits=0)} a day; "{F.cny_zh(twenty["base_value"])} in {int(twenty["duration_days"])} days" ({twenty["value_text"]}) is {F.cny_zh(twenty["base_value_per_day"], 0)} a day.
* **Cost per user.** {F.cny_zh(BUDGET)} buys {F.users_zh(users_per_budget[cpa_rows.index[0]], 0)} users at {cpa_rows.iloc[0]["value_text"]} but only
  {F.users_zh(users_per_budget[cpa_rows.index[-1]])} at {cpa_rows.iloc[-1]["value_text"]}. With an all-in cost of {all_in_param:g}元 and
  a 30-day retention of {F.pct(P.retention_30d)} (an **unsourced industry rumour**{' of "under ' + an.retention_row["value_text"] + '": an upper bound' if an.retention_row["qualifier"] in ("<", "<=") else ""}), each
  *retained* user costs **{"at least " if an.retention_row["qualifier"] in ("<", "<=") else ""}{cost_retained:,.0f}元**.
* **Bought vs kept.** {window[0].strftime("%b")}–{window[-1].strftime("%b %Y")} spend of {F.cny_zh(window_spend)} buys
  {F.users_zh(bought)} users at {P.cpa_yuan:g}元; QuestMobile measured **{F.users_zh(mau_after)}** MAU in {pd.Period(after["period_start"], freq="M").strftime("%B %Y")},
  {mau_after / bought:.0%} of that. At {F.pct(P.retention_30d)} retention only {F.users_zh(kept)} would remain: the rumoured retention
  is hard to square with the MAU QuestMobile measured.
* **Decay.** QuestMobile's MAU {"fell" if observed_change < 0 else "rose"} {abs(observed_change):.0%} from {first_t["period"]} to {last_t["period"]}
  (about {F.pct(abs(observed_monthly))} a month). A stock-flow model of bought users fits a monthly churn anywhere from
  **{an.churn_range[0]:.1%} to {an.churn_range[1]:.1%}** over the articles' CPA readings and spend paths; {churn_text} at
  {P.cpa_yuan:g}元 on the "{P.spend_path}" path (half-life {hl:.1f} months). With {fit.n} points this illustrates the mechanism
  (the model misses {worst} by {fit.table.at[worst, "relative_error"]:+.0%}). Evidence: {evidence_text(P)}.
* **Bridge to notebook 03.** If the {F.cny_zh(peak)} peak was {share_row["value_text"]} of total cost (article 003), Kimi's
  total monthly cost was about **{F.cny_zh(implied_cost, 2)}**.
"""


def spend_rows_table(ds, an, P):
    """Every spend row as written, with its monthly and daily rate."""
    rows = an.rows
    table = rows.assign(
        source=rows["source_id"].map(lambda s: f"{s} {ds.sources.at[s, 'producer_en']}"),
        vendor=rows["vendor"].fillna("(none named)").map(lambda v: ds.name(v) if v != "(none named)" else v),
        per_month=rows["per_month"].map(lambda v: "" if pd.isna(v) else F.cny_zh(v)),
        per_day=rows["base_value_per_day"].map(lambda v: "" if pd.isna(v) else F.cny_zh(v)),
        flags=rows["flags"].fillna(""),
    )
    return (
        table[["metric", "period", "qualifier", "value_text", "per_month", "per_day", "vendor", "source", "flags"]]
        .sort_values("period")
        .style.hide(axis="index")
    )


def spend_path_note(ds, an, P):
    """What the chosen spend path assumes."""
    floor = an.floor
    return (
        f"**Spend path `{P.spend_path}`:** {adspend.SPEND_PATHS[P.spend_path]}. "
        f"The pre-peak floor is {F.cny_zh(floor)} a month (o001_12, a lower bound)."
    )


def rivals_note(ds, an, P):
    """How far Kimi outspent its rivals in its peak quarter."""
    kimi_peak_pm = an.kimi_peak_pm
    q4 = an.q4
    window = an.window
    return (
        f"In {window[0].strftime('%b')}–{window[-1].strftime('%b %Y')} Kimi spent at least {F.cny_zh(kimi_peak_pm)} a month; in the same "
        "quarter "
        + " and ".join(
            f"{plotting.label(ds, r['entity'])} spent {F.cny_zh(r['base_value_per_month'])} a month" for _, r in q4.iterrows()
        )
        + f": Kimi outspent them {kimi_peak_pm / q4['base_value_per_month'].max():.1f} times over (article 002: "
        "'the most among Chinese LLM apps')."
    )


def unit_economics_table(ds, an, P):
    """The articles' unit economics, recomputed from their rows."""
    all_in = an.all_in
    all_in_param = an.all_in_param
    burn30 = an.burn30
    burn31 = an.burn31
    burn_article = an.burn_article
    burn_hypo = an.burn_hypo
    burn_hypo_article = an.burn_hypo_article
    burn_param = an.burn_param
    cpa_rows = an.cpa_rows
    new_users_row = an.new_users_row
    peak_row = an.peak_row
    twenty = an.twenty
    users_per_budget = an.users_per_budget
    ue = pd.DataFrame(
        [
            {
                "quantity": f"peak month {peak_row['value_text']} per day",
                "computed": f"{F.cny_range_zh(burn31, burn30)}",
                "article says": burn_article["value_text"],
                "rows": f"{peak_row.name}, {burn_article.name}",
            },
            {
                "quantity": f"{new_users_row['value_text']} new users a day × {all_in['value_text']}",
                "computed": f"{F.cny_range_zh(*burn_hypo, digits=0)} a day",
                "article says": burn_hypo_article["value_text"],
                "rows": f"{new_users_row.name}, {all_in.name}, {burn_hypo_article.name}",
            },
            {
                "quantity": f"same with the parameters ({P.daily_new_users:,} × {all_in_param:g}元)",
                "computed": f"{F.cny_zh(burn_param)} a day",
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
                    "computed": F.users_zh(users_per_budget[oid]),
                    "article says": "",
                    "rows": oid,
                }
                for oid, r in cpa_rows.iterrows()
            ],
        ]
    )
    return ue.style.hide(axis="index")


def retained_user_note(ds, an, P):
    """What a retained user costs."""
    all_in_param = an.all_in_param
    churn = an.churn
    cost_retained = an.cost_retained
    retention_row = an.retention_row
    return (
        f"With CPA {P.cpa_yuan:g}元 + compute {P.compute_cost_per_user_yuan:g}元 = **{all_in_param:g}元 all-in** and "
        f"retention {F.pct(P.retention_30d)} (row {retention_row.name}: '{retention_row['value_text']}', flags: "
        f"{retention_row['flags']}), a retained user costs **{cost_retained:,.0f}元**"
        + (
            f", a **lower bound**: the article says retention is *under* {F.pct(P.retention_30d)} ('{retention_row['qualifier']}'), "
            "and every lower retention makes a kept user dearer"
            if retention_row["qualifier"] in ("<", "<=")
            else ""
        )
        + f". The stock-flow model of section 7 keeps "
        f"{1 - churn:.0%} of bought users each month; at that retention a retained user would cost "
        f"{adspend.cost_per_retained_user(P.cpa_yuan, P.compute_cost_per_user_yuan, 1 - churn):,.1f}元."
    )


def bought_vs_kept_note(ds, an, P):
    """Bought against kept, in words."""
    bought_to_last = an.bought_to_last
    hi_cpa = an.hi_cpa
    kept = an.kept
    last_data = an.last_data
    lo_cpa = an.lo_cpa
    mau_after = an.mau_after
    spend_to_last = an.spend_to_last
    window_spend = an.window_spend
    return (
        f"At {lo_cpa['value_text']} per user the peak spend bought {F.users_zh(window_spend / lo_cpa['base_value'])} users, "
        f"{window_spend / lo_cpa['base_value'] / mau_after:.1f} times the MAU measured a month later; at {hi_cpa['value_text']} "
        f"it bought {F.users_zh(window_spend / hi_cpa['base_value'])}, {window_spend / hi_cpa['base_value'] / mau_after:.0%} of it. "
        f"Either way, a 30-day retention of {F.pct(P.retention_30d)} would leave {F.users_zh(kept)}: "
        f"{kept / mau_after:.1%} of the measured MAU. Even all spend up to {last_data.strftime('%b %Y')} on this path "
        f"({F.cny_zh(spend_to_last)}, {F.users_zh(bought_to_last)} users at {P.cpa_yuan:g}元) would keep only "
        f"{F.users_zh(bought_to_last * P.retention_30d)}. Kimi kept far more than {F.pct(P.retention_30d)} of what it bought, or most of its users "
        "were not bought."
        if kept < mau_after
        else "were not bought, or the retention is not that low."
    )


def churn_note(ds, an, P):
    """The fitted (or given) churn and how well it is pinned down."""
    churn = an.churn
    ci = an.ci
    fit = an.fit
    hl = an.hl
    hl_ci = an.hl_ci
    targets = an.targets
    worst = an.worst
    if fit.fitted:
        jk = fit.jackknife
        jk_text = (
            "; leaving one point out gives " + ", ".join(f"{r['churn']:.1%} without {r['left_out']}" for _, r in jk.iterrows())
            if len(jk)
            else ""
        )
        return (
            f"Fitted churn **{churn:.1%}** a month (standard error {fit.se:.1%}; curvature interval {ci_text(fit.ci_curvature)}; "
            f"profile interval {ci_text(ci)}){jk_text}. The **half-life of a bought user** is ln 0.5 ÷ ln(1 − churn) = "
            f"**{hl:.1f} months** (interval {ci_text(hl_ci, '{:.1f}')} months). The largest miss is {worst} "
            f"({fit.table.at[worst, 'relative_error']:+.0%}, {targets.at[worst, 'period']}): one churn rate and one CPA cannot "
            "match every point. Take the mechanism, not the decimals."
        )
    else:
        return (
            f"Churn set to **{churn:.1%}** by the parameter (not fitted); half-life **{hl:.1f} months**. "
            f"Sum of squared log errors at this churn: {fit.sse:.3f} (the fitted minimum is "
            f"{fit.profile['sse'].min():.3f} at {fit.profile.loc[fit.profile['sse'].idxmin(), 'churn']:.1%})."
        )


def counterfactual_note(ds, an, P):
    """The counterfactuals at the last MAU figure."""
    cf_at_last = an.cf_at_last
    last_data = an.last_data
    last_t = an.last_t
    n_after = an.n_after
    spend = an.spend
    return (
        f"Over {last_t['period']} (QuestMobile: {F.users_zh(last_t['base_value'])}) the model gives {F.users_zh(cf_at_last['spend stopped'])} "
        f"with spend stopped and {F.users_zh(cf_at_last['spend continued'])} with spend continued at "
        f"{F.cny_zh(spend.loc[last_data, 'spend_yuan'])} a month, which would have cost "
        f"{F.cny_zh(spend.loc[last_data, 'spend_yuan'] * n_after)} over the {n_after} months to {spend.index[-1].strftime('%b %Y')} "
        f"(the '{P.spend_path}' path assumes {F.cny_zh(spend['spend_yuan'].iloc[-n_after:].sum())}). "
        f"Continued spend has diminishing returns: a month's spend buys ever fewer users as the stock nears a market of "
        f"{F.users_zh(an.saturation)} (parameter `saturation_users`"
        + (f" = the largest MAU of any app in the data, {an.saturation_source}" if P.saturation_users == "largest_app" else "")
        + "), so no spend buys more users than that market holds."
    )


def bridge_note(ds, an, P):
    """The implied total cost that notebook 03 starts from."""
    implied_cost = an.implied_cost
    implied_cost_low = an.implied_cost_low
    low_peak = an.low_peak
    peak = an.peak
    peak_row = an.peak_row
    share_row = an.share_row
    return (
        f"Peak ad spend {F.cny_zh(peak)} ({peak_row.name}) ÷ ad-spend share {share_row['value_text']} ({share_row.name}) = "
        f"**{F.cny_zh(implied_cost, 2)} a month** in total; with article 004's '{low_peak['value_text']}' ({low_peak.name}) "
        f"peak it is {F.cny_zh(implied_cost_low, 2)}. Notebook 03 asks what revenue that cost base would need. The share's base is "
        f"not defined by the article ('{share_row['note']}')."
    )


def verdict_markdown(ds, an, P):
    """The verdict bullets."""
    bought = an.bought
    burn30 = an.burn30
    burn31 = an.burn31
    cf = an.cf
    churn = an.churn
    cost_retained = an.cost_retained
    dau = an.dau
    dau_growth = an.dau_growth
    first_spend = an.first_spend
    first_t = an.first_t
    fit = an.fit
    floor = an.floor
    hi_cpa = an.hi_cpa
    hl = an.hl
    implied_cost = an.implied_cost
    last_data = an.last_data
    last_t = an.last_t
    lo_cpa = an.lo_cpa
    mau_after = an.mau_after
    observed_change = an.observed_change
    observed_monthly = an.observed_monthly
    peak = an.peak
    peak_month = an.peak_month
    span = an.span
    window = an.window
    window_spend = an.window_spend
    span_text = f"{span[0].strftime('%b %Y')} to {span[-1].strftime('%b %Y')}" if len(span) else "no span"
    return f"""
* **Spend.** From a floor of {F.cny_zh(floor)} a month ({span_text}, a lower
  bound) to {F.cny_zh(peak)} in {peak_month.strftime("%B %Y")}{f": up to {peak / floor:.0f} times" if floor > 0 else ""}. Kimi's DAU (no firm named, article 003)
  grew {dau_growth:.1f} times from {dau["period_start"].iloc[0]:%b %Y} to {dau["period_start"].iloc[-1]:%b %Y}; the spend
  recorded in that window starts with {first_spend["scope"]} ({F.cny_zh(first_spend["base_value"])} or more, {", ".join(first_spend["flag_list"])}).
* **{"The peak bought more users than stayed" if bought > mau_after else "At this CPA the peak bought fewer users than were active"}.**
  {window[0].strftime("%b")}–{window[-1].strftime("%b %Y")} spend of {F.cny_zh(window_spend)} buys {F.users_zh(bought)} users at
  {P.cpa_yuan:g}元 (between {F.users_zh(window_spend / hi_cpa["base_value"])} and {F.users_zh(window_spend / lo_cpa["base_value"])} at the articles'
  {hi_cpa["value_text"]} and {lo_cpa["value_text"]}); QuestMobile counted {F.users_zh(mau_after)} active users the next month.
* **Users kept leaving.** QuestMobile's MAU {"fell" if observed_change < 0 else "rose"} {abs(observed_change):.0%} from {first_t["period"]} to {last_t["period"]}, about
  {F.pct(abs(observed_monthly))} a month. The stock-flow model needs a churn of {churn:.1%} a month (half-life {hl:.1f} months)
  {"(fitted)" if fit.fitted else "(given)"} at {P.cpa_yuan:g}元, and anywhere from {an.churn_range[0]:.1%} to {an.churn_range[1]:.1%} over the
  articles' CPA readings and spend paths; with spend stopped after {last_data.strftime("%b %Y")} it ends at
  {F.users_zh(cf["spend stopped"].iloc[-1])} bought users in {cf.index[-1].strftime("%b %Y")}.
* **Unit economics.** Each retained user costs at least {cost_retained:,.0f}元 at the rumoured "under {F.pct(P.retention_30d)}" retention, but
  the measured MAU shows Kimi kept far more than that rumour allows. The peak burn was {F.cny_range_zh(burn31, burn30)} a day,
  and the cost base it implies is about {F.cny_zh(implied_cost, 2)} a month.
* **Caveats.** The CPA ({lo_cpa["value_text"]} vs {hi_cpa["value_text"]}) and the retention are hearsay; spend after {last_data.strftime("%B %Y")} is not reported; the
  model has one parameter and {fit.n} points; organic users ({P.organic_users_per_month:,.0f} a month here) are an assumption. The story "bought growth, leaky bucket"
  fits the numbers qualitatively; the exact churn does not deserve trust.
"""


def fit_table(ds, an, P):
    """The fitted MAU points: period, observed, model, relative error."""
    targets = an.targets
    tt = an.fit.table.assign(
        period=lambda d: d.apply(
            lambda r: (
                targets.at[r.name, "months"][0].strftime("%Y-%m")
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


def not_counted_note(ds, an, P) -> str:
    """MAU rows left out of the fit because they repeat another (counted once)."""
    notes = an.targets[~an.targets["used"]]
    return "Not counted twice: " + "; ".join(f"{i} ({r['reason']})" for i, r in notes.iterrows()) if len(notes) else ""
