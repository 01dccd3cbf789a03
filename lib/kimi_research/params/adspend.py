"""Parameters of notebook 02 (the ad-spend bubble)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from kimi_research.analysis.adspend import CpaPathName, SpendPathName
from kimi_research.params.base import NotebookParameters, problem, problems

#: a fen, the smallest unit of the yuan: the least a cost per user can be
FEN = 0.01
#: largest CPA the stock-flow model can fit (see the description of cpa_yuan)
CPA_MAX = 1000.0
#: largest daily intake in the burn arithmetic (see the description of daily_new_users)
DAILY_NEW_USERS_MAX = 100_000_000
#: largest daily burn (daily_new_users x all-in cost) the unit-economics chart can draw, CNY a day
DAILY_BURN_MAX = 1e10
#: smallest non-zero churn whose half-life ln 0.5 / ln(1 - churn) is computable in floating point
CHURN_MIN_NONZERO = 1e-9


class AdSpendParameters(NotebookParameters):
    notebook = "02_ad_spend_bubble"

    cpa_yuan: float = Field(
        10.0,
        ge=FEN,
        le=CPA_MAX,
        description="advertising cost per acquired user, CNY, in [0.01, 1000] (article 004's "
        "investor: about 10元; article 000: 30元 on Bilibili; above a few thousand "
        "元 the bought users are too few for the churn fit to give a half-life)",
    )
    compute_cost_per_user_yuan: float = Field(
        2.5,
        ge=0,
        le=CPA_MAX,
        description="compute cost of serving a new user, CNY, in [0, 1000] "
        "(middle of article 004's all-in 12-13元 minus its 10元 "
        "CPA; the same ceiling as cpa_yuan)",
    )
    retention_30d: float = Field(
        0.01,
        gt=0,
        le=1,
        description="share of new users active after 30 days, in (0, 1] (article 001's "
        "'under 1%': industry hearsay; 0 would make the cost per retained "
        "user infinite)",
    )
    daily_new_users: int = Field(
        200000,
        ge=1,
        le=DAILY_NEW_USERS_MAX,
        description="new users a day in the burn arithmetic, 1 to 1亿 (article 004's "
        "hypothetical 20万 a day); with the all-in cost at most 100亿元 a day, "
        "the longest bar the burn chart can draw",
    )
    spend_path: SpendPathName = Field(
        "articles",
        description='months without a spend figure: "articles", "lower_bounds", "interpolate", "zero" or '
        '"reconciled" (the articles path plus the gap to AppGrowing\'s cumulative estimate, with evidence all; '
        "see adspend.SPEND_PATHS)",
    )
    cpa_path: CpaPathName = Field(
        "constant",
        description='"constant": cpa_yuan every month; "rising": the dated cost-per-user readings as a monthly path '
        "(30元 early 2024 on Bilibili, about 10元 at the peak of spending, 50元 from November 2024 with evidence "
        "all; linear between them), for the churn fit and the users bought",
    )
    revenue_per_active_user_yuan: float = Field(
        0.5,
        ge=0,
        le=CPA_MAX,
        description="ASSUMPTION (no article gives Kimi's revenue): revenue a month per active user for the payback "
        "estimate, CNY, in [0, 1000] (0.5: notebook 03's illustrative 1000万元 a month over the 2101万 MAU of "
        "December 2024; 0: a bought user never pays back; the same ceiling as cpa_yuan)",
    )
    monthly_churn: Annotated[float, Field(ge=0, le=0.999)] | Literal["fit"] = Field(
        "fit",
        description="monthly churn of bought users, 0 or in [1e-9, 0.999] (the range of the fit; a smaller "
        'churn has no computable half-life), or "fit" to fit it to QuestMobile\'s MAU',
    )

    first_month_retention: Annotated[float, Field(gt=0, le=1)] | Literal["adstock"] = Field(
        "adstock",
        description="cohort option: share of a month's new users still active the month after, in (0, 1] (at 0 "
        "no bought user outlives its month, and no churn reaches a MAU measured after the spending), "
        'after which the monthly churn applies as a hazard; "adstock": the same churn from the first month',
    )
    organic_users_per_month: float = Field(
        0.0,
        ge=0,
        le=DAILY_NEW_USERS_MAX,
        description="users a month who arrive without ads, 0 to 1亿 (an assumption: no article gives it; with 0 "
        "every user was bought, the articles' story taken literally)",
    )
    saturation_users: Annotated[float, Field(gt=0, le=2e9)] | Literal["largest_app"] = Field(
        "largest_app",
        description="market size for the counterfactual of continued spend, users (diminishing returns: the "
        'inflow shrinks as users approach it), or "largest_app": the largest MAU or WAU any app reaches in the data (points '
        "and lower bounds, named; monthly users are at least the weekly users, so either bounds the market from below)",
    )

    @field_validator("monthly_churn")
    @classmethod
    def _churn(cls, value: float | str) -> float | str:
        if not isinstance(value, str) and 0 < value < CHURN_MIN_NONZERO:
            raise problem(
                f"expected 0 or a churn of at least {CHURN_MIN_NONZERO:g}: the half-life of a smaller "
                "churn is not computable in floating point"
            )
        return value

    @model_validator(mode="after")
    def _burn(self) -> AdSpendParameters:
        burn = self.daily_new_users * (self.cpa_yuan + self.compute_cost_per_user_yuan)
        if burn > DAILY_BURN_MAX:
            raise problems(
                [
                    (
                        "daily_new_users",
                        f"daily_new_users x (cpa_yuan + compute_cost_per_user_yuan) = {burn:,.0f} CNY a day, "
                        f"more than the {DAILY_BURN_MAX:,.0f} (100亿元) the burn chart can draw; "
                        "lower one of them",
                    )
                ]
            )
        return self
