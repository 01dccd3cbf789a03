"""Charts of notebook 01 (user decline): user rows per vendor series, ranks, event labels."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from kimi_research.analysis.decline import chart_events, vendor_label
from kimi_research.data.periods import short_period_label as chart_period
from kimi_research.presentation import plotting


def time_range(dates, extra_end=None, pad_days: float = 45, min_span_days: float = 240):
    """A padded x range covering ``dates`` (and ``extra_end``); at least ``min_span_days`` wide."""
    d = pd.Series(pd.to_datetime(list(dates)))
    if extra_end is not None:
        d = pd.concat([d, pd.Series([pd.Timestamp(extra_end)])])
    lo, hi = d.min() - pd.Timedelta(days=pad_days), d.max() + pd.Timedelta(days=pad_days)
    if (hi - lo).days < min_span_days:
        mid, half = lo + (hi - lo) / 2, pd.Timedelta(days=min_span_days / 2)
        lo, hi = mid - half, mid + half
    return lo, hi


def rank_bottom(worst: float, room: float, top: float = 0.3) -> float:
    """Lower end of an inverted rank axis (top = rank ``top``) leaving ``room`` (axis fraction) below
    the worst rank (+1) for event labels."""
    return (worst + 1.5 - room * top) / (1 - room)


def draw_events(ax, ds, lo, hi, enabled: bool, top: bool = True) -> tuple[list[str], int]:
    """Annotate events in [lo, hi] (merged per day, launches first); returns (ids drawn, label rows)."""
    if not enabled:
        return [], 0
    drawn = plotting.annotate_events(ax, chart_events(ds, lo, hi), lo, hi, top=top)
    return list(drawn), drawn.rows


def draw_rows(
    ax, ds, rows: pd.DataFrame, colors: Mapping[str, str], join: bool = True, label_points: bool = True, hollow: set | None = None
) -> None:
    """Draw user-count rows of several series: a line joins only the points of one series;
    a quarter's or longer period gets a horizontal bar over its span; a lower bound is a caret
    pointing up with its text ('≥3600万'), never a point on a line."""
    hollow = hollow or set()
    placed: list[tuple] = []  # (date, value) of labels already drawn: a label close to one goes on the other side
    for key, g in rows.groupby("series", sort=True):
        c = colors.get(key, "#555555")
        name = vendor_label(ds, key)
        pts = g[g["kind"] == "point"]
        if len(pts):
            if join and len(pts) > 1:
                ax.plot(pts["period_mid"], pts["base_value"], "-", color=c, lw=1.8, alpha=0.8, zorder=2)
            filled = pts[~pts.index.isin(hollow)]
            ax.scatter(
                filled["period_mid"],
                filled["base_value"],
                s=55,
                color=c,
                zorder=4,
                label=f"{name} ({len(filled)} point{'s' if len(filled) != 1 else ''}{' in the fit' if hollow else ''})",
            )
            empty = pts[pts.index.isin(hollow)]
            if len(empty):
                # a larger open ring drawn *behind* the filled points: a left-out figure at the same place as a
                # figure in the fit (a month repeating its quarter) shows as a ring around a filled dot, never
                # as an open marker covering the point that is in the fit
                ax.scatter(
                    empty["period_mid"],
                    empty["base_value"],
                    s=190,
                    facecolors="none",
                    edgecolors=c,
                    linewidths=1.6,
                    zorder=2,
                    label=f"{name}: left out of the fit (ring)",
                )
            for _, r in pts.iterrows():
                if r["period_months"] > 1.5:
                    ax.hlines(r["base_value"], r["period_start"], r["period_end"], color=c, lw=3, alpha=0.35, zorder=1)
        for _, r in g[g["kind"] != "point"].iterrows():
            marker = {"lower bound": "^", "upper bound": "v"}.get(r["kind"], "D")
            ax.scatter(
                [r["period_mid"]], [r["base_value"]], marker=marker, s=110, color=c, zorder=3, label=f"{name}: {r['kind']}"
            )
            ax.annotate(
                "",
                (r["period_mid"], r["base_value"] * (1.25 if marker == "^" else 0.8)),
                (r["period_mid"], r["base_value"]),
                arrowprops=dict(arrowstyle="->", color=c, lw=1.5),
            )
            if r["kind"] == "range":
                ax.vlines(r["period_mid"], r["base_value"], r["base_value_high"], color=c, lw=2)
        if label_points:
            for _, r in g.iterrows():
                clash = any(abs((r["period_mid"] - d).days) <= 25 and abs(r["base_value"] / v - 1) <= 0.15 for d, v in placed)
                placed.append((r["period_mid"], r["base_value"]))
                ax.annotate(
                    f"{plotting.value_label(r)}\n{chart_period(r)}",
                    (r["period_mid"], r["base_value"]),
                    xytext=(-7, -4) if clash else (7, -4),
                    textcoords="offset points",
                    fontsize=9,
                    color=c,
                    va="top",
                    ha="right" if clash else "left",
                )


def draw_ranks(ax, ranks: pd.DataFrame) -> None:
    """Rank points, one colour and marker per list (metric x vendor x scope); lower is better, so the
    caller inverts the y axis. 'top 3' (<=) is a caret pointing up (at least that good), 'outside
    the top 20' (>) a caret pointing down. Points of one list are joined by a dashed line."""
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"]
    placed: list[tuple[pd.Timestamp, float]] = []  # labels already drawn on the right of their point
    for i, (name, g) in enumerate(ranks.groupby("list_name", sort=False)):
        c = palette[i % len(palette)]
        line = g.drop_duplicates("period_mid")
        if len(line) > 1:
            ax.plot(line["period_mid"], line["value"], "--", color=c, lw=1.3, alpha=0.7)
        first = True
        for _, r in g.iterrows():
            marker = {"<=": "^", "<": "^", ">": "v", ">=": "v"}.get(r["qualifier"], "o")
            ax.scatter(
                [r["period_mid"]],
                [r["value"]],
                marker=marker,
                s=120 if marker != "o" else 70,
                color=c,
                zorder=3,
                label=name if first else None,
            )
            first = False
            # a label near one already on the right of its point (same time, within 2 ranks) goes on the left
            clash = any(abs((r["period_mid"] - d).days) <= 45 and abs(r["value"] - v) <= 2 for d, v in placed)
            if not clash:
                placed.append((r["period_mid"], r["value"]))
            ax.annotate(
                r["rank"],
                (r["period_mid"], r["value"]),
                xytext=(-9, 0) if clash else (9, 0),
                textcoords="offset points",
                fontsize=10,
                color=c,
                va="center",
                fontweight="bold",
                ha="right" if clash else "left",
            )


def decay_fit(ds, an, P, colors: Mapping[str, str]):
    """Figure 2: the chosen series after its peak, the log-linear fit, its CI and the extrapolation.

    Returns (figure, ids of the events drawn)."""
    import matplotlib.pyplot as plt
    import numpy as np

    from kimi_research.analysis.decline import METRIC_SHORT
    from kimi_research.presentation.format import pct

    fit, name, m = an.fit, plotting.label(ds, an.entity), METRIC_SHORT[an.metric]
    fig, ax = plt.subplots(figsize=(10, 5.2))
    hollow = set(an.chosen.index[an.chosen["kind"] == "point"]) - set(fit.used.index)
    draw_rows(ax, ds, an.chosen, colors, join=False, hollow=hollow)
    values = list(an.chosen["base_value"])
    x_end = None
    if fit.slope is not None:
        t = np.linspace(0, fit.used["t"].max(), 80)
        line = fit.predict(t)
        ax.plot(
            fit.date_of(t),
            line["value"],
            color="black",
            lw=2.2,
            label=f"fit: {pct(fit.monthly_change, sign=True)} a month (n = {fit.n})",
        )
        if fit.status == "fit":
            ax.fill_between(
                fit.date_of(t), line["low"], line["high"], color="black", alpha=0.12, label="95% CI of the fitted line"
            )
        if len(an.forecast):
            f = pd.concat([fit.predict([fit.used["t"].max()], "prediction"), an.forecast[["t", "value", "low", "high"]]])
            ax.plot(
                fit.date_of(f["t"]),
                f["value"],
                "--",
                color="#d62728",
                lw=2,
                label=f"extrapolation, {P.forecast_months} months (not data)",
            )
            if f["low"].notna().all():
                ax.fill_between(
                    fit.date_of(f["t"]), f["low"], f["high"], color="#d62728", alpha=0.12, label="95% prediction interval"
                )
            values += list(f["low"]) + list(f["high"])
            x_end = an.forecast["date"].max()
            w = an.wau_floor
            if w is not None:  # monthly users are at least the weekly users of a week in that month
                ax.scatter(
                    [w["period_mid"]],
                    [w["base_value"]],
                    marker="_",
                    s=420,
                    linewidths=3,
                    color="#555555",
                    zorder=5,
                    label=f"floor: weekly users {plotting.value_label(w)} ({w['period']})",
                )
                values.append(float(w["base_value"]))
                x_end = max(x_end, w["period_mid"])
    else:
        ax.text(
            0.5,
            0.45,
            "no fit: " + ("no exact figure" if fit.n == 0 else "fewer than two figures after the peak"),
            transform=ax.transAxes,
            ha="center",
            fontsize=13,
            color="#b22222",
        )
    lo, hi = time_range(pd.concat([an.chosen["period_start"], an.chosen["period_end"]]), x_end)
    ax.set_xlim(lo, hi)
    plotting.millions_axis(ax, log=True)
    values += list(an.chosen["base_value"] * 1.25)
    plotting.headroom(ax, values, log=True)
    plotting.time_axis(ax)
    ax.set_title(f"{name} {m} after the peak: log-linear fit on {an.vendor_label}")
    ax.set_xlabel("period (each figure at the midpoint of its period)")
    ax.set_ylabel(f"{m} (millions of users, log scale)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9.5)
    plotting.footnote(
        fig,
        plotting.source_text(ds, an.chosen),
        caption=f"Figure 2. OLS of log({m}) on months since the peak; quarters dated at mid-quarter. "
        "The dashed segment is an extrapolation, not a measurement.",
    )
    ids, levels = draw_events(ax, ds, lo, hi, P.annotate_events)
    plotting.headroom(ax, values, log=True, room=plotting.label_room(levels))
    return fig, ids


def growth_phase(ds, an, P, colors: Mapping[str, str]):
    """Figure 3: the first growth phase, two figures and the constant monthly rate joining them.

    Returns (figure, ids of the events drawn); call only when ``an.growth`` is not empty."""
    import matplotlib.pyplot as plt
    import numpy as np

    from kimi_research.analysis.decline import METRIC_SHORT, select
    from kimi_research.data.units import DAYS_PER_MONTH
    from kimi_research.presentation.format import pct

    g, name = an.growth.iloc[0], plotting.label(ds, an.entity)
    grows = select(ds, an.entity, g["metric"])
    grows = grows[grows["series"] == g["series"]]
    fig, ax = plt.subplots(figsize=(10, 5.2))
    draw_rows(ax, ds, grows, colors, join=False)
    t = np.linspace(0, g["months"], 60)
    t0 = ds.observations.at[g["start_obs"], "period_mid"]
    ax.plot(
        t0 + pd.to_timedelta(t * DAYS_PER_MONTH, unit="D"),
        g["start_value"] * (1 + g["monthly_growth"]) ** t,
        "--",
        color="#6a3d9a",
        lw=2,
        label=f"×{g['multiple']:.1f} in {g['months']:.1f} months = {pct(g['monthly_growth'], sign=True)} a month",
    )
    lo, hi = time_range(pd.concat([grows["period_start"], grows["period_end"]]))
    ax.set_xlim(lo, hi)
    plotting.millions_axis(ax, log=True)
    plotting.headroom(ax, list(grows["base_value"]), log=True)
    plotting.time_axis(ax)
    ax.set_title(f"{name} before the fall: {METRIC_SHORT[g['metric']]} growth, {g['vendor']}")
    ax.set_xlabel("period (each figure at the midpoint of its period)")
    ax.set_ylabel(f"{METRIC_SHORT[g['metric']]} (millions of users, log scale)")
    ax.legend(loc="lower right")
    plotting.footnote(
        fig, plotting.source_text(ds, grows), caption="Figure 3. Two figures and the constant monthly rate that joins them."
    )
    ids, levels = draw_events(ax, ds, lo, hi, P.annotate_events)
    plotting.headroom(ax, list(grows["base_value"]), log=True, room=plotting.label_room(levels))
    return fig, ids
