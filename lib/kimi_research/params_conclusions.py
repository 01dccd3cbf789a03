"""Parameters of notebook 05 (conclusions) and of ``make scenarios``, as one pydantic model.

:class:`ConclusionsParameters` (``extra="forbid"``) holds every parameter with its default, bounds and
reason; :meth:`ConclusionsParameters.from_mapping` turns a pydantic ``ValidationError`` into one
:class:`~kimi_research.errors.ParameterError` naming each bad parameter. ``PARAMETERS`` is the same
declaration in the form :func:`kimi_research.params.validate_parameters` reads (derived from the model,
so the two cannot disagree); the notebook runs both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kimi_research.analysis.contested import INPUT_NAMES, RANGE_DEFAULTS
from kimi_research.errors import ParameterError
from kimi_research.params import Param

NOTEBOOK = "05_conclusions"


class ConclusionsParameters(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    vary: list[str] = Field(default_factory=lambda: list(INPUT_NAMES),
                            description="Contested inputs to vary over their readings (the others keep their first "
                                        "reading, a range its article figure); names: " + ", ".join(INPUT_NAMES))
    samples: int = Field(8, ge=1, le=1000,
                         description="Latin-hypercube draws of the varied range inputs per combination of the "
                                     "discrete readings")
    seed: int = Field(0, ge=0, description="Seed of the draws (same seed, same table)")
    evidence: Literal["articles", "all"] = Field(
        "articles", description="'articles': only the five articles' rows; 'all': every source in data/")
    retention_low: float = Field(RANGE_DEFAULTS["retention_30d"]["low"], gt=0, lt=1,
                                 description="Lowest 30-day retention of the range below article 001's 'under 1%' "
                                             "(no article gives a floor)")
    ad_share_low: float = Field(RANGE_DEFAULTS["ad_share"]["low"], gt=0, le=1,
                                description="Lowest reading of article 003's undated, unsourced 70% ad share")
    ad_share_high: float = Field(RANGE_DEFAULTS["ad_share"]["high"], gt=0, le=1,
                                 description="Highest reading of the 70% ad share")
    usd_cny: float = Field(7.2, gt=0, description="CNY per USD for Alibaba's investment (notebook 03's default)")
    price_per_paying_user_yuan: float = Field(
        49.0, gt=0, description="Monthly price of a paying user, CNY, for the paying users needed to cover the implied "
                                "cost (notebook 03's default)")

    @field_validator("vary")
    @classmethod
    def _known_inputs(cls, v: list[str]) -> list[str]:
        bad = [x for x in v if x not in INPUT_NAMES]
        if bad:
            raise ValueError(f"unknown input(s) {', '.join(map(repr, bad))}; expected names from: "
                             f"{', '.join(INPUT_NAMES)}")
        if len(set(v)) != len(v):
            raise ValueError("an input is listed twice")
        return v

    @model_validator(mode="after")
    def _share_bounds(self) -> ConclusionsParameters:
        if self.ad_share_low >= self.ad_share_high:
            raise ValueError(f"ad_share_low ({self.ad_share_low}) must be below ad_share_high ({self.ad_share_high})")
        return self

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> ConclusionsParameters:
        """Validate; on failure one ParameterError naming each parameter, its value and what is expected."""
        try:
            return cls.model_validate(dict(values))
        except ValidationError as e:
            lines = []
            for err in e.errors():
                name = ".".join(str(x) for x in err["loc"]) or "parameters"
                given = values.get(err["loc"][0], "(missing)") if err["loc"] else ""
                msg = err["msg"].removeprefix("Value error, ")
                if err["type"] == "extra_forbidden":
                    lines.append(f"- unknown parameter {name!r}: {NOTEBOOK} takes {', '.join(cls.model_fields)}")
                else:
                    lines.append(f"- parameter {name!r} = {given!r}: {msg}")
            raise ParameterError(f"invalid parameters for {NOTEBOOK}:\n" + "\n".join(lines)) from None

    def grid_spec(self):
        from kimi_research.analysis.scenarios import GridSpec

        return GridSpec(vary=tuple(self.vary), samples=self.samples, seed=self.seed, evidence=self.evidence,
                        retention_low=self.retention_low, ad_share_low=self.ad_share_low,
                        ad_share_high=self.ad_share_high, usd_cny=self.usd_cny,
                        price_per_paying_user_yuan=self.price_per_paying_user_yuan)


def _param(name: str, info) -> Param:
    default = info.get_default(call_default_factory=True)
    kind = {list: "str_list", int: "int", float: "float", str: "str"}[type(default)]
    low = high = None
    low_open = high_open = False
    for m in info.metadata:
        for attr, is_low, is_open in (("ge", True, False), ("gt", True, True), ("le", False, False), ("lt", False, True)):
            v = getattr(m, attr, None)
            if v is not None:
                if is_low:
                    low, low_open = v, is_open
                else:
                    high, high_open = v, is_open
    choices = list(INPUT_NAMES) if name == "vary" else ["articles", "all"] if name == "evidence" else None
    return Param(name, kind, default, info.description or "", choices=choices, low=low, high=high,
                 low_open=low_open, high_open=high_open)


PARAMETERS = [_param(n, f) for n, f in ConclusionsParameters.model_fields.items()]
