"""Prose and display tables of notebook 04 (Kimi against its competitors)."""

from __future__ import annotations

import pandas as pd

from kimi_research.analysis.competitors import (
    CAP_DIMENSIONS,
    _window_steps,
    camp_name,
    comparisons,
)
from kimi_research.data.vocabulary import rank_text
from kimi_research.presentation import format as F

wan, yuan, ordinal = F.wan_zh, F.cny_zh, F.ordinal


def explain_ranks(full: pd.DataFrame, rank_rows: pd.DataFrame) -> dict[str, str]:
    """One sentence per app of the list saying where its rank comes from."""
    out = {}
    exact_valued = full[full["rank"].notna() & full["value"].notna()]
    for e, r in full.iterrows():
        rows = rank_rows[rank_rows["entity"] == e]
        said = ", ".join(f"{rank_text(v, q)} ({i})" for q, v, i in
                         zip(rows["qualifier"], rows["value"], rows["obs_id"], strict=True)) or "no rank"
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
            taken = full[(full.index != e) & full["rank"].notna() & (full["lo"] == full["hi"])
                         & full["value"].isna()]
            if len(taken) and rows.empty:
                why.append("ranks " + ", ".join(f"{int(x)}" for x in sorted(taken["rank"].astype(int)))
                           + " are taken by apps without a value")
            out[e] = (f"{r['name']}: {r['rank_text']}, derived: the list says {said}; "
                      + "; ".join(why) + ".")
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
                row[d] = who + " → ".join(st[0] for st in steps) + \
                    f" [{', '.join(sorted({x for st in steps for x in st[2]}))}]"
                continue
            srcs = ", ".join(sorted(set(f["source_id"])))
            row[d] = "; ".join(dict.fromkeys(f["text"])) + f" [{srcs}]"
        cells[camp_name(ds, c)] = row
    return pd.DataFrame(cells).T[CAP_DIMENSIONS]


def verdict_rows(ds, table: pd.DataFrame, metric: str, change: dict | None, facts: pd.DataFrame,
                 status: pd.DataFrame, spend_q: pd.DataFrame | None, quarter: str | None,
                 kimi_camp: str = "moonshot") -> pd.DataFrame:
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
    return t[["dimension", "kimi", "best rival", "kimi_over_best", "status", "current"]]

def headline(ds, r: dict, P) -> str:
    """One sentence for the title slide and the index, from the results JSON."""
    top = [x for x in r["ranking"] if x.get("value") is not None][:2]
    where = f"{r['metric'].upper()}, {r['as_of']['label']} ({ds.name(r['vendor'])})"
    if r.get("kimi_rank") is None:
        return f"{where}: Kimi is not ranked; " + ", ".join(
            f"{x['name']} {F.users_en(x['value'])}" for x in top) + "."
    ratios = ", ".join(f"{x['name']} {r['ratio_to_kimi'][x['entity']]:.1f}×" for x in top
                       if x["entity"] in r.get("ratio_to_kimi", {}))
    text = f"{where}: Kimi ranks {ordinal(r['kimi_rank'])} with {F.users_en(r['kimi_value'])}"
    return text + (f"; {ratios} Kimi's users." if ratios else ".")
