"""Prose and display tables of notebook 04 (Kimi against its competitors): each function takes one section of
the analysis (the summary, the verdict and the headline take the whole analysis) and returns a string or a table."""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pandas as pd

from kimi_research.analysis.competitors import (
    KIMI,
    AdSpend,
    Backing,
    Capabilities,
    ComparisonAnalysis,
    ContextWindows,
    RankHistory,
    RankingAtDate,
    Snapshots,
    SpendPerNewUser,
    Verdict,
)
from kimi_research.data.vocabulary import QUALIFIER_SYMBOL, rank_text
from kimi_research.presentation import format as F


def _bound(qualifier: str, value: float) -> str:
    """A bound in 万 with its sign: '≥2000万', '≤3'."""
    return QUALIFIER_SYMBOL.get(qualifier, "") + F.wan_zh(value)


def explain_ranks(full: pd.DataFrame, rank_rows: pd.DataFrame) -> dict[str, str]:
    """One sentence per app of the list saying where its rank comes from."""
    out: dict[str, str] = {}
    exact_valued = full[full["rank"].notna() & full["value"].notna()]
    for e, r in full.iterrows():
        e = cast(str, e)
        rows = rank_rows[rank_rows["entity"] == e]
        said = (
            ", ".join(
                f"{rank_text(v, q)} ({i})" for q, v, i in zip(rows["qualifier"], rows["value"], rows["obs_id"], strict=True)
            )
            or "no rank"
        )
        if r["basis"] == "stated":
            out[e] = f"{r['name']}: {r['rank_text']}, as stated ({said})."
        elif r["rank"] is not None and not pd.isna(r["rank"]):
            why = []
            if not pd.isna(r["value"]):
                others = exact_valued.drop(index=e, errors="ignore")
                below = others[(others["value"] < r["value"]) & (others["basis"] == "stated")]
                above = others[(others["value"] > r["value"]) & (others["basis"] == "stated")]
                if len(below):
                    b = below.sort_values("rank").iloc[0]
                    why.append(f"its value is above {b['name']}'s (stated rank {b['rank_text']})")
                if len(above):
                    a = above.sort_values("rank").iloc[-1]
                    why.append(f"below {a['name']}'s (stated rank {a['rank_text']})")
            taken = full[(full.index != e) & full["rank"].notna() & (full["lo"] == full["hi"]) & full["value"].isna()]
            if len(taken) and rows.empty:
                why.append(
                    "ranks "
                    + ", ".join(f"{int(x)}" for x in sorted(taken["rank"].astype(int)))
                    + " are taken by apps without a value"
                )
            out[e] = f"{r['name']}: {r['rank_text']}, derived: the list says {said}; " + "; ".join(why) + "."
        else:
            out[e] = f"{r['name']}: {r['rank_text']} ({r['basis']}; the list says {said})."
    return out


def _where(rk: RankingAtDate) -> str:
    avg = " (monthly average)" if rk.scale == "monthly average" else ""
    return f"{rk.metric.upper()}{avg}, {rk.as_of.label} ({rk.vendor_label})"


def headline(an: ComparisonAnalysis) -> str:
    """One sentence for the title slide and the index."""
    rk = an.ranking
    top = [(x.entity, x.name, x.value) for x in rk.ranking if x.value is not None and x.entity != KIMI][:2]
    where = _where(rk)
    ratios = ", ".join(f"{n} {rk.ratio_to_kimi[e]:.1f}×" for e, n, _ in top if e in rk.ratio_to_kimi)
    kv = rk.kimi_value
    if rk.kimi_rank is not None:
        text = f"{where}: Kimi ranks {F.ordinal(rk.kimi_rank)}" + (
            f" with {F.users_en(kv)}" if kv is not None else " (no value published)"
        )
    elif kv is not None:
        text = f"{where}: Kimi has {F.users_en(kv)}, no rank stated"
    elif rk.kimi_rank_text != "not in the list":
        bound = f" (only a bound: {rk.ranking_bounds[KIMI]})" if KIMI in rk.ranking_bounds else ", no value published"
        text = f"{where}: Kimi is ranked {rk.kimi_rank_text}{bound}"
    else:
        values = ", ".join(f"{n} {F.users_en(v)}" for _, n, v in top if v is not None)
        return f"{where}: Kimi is not in the list" + (f"; {values}." if values else ".")
    return text + (f"; {ratios} Kimi's users." if ratios else ".")


def _ranking_line(rk: RankingAtDate) -> str:
    table = rk.table
    valued = table[table["value"].notna()]
    rivals = valued[valued.index != KIMI].sort_values("value", ascending=False)
    if KIMI in table.index and rk.kimi_value is not None:
        ratio_line = ", ".join(f"{r['name']} {r['ratio_to_kimi']:.1f}×" for _, r in rivals.iterrows())
        line = (
            f"Kimi is **{F.ordinal(rk.kimi_rank) if rk.kimi_rank else rk.kimi_rank_text}** with "
            f"**{F.wan_zh(rk.kimi_value)}**; the rivals have, relative to Kimi: {ratio_line}."
        )
    elif KIMI in table.index:
        line = f"Kimi is ranked **{rk.kimi_rank_text}**, with no value published."
    else:
        line = "Kimi is not in this list."
    if len(rivals) >= 2:
        top2 = valued.sort_values("value", ascending=False)
        line += (
            f" {top2.iloc[0]['name']} ({F.wan_zh(top2.iloc[0]['value'])}) has {top2.iloc[0]['value'] / top2.iloc[1]['value']:.2f}× "
            f"{top2.iloc[1]['name']} ({F.wan_zh(top2.iloc[1]['value'])})."
        )
    line += "".join(
        f" {r['name']} ≈ {F.wan_zh(r['value'], 0)} is derived ({r['formula']}, {r['inputs']}), not measured."
        for _, r in rk.derived_rows.iterrows()
    )
    noval = table[table["value"].isna() & ~table.index.isin(list(rk.ranking_bounds))]
    if len(noval):
        line += (
            " "
            + ", ".join(f"{r['name']} ({r['rank_text']})" for _, r in noval.iterrows())
            + " are ranked but no value is published: they are shown without bars."
        )
    if rk.ranking_bounds:
        line += (
            " Only a bound is published for "
            + ", ".join(
                f"{rk.names[e].en} ({_bound(cast(str, table.at[e, 'qualifier']), cast(float, table.at[e, 'bound_value']))}, as written {t})"
                for e, t in rk.ranking_bounds.items()
            )
            + ": shown, never ranked as a point."
        )
    for e, alts in rk.ranking_conflicts.items():
        line += (
            f" {rk.names[e].en}'s figure conflicts with another for the same list and period: "
            f"{table.at[e, 'value_text']!s} ({table.at[e, 'value_obs']!s}) is used (a point, a named firm, a tier-1 "
            f"source, the lowest id first); not used: {', '.join(alts)}."
        )
    return line


def _year_before_line(h: RankHistory) -> str:
    change = h.rank_change
    chg_line = (
        f"A year earlier ({change.before_period}) Kimi was **{F.ordinal(change.before_rank) if change.exact else change.before_text}** in the same list: "
        f"it lost **{change.places_lost} places**."
        if change
        else "No rank a year earlier in the same list."
    )
    yb = h.year_before_rows
    yb_other = yb[yb["metric"] != h.rank_metric] if h.rank_metric else yb
    yb_line = "; ".join(
        f"{r['metric'].replace('_rank', '').upper()} rank {r['rank_text']} ({r['vendor_name']}, {r['period']})"
        for _, r in yb_other.iterrows()
    )
    return f"{chg_line} {('Also: ' + yb_line + '.') if yb_line else ''}"


def _times(x: float) -> str:
    return f"{x:.1f}×" if x >= 1 else f"{x:.2g}×"  # 5.5×, 0.21×, 0.3×


def _quarter_how(sp: AdSpend, e: str) -> str:
    """How an app's spend per month in the comparison quarter was obtained, in words."""
    r = cast(pd.Series, sp.quarter_rows.loc[e])
    if r["months_covered"] == "the quarter":
        how = f"the quarter's {'at least ' if r['bound'] == 'lower' else ''}{F.cny_zh(r['total'])} ÷ 3"
        if not pd.isna(r["parts_total"]):
            how += (
                f"; the figures inside the quarter, never added to it, give "
                f"{'at least ' if r['parts_bound'] == 'lower' else ''}{F.cny_zh(r['parts_total'])}"
            )
        return how
    return f"{r['months_covered']} only, {r['coverage']:.0%} of the quarter's days"


def _firms(sp: AdSpend, e: str) -> str:
    ids = [i.strip() for i in cast(str, sp.quarter_rows.at[e, "obs"]).split(",")]
    firms = sorted({str(v) for v in sp.rows.loc[sp.rows.index.isin(ids), "vendor_name"]})
    return ", ".join(firms)


def _spend_line(sp: AdSpend) -> str:
    quarter, q = sp.ad_spend_quarter, sp.quarter_rows
    if not quarter:
        return "No quarter with spending figures for the selected apps."
    if sp.outspend is None or sp.top_rival is None:
        return f"In {quarter}: " + ", ".join(
            f"{sp.names[cast(str, e)].en} {F.cny_zh(v)} a month ({_quarter_how(sp, cast(str, e))})"
            for e, v in q["per_month"].items()
        )
    k = cast(pd.Series, q.loc[KIMI])
    cover = (
        f"Kimi's figures cover the quarter: {F.cny_zh(k['low_month'])} a month"
        if k["months_covered"] == "the quarter"
        else f"Kimi's figures cover {k['months_covered']} only ({k['coverage']:.0%} of the quarter's days: its total for the "
        f"quarter, {F.cny_zh(k['total'])}, is a lower bound): at least **{F.cny_zh(k['low_month'])} a month**"
    )
    same = (
        "notebook 02 gives the same ratio"
        if sp.ad_spend_quarter == sp.peak_quarter
        else f"notebook 02 compares Kimi's peak months, in {sp.peak_quarter}, instead"
        if sp.peak_quarter
        else "notebook 02 has no peak month to compare"
    )
    rival = sp.top_rival
    return (
        f"In {quarter} {cover} on advertising ({_firms(sp, KIMI)}), **{_times(sp.outspend)}** the highest rival's monthly "
        f"rate ({sp.names[rival].en}: {F.cny_zh(cast(float, q.at[rival, 'per_month']))} a month, {_quarter_how(sp, rival)}; {same})."
    )


#: how a snapshot's scale reads in prose
SCALE_WORDS = {
    "month": "a month",
    "monthly average": "a monthly average",
    "end of period": "at the end of the period",
    "day": "one day",
    "days": "a window of days",
    "week": "a week",
    "quarter": "a quarter",
}


def _snapshot_text(sn: Snapshots, i: int) -> str:
    snap = sn.snapshots[i]
    pts = sn.points[sn.points["group"] == i]
    firm = pts["vendor_name"].iloc[0] if len(pts) else "no measurement firm named"
    parts = []
    for _, r in pts[~pts["derived"]].iterrows():
        text = F.wan_zh(r["value"])
        parts.append(f"{sn.names[r['entity']].en} {QUALIFIER_SYMBOL.get(_qualifier(r['bound']), '')}{text}")
    for d in snap.derived:
        parts.append(f"{sn.names[d.entity].en} ≈ {F.wan_zh(d.value, 0)} (derived: {d.formula})")
    return f"{snap.metric.upper()} {snap.period} ({firm}, {SCALE_WORDS.get(snap.scale, snap.scale)}): " + ", ".join(parts)


def _qualifier(bound: str) -> str:
    return {"lower": ">=", "upper": "<="}.get(bound, "=")


def snapshots_line(sn: Snapshots) -> str:
    """The other comparisons in one sentence (all of them when there are two or fewer, else the latest of each
    metric)."""
    n = len(sn.snapshots)
    if n == 0:
        return "none for the selected apps."
    if n <= 2:
        return "; ".join(_snapshot_text(sn, i) for i in range(n)) + "."
    latest = {}
    for i, s in enumerate(sn.snapshots):
        latest[s.metric] = i  # snapshots are in time order within a metric
    return (
        f"{n} other comparisons of two or more apps, each on one firm's list for one period and one scale (section 2; "
        "a quarter's average is never shown as one of its months, a bound never as a point). The latest: "
        + "; ".join(_snapshot_text(sn, i) for i in latest.values())
        + "."
    )


def snapshots_table(sn: Snapshots):
    """Every figure of the snapshots: one row per app, firm, period and scale, with its observation."""
    p = sn.points
    t = p.assign(
        app=[sn.names[e].en for e in p["entity"]],
        metric=p["metric"].str.upper(),
        figure=[
            ("≈ " if d else QUALIFIER_SYMBOL.get(_qualifier(b), "")) + F.wan_zh(v, 0 if d else None)
            for v, b, d in zip(p["value"], p["bound"], p["derived"], strict=True)
        ],
        kind=[
            "derived from a share" if d else {"lower": "lower bound", "upper": "upper bound"}.get(b, "as published")
            for b, d in zip(p["bound"], p["derived"], strict=True)
        ],
    )
    return (
        t[["metric", "period", "scale", "vendor_name", "app", "figure", "kind", "obs_id"]]
        .rename(columns={"vendor_name": "firm", "obs_id": "observation"})
        .style.hide(axis="index")
    )


def _ratio_text(value: float, bound: str | None) -> str:
    sign = {"lower": "at least ", "upper": "at most "}.get(bound or "", "")
    return f"{sign}{F.cny_zh(value, 2)}"


def spend_per_new_user_line(a: SpendPerNewUser) -> str:
    """The spend per new user in one paragraph: each app's windows, the benchmark, what is left out."""
    t = a.table
    bench = a.names[a.spend_benchmark].en if a.spend_benchmark in a.names else a.spend_benchmark
    if not len(t):
        text = "No app has both a spend figure and a MAU gain from one firm over the same window"
    else:
        parts = []
        for e, g in t.groupby("entity", sort=False):
            items = []
            for _, r in g.iterrows():
                firm = a.firm_names.get(r["firm"], "no firm named")
                gain = ("at least " if r["gain_bound"] == "lower" else "at most " if r["gain_bound"] == "upper" else "") + (
                    f"{'+' if r['gain'] >= 0 else ''}{F.wan_zh(r['gain'])}"
                )
                if r["reason"] == "none reported":
                    items.append(f"{r['window']}: MAU {gain} ({firm}) with no advertising reported")
                elif r["value"] is None or pd.isna(r["value"]):
                    items.append(f"{r['window']}: {r['reason']}")
                else:
                    items.append(f"{r['window']}: **{_ratio_text(r['value'], r['bound'])}** per MAU gained ({firm}, MAU {gain})")
            parts.append(f"{a.names[cast(str, e)].en}: " + "; ".join(items))
        text = "; ".join(parts)
    left = []
    no_gain = [e for e in a.apps_without_gain if e != a.spend_benchmark]
    if no_gain:
        left.append("spend but no like-for-like MAU gain: " + ", ".join(a.names[e].en for e in no_gain))
    if a.apps_without_spend:
        left.append("no spend figure: " + ", ".join(a.names[e].en for e in a.apps_without_spend))
    bench_line = f"{bench} is the zero-ad benchmark: no source reports any advertising for it (none reported, not 0)" + (
        "; no firm gives its MAU both just before and at the end of a window in which it grew"
        if a.spend_benchmark in a.apps_without_gain
        else ""
    )
    return f"{text}. {bench_line}" + (f". Listed, not compared: {'; '.join(left)}." if left else ".")


def spend_per_new_user_table(a: SpendPerNewUser):
    """The spend per new user, one row per app, window and firm, with the observations used."""
    t = a.table
    if t.empty:
        return pd.DataFrame({"spend per new user": ["no app has both a spend figure and a MAU gain over the same window"]})
    rows = pd.DataFrame(
        {
            "app": [a.names[e].en for e in t["entity"]],
            "window": t["window"],
            "MAU firm": [a.firm_names.get(f, "no firm named") for f in t["firm"]],
            "MAU before → at the end": [
                f"{b} ({bp}) → {e} ({ep})"
                for b, bp, e, ep in zip(t["before_text"], t["before_period"], t["end_text"], t["end_period"], strict=True)
            ],
            "MAU gained": [
                ("≥" if gb == "lower" else "≤" if gb == "upper" else "") + F.wan_zh(g)
                for g, gb in zip(t["gain"], t["gain_bound"], strict=True)
            ],
            "spend": [
                "none reported" if s is None or pd.isna(s) else ("≥" if sb == "lower" else "") + F.cny_zh(s)
                for s, sb in zip(t["spend"], t["spend_bound"], strict=True)
            ],
            "per MAU gained": [
                r if v is None or pd.isna(v) else _ratio_text(v, b)
                for v, b, r in zip(t["value"], t["bound"], t["reason"], strict=True)
            ],
            "observations": [
                ", ".join([*so, bo, eo]) for so, bo, eo in zip(t["spend_obs"], t["before_obs"], t["end_obs"], strict=True)
            ],
        }
    )
    return rows.style.hide(axis="index")


def ad_share_line(a: SpendPerNewUser) -> str:
    """The ad share against the user share, in words."""
    s = a.shares
    if s.empty:
        return (
            "No window in which two or more apps have both a spend figure and a MAU figure from one firm at its end: "
            "no ad share is set against a user share."
        )
    out = []
    for (w, f), g in s.groupby(["window", "firm"], sort=False):
        items = []
        for _, r in g.iterrows():
            ad = {"lower": "at least ", "upper": "at most "}.get(r["ad_share_bound"] or "", "") + f"{r['ad_share']:.0%}"
            if r["ad_share_bound"] is None or pd.isna(r["ad_share_bound"]):
                ad = f"{r['ad_share']:.0%} (no bound)"
            us = {"lower": "at least ", "upper": "at most "}.get(r["user_share_bound"] or "", "") + f"{r['user_share']:.0%}"
            if r["user_share_bound"] is None or pd.isna(r["user_share_bound"]):
                us = "unknown (the MAU figures are bounds)"
            items.append(f"{a.names[r['entity']].en} {ad} of the advertising, {us} of the users")
        out.append(f"{w} ({a.firm_names.get(cast(str, f), f)} MAU at the end): " + "; ".join(items))
    return "Among the apps with both, in each window: " + ". ".join(out) + "."


def summary_markdown(an: ComparisonAnalysis) -> str:
    """The bullets under 'What this notebook finds', from computed values only."""
    rk, cw, v = an.ranking, an.context_windows, an.verdict
    s = v.verdict
    windows = cw.windows
    kw = cast(pd.Series, windows.loc[cw.kimi_camp]) if cw.kimi_camp in windows.index else None
    win_line = (
        ""
        if kw is None
        else f"Kimi's largest context window, {kw['value_text']}, is about {F.wan_zh(kw['tokens_equiv'])} tokens at "
        f"{cw.chars_per_token} characters per token (assumption); largest overall: "
        f"{cw.camp_names[windows.index[0]]} {windows.iloc[0]['value_text']}."
    )
    holds = "holds" if s.holds else "does not hold"
    cap_line = (
        f"capabilities Kimi shares with at least one rival: {', '.join(s.shared_with_rivals) or 'none'}"
        + (f"; Kimi's alone: {', '.join(s.unique_to_kimi)}" if s.unique_to_kimi else "")
        + (f"; not stated for any selected rival: {', '.join(s.not_stated_for_rivals)}" if s.not_stated_for_rivals else "")
        + "."
    )
    return f"""* **Evidence**: {F.evidence_used(an.basis.evidence)} (parameter `evidence`).
* **Ranking** ({rk.vendor_label}, {rk.metric_name.lower()}, {rk.period}): {_ranking_line(rk)}
* **A year before**: {_year_before_line(an.rank_history)}
* **Other snapshots**: {snapshots_line(an.snapshots)}
* **Advertising**: {_spend_line(an.ad_spend)}
* **Spend per new user**: {spend_per_new_user_line(an.acquisition)}
* **Capabilities**: {cap_line} Rivals have what Kimi lacks: {", ".join(s.rivals_have_kimi_lacks) or "nothing"}. {win_line}
* **Verdict**: "whatever Kimi has, the others have too, and it is not the best" **{holds}**:
  Kimi leads on {len(s.leads_now)} of {int(v.table["current"].sum())} current comparisons, is level on
  {len(s.par_now)}, trails on {len(s.trails_now)}; it led before on {", ".join(s.leads_before) or "nothing"}.
"""


def ranking_table(rk: RankingAtDate):
    """The ranking at the chosen date, and other vendors' rows of the period."""
    table = rk.table
    show = table.assign(
        value=[
            F.wan_zh(v)
            if not np.isnan(v)
            else f"{_bound(q, b)} (a bound: not ranked as a point)"
            if not np.isnan(b)
            else "— (none published)"
            for v, q, b in zip(table["value"], table["qualifier"], table["bound_value"], strict=True)
        ],
        ratio=[f"{x:.1f}×" if not np.isnan(x) else "" for x in table["ratio_to_kimi"]],
        conflicts=[c or "" for c in table["conflicts"]],
    )
    cols = ["name", "backing", "value", "rank_text", "basis", "ratio", "value_obs", "rank_obs"]
    if (show["conflicts"] != "").any():
        cols.append("conflicts")
    styled = (
        show[cols]
        .rename(
            columns={
                "rank_text": "rank",
                "ratio": "÷ Kimi",
                "value_obs": "value row",
                "rank_obs": "rank rows",
                "conflicts": "conflicting figures, not used",
            }
        )
        .style.hide(axis="index")
    )
    md = ""
    if len(rk.other_lists):
        md = "Other vendors' rows in the same period (not ranked together with this list): " + "; ".join(
            f"{r['name']} {r['metric']} {r['value_text']} ({r['vendor_name']}, {r['obs_id']})"
            for _, r in rk.other_lists.iterrows()
        )
    return styled, md


def rank_sources(rk: RankingAtDate) -> str:
    """Where each rank comes from."""
    why = explain_ranks(rk.full, rk.rank_rows)
    return (
        "**Where each rank comes from** (an app's rank is the only integer consistent with the stated "
        "ranks and bounds, the order of the values, and the ranks other apps hold; otherwise the "
        "bound is kept):\n\n" + "\n".join(f"* {why[e]}" for e in rk.full.index if e in rk.table.index)
    )


def flagged_spend(sp: AdSpend) -> str:
    """Flagged spend rows with their notes."""
    spend = sp.rows
    flagged = spend[(spend["flag_text"] != "") & (spend["repeat_of"] == "")]
    seen_notes, lines = set(), []
    for _, r in flagged.iterrows():
        note = r["note"] if isinstance(r["note"], str) and r["note"] not in seen_notes else ""
        seen_notes.add(r["note"])
        lines.append(
            f"* **{r['name']} {r['value_text']}** ({r['period']}, {r['vendor_name']}, {r['obs_id']}; "
            f"{F.cny_zh(r['per_month'])} a month): {r['flag_text']}" + (f". {note}" if note else " (note as above)")
        )
    return "**Flagged rows** (data/observations.csv, with their notes):\n\n" + "\n".join(lines)


def spend_rows_table(sp: AdSpend):
    """Every spend row, per month."""
    rows = sp.rows.assign(per_month_text=[F.cny_zh(v) for v in sp.rows["per_month"]])
    return (
        rows[["name", "metric", "period", "value_text", "per_month_text", "vendor_name", "flag_text", "all_sources", "repeat_of"]]
        .rename(
            columns={
                "per_month_text": "per month",
                "vendor_name": "vendor",
                "flag_text": "flags",
                "all_sources": "articles",
                "repeat_of": "same fact as",
            }
        )
        .style.hide(axis="index")
    )


def spend_by_quarter_note(sp: AdSpend) -> str:
    """What the quarterly spend table shows."""
    return (
        "**Per month, by quarter** (the comparability layer's total over each quarter: the quarter's own figure when "
        "there is one, never added to the months or campaigns inside it; otherwise the months with figures, "
        "divided by the months they cover, and marked *only* with the months: the quarter's total is then a lower "
        f"bound). The comparison quarter is **{sp.ad_spend_quarter}**, the latest with figures for the most apps:"
    )


def spend_by_quarter_table(sp: AdSpend) -> pd.DataFrame:
    """Spend per month by quarter and app (CNY), with the months a figure covers when it is not the quarter."""
    b = sp.by_quarter.assign(
        text=[
            ("≥" if o else "") + F.cny_zh(v) + ("" if mc == "the quarter" else f" ({mc} only)")
            for v, o, mc in zip(
                sp.by_quarter["per_month"], sp.by_quarter["open_figure"], sp.by_quarter["months_covered"], strict=True
            )
        ]
    )
    q = b.pivot_table(index="quarter", columns="entity", values="text", aggfunc="first")
    q.columns = [sp.names[c].en for c in q.columns]
    return q.fillna("")


def capability_table(c: Capabilities):
    """The capability matrix as a table."""
    return c.matrix.style.set_properties(None, **{"white-space": "pre-wrap", "font-size": "0.85em", "text-align": "left"})


def capability_facts_table(c: Capabilities):
    """Every capability fact with its record and article."""
    pd.set_option("display.max_colwidth", 90)
    return (
        c.facts[["camp", "dimension", "text", "record", "source_id"]]
        .assign(camp=lambda f: f["camp"].map(c.camp_names))
        .sort_values(["camp", "dimension"])
        .style.hide(axis="index")
    )


def windows_table(cw: ContextWindows):
    """Largest windows per company, and what the chars_per_token assumption changes."""
    windows, lead, over, kimi_camp = cw.windows, cw.lead, cw.overtaken_by, cw.kimi_camp
    be = ", ".join(
        f"{cw.camp_names[c]} ({windows.at[c, 'value_text']!s}) if chars_per_token < {v:.2f}"
        for c, v in sorted(cw.break_even_chars_per_token.items(), key=lambda kv: -kv[1])
    )
    lead_line = (
        f"At launch ({lead['period']}) Kimi's {lead['kimi']} was {lead['ratio_low']:.0f}–{lead['ratio_high']:.0f}× "
        f"the industry's {lead['industry']} ({lead['kimi_obs']}, {lead['industry_obs']})"
        + (
            f", and article 001 ranks it {lead['capability_rank']} in the world ({lead['capability_rank_obs']})"
            if lead["capability_rank"]
            else ""
        )
        + "."
        if lead
        else ""
    )
    over_line = (
        ""
        if not over
        else f"A rival first stated a larger window {over['months_later']:.0f} months after Kimi's "
        f"{over['kimi_period']} figure: {cw.camp_names[over['by']]} "
        f"{over['value_text']} ({over['period']}, {over['obs_id']})."
    )
    md = f"""
{lead_line} With `chars_per_token` = {cw.chars_per_token} (**assumption**), Kimi's largest window
({(windows.at[kimi_camp, "value_text"] if kimi_camp in windows.index else "—")!s}) is about
{F.wan_zh(cast(float, windows.at[kimi_camp, "tokens_equiv"])) if kimi_camp in windows.index else "—"} tokens†. Kimi's window is the larger one against:
{be or "no other window"}. Each threshold is where the order flips: an assumption close to a
threshold makes that comparison uncertain, one far from it does not.
{over_line}

"""
    styled = windows.assign(
        company=[cw.camp_names[c] for c in windows.index],
        tokens=[
            f"{F.wan_zh(v)}" + ("†" if c else "") for v, c in zip(windows["tokens_equiv"], windows["converted"], strict=True)
        ],
    )[["company", "entity", "value_text", "period", "tokens", "obs_id", "source_id"]].style.hide(axis="index")
    return styled, md


def backing_tables(b: Backing) -> list[pd.DataFrame]:
    """Users and ad spend summed by backing (a list of tables)."""
    ub = b.users
    shown = ub.assign(
        users=[F.wan_zh(v) for v in ub["users"]],
        share=[f"{x:.0%}" for x in ub["share_of_valued"]],
        unvalued=[
            (
                ""
                if n == 0
                else f"+ {a}: between {F.wan_zh(lo)} and {F.wan_zh(h)} in total"
                if not np.isnan(lo)
                else f"+ {a}: unknown"
            )
            for n, a, lo, h in zip(
                ub["n_unvalued"], ub["apps_without_value"], ub["unvalued_low"], ub["unvalued_high"], strict=True
            )
        ],
    )
    tables = [
        shown[["apps_with_value", "users", "share", "unvalued"]].rename(
            columns={
                "apps_with_value": "apps with a value",
                "users": f"{b.metric.upper()} (sum)",
                "share": "share of the valued total",
                "unvalued": "ranked, no value",
            }
        )
    ]
    if b.spend is not None:
        tables.append(
            b.spend.assign(per_month=[F.cny_zh(v) for v in b.spend["per_month"]]).rename(
                columns={
                    "per_month": f"ad spend per month, {b.quarter}",
                    "covered": "figures for part of the quarter (the month's rate, not the quarter's)",
                }
            )
        )
    return tables


def verdict_table(v: Verdict):
    """Every comparison: Kimi's figure, the best rival's, the status."""
    t = v.table
    return t.assign(
        **cast(
            dict[str, Any],
            {
                "Kimi ÷ best": [f"{x:.2f}" if not np.isnan(x) else "" for x in t["kimi_over_best"]],
                "when": np.where(t["current"], np.where(t["comparable"], "now", "now (context: not comparable)"), "before"),
            },
        )
    )[["dimension", "kimi", "best rival", "Kimi ÷ best", "status", "when"]].style.hide(axis="index")


def verdict_markdown(an: ComparisonAnalysis) -> str:
    """The verdict in words."""
    v, cw, change = an.verdict, an.context_windows, an.rank_history.rank_change
    s, lead, over, breakeven = v.verdict, cw.lead, cw.overtaken_by, cw.break_even_chars_per_token
    spend_rows = v.table[v.table["dimension"].str.startswith("ad spend")]
    spend_sentence = ""
    if len(spend_rows):
        sr = spend_rows.iloc[0]
        figures = f"{sr['dimension']}: {sr['kimi']}, {_times(sr['kimi_over_best'])} the biggest rival spender"
        fall = f"{change.text} in {an.ranking.vendor_label}'s {change.metric.replace('_rank', '').upper()} list" if change else ""
        spend_sentence = (
            f"Where Kimi did lead, in advertising ({figures}), the money did not hold its rank" + (f": {fall}." if fall else ".")
            if sr["status"] == "leads"
            else f"In advertising Kimi did not lead ({figures})" + (f"; its rank went {fall}." if fall else ".")
        )
    ctx_sentence = (
        ""
        if not lead
        else f"The early lead in context length was real ({lead['ratio_low']:.0f}–{lead['ratio_high']:.0f}× the industry in {lead['period']})"
        + (
            f", and a rival stated a larger window {over['months_later']:.0f} months after Kimi's largest "
            f"({cw.camp_names[over['by']]}, {over['period']})."
            if over
            else "."
        )
    )

    def _list(xs: list[str]) -> str:
        return ", ".join(xs) if xs else "nothing"

    lines = [
        f"**Kimi leads now on:** {_list(s.leads_now)}.",
        f"**Level with the best rival on:** {_list(s.par_now)}.",
        f"**Trails or lacks on:** {_list(s.trails_now)}.",
        f"**It led before on:** {_list(s.leads_before)}.",
        f"**Shown for context, not evidence for the verdict** (counts of what the articles happen to list, or facts "
        f"of different dates, units or kinds): {_list(s.context_only)}.",
    ]
    part1 = (
        "every capability Kimi has that the articles also discuss for a rival is held by at least one rival ("
        + _list(s.shared_with_rivals)
        + ")"
        if s.others_have_what_kimi_has
        else "Kimi alone has: " + _list(s.unique_to_kimi)
    )
    if s.not_stated_for_rivals:
        part1 += f"; for {_list(s.not_stated_for_rivals)} the articles say nothing about the selected rivals"
    part2 = (
        "Kimi is ahead of every rival on none of the current, comparable comparisons"
        if s.kimi_best_nowhere
        else "Kimi is ahead on: " + _list(s.leads_now)
    )
    holds = "holds" if s.holds else "does not hold"
    return (
        "\n\n".join(lines)
        + f"""

**Verdict: the articles' "whatever Kimi has, the others have too, and it is not the best" {holds}.**
Part one: {part1}. Part two: {part2}. If anything the articles are generous: Kimi does not even
have everything the others have ({_list(s.rivals_have_kimi_lacks)}: the big techs' moats).
{spend_sentence} {ctx_sentence}

The verdict would change with the `chars_per_token` assumption only if Kimi's window beat the
largest rival's, i.e. below {min(breakeven.values()) if breakeven else float("nan"):.2f} characters per token
(the default is {v.chars_per_token}).
"""
    )


def rank_history_table(h: RankHistory):
    """Kimi's rank rows, oldest first."""
    return h.history[["period", "list", "rank_text", "obs_id", "source_id"]].style.hide(axis="index")
