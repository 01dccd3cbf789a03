"""Display labels resolved from the data, so that presentation never has to query the dataset.

An analysis section carries, for each chart and sentence, the :class:`Citation` of the rows it
shows (the measurement firms and the sources that report them, in English and Chinese) and the
:class:`Name` of each entity it names; ``presentation.plotting`` turns them into a footnote or a
legend label in the chart's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd
from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from kimi_research.data.loader import Dataset


class Name(BaseModel):
    """An entity's display name in English (romanised) and Chinese."""

    model_config = ConfigDict(frozen=True)

    en: str
    zh: str

    def in_lang(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class Citation(BaseModel):
    """What a chart's source line cites: the measurement firms of its rows and the sources that report them."""

    model_config = ConfigDict(frozen=True)

    firms: str  # 'QuestMobile, AppGrowing' or 'no measurement firm named'
    sources_en: str  # '36Kr (2025-08-01, s000); ...' (producers romanised)
    sources_zh: str  # the same with the producers' Chinese names
    obs_ids: tuple[str, ...] = ()

    def sources(self, lang: str) -> str:
        return self.sources_zh if lang == "zh" else self.sources_en


def name(ds: Dataset, entity_id: str) -> Name:
    """The :class:`Name` of an entity id (the id itself for an unknown id)."""
    return Name(en=ds.name(entity_id, "en"), zh=ds.name(entity_id, "zh"))


def names(ds: Dataset, entity_ids: Iterable[str]) -> dict[str, Name]:
    """{entity id: Name} for each id, in the order given (each once)."""
    return {e: name(ds, e) for e in dict.fromkeys(entity_ids)}


def cite(ds: Dataset, rows: pd.DataFrame) -> Citation:
    """The :class:`Citation` of observation rows (any frame with ``vendor`` and ``source_id`` columns)."""
    return Citation(
        firms=ds.vendor_label(rows["vendor"]),
        sources_en=ds.source_label(rows["source_id"], "en"),
        sources_zh=ds.source_label(rows["source_id"], "zh"),
        obs_ids=tuple(str(i) for i in rows.index),
    )
