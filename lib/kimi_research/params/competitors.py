"""Parameters of notebook 04 (Kimi against its competitors)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from kimi_research.analysis import competitors
from kimi_research.data.vocabulary import UserMetric
from kimi_research.params.base import NotebookParameters, dataset, names_of, problem, problems, resolve_name, suggestion


class CompetitorsParameters(NotebookParameters):
    notebook = "04_competitor_comparison"

    entities: Literal["all"] | list[str] = Field(
        "all",
        description='apps to compare by id or name, e.g. ["kimi", "Doubao", "腾讯元宝"], or "all" for every '
        "app with data; Kimi is always included",
    )
    metric: UserMetric = Field("wau", description='user metric to rank by: "wau", "dau" or "mau"')
    as_of: str = Field(
        "latest",
        description='"latest" (the most recent period in which one firm gives the metric for two or more apps, else '
        'the most recent with data), an ISO date "2025-12-10" or a month "2025-12" with data for the metric',
    )
    chars_per_token: float = Field(
        1.67,
        ge=0.1,
        le=10.0,
        description="ASSUMPTION: Chinese characters per token (DeepSeek API docs: ~0.6 "
        "token per character), to compare 万字 with tokens, in [0.1, 10]",
    )

    @field_validator("entities", mode="before")
    @classmethod
    def _all(cls, value: Any) -> Any:
        return "all" if isinstance(value, str) and value.strip().casefold() == "all" else value

    @field_validator("entities")
    @classmethod
    def _entities(cls, value: str | list[str], info: ValidationInfo) -> str | list[str]:
        if value == "all":
            return value
        if not value:
            raise problem("the list is empty; name at least one app or use 'all'")
        ds = dataset(info)
        if ds is None:
            return value
        apps = competitors.apps_with_data(ds)
        ids = [resolve_name(ds, v, apps) for v in value]
        bad = [v for v, i in zip(value, ids, strict=True) if i not in apps]
        if bad:
            names = [n for a in apps for n in names_of(ds, a)]
            hints = "".join(suggestion(b, names) for b in bad)
            raise problem(
                f"unknown app(s) {', '.join(map(repr, bad))}{hints}; apps with data: {', '.join(apps)} "
                "(an id, English or Chinese name, any case)"
            )
        return list(dict.fromkeys(i for i in ids if i is not None))

    @field_validator("metric")
    @classmethod
    def _metric(cls, value: str, info: ValidationInfo) -> str:
        ds = dataset(info)
        if ds is not None and value not in (metrics := competitors.ranking_metrics(ds)):
            raise problem(f"no dated {value} data for apps; expected one of: {', '.join(metrics)}")
        return value

    @field_validator("as_of")
    @classmethod
    def _as_of(cls, value: str) -> str:
        if value.strip().casefold() == "latest":
            return "latest"
        try:
            competitors.parse_as_of(value)
        except ValueError as e:
            raise problem(str(e)) from None
        return value

    @model_validator(mode="after")
    def _period_with_data(self, info: ValidationInfo) -> CompetitorsParameters:
        ds = dataset(info)
        if ds is None:
            return self
        apps = competitors.selection(self.entities, competitors.apps_with_data(ds))
        periods = competitors.available_periods(ds, self.metric, apps)
        if periods.empty:
            raise problems([("metric", f"no {self.metric} data for the selected apps ({', '.join(apps)})")])
        if self.as_of != "latest" and competitors.matching_periods(ds, self.metric, self.as_of, apps).empty:
            listing = "; ".join(f"{r['period']} ({r['metrics']})" for _, r in periods.iterrows())
            raise problems(
                [
                    (
                        "as_of",
                        f"no {self.metric} data for the selected apps in that period; periods "
                        f"with data for {self.metric}: {listing}",
                    )
                ]
            )
        return self
