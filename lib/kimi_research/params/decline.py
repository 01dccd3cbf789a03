"""Parameters of notebook 01 (the user decline)."""

from __future__ import annotations

from pydantic import Field, ValidationInfo, field_validator, model_validator

from kimi_research.analysis import decline
from kimi_research.data.comparable import STUDY_WINDOW
from kimi_research.data.vocabulary import UserMetric
from kimi_research.params.base import (
    NotebookParameters,
    dataset,
    iso_date_or_empty,
    name_listing,
    problems,
    resolve_name,
    unknown_name,
)

#: vendor values that are not a firm: the firm with most points, every firm pooled, rows naming none
SPECIAL_VENDORS = (decline.AUTO, decline.POOLED, decline.NO_VENDOR)
#: the study window's defaults (data.comparable.STUDY_WINDOW, shared by every notebook)
START, END = (d.date().isoformat() for d in STUDY_WINDOW)


class DeclineParameters(NotebookParameters):
    notebook = "01_user_decline"

    entity: str = Field(
        "kimi",
        description="app to study: an id or a name (English or Chinese, any case) from "
        'data/entities.csv with data for the metric (e.g. "DeepSeek" or "kimi智能助手")',
    )
    metric: UserMetric = Field("mau", description='user metric: "mau", "dau" or "wau"')
    vendor: str = Field(
        decline.AUTO,
        description='series to fit: "auto" (firm with most points), a measurement firm '
        'by id or name (e.g. "QuestMobile"), "none" (the source naming no firm with most points) or none: and one '
        'such source\'s id (e.g. "none:s004"), or "all" (pooled)',
    )
    start: str = Field(
        START,
        description="start of the study window: figures whose period midpoint is before this ISO date are drawn and "
        'listed, never fitted (default: Kimi\'s launch month; e.g. "2024-06-01"; "" for no limit)',
    )
    end: str = Field(
        END,
        description="end of the study window: figures whose period midpoint is after this ISO date are drawn and "
        'listed, never fitted (default: the last month of the articles; "" for no limit)',
    )
    forecast_months: int = Field(
        6, ge=0, le=36, description="months to extrapolate the fitted decay after the last figure, 0 to 36 (0: no forecast)"
    )
    annotate_events: bool = Field(True, description="mark launches and other dated events on the time charts")

    _dates = field_validator("start", "end")(iso_date_or_empty)

    @field_validator("entity")
    @classmethod
    def _entity(cls, value: str, info: ValidationInfo) -> str:
        ds = dataset(info)
        if ds is None:
            return value
        with_data = decline.user_entities(ds)
        eid = resolve_name(ds, value, with_data)
        if eid is None:
            raise unknown_name(ds, value, with_data, "entity with user data")
        return eid

    @field_validator("vendor")
    @classmethod
    def _vendor(cls, value: str, info: ValidationInfo) -> str:
        if value.strip().casefold() in SPECIAL_VENDORS:
            return value.strip().casefold()
        if value.strip().casefold().startswith(decline.NO_VENDOR + ":"):  # one source's rows naming no firm
            return decline.NO_VENDOR + ":" + value.strip().split(":", 1)[1].strip().casefold()  # source ids are lower case
        ds = dataset(info)
        if ds is None:
            return value
        firms = sorted({v for v in ds.observations["vendor"] if isinstance(v, str) and v})
        vid = resolve_name(ds, value, firms)
        if vid not in firms:
            raise unknown_name(ds, value, firms, "measurement firm")
        return vid

    @model_validator(mode="after")
    def _across(self, info: ValidationInfo) -> DeclineParameters:
        found: list[tuple[str, str]] = []
        if self.start and self.end and self.start > self.end:
            found.append(("start", f"start is after end ({self.end!r})"))
        ds = dataset(info)
        if ds is not None:
            with_metric = decline.user_entities(ds, self.metric)
            if self.entity not in with_metric:
                other = [m for m in decline.USER_METRICS if self.entity in decline.user_entities(ds, m)]
                hint = f" (it has {', '.join(other)} data: set metric accordingly)" if other else ""
                found.append(
                    (
                        "entity",
                        f"{ds.name(self.entity)} ({self.entity}) has no {self.metric} data in "
                        f"data/observations.csv{hint}; entities with {self.metric} data: "
                        f"{name_listing(ds, with_metric)}",
                    )
                )
            else:
                allowed = decline.vendor_choices(ds, self.entity, self.metric)
                if self.vendor not in allowed:
                    found.append(
                        (
                            "vendor",
                            f"no {self.metric} rows of {self.entity} from {decline.vendor_label(ds, self.vendor)}; "
                            f"expected one of: {', '.join(allowed)} ('auto' = the firm with most "
                            "points, 'all' = pool every firm, 'none' = the source naming no firm with most points, "
                            "'none:<source id>' = that source's rows naming no firm)",
                        )
                    )
        if found:
            raise problems(found)
        return self
