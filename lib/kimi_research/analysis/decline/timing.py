"""The decline's timing against events: each dated event (``data/events.csv``) placed between the two figures of
one series that bracket it, with the rates on either side and whether they differ beyond what the points allow.

No causal claim: an event between two figures is only that. With so few points a side often rests on one or two
figures; a rate through two figures has no interval, so whether two such rates differ cannot be tested, and the
output says so.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import statsmodels.api as sm

from kimi_research.analysis.decline.common import CONFIDENCE, MIN_POINTS_FOR_CI, months_between
from kimi_research.data import comparable as C

#: how long an event dated with this precision may have lasted (a month-precision date is the month's first day)
PRECISION_DAYS = {"day": 1, "month": 31, "quarter": 92, "year": 366}


def side_rate(rows: pd.DataFrame) -> dict:
    """The log-linear monthly change through ``rows`` (points of one series on one side of an event): a rate
    with two dates or more at least about two months apart, an interval with three dates or more."""
    ids = list(rows.index)
    dates = rows["period_mid"]
    n_dates = int(dates.dt.normalize().nunique()) if len(rows) else 0
    base = {"obs_ids": ids, "n_dates": n_dates, "monthly_change": None, "ci": [None, None]}
    if n_dates < 2:
        return base | {"why_no_rate": "one figure: no rate" if n_dates == 1 else "no figure: no rate"}
    ok, why = C.rate_allowed(dates)
    if not ok:
        return base | {"why_no_rate": why}
    t = months_between(dates.min(), dates)
    res = sm.OLS(np.log(rows["base_value"].to_numpy(dtype=float)), sm.add_constant(t)).fit()
    slope = float(res.params[1])
    out = base | {"monthly_change": math.expm1(slope), "why_no_rate": ""}
    if n_dates >= MIN_POINTS_FOR_CI and res.df_resid > 0:
        lo, hi = res.conf_int(alpha=1 - CONFIDENCE)[1]
        out["ci"] = [math.expm1(float(lo)), math.expm1(float(hi))]
    else:
        out["why_no_interval"] = f"{n_dates} dates: a rate through two figures has no interval"
    return out


def _differ(before: dict, after: dict) -> tuple[str, str]:
    """('yes' | 'no' | 'cannot tell', why)."""
    if before["monthly_change"] is None or after["monthly_change"] is None:
        side = "before" if before["monthly_change"] is None else "after"
        why = (before if side == "before" else after)["why_no_rate"]
        return "cannot tell", f"no rate {side} the event ({why})"
    (b0, b1), (a0, a1) = before["ci"], after["ci"]
    if b0 is None or a0 is None:
        return "cannot tell", (
            "no interval on "
            + ("either side" if b0 is None and a0 is None else "the side " + ("before" if b0 is None else "after"))
            + ": with two figures on a side the difference between the rates cannot be tested"
        )
    if b1 < a0 or a1 < b0:
        return "yes", "the 95% intervals of the two rates do not overlap"
    return "no", "the 95% intervals of the two rates overlap: the points do not tell the rates apart"


def events_between_points(events: pd.DataFrame, rows: pd.DataFrame, series: str) -> list[dict]:
    """Every event placed against the points of one series (``rows``: its trend points, with period and kind).

    For each event: its position ('between' two figures, 'before_first', 'after_last'), the bracketing figures,
    the figures whose period contains the event's date, the rate of the bracketing segment, the rates of all
    the series' figures before and after the event (:func:`side_rate`) and whether they differ beyond what the
    points allow ('yes' when their 95% intervals do not overlap, 'no' when they do, 'cannot tell' without two
    intervals). ``side_uncertain`` is True when the event is dated to a month or a quarter that holds a
    figure's date, so the event may fall on either side of it."""
    pts = rows[rows["kind"] == "point"].sort_values(["period_mid", "period_end"], kind="stable")
    out: list[dict] = []
    if pts.empty:
        return out
    mids = pts["period_mid"]
    for eid, e in events.sort_values("date", kind="stable").iterrows():
        date = pd.Timestamp(e["date"])
        precision = str(e.get("date_precision") or "day") if isinstance(e.get("date_precision"), str) else "day"
        until = date + pd.Timedelta(days=PRECISION_DAYS.get(precision, 1))
        before, after = pts[mids <= date], pts[mids > date]
        position = "before_first" if before.empty else "after_last" if after.empty else "between"
        left = before.iloc[-1] if len(before) else None
        right = after.iloc[0] if len(after) else None
        segment = None
        if left is not None and right is not None:
            months = float(months_between(left["period_mid"], right["period_mid"]))
            if months > 0 and C.rate_allowed([left["period_mid"], right["period_mid"]])[0]:
                segment = float((right["base_value"] / left["base_value"]) ** (1 / months) - 1)
        inside = pts[(pts["period_start"] <= date) & (pts["period_end"] >= date)]
        rb, ra = side_rate(before), side_rate(after)
        differ, why = _differ(rb, ra)
        out.append(
            {
                "event_id": str(eid),
                "date": date.date().isoformat(),
                "date_precision": precision,
                "label": str(e["label"]),
                "kind": str(e["kind"]),
                "series": series,
                "position": position,
                "before_obs": None if left is None else str(left.name),
                "before_period": None if left is None else str(left["period"]),
                "after_obs": None if right is None else str(right.name),
                "after_period": None if right is None else str(right["period"]),
                "inside_period_of": [str(i) for i in inside.index],
                "side_uncertain": bool(((mids >= date) & (mids < until)).any()) and precision != "day",
                "segment_monthly_change": segment,
                "rate_before": rb,
                "rate_after": ra,
                "rates_differ": differ,
                "why": why,
            }
        )
    return out
