"""Prose and display tables of notebook 04 (Kimi against its competitors)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kimi_research.analysis.competitors import (
    CAP_DIMENSIONS,
    KIMI,
    _status,
    _window_steps,
    camp_name,
    launch_lead,
    launches_per_camp,
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
    """One row per comparison: Kimi's figure, the best rival's, their ratio and a status
    ('leads', 'par', 'trails', 'lacks'); ``current`` marks the comparisons that describe
    Kimi now (the verdict is about them), the others are history."""
    rows = []
    name = ds.metrics.at[metric, "name"]
    if KIMI in table.index:
        k = table.loc[KIMI]
        rivals = table[table.index != KIMI]
        top = rivals.sort_values("lo").iloc[0] if len(rivals) else None
        kv, kr_ = k["value"], k["rank"]
        if top is not None and not pd.isna(kv) and not pd.isna(top["value"]):
            rows.append({"dimension": f"{name} ({table['period'].iloc[0]})",
                         "kimi": f"{wan(kv)} (rank {k['rank_text']})",
                         "best rival": f"{top['name']} {wan(top['value'])} (rank {top['rank_text']})",
                         "kimi_over_best": kv / top["value"], "status": _status(kv, top["value"]),
                         "current": True})
        elif kr_ is not None and not pd.isna(kr_):
            rows.append({"dimension": f"{name} rank ({table['period'].iloc[0]})", "kimi": f"rank {int(kr_)}",
                         "best rival": "rank 1" if int(kr_) > 1 else "—", "kimi_over_best": np.nan,
                         "status": "leads" if int(kr_) == 1 else "trails", "current": True})
    if change:
        rows.append({"dimension": f"{change['metric'].replace('_rank', '').upper()} rank a year before "
                                  f"({change['before_period']})",
                     "kimi": f"rank {change['before_text']}", "best rival": "rank 1",
                     "kimi_over_best": np.nan, "status": "leads" if change["before_rank"] == 1 else "trails",
                     "current": False})
    lead = launch_lead(ds)
    if lead:
        rk = f"; ranked {lead['capability_rank']} in the world" if lead["capability_rank"] else ""
        rows.append({"dimension": f"context window at launch ({lead['period']})", "kimi": lead["kimi"],
                     "best rival": f"industry: {lead['industry']}{rk}", "kimi_over_best": lead["ratio_low"],
                     "status": "leads", "current": False})
    cw = facts[facts["dimension"] == "context window"]
    kcw = cw[cw["camp"] == kimi_camp]
    ocw = cw[cw["camp"] != kimi_camp]
    if len(kcw) and len(ocw):
        kb, ob = kcw.loc[kcw["score"].idxmax()], ocw.loc[ocw["score"].idxmax()]
        rows.append({"dimension": "largest context window (tokens; † = converted)",
                     "kimi": f"{kb['short']}", "best rival": f"{camp_name(ds, ob['camp'])} {ob['short']}",
                     "kimi_over_best": kb["score"] / ob["score"], "status": _status(kb["score"], ob["score"]),
                     "current": True})
    mod = facts[facts["dimension"] == "modalities"]
    if (mod["camp"] == kimi_camp).any() and (mod["camp"] != kimi_camp).any():
        km = mod[mod["camp"] == kimi_camp]["score"].max()
        om = mod[mod["camp"] != kimi_camp].sort_values("score").iloc[-1]
        rows.append({"dimension": "modalities (items the articles list)", "kimi": f"{int(km)}",
                     "best rival": f"{camp_name(ds, om['camp'])} {int(om['score'])} ({om['short']})",
                     "kimi_over_best": km / om["score"], "status": _status(km, om["score"]), "current": True})
    rsn = facts[(facts["dimension"] == "model launches") & facts["reasoning"]]
    if (rsn["camp"] == kimi_camp).any() and (rsn["camp"] != kimi_camp).any():
        kd = rsn[rsn["camp"] == kimi_camp]["date"].min()
        od = rsn[rsn["camp"] != kimi_camp].sort_values("date").iloc[0]
        st = "par" if kd == od["date"] else "leads" if kd < od["date"] else "trails"
        rows.append({"dimension": "first reasoning model", "kimi": kd.date().isoformat(),
                     "best rival": f"{camp_name(ds, od['camp'])} {od['date'].date().isoformat()}",
                     "kimi_over_best": np.nan, "status": st, "current": True})
    n = launches_per_camp(facts, since=pd.Timestamp("2025-01-01"))
    if kimi_camp in n.index and len(n.drop(kimi_camp)):
        best = n.drop(kimi_camp).sort_values().index[-1]
        rows.append({"dimension": "model launches named in the articles, 2025", "kimi": str(int(n[kimi_camp])),
                     "best rival": f"{camp_name(ds, best)} {int(n[best])}",
                     "kimi_over_best": n[kimi_camp] / n[best], "status": _status(n[kimi_camp], n[best]),
                     "current": True})
    for d in ["open weights", "data ecosystem", "own cloud", "developer tools"]:
        if kimi_camp not in status.index:
            continue
        others = [c for c in status.index if c != kimi_camp and status.loc[c, d] == "has"]
        ks = status.loc[kimi_camp, d]
        kt = "; ".join(facts[(facts["camp"] == kimi_camp) & (facts["dimension"] == d)]["short"]) or "not stated"
        ot = ", ".join(camp_name(ds, c) for c in others) or "none stated"
        if ks == "lacks" or (ks == "not stated" and others):
            st = "lacks"
        elif d == "developer tools" and "basic" in kt:
            st = "trails"  # article 003: Kimi's API 'still at the basic level', DeepSeek 'the benchmark'
        else:
            st = "par" if others else "leads"
        rows.append({"dimension": d, "kimi": kt, "best rival": ot, "kimi_over_best": np.nan, "status": st,
                     "current": True})
    if spend_q is not None and quarter and (spend_q["entity"] == KIMI).any():
        q = spend_q[spend_q["quarter"] == quarter]
        kq = q[q["entity"] == KIMI]
        oq = q[q["entity"] != KIMI].sort_values("per_month")
        if len(kq) and len(oq):
            kv, ov = kq["per_month"].iloc[0], oq.iloc[-1]
            rows.append({"dimension": f"ad spend per month ({quarter})", "kimi": yuan(kv),
                         "best rival": f"{ds.name(ov['entity'])} {yuan(ov['per_month'])}",
                         "kimi_over_best": kv / ov["per_month"], "status": _status(kv, ov["per_month"]),
                         "current": False})
    return pd.DataFrame(rows, columns=["dimension", "kimi", "best rival", "kimi_over_best", "status", "current"])


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
