"""Prose of notebook 01 (user decline): the summary bullets, the fit in words, the headline."""

from __future__ import annotations

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
    PeakAndLatest,
    Ranks,
    RivalCoverage,
)
from kimi_research.data.units import DAYS_PER_MONTH
from kimi_research.presentation import format as F

fmt_est, fmt_row, fmt_users = F.estimate_zh, F.row_zh, F.users_zh


def fmt_pct(v, sign: bool = True) -> str:
    """A change in prose, signed by default: '−29.5%'."""
    return F.pct(v, sign=sign)


def series_phrase(label: str) -> str:
    if label == NO_VENDOR_LABEL:
        return "the series that names no firm"
    if label == POOLED_LABEL:
        return "the pooled series (all vendors together, not comparable panels)"
    return f"the {label} series"


def coverage_table(cov: RivalCoverage) -> pd.DataFrame:
    """Entity x user metric: which series can be fitted at all."""
    return cov.table


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
            "bounds (not points)": t["bounds"].replace("", "–"),
        }
    ).set_index("vendor")


def describe_fit(fit: DecayFit, metric: str) -> str:
    """Plain-language result of the fit, including the small-n warnings."""
    m = METRIC_SHORT.get(metric, metric)
    who = series_phrase(fit.label)
    if fit.status == "too_few":
        if fit.n == 0:
            have = "has no exact point (only bounds), so there is nothing to fit"
        elif any(r.startswith("before the peak") for r in fit.excluded.values()):
            have = "peaks at its latest point: there is no decline after the peak to fit"
        else:
            have = "has a single exact point"
        return (
            f"**No fit.** {who[0].upper() + who[1:]} {have}. A rate of change needs at least two points after "
            f"the peak, a confidence interval at least {MIN_POINTS_FOR_CI}. What exists is shown in the charts."
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
            f"interval is wide "
            f"and rests on the assumption of a constant monthly rate."
        )
    return text


def summary_markdown(an: DeclineAnalysis) -> str:
    """The bullets under 'What this notebook finds', from computed values only."""
    pk, fit, fb, dec = an.peak, an.decay.fit, an.fit_basis, an.decay
    name, m = an.trajectory.name.en, METRIC_SHORT[an.trajectory.metric]
    h = pk.head
    on = (
        "pooled across all vendors (different panels: read with care)"
        if pk.vendor == POOLED
        else ("from rows that name no measurement firm" if pk.vendor == NO_VENDOR else f"as measured by {pk.vendor_label}")
    )
    out = []
    if h["peak_value"] is None:
        out.append(
            f"* **No exact figure.** {name}'s {m} {on} is known only as bounds: "
            + "; ".join(f"{fmt_row(r)} ({r['period']}, {r['kind']})" for _, r in pk.chosen.iterrows())
            + "."
        )
    elif h["n_points"] == 1 or h["peak_obs"] == h["latest_obs"]:
        if h["n_points"] == 1:
            out.append(
                f"* **One figure only.** {name}'s {m} {on} is **{fmt_users(h['peak_value'])}** "
                f"({h['peak_period']}): one point shows a level, not a trend."
            )
        else:
            out.append(
                f"* **No fall in this series.** {name}'s {m} {on} is highest at its latest figure, "
                f"**{fmt_users(h['peak_value'])}** ({h['peak_period']}), after {h['n_points'] - 1} earlier "
                f"figure{'s' if h['n_points'] > 2 else ''}."
            )
    else:
        pv = f", {h['peak_series_label']}" if pk.vendor == POOLED else ""
        lv = f", {h['latest_series_label']}" if pk.vendor == POOLED else ""
        out.append(
            f"* **Peak and latest.** {name}'s {m} {on} peaked at **{fmt_users(h['peak_value'])}** "
            f"({h['peak_period']}{pv}) and was **{fmt_users(h['latest_value'])}** at the latest figure "
            f"({h['latest_period']}{lv}): **{fmt_pct(h['peak_to_latest_change'])}** in "
            f"{h['months_since_peak']:.1f} months."
        )
    if h["peak_value"] is not None and h["peak_obs"] == pk.chosen[pk.chosen["kind"] == "point"].index[0] and h["n_points"] > 1:
        out.append("  This series starts at its maximum, so the true peak may be earlier than the data show.")
    if len(pk.higher):
        out.append(
            "  Higher figures exist outside it: "
            + "; ".join(f"{fmt_row(r)} in {r['period']} ({r['firm']}, {r['kind']})" for _, r in pk.higher.iterrows())
            + ". Different panels are not comparable, so they are shown, not joined."
        )
    if h["n_points"] < MIN_POINTS_FOR_CI and len(pk.other_metrics):
        out.append(
            f"  Other user figures for {name} (set `metric` to see them): "
            + "; ".join(
                f"{METRIC_SHORT[r['metric']]} {fmt_row(r)} ({r['period']}, {r['firm']})" for _, r in pk.other_metrics.iterrows()
            )
            + "."
        )
    out.append(f"* **Rate of change.** {describe_fit(fit, dec.metric)}")
    for oid, why in fit.excluded.items():
        if why.startswith("repeats "):
            out.append(f"  {fmt_users(fb.repeat_values[oid])} (`{oid}`) {why}.")
    if fb.other_rates:
        out.append(
            "  The rate holds for this firm's series only; other firms: "
            + "; ".join(
                f"{who}: " + (f"{fmt_pct(rate)} a month" if rate is not None else "no decline after its peak to fit")
                for who, rate in fb.other_rates
            )
            + "."
        )
    if fit.status != "too_few":
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
    phases = an.growth.phases
    if len(phases):
        g = phases.iloc[0]
        out.append(
            f"* **Before the fall.** {name}'s {METRIC_SHORT[g['metric']]} ({g['vendor']}) grew "
            f"from {fmt_users(g['start_value'])} ({g['start_period']}) to {fmt_users(g['end_value'])} "
            f"({g['end_period']}): **×{g['multiple']:.1f} in {g['months']:.1f} months**, "
            f"**{fmt_pct(g['monthly_growth'])} a month** compounded."
        )
    else:
        out.append(f"* **Growth phase:** no user series of {name} has two exact points rising to a later maximum.")
    ranks = an.ranks.table
    if len(ranks):
        steps = " → ".join(
            f"rank {r['rank']} ({r['period']}, {r['list_name'].split(',')[0]}, {r['firm']})" for _, r in ranks.iterrows()
        )
        out.append(f"* **Ranks** (different lists, not one scale): {steps}.")
    else:
        out.append(f"* **Ranks:** the articles give no rank for {name} in this window.")
    out.append(f"* **Evidence:** {F.evidence_used(an.basis.evidence, code=True)}.")
    return "\n".join(out)


def series_note(pk: PeakAndLatest) -> str:
    """Which series the fit uses, and why."""
    return (
        f"**Peak, latest and change, per firm.** The fit below uses **{pk.vendor_label}**"
        + (
            " (all firms pooled: their panels differ, so the pooled line mixes definitions)"
            if pk.vendor == POOLED
            else f" (parameter `vendor = {pk.vendor_parameter!r}`"
            + (": the firm with the most exact figures)" if pk.vendor_parameter == "auto" else ")")
        )
        + ". Bounds are listed, never used as a peak or latest value. Months are counted between period midpoints."
    )


def fit_rows_heading(fb: FitBasis) -> str:
    fit = fb.fit
    return (
        f"**Rows in the fit ({fit.n}):**"
        if fit.slope is not None
        else f"**Exact figures at or after the peak ({fit.n}), too few for a fit:**"
    ) + ("" if fit.n else " none.")


def fit_rows_table(fb: FitBasis) -> pd.DataFrame:
    """The rows in the fit: period, date, months since the peak, value, firm, source."""
    u = fb.used
    return u.assign(
        value=u["base_value"].map(fmt_users),
        months_since_peak=u["t"].round(2),
        dated=u["period_mid"].dt.date,
    )[["period", "dated", "months_since_peak", "value", "firm", "source_id"]]


def fit_basis_note(fb: FitBasis, forecast_ok: bool = True) -> str:
    """Rows left out, the fit in words, leave-one-out, the dating sensitivity and the rows counted once."""
    fit = fb.fit
    left = {k: v for k, v in {**fb.left_out, **fit.excluded}.items() if not v.startswith("repeats ")}
    lines = ["**Rows left out:** " + ("none." if not left else "; ".join(f"`{k}` {v}" for k, v in left.items()) + ".")]
    lines.append(describe_fit(fit, fb.metric))
    if len(fb.loo):
        lines.append(
            "**Leave one out** (monthly change without each point; the peak anchors the fit): "
            + "; ".join(
                f"without {fit.used.at[k, 'period']} ({fmt_users(fit.used.at[k, 'base_value'])}): {fmt_pct(v)}"
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
    for oid, why in fit.excluded.items():
        if why.startswith("repeats "):
            lines.append(f"**Counted once:** `{oid}` {why}.")
    return "\n\n".join(lines)


def forecast_table(dec: DecayFitSection) -> pd.DataFrame:
    """The extrapolation month by month, with its prediction interval and the weekly-user floor."""
    fc, m = dec.forecast_table, METRIC_SHORT[dec.metric]
    return pd.DataFrame(
        {
            "month": fc["date"].dt.strftime("%Y-%m"),
            "months after the last figure": fc["months_ahead"],
            f"{m} (fitted rate continued)": fc["value"].map(fmt_est),
            "95% prediction interval": [
                ("–" if pd.isna(a) else f"{fmt_est(a)} – {fmt_est(b)}") for a, b in zip(fc["low"], fc["high"], strict=True)
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


def ranks_table(rk: Ranks) -> pd.DataFrame:
    return rk.table[["period", "metric", "firm", "scope", "rank", "source_id"]]


def no_ranks_note(rk: Ranks) -> str:
    return f"**No rank data** for {rk.name.en} in this window."


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
    return f"Between consecutive dates of the fit: {parts}. A constant rate would make these equal; {verdict}."


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


def evidence_comparison(ec: EvidenceComparison) -> pd.DataFrame | str:
    """The fit on each firm's series with the articles only and with the supplement (both computed by the analysis)."""
    t = ec.table
    if t is None:
        return "The comparison needs the full dataset (`kr.load()`), which this run did not pass."
    if not len(t):
        return t
    t = t.assign(
        **{
            "monthly change": t["monthly change"].map(lambda v: F.MISSING if F.is_missing(v) else fmt_pct(v)),
            "95% CI": [
                F.MISSING if F.is_missing(lo) else f"{fmt_pct(lo)} to {fmt_pct(hi)}"
                for lo, hi in zip(t["ci_low"], t["ci_high"], strict=True)
            ],
        }
    )
    return t.pivot(index="series", columns="evidence", values=["exact figures", "in the fit", "monthly change", "95% CI"])


def headline(an: DeclineAnalysis) -> str:
    """One sentence for the title slide and the index. The fitted rate is stated with the series it rests on (a
    decline faster than 5% a month holds on QuestMobile's series, not on every firm's: notebook 05) and with the
    constant-rate check."""
    tr, pk, dec, cr = an.trajectory, an.peak, an.decay, an.constant_rate
    who = f"{tr.entity_name} {tr.metric.upper()} ({pk.vendor_label})"
    if pk.peak_value is None or pk.latest_value is None:
        return f"{who}: no figures in the selected window."
    text = (
        f"{who}: {F.users_en(pk.peak_value)} at the peak ({pk.peak_period}), "
        f"{F.users_en(pk.latest_value)} latest ({pk.latest_period})"
    )
    if pk.peak_to_latest_change is not None and pk.latest_period != pk.peak_period:
        text += f", {pk.peak_to_latest_change:+.1%}"
    if dec.half_life_months is not None:
        text += (
            f"; on this firm's series a fitted {dec.monthly_change:+.1%} a month (n = {dec.n_fit}), "
            f"half-life {dec.half_life_months:.1f} months"
        )
        seg = cr.segment_rates
        if cr.accelerating and len(seg) >= 2:
            text += f", falling faster over time ({seg[0]['monthly_change']:+.1%} then {seg[-1]['monthly_change']:+.1%} a month)"
        text += "."
    else:
        text += f"; no decline fitted ({dec.fit_status})."
    return text


def growth_note(gr: Growth) -> str:
    """The growth phase before the fall, or why none can be measured."""
    name = gr.name.en
    if not len(gr.phases):
        return (
            f"**No growth phase can be measured for {name}:** no user series has two exact figures from one "
            f"source rising to a later maximum."
        )
    g = gr.phases.iloc[0]
    return (
        f"{name}'s {METRIC_SHORT[g['metric']]} ({g['vendor']}) went from **{fmt_users(g['start_value'])}** "
        f"({g['start_period']}) to **{fmt_users(g['end_value'])}** ({g['end_period']}): **×{g['multiple']:.1f}** in "
        f"{g['months']:.1f} months, **{fmt_pct(g['monthly_growth'])} a month** compounded. The dashed line is "
        f"that constant rate, drawn between the two figures (not data in between)."
    )
