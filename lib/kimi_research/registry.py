"""The one notebook registry: every notebook the collection runs, in order.

The runner, the decks, the summary deck, the tests and the Makefile read the notebook list
from here (``python -m kimi_research notebooks`` prints it). Each entry names the analysis
module that answers the notebook's question and the pydantic model of its parameters
(``kimi_research.params.<module>:<Class>``).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kimi_research.params.base import NotebookParameters


@dataclass(frozen=True)
class Notebook:
    name: str  # file stem in notebooks/, e.g. "01_user_decline"
    title: str  # short title for the index, decks and reports
    analysis: str  # dotted module of the analysis layer
    params: str  # the parameter model, "dotted.module:ClassName"
    narrative: str = ""  # the presentation module whose headline(an) writes the notebook's headline

    def module(self) -> ModuleType:
        return importlib.import_module(self.analysis)

    def narrative_module(self) -> ModuleType:
        if not self.narrative:
            raise ValueError(f"{self.name}: the registry names no narrative module")
        return importlib.import_module(self.narrative)

    def parameters_model(self) -> type[NotebookParameters]:
        module, _, cls = self.params.partition(":")
        model: type[NotebookParameters] = getattr(importlib.import_module(module), cls)
        return model


NOTEBOOKS: tuple[Notebook, ...] = (
    Notebook(
        "00_data_audit",
        "Data audit",
        "kimi_research.analysis.audit",
        "kimi_research.params.audit:AuditParameters",
        "kimi_research.presentation.narrative.audit",
    ),
    Notebook(
        "01_user_decline",
        "The user decline",
        "kimi_research.analysis.decline",
        "kimi_research.params.decline:DeclineParameters",
        "kimi_research.presentation.narrative.decline",
    ),
    Notebook(
        "02_ad_spend_bubble",
        "The ad-spend bubble",
        "kimi_research.analysis.adspend",
        "kimi_research.params.adspend:AdSpendParameters",
        "kimi_research.presentation.narrative.adspend",
    ),
    Notebook(
        "03_sustainability_formula",
        "The sustainability formula",
        "kimi_research.analysis.sustainability",
        "kimi_research.params.sustainability:SustainabilityParameters",
        "kimi_research.presentation.narrative.sustainability",
    ),
    Notebook(
        "04_competitor_comparison",
        "Kimi against its competitors",
        "kimi_research.analysis.competitors",
        "kimi_research.params.competitors:CompetitorsParameters",
        "kimi_research.presentation.narrative.competitors",
    ),
    Notebook(
        "05_conclusions",
        "What we conclude, and how sure",
        "kimi_research.analysis.conclusions",
        "kimi_research.params.conclusions:ConclusionsParameters",
        "kimi_research.presentation.narrative.conclusions",
    ),
)

BY_NAME = {nb.name: nb for nb in NOTEBOOKS}
NAMES = tuple(BY_NAME)


def get(name: str) -> Notebook:
    from kimi_research.errors import ParameterError

    if name not in BY_NAME:
        raise ParameterError(f"unknown notebook {name!r}; known: {', '.join(NAMES)}")
    return BY_NAME[name]
