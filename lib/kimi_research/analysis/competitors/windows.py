"""How did the context windows compare, then and now? The largest window of each company in tokens (Kimi's
万字 converted with the ``chars_per_token`` assumption), when a rival first matched Kimi's, the assumption at
which each comparison flips, and Kimi's lead at launch over what the industry had then."""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pandas as pd
from pydantic import Field

from kimi_research.analysis.competitors.capabilities import camp_name, cite_sources
from kimi_research.analysis.competitors.selection import KIMI
from kimi_research.analysis.sections import Section, shown
from kimi_research.data.labels import Citation, Name, names
from kimi_research.data.loader import Dataset
from kimi_research.data.periods import period_label
from kimi_research.data.units import DAYS_PER_MONTH


def window_comparison(cw: pd.DataFrame) -> pd.DataFrame:
    """Largest window per camp (token-equivalent), excluding industry-wide statements."""
    c = cw[cw["camp"] != "industry"].copy()
    c["_span"] = (c["period_end"] - c["period_start"]).dt.days.fillna(1e9)  # most precise row first
    c = c.sort_values(["tokens_equiv", "_span"], ascending=[False, True]).drop_duplicates("camp")
    best = c[["camp", "entity", "value_text", "period", "period_start", "tokens_equiv", "converted", "obs_id", "source_id"]]
    return best.set_index("camp")


def overtaken(cw: pd.DataFrame, camp: str = "moonshot") -> dict[str, Any] | None:
    """When a rival first stated a window at least as large as ``camp``'s largest (token terms)."""
    w = window_comparison(cw)
    if camp not in w.index or pd.isna(cast(Any, w.loc[camp, "period_start"])):
        return None
    k = w.loc[camp]
    c = cw[
        (cw["camp"] != "industry") & (cw["camp"] != camp) & cw["period_start"].notna() & (cw["tokens_equiv"] >= k["tokens_equiv"])
    ].sort_values("period_start")
    if c.empty:
        return None
    r = c.iloc[0]
    months = (r["period_start"] - k["period_start"]).days / DAYS_PER_MONTH
    return {
        "by": r["camp"],
        "entity": r["entity"],
        "value_text": r["value_text"],
        "period": r["period"],
        "obs_id": r["obs_id"],
        "kimi_period": k["period"],
        "kimi_obs": k["obs_id"],
        "months_later": months,
    }


def break_even_chars_per_token(cw: pd.DataFrame, camp: str = "moonshot") -> dict[str, float]:
    """For each other camp's largest window in tokens: the chars_per_token at which ``camp``'s
    largest window in characters equals it (below that value ``camp``'s window is larger)."""
    c = cw[cw["camp"] != "industry"]
    chars = c[(c["camp"] == camp) & c["converted"]]["base_value"].max()
    toks = c[(c["camp"] != camp) & ~c["converted"]].groupby("camp")["base_value"].max()
    return {cast(str, k): float(chars / v) for k, v in toks.items()} if not np.isnan(chars) else {}


def launch_lead(ds: Dataset, kimi: str = KIMI) -> dict[str, Any] | None:
    """Kimi's first context window against what the articles say the industry had then."""
    o = ds.observations
    c = o[(o["metric"] == "context_window_chars") & o["period_start"].notna()]
    k = c[c["entity"] == kimi].sort_values("period_start")
    if k.empty:
        return None
    first = k.iloc[0]
    ind = c[(c["entity"] == "industry") & (c["period_start"] <= first["period_end"]) & (c["period_end"] >= first["period_start"])]
    if ind.empty:
        return None
    i = ind.iloc[0]
    high = i["base_value_high"] if not pd.isna(i["base_value_high"]) else i["base_value"]
    rank = o[(o["entity"] == kimi) & (o["metric"] == "capability_rank") & (o["period_start"] == first["period_start"])]
    return {
        "kimi": first["value_text"],
        "kimi_obs": first["obs_id"],
        "period": period_label(first),
        "industry": i["value_text"],
        "industry_obs": i["obs_id"],
        "ratio_low": first["base_value"] / high,
        "ratio_high": first["base_value"] / i["base_value"],
        "capability_rank": int(rank.iloc[0]["value"]) if len(rank) else None,
        "capability_rank_obs": rank.iloc[0]["obs_id"] if len(rank) else None,
    }


# --- section -------------------------------------------------------------------------------------
class ContextWindows(Section):
    """How did the context windows compare over time, and how much does the chars_per_token assumption matter?"""

    chars_per_token: float = Field(description="the assumption (parameter): Chinese characters per token")
    context_window_tokens_equiv: dict[str, float] = Field(description="camp -> its largest window in tokens (converted)")
    break_even_chars_per_token: dict[str, float] = Field(
        description="rival camp -> the chars_per_token below which Kimi's largest window is the larger"
    )

    rows: pd.DataFrame = shown("the context-window rows of the compared camps and the industry, with tokens_equiv")
    dated: pd.DataFrame = shown("the dated rows the chart draws (each value once)")
    windows: pd.DataFrame = shown("the largest window of each camp: entity, value_text, period, tokens_equiv, converted ...")
    overtaken_by: dict[str, Any] | None = shown("when a rival first stated a window at least as large as Kimi's largest")
    lead: dict[str, Any] | None = shown("Kimi's first window against the industry's at the time")
    kimi_camp: str = shown("Kimi's company")
    camp_names: dict[str, str] = shown("camp id -> company name")
    names: dict[str, Name] = shown("entity names of the chart")
    events: pd.DataFrame = shown("model and product launches of the drawn entities, for the time axis")
    source: Citation = shown("the sources of the drawn rows")


def context_window_comparison(
    ds: Dataset, cw: pd.DataFrame, camp_list: list[str], kimi_camp: str, chars_per_token: float
) -> ContextWindows:
    cw = cw[cw["camp"].isin(camp_list) | (cw["entity"] == "industry")]
    windows = window_comparison(cw)
    over = overtaken(cw, kimi_camp)
    dated = cw[cw["period_start"].notna()].drop_duplicates(["entity", "base_value", "period_start"])
    ev = ds.events
    return ContextWindows(
        chars_per_token=chars_per_token,
        context_window_tokens_equiv={c: r["tokens_equiv"] for c, r in windows.iterrows()},
        break_even_chars_per_token=break_even_chars_per_token(cw, kimi_camp),
        rows=cw,
        dated=dated,
        windows=windows,
        overtaken_by=over,
        lead=launch_lead(ds),
        kimi_camp=kimi_camp,
        camp_names={c: camp_name(ds, c) for c in [*windows.index, *([over["by"]] if over else [])]},
        names=names(ds, dated["entity"]),
        events=ev[ev["kind"].isin(["model_launch", "product_launch"]) & ev["entity"].isin(set(dated["entity"]))],
        source=cite_sources(ds, dated["source_id"]),
    )
