"""Parameters of notebook 00 (data audit)."""

from __future__ import annotations

from pydantic import Field, ValidationInfo, field_validator

from kimi_research.analysis import audit
from kimi_research.params.base import NotebookParameters, dataset, resolve_name, unknown_name


class AuditParameters(NotebookParameters):
    notebook = "00_data_audit"

    entity: str = Field(
        "all",
        description='an entity with observations, as an id or a name (e.g. "Kimi" or "豆包"), to audit only its rows, or "all"',
    )
    tolerance: float = Field(
        0.05,
        gt=0,
        le=0.5,
        description="relative gap within which an approximate claim 'holds', in (0, 0.5] (see kimi_research.analysis.claims)",
    )

    @field_validator("entity")
    @classmethod
    def _entity(cls, value: str, info: ValidationInfo) -> str:
        if value.strip().casefold() == "all":
            return "all"
        ds = dataset(info)
        if ds is None:
            return value
        with_data = audit.entities_with_data(ds)
        eid = resolve_name(ds, value, with_data)
        if eid not in with_data:
            raise unknown_name(ds, value, with_data, "entity with observations")
        return eid
