"""Who has what? The companies behind the apps (camps), every capability fact the articles state (context
windows, modalities, open weights, model launches, data ecosystem, own cloud, developer tools), the camp x
capability matrix (has, lacks, not stated) and the release cadence.

The only model assumption is ``chars_per_token``, used to put a context window measured in 万字 (Chinese
characters) beside one measured in tokens.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from typing import Any, cast

import numpy as np
import pandas as pd
from pydantic import Field

from kimi_research.analysis.competitors.selection import KIMI
from kimi_research.analysis.sections import Section, shown
from kimi_research.data.labels import Citation, Name, name
from kimi_research.data.loader import Dataset
from kimi_research.data.periods import period_label
from kimi_research.data.units import format_cn, format_en

CAP_DIMENSIONS = [
    "context window",
    "modalities",
    "open weights",
    "model launches",
    "data ecosystem",
    "own cloud",
    "developer tools",
]
CAP_COLUMN = {
    "modalities": "modalities",
    "open weights": "open_weights",
    "data ecosystem": "data_ecosystem",
    "own cloud": "own_cloud",
    "developer tools": "developer_tools",
}


def camp_of(ds: Dataset, entity: str) -> str:
    """The top company of an entity (app -> owner -> owner's owner ...)."""
    seen = set()
    e = entity
    while e in ds.entities.index and isinstance(ds.entities.at[e, "owner"], str) and e not in seen:
        seen.add(e)
        e = cast(str, ds.entities.at[e, "owner"])
    return e


def camp_name(ds: Dataset, camp: str) -> str:
    return ds.name(camp).replace(" (company)", "")


def camps(ds: Dataset, apps: list[str], include_others: bool) -> list[str]:
    """Companies behind the selected apps (Kimi's first); with ``include_others`` also the
    companies with capability data but no app in the data (MiniMax, Baidu)."""
    out = list(dict.fromkeys(camp_of(ds, a) for a in sorted(apps, key=lambda a: a != KIMI)))
    if include_others:
        ents = set(ds.capabilities["entity"]) | set(
            ds.observations.loc[ds.observations["metric"].str.startswith("context_window"), "entity"]
        )
        for e in sorted(ents):
            c = camp_of(ds, e)
            if c in ds.entities.index and ds.entities.at[c, "kind"] == "company" and c not in out:
                out.append(c)
    return out


def context_windows(ds: Dataset, chars_per_token: float) -> pd.DataFrame:
    """Every context-window row, with a token-equivalent (characters ÷ chars_per_token, flagged)."""
    o = ds.observations
    c = o[o["metric"].isin(["context_window_chars", "context_window_tokens"])].copy()
    c["camp"] = c["entity"].map(lambda e: camp_of(ds, e))
    c["period"] = c.apply(period_label, axis=1)
    is_chars = c["dimension"] == "characters"
    c["tokens_equiv"] = np.where(is_chars, c["base_value"] / chars_per_token, c["base_value"])
    c["tokens_equiv_high"] = np.where(is_chars, c["base_value_high"] / chars_per_token, c["base_value_high"])
    c["converted"] = is_chars
    return c.sort_index().sort_values(["camp", "period_start"], na_position="last", kind="stable")


def _day_text(d: pd.Timestamp, precision: str) -> str:
    return d.strftime("%Y-%m") if precision in ("month", "quarter") else d.date().isoformat()


def reasoning_entities(ds: Dataset) -> dict[str, str]:
    """Models the articles call reasoning models, with the record that says so."""
    caps = ds.capabilities
    out = {r["entity"]: r["cap_id"] for _, r in caps[caps["capability"] == "reasoning_model"].iterrows()}
    o = ds.observations
    rk = o[(o["metric"] == "capability_rank") & o["scope"].fillna("").str.contains("reasoning")]
    for _, r in rk.iterrows():
        out.setdefault(r["entity"], r["obs_id"])
    return out


def capability_facts(ds: Dataset, camp_list: list[str], chars_per_token: float) -> pd.DataFrame:
    """Long table: one row per (camp, dimension, fact) with text, record id and source id."""
    rows: list[dict[str, Any]] = []
    cw = context_windows(ds, chars_per_token)
    for _, r in cw[cw["camp"].isin(camp_list)].iterrows():
        conv = f" ≈ {format_cn(r['tokens_equiv'], ' tokens', 0)}†" if r["converted"] else ""
        who = "" if r["entity"] == r["camp"] or ds.entities.at[r["entity"], "kind"] == "app" else f"{ds.name(r['entity'])}: "
        when = r["period"] if r["period"] != "undated" else "undated"
        chart = format_en(r["base_value"], r["dimension"]) + (
            f" ≈ {format_en(r['tokens_equiv'], 'tokens')}†" if r["converted"] else ""
        )
        rows.append(
            {
                "camp": r["camp"],
                "dimension": "context window",
                "text": f"{who}{r['value_text']}{conv} ({when})",
                "short": f"{r['value_text']}{conv}",
                "chart": chart,
                "record": r["obs_id"],
                "source_id": r["source_id"],
                "has": True,
                "score": r["tokens_equiv"],
                "date": r["period_start"],
                "span": (r["period_end"] - r["period_start"]).days,
                "assumption": bool(r["converted"]),
            }
        )
    caps = ds.capabilities.copy()
    caps["camp"] = caps["entity"].map(lambda e: camp_of(ds, e))
    for dim, col in CAP_COLUMN.items():
        for _, r in caps[(caps["capability"] == col) & caps["camp"].isin(camp_list)].iterrows():
            val = r["value"]
            lacks = val.startswith("none")
            who = ds.name(r["entity"])
            text = who if dim == "open weights" else (f"{val} ({who})" if r["entity"] != r["camp"] else val)
            score = len([x for x in val.split(";") if x.strip()]) if dim == "modalities" else np.nan
            short = who if dim == "open weights" else val
            rows.append(
                {
                    "camp": r["camp"],
                    "dimension": dim,
                    "text": text,
                    "short": short,
                    "chart": short,
                    "record": r["cap_id"],
                    "source_id": r["source_id"],
                    "has": not lacks,
                    "score": score,
                    "date": pd.NaT,
                    "assumption": False,
                }
            )
    reasoning = reasoning_entities(ds)
    ev = ds.events[ds.events["kind"] == "model_launch"].copy()
    ev["camp"] = ev["entity"].map(lambda e: camp_of(ds, e))
    for _, e in ev[ev["camp"].isin(camp_list)].iterrows():
        r_id = reasoning.get(e["entity"])
        mark = " (reasoning)" if r_id else ""
        day = _day_text(e["date"], e["date_precision"])
        rows.append(
            {
                "camp": e["camp"],
                "dimension": "model launches",
                "text": f"{day} {e['label']}{mark}",
                "short": f"{ds.name(e['entity'])}{mark} {day}",
                "chart": (
                    f"{e['label'].split(' (')[0]}" if ds.entities.at[e["entity"], "kind"] == "app" else ds.name(e["entity"])
                )
                + f"{'*' if r_id else ''} {day}",
                "record": e["event_id"] + (f", {r_id}" if r_id else ""),
                "source_id": e["source_id"],
                "has": True,
                "score": np.nan,
                "date": e["date"],
                "assumption": False,
                "reasoning": bool(r_id),
            }
        )
    f = pd.DataFrame(rows)
    if "reasoning" not in f:
        f["reasoning"] = False
    f["reasoning"] = [x is True for x in f["reasoning"]]
    return f


def window_steps(f: pd.DataFrame) -> list[tuple[str, str, list[str], str]]:
    """Distinct windows of one camp, smallest first: (text, first date, source ids, chart label)."""
    out = []
    for _, g in f.assign(_v=f["score"]).groupby("_v", sort=True):
        dated = g[g["date"].notna()].sort_values(["span", "date"])  # the most precise date first
        r = dated.iloc[0] if len(dated) else g.iloc[0]
        when = r["text"].rsplit("(", 1)[-1].rstrip(")") if len(dated) else "undated"
        out.append((f"{r['short']} ({when})", when, sorted(set(g["source_id"])), r["chart"]))
    return out


def capability_sources(facts: pd.DataFrame, camp_list: list[str]) -> pd.DataFrame:
    """Camp x dimension: the article ids behind each cell ('' when none)."""
    out = pd.DataFrame("", index=camp_list, columns=CAP_DIMENSIONS)
    for (c, d), g in facts.groupby(["camp", "dimension"]):
        if c in out.index:
            out.loc[c, d] = ", ".join(sorted(set(g["source_id"])))
    return out


def capability_status(facts: pd.DataFrame, camp_list: list[str]) -> pd.DataFrame:
    """Camp x dimension: 'has', 'lacks' (the article says none) or 'not stated'."""
    out = pd.DataFrame("not stated", index=camp_list, columns=CAP_DIMENSIONS)
    for (c, d), g in facts.groupby(["camp", "dimension"]):
        if c in out.index:
            out.loc[c, d] = "has" if g["has"].any() else "lacks"
    return out


def capability_matrix(ds: Dataset, facts: pd.DataFrame, camp_list: list[str]) -> pd.DataFrame:
    """Camp x dimension cells (one row per company name): the facts joined with '; ' and their source ids in
    brackets; '—' = the articles say nothing. Context windows read 'first → largest'."""
    cells = {}
    for c in camp_list:
        row = {}
        for d in CAP_DIMENSIONS:
            f = facts[(facts["camp"] == c) & (facts["dimension"] == d)]
            if f.empty:
                row[d] = "—"
                continue
            if d == "context window":
                steps = window_steps(f)
                who = f.iloc[0]["text"].split(": ")[0] + ": " if ": " in f.iloc[0]["text"] else ""
                row[d] = who + " → ".join(st[0] for st in steps) + f" [{', '.join(sorted({x for st in steps for x in st[2]}))}]"
                continue
            srcs = ", ".join(sorted(set(f["source_id"])))
            row[d] = "; ".join(dict.fromkeys(f["text"])) + f" [{srcs}]"
        cells[camp_name(ds, c)] = row
    return pd.DataFrame(cells).T[CAP_DIMENSIONS]


#: a matrix chart cell: at most this many characters a line and this many lines (at 9 pt in a figure 11 in wide)
CELL_WIDTH, CELL_LINES = 17, 3


def fit_cell(text: str, width: int = CELL_WIDTH, lines: int = CELL_LINES) -> str:
    """A cell text wrapped to ``width`` characters a line, at most ``lines`` lines (the last one ending in '…'
    when the text is longer: the table beside the chart has it all)."""
    out = textwrap.wrap(text, width, break_on_hyphens=False)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = textwrap.shorten(out[-1] + " …", width, placeholder=" …") if len(out[-1]) + 2 > width else out[-1] + " …"
    return "\n".join(out)


def chart_cells(facts: pd.DataFrame, camp_list: list[str]) -> pd.DataFrame:
    """Short cell texts for the matrix chart (the same facts as :func:`capability_matrix`, summarised so that they
    read at 9 pt: the largest context window, the number of launches and the latest, the items listed)."""
    out = pd.DataFrame("", index=camp_list, columns=CAP_DIMENSIONS)
    for c in camp_list:
        for d in CAP_DIMENSIONS:
            f = facts[(facts["camp"] == c) & (facts["dimension"] == d)]
            if f.empty:
                out.loc[c, d] = "—"
            elif d == "context window":
                out.loc[c, d] = fit_cell(window_steps(f)[-1][3])
            elif d == "model launches":
                n, r = len(f), int(f["reasoning"].sum())
                latest = f.sort_values("date").iloc[-1]["date"]
                out.loc[c, d] = (
                    f"{n} named"
                    + (f"\n{r} reasoning*" if r else "")
                    + (f"\nlatest {latest:%Y-%m}" if not pd.isna(latest) else "")
                )
            else:
                items = [x.strip() for t in dict.fromkeys(f["chart"]) for x in str(t).replace(";", ",").split(",")]
                out.loc[c, d] = fit_cell(", ".join(dict.fromkeys(x for x in items if x)))
    return out


def launches_per_camp(facts: pd.DataFrame, since: pd.Timestamp | None = None) -> pd.Series:
    f = facts[facts["dimension"] == "model launches"]
    if since is not None:
        f = f[f["date"] >= since]
    return f.groupby("camp").size()


def cite_sources(ds: Dataset, source_ids: Iterable[str]) -> Citation:
    """The :class:`Citation` of facts that name no measurement firm (capabilities, events): their sources only."""
    ids = list(source_ids)
    return Citation(firms="", sources_en=ds.source_label(ids, "en"), sources_zh=ds.source_label(ids, "zh"))


# --- sections ------------------------------------------------------------------------------------
class Capabilities(Section):
    """Who has what, according to the articles (company x capability)?"""

    capability_matrix: dict[str, dict[str, str]] = Field(
        description="company name -> capability -> the facts with their source ids ('—' when the articles say nothing)"
    )
    capability_status: dict[str, dict[str, str]] = Field(description="camp id -> capability -> has / lacks / not stated")

    camps: list[str] = shown("the companies compared (Kimi's first), each with at least one fact")
    camp_names: dict[str, str] = shown("camp id -> company name")
    facts: pd.DataFrame = shown("one row per fact: camp, dimension, text, short, chart, record, source_id, has, score ...")
    status: pd.DataFrame = shown("camp x capability: has / lacks / not stated")
    matrix: pd.DataFrame = shown("company name x capability: the cell texts")
    chart_cells: pd.DataFrame = shown("camp x capability: the short texts of the matrix chart")
    cell_sources: pd.DataFrame = shown("camp x capability: the source ids of each cell")
    apps_by_camp: dict[str, list[Name]] = shown("camp id -> the selected apps it owns")
    chars_per_token: float = shown("parameter")
    source: Citation = shown("the sources of the facts")


class ReleaseCadence(Section):
    """How often did each company launch a model the articles name?"""

    launches: pd.DataFrame = shown("the model-launch facts, oldest first: camp, date, chart, reasoning, source_id")
    order: list[str] = shown("the camps with a launch, in the order of the matrix")
    camp_names: dict[str, str] = shown("camp id -> company name")
    events: pd.DataFrame = shown("funding and legal events for the time axis")
    source: Citation = shown("the sources of the launches")


def capability_section(
    ds: Dataset, facts: pd.DataFrame, camp_list: list[str], sel: list[str], chars_per_token: float
) -> Capabilities:
    status = capability_status(facts, camp_list)
    matrix = capability_matrix(ds, facts, camp_list)
    return Capabilities(
        capability_matrix=matrix.to_dict(orient="index"),
        capability_status=status.to_dict(orient="index"),
        camps=camp_list,
        camp_names={c: camp_name(ds, c) for c in camp_list},
        facts=facts,
        status=status,
        matrix=matrix,
        chart_cells=chart_cells(facts, camp_list),
        cell_sources=capability_sources(facts, camp_list),
        apps_by_camp={c: [name(ds, a) for a in sel if camp_of(ds, a) == c] for c in camp_list},
        chars_per_token=chars_per_token,
        source=cite_sources(ds, facts["source_id"]),
    )


def release_cadence(ds: Dataset, facts: pd.DataFrame, camp_list: list[str]) -> ReleaseCadence:
    la = facts[facts["dimension"] == "model launches"].sort_values("date")
    order = [c for c in camp_list if c in set(la["camp"])]
    return ReleaseCadence(
        launches=la,
        order=order,
        camp_names={c: camp_name(ds, c) for c in order},
        events=ds.events[ds.events["kind"].isin(["funding", "legal"])],
        source=cite_sources(ds, la["source_id"]),
    )
