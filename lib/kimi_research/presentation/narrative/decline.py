"""Prose of notebook 01 (user decline): the summary bullets, the fit in words, the tables, the headline.

Every sentence takes one section (the summary and the headline the whole analysis) and says only what the
section computed; events are placed in time, never given as a cause."""

from __future__ import annotations

from typing import Any, cast

import pandas as pd

from kimi_research.analysis.decline import (
    METRIC_SHORT,
    MIN_POINTS_FOR_CI,
    NO_VENDOR,
    NO_VENDOR_LABEL,
    POOLED,
    POOLED_LABEL,
    ConstantRate,
    DecayFit,
    DecayFitSection,
    DeclineAnalysis,
    EvidenceComparison,
    FitBasis,
    Growth,
    LikeForLike,
    PeakAndLatest,
    Ranks,
    RivalCoverage,
    Timing,
    Trajectory,
    UserBase,
)
from kimi_research.data.units import DAYS_PER_MONTH
from kimi_research.presentation import format as F

fmt_est, fmt_row, fmt_users = F.estimate_zh, F.row_zh, F.users_zh


def fmt_pct(v, sign: bool = True) -> str:
    """A change in prose, signed by default: '−29.5%'."""
    return F.pct(v, sign=sign)


def series_phrase(label: str) -> str:
    if label == NO_VENDOR_LABEL or label.startswith(NO_VENDOR_LABEL + ", "):
        return "the series that names no firm" + (f" ({label[len(NO_VENDOR_LABEL) + 2 :]})" if label != NO_VENDOR_LABEL else "")
    if label == POOLED_LABEL:
        return "the pooled series (all vendors together, not comparable panels)"
    return f"the {label} series"


def coverage_table(cov: RivalCoverage) -> pd.DataFrame:
    """Entity x user metric: which series can be fitted at all, and why not."""
    return cov.table


# --- 1. the trajectory -----------------------------------------------------------------------------------
def display_series_table(pk: PeakAndLatest) -> pd.DataFrame:
    """The series table formatted for a reader."""
    t = pk.table

    def num(v, f):
        return F.MISSING if F.is_missing(v) else f(v)

    def value_at(values, periods):
        return [num(v, fmt_users) + (f" ({p})" if isinstance(p, str) else "") for v, p in zip(values, periods, strict=True)]

    return pd.DataFrame(
        {
            "vendor": t["vendor"],
            "rows (points + bounds)": [
                f"{a} ({b} + {c})" for a, b, c in zip(t["n_rows"], t["n_points"], t["n_bounds"], strict=True)
            ],
            "peak": value_at(t["peak_value"], t["peak_period"]),
            "latest": value_at(t["latest_value"], t["latest_period"]),
            "peak to latest": [num(v, fmt_pct) for v in t["peak_to_latest_change"]],
            "months since peak": [num(v, lambda x: f"{x:.1f}") for v in t["months_since_peak"]],
            "bounds (not points)": t["bounds"].replace("", F.MISSING),
        }
    ).set_index("vendor")


def series_note(pk: PeakAndLatest) -> str:
    """Which series the fit uses, and why."""
    text = (
        f"**Peak, latest and change, per firm.** The fit below uses **{pk.vendor_label}**"
        + (
            " (all firms pooled: their panels differ, so the pooled line mixes definitions)"
            if pk.vendor == POOLED
            else f" (parameter `vendor = {pk.vendor_parameter!r}`"
            + (": the firm with the most exact figures)" if pk.vendor_parameter == "auto" else ")")
        )
        + ". Bounds are listed, never used as a peak or latest value; a special day is never the latest figure. "
        "Months are counted between period midpoints."
    )
    for c in pk.conflicting_figures:
        text += (
            f" Another figure for the {c.role}'s period ({c.period}) conflicts with the one used: {fmt_users(c.value)} "
            f"(`{c.obs_id}`, not `{c.used_instead}`): both are shown; the choice follows the order a point, a named "
            "firm, a tier-1 source, the lowest id."
        )
    return text


def left_out_table(tr: Trajectory) -> pd.DataFrame | str:
    """Every row of the entity and metric that is not compared, with its reason (or a sentence when none is)."""
    if not tr.left_out_rows:
        return f"**Rows left out:** none: every {METRIC_SHORT[tr.metric]} row of {tr.name.en} is a dated level inside the window."
    return pd.DataFrame({"why it is not compared": tr.left_out_rows}).rename_axis("row")


def window_note(tr: Trajectory) -> str:
    """The study window in words."""
    lo, hi = tr.study_window
    if lo is None and hi is None:
        return "**Study window:** no limit (`start` and `end` are empty): every dated figure is compared."
    span = f"from {lo}" if hi is None else f"up to {hi}" if lo is None else f"{lo} to {hi}"
    return (
        f"**Study window:** {span} (parameters `start`/`end`). Figures outside it, and figures of a special day "
        "(a holiday, a launch day, a campaign), are drawn as open circles and listed below, never fitted."
    )


def direction_note(ub: UserBase) -> str:
    """Each firm's direction over the windows two firms both measured, and what differs when they disagree."""
    if not ub.direction_by_vendor:
        return (
            f"**Firms side by side:** no two firms measured {ub.name.en} over overlapping spans with two figures each, "
            "so no two directions can be set against each other."
        )
    out = []
    for d in ub.direction_by_vendor:
        head = f"**{METRIC_SHORT[d.metric]}, {d.window}:** "
        if not d.agree:
            out.append(head + str(d.sentence))
            continue
        out.append(
            head
            + "; ".join(
                f"{s.firm_name} {s.direction} ("
                + " → ".join(f"{fmt_users(v)} ({p})" for v, p in zip(s.values, s.periods, strict=True))
                + f", {fmt_pct(s.change)})"
                for s in d.series
            )
            + ": the firms agree on the direction."
        )
    return "\n\n".join(out)


# --- like for like ----------------------------------------------------------------------------------------
def like_for_like_table(lf: LikeForLike) -> pd.DataFrame:
    t = pd.DataFrame([c.model_dump() for c in lf.like_for_like_change])
    if t.empty:
        return t
    return pd.DataFrame(
        {
            "firm": t["series"].map(lambda k: lf.names.get(k, k)),
            "comparison": t["comparison"],
            "from": [f"{fmt_users(v)} ({p})" for v, p in zip(t["from_value"], t["from_period"], strict=True)],
            "to": [f"{fmt_users(v)} ({p})" for v, p in zip(t["to_value"], t["to_period"], strict=True)],
            "months": t["months"].round(1),
            "change": t["change"].map(fmt_pct),
            "rows": t["obs_ids"].map(", ".join),
        }
    )


def like_for_like_note(lf: LikeForLike, pk: PeakAndLatest) -> str:
    """Which comparison the headline change is, and the comparisons of one grain the data allow."""
    m = METRIC_SHORT[lf.metric]
    out = []
    if lf.headline_comparison is not None:
        kind = "a like-for-like comparison" if lf.headline_like_for_like else "not a like-for-like comparison"
        out.append(f"**The headline change, {fmt_pct(pk.peak_to_latest_change)}, compares {lf.headline_comparison}**: {kind}.")
    else:
        out.append("**No headline change:** the fitted series has fewer than two exact figures.")
    mine = [c for c in lf.like_for_like_change if c.series == lf.fitted]
    if mine:
        out.append(
            "Like for like on the same firm: "
            + "; ".join(
                f"{c.comparison}, {fmt_users(c.from_value)} ({c.from_period}) → {fmt_users(c.to_value)} ({c.to_period}): "
                f"**{fmt_pct(c.change)}** in {c.months:.1f} months"
                for c in mine
            )
            + "."
        )
    elif lf.like_for_like_change:
        out.append("The fitted series has no two figures of one grain; other firms' comparisons of one grain are in the table.")
    else:
        out.append(f"No firm has two {m} figures of one grain in the window: no like-for-like change can be computed.")
    return " ".join(out)


# --- 2. the fit -------------------------------------------------------------------------------------------
def describe_fit(fit: DecayFit, metric: str) -> str:
    """Plain-language result of the fit, including the small-n warnings and why no rate is fitted."""
    m = METRIC_SHORT.get(metric, metric)
    who = series_phrase(fit.label)
    if fit.status in ("too_few", "too_close"):
        why = fit.why_not or "fewer than two exact figures after the peak"
        return (
            f"**No rate is fitted.** {who[0].upper() + who[1:]}: {why}. A rate of change needs at least two figures "
            f"after the peak, about two months apart or more; a confidence interval needs {MIN_POINTS_FOR_CI}. "
            "What exists is shown in the charts."
        )
    rate = f"{fmt_pct(fit.monthly_change)} a month"
    if fit.status == "no_ci":
        hl = f", a half-life of {fit.half_life:.1f} months" if fit.declining else ""
        head = (
            "**Two points only: no confidence interval is possible.**"
            if fit.n == 2
            else f"**{fit.n} points on only {fit.n_dates} distinct dates: no meaningful confidence interval.**"
        )
        return (
            f"{head} The line through the points of {who} gives {rate}{hl}. Treat it as arithmetic between "
            f"two dates, not as an estimate."
        )
    lo, hi = fit.monthly_change_ci
    text = f"On {who}, {m} changes by **{rate}** (95% CI {fmt_pct(lo)} to {fmt_pct(hi)}; n = {fit.n}, R² = {fit.r_squared:.3f})"
    if fit.declining:
        hlo, hhi = fit.half_life_ci
        if hlo is None:
            rng = "the interval includes growth, so the half-life is not bounded"
        elif hhi is None:
            rng = f"95% CI {hlo:.1f} months to unbounded, since the interval reaches zero decline"
        else:
            rng = f"95% CI {hlo:.1f}–{hhi:.1f} months"
        text += f": it halves every **{fit.half_life:.1f} months** ({rng})."
    else:
        text += ": the series is not declining after its peak, so there is no half-life."
    if fit.n < 6:
        dof = fit.n - 2
        text += (
            f" **Small sample:** {fit.n} points leave {dof} degree{'s' if dof != 1 else ''} of freedom, so the "
            f"interval is wide and rests on the assumption of a constant monthly rate."
        )
    return text


def fit_rows_heading(fb: FitBasis) -> str:
    fit = fb.fit
    return (
        f"**Rows in the fit ({fit.n}):**"
        if fit.slope is not None
        else f"**Exact figures at or after the peak ({fit.n}), no rate fitted:**"
    ) + ("" if fit.n else " none.")


def fit_rows_table(fb: FitBasis) -> pd.DataFrame:
    """The rows in the fit: period, date, months since the peak, value, firm, sources."""
    u = fb.used
    return u.assign(
        value=u["base_value"].map(fmt_users),
        months_since_peak=u["t"].round(2),
        dated=u["period_mid"].dt.date,
        sources=u["source_ids"].map(", ".join),
    )[["period", "dated", "months_since_peak", "value", "firm", "sources"]]


def fit_basis_note(fb: FitBasis) -> str:
    """The figures of the window not in the fit, the fit in words, leave-one-out and the dating sensitivity."""
    fit = fb.fit
    left = fb.excluded_rows
    lines = [
        "**Figures of the window not in the fit:** "
        + ("none." if not left else "; ".join(f"`{k}` {v}" for k, v in left.items()) + ".")
    ]
    lines.append(describe_fit(fit, fb.metric))
    if len(fb.loo):
        lines.append(
            "**Leave one out** (monthly change without each point; the peak anchors the fit): "
            + "; ".join(
                f"without {fit.used.at[k, 'period']!s} ({fmt_users(cast(float, fit.used.at[k, 'base_value']))}): {fmt_pct(v)}"
                for k, v in fb.loo.items()
            )
            + "."
        )
    alt = fb.monthly_change_quarters_at_last_month
    if alt is not None and fit.monthly_change is not None and fb.quarters_in_series:
        lines.append(
            f"**Dating sensitivity:** dating each quarter at the middle of its last month instead of mid-quarter "
            f"gives {fmt_pct(alt)} a month (against {fmt_pct(fit.monthly_change)})."
        )
    counted = {k: v for k, v in fb.left_out.items() if v.startswith("the same measurement")}
    if counted:
        lines.append(
            "**Counted once** (listed with the rows left out above): " + "; ".join(f"`{k}` {v}" for k, v in counted.items()) + "."
        )
    return "\n\n".join(lines)


def forecast_table(dec: DecayFitSection) -> pd.DataFrame:
    """The extrapolation month by month, with its prediction interval and the weekly-user floor."""
    fc, m = dec.forecast_table, METRIC_SHORT[dec.metric]
    if fc.empty:
        return pd.DataFrame()
    return pd.DataFrame(
        {
            "month": fc["date"].dt.strftime("%Y-%m"),
            "months after the last figure": fc["months_ahead"],
            f"{m} (fitted rate continued)": fc["value"].map(fmt_est),
            "95% prediction interval": [
                (F.MISSING if pd.isna(a) else f"{fmt_est(a)} – {fmt_est(b)}") for a, b in zip(fc["low"], fc["high"], strict=True)
            ],
            "below the weekly-user floor": fc["below_wau_floor"].map({True: "yes", False: "no"}),
        }
    ).set_index("month")


def forecast_note(dec: DecayFitSection) -> str:
    """What the extrapolation is (and is not), or why there is none."""
    fit = dec.fit
    if not len(dec.forecast_table):
        return "**No extrapolation:** " + (
            "`forecast_months` is 0." if dec.forecast_months == 0 else "there is no fitted rate to continue."
        )
    return (
        f"**Extrapolation, not a forecast of record.** The table continues the fitted rate of "
        f"{fmt_pct(fit.monthly_change)} a month for {dec.forecast_months} months after the last "
        f"figure ({fit.used['period'].iloc[-1]}). It assumes nothing changes: no launch, no campaign. The "
        f"interval covers the fit's uncertainty and the scatter of single figures, not a change of regime."
    )


def segments_table(cr: ConstantRate) -> pd.DataFrame:
    seg = cr.segments
    return seg.assign(months=seg["months"].round(2), monthly_change=seg["monthly_change"].map(fmt_pct))[
        ["from_period", "to_period", "months", "monthly_change", "from_obs", "to_obs"]
    ]


def constant_rate_note(cr: ConstantRate) -> str:
    """The segment rates against the one fitted rate: a constant rate or an accelerating fall."""
    seg = cr.segments
    if len(seg) < 2:
        return "Fewer than three dates in the fit: no segment rates to compare."
    parts = "; then ".join(
        f"{fmt_pct(r['monthly_change'])} a month from {r['from_period']} to {r['to_period']}" for _, r in seg.iterrows()
    )
    first, last = seg["monthly_change"].iloc[0], seg["monthly_change"].iloc[-1]
    if last < first:
        verdict = (
            "the fall **accelerates**: the single fitted rate averages a slower start and a faster end, so the "
            "extrapolation, which continues the average, is more likely too high than too low"
        )
    elif last > first:
        verdict = "the fall **slows**: the single fitted rate overstates the latest pace"
    else:
        verdict = "the rate is about constant"
    return (
        f"Between consecutive dates of the fit: {parts}. A constant rate would make these equal; {verdict}. Each "
        "segment rests on two figures, so it has no interval of its own."
    )


# --- events between the measurements ----------------------------------------------------------------------
def _rate(side) -> str:
    if side.monthly_change is None:
        return F.MISSING
    ci = "" if side.ci[0] is None else f" ({fmt_pct(side.ci[0])} to {fmt_pct(side.ci[1])})"
    return f"{fmt_pct(side.monthly_change)}{ci}"


def events_table(tm: Timing) -> pd.DataFrame:
    """The events between the first and the last figure of the series: brackets and rates on either side."""
    rows = [e for e in tm.events_between_points if e.position == "between"]
    return pd.DataFrame(
        {
            "event": [e.label for e in rows],
            "date": [e.date if e.date_precision == "day" else f"{e.date[:7]} ({e.date_precision})" for e in rows],
            "between": [f"{e.before_period} and {e.after_period}" for e in rows],
            "rate between them": [
                fmt_pct(e.segment_monthly_change) if e.segment_monthly_change is not None else F.MISSING for e in rows
            ],
            "rate before": [_rate(e.rate_before) for e in rows],
            "rate after": [_rate(e.rate_after) for e in rows],
            "differ beyond the points?": [e.rates_differ for e in rows],
        }
    )


def events_note(tm: Timing) -> str:
    """How the events are placed, what can and cannot be said, and the events outside the series' span."""
    if tm.events_series is None:
        return "**No series to place the events against:** no exact figure inside the window."
    ev = tm.events_between_points
    inside = [e for e in ev if e.position == "between"]
    before = [e for e in ev if e.position == "before_first"]
    after = [e for e in ev if e.position == "after_last"]
    m = METRIC_SHORT[tm.metric]
    text = (
        f"**Events against {tm.series_label}'s {m} figures.** Each event sits between the two figures that bracket "
        f"it; the rate before (after) is fitted on all of the series' figures dated before (after) it. "
    )
    if not inside:
        text += "No event falls between two of the series' figures. "
    else:
        differ = {e.rates_differ for e in inside}
        if differ == {"cannot tell"}:
            text += (
                "For every event at least one side has fewer than three figures, so no interval exists: whether the "
                "rate differs before and after an event cannot be tested with these points. "
            )
        else:
            text += "'yes' means the two 95% intervals do not overlap; 'no' that they do. "
        uncertain = [e.label for e in inside if e.side_uncertain]
        if uncertain:
            text += (
                f"{', '.join(uncertain)} {'is' if len(uncertain) == 1 else 'are'} dated only to a month or a quarter "
                "that holds a figure's date: either side is possible. "
            )
        within = [f"{e.label} ({', '.join(e.inside_period_of)})" for e in inside if e.inside_period_of]
        if within:
            text += f"Inside the period a figure covers: {'; '.join(within)}. "
    if before or after:
        text += (
            f"{len(before)} event{'s' if len(before) != 1 else ''} before the first figure and {len(after)} after the "
            "last have no bracket. "
        )
    return text + "The placement is in time only: it says nothing of cause."


# --- 3. growth --------------------------------------------------------------------------------------------
def growth_note(gr: Growth) -> str:
    """The growth phase before the fall, or why none can be measured."""
    name = gr.name.en
    if not len(gr.phases):
        return (
            f"**No growth phase can be measured for {name}:** no user series has two exact figures from one "
            f"firm (or one source naming none) rising to a later maximum inside the window."
        )
    g = gr.phases.iloc[0]
    rate = (
        f"**{fmt_pct(g['monthly_growth'])} a month** compounded. The dashed line is that constant rate, drawn between "
        "the two figures (not data in between)."
        if g["monthly_growth"] is not None and not pd.isna(g["monthly_growth"])
        else f"no monthly rate: {g['why_no_rate']}."
    )
    return (
        f"{name}'s {METRIC_SHORT[g['metric']]} ({g['vendor']}) went from **{fmt_users(g['start_value'])}** "
        f"({g['start_period']}) to **{fmt_users(g['end_value'])}** ({g['end_period']}): **×{g['multiple']:.1f}** in "
        f"{g['months']:.1f} months, {rate}"
    )


# --- 4. ranks ---------------------------------------------------------------------------------------------
def _rank_steps(ranks: list[tuple[str, str]]) -> str:
    """'2 (2024-12) → 7 (week of 2025-12-08)'; ranks of one period side by side: '≤3 and 2 (week of 2025-12-08)'."""
    by_period: dict[str, list[str]] = {}
    for text, period in ranks:
        by_period.setdefault(period, []).append(text)
    return " → ".join(f"{' and '.join(v)} ({p})" for p, v in by_period.items())


def ranks_table(rk: Ranks) -> pd.DataFrame:
    t = rk.table
    return t.assign(sources=t["source_ids"].map(", ".join))[["list_name", "period", "rank", "sources"]].rename(
        columns={"list_name": "list"}
    )


def no_ranks_note(rk: Ranks) -> str:
    return f"**No rank data** for {rk.name.en} in this window."


def ranks_note(rk: Ranks) -> str:
    """Each list's history in words, the main list first; single ranks listed, never joined."""
    t = rk.table
    if t.empty:
        return no_ranks_note(rk)
    parts = []
    for _, g in t.groupby("list_key", sort=False):
        steps = _rank_steps(list(zip(g["rank"], g["period"], strict=True)))
        parts.append(f"{g['list_name'].iloc[0]}: {steps}")
    drawn = len(rk.histories)
    return (
        "**Ranks, one list at a time** (a rank on one list is never compared with a rank on another): "
        + "; ".join(parts)
        + "."
        + (
            f" The chart draws the {drawn} list{'s' if drawn != 1 else ''} with two ranks or more, one panel each."
            if drawn
            else " No list has two ranks: there is no history to draw."
        )
    )


# --- 5. stickiness ----------------------------------------------------------------------------------------
def stickiness_table(ub: UserBase) -> pd.DataFrame:
    rows = ub.stickiness
    return pd.DataFrame(
        {
            "app": [r.entity_name for r in rows],
            "firm": [r.firm_name for r in rows],
            "period": [r.period for r in rows],
            "DAU": [fmt_users(r.dau) for r in rows],
            "MAU": [fmt_users(r.mau) for r in rows],
            "DAU/MAU": [F.pct(r.dau_mau) for r in rows],
            "rows": [", ".join([*r.dau_obs_ids, *r.mau_obs_ids]) for r in rows],
        }
    )


def stickiness_note(ub: UserBase) -> str:
    """What stickiness is, which pairs exist and which were left out."""
    n = len(ub.stickiness)
    text = (
        "**Stickiness (DAU/MAU)**: the share of a month's users who use the app on an average day. It is computed "
        "only from a DAU and an MAU of **one firm for exactly the same period and scale** (never across firms, "
        "never a day against a month, never two scopes)"
    )
    if n == 0:
        text += ": no app has such a pair in the window."
    else:
        text += f": {n} pair{'s' if n != 1 else ''}."
    if ub.stickiness_left_out:
        rules = pd.Series([x.rule for x in ub.stickiness_left_out]).value_counts()
        text += " Left out: " + ", ".join(f"{v} ({cast(str, k).replace('_', ' ')})" for k, v in rules.items()) + "; listed below."
    return text


def stickiness_left_out_table(ub: UserBase) -> pd.DataFrame:
    return pd.DataFrame(
        {"pair (DAU/MAU rows)": [x.pair for x in ub.stickiness_left_out], "why": [x.reason for x in ub.stickiness_left_out]}
    )


# --- 6. evidence ------------------------------------------------------------------------------------------
def evidence_comparison(ec: EvidenceComparison) -> pd.DataFrame | str:
    """The fit on each firm's series with the articles only and with the supplement (both computed by the analysis)."""
    t = ec.table
    if t is None:
        return "The comparison of both evidence settings needs the whole dataset, which this run did not give the analysis."
    if not len(t):
        return t
    t = t.assign(
        **cast(
            dict[str, Any],
            {
                "exact figures": t["exact figures"].astype(int).astype(str),
                "in the fit": t["in the fit"].astype(int).astype(str),
                "monthly change": [F.MISSING if F.is_missing(v) else fmt_pct(v) for v in t["monthly change"]],
                "95% CI": [
                    F.MISSING if F.is_missing(lo) else f"{fmt_pct(lo)} to {fmt_pct(hi)}"
                    for lo, hi in zip(t["ci_low"], t["ci_high"], strict=True)
                ],
                "why no rate": [w if w else F.MISSING for w in t["why no rate"]],
            },
        )
    )
    wide = t.pivot(index="series", columns="evidence", values=["exact figures", "in the fit", "monthly change", "95% CI"])
    return wide.fillna("not in this evidence")


# --- the summary and the headline --------------------------------------------------------------------------
def _peak_bullet(an: DeclineAnalysis) -> list[str]:
    pk, lf = an.peak, an.like_for_like
    name, m = an.trajectory.name.en, METRIC_SHORT[an.trajectory.metric]
    on = (
        "pooled across all vendors (different panels: read with care)"
        if pk.vendor == POOLED
        else (
            f"from the rows of {pk.vendor.split(':', 1)[1]} that name no measurement firm"
            if pk.vendor.startswith(NO_VENDOR + ":")
            else "from rows that name no measurement firm"
            if pk.vendor == NO_VENDOR
            else f"as measured by {pk.vendor_label}"
        )
    )
    chosen = pk.chosen
    if pk.peak_value is None:
        bounds = an.trajectory.rows
        bounds = bounds[(bounds["series"] == pk.vendor) & bounds["usable"] & (bounds["kind"] != "point")]
        if len(bounds):
            return [
                f"* **No exact figure.** {name}'s {m} {on} is known only as bounds: "
                + "; ".join(f"{fmt_row(r)} ({r['period']}, {r['kind']})" for _, r in bounds.iterrows())
                + "."
            ]
        return [f"* **No exact figure** of {name}'s {m} {on} inside the window."]
    if pk.peak_to_latest_change is not None and pk.peak_obs == pk.latest_obs:
        return [
            f"* **No fall in this series.** {name}'s {m} {on} is highest at its latest figure, "
            f"**{fmt_users(pk.peak_value)}** ({pk.peak_period}), after {len(chosen) - 1} earlier "
            f"figure{'s' if len(chosen) > 2 else ''}."
        ]
    if pk.peak_to_latest_change is None:
        return [
            f"* **One figure only.** {name}'s {m} {on} is **{fmt_users(pk.peak_value)}** "
            f"({pk.peak_period}): one point shows a level, not a trend."
        ]
    p, q = pk.peak_row, pk.latest_row
    assert p is not None and q is not None  # a change has a peak and a latest figure
    pv = f", {an.trajectory.series_names.get(p['series'], p['series'])}" if pk.vendor == POOLED else ""
    lv = f", {an.trajectory.series_names.get(q['series'], q['series'])}" if pk.vendor == POOLED else ""
    out = [
        f"* **Peak and latest.** {name}'s {m} {on} peaked at **{fmt_users(pk.peak_value)}** "
        f"({pk.peak_period}{pv}) and was **{fmt_users(pk.latest_value)}** at the latest figure "
        f"({pk.latest_period}{lv}): **{fmt_pct(pk.peak_to_latest_change)}** in {pk.months_since_peak:.1f} months."
    ]
    if lf.headline_comparison and not lf.headline_like_for_like:
        same = [c for c in lf.like_for_like_change if c.series == pk.vendor]
        out.append(
            f"  That change compares {lf.headline_comparison}: not like for like."
            + (
                " Like for like: "
                + "; ".join(f"{c.comparison}, {c.from_period} → {c.to_period}: **{fmt_pct(c.change)}**" for c in same)
                + "."
                if same
                else ""
            )
        )
    return out


def summary_markdown(an: DeclineAnalysis) -> str:
    """The bullets under 'What this notebook finds', from computed values only."""
    pk, fit, fb, dec, tr = an.peak, an.decay.fit, an.fit_basis, an.decay, an.trajectory
    name, m = tr.name.en, METRIC_SHORT[tr.metric]
    out = _peak_bullet(an)
    if pk.peak_value is not None and len(pk.chosen) > 1 and pk.peak_obs == pk.chosen.index[0]:
        out.append("  This series starts at its maximum, so the true peak may be earlier than the data show.")
    if len(pk.higher):
        out.append(
            "  Higher figures exist outside it: "
            + "; ".join(f"{fmt_row(r)} in {r['period']} ({r['firm']}, {r['kind']})" for _, r in pk.higher.iterrows())
            + ". Different panels are not comparable, so they are shown, not joined."
        )
    if pk.n_points < MIN_POINTS_FOR_CI and len(pk.other_metrics):
        out.append(
            f"  Other user figures for {name} (set `metric` to see them): "
            + "; ".join(
                f"{METRIC_SHORT[r['metric']]} {fmt_row(r)} ({r['period']}, {r['firm']})" for _, r in pk.other_metrics.iterrows()
            )
            + "."
        )
    out.append(f"* **Rate of change.** {describe_fit(fit, dec.metric)}")
    if fb.other_rates:
        out.append(
            "  The rate holds for this firm's series only; other firms: "
            + "; ".join(
                f"{who}: " + (f"{fmt_pct(rate)} a month" if rate is not None else f"no rate ({why})")
                for who, rate, why in fb.other_rates
            )
            + "."
        )
    if fit.slope is not None:
        out.append(
            f"  Dating: each figure at the midpoint of its period (a quarter at mid-quarter); "
            f"months of {DAYS_PER_MONTH:.2f} days."
        )
    if len(fb.loo):
        out.append(
            f"  Leaving out any one point after the peak, the rate stays between {fmt_pct(fb.loo.min())} and "
            f"{fmt_pct(fb.loo.max())} a month."
        )
    seg = an.constant_rate.segments
    if len(seg) >= 2:
        rates = " then ".join(fmt_pct(v) for v in seg["monthly_change"])
        first, last = seg["monthly_change"].iloc[0], seg["monthly_change"].iloc[-1]
        how = "the fall accelerates" if last < first else "the fall slows" if last > first else "about constant"
        out.append(f"* **Constant rate?** Between consecutive dates {rates} a month: {how}.")
    fc = dec.forecast_table
    if len(fc):
        last = fc.iloc[-1]
        iv = "" if pd.isna(last["low"]) else f" (95% prediction interval {fmt_est(last['low'])}–{fmt_est(last['high'])})"
        out.append(
            f"* **Extrapolation.** If the fitted rate held for {dec.forecast_months} more months, {m} would be "
            f"about **{fmt_est(last['value'])}** by {last['date']:%Y-%m}{iv}. This is an extrapolation "
            f"of a {fit.n}-point fit, not a measurement." + short_floor(dec)
        )
    elif dec.forecast_months > 0:
        out.append("* **No forecast:** without a fitted rate there is nothing to extrapolate.")
    disagree = [d for d in an.user_base.direction_by_vendor if not d.agree]
    if disagree:
        out.append("* **Firms disagree.** " + " ".join(d.sentence or "" for d in disagree))
    phases = an.growth.phases
    if len(phases):
        g = phases.iloc[0]
        rate = (
            f"**{fmt_pct(g['monthly_growth'])} a month** compounded"
            if g["monthly_growth"] is not None and not pd.isna(g["monthly_growth"])
            else f"no monthly rate ({g['why_no_rate']})"
        )
        out.append(
            f"* **Before the fall.** {name}'s {METRIC_SHORT[g['metric']]} ({g['vendor']}) grew "
            f"from {fmt_users(g['start_value'])} ({g['start_period']}) to {fmt_users(g['end_value'])} "
            f"({g['end_period']}): **×{g['multiple']:.1f} in {g['months']:.1f} months**, {rate}."
        )
    else:
        out.append(f"* **Growth phase:** no user series of {name} has two exact points rising to a later maximum.")
    ranks = an.ranks
    if ranks.ranks:
        steps = _rank_steps([(r.text, r.period) for r in ranks.ranks])
        main = ranks.table["list_name"].iloc[0]
        out.append(
            f"* **Ranks, one list at a time.** On {main}: {steps}"
            + (
                f"; {len(ranks.other_rank_lists)} other list{'s' if len(ranks.other_rank_lists) != 1 else ''} in section 4."
                if ranks.other_rank_lists
                else "."
            )
        )
    else:
        out.append(f"* **Ranks:** no rank for {name} in this window.")
    st = an.user_base.stickiness
    if st:
        out.append(
            "* **Stickiness (DAU/MAU, one firm, one period):** "
            + "; ".join(f"{r.entity_name} {F.pct(r.dau_mau)} ({r.firm_name}, {r.period})" for r in st)
            + "."
        )
    left = len(tr.left_out_rows)
    if left:
        out.append(f"* **Rows left out:** {left}, each listed with its reason in section 1.")
    out.append(f"* **Evidence:** {F.evidence_used(an.basis.evidence, code=True)}.")
    return "\n".join(out)


def short_floor(dec: DecayFitSection) -> str:
    """The weekly-user floor in one clause for the summary ('' without a floor)."""
    w, fc = dec.floor_row, dec.forecast_table
    if w is None or not len(fc):
        return ""
    below = fc[fc["below_wau_floor"]]
    where = f"falls below it from {below['date'].iloc[0]:%Y-%m}" if len(below) else "stays above it"
    return f" Against the latest weekly users, {fmt_users(w['base_value'])} ({w['period']}), a floor, it {where}."


def floor_note(dec: DecayFitSection) -> str:
    """The extrapolation set against the latest weekly-user figure (monthly users are at least weekly users)."""
    w, fc = dec.floor_row, dec.forecast_table
    if w is None or not len(fc):
        return ""
    below = fc[fc["below_wau_floor"]]
    month = pd.Period(w["period_start"], freq="M")
    same = fc[fc["date"].dt.to_period("M") == month]
    at = (
        f" In {month}, the month of that figure, the extrapolation gives {fmt_est(same['value'].iloc[0])}"
        + (" (below the floor)" if bool(same["below_wau_floor"].iloc[0]) else " (above the floor)")
        + "."
        if len(same)
        else ""
    )
    low_below = fc[fc["low"].notna() & (fc["low"] < float(w["base_value"]))]
    head = (
        f"Floor: the latest weekly-user figure is {fmt_users(w['base_value'])} ({w['period']}, `{w.name}`), and "
        f"monthly users are at least the weekly users of a week in that month"
    )
    if len(below):
        return head + (
            f"; the extrapolation falls below it from {below['date'].iloc[0]:%Y-%m}: there it contradicts a measurement." + at
        )
    tail = (
        f"; the extrapolation stays above it, but the prediction interval's lower end falls below it from "
        f"{low_below['date'].iloc[0]:%Y-%m}: that part of the interval is ruled out by data."
        if len(low_below)
        else "; the extrapolation and its interval stay above it."
    )
    return head + tail + at + (" The floor is exact for that month only; for other months it assumes weekly users did not rise.")


SERIES_WORDS = {True: "the pooled series", False: "this firm's series"}


def _comparison_short(comparison: str | None) -> str:
    """'a month against a quarter's average' (either order) for a headline comparison, else 'not like for like'."""
    first, _, second = (comparison or "").partition(" against ")
    words = [
        "a quarter's average" if w.startswith("a quarter") else "a month" if w.startswith("a month") else ""
        for w in (first, second)
    ]
    return " against ".join(words) if all(words) and words[0] != words[1] else "not like for like"


def headline(an: DeclineAnalysis) -> str:
    """One sentence for the title slide and the index. The fitted rate is stated with the series it rests on (a
    decline faster than 5% a month holds on QuestMobile's series, not on every firm's: notebook 05), the change
    with the comparison it is (a month against a quarter's average is not like for like) and the constant-rate
    check."""
    tr, pk, dec, cr, lf = an.trajectory, an.peak, an.decay, an.constant_rate, an.like_for_like
    who = f"{tr.entity_name} {tr.metric.upper()} ({pk.vendor_label})"
    if pk.peak_value is None or pk.latest_value is None:
        return f"{who}: no exact figure in the study window."
    text = f"{who}: {F.users_en(pk.peak_value)} at the peak ({pk.peak_period})"
    if pk.peak_to_latest_change is not None and pk.peak_obs == pk.latest_obs:
        text += ", its latest figure"
    elif pk.peak_to_latest_change is not None:
        text += f", {F.users_en(pk.latest_value)} latest ({pk.latest_period}), {pk.peak_to_latest_change:+.1%}"
        if lf.headline_like_for_like is False:
            same = [c for c in lf.like_for_like_change if c.series == pk.vendor]
            text += f" ({_comparison_short(lf.headline_comparison)}"
            text += (
                "; like for like " + ", ".join(f"{c.from_period} to {c.to_period} {c.change:+.1%}" for c in same) + ")"
                if same
                else ")"
            )
    if dec.half_life_months is not None:
        text += (
            f"; on {SERIES_WORDS[pk.pooled]} a fitted {dec.monthly_change:+.1%} a month (n = {dec.n_fit}), "
            f"half-life {dec.half_life_months:.1f} months"
        )
        seg = cr.segment_rates
        if cr.accelerating and len(seg) >= 2:
            text += f", falling faster over time ({seg[0]['monthly_change']:+.1%} then {seg[-1]['monthly_change']:+.1%} a month)"
        text += "."
    elif dec.monthly_change is not None:
        text += f"; a fitted {dec.monthly_change:+.1%} a month (n = {dec.n_fit}), not declining."
    else:
        text += f"; no rate fitted ({dec.why_no_rate or dec.fit_status})."
    return text
