"""Prose and display tables of notebook 04 (Kimi against its competitors)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kimi_research.analysis import competitors
from kimi_research.analysis.competitors import (
    CAP_DIMENSIONS,
    _window_steps,
    camp_name,
    comparisons,
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


def capability_matrix(ds, facts: pd.DataFrame, camp_list: list[str]) -> pd.DataFrame:
    """Camp x dimension cells: the facts joined with '; ' and their source ids in brackets;
    '—' = the articles say nothing. Context windows read 'first → largest'."""
    cells = {}
    for c in camp_list:
        row = {}
        for d in CAP_DIMENSIONS:
            f = facts[(facts["camp"] == c) & (facts["dimension"] == d)]
            if f.empty:
                row[d] = "—"
                continue
            if d == "context window":
                steps = _window_steps(f)
                who = f.iloc[0]["text"].split(": ")[0] + ": " if ": " in f.iloc[0]["text"] else ""
                row[d] = who + " → ".join(st[0] for st in steps) + f" [{', '.join(sorted({x for st in steps for x in st[2]}))}]"
                continue
            srcs = ", ".join(sorted(set(f["source_id"])))
            row[d] = "; ".join(dict.fromkeys(f["text"])) + f" [{srcs}]"
        cells[camp_name(ds, c)] = row
    return pd.DataFrame(cells).T[CAP_DIMENSIONS]


def verdict_rows(
    ds,
    table: pd.DataFrame,
    metric: str,
    change: dict | None,
    facts: pd.DataFrame,
    status: pd.DataFrame,
    spend_q: pd.DataFrame | None,
    quarter: str | None,
    kimi_camp: str = "moonshot",
) -> pd.DataFrame:
    """The verdict table as read: analysis.competitors.comparisons with its figures written out."""
    return verdict_text(comparisons(ds, table, metric, change, facts, status, spend_q, quarter, kimi_camp))


def verdict_text(t: pd.DataFrame) -> pd.DataFrame:
    """Fill 'kimi' and 'best rival' of the rows that carry a number (users in 万, CNY)."""
    t = t.copy()
    fmt = {"users": F.wan_zh, "CNY": F.cny_zh}
    for i, r in t[t["unit"].notna()].iterrows():
        f = fmt[r["unit"]]
        note = f" ({r['kimi_note']})" if isinstance(r["kimi_note"], str) else ""
        rnote = f" ({r['rival_note']})" if isinstance(r["rival_note"], str) else ""
        t.at[i, "kimi"] = f"{f(r['kimi_value'])}{note}"
        t.at[i, "best rival"] = f"{r['rival']} {f(r['rival_value'])}{rnote}"
    return t[["dimension", "kimi", "best rival", "kimi_over_best", "status", "current", "comparable"]]


def headline(ds, r: dict, P) -> str:
    """One sentence for the title slide and the index, from the results JSON."""
    top = [x for x in r["ranking"] if x.get("value") is not None][:2]
    where = f"{r['metric'].upper()}, {r['as_of']['label']} ({ds.name(r['vendor'])})"
    if r.get("kimi_rank") is None:
        return f"{where}: Kimi is not ranked; " + ", ".join(f"{x['name']} {F.users_en(x['value'])}" for x in top) + "."
    ratios = ", ".join(
        f"{x['name']} {r['ratio_to_kimi'][x['entity']]:.1f}×" for x in top if x["entity"] in r.get("ratio_to_kimi", {})
    )
    text = f"{where}: Kimi ranks {F.ordinal(r['kimi_rank'])} with {F.users_en(r['kimi_value'])}"
    return text + (f"; {ratios} Kimi's users." if ratios else ".")


def summary_markdown(ds, an, P):
    """The bullets under 'What this notebook finds', from computed values only."""
    byq = an.byq
    change = an.change
    derived = an.derived
    holds = "holds" if an.summary["holds"] else "does not hold"
    kimi_camp = an.kimi_camp
    kimi_in = an.kimi_in
    kimi_rank = an.kimi_rank
    kimi_rank_text = an.kimi_rank_text
    kimi_value = an.kimi_value
    metric_name = an.metric_name
    quarter = an.quarter
    rank_metric_id = an.rank_metric_id
    snapshot_tables = an.snapshot_tables
    summary = an.summary
    table = an.table
    valued = an.valued
    vendor_label = an.vendor_label
    vt = an.vt
    windows = an.windows
    year_before_rows = an.year_before_rows
    rivals = valued[valued.index != "kimi"].sort_values("value", ascending=False)
    if kimi_in and not np.isnan(kimi_value):
        ratio_line = ", ".join(f"{r['name']} {r['ratio_to_kimi']:.1f}×" for _, r in rivals.iterrows())
        rank_line = (
            f"Kimi is **{F.ordinal(kimi_rank) if kimi_rank else kimi_rank_text}** with "
            f"**{F.wan_zh(kimi_value)}**; the rivals have, relative to Kimi: {ratio_line}."
        )
    elif kimi_in:
        rank_line = f"Kimi is ranked **{kimi_rank_text}**, with no value published."
    else:
        rank_line = "Kimi is not in this list."
    if len(rivals) >= 2:
        top2 = valued.sort_values("value", ascending=False)
        rank_line += (
            f" {top2.iloc[0]['name']} ({F.wan_zh(top2.iloc[0]['value'])}) has {top2.iloc[0]['value'] / top2.iloc[1]['value']:.2f}× "
            f"{top2.iloc[1]['name']} ({F.wan_zh(top2.iloc[1]['value'])})."
        )
    rank_line += "".join(
        f" {r['name']} ≈ {F.wan_zh(r['value'], 0)} is derived ({r['formula']}, {r['inputs']}), not measured."
        for _, r in derived.iterrows()
    )
    noval = table[table["value"].isna()]
    noval_line = (
        ""
        if noval.empty
        else " "
        + ", ".join(f"{r['name']} ({r['rank_text']})" for _, r in noval.iterrows())
        + " are ranked but no value is published: they are shown without bars."
    )
    chg_line = (
        f"A year earlier ({change['before_period']}) Kimi was **{F.ordinal(change['before_rank']) if change['exact'] else change['before_text']}** in the same list: "
        f"it lost **{change['places_lost']} places**."
        if change
        else "No rank a year earlier in the same list."
    )
    yb_other = year_before_rows[year_before_rows["metric"] != rank_metric_id] if rank_metric_id else year_before_rows
    yb_line = "; ".join(
        f"{r['metric'].replace('_rank', '').upper()} rank {r['rank_text']} ({r['vendor_name']}, {r['period']})"
        for _, r in yb_other.iterrows()
    )
    snap_lines = []
    for s, snap, d in snapshot_tables:
        t = snap["table"]
        vals = ", ".join(f"{r['name']} {F.wan_zh(r['value'])}" for _, r in t[t["value"].notna()].iterrows())
        dl = "".join(f"; {r['name']} ≈ {F.wan_zh(r['value'], 0)} (derived: {r['formula']})" for _, r in d.iterrows())
        snap_lines.append(f"{s['metric'].upper()} {s['period']}: {vals}{dl}")
    if quarter:
        q = byq[byq["quarter"] == quarter].set_index("entity")
        others_q = q.drop(index="kimi", errors="ignore")["per_month"].sum()
        rivals_q = q.drop(index="kimi", errors="ignore")
        spend_line = (
            f"In {quarter} Kimi's figures cover {q.at['kimi', 'months_covered']} only"
            + (" (no figure for the quarter's other month)" if q.at["kimi", "months"] == 2 else "")
            + f": at least **{F.cny_zh(q.at['kimi', 'low_month'])} a month** on advertising (AppGrowing), "
            f"**{competitors.outspend_ratio(pd.Series([q.at['kimi', 'low_month']]), rivals_q['per_month']):.1f}×** the "
            f"highest rival's monthly rate ({ds.name(rivals_q['per_month'].idxmax())}, "
            f"{F.cny_zh(rivals_q['per_month'].max())} a month over the quarter; notebook 02 gives the same ratio)."
            if "kimi" in q.index and others_q > 0
            else f"In {quarter}: " + ", ".join(f"{ds.name(e)} {F.cny_zh(v)}/month" for e, v in q["per_month"].items())
        )
    else:
        spend_line = "No quarter with spending figures for the selected apps."
    kw = windows.loc[kimi_camp] if kimi_camp in windows.index else None
    win_line = (
        ""
        if kw is None
        else f"Kimi's largest context window, {kw['value_text']}, is about {F.wan_zh(kw['tokens_equiv'])} tokens at "
        f"{P.chars_per_token} characters per token (assumption); largest overall: "
        f"{competitors.camp_name(ds, windows.index[0])} {windows.iloc[0]['value_text']}."
    )
    holds = "holds" if summary["holds"] else "does not hold"
    cap_line = (
        f"capabilities Kimi shares with at least one rival: {', '.join(summary['shared_with_rivals']) or 'none'}"
        + (f"; Kimi's alone: {', '.join(summary['unique_to_kimi'])}" if summary["unique_to_kimi"] else "")
        + (
            f"; not stated for any selected rival: {', '.join(summary['not_stated_for_rivals'])}"
            if summary["not_stated_for_rivals"]
            else ""
        )
        + "."
    )
    return f"""* **Evidence**: {F.evidence_used(P.evidence)} (parameter `evidence`).
* **Ranking** ({vendor_label}, {metric_name.lower()}, {table["period"].iloc[0]}): {rank_line}{noval_line}
* **A year before**: {chg_line} {("Also: " + yb_line + ".") if yb_line else ""}
* **Other snapshots**: {"; ".join(snap_lines) if snap_lines else "none for the selected apps"}.
* **Advertising**: {spend_line}
* **Capabilities**: {cap_line} Rivals have what Kimi lacks: {", ".join(summary["rivals_have_kimi_lacks"]) or "nothing"}. {win_line}
* **Verdict**: "whatever Kimi has, the others have too, and it is not the best" **{holds}**:
  Kimi leads on {len(summary["leads_now"])} of {int(vt["current"].sum())} current comparisons, is level on
  {len(summary["par_now"])}, trails on {len(summary["trails_now"])}; it led before on {", ".join(summary["leads_before"]) or "nothing"}.
"""


def ranking_table(ds, an, P):
    """The ranking at the chosen date, and other vendors' rows of the period."""
    rk = an.rk
    table = an.table
    _md = ""
    show = table.assign(
        value=[F.wan_zh(v) if not np.isnan(v) else "— (none published)" for v in table["value"]],
        ratio=[f"{x:.1f}×" if not np.isnan(x) else "" for x in table["ratio_to_kimi"]],
    )
    _table = (
        show[["name", "backing", "value", "rank_text", "basis", "ratio", "value_obs", "rank_obs"]]
        .rename(columns={"rank_text": "rank", "ratio": "÷ Kimi", "value_obs": "value row", "rank_obs": "rank rows"})
        .style.hide(axis="index")
    )
    if len(rk["other_lists"]):
        o = rk["other_lists"]
        _md = "Other vendors' rows in the same period (not ranked together with this list): " + "; ".join(
            f"{ds.name(r['entity'])} {r['metric']} {r['value_text']} ({ds.name(r['vendor'])}, {r['obs_id']})"
            for _, r in o.iterrows()
        )
    return _table, _md


def rank_sources(ds, an, P):
    """Where each rank comes from."""
    full = an.full
    rk = an.rk
    table = an.table
    why = explain_ranks(full, rk["rank_rows"])
    return (
        "**Where each rank comes from** (an app's rank is the only integer consistent with the stated "
        "ranks and bounds, the order of the values, and the ranks other apps hold; otherwise the "
        "bound is kept):\n\n" + "\n".join(f"* {why[e]}" for e in full.index if e in table.index)
    )


def flagged_spend(ds, an, P):
    """Flagged spend rows with their notes."""
    spend = an.spend
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


def spend_rows_table(ds, an, P):
    """Every spend row, per month."""
    spend = an.spend
    sp = spend.assign(per_month_text=[F.cny_zh(v) for v in spend["per_month"]])
    return (
        sp[["name", "metric", "period", "value_text", "per_month_text", "vendor_name", "flag_text", "all_sources", "repeat_of"]]
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


def capability_table(ds, an, P):
    """The capability matrix as a table."""
    matrix = capability_matrix(ds, an.facts, an.camp_list)
    return matrix.style.set_properties(**{"white-space": "pre-wrap", "font-size": "0.85em", "text-align": "left"})


def capability_facts_table(ds, an, P):
    """Every capability fact with its record and article."""
    facts = an.facts
    pd.set_option("display.max_colwidth", 90)
    return (
        facts[["camp", "dimension", "text", "record", "source_id"]]
        .assign(camp=lambda f: f["camp"].map(lambda c: competitors.camp_name(ds, c)))
        .sort_values(["camp", "dimension"])
        .style.hide(axis="index")
    )


def windows_table(ds, an, P):
    """Largest windows per company, and what the chars_per_token assumption changes."""
    breakeven = an.breakeven
    kimi_camp = an.kimi_camp
    lead = an.lead
    overtaken_by = an.overtaken_by
    windows = an.windows
    be = ", ".join(
        f"{competitors.camp_name(ds, c)} ({windows.at[c, 'value_text']}) if chars_per_token < {v:.2f}"
        for c, v in sorted(breakeven.items(), key=lambda kv: -kv[1])
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
        if not overtaken_by
        else f"A rival first stated a larger window {overtaken_by['months_later']:.0f} months after Kimi's "
        f"{overtaken_by['kimi_period']} figure: {competitors.camp_name(ds, overtaken_by['by'])} "
        f"{overtaken_by['value_text']} ({overtaken_by['period']}, {overtaken_by['obs_id']})."
    )
    _md = f"""
{lead_line} With `chars_per_token` = {P.chars_per_token} (**assumption**), Kimi's largest window
({windows.at[kimi_camp, "value_text"] if kimi_camp in windows.index else "—"}) is about
{F.wan_zh(windows.at[kimi_camp, "tokens_equiv"]) if kimi_camp in windows.index else "—"} tokens†. Kimi's window is the larger one against:
{be or "no other window"}. Each threshold is where the order flips: an assumption close to a
threshold makes that comparison uncertain, one far from it does not.
{over_line}

"""
    _table = windows.assign(
        company=[competitors.camp_name(ds, c) for c in windows.index],
        tokens=[
            f"{F.wan_zh(v)}" + ("†" if c else "") for v, c in zip(windows["tokens_equiv"], windows["converted"], strict=True)
        ],
    )[["company", "entity", "value_text", "period", "tokens", "obs_id", "source_id"]].style.hide(axis="index")
    return _table, _md


def backing_tables(ds, an, P):
    """Users and ad spend summed by backing (a list of tables)."""
    quarter = an.quarter
    spend_b = an.spend_b
    users_b = an.users_b
    ub = users_b.assign(
        users=[F.wan_zh(v) for v in users_b["users"]],
        share=[f"{x:.0%}" for x in users_b["share_of_valued"]],
        unvalued=[
            (
                ""
                if n == 0
                else f"+ {a}: between {F.wan_zh(lo)} and {F.wan_zh(h)} in total"
                if not np.isnan(lo)
                else f"+ {a}: unknown"
            )
            for n, a, lo, h in zip(
                users_b["n_unvalued"],
                users_b["apps_without_value"],
                users_b["unvalued_low"],
                users_b["unvalued_high"],
                strict=True,
            )
        ],
    )
    tables = [
        ub[["apps_with_value", "users", "share", "unvalued"]].rename(
            columns={
                "apps_with_value": "apps with a value",
                "users": f"{P.metric.upper()} (sum)",
                "share": "share of the valued total",
                "unvalued": "ranked, no value",
            }
        )
    ]
    if spend_b is not None:
        tables.append(
            spend_b.assign(per_month=[F.cny_zh(v) for v in spend_b["per_month"]]).rename(
                columns={"per_month": f"ad spend per month, {quarter}"}
            )
        )
    return tables


def verdict_table(ds, an, P):
    """Every comparison: Kimi's figure, the best rival's, the status."""
    vt = an.vt
    return vt.assign(
        **{
            "Kimi ÷ best": [f"{x:.2f}" if not np.isnan(x) else "" for x in vt["kimi_over_best"]],
            "when": np.where(vt["current"], np.where(vt["comparable"], "now", "now (context: not comparable)"), "before"),
        }
    )[["dimension", "kimi", "best rival", "Kimi ÷ best", "status", "when"]].style.hide(axis="index")


def verdict_markdown(ds, an, P):
    """The verdict in words."""
    breakeven = an.breakeven
    change = an.change
    holds = "holds" if an.summary["holds"] else "does not hold"
    lead = an.lead
    overtaken_by = an.overtaken_by
    summary = an.summary
    vendor_label = an.vendor_label
    vt = an.vt
    spend_rows = vt[vt["dimension"].str.startswith("ad spend")]
    spend_sentence = (
        ""
        if spend_rows.empty
        else f"Where Kimi did lead, in advertising ({spend_rows.iloc[0]['dimension']}: {spend_rows.iloc[0]['kimi']}, "
        f"{spend_rows.iloc[0]['kimi_over_best']:.1f}× the biggest rival spender), the money did not hold its rank"
        + (f": {change['text']} in {vendor_label}'s {change['metric'].replace('_rank', '').upper()} list." if change else ".")
    )
    ctx_sentence = (
        ""
        if not lead
        else f"The early lead in context length was real ({lead['ratio_low']:.0f}–{lead['ratio_high']:.0f}× the industry in {lead['period']})"
        + (
            f", and a rival stated a larger window {overtaken_by['months_later']:.0f} months after Kimi's largest "
            f"({competitors.camp_name(ds, overtaken_by['by'])}, {overtaken_by['period']})."
            if overtaken_by
            else "."
        )
    )

    def _list(xs):
        return ", ".join(xs) if xs else "nothing"

    lines = [
        f"**Kimi leads now on:** {_list(summary['leads_now'])}.",
        f"**Level with the best rival on:** {_list(summary['par_now'])}.",
        f"**Trails or lacks on:** {_list(summary['trails_now'])}.",
        f"**It led before on:** {_list(summary['leads_before'])}.",
        f"**Shown for context, not evidence for the verdict** (counts of what the articles happen to list, or facts "
        f"of different dates, units or kinds): {_list(summary.get('context_only', []))}.",
    ]
    part1 = (
        "every capability Kimi has that the articles also discuss for a rival is held by at least one rival ("
        + _list(summary["shared_with_rivals"])
        + ")"
        if summary["others_have_what_kimi_has"]
        else "Kimi alone has: " + _list(summary["unique_to_kimi"])
    )
    if summary["not_stated_for_rivals"]:
        part1 += f"; for {_list(summary['not_stated_for_rivals'])} the articles say nothing about the selected rivals"
    part2 = (
        "Kimi is ahead of every rival on none of the current, comparable comparisons"
        if summary["kimi_best_nowhere"]
        else "Kimi is ahead on: " + _list(summary["leads_now"])
    )
    return (
        "\n\n".join(lines)
        + f"""

**Verdict: the articles' "whatever Kimi has, the others have too, and it is not the best" {holds}.**
Part one: {part1}. Part two: {part2}. If anything the articles are generous: Kimi does not even
have everything the others have ({_list(summary["rivals_have_kimi_lacks"])}: the big techs' moats).
{spend_sentence} {ctx_sentence}

The verdict would change with the `chars_per_token` assumption only if Kimi's window beat the
largest rival's, i.e. below {min(breakeven.values()) if breakeven else float("nan"):.2f} characters per token
(the default is {P.chars_per_token}).
"""
    )


def spend_by_quarter_note(ds, an, P) -> str:
    """What the quarterly spend table shows."""
    return (
        f"**Per month, by quarter** (point figures only; Kimi's quarter is the mean of the months "
        f"given). The comparison quarter is **{an.quarter}**, the latest with figures for the most apps:"
    )


def spend_by_quarter_table(ds, an, P):
    """Spend per month by quarter and app (CNY)."""
    q = an.byq.pivot_table(index="quarter", columns="entity", values="per_month", aggfunc="sum")
    q.columns = [ds.name(c) for c in q.columns]
    return q.map(lambda v: "" if pd.isna(v) else F.cny_zh(v))


def rank_history_table(ds, an, P):
    """Kimi's rank rows, oldest first."""
    return an.history[["period", "list", "rank_text", "obs_id", "source_id"]].style.hide(axis="index")


def text_results(ds, an, P) -> dict:
    """The results of notebook 04 that are text: the capability matrix and the verdict table."""
    vt = verdict_text(an.vt)
    num = lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else v  # noqa: E731
    return {
        "capability_matrix": capability_matrix(ds, an.facts, an.camp_list).to_dict(orient="index"),
        "verdict_table": [
            {k: num(v) if not isinstance(v, str) else v for k, v in r.items()} for r in vt.to_dict(orient="records")
        ],
    }
