"""The whole analysis of notebook 04: :func:`analyse` returns :class:`ComparisonAnalysis`, one frozen section per
question (the ranking at the chosen date, earlier snapshots, Kimi's rank history, ad spend, capabilities, context
windows, release cadence, backing, the verdict)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from kimi_research.analysis.competitors.acquisition import SpendPerNewUser, spend_per_new_user
from kimi_research.analysis.competitors.backing import Backing, backing_section
from kimi_research.analysis.competitors.capabilities import (
    Capabilities,
    ReleaseCadence,
    camp_of,
    camps,
    capability_facts,
    capability_section,
    capability_status,
    context_windows,
    release_cadence,
)
from kimi_research.analysis.competitors.history import RankHistory, rank_history
from kimi_research.analysis.competitors.ranking import RankingAtDate, Snapshots, earlier_snapshots, ranking_at_date
from kimi_research.analysis.competitors.selection import KIMI, apps_with_data, resolve_as_of, selection
from kimi_research.analysis.competitors.spend import AdSpend, ad_spend
from kimi_research.analysis.competitors.verdict import Verdict, comparisons, verdict_section
from kimi_research.analysis.competitors.windows import ContextWindows, context_window_comparison
from kimi_research.analysis.sections import Analysis, Section, shown
from kimi_research.data.loader import Dataset

if TYPE_CHECKING:
    from kimi_research.params.competitors import CompetitorsParameters


class Basis(Section):
    """Which evidence and which apps the run used."""

    evidence: str = shown("parameter: 'articles' or 'all'")
    apps: list[str] = shown("the selected apps, Kimi first")


class ComparisonAnalysis(Analysis):
    """Notebook 04: where Kimi stands against Doubao, DeepSeek, Yuanbao, Qwen and the rest."""

    notebook: ClassVar[str] = "04_competitor_comparison"

    basis: Basis
    ranking: RankingAtDate
    snapshots: Snapshots
    rank_history: RankHistory
    ad_spend: AdSpend
    acquisition: SpendPerNewUser
    capabilities: Capabilities
    context_windows: ContextWindows
    release_cadence: ReleaseCadence
    backing: Backing
    verdict: Verdict


def analyse(ds: Dataset, P: CompetitorsParameters) -> ComparisonAnalysis:
    """The ranking at the chosen date and earlier snapshots, Kimi's rank history, ad spend, the spend per new user,
    capabilities, backing, and the comparisons the verdict rests on.

    ``ds`` is the full dataset (``kr.load()``); the analysis uses ``P.evidence`` of it. Raises ParameterError
    when no period has data for the metric and the selected apps."""
    ds = ds.with_evidence(P.evidence)
    sel = selection(P.entities, apps_with_data(ds))
    as_of = resolve_as_of(ds, P.metric, P.as_of, sel)  # ParameterError listing the periods with data
    rk = ranking_at_date(ds, P.metric, as_of, sel)
    history = rank_history(ds, P.metric, rk.vendor, rk.kimi_rank, as_of["end"])
    sp = ad_spend(ds, sel)
    kimi_camp = camp_of(ds, KIMI)
    listed = list(rk.full.index[rk.full.index.isin(sel)]) + [e for e in sel if e not in rk.full.index]
    camp_list = camps(ds, listed, include_others=P.entities == "all")
    facts = capability_facts(ds, camp_list, P.chars_per_token)
    camp_list = [c for c in camp_list if c in set(facts["camp"])]  # only camps with a fact under this evidence
    status = capability_status(facts, camp_list)
    change = history.rank_change.model_dump() if history.rank_change else None
    rows = comparisons(ds, rk.table, P.metric, change, facts, status, sp.by_quarter, sp.ad_spend_quarter, kimi_camp)
    return ComparisonAnalysis(
        parameters=P,
        basis=Basis(evidence=P.evidence, apps=sel),
        ranking=rk,
        snapshots=earlier_snapshots(ds, P.metric, as_of, sel),
        rank_history=history,
        ad_spend=sp,
        acquisition=spend_per_new_user(ds, sel),
        capabilities=capability_section(ds, facts, camp_list, sel, P.chars_per_token),
        context_windows=context_window_comparison(
            ds, context_windows(ds, P.chars_per_token), camp_list, kimi_camp, P.chars_per_token
        ),
        release_cadence=release_cadence(ds, facts, camp_list),
        backing=backing_section(ds, rk, sp, as_of),
        verdict=verdict_section(rows, status, kimi_camp, P.chars_per_token),
    )
