"""Parameters of notebook 03 (article 003's sustainability formula)."""

from __future__ import annotations

import math
from typing import Annotated, Literal

import pandas as pd
from pydantic import Field, ValidationInfo, model_validator

from kimi_research.analysis import sustainability as su
from kimi_research.analysis.adspend import SpendPathName
from kimi_research.params.base import NotebookParameters, dataset, problems

#: a fen, the smallest unit of the yuan
FEN = 0.01
#: largest monthly amount (revenue or cost) the model takes, CNY: 1万亿元, beyond which the Monte
#: Carlo's log-normal draws (median x spread factor^k) leave the range of a float
AMOUNT_MAX = 1e12


class SustainabilityParameters(NotebookParameters):
    notebook = "03_sustainability_formula"

    paid_revenue_monthly_yuan: float = Field(
        1e7,
        ge=0,
        le=AMOUNT_MAX,
        description="ILLUSTRATIVE: the articles give no revenue; 1000万元 a month, an order-of-magnitude guess "
        "(CNY, in [0, 1e12]; far larger amounts overflow the Monte Carlo)",
    )
    total_cost_monthly_yuan: Annotated[float, Field(gt=0, le=AMOUNT_MAX)] | Literal["implied"] = Field(
        "implied",
        description="CNY a month in (0, 1e12], or implied: Kimi's peak monthly ad spend (from data) divided by "
        "ad_share; every runway (investment / monthly burn) must end before 2262, the end of "
        "pandas' calendar",
    )
    ad_share: float = Field(
        0.7,
        gt=0,
        lt=1,
        description="ad-spend share of total cost in (0, 1) (the implied cost base divides by "
        "the share, the frontier by 1 - share); article 003's figure for Kimi "
        "(o003_14)",
    )
    alarm_threshold: float = Field(
        0.3, ge=0, lt=1, description="share above which article 003 says to worry, in [0, 1) (o003_15)"
    )
    price_per_paying_user_yuan: float = Field(
        49.0,
        ge=FEN,
        le=AMOUNT_MAX,
        description="ASSUMPTION (no price in the articles): a typical "
        "entry-level monthly subscription, CNY, at least 0.01 "
        "(a fen)",
    )
    target_rate: Annotated[float, Field(gt=0)] | Literal["threshold_firm"] = Field(
        "threshold_firm",
        description="Monte Carlo target rate (a number > 0), or threshold_firm: a break-even firm at the alarm line",
    )
    revenue_spread_factor: float = Field(
        3.0,
        gt=1,
        le=100,
        description="Monte Carlo: 90% of revenue draws lie within this factor of the assumed revenue, in (1, 100]",
    )
    usd_cny: float = Field(
        7.2,
        ge=1,
        le=20,
        description="ASSUMPTION: CNY per USD (about the 2024 average) to convert the USD investments, in [1, 20]",
    )
    mc_share_below: float = Field(
        0.30,
        ge=0,
        le=1,
        description="Monte Carlo: the ad share is drawn from a triangle reaching this far below ad_share (article 003's "
        "70% was reached 一度, at one point, so other months were probably lower), in [0, 1]",
    )
    mc_share_above: float = Field(
        0.10, ge=0, le=1, description="Monte Carlo: how far above ad_share the triangle of share draws reaches, in [0, 1]"
    )
    mc_cost_spread_factor: float = Field(
        1.5,
        gt=1,
        le=100,
        description="Monte Carlo, with an explicit total cost only: 90% of cost draws lie within this factor of it, in (1, 100]",
    )
    spend_path: SpendPathName = Field(
        "reconciled",
        description='runway: notebook 02\'s monthly ad spend in months without a figure: "reconciled" (the articles '
        'path plus the gap to AppGrowing\'s cumulative estimate, with evidence all), "articles", "lower_bounds", '
        '"interpolate" or "zero" (see adspend.SPEND_PATHS); every path is shown beside it as a range',
    )
    mc_samples: int = Field(20000, ge=100, le=5_000_000, description="Monte Carlo draws, 100 to 5,000,000")
    seed: int = Field(
        0,
        ge=0,
        le=2**32 - 1,
        description="seed of the Monte Carlo's random generator (same seed, same results), in [0, 2**32 - 1]",
    )

    @model_validator(mode="after")
    def _across(self, info: ValidationInfo) -> SustainabilityParameters:
        ds = dataset(info)
        if ds is not None:
            self._check_runway(su.kimi_facts(ds))
        return self

    def _check_runway(self, facts: su.KimiFacts) -> None:
        """Every runway the notebook computes must end inside pandas' calendar (before 2262-04-11)."""
        cost = (
            su.implied_total_cost(facts.peak_ad_spend.value, self.ad_share)
            if self.total_cost_monthly_yuan == "implied"
            else float(self.total_cost_monthly_yuan)
        )
        # (parameter to blame, the burn, its name): the first that fails is reported
        burns = [
            ("total_cost_monthly_yuan", cost, "the total cost"),
            ("ad_share", cost * (1 - self.ad_share), "the non-advertising cost, total cost x (1 - ad_share)"),
            ("paid_revenue_monthly_yuan", cost - self.paid_revenue_monthly_yuan, "the total cost less paid revenue"),
        ]
        funding = max(f.value for f in facts.investments.values()) * self.usd_cny
        start = pd.Timestamp(facts.investment_date)
        limit = (pd.Timestamp.max - start).days / (365.25 / 12) * 0.99
        for name, burn, what in burns:
            if burn > 0 and su.runway_months(funding, burn) > limit:
                raise problems(
                    [
                        (
                            name,
                            f"the largest investment ({_cny(funding)}) would last {funding / burn:,.0f} "
                            f"months at {what} ({_cny(burn)} a month), past the end of pandas' calendar "
                            f"({math.floor(limit):,} months after {start.date()}); that burn must be at "
                            f"least {_cny(math.ceil(funding / limit))} a month",
                        )
                    ]
                )


def _cny(v: float) -> str:
    return f"{v:,.2f} CNY" if abs(v) < 100 else f"{v:,.0f} CNY"
