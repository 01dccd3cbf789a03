"""Parameters of notebook 05 (conclusions) and of ``make scenarios``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from kimi_research.analysis.contested import INPUT_NAMES, RANGE_DEFAULTS
from kimi_research.errors import ParameterError
from kimi_research.params.base import NotebookParameters, problem, problems, report


class ConclusionsParameters(NotebookParameters):
    notebook = "05_conclusions"

    vary: list[str] = Field(
        list(INPUT_NAMES),
        description="contested inputs to vary (the others keep their first reading; a range its own figure from the evidence)",
    )
    samples: int = Field(
        8,
        ge=1,
        le=1000,
        description="Latin-hypercube draws of the varied range inputs per combination of the discrete readings (1 to 1000)",
    )
    seed: int = Field(0, ge=0, description="seed of the draws: the same seed gives the same table")
    retention_low: float = Field(
        RANGE_DEFAULTS["retention_30d"]["low"],
        gt=0,
        lt=1,
        description="lowest 30-day retention below article 001's 'under 1%' (no article gives a floor)",
    )
    ad_share_low: Annotated[float, Field(gt=0, lt=1)] | Literal["ledger"] = Field(
        "ledger",
        description='lowest reading of the ad share, in (0, 1), or "ledger": the cash ledger\'s period average (notebook 03)',
    )
    ad_share_high: Annotated[float, Field(gt=0, lt=1)] | Literal["revenue"] = Field(
        "revenue",
        description='highest reading of the ad share, in (0, 1), or "revenue": article 003\'s share read against revenue '
        "(notebook 03)",
    )
    usd_cny: float = Field(7.2, gt=0, le=100, description="CNY per USD for Alibaba's investment (notebook 03's default)")
    price_per_paying_user_yuan: float = Field(
        49.0,
        ge=0.01,
        le=1e6,
        description="monthly price of a paying user, CNY, for the users needed to cover the cost (notebook 03's default)",
    )

    @field_validator("vary")
    @classmethod
    def _known_inputs(cls, v: list[str]) -> list[str]:
        bad = [x for x in v if x not in INPUT_NAMES]
        if bad:
            raise problem(f"unknown input(s) {', '.join(map(repr, bad))}; expected names from: {', '.join(INPUT_NAMES)}")
        if len(set(v)) != len(v):
            raise problem("an input is listed twice")
        return v

    @model_validator(mode="after")
    def _share_bounds(self) -> ConclusionsParameters:
        low, high = self.ad_share_low, self.ad_share_high
        if not isinstance(low, str) and not isinstance(high, str) and low >= high:
            raise problems([("ad_share_low", f"must be below ad_share_high ({self.ad_share_high})")])
        return self

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> ConclusionsParameters:
        """Validate a plain mapping (``make scenarios``); one ParameterError naming each bad parameter."""
        try:
            return cls.model_validate(dict(values))
        except ValidationError as e:
            raise ParameterError(f"invalid parameters for {cls.notebook}:\n" + "\n".join(report(cls, e))) from None

    def grid_spec(self):
        from kimi_research.analysis.scenarios import GridSpec

        return GridSpec(
            vary=tuple(self.vary),
            samples=self.samples,
            seed=self.seed,
            evidence=self.evidence,
            retention_low=self.retention_low,
            ad_share_low=None if isinstance(self.ad_share_low, str) else float(self.ad_share_low),
            ad_share_high=None if isinstance(self.ad_share_high, str) else float(self.ad_share_high),
            usd_cny=self.usd_cny,
            price_per_paying_user_yuan=self.price_per_paying_user_yuan,
        )
