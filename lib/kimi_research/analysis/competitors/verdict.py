"""Where does Kimi lead, where does it trail, and does the articles' verdict hold? One row per comparison
(Kimi's figure against the best rival's), and the verdict "whatever Kimi has, the others have too, and it is
not the best" tested on the current, comparable ones."""

from __future__ import annotations

from typing import Any, Literal, cast

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from kimi_research.analysis.competitors.capabilities import camp_name, launches_per_camp
from kimi_research.analysis.competitors.selection import KIMI
from kimi_research.analysis.competitors.spend import outspend_ratio
from kimi_research.analysis.competitors.windows import launch_lead
from kimi_research.analysis.sections import FROZEN, Section, shown
from kimi_research.data.loader import Dataset
from kimi_research.data.units import format_cn
from kimi_research.errors import DataError


def _status(kimi: float, best: float) -> str:
    return "leads" if kimi > best else "par" if kimi == best else "trails"


def comparisons(
    ds: Dataset,
    table: pd.DataFrame,
    metric: str,
    change: dict[str, Any] | None,
    facts: pd.DataFrame,
    status: pd.DataFrame,
    spend_q: pd.DataFrame | None,
    quarter: str | None,
    kimi_camp: str = "moonshot",
) -> pd.DataFrame:
    """One row per comparison: Kimi's figure, the best rival's, their ratio and a status
    ('leads', 'par', 'trails', 'lacks'); ``current`` marks the comparisons that describe
    Kimi now (the verdict is about them), the others are history.

    Figures the articles state as text are in ``kimi`` and ``best rival``; a number to be
    formatted is in ``kimi_value``/``rival_value`` with its ``unit`` ('users' or 'CNY'), the
    rival's name in ``rival`` and a note in ``kimi_note``/``rival_note`` (the text columns
    are then None: :func:`verdict_text` writes them)."""
    rows: list[dict[str, Any]] = []
    name = ds.metrics.at[metric, "name"]
    if KIMI in table.index:
        k = table.loc[KIMI]
        rivals = table[table.index != KIMI]
        top = rivals.sort_values("lo").iloc[0] if len(rivals) else None
        kv, kr_ = k["value"], k["rank"]
        if top is not None and not pd.isna(kv) and not pd.isna(top["value"]):
            rows.append(
                {
                    "dimension": f"{name} ({table['period'].iloc[0]})",
                    "kimi": None,
                    "best rival": None,
                    "unit": "users",
                    "kimi_value": kv,
                    "kimi_note": f"rank {k['rank_text']}",
                    "rival": top["name"],
                    "rival_value": top["value"],
                    "rival_note": f"rank {top['rank_text']}",
                    "kimi_over_best": kv / top["value"],
                    "status": _status(kv, top["value"]),
                    "current": True,
                }
            )
        elif kr_ is not None and not pd.isna(kr_):
            rows.append(
                {
                    "dimension": f"{name} rank ({table['period'].iloc[0]})",
                    "kimi": f"rank {int(kr_)}",
                    "best rival": "rank 1" if int(kr_) > 1 else "—",
                    "kimi_over_best": np.nan,
                    "status": "leads" if int(kr_) == 1 else "trails",
                    "current": True,
                }
            )
    if change:
        rows.append(
            {
                "dimension": f"{change['metric'].replace('_rank', '').upper()} rank a year before ({change['before_period']})",
                "kimi": f"rank {change['before_text']}",
                "best rival": "rank 1",
                "kimi_over_best": np.nan,
                "status": "leads" if change["before_rank"] == 1 else "trails",
                "current": False,
            }
        )
    lead = launch_lead(ds)
    if lead:
        rk = f"; ranked {lead['capability_rank']} in the world" if lead["capability_rank"] else ""
        rows.append(
            {
                "dimension": f"context window at launch ({lead['period']})",
                "kimi": lead["kimi"],
                "best rival": f"industry: {lead['industry']}{rk}",
                "kimi_over_best": lead["ratio_low"],
                "status": "leads",
                "current": False,
            }
        )
    cw = facts[facts["dimension"] == "context window"]
    kcw = cw[cw["camp"] == kimi_camp]
    ocw = cw[cw["camp"] != kimi_camp]
    if len(kcw) and len(ocw):
        kb, ob = kcw.loc[cast(Any, kcw["score"].idxmax())], ocw.loc[cast(Any, ocw["score"].idxmax())]
        # Kimi's window is an app's, in characters (converted), of 2024; the rivals' are models' in tokens, of other
        # dates: shown, but not a dated, comparable fact the verdict may rest on
        rows.append(
            {
                "dimension": "largest context window (tokens; † = converted)",
                "kimi": f"{kb['short']}",
                "best rival": f"{camp_name(ds, ob['camp'])} {ob['short']}",
                "kimi_over_best": kb["score"] / ob["score"],
                "status": _status(kb["score"], ob["score"]),
                "current": True,
                "comparable": bool(kb["date"] == ob["date"] and not kb["assumption"] and not ob["assumption"]),
            }
        )
    mod = facts[facts["dimension"] == "modalities"]
    if (mod["camp"] == kimi_camp).any() and (mod["camp"] != kimi_camp).any():
        km = mod[mod["camp"] == kimi_camp]["score"].max()
        om = mod[mod["camp"] != kimi_camp].sort_values("score").iloc[-1]
        rows.append(
            {
                "dimension": "modalities (items the articles list)",
                "kimi": f"{int(km)}",
                "best rival": f"{camp_name(ds, om['camp'])} {int(om['score'])} ({om['short']})",
                "kimi_over_best": km / om["score"],
                "status": _status(km, om["score"]),
                "current": True,
                "comparable": False,
            }
        )  # a count of what the articles happen to list
    rsn = facts[(facts["dimension"] == "model launches") & facts["reasoning"]]
    if (rsn["camp"] == kimi_camp).any() and (rsn["camp"] != kimi_camp).any():
        kd = rsn[rsn["camp"] == kimi_camp]["date"].min()
        od = rsn[rsn["camp"] != kimi_camp].sort_values("date").iloc[0]
        st = "par" if kd == od["date"] else "leads" if kd < od["date"] else "trails"
        rows.append(
            {
                "dimension": "first reasoning model",
                "kimi": kd.date().isoformat(),
                "best rival": f"{camp_name(ds, od['camp'])} {od['date'].date().isoformat()}",
                "kimi_over_best": np.nan,
                "status": st,
                "current": True,
            }
        )
    n = launches_per_camp(facts, since=pd.Timestamp("2025-01-01"))
    if kimi_camp in n.index and len(n.drop(kimi_camp)):
        best = n.drop(kimi_camp).sort_values().index[-1]
        rows.append(
            {
                "dimension": "model launches named in the articles, 2025",
                "kimi": str(int(n[kimi_camp])),
                "best rival": f"{camp_name(ds, best)} {int(n[best])}",
                "kimi_over_best": n[kimi_camp] / n[best],
                "status": _status(n[kimi_camp], n[best]),
                "current": True,
                "comparable": False,
            }
        )  # a count of what the articles happen to list
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
        rows.append({"dimension": d, "kimi": kt, "best rival": ot, "kimi_over_best": np.nan, "status": st, "current": True})
    if spend_q is not None and quarter and (spend_q["entity"] == KIMI).any():
        q = spend_q[spend_q["quarter"] == quarter]
        kq = q[q["entity"] == KIMI]
        oq = q[q["entity"] != KIMI].sort_values("per_month")
        if len(kq) and len(oq):
            kv, ov = kq["low_month"].iloc[0], oq.iloc[-1]
            only = f"; Kimi: {kq['months_covered'].iloc[0]} only" if kq["months"].iloc[0] < 3 else ""
            rows.append(
                {
                    "dimension": f"ad spend per month ({quarter}{only})",
                    "kimi": None,
                    "best rival": None,
                    "unit": "CNY",
                    "kimi_value": kv,
                    "kimi_note": "at least, each month",
                    "rival": ds.name(ov["entity"]),
                    "rival_value": ov["per_month"],
                    "kimi_over_best": outspend_ratio(kq["low_month"], oq["per_month"]),
                    "status": _status(kv, ov["per_month"]),
                    "current": False,
                }
            )
    cols = [
        "dimension",
        "kimi",
        "best rival",
        "kimi_over_best",
        "status",
        "current",
        "comparable",
        "unit",
        "kimi_value",
        "kimi_note",
        "rival",
        "rival_value",
        "rival_note",
    ]
    out = pd.DataFrame(rows, columns=cols)
    out["comparable"] = out["comparable"].fillna(True).astype(bool)
    return out


#: a number of a verdict row written the way the articles write it (the rule of presentation.format's wan_zh and
#: cny_zh: users in 万 even above 1亿, two decimals; CNY in 亿 to two decimals, in 万 to one)
_AMOUNT = {
    "users": lambda v: format_cn(float(v), digits=2, wan_only=True),
    "CNY": lambda v: format_cn(float(v), "元", digits=2 if abs(v) >= 1e8 else 1),
}


def verdict_text(t: pd.DataFrame) -> pd.DataFrame:
    """The comparisons as read: 'kimi' and 'best rival' of the rows that carry a number written out
    (users in 万, CNY), the columns of the verdict table."""
    t = t.copy()
    for i, r in t[t["unit"].notna()].iterrows():
        f = _AMOUNT[r["unit"]]
        note = f" ({r['kimi_note']})" if isinstance(r["kimi_note"], str) else ""
        rnote = f" ({r['rival_note']})" if isinstance(r["rival_note"], str) else ""
        t.at[i, "kimi"] = f"{f(r['kimi_value'])}{note}"
        t.at[i, "best rival"] = f"{r['rival']} {f(r['rival_value'])}{rnote}"
    return t[["dimension", "kimi", "best rival", "kimi_over_best", "status", "current", "comparable"]]


def verdict_rows(
    ds: Dataset,
    table: pd.DataFrame,
    metric: str,
    change: dict[str, Any] | None,
    facts: pd.DataFrame,
    status: pd.DataFrame,
    spend_q: pd.DataFrame | None,
    quarter: str | None,
    kimi_camp: str = "moonshot",
) -> pd.DataFrame:
    """The verdict table as read: :func:`comparisons` with its figures written out."""
    return verdict_text(comparisons(ds, table, metric, change, facts, status, spend_q, quarter, kimi_camp))


def verdict(table: pd.DataFrame, status: pd.DataFrame, kimi_camp: str = "moonshot") -> dict[str, Any]:
    """Does 'whatever Kimi has, the others have too, and it is not the best' hold?

    Part 1 ('the others have it too'): no capability Kimi has (status matrix) is one that a rival
    is said to lack while no rival has it; capabilities the articles state for no rival at all
    are listed as 'not_stated_for_rivals' (silence is not evidence either way).
    Part 2 ('not the best'): Kimi leads on none of the current, comparable comparisons in ``table`` (dated facts
    of the same kind; counts of what the articles happen to list and an app's window against a model's are
    shown but are not evidence here: ``context_only``).
    The verdict holds when both do."""
    kimi_has = [d for d in status.columns if kimi_camp in status.index and status.loc[kimi_camp, d] == "has"]
    others = status.drop(index=kimi_camp, errors="ignore")
    shared = [d for d in kimi_has if (others[d] == "has").any()]
    # Kimi alone only where a rival is said to lack it; silence about every rival is not evidence
    unique = [d for d in kimi_has if d not in shared and (others[d] == "lacks").any()]
    unknown = [d for d in kimi_has if d not in shared and d not in unique]
    missing = [d for d in status.columns if d not in kimi_has and (others[d] == "has").any()]
    cur = table[table["current"] & table["comparable"]]
    leads = list(cur.loc[cur["status"] == "leads", "dimension"])
    return {
        "kimi_has": kimi_has,
        "shared_with_rivals": shared,
        "unique_to_kimi": unique,
        "not_stated_for_rivals": unknown,
        "rivals_have_kimi_lacks": missing,
        "leads_now": leads,
        "par_now": list(cur.loc[cur["status"] == "par", "dimension"]),
        "trails_now": list(cur.loc[cur["status"].isin(["trails", "lacks"]), "dimension"]),
        "leads_before": list(table.loc[~table["current"] & (table["status"] == "leads"), "dimension"]),
        "context_only": list(table.loc[table["current"] & ~table["comparable"], "dimension"]),
        "others_have_what_kimi_has": not unique,
        "kimi_best_nowhere": not leads,
        "holds": (not unique) and (not leads),
    }


def require(cond: bool, what: str) -> None:
    """Raise a clear DataError when a section has nothing to show."""
    if not cond:
        raise DataError("data/observations.csv", message=what)


# --- section -------------------------------------------------------------------------------------
Status = Literal["leads", "par", "trails", "lacks"]


class VerdictRow(BaseModel):
    """One comparison of the verdict table."""

    model_config = FROZEN

    dimension: str
    kimi: str = Field(description="Kimi's figure as read")
    best_rival: str = Field(alias="best rival", description="the best rival's figure as read")
    kimi_over_best: float | None = Field(description="Kimi ÷ the best rival where both are numbers")
    status: Status
    current: bool = Field(description="True: describes Kimi now (the verdict rests on it); False: history")
    comparable: bool = Field(description="False: shown for context (a count, or facts of different dates or kinds)")


class VerdictSummary(BaseModel):
    """The verdict's two parts (see :func:`verdict`)."""

    model_config = FROZEN

    kimi_has: list[str]
    shared_with_rivals: list[str]
    unique_to_kimi: list[str]
    not_stated_for_rivals: list[str]
    rivals_have_kimi_lacks: list[str]
    leads_now: list[str]
    par_now: list[str]
    trails_now: list[str]
    leads_before: list[str]
    context_only: list[str]
    others_have_what_kimi_has: bool
    kimi_best_nowhere: bool
    holds: bool


class Verdict(Section):
    """Does 'whatever Kimi has, the others have too, and it is not the best' hold?"""

    verdict: VerdictSummary = Field(description="what Kimi shares, lacks, leads and trails on; whether the verdict holds")
    verdict_table: list[VerdictRow] = Field(description="every comparison: Kimi's figure, the best rival's, the status")

    table: pd.DataFrame = shown("the verdict table: dimension, kimi, best rival, kimi_over_best, status, current, comparable")
    chars_per_token: float = shown("parameter (the context-window comparison uses it)")


def _number(v: Any) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def verdict_section(comparison_rows: pd.DataFrame, status: pd.DataFrame, kimi_camp: str, chars_per_token: float) -> Verdict:
    table = verdict_text(comparison_rows)
    return Verdict(
        verdict=VerdictSummary(**verdict(table, status, kimi_camp)),
        verdict_table=[
            VerdictRow.model_validate(
                {
                    "dimension": r["dimension"],
                    "kimi": r["kimi"],
                    "best rival": r["best rival"],
                    "kimi_over_best": _number(r["kimi_over_best"]),
                    "status": r["status"],
                    "current": bool(r["current"]),
                    "comparable": bool(r["comparable"]),
                }
            )
            for _, r in table.iterrows()
        ],
        table=table,
        chars_per_token=chars_per_token,
    )
