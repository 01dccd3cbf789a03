"""Prose and display tables of notebook 04 (Kimi against its competitors): each function takes one section of
the analysis (the summary, the verdict and the headline take the whole analysis) and returns a string or a table."""

from __future__ import annotations

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
    Verdict,
)
from kimi_research.data.vocabulary import rank_text
from kimi_research.presentation import format as F


def explain_ranks(full: pd.DataFrame, rank_rows: pd.DataFrame) -> dict[str, str]:
    """One sentence per app of the list saying where its rank comes from."""
    out = {}
    exact_valued = full[full["rank"].notna() & full["value"].notna()]
    for e, r in full.iterrows():
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


def headline(an: ComparisonAnalysis) -> str:
    """One sentence for the title slide and the index."""
    rk = an.ranking
    top = [(x.entity, x.name, x.value) for x in rk.ranking if x.value is not None][:2]
    where = f"{rk.metric.upper()}, {rk.as_of.label} ({rk.vendor_name})"
    if rk.kimi_rank is None:
        return f"{where}: Kimi is not ranked; " + ", ".join(f"{n} {F.users_en(v)}" for _, n, v in top) + "."
    ratios = ", ".join(f"{n} {rk.ratio_to_kimi[e]:.1f}×" for e, n, _ in top if e in rk.ratio_to_kimi)
    text = f"{where}: Kimi ranks {F.ordinal(rk.kimi_rank)}" + (
        f" with {F.users_en(rk.kimi_value)}" if rk.kimi_value is not None else " (no value published)"
    )
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
    noval = table[table["value"].isna()]
    if len(noval):
        line += (
            " "
            + ", ".join(f"{r['name']} ({r['rank_text']})" for _, r in noval.iterrows())
            + " are ranked but no value is published: they are shown without bars."
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


def _spend_line(sp: AdSpend) -> str:
    quarter, q = sp.ad_spend_quarter, sp.quarter_rows
    if not quarter:
        return "No quarter with spending figures for the selected apps."
    if sp.outspend is None or sp.top_rival is None:
        return f"In {quarter}: " + ", ".join(f"{sp.names[e].en} {F.cny_zh(v)}/month" for e, v in q["per_month"].items())
    return (
        f"In {quarter} Kimi's figures cover {q.at[KIMI, 'months_covered']} only"
        + (" (no figure for the quarter's other month)" if q.at[KIMI, "months"] == 2 else "")
        + f": at least **{F.cny_zh(q.at[KIMI, 'low_month'])} a month** on advertising (AppGrowing), "
        f"**{sp.outspend:.1f}×** the highest rival's monthly rate ({sp.names[sp.top_rival].en}, "
        f"{F.cny_zh(q.at[sp.top_rival, 'per_month'])} a month over the quarter; notebook 02 gives the same ratio)."
    )


def summary_markdown(an: ComparisonAnalysis) -> str:
    """The bullets under 'What this notebook finds', from computed values only."""
    rk, cw, v = an.ranking, an.context_windows, an.verdict
    s = v.verdict
    snap_lines = []
    for view in an.snapshots.views:
        vals = ", ".join(f"{r['name']} {F.wan_zh(r['value'])}" for _, r in view.values.iterrows())
        dl = "".join(f"; {r['name']} ≈ {F.wan_zh(r['value'], 0)} (derived: {r['formula']})" for _, r in view.derived.iterrows())
        snap_lines.append(f"{view.metric.upper()} {view.period}: {vals}{dl}")
    windows = cw.windows
    kw = windows.loc[cw.kimi_camp] if cw.kimi_camp in windows.index else None
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
* **Other snapshots**: {"; ".join(snap_lines) if snap_lines else "none for the selected apps"}.
* **Advertising**: {_spend_line(an.ad_spend)}
* **Capabilities**: {cap_line} Rivals have what Kimi lacks: {", ".join(s.rivals_have_kimi_lacks) or "nothing"}. {win_line}
* **Verdict**: "whatever Kimi has, the others have too, and it is not the best" **{holds}**:
  Kimi leads on {len(s.leads_now)} of {int(v.table["current"].sum())} current comparisons, is level on
  {len(s.par_now)}, trails on {len(s.trails_now)}; it led before on {", ".join(s.leads_before) or "nothing"}.
"""


def ranking_table(rk: RankingAtDate):
    """The ranking at the chosen date, and other vendors' rows of the period."""
    table = rk.table
    show = table.assign(
        value=[F.wan_zh(v) if not np.isnan(v) else "— (none published)" for v in table["value"]],
        ratio=[f"{x:.1f}×" if not np.isnan(x) else "" for x in table["ratio_to_kimi"]],
    )
    styled = (
        show[["name", "backing", "value", "rank_text", "basis", "ratio", "value_obs", "rank_obs"]]
        .rename(columns={"rank_text": "rank", "ratio": "÷ Kimi", "value_obs": "value row", "rank_obs": "rank rows"})
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
        f"**Per month, by quarter** (point figures only; Kimi's quarter is the mean of the months "
        f"given). The comparison quarter is **{sp.ad_spend_quarter}**, the latest with figures for the most apps:"
    )


def spend_by_quarter_table(sp: AdSpend) -> pd.DataFrame:
    """Spend per month by quarter and app (CNY)."""
    q = sp.by_quarter.pivot_table(index="quarter", columns="entity", values="per_month", aggfunc="sum")
    q.columns = [sp.names[c].en for c in q.columns]
    return q.map(lambda v: "" if pd.isna(v) else F.cny_zh(v))


def capability_table(c: Capabilities):
    """The capability matrix as a table."""
    return c.matrix.style.set_properties(**{"white-space": "pre-wrap", "font-size": "0.85em", "text-align": "left"})


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
        f"{cw.camp_names[c]} ({windows.at[c, 'value_text']}) if chars_per_token < {v:.2f}"
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
({windows.at[kimi_camp, "value_text"] if kimi_camp in windows.index else "—"}) is about
{F.wan_zh(windows.at[kimi_camp, "tokens_equiv"]) if kimi_camp in windows.index else "—"} tokens†. Kimi's window is the larger one against:
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
                columns={"per_month": f"ad spend per month, {b.quarter}"}
            )
        )
    return tables


def verdict_table(v: Verdict):
    """Every comparison: Kimi's figure, the best rival's, the status."""
    t = v.table
    return t.assign(
        **{
            "Kimi ÷ best": [f"{x:.2f}" if not np.isnan(x) else "" for x in t["kimi_over_best"]],
            "when": np.where(t["current"], np.where(t["comparable"], "now", "now (context: not comparable)"), "before"),
        }
    )[["dimension", "kimi", "best rival", "Kimi ÷ best", "status", "when"]].style.hide(axis="index")


def verdict_markdown(an: ComparisonAnalysis) -> str:
    """The verdict in words."""
    v, cw, change = an.verdict, an.context_windows, an.rank_history.rank_change
    s, lead, over, breakeven = v.verdict, cw.lead, cw.overtaken_by, cw.break_even_chars_per_token
    spend_rows = v.table[v.table["dimension"].str.startswith("ad spend")]
    spend_sentence = ""
    if len(spend_rows):
        sr = spend_rows.iloc[0]
        figures = f"{sr['dimension']}: {sr['kimi']}, {sr['kimi_over_best']:.1f}× the biggest rival spender"
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
