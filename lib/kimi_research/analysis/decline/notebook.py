"""Notebook 01 as typed sections: :func:`analyse` returns :class:`DeclineAnalysis`, one section per question."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import pandas as pd
from pydantic import BaseModel, Field

from kimi_research.analysis.decline.common import (
    METRIC_SHORT,
    MIN_POINTS_FOR_CI,
    POOLED,
    USER_METRICS,
    TimeAxis,
    resolve_entity,
    time_axis,
    vendor_label,
    window,
    with_kind,
)
from kimi_research.analysis.decline.fit import (
    DecayFit,
    accelerating,
    dating_sensitivity,
    fit_decay,
    flag_below_floor,
    forecast,
    leave_one_out,
    segment_rates,
    weekly_floor,
)
from kimi_research.analysis.decline.growth import growth_phases, rank_histories
from kimi_research.analysis.decline.series import (
    Levels,
    choose_vendor,
    higher_elsewhere,
    levels_of,
    memo,
    peak_and_latest,
    series_table,
    study_levels,
    trend_of,
    trend_rows,
)
from kimi_research.analysis.decline.timing import events_between_points
from kimi_research.analysis.decline.userbase import (
    direction_by_vendor,
    grain_words,
    like_for_like,
    stickiness,
)
from kimi_research.analysis.sections import Analysis, Section, shown
from kimi_research.data import comparable as C
from kimi_research.data.labels import Citation, Name, cite, name
from kimi_research.data.units import DAYS_PER_MONTH
from kimi_research.data.vocabulary import UserMetric

NOTEBOOK = "01_user_decline"
DATING = "period midpoint (a quarter at mid-quarter)"


# --- result models -----------------------------------------------------------------------------------
class SeriesSummary(BaseModel):
    """Peak, latest and change of one firm's series (results key ``series``)."""

    vendor: str
    n_points: int
    n_bounds: int
    peak_value: float | None
    peak_period: str | None
    peak_obs: str | None = None
    latest_value: float | None
    latest_period: str | None
    latest_obs: str | None = None
    peak_to_latest_change: float | None
    months_since_peak: float | None


class ConflictingFigure(BaseModel):
    """A figure for the period of the peak or the latest figure that conflicts with the one used (rule
    ``conflict_choice``: a point before a bound, a named firm before none, a tier-1 source, the lowest obs_id)."""

    obs_id: str
    period: str
    value: float
    role: Literal["peak", "latest"]
    used_instead: str = Field(description="the observation id used")


class GrowthPhase(BaseModel):
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
    monthly_growth: float | None = Field(description="None when the two figures are less than about two months apart")
    why_no_rate: str = Field("", description="why there is no monthly growth ('' when there is one)")


class RankPoint(BaseModel):
    obs_id: str
    metric: str
    vendor: str
    scope: str | None
    period: str
    qualifier: str
    rank: int
    text: str = Field(description="the rank with its qualifier, e.g. '≤3' (presentation.format.rank_text)")
    list_key: str = Field("", description="the list: '<rank metric> · <firm> · <scope>'")


class RankList(BaseModel):
    """One list's rank history (never joined to another list's)."""

    list_key: str = Field(description="'<rank metric> · <firm> · <scope>'")
    name: str = Field(description="the list in words")
    obs_ids: list[str]
    periods: list[str]
    ranks: list[str] = Field(description="the ranks as written, with their qualifiers ('≤3')")


class ForecastPoint(BaseModel):
    months_ahead: int
    date: str
    value: float | None
    low: float | None
    high: float | None


class LikeForLikeChange(BaseModel):
    """A change between two figures of one firm and one grain."""

    series: str = Field(description="the firm (or 'none:<source_id>')")
    grain: str = Field(description="the grain both figures share: month, quarter, day ...")
    scale: str = Field(description="'month', 'monthly average' (a quarter's average of monthly values) ...")
    comparison: str = Field(description="the comparison in words, e.g. 'month against month'")
    basis: Literal["peak to latest", "first to latest"]
    from_obs: str
    from_period: str
    from_value: float
    to_obs: str
    to_period: str
    to_value: float
    months: float = Field(description="months between the two period midpoints")
    change: float = Field(description="to / from - 1")
    obs_ids: list[str] = Field(description="every observation id of the two figures (corroborating rows included)")


class StickinessRow(BaseModel):
    """DAU/MAU of one app, one firm, one period."""

    entity: str
    entity_name: str
    firm: str = Field(description="the series: a firm id, or 'none:<source_id>' for one source naming none")
    firm_name: str
    period: str
    grain: str
    dau: float
    mau: float
    dau_mau: float = Field(description="DAU / MAU, in (0, 1]")
    dau_obs_ids: list[str]
    mau_obs_ids: list[str]
    source_ids: list[str]


class PairLeftOut(BaseModel):
    """A DAU and an MAU figure that are not like for like, with the layer's rule and the reason."""

    pair: str = Field(description="'<DAU obs_id>/<MAU obs_id>'")
    entity: str
    series: str
    period: str
    rule: str
    reason: str


class FirmDirection(BaseModel):
    firm: str
    firm_name: str
    direction: Literal["rises", "falls", "flat"]
    change: float = Field(description="last / first - 1 over the points that cover the window")
    months: float
    obs_ids: list[str]
    periods: list[str]
    values: list[float]
    scopes: list[str]
    scales: list[str]
    past_window: bool = Field(
        description="True when the figures covering the window reach past it (the last at or before its start, the "
        "first at or after its end)"
    )


class DirectionWindow(BaseModel):
    """Two firms' series of one app and metric over the window both measured."""

    metric: str
    window: str = Field(description="the span both firms' figures cover")
    firms: list[str]
    series: list[FirmDirection]
    agree: bool
    sentence: str | None = Field(description="when they disagree: what differs between the panels (None when they agree)")


class SideRate(BaseModel):
    obs_ids: list[str]
    n_dates: int
    monthly_change: float | None
    ci: list[float | None] = Field(description="95% interval (None without three dates)")
    why_no_rate: str = ""
    why_no_interval: str = ""


class EventPlacement(BaseModel):
    """One dated event against the figures of one series."""

    event_id: str
    date: str
    date_precision: str
    label: str
    kind: str
    series: str
    position: Literal["between", "before_first", "after_last"]
    before_obs: str | None
    before_period: str | None
    after_obs: str | None
    after_period: str | None
    inside_period_of: list[str] = Field(description="figures whose period contains the event's date")
    side_uncertain: bool = Field(description="the event's month or quarter holds a figure's date: either side possible")
    segment_monthly_change: float | None = Field(description="the rate between the two bracketing figures")
    rate_before: SideRate
    rate_after: SideRate
    rates_differ: Literal["yes", "no", "cannot tell"]
    why: str


# --- sections ------------------------------------------------------------------------------------------
class Basis(Section):
    """Which evidence the run used."""

    evidence: str = Field(description="the evidence the run used: 'articles' or 'all'")


class Trajectory(Section):
    """Which figures exist for the app and metric, one series per measurement firm?"""

    entity: str = Field(description="the entity id")
    entity_name: str = Field(description="its English name")
    metric: UserMetric = Field(description="the user metric")
    n_observations: int = Field(description="levels of the entity and metric inside the study window (each measurement once)")
    study_window: list[str | None] = Field(
        description="the study window [start, end] (parameters start/end; None: no limit on that side)"
    )
    left_out_rows: dict[str, str] = Field(
        description="rows of the entity and metric that are not compared, obs_id -> reason: not a level, undated, a "
        "repeat of a measurement, a quarter's average beside its own months, outside the study window, a special day"
    )
    rules_applied: dict[str, str] = Field(description="the comparability layer's rules applied: name -> what it does")

    name: Name = shown("the entity's display name")
    metric_name: str = shown("the metric's name in words (metrics.csv), e.g. 'monthly active users'")
    rows: pd.DataFrame = shown("every dated level, with series, kind, period and usable (inside the window, no special day)")
    series_names: dict[str, str] = shown("series key -> firm label")
    axis: TimeAxis = shown("x range and events of the trajectory chart")
    source: Citation = shown("the rows of the chart")


class PeakAndLatest(Section):
    """Per firm: where was the peak, where is the latest figure, how far apart? Which series is fitted?"""

    vendor: str = Field(description="the series fitted: a firm id, 'none:<source_id>' (a source naming no firm) or 'all'")
    vendor_label: str = Field(description="that series in words")
    vendor_parameter: str = Field(description="the vendor parameter as given")
    pooled: bool = Field(description="True when every firm is pooled (rule pooled_firms: different panels)")
    n_points: int = Field(description="exact figures in the fitted series (inside the window, no special day)")
    peak_value: float | None = Field(description="its largest exact figure of the fitted scale")
    peak_period: str | None = Field(description="the period of the peak")
    peak_obs: str | None = Field(description="its observation id")
    latest_value: float | None = Field(description="the latest exact figure (never a special day)")
    latest_period: str | None = Field(description="its period")
    latest_obs: str | None = Field(description="its observation id")
    peak_to_latest_change: float | None = Field(description="latest / peak - 1 (None with one figure)")
    months_since_peak: float | None = Field(description="months between their period midpoints")
    series: dict[str, SeriesSummary] = Field(description="the same for every firm's series")
    higher_elsewhere: list[str] = Field(description="rows of other firms (or bounds) above the fitted series' peak")
    conflicting_figures: list[ConflictingFigure] = Field(
        description="figures for the peak's or the latest's period that conflict with the one used (both shown)"
    )

    table: pd.DataFrame = shown("series_table: one line per firm")
    chosen: pd.DataFrame = shown("the trend points of the fitted series")
    peak_row: pd.Series | None = shown("the peak's row")
    latest_row: pd.Series | None = shown("the latest figure's row")
    higher: pd.DataFrame = shown("the higher rows, with firm")
    other_metrics: pd.DataFrame = shown("the entity's figures of the other user metrics, with firm")


class DecayFitSection(Section):
    """How fast: the log-linear decay fit of the chosen series, and where its rate would lead."""

    dating: str = Field(description="how a figure is dated")
    days_per_month: float = Field(description="days in a month of the time axis")
    n_fit: int = Field(description="points in the fit")
    fit_status: str = Field(
        description="'fit', 'no_ci' (two points or dates), 'too_few' (fewer than two points after the peak) or "
        "'too_close' (points less than about two months apart: no rate)"
    )
    why_no_rate: str | None = Field(description="why no rate is fitted (None when one is)")
    monthly_change: float | None = Field(description="exp(slope) - 1")
    monthly_change_ci: list[float | None] = Field(description="its 95% interval")
    half_life_months: float | None = Field(description="ln 2 / -slope (declining series only)")
    half_life_ci: list[float | None] = Field(description="its 95% interval (None: unbounded)")
    r_squared: float | None = Field(description="R² of the fit (with an interval only)")
    forecast_months: int = Field(description="months extrapolated after the last figure")
    forecast: list[ForecastPoint] = Field(description="the extrapolation with its 95% prediction interval")
    wau_floor: dict[str, Any] | None = Field(
        description="the latest weekly-user figure (obs_id, value, period): monthly users cannot be below it"
    )
    forecast_below_wau_floor: list[str] = Field(description="forecast months (YYYY-MM) whose value is below the floor")

    fit: DecayFit = shown("the fit")
    metric: str = shown("the user metric")
    name: Name = shown("the entity's display name")
    vendor_label: str = shown("the fitted series in words")
    chosen: pd.DataFrame = shown("the trend points of the fitted series")
    drawn: pd.DataFrame = shown("the rows the chart draws: the trend points, or every level when there is none")
    forecast_table: pd.DataFrame = shown("the extrapolation: months_ahead, t, date, value, low, high, below_wau_floor")
    floor_row: pd.Series | None = shown("the weekly-user floor's row")
    axis: TimeAxis = shown("x range and events of the decay chart")
    source: Citation = shown("the rows of the chart")


class FitBasis(Section):
    """What the rate rests on: the rows in and out of the fit, and how much one point or the dating moves it."""

    fit_rows: list[str] = Field(description="observation ids in the fit")
    excluded_rows: dict[str, str] = Field(
        description="figures of the trajectory (inside the window) that are not in the fit, obs_id -> why: another "
        "firm's panel, a bound, another scale, before the peak"
    )
    leave_one_out: dict[str, float] = Field(description="the monthly change without each point (the peak anchors the fit)")
    monthly_change_quarters_at_last_month: float | None = Field(
        description="the monthly change with quarters dated at their last month"
    )

    fit: DecayFit = shown("the fit")
    metric: str = shown("the user metric")
    used: pd.DataFrame = shown("the rows in the fit, with firm, value and months since the peak")
    left_out: dict[str, str] = shown("rows not compared at all (Trajectory.left_out_rows)")
    loo: pd.Series = shown("leave-one-out monthly changes")
    quarters_in_series: bool = shown("whether the series holds a figure for several months")
    other_rates: list[tuple[str, float | None, str]] = shown("other firms' series: (firm, rate or None, why no rate)")


class ConstantRate(Section):
    """Is the monthly rate constant? The rate between each pair of consecutive dates of the fit."""

    segment_rates: list[dict[str, Any]] = Field(
        description="the constant-rate check: monthly change between consecutive dates of the fit (from_obs, to_obs, "
        "from_period, to_period, months, monthly_change)"
    )
    accelerating: bool | None = Field(description="True when each segment falls faster than the one before")

    segments: pd.DataFrame = shown("the segment rates")


class LikeForLike(Section):
    """Which comparison is the headline change, and what do the comparisons of one grain say?"""

    like_for_like_change: list[LikeForLikeChange] = Field(
        description="changes between figures of one firm and one grain (month against month, a quarter's average "
        "against a quarter's average), per firm and grain with two dates or more"
    )
    headline_comparison: str | None = Field(
        description="what peak_to_latest_change compares, e.g. 'a month (2024-12) against a quarter's monthly average "
        "(2025 Q3)' (None without a change)"
    )
    headline_like_for_like: bool | None = Field(description="whether the peak and the latest figure share a grain")

    names: dict[str, str] = shown("series key -> firm label")
    metric: str = shown("the user metric")
    fitted: str = shown("the fitted series' key")


class Growth(Section):
    """Before the fall: the first rise of a user series of the entity."""

    growth_phase: GrowthPhase | None = Field(description="the first rise: start, maximum, multiple, monthly growth")

    name: Name = shown("the entity's display name")
    phases: pd.DataFrame = shown("every rise, one series at a time")
    rows: pd.DataFrame = shown("the trend points of the first rise's series")
    axis: TimeAxis | None = shown("x range and events of the growth chart (None without a rise)")
    source: Citation | None = shown("the rows of the chart")


class Ranks(Section):
    """Where did the entity rank, one list at a time?"""

    ranks: list[RankPoint] = Field(
        description="the rank history on one list (the list with most figures, then the latest): never two lists mixed"
    )
    rank_list: str | None = Field(description="that list: '<rank metric> · <firm> · <scope>' (None without ranks)")
    other_rank_lists: list[RankList] = Field(description="every other list, each its own history")
    rank_rows_left_out: dict[str, str] = Field(description="rank rows not shown, obs_id -> reason (outside the window ...)")

    name: Name = shown("the entity's display name")
    table: pd.DataFrame = shown("every rank row with list_key, list_name, rank text and firm, the main list first")
    histories: list[str] = shown("list keys with ranks for two periods or more (drawn, one panel each)")
    axis: TimeAxis | None = shown("x range and events of the rank chart (None without ranks)")
    source: Citation | None = shown("the rows of the chart")


class UserBase(Section):
    """How do the firms' figures relate: DAU against MAU (stickiness) and each firm's direction."""

    stickiness: list[StickinessRow] = Field(
        description="DAU/MAU for every app with a DAU and an MAU of the same firm and period (never across firms)"
    )
    stickiness_left_out: list[PairLeftOut] = Field(
        description="DAU and MAU figures of one app that are not like for like (a day against a month, a bound, "
        "different scopes, two firms ...), with the rule and the reason"
    )
    direction_by_vendor: list[DirectionWindow] = Field(
        description="for each window two firms both measured the entity: whether each firm's series rises or falls, "
        "and what differs between the panels when they disagree"
    )

    name: Name = shown("the entity's display name")


class Timing(Section):
    """What happened between the measurements: each dated event against the figures of one series."""

    events_between_points: list[EventPlacement] = Field(
        description="each dated event placed between the two figures of the series that bracket it, with the rates "
        "on either side and whether they differ beyond what the points allow (no causal claim)"
    )
    events_series: str | None = Field(description="the series the events are placed against (None without one)")

    series_label: str = shown("that series in words")
    metric: str = shown("the user metric")


class Annotations(Section):
    """The events drawn on the notebook's time charts."""

    events_annotated: list[str] = Field(description="event ids drawn on any time chart of the run")


class RivalCoverage(Section):
    """Which apps' series can be fitted at all?"""

    table: pd.DataFrame = shown("entity x metric: points, firms, dates, whether a rate is possible and why not")


class EvidenceComparison(Section):
    """The fit on each firm's series with the articles only and with the supplement."""

    table: pd.DataFrame | None = shown("one row per (evidence, series); None without the full dataset")


class DeclineAnalysis(Analysis):
    """Notebook 01: how fast the app lost users, per measurement firm, and how sure we are."""

    notebook: ClassVar[str] = NOTEBOOK

    basis: Basis
    trajectory: Trajectory
    peak: PeakAndLatest
    decay: DecayFitSection
    fit_basis: FitBasis
    constant_rate: ConstantRate
    like_for_like: LikeForLike
    growth: Growth
    ranks: Ranks
    user_base: UserBase
    timing: Timing
    annotations: Annotations
    coverage: RivalCoverage
    evidence_comparison: EvidenceComparison


# --- building the sections --------------------------------------------------------------------------------
def _firm(ds, rows: pd.DataFrame) -> pd.Series:
    return rows["series"].map(lambda k: vendor_label(ds, k)) if len(rows) else pd.Series(dtype=str)


def _span(rows: pd.DataFrame) -> pd.Series:
    return pd.concat([rows["period_start"], rows["period_end"]])


def _trajectory(ds, P, lv: Levels, t: C.Trend) -> Trajectory:
    every = lv.every
    return Trajectory(
        entity=lv.entity,
        entity_name=ds.name(lv.entity),
        metric=P.metric,
        n_observations=len(lv.rows),
        study_window=[P.start or None, P.end or None],
        left_out_rows=lv.left_out,
        rules_applied={r: C.RULES[r] for r in dict.fromkeys([*lv.rules, *t.rules]) if r in C.RULES},
        name=name(ds, lv.entity),
        metric_name=str(ds.metrics.at[P.metric, "name"]).lower(),
        rows=every,
        series_names={k: vendor_label(ds, k) for k in every["series"].unique()},
        axis=time_axis(ds, _span(every), P.annotate_events),
        source=cite(ds, every),
    )


def _peak(ds, P, lv: Levels, key: str, t: C.Trend) -> PeakAndLatest:
    pl = peak_and_latest(t, lv)
    table = series_table(ds, lv)
    chosen = trend_rows(t)
    higher = higher_elsewhere(lv.rows, key, None if pl.peak is None else float(pl.peak["base_value"]))
    others = levels_of(ds, [m for m in USER_METRICS if m != P.metric], lv.entity)
    others_rows = with_kind(others.rows[C.in_window(others.rows, lv.window) & ~others.rows["special_day"]])
    conflicting = []
    for oid, r in pl.others.iterrows():
        role = "peak" if pl.peak is not None and r["period"] == pl.peak["period"] else "latest"
        used = pl.peak if role == "peak" else pl.latest
        assert used is not None  # a conflicting figure is one of the peak's or the latest figure's
        conflicting.append(
            ConflictingFigure(
                obs_id=str(oid), period=r["period"], value=float(r["base_value"]), role=role, used_instead=str(used.name)
            )
        )
    return PeakAndLatest(
        vendor=key,
        vendor_label=vendor_label(ds, key),
        vendor_parameter=P.vendor,
        pooled=key == POOLED,
        n_points=pl.n_points,
        peak_value=None if pl.peak is None else float(pl.peak["base_value"]),
        peak_period=None if pl.peak is None else pl.peak["period"],
        peak_obs=None if pl.peak is None else str(pl.peak.name),
        latest_value=None if pl.latest is None else float(pl.latest["base_value"]),
        latest_period=None if pl.latest is None else pl.latest["period"],
        latest_obs=None if pl.latest is None else str(pl.latest.name),
        peak_to_latest_change=pl.change,
        months_since_peak=pl.months,
        series={
            str(k): SeriesSummary(**{c: (None if pd.isna(r[c]) else r[c]) for c in SeriesSummary.model_fields})
            for k, r in table.iterrows()
        },
        higher_elsewhere=[str(i) for i in higher.index],
        conflicting_figures=conflicting,
        table=table,
        chosen=chosen,
        peak_row=pl.peak,
        latest_row=pl.latest,
        higher=higher.assign(firm=_firm(ds, higher)),
        other_metrics=others_rows.assign(firm=_firm(ds, others_rows)),
    )


def _decay(ds, P, lv: Levels, key: str, chosen: pd.DataFrame, fit: DecayFit) -> DecayFitSection:
    floor = weekly_floor(ds, lv.entity, P.metric, key, lv.window)
    fc = flag_below_floor(forecast(fit, P.forecast_months), floor)
    x_end = None
    if fit.slope is not None and len(fc):
        x_end = fc["date"].max()
        if floor is not None:
            x_end = max(x_end, floor["period_mid"])
    dates = _span(chosen) if len(chosen) else _span(lv.every)
    return DecayFitSection(
        dating=DATING,
        days_per_month=DAYS_PER_MONTH,
        n_fit=fit.n,
        fit_status=fit.status,
        why_no_rate=fit.why_not or None,
        monthly_change=fit.monthly_change,
        monthly_change_ci=list(fit.monthly_change_ci),
        half_life_months=fit.half_life,
        half_life_ci=list(fit.half_life_ci),
        r_squared=fit.r_squared,
        forecast_months=P.forecast_months,
        forecast=[
            ForecastPoint(
                months_ahead=int(r["months_ahead"]),
                date=r["date"].date().isoformat(),
                value=r["value"],
                low=r["low"],
                high=r["high"],
            )
            for _, r in fc.iterrows()
        ],
        wau_floor=None
        if floor is None
        else {"obs_id": str(floor.name), "value": float(floor["base_value"]), "period": floor["period"]},
        forecast_below_wau_floor=[r["date"].strftime("%Y-%m") for _, r in fc.iterrows() if r["below_wau_floor"]],
        fit=fit,
        metric=P.metric,
        name=name(ds, lv.entity),
        vendor_label=vendor_label(ds, key),
        chosen=chosen,
        drawn=chosen if len(chosen) else lv.every,
        forecast_table=fc,
        floor_row=floor,
        axis=time_axis(ds, dates, P.annotate_events, x_end),
        source=cite(ds, chosen if len(chosen) else lv.every),
    )


def _fit_basis(ds, P, lv: Levels, key: str, t: C.Trend, chosen: pd.DataFrame, fit: DecayFit) -> FitBasis:
    loo = leave_one_out(fit)
    shown_ids = set(lv.rows.index)
    excluded = {i: r for i, r in t.reasons.items() if i in shown_ids}
    excluded.update({i: r for i, r in fit.excluded.items() if i in shown_ids})
    other = []
    if key != POOLED:
        for k in sorted(set(lv.rows["series"]) - {key}):
            f = fit_decay(trend_rows(trend_of(ds, lv, str(k))), vendor_label(ds, str(k)))
            if f.n >= 1 and (f.status != "too_few" or len(f.used) + len(f.excluded) >= 2):
                other.append((vendor_label(ds, str(k)), f.monthly_change, f.why_not))
    used = fit.used.assign(firm=_firm(ds, fit.used))
    return FitBasis(
        fit_rows=[str(i) for i in fit.used.index],
        excluded_rows=dict(sorted(excluded.items())),
        leave_one_out=loo.to_dict(),
        monthly_change_quarters_at_last_month=dating_sensitivity(chosen, vendor_label(ds, key)) if len(chosen) else None,
        fit=fit,
        metric=P.metric,
        used=used,
        left_out=lv.left_out,
        loo=loo,
        quarters_in_series=bool(len(chosen) and (chosen["period_months"] > 1.5).any()),
        other_rates=other,
    )


def _like_for_like(ds, P, lv: Levels, key: str, peak: PeakAndLatest) -> LikeForLike:
    headline, same = None, None
    if peak.peak_row is not None and peak.latest_row is not None and peak.peak_to_latest_change is not None:
        p, q = peak.peak_row, peak.latest_row
        headline = f"{grain_words(p)} against {grain_words(q)}"
        same = bool((p["grain"], p["scale"]) == (q["grain"], q["scale"]))
    return LikeForLike(
        like_for_like_change=[LikeForLikeChange(**x) for x in like_for_like(lv.rows)],
        headline_comparison=headline,
        headline_like_for_like=same,
        names={k: vendor_label(ds, k) for k in lv.rows["series"].unique()},
        metric=P.metric,
        fitted=key,
    )


def _growth(ds, P, eid: str, win: tuple) -> Growth:
    phases = growth_phases(ds, eid, win)
    if not len(phases):
        return Growth(growth_phase=None, name=name(ds, eid), phases=phases, rows=phases, axis=None, source=None)
    g = phases.iloc[0]
    grows = trend_rows(C.trend_in(levels_of(ds, g["metric"], eid), series=g["series"], window=win))
    return Growth(
        growth_phase=GrowthPhase(
            **{k: (None if k == "monthly_growth" and pd.isna(g[k]) else g[k]) for k in GrowthPhase.model_fields}
        ),
        name=name(ds, eid),
        phases=phases.assign(start_date=phases["start_obs"].map(lambda o: ds.observations.at[o, "period_mid"])),
        rows=grows,
        axis=time_axis(ds, _span(grows), P.annotate_events),
        source=cite(ds, grows),
    )


def _rank_point(oid, x) -> RankPoint:
    return RankPoint(
        obs_id=str(oid),
        metric=x["metric"],
        vendor=x["series"],
        scope=x["scope"] if isinstance(x["scope"], str) else None,
        period=x["period"],
        qualifier=x["qualifier"],
        rank=int(x["value"]),
        text=x["rank"],
        list_key=x["list_key"],
    )


def _ranks(ds, P, eid: str, win: tuple) -> Ranks:
    keys, r, left = rank_histories(ds, eid, win)
    main = r[r["list_key"] == keys[0]] if keys else r
    others = [
        RankList(
            list_key=k,
            name=str(g["list_name"].iloc[0]),
            obs_ids=[str(i) for i in g.index],
            periods=list(g["period"]),
            ranks=list(g["rank"]),
        )
        for k in keys[1:]
        for g in [r[r["list_key"] == k]]
    ]
    histories = [k for k in keys if r.loc[r["list_key"] == k, "period"].nunique() >= 2]
    return Ranks(
        ranks=[_rank_point(oid, x) for oid, x in main.iterrows()],
        rank_list=keys[0] if keys else None,
        other_rank_lists=others,
        rank_rows_left_out=left,
        name=name(ds, eid),
        table=r.assign(firm=_firm(ds, r)) if len(r) else r.assign(firm=""),
        histories=histories,
        axis=time_axis(ds, r["period_mid"], P.annotate_events) if len(r) else None,
        source=cite(ds, r) if len(r) else None,
    )


def _user_base(ds, P, eid: str, win: tuple) -> UserBase:
    st = memo(ds, ("stickiness", win), lambda: stickiness(ds, win))
    return UserBase(
        stickiness=[
            StickinessRow(
                entity=r["entity"],
                entity_name=ds.name(r["entity"]),
                firm=r["series"],
                firm_name=vendor_label(ds, r["series"]),
                period=r["period"],
                grain=r["grain"],
                dau=r["num_value"],
                mau=r["den_value"],
                dau_mau=r["ratio"],
                dau_obs_ids=list(r["num_obs_ids"]),
                mau_obs_ids=list(r["den_obs_ids"]),
                source_ids=list(r["source_ids"]),
            )
            for _, r in st.rows.iterrows()
        ],
        stickiness_left_out=[
            PairLeftOut(
                pair=str(i), entity=r["entity"], series=r["series"], period=r["period"], rule=r["rule"], reason=r["reason"]
            )
            for i, r in st.left_out.iterrows()
        ],
        direction_by_vendor=[DirectionWindow(**d) for d in direction_by_vendor(ds, eid, win)],
        name=name(ds, eid),
    )


def _timing(ds, P, lv: Levels, key: str) -> Timing:
    series = key if key not in (POOLED, "") else C.choose_series(lv.rows)
    if not series:
        return Timing(events_between_points=[], events_series=None, series_label="", metric=P.metric)
    rows = trend_rows(trend_of(ds, lv, series))
    return Timing(
        events_between_points=[EventPlacement(**e) for e in events_between_points(ds.events, rows, series)],
        events_series=series,
        series_label=vendor_label(ds, series),
        metric=P.metric,
    )


def coverage(ds, win: tuple = C.STUDY_WINDOW) -> pd.DataFrame:
    """Entity x user metric: exact points (+ bounds) inside the window and the firms quoting them; whether a rate
    can be fitted on one firm's series, and why not."""
    out = []
    for metric in USER_METRICS:
        every = C.levels(ds, metric)
        for e in sorted(set(every.rows["entity"])):
            one = C.Comparable(every.rows[every.rows["entity"] == e], every.left_out.iloc[0:0], every.rules)
            g = one.rows[C.in_window(one.rows, win) & ~one.rows["special_day"]]
            if g.empty:
                continue
            g = with_kind(g)
            fits = []
            for k in sorted(set(g["series"])):
                t = C.trend_in(one, series=str(k), window=win)
                fits.append((t.fit_allowed, t.rows["period_mid"].nunique(), t.why_not))
            best = max(fits, key=lambda f: (f[0], f[1]))
            verdict = ("with CI" if best[1] >= MIN_POINTS_FOR_CI else "rate only") if best[0] else f"no: {best[2]}"
            out.append(
                {
                    "entity": ds.name(e),
                    "metric": METRIC_SHORT[metric],
                    "points (+ bounds)": f"{int((~g['open']).sum())} (+{int(g['open'].sum())})",
                    "firms": ", ".join(vendor_label(ds, k) for k in sorted(set(g["series"]))),
                    "from": g["period"].iloc[0],
                    "to": g["period"].iloc[-1],
                    "rate possible": verdict,
                }
            )
    cols = ["entity", "metric", "points (+ bounds)", "firms", "from", "to", "rate possible"]
    return pd.DataFrame(out, columns=cols).sort_values(["entity", "metric"], kind="stable").set_index(["entity", "metric"])


def evidence_comparison(full, P, win: tuple) -> pd.DataFrame | None:
    """The fit on each firm's series under both evidence settings: one row per (evidence, series).

    Columns: evidence, series, exact figures, in the fit, monthly change, ci_low, ci_high, why no rate."""
    if full.evidence != "all":
        return None
    out = []
    for ev in ("articles", "all"):
        ds = with_evidence(full, ev)
        eid = resolve_entity(ds, P.entity) or P.entity
        lv = study_levels(ds, eid, P.metric, win)
        for key in sorted(set(lv.rows["series"])):
            t = trend_of(ds, lv, str(key))
            fit = fit_decay(trend_rows(t), vendor_label(ds, str(key)))
            lo, hi = fit.monthly_change_ci
            out.append(
                {
                    "evidence": ev,
                    "series": vendor_label(ds, str(key)),
                    "exact figures": int((~lv.rows.loc[lv.rows["series"] == key, "open"]).sum()),
                    "in the fit": fit.n if fit.slope is not None else 0,
                    "monthly change": fit.monthly_change,
                    "ci_low": lo,
                    "ci_high": hi,
                    "why no rate": fit.why_not,
                }
            )
    return pd.DataFrame(
        out, columns=["evidence", "series", "exact figures", "in the fit", "monthly change", "ci_low", "ci_high", "why no rate"]
    )


def with_evidence(full, evidence: str):
    """``full.with_evidence(evidence)``, made once per dataset (so its selections are made once too)."""
    return full if full.evidence == evidence else memo(full, ("evidence", evidence), lambda: full.with_evidence(evidence))


def analyse(ds, P) -> DeclineAnalysis:
    """Run every step for validated parameters P on the full dataset ``ds`` (its ``P.evidence`` part is used; the
    evidence comparison uses both). Every entity and metric with data runs: where no rate can be fitted the
    sections say why."""
    full = ds
    ds = with_evidence(full, P.evidence)
    eid = resolve_entity(ds, P.entity) or P.entity
    window(P.start, P.end)  # start after end: a ParameterError naming both
    win = (P.start or None, P.end or None)
    lv = study_levels(ds, eid, P.metric, win)
    key = choose_vendor(lv, P.vendor)
    t = trend_of(ds, lv, key)
    chosen = trend_rows(t)
    fit = fit_decay(chosen, vendor_label(ds, key))
    if chosen.empty and len(lv.listed):
        fit.why_not = (
            f"no exact figure inside the study window ({C.window_text(lv.window)}) that is not of a special day; "
            f"{len(lv.listed)} figure{'s' if len(lv.listed) != 1 else ''} outside it or of a special day "
            f"{'are' if len(lv.listed) != 1 else 'is'} drawn and listed, never fitted"
        )
    elif not fit.why_not and fit.slope is None and not t.fit_allowed:
        fit.why_not = t.why_not
    traj = _trajectory(ds, P, lv, t)
    peak = _peak(ds, P, lv, key, t)
    decay = _decay(ds, P, lv, key, chosen, fit)
    growth = _growth(ds, P, eid, win)
    ranks = _ranks(ds, P, eid, win)
    segments = segment_rates(fit)
    axes = [traj.axis, decay.axis, growth.axis, ranks.axis]
    return DeclineAnalysis(
        parameters=P,
        basis=Basis(evidence=P.evidence),
        trajectory=traj,
        peak=peak,
        decay=decay,
        fit_basis=_fit_basis(ds, P, lv, key, t, chosen, fit),
        constant_rate=ConstantRate(
            segment_rates=[
                {k: r[k] for k in ("from_obs", "to_obs", "from_period", "to_period", "months", "monthly_change")}
                for _, r in segments.iterrows()
            ],
            accelerating=accelerating(segments),
            segments=segments,
        ),
        like_for_like=_like_for_like(ds, P, lv, key, peak),
        growth=growth,
        ranks=ranks,
        user_base=_user_base(ds, P, eid, win),
        timing=_timing(ds, P, lv, key),
        annotations=Annotations(events_annotated=sorted({i for a in axes if a is not None for i in a.event_ids})),
        coverage=RivalCoverage(table=memo(ds, ("coverage", win), lambda: coverage(ds, win))),
        evidence_comparison=EvidenceComparison(table=evidence_comparison(full, P, win)),
    )
