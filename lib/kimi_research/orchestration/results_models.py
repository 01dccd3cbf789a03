"""What each notebook writes to ``build/results/<notebook>.json``: one pydantic model per notebook.

These files are the contract between the notebooks and their readers (the index, the decks, the
summary deck, the README tests, notebook 05). :func:`kimi_research.write_results` validates the
payload against the notebook's model before writing it, so a renamed, missing or mistyped key
fails in the notebook that writes it, not later in a reader. Unknown keys are refused.

Numbers that a parameter set can leave undefined (no fit, no peak, nothing in the window) are
``None`` in the JSON and typed ``Num`` here. Money is in CNY (``_yuan``), shares are fractions.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kimi_research.analysis.adspend import BubbleAnalysis
from kimi_research.analysis.competitors import ComparisonAnalysis
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


# --- 00 data audit ------------------------------------------------------------------------------
class ClaimCheck(_Strict):
    verdict: str
    computed_low: Num
    computed_high: Num
    gap: Num
    relation: str


class DataAuditResults(Results):
    entity: str = Field(description="'all' or the entity the audit is restricted to")
    n_observations: int
    n_sources: int
    observations_per_source: dict[str, int]
    n_events: int
    n_conflicts: int = Field(description="conflict groups")
    n_conflict_rows: int
    conflict_groups: dict[str, Num] = Field(description="conflict group -> high / low of its comparable values")
    n_suspicious: int
    suspicious: list[str] = Field(description="observation ids flagged suspicious")
    flag_counts: dict[str, int]
    quotes_checked: int | None = Field(description="None when the archived articles are not available")
    quotes_found: int | None
    quote_status: dict[str, int] | None = Field(description="found / not found / no archived text; None when unchecked")
    evidence: str = Field(description="the evidence the audit used")
    most_covered_sources: list[str] = Field(description="every source with the most rows (ties reported as ties)")
    sources_by_tier: dict[str, dict[str, int]] = Field(description="tier -> sources, sources with rows, rows")
    claims: dict[str, ClaimCheck] = Field(description="claim id -> its recomputation")
    verdict_counts: dict[str, int]


# --- 01 user decline ----------------------------------------------------------------------------
class ForecastPoint(_Strict):
    months_ahead: int
    date: str
    value: Num
    low: Num
    high: Num


class SeriesSummary(_Strict):
    vendor: str
    n_points: int
    n_bounds: int
    peak_value: Num
    peak_period: Text
    latest_value: Num
    latest_period: Text
    peak_to_latest_change: Num
    months_since_peak: Num


class GrowthPhase(_Strict):
    metric: str
    series: str
    start_obs: str
    start_period: str
    start_value: float
    end_obs: str
    end_period: str
    end_value: float
    multiple: float
    months: float
    monthly_growth: float


class RankPoint(_Strict):
    obs_id: str
    metric: str
    vendor: str
    scope: Text
    period: str
    qualifier: str
    rank: int
    text: str = Field(description="the rank with its qualifier, e.g. '≤3' (presentation.format.rank_text)")


class UserDeclineResults(Results):
    entity: str
    entity_name: str
    metric: Literal["mau", "dau", "wau"]
    vendor: str = Field(description="the series fitted: a vendor id, 'none' or 'all' (pooled)")
    vendor_label: str
    vendor_parameter: str
    pooled: bool
    dating: str
    days_per_month: float
    n_observations: int
    n_points: int
    n_fit: int
    fit_status: str
    fit_rows: list[str]
    excluded_rows: dict[str, str] = Field(description="observation id -> why it is not in the fit")
    peak_value: Num
    peak_period: Text
    peak_obs: Text
    latest_value: Num
    latest_period: Text
    latest_obs: Text
    peak_to_latest_change: Num
    months_since_peak: Num
    monthly_change: Num
    monthly_change_ci: Pair
    half_life_months: Num
    half_life_ci: Pair
    r_squared: Num
    leave_one_out: dict[str, float]
    monthly_change_quarters_at_last_month: Num
    forecast_months: int
    forecast: list[ForecastPoint]
    series: dict[str, SeriesSummary]
    higher_elsewhere: list[str]
    growth_phase: GrowthPhase | None
    ranks: list[RankPoint]
    events_annotated: list[str]
    segment_rates: list[dict[str, Any]] = Field(
        description="the constant-rate check: monthly change between consecutive dates of the fit (from_obs, to_obs, "
        "from_period, to_period, months, monthly_change)"
    )
    accelerating: bool | None = Field(description="True when each segment falls faster than the one before")
    wau_floor: dict[str, Any] | None = Field(
        description="the latest weekly-user figure (obs_id, value, period): monthly users cannot be below it"
    )
    forecast_below_wau_floor: list[str] = Field(description="forecast months (YYYY-MM) whose value is below the floor")
    left_out_rows: dict[str, str] = Field(
        description="rows of the entity and metric that are not dated levels or repeat a measurement: obs_id -> reason"
    )
    evidence: str


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
    "00_data_audit": DataAuditResults,
    "01_user_decline": UserDeclineResults,
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
