"""Charts of notebook 01 (user decline): each function takes one section and draws one figure.

Value labels are placed last, once the axes, the events and the legend are in place: each label takes the first
position around its point that covers no other text and no marker and stays inside the axes; it sits on an
opaque white box drawn above the lines, so no line strikes through it (the overlap check,
:mod:`kimi_research.presentation.overlaps`, treats such a box as covering the line)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
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
from kimi_research.presentation import overlaps, plotting
from kimi_research.presentation.format import pct

LABEL_SIZE = 9
LABEL_Z = 6  # above every line and marker: the label's white box hides what runs under it
LABEL_BOX = dict(boxstyle="round,pad=0.12", fc="white", ec="none", alpha=0.9)
#: label positions around a point, in order of preference: (dx, dy) in points, horizontal and vertical alignment
CANDIDATES = [
    (7, -4, "left", "top"),
    (7, 4, "left", "bottom"),
    (-7, -4, "right", "top"),
    (-7, 4, "right", "bottom"),
    (0, -9, "center", "top"),
    (0, 9, "center", "bottom"),
    (12, -16, "left", "top"),
    (12, 16, "left", "bottom"),
    (-12, -16, "right", "top"),
    (-12, 16, "right", "bottom"),
    (0, -26, "center", "top"),
    (0, 26, "center", "bottom"),
    (22, 0, "left", "center"),
    (-22, 0, "right", "center"),
]
HOLLOW = "#ffffff"
MAX_EVENT_ROWS = 8
BAND_ROOM = 10  # Figure 2 keeps its axis within ×10 of the figures; a wider interval runs past the chart (said so)


def series_colors(keys) -> dict[str, str]:
    """One colour per firm's series (rows that name no firm in grey)."""
    return {k: plotting.VENDOR_COLORS.get("" if str(k).startswith(NO_VENDOR) else k, "#555555") for k in keys}


def _box(bb) -> tuple[float, float, float, float]:
    return (bb.x0, bb.y0, bb.x1, bb.y1)


def _shared(a, b) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _cuts(box, path) -> bool:
    """Whether a polyline (display pixels) passes through a box."""
    x0, y0, x1, y1 = box
    for (ax_, ay), (bx, by) in zip(path[:-1], path[1:], strict=True):
        t0, t1 = 0.0, 1.0
        dx, dy = bx - ax_, by - ay
        inside = True
        for p, q in ((-dx, ax_ - x0), (dx, x1 - ax_), (-dy, ay - y0), (dy, y1 - ay)):
            if p == 0:
                if q < 0:
                    inside = False
                    break
                continue
            r = q / p
            if p < 0:
                t0 = max(t0, r)
            else:
                t1 = min(t1, r)
            if t0 > t1:
                inside = False
                break
        if inside:
            return True
    return False


def place_labels(ax, items: list[tuple], fontsize: float = LABEL_SIZE, fontweight: str = "normal") -> list:
    """Annotate ``items`` = (x, y, text, colour) so that no label covers another text or a marker and each stays
    inside the axes, preferring places no line runs through (a label's white box would hide the line there); call
    it after everything else is drawn (it measures the drawn figure). Returns the texts."""
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    shapes = overlaps.shapes(fig)
    obstacles = [b for s in shapes if s.kind in ("markers", "legend") for b in s.boxes]
    obstacles += [lab.box for lab in overlaps.labels(fig)]
    lines = [p for s in shapes if s.kind in ("line", "patch") for p in s.paths]
    inner = _box(ax.get_window_extent(renderer))
    inner = (inner[0] + 2, inner[1] + 2, inner[2] - 2, inner[3] - 2)
    out = []
    for x, y, text, color in items:
        best, best_cost = None, float("inf")
        for dx, dy, ha, va in CANDIDATES:
            t = ax.annotate(
                text,
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=fontsize,
                fontweight=fontweight,
                color=color,
                zorder=LABEL_Z,
                bbox=LABEL_BOX,
                annotation_clip=False,
            )
            b = _box(t.get_window_extent(renderer))
            outside = b[0] < inner[0] or b[1] < inner[1] or b[2] > inner[2] or b[3] > inner[3]
            cost = sum(_shared(b, o) for o in obstacles) + (1e6 if outside else 0.0)
            cost += 20.0 * sum(_cuts(b, p) for p in lines)
            if cost < best_cost:
                if best is not None:
                    best[0].remove()
                best, best_cost = (t, b), cost
            else:
                t.remove()
            if cost == 0:
                break
        assert best is not None
        obstacles.append(best[1])
        out.append(best[0])
    return out


def value_text(r) -> str:
    return f"{plotting.value_label(r)}\n{chart_period(r)}"


def draw_events(ax, axis: TimeAxis, top: bool = True) -> int:
    """Annotate the axis's events (chosen by the analysis: merged per day, launches first); returns the label rows."""
    if not len(axis.events):
        return 0
    # the analysis keeps at most 8 labels (chart_events): with as many rows each label can have its own
    return plotting.annotate_events(ax, axis.events, axis.lo, axis.hi, top=top, max_levels=MAX_EVENT_ROWS).rows


def draw_rows(
    ax,
    rows: pd.DataFrame,
    names: Mapping[str, str],
    colors: Mapping[str, str],
    join: bool = True,
    hollow: set | None = None,
) -> list[tuple]:
    """Draw user-count rows of several series and return the value labels to place (:func:`place_labels`).

    A line joins only the points of one series that stand side by side (``usable``: inside the window, no special
    day); a quarter's or longer period gets a pale bar over its span; a lower (upper) bound is an open caret with
    an arrow pointing up (down), a range an open bar between its ends: never a filled point. A figure outside the
    study window or of a special day is an open circle, never joined. ``hollow``: points drawn as a ring around
    (behind) the filled points, e.g. figures left out of a fit."""
    hollow = hollow or set()
    labels: list[tuple] = []
    usable = rows["usable"] if "usable" in rows.columns else pd.Series(True, index=rows.index)
    for key, g in rows.groupby("series", sort=True):
        key = cast(str, key)
        c = colors.get(key, "#555555")
        name = names.get(key, key)
        ok = g[usable[g.index]]
        pts = ok[ok["kind"] == "point"]
        if len(pts):
            if join and len(pts) > 1:
                ax.plot(pts["period_mid"], pts["base_value"], "-", color=c, lw=1.8, alpha=0.8, zorder=2)
            filled = pts[~pts.index.isin(hollow)]
            if len(filled):
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
                ax.scatter(
                    empty["period_mid"],
                    empty["base_value"],
                    s=110,
                    facecolors="none",
                    edgecolors=c,
                    linewidths=1.6,
                    zorder=3,
                    label=f"{name}: not in the fit (ring)",
                )
            for _, r in pts.iterrows():
                if r["period_months"] > 1.5:
                    ax.hlines(r["base_value"], r["period_start"], r["period_end"], color=c, lw=3, alpha=0.35, zorder=1)
        bounds = ok[ok["kind"] != "point"]
        for i, (_, r) in enumerate(bounds.iterrows()):
            if r["kind"] == "range":
                ax.vlines(r["period_mid"], r["base_value"], r["base_value_high"], color=c, lw=2, zorder=3)
                ax.scatter(
                    [r["period_mid"]] * 2,
                    [r["base_value"], r["base_value_high"]],
                    marker="_",
                    s=120,
                    color=c,
                    zorder=3,
                    label=f"{name}: range" if i == 0 else None,
                )
                continue
            up = r["kind"] == "lower bound"
            ax.scatter(
                [r["period_mid"]],
                [r["base_value"]],
                marker="^" if up else "v",
                s=110,
                facecolors=HOLLOW,
                edgecolors=c,
                linewidths=1.8,
                zorder=3,
                label=f"{name}: {r['kind']} (open)" if i == 0 else None,
            )
            ax.annotate(
                "",
                (r["period_mid"], r["base_value"] * (1.3 if up else 0.77)),
                (r["period_mid"], r["base_value"] * (1.06 if up else 0.94)),
                arrowprops=dict(arrowstyle="->", color=c, lw=1.5),
            )
        listed = g[~usable[g.index]]
        if len(listed):
            ax.scatter(
                listed["period_mid"],
                listed["base_value"],
                s=55,
                facecolors=HOLLOW,
                edgecolors=c,
                linewidths=1.4,
                linestyle="--",
                zorder=3,
                label=f"{name}: outside the window or a special day (open)",
            )
        labels += [(r["period_mid"], r["base_value"], value_text(r), c) for _, r in g.iterrows()]
    return labels


def trajectory(tr: Trajectory):
    """Figure 1: every firm's series of the app and metric on one time axis, the events marked."""
    rows, name, m = tr.rows, plotting.name(tr.name), METRIC_SHORT[tr.metric]
    fig, ax = plt.subplots(figsize=(10, 5.4))
    labels = draw_rows(ax, rows, tr.series_names, series_colors(rows["series"].unique()))
    ax.set_xlim(tr.axis.lo, tr.axis.hi)  # type: ignore[arg-type]  # matplotlib's stubs: float only; dates go through its converter
    plotting.millions_axis(ax)
    tops = [*(rows["base_value"] * 1.35), *rows["base_value_high"]]
    plotting.headroom(ax, tops)
    plotting.time_axis(ax)
    ax.set_title(f"{name}: {tr.metric_name}, every firm's figures on one time axis")
    ax.set_xlabel("period (each figure at the midpoint of its period)")
    ax.set_ylabel(f"{m} (millions of users)")
    ax.legend(title="measurement firm", loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9.5)
    plotting.footnote(
        fig,
        plotting.source_line(tr.source),
        caption=f"Figure 1. {name} {m}, {len(rows)} figures, one colour per firm: compare within a colour. "
        "Dotted lines: dated events (placed in time, not causes).",
    )
    levels = draw_events(ax, tr.axis)
    plotting.headroom(ax, tops, room=plotting.label_room(levels))
    place_labels(ax, labels)
    return fig


def decay_fit(dec: DecayFitSection, series_names: Mapping[str, str]):
    """Figure 2: the chosen series after its peak, the log-linear fit, its CI and the extrapolation."""
    fit, name, m, chosen = dec.fit, plotting.name(dec.name), METRIC_SHORT[dec.metric], dec.drawn
    fig, ax = plt.subplots(figsize=(10, 5.4))
    hollow = set(chosen.index) - set(fit.used.index) if fit.slope is not None else set()
    labels = draw_rows(ax, chosen, series_names, series_colors(chosen["series"].unique()), join=False, hollow=hollow)
    values = list(chosen["base_value"])
    bands: list[float] = []  # interval ends: drawn, but the axis keeps to within BAND_ROOM of the figures
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
            bands += list(line["low"].dropna()) + list(line["high"].dropna())
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
            bands += list(f["low"].dropna()) + list(f["high"].dropna())
            values.append(float(f["value"].iloc[-1]))
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
    ax.set_xlim(dec.axis.lo, dec.axis.hi)  # type: ignore[arg-type]  # matplotlib's stubs: float only; dates go through its converter
    plotting.millions_axis(ax, log=True)
    values += list(chosen["base_value"] * 1.3)
    lo_v, hi_v = min(values), max(values)
    cut = [b for b in bands if b < lo_v / BAND_ROOM or b > hi_v * BAND_ROOM]
    values += [min(max(b, lo_v / BAND_ROOM), hi_v * BAND_ROOM) for b in bands]
    plotting.headroom(ax, values, log=True)
    plotting.time_axis(ax)
    ax.set_title(
        f"{name} {m} after the peak: log-linear fit on {dec.vendor_label}"
        if fit.slope is not None
        else f"{name} {m}, {dec.vendor_label}: no rate fitted"
    )
    ax.set_xlabel("period (each figure at the midpoint of its period)")
    ax.set_ylabel(f"{m} (millions of users, log scale)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9.5)
    plotting.footnote(
        fig,
        plotting.source_line(dec.source),
        caption=(
            f"Figure 2. OLS of log({m}) on months since the peak; quarters dated at mid-quarter. "
            "The dashed segment is an extrapolation, not a measurement."
            + (f" The shaded intervals run past the chart (they span more than ×{BAND_ROOM:g} of the figures)." if cut else "")
            if fit.slope is not None
            else f"Figure 2. No rate is fitted: {fit.why_not or 'fewer than two figures after the peak'}."
        ),
    )
    levels = draw_events(ax, dec.axis)
    plotting.headroom(ax, values, log=True, room=plotting.label_room(levels))
    lo, hi = ax.get_ylim()
    if hi / lo > 300:  # more than about two and a half decades: 1-2-3-5-7 ticks would collide
        ax.yaxis.set_major_locator(mticker.LogLocator(base=10, subs=(1, 3) if hi / lo < 1e4 else (1,)))
    place_labels(ax, labels)
    return fig


def growth_phase(gr: Growth, series_names: Mapping[str, str]):
    """Figure 3: the first growth phase, its figures and the constant monthly rate joining them (only with a rise)."""
    g, name, grows = gr.phases.iloc[0], plotting.name(gr.name), gr.rows
    assert gr.axis is not None and gr.source is not None, "growth_phase draws a rise: call it only when there is one"
    fig, ax = plt.subplots(figsize=(10, 5.4))
    names = {**series_names, **{k: v for k, v in zip(gr.phases["series"], gr.phases["vendor"], strict=True)}}
    labels = draw_rows(ax, grows, names, series_colors(grows["series"].unique()), join=False)
    if g["monthly_growth"] is not None and not pd.isna(g["monthly_growth"]):
        t = np.linspace(0, g["months"], 60)
        ax.plot(
            g["start_date"] + pd.to_timedelta(t * DAYS_PER_MONTH, unit="D"),
            g["start_value"] * (1 + g["monthly_growth"]) ** t,
            "--",
            color="#6a3d9a",
            lw=2,
            label=f"×{g['multiple']:.1f} in {g['months']:.1f} months = {pct(g['monthly_growth'], sign=True)} a month",
        )
    ax.set_xlim(gr.axis.lo, gr.axis.hi)  # type: ignore[arg-type]  # matplotlib's stubs: float only; dates go through its converter
    plotting.millions_axis(ax, log=True)
    values = list(grows["base_value"] * 1.3) + list(grows["base_value"] / 1.3)
    plotting.headroom(ax, values, log=True)
    plotting.time_axis(ax)
    ax.set_title(f"{name} before the fall: {METRIC_SHORT[g['metric']]} growth, {g['vendor']}")
    ax.set_xlabel("period (each figure at the midpoint of its period)")
    ax.set_ylabel(f"{METRIC_SHORT[g['metric']]} (millions of users, log scale)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9.5)
    plotting.footnote(
        fig,
        plotting.source_line(gr.source),
        caption="Figure 3. The figures of one series and the constant monthly rate that joins them.",
    )
    levels = draw_events(ax, gr.axis)
    plotting.headroom(ax, values, log=True, room=plotting.label_room(levels))
    place_labels(ax, labels)
    return fig


def _rank_limits(ax, values: pd.Series, room: float) -> None:
    """An inverted rank axis (1 at the top) leaving the top ``room`` (axis fraction) free for event labels; ticks
    at whole ranks from 1 only (the room above rank 1 has none, so the tick labels keep their width)."""
    import matplotlib.ticker as mticker

    best, worst = float(values.min()), float(values.max())
    bottom = worst + 1.2
    top = bottom - (bottom - best + 0.9) / (1 - room)
    ax.set_ylim(bottom, top)
    ax.yaxis.set_major_locator(mticker.MaxNLocator(nbins=4, integer=True))
    ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:.0f}" if v >= 1 else ""))


def ranks(rk: Ranks):
    """Figure 4: the rank history, one panel per list with two ranks or more (lists are never joined)."""
    table, name = rk.table, plotting.name(rk.name)
    assert rk.axis is not None and rk.source is not None and rk.histories, "ranks draws histories: call it only with some"
    n = len(rk.histories)
    # the top panel carries the event labels: rows of labels need an axis about 2.5 in tall to stay apart
    heights = [3.4, *[2.2] * (n - 1)]
    fig, axes = plt.subplots(n, 1, figsize=(10, 1.8 + sum(heights)), sharex=True, squeeze=False, height_ratios=heights)
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"]
    per_axis: list[list[tuple]] = []
    for i, (ax, key) in enumerate(zip(axes[:, 0], rk.histories, strict=True)):
        g = table[table["list_key"] == key]
        c = palette[i % len(palette)]
        line = g.drop_duplicates("period_mid")
        ax.plot(line["period_mid"], line["value"], "--", color=c, lw=1.3, alpha=0.7, zorder=2)
        for _, r in g.iterrows():
            marker = {"<=": "^", "<": "^", ">": "v", ">=": "v"}.get(r["qualifier"], "o")
            bound = marker != "o"
            ax.scatter(
                [r["period_mid"]],
                [r["value"]],
                marker=marker,
                s=110 if bound else 70,
                facecolors=HOLLOW if bound else c,
                edgecolors=c,
                linewidths=1.8,
                zorder=4,
            )
        ax.set_title(g["list_name"].iloc[0], fontsize=10.5, loc="left")
        ax.set_ylabel("rank")
        ax.set_xlim(rk.axis.lo, rk.axis.hi)
        _rank_limits(ax, g["value"], plotting.label_room(0))
        per_axis.append([(r["period_mid"], r["value"], r["rank"], c) for _, r in g.iterrows()])
    plotting.time_axis(axes[-1, 0])
    axes[-1, 0].set_xlabel("period (each figure at the midpoint of its period)")
    fig.suptitle(f"{name}: rank on each list the sources quote (1 = top), one list per panel", fontweight="bold")
    plotting.footnote(
        fig,
        plotting.source_line(rk.source),
        caption="Figure 4. A rank on one list is never compared with a rank on another; a caret is a bound "
        "('≤3': third or better). Lists with a single rank are in the table below.",
    )
    top = axes[0, 0]
    levels = draw_events(top, rk.axis)
    for ax in axes[1:, 0]:
        for d in rk.axis.events["date"] if len(rk.axis.events) else []:
            ax.axvline(d, color="#999999", lw=1.0, ls=(0, (2, 2)), zorder=1)
    _rank_limits(top, table.loc[table["list_key"] == rk.histories[0], "value"], plotting.label_room(levels))
    for ax, items in zip(axes[:, 0], per_axis, strict=True):
        place_labels(ax, items, fontsize=10, fontweight="bold")
    return fig
