"""Charts of notebook 01 (user decline): each function takes one section and draws one figure."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from kimi_research.analysis.decline import (
    METRIC_SHORT,
    NO_VENDOR,
    DecayFitSection,
    Growth,
    Ranks,
    TimeAxis,
    Trajectory,
)
from kimi_research.data.periods import short_period_label as chart_period
from kimi_research.data.units import DAYS_PER_MONTH
from kimi_research.presentation import plotting
from kimi_research.presentation.format import pct


def series_colors(keys) -> dict[str, str]:
    """One colour per firm's series (rows that name no firm in grey)."""
    return {k: plotting.VENDOR_COLORS.get("" if k == NO_VENDOR else k, "#555555") for k in keys}


def rank_bottom(worst: float, room: float, top: float = 0.3) -> float:
    """Lower end of an inverted rank axis (top = rank ``top``) leaving ``room`` (axis fraction) below
    the worst rank (+1) for event labels."""
    return (worst + 1.5 - room * top) / (1 - room)


def draw_events(ax, axis: TimeAxis, top: bool = True) -> int:
    """Annotate the axis's events (chosen by the analysis: merged per day, launches first); returns the label rows."""
    if not len(axis.events):
        return 0
    return plotting.annotate_events(ax, axis.events, axis.lo, axis.hi, top=top).rows


def draw_rows(
    ax,
    rows: pd.DataFrame,
    names: Mapping[str, str],
    colors: Mapping[str, str],
    join: bool = True,
    label_points: bool = True,
    hollow: set | None = None,
) -> None:
    """Draw user-count rows of several series: a line joins only the points of one series;
    a quarter's or longer period gets a horizontal bar over its span; a lower bound is a caret
    pointing up with its text ('≥3600万'), never a point on a line."""
    hollow = hollow or set()
    placed: list[tuple] = []  # (date, value) of labels already drawn: a label close to one goes on the other side
    for key, g in rows.groupby("series", sort=True):
        c = colors.get(key, "#555555")
        name = names[key]
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


def trajectory(tr: Trajectory):
    """Figure 1: every figure of the app and metric, one series per measurement firm."""
    rows, name, m = tr.rows, plotting.name(tr.name), METRIC_SHORT[tr.metric]
    fig, ax = plt.subplots(figsize=(10, 5.2))
    draw_rows(ax, rows, tr.series_names, series_colors(rows["series"].unique()))
    ax.set_xlim(tr.axis.lo, tr.axis.hi)
    plotting.millions_axis(ax)
    tops = list(rows["base_value"] * 1.25) + list(rows["base_value_high"])
    plotting.headroom(ax, tops)
    plotting.time_axis(ax)
    ax.set_title(f"{name}: {tr.metric_name}, every figure quoted, one series per firm")
    ax.set_xlabel("period (each figure at the midpoint of its period)")
    ax.set_ylabel(f"{m} (millions of users)")
    ax.legend(title="measurement firm", loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9.5)
    plotting.footnote(
        fig,
        plotting.source_line(tr.source),
        caption=f"Figure 1. {name} {m}, {len(rows)} figures. Firms' panels differ: compare within a colour.",
    )
    levels = draw_events(ax, tr.axis)
    plotting.headroom(ax, tops, room=plotting.label_room(levels))
    return fig


def decay_fit(dec: DecayFitSection, series_names: Mapping[str, str]):
    """Figure 2: the chosen series after its peak, the log-linear fit, its CI and the extrapolation."""
    fit, name, m, chosen = dec.fit, plotting.name(dec.name), METRIC_SHORT[dec.metric], dec.chosen
    fig, ax = plt.subplots(figsize=(10, 5.2))
    hollow = set(chosen.index[chosen["kind"] == "point"]) - set(fit.used.index)
    draw_rows(ax, chosen, series_names, series_colors(chosen["series"].unique()), join=False, hollow=hollow)
    values = list(chosen["base_value"])
    fc = dec.forecast_table
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
        if len(fc):
            f = pd.concat([fit.predict([fit.used["t"].max()], "prediction"), fc[["t", "value", "low", "high"]]])
            ax.plot(
                fit.date_of(f["t"]),
                f["value"],
                "--",
                color="#d62728",
                lw=2,
                label=f"extrapolation, {dec.forecast_months} months (not data)",
            )
            if f["low"].notna().all():
                ax.fill_between(
                    fit.date_of(f["t"]), f["low"], f["high"], color="#d62728", alpha=0.12, label="95% prediction interval"
                )
            values += list(f["low"]) + list(f["high"])
            w = dec.floor_row
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
    ax.set_xlim(dec.axis.lo, dec.axis.hi)
    plotting.millions_axis(ax, log=True)
    values += list(chosen["base_value"] * 1.25)
    plotting.headroom(ax, values, log=True)
    plotting.time_axis(ax)
    ax.set_title(f"{name} {m} after the peak: log-linear fit on {dec.vendor_label}")
    ax.set_xlabel("period (each figure at the midpoint of its period)")
    ax.set_ylabel(f"{m} (millions of users, log scale)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9.5)
    plotting.footnote(
        fig,
        plotting.source_line(dec.source),
        caption=f"Figure 2. OLS of log({m}) on months since the peak; quarters dated at mid-quarter. "
        "The dashed segment is an extrapolation, not a measurement.",
    )
    levels = draw_events(ax, dec.axis)
    plotting.headroom(ax, values, log=True, room=plotting.label_room(levels))
    return fig


def growth_phase(gr: Growth, series_names: Mapping[str, str]):
    """Figure 3: the first growth phase, two figures and the constant monthly rate joining them (only with a rise)."""
    g, name, grows = gr.phases.iloc[0], plotting.name(gr.name), gr.rows
    assert gr.axis is not None and gr.source is not None, "growth_phase draws a rise: call it only when there is one"
    fig, ax = plt.subplots(figsize=(10, 5.2))
    names = {**series_names, **{k: v for k, v in zip(gr.phases["series"], gr.phases["vendor"], strict=True)}}
    draw_rows(ax, grows, names, series_colors(grows["series"].unique()), join=False)
    t = np.linspace(0, g["months"], 60)
    ax.plot(
        g["start_date"] + pd.to_timedelta(t * DAYS_PER_MONTH, unit="D"),
        g["start_value"] * (1 + g["monthly_growth"]) ** t,
        "--",
        color="#6a3d9a",
        lw=2,
        label=f"×{g['multiple']:.1f} in {g['months']:.1f} months = {pct(g['monthly_growth'], sign=True)} a month",
    )
    ax.set_xlim(gr.axis.lo, gr.axis.hi)
    plotting.millions_axis(ax, log=True)
    plotting.headroom(ax, list(grows["base_value"]), log=True)
    plotting.time_axis(ax)
    ax.set_title(f"{name} before the fall: {METRIC_SHORT[g['metric']]} growth, {g['vendor']}")
    ax.set_xlabel("period (each figure at the midpoint of its period)")
    ax.set_ylabel(f"{METRIC_SHORT[g['metric']]} (millions of users, log scale)")
    ax.legend(loc="lower right")
    plotting.footnote(
        fig, plotting.source_line(gr.source), caption="Figure 3. Two figures and the constant monthly rate that joins them."
    )
    levels = draw_events(ax, gr.axis)
    plotting.headroom(ax, list(grows["base_value"]), log=True, room=plotting.label_room(levels))
    return fig


def ranks(rk: Ranks):
    """Figure 4: the rank trajectory, one colour per list (only with rank rows)."""
    table, name = rk.table, plotting.name(rk.name)
    assert rk.axis is not None and rk.source is not None, "ranks draws rank rows: call it only when there are some"
    fig, ax = plt.subplots(figsize=(10, 5.2))
    draw_ranks(ax, table)
    ax.set_xlim(rk.axis.lo, rk.axis.hi)
    ax.set_ylim(rank_bottom(table["value"].max(), 0.3), 0.3)
    plotting.time_axis(ax)
    ax.set_title(f"{name}: position in the rankings the articles quote (1 = top)")
    ax.set_xlabel("period (each figure at the midpoint of its period)")
    ax.set_ylabel("rank (lower is better)")
    ax.legend(title="list (metric, firm, scope)", loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9)
    plotting.footnote(
        fig,
        plotting.source_line(rk.source),
        caption="Figure 4. Lists differ in metric, firm and scope: compare within a colour.",
    )
    levels = draw_events(ax, rk.axis, top=False)
    ax.set_ylim(rank_bottom(table["value"].max(), plotting.label_room(levels)), 0.3)
    return fig
