"""What each notebook writes to ``build/results/<notebook>.json``: one pydantic model per notebook.

These files are the contract between the notebooks and their readers (the index, the decks, the
summary deck, the README tests, notebook 05). :func:`kimi_research.write_results` validates the
payload against the notebook's model before writing it, so a renamed, missing or mistyped key
fails in the notebook that writes it, not later in a reader. Unknown keys are refused.

Numbers that a parameter set can leave undefined (no fit, no peak, nothing in the window) are
``None`` in the JSON and typed ``Num`` here. Money is in CNY (``_yuan``), shares are fractions.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kimi_research.analysis.adspend import BubbleAnalysis
from kimi_research.analysis.audit import AuditAnalysis
from kimi_research.analysis.competitors import ComparisonAnalysis
from kimi_research.analysis.decline import DeclineAnalysis
from kimi_research.analysis.sections import results_model
from kimi_research.errors import KimiResearchError

Num = float | None
Text = str | None
Pair = list[float | None]  # [low, high]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Results(_Strict):
    """Keys every notebook writes."""

    notebook: str = Field(description="notebook name, e.g. '01_user_decline'")
    parameters: dict[str, Any] = Field(description="the validated parameters of the run")
    headline: str = Field(description="one computed sentence for the index and the title slide")


# --- 03 sustainability formula ------------------------------------------------------------------
class SustainabilityResults(Results):
    sustainable_growth_rate: float
    ad_share: float
    alarm_threshold: float
    article_ad_share: float
    article_alarm_threshold: float
    ratio_to_threshold_firm: Num
    revenue_cost_ratio: float
    frontier_factor_at_share: float
    frontier_factor_at_threshold: float
    peak_ad_spend_yuan: float
    peak_ad_spend_obs: str
    peak_ad_spend_low_yuan: float
    peak_ad_spend_low_obs: str
    implied_total_monthly_cost_yuan: Num
    implied_non_ad_monthly_cost_yuan: Num
    implied_total_monthly_cost_low_yuan: Num
    implied_non_ad_monthly_cost_low_yuan: Num
    total_monthly_cost_used_yuan: float
    training_cost_monthly_range_yuan: Pair
    non_ad_vs_training: str
    non_ad_low_vs_training: str
    paying_users_needed: Num
    paying_users_needed_non_ad: Num
    mau: float
    mau_obs: str
    paying_share_of_mau: Num
    target_rate: float
    revenue_needed_for_target_yuan: Num
    p_rate_above_target: float
    p_break_even: float
    mc_rate_quantiles: dict[str, float]
    tornado_swing: dict[str, float]
    most_influential_input: str
    funding_cny: dict[str, float]
    burn_scenarios_yuan: dict[str, float]
    runway_months: dict[str, dict[str, Num]]
    cash_out_dates: dict[str, dict[str, Text]]
    alternative_reading: dict[str, Any]
    evidence: str
    funding_rounds: dict[str, dict[str, Any]]
    ledger_cash_out: dict[str, dict[str, Any]]
    spend_path: str
    same_rate_share: float


MODELS: dict[str, type[Results]] = {
    "00_data_audit": results_model(AuditAnalysis, Results),
    "01_user_decline": results_model(DeclineAnalysis, Results),
    "02_ad_spend_bubble": results_model(BubbleAnalysis, Results),
    "03_sustainability_formula": SustainabilityResults,
    "04_competitor_comparison": results_model(ComparisonAnalysis, Results),
}


class ResultsError(KimiResearchError):
    """A notebook's results do not match its results model."""


def validate_results(notebook: str, payload: dict) -> None:
    """Check ``payload`` (JSON-ready) against the notebook's model; a notebook without a model passes."""
    model = MODELS.get(notebook)
    if model is None:
        return
    try:
        model.model_validate(payload)
    except ValidationError as e:
        lines = [
            f"build/results/{notebook}.json: the results do not match {model.__name__} "
            f"(lib/kimi_research/orchestration/results_models.py); declare the key there or fix its value:"
        ]
        for err in e.errors()[:20]:
            where = ".".join(str(x) for x in err["loc"])
            got = "" if err["type"] == "missing" else f" (got {err.get('input')!r:.80})"
            lines.append(f"- {where}: {err['msg']}{got}")
        raise ResultsError("\n".join(lines)) from None
