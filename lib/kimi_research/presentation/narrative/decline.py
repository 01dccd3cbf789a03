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
    USER_METRICS,
    Analysis,
    DecayFit,
    _prepare,
    fit_decay,
    rows_value,
    vendor_key,
    vendor_label,
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


def display_series_table(t: pd.DataFrame) -> pd.DataFrame:
    """The series table formatted for a reader."""

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


def coverage(ds) -> pd.DataFrame:
    """Entity x user metric: exact points (+ bounds) and the firms quoting them; which can be fitted."""
    rows = _prepare(ds.select(metric=list(USER_METRICS)))
    out = []
    for (e, m), g in rows.groupby(["entity", "metric"], sort=True):
        vend = g.groupby("series")["kind"].agg(lambda k: int((k == "point").sum()))
        best = int(vend.max())
        out.append(
            {
                "entity": ds.name(e),
                "metric": METRIC_SHORT[m],
                "points (+ bounds)": f"{int((g['kind'] == 'point').sum())} (+{int((g['kind'] != 'point').sum())})",
                "firms": ", ".join(vendor_label(ds, k) for k in vend.index),
                "from": g["period"].iloc[0],
                "to": g["period"].iloc[-1],
                "most points from one firm": best,
                "decay fit possible": "with CI" if best >= MIN_POINTS_FOR_CI else ("rate only" if best == 2 else "no"),
            }
        )
    return pd.DataFrame(out).set_index(["entity", "metric"])


def summary_markdown(ds, an: Analysis, forecast_months: int) -> str:
    """The bullets under 'What this notebook finds', from computed values only."""
    name, m = ds.name(an.entity), METRIC_SHORT[an.metric]
    h, fit = an.headline, an.fit
    on = (
        "pooled across all vendors (different panels: read with care)"
        if an.vendor == POOLED
        else ("from rows that name no measurement firm" if an.vendor == NO_VENDOR else f"as measured by {an.vendor_label}")
    )
    out = []
    if h["peak_value"] is None:
        out.append(
            f"* **No exact figure.** {name}'s {m} {on} is known only as bounds: "
            + "; ".join(f"{fmt_row(r)} ({r['period']}, {r['kind']})" for _, r in an.chosen.iterrows())
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
        pv = f", {vendor_label(ds, h['peak_series'])}" if an.vendor == POOLED else ""
        lv = f", {vendor_label(ds, h['latest_series'])}" if an.vendor == POOLED else ""
        out.append(
            f"* **Peak and latest.** {name}'s {m} {on} peaked at **{fmt_users(h['peak_value'])}** "
            f"({h['peak_period']}{pv}) and was **{fmt_users(h['latest_value'])}** at the latest figure "
            f"({h['latest_period']}{lv}): **{fmt_pct(h['peak_to_latest_change'])}** in "
            f"{h['months_since_peak']:.1f} months."
        )
    if h["peak_value"] is not None and h["peak_obs"] == an.chosen[an.chosen["kind"] == "point"].index[0] and h["n_points"] > 1:
        out.append("  This series starts at its maximum, so the true peak may be earlier than the data show.")
    if len(an.higher):
        out.append(
            "  Higher figures exist outside it: "
            + "; ".join(
                f"{fmt_row(r)} in {r['period']} ({vendor_label(ds, r['series'])}, {r['kind']})" for _, r in an.higher.iterrows()
            )
            + ". Different panels are not comparable, so they are shown, not joined."
        )
    if h["n_points"] < MIN_POINTS_FOR_CI:
        others = _prepare(ds.select(entity=an.entity, metric=[x for x in USER_METRICS if x != an.metric]))
        if len(others):
            out.append(
                f"  Other user figures for {name} (set `metric` to see them): "
                + "; ".join(
                    f"{METRIC_SHORT[r['metric']]} {fmt_row(r)} ({r['period']}, {vendor_label(ds, r['series'])})"
                    for _, r in others.iterrows()
                )
                + "."
            )
    out.append(f"* **Rate of change.** {describe_fit(fit, an.metric)}")
    for oid, why in fit.excluded.items():
        if why.startswith("repeats "):
            out.append(f"  {fmt_users(rows_value(an.rows, oid))} (`{oid}`) {why}.")
    if an.vendor != POOLED:
        other = []
        for key, g in an.rows.groupby("series", sort=True):
            if key == an.vendor or (g["kind"] == "point").sum() < 2:
                continue
            f = fit_decay(g, vendor_label(ds, key))
            other.append(
                f"{vendor_label(ds, key)}: "
                + (f"{fmt_pct(f.monthly_change)} a month" if f.slope is not None else "no decline after its peak to fit")
            )
        if other:
            out.append("  The rate holds for this firm's series only; other firms: " + "; ".join(other) + ".")
    if fit.status != "too_few":
        out.append(
            f"  Dating: each figure at the midpoint of its period (a quarter at mid-quarter); "
            f"months of {DAYS_PER_MONTH:.2f} days."
        )
    if len(an.loo):
        out.append(
            f"  Leaving out any one point after the peak, the rate stays between {fmt_pct(an.loo.min())} and "
            f"{fmt_pct(an.loo.max())} a month."
        )
    if len(an.segments) >= 2:
        rates = " then ".join(fmt_pct(v) for v in an.segments["monthly_change"])
        first, last = an.segments["monthly_change"].iloc[0], an.segments["monthly_change"].iloc[-1]
        how = "the fall accelerates" if last < first else "the fall slows" if last > first else "about constant"
        out.append(f"* **Constant rate?** Between consecutive dates {rates} a month: {how}.")
    if len(an.forecast):
        last = an.forecast.iloc[-1]
        iv = "" if pd.isna(last["low"]) else f" (95% prediction interval {fmt_est(last['low'])}–{fmt_est(last['high'])})"
        out.append(
            f"* **Extrapolation.** If the fitted rate held for {forecast_months} more months, {m} would be "
            f"about **{fmt_est(last['value'])}** by {last['date']:%Y-%m}{iv}. This is an extrapolation "
            f"of a {fit.n}-point fit, not a measurement." + short_floor(an)
        )
    elif forecast_months > 0:
        out.append("* **No forecast:** without a fitted rate there is nothing to extrapolate.")
    if len(an.growth):
        g = an.growth.iloc[0]
        out.append(
            f"* **Before the fall.** {name}'s {METRIC_SHORT[g['metric']]} ({g['vendor']}) grew "
            f"from {fmt_users(g['start_value'])} ({g['start_period']}) to {fmt_users(g['end_value'])} "
            f"({g['end_period']}): **×{g['multiple']:.1f} in {g['months']:.1f} months**, "
            f"**{fmt_pct(g['monthly_growth'])} a month** compounded."
        )
    else:
        out.append(f"* **Growth phase:** no user series of {name} has two exact points rising to a later maximum.")
    if len(an.ranks):
        steps = " → ".join(
            f"rank {r['rank']} ({r['period']}, {r['list_name'].split(',')[0]}, {vendor_label(ds, vendor_key(r['vendor']))})"
            for _, r in an.ranks.iterrows()
        )
        out.append(f"* **Ranks** (different lists, not one scale): {steps}.")
    else:
        out.append(f"* **Ranks:** the articles give no rank for {name} in this window.")
    out.append(f"* **Evidence:** {evidence_text(an, P_evidence(an))}.")
    return "\n".join(out)


def P_evidence(an: Analysis) -> str:
    return getattr(an, "evidence", "articles")


def evidence_text(an, evidence: str) -> str:
    return F.evidence_used(evidence, code=True)


def constant_rate_note(an: Analysis) -> str:
    """The segment rates against the one fitted rate: a constant rate or an accelerating fall."""
    seg = an.segments
    if len(seg) < 2:
        return ""
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


def short_floor(an: Analysis) -> str:
    """The weekly-user floor in one clause for the summary ('' without a floor)."""
    w = an.wau_floor
    if w is None or not len(an.forecast):
        return ""
    below = an.forecast[an.forecast["below_wau_floor"]]
    where = f"falls below it from {below['date'].iloc[0]:%Y-%m}" if len(below) else "stays above it"
    return f" Against the latest weekly users, {fmt_users(w['base_value'])} ({w['period']}), a floor, it {where}."


def floor_note(an: Analysis) -> str:
    """The extrapolation set against the latest weekly-user figure (monthly users are at least weekly users)."""
    w = an.wau_floor
    if w is None or not len(an.forecast):
        return ""
    below = an.forecast[an.forecast["below_wau_floor"]]
    month = pd.Period(w["period_start"], freq="M")
    same = an.forecast[an.forecast["date"].dt.to_period("M") == month]
    at = (
        f" In {month}, the month of that figure, the extrapolation gives {fmt_est(same['value'].iloc[0])}"
        + (" (below the floor)" if bool(same["below_wau_floor"].iloc[0]) else " (above the floor)")
        + "."
        if len(same)
        else ""
    )
    low_below = an.forecast[an.forecast["low"].notna() & (an.forecast["low"] < float(w["base_value"]))]
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


def evidence_comparison(P) -> pd.DataFrame:
    """The fit on each firm's series with the articles only and with the supplement (computed here, both)."""
    from kimi_research.analysis import decline as D
    from kimi_research.data import load

    full = load()
    out = []
    for ev in ("articles", "all"):
        ds = full.with_evidence(ev)
        try:
            rows = D.select(ds, D.resolve_entity(ds, P.entity) or P.entity, P.metric, P.start, P.end)
        except Exception:  # noqa: BLE001 - no rows with this evidence: say so in the table
            continue
        for key, g in rows.groupby("series", sort=True):
            fit = D.fit_decay(g, D.vendor_label(ds, key))
            lo, hi = fit.monthly_change_ci
            out.append(
                {
                    "evidence": ev,
                    "series": D.vendor_label(ds, key),
                    "exact figures": int((g["kind"] == "point").sum()),
                    "in the fit": fit.n,
                    "monthly change": F.MISSING if fit.monthly_change is None else fmt_pct(fit.monthly_change),
                    "95% CI": F.MISSING if lo is None else f"{fmt_pct(lo)} to {fmt_pct(hi)}",
                }
            )
    t = pd.DataFrame(out)
    return (
        t.pivot(index="series", columns="evidence", values=["exact figures", "in the fit", "monthly change", "95% CI"])
        if len(t)
        else t
    )


def headline(ds, r: dict, P) -> str:
    """One sentence for the title slide and the index, from the results JSON. The fitted rate is stated with
    the series it rests on (a decline faster than 5% a month holds on QuestMobile's series, not on every
    firm's: notebook 05) and with the constant-rate check."""
    who = f"{r['entity_name']} {r['metric'].upper()} ({r['vendor_label']})"
    if r.get("peak_value") is None:
        return f"{who}: no figures in the selected window."
    text = (
        f"{who}: {F.users_en(r['peak_value'])} at the peak ({r['peak_period']}), "
        f"{F.users_en(r['latest_value'])} latest ({r['latest_period']})"
    )
    if r.get("peak_to_latest_change") is not None and r["latest_period"] != r["peak_period"]:
        text += f", {r['peak_to_latest_change']:+.1%}"
    if r.get("half_life_months") is not None:
        text += (
            f"; on this firm's series a fitted {r['monthly_change']:+.1%} a month (n = {r['n_fit']}), "
            f"half-life {r['half_life_months']:.1f} months"
        )
        seg = r.get("segment_rates") or []
        if r.get("accelerating") and len(seg) >= 2:
            text += f", falling faster over time ({seg[0]['monthly_change']:+.1%} then {seg[-1]['monthly_change']:+.1%} a month)"
        text += "."
    else:
        text += f"; no decline fitted ({r['fit_status']})."
    return text


def growth_note(ds, an: Analysis) -> str:
    """The growth phase before the fall, or why none can be measured."""
    name = ds.name(an.entity)
    if not len(an.growth):
        return (
            f"**No growth phase can be measured for {name}:** no user series has two exact figures from one "
            f"source rising to a later maximum."
        )
    g = an.growth.iloc[0]
    return (
        f"{name}'s {METRIC_SHORT[g['metric']]} ({g['vendor']}) went from **{fmt_users(g['start_value'])}** "
        f"({g['start_period']}) to **{fmt_users(g['end_value'])}** ({g['end_period']}): **×{g['multiple']:.1f}** in "
        f"{g['months']:.1f} months, **{fmt_pct(g['monthly_growth'])} a month** compounded. The dashed line is "
        f"that constant rate, drawn between the two figures (not data in between)."
    )
