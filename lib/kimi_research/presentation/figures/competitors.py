"""Charts of notebook 04 (Kimi against its competitors): each function draws one figure from one section."""

from __future__ import annotations

import re
import textwrap
from typing import Any, cast

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from kimi_research.analysis.competitors import (
    CAP_DIMENSIONS,
    KIMI,
    AdSpend,
    Backing,
    Capabilities,
    ContextWindows,
    RankHistory,
    RankingAtDate,
    ReleaseCadence,
    Snapshots,
    Verdict,
)
from kimi_research.data.units import DAYS_PER_MONTH, format_en
from kimi_research.presentation import format as F
from kimi_research.presentation import plotting


def millions(prefix=""):
    """Tick labels in millions: '12m', '0.5m'."""
    return FuncFormatter(lambda v, _: f"{prefix}{v / 1e6:,.0f}m" if v >= 1e6 or v == 0 else f"{prefix}{v / 1e6:,.1f}m")


def ranking(rk: RankingAtDate):
    """Figure 1: the ranking at the chosen date."""
    table, derived = rk.table, rk.derived_rows

    fig, ax = plt.subplots(figsize=(10, 0.55 * (len(table) + len(derived)) + 2.2))
    xmax = np.nanmax(list(table["value"]) + list(derived["value"])) if table["value"].notna().any() else 1
    ylabels = []
    for i, (e, r) in enumerate(table.iterrows()):
        e = cast(str, e)
        color = plotting.ENTITY_COLORS.get(e, "#888888")
        if not np.isnan(r["value"]):
            ax.barh(i, r["value"], color=color, height=0.62)
            extra = f"   {r['ratio_to_kimi']:.1f}× Kimi" if e != KIMI and not np.isnan(r["ratio_to_kimi"]) else ""
            ax.text(r["value"] + xmax * 0.01, i, f"{format_en(r['value'], 'count')}{extra}", va="center", fontsize=11)
        else:
            rng = (
                f" (between {format_en(r['value_low_by_rank'], 'count')} and {format_en(r['value_high_by_rank'], 'count')}"
                " by its rank)"
                if not np.isnan(r["value_low_by_rank"]) and not np.isnan(r["value_high_by_rank"])
                else ""
            )
            ax.text(
                xmax * 0.01,
                i,
                f"ranked {r['rank_text']}, no value published{rng}",
                va="center",
                fontsize=10.5,
                style="italic",
                color="#555555",
            )
        exact = r["rank"] is not None and not pd.isna(r["rank"])
        ylabels.append(
            (f"#{r['rank_text']}  " if exact else "")
            + plotting.name(rk.names[e])
            + (
                " (derived rank)"
                if exact and r["basis"].startswith("derived")
                else f" (rank {r['rank_text']})"
                if not exact and r["rank_text"] != "not stated"
                else ""
            )
        )
    for k, (_, d) in enumerate(derived.iterrows()):
        i = len(table) + k
        color = plotting.ENTITY_COLORS.get(d["entity"], "#888888")
        ax.barh(i, d["value"], height=0.62, facecolor="white", edgecolor=color, hatch="//", lw=1.5)
        ax.text(
            d["value"] + xmax * 0.01,
            i,
            f"{format_en(d['value'], 'count')}  derived: {d['inputs'].replace(', ', ' ÷ ')}",
            va="center",
            fontsize=10.5,
        )
        ylabels.append(f"{plotting.name(rk.names[d['entity']])} (derived, not ranked)")
    ax.set_yticks(range(len(ylabels)), ylabels)
    ax.invert_yaxis()
    ax.set_xlim(0, xmax * (1.9 if len(derived) else 1.45))
    ax.xaxis.set_major_formatter(millions())
    ax.set_xlabel(f"{rk.metric_name.lower()} (users, millions)")
    ax.set_ylabel("rank and app")
    ttl = f"{rk.metric.upper()} ranking, {rk.period} ({rk.vendor_label}): Kimi " + (
        F.ordinal(rk.kimi_rank) if rk.kimi_rank else rk.kimi_rank_text
    )
    ax.set_title(ttl if len(ttl) < 75 else ttl.replace(" (", "\n(", 1))
    plotting.footnote(
        fig,
        plotting.source_line(rk.source),
        caption="Figure 1. Bars = published values; rows without a bar have a rank only; hatched = derived from a share. "
        "Ratios are each app's value ÷ Kimi's.",
    )
    return fig


#: colours of apps the theme does not name (phone makers' assistants, Ernie Bot, Quark ...)
EXTRA_COLORS = {
    "wenxin": "#a6761d",
    "huawei_xiaoyi": "#e7298a",
    "oppo_xiaobu": "#e6ab02",
    "xiaomi_xiaoai": "#17becf",
    "quark": "#1b9e77",
    "lingguang": "#7570b3",
}
#: an opaque box under a data label: a line or an event line passes under it, not through it
LABEL_BOX = dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.9)
SCALE_TICK = {
    "month": "month",
    "monthly average": "monthly\naverage",
    "end of period": "end of\nperiod",
    "day": "one day",
    "days": "days",
    "week": "week",
}


def _declutter(ax, texts: list, obstacles: list | None = None, tries: int = 24) -> None:
    """Move data labels (annotations placed in offset points) up or down until no two of them overlap, nor a
    label of ``obstacles`` (event labels): each label, left to right, takes the nearest free place, in steps of
    half its height."""
    fig = ax.figure
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    placed = [t.get_window_extent(r) for t in obstacles or []]
    to_pt = 72 / fig.dpi
    for t in sorted(texts, key=lambda t: t.get_window_extent(r).x0):
        x0, y0 = t.xyann
        step = t.get_window_extent(r).height * to_pt * 0.5
        for k in range(tries + 1):
            dy = ((k + 1) // 2) * step * (1 if k % 2 else -1)
            t.xyann = (x0, y0 + dy)
            box = t.get_window_extent(r).expanded(1.15, 1.3)  # a margin: the layout shifts a little at save time
            if not any(box.overlaps(b) for b in placed):
                break
        placed.append(t.get_window_extent(r).expanded(1.15, 1.3))


def _latin(text) -> str:
    """A data text for a chart in the charts' language: with no CJK font in use, a text written partly in Chinese
    keeps its Latin part and says that the rest is Chinese (never boxes for missing glyphs)."""
    text = "" if not isinstance(text, str) else text
    if plotting.current_lang() == "zh" or not re.search(r"[\u3000-\u9fff]", text):
        return text
    rest = " ".join(re.sub(r"[\u3000-\u9fff]+", " ", text).split())
    return f"a list named in Chinese{', ' + rest if rest else ''}"


def _app_color(entity: str) -> str:
    return plotting.ENTITY_COLORS.get(entity, EXTRA_COLORS.get(entity, "#888888"))


def _firm_short(name: str) -> str:
    return textwrap.fill(name.split(" (")[0], 11)


def snapshots(sn: Snapshots):
    """Figure 2: earlier snapshots, small multiples by metric on one shared (log) scale: one column per firm,
    period and scale, one mark per app; a monthly average is a square, a bound an open triangle with its arrow,
    a derived value an open diamond."""
    p = sn.points
    metrics = [m for m in ("dau", "wau", "mau") if m in set(p["metric"])]
    cats = {m: list(dict.fromkeys(p[p["metric"] == m].sort_values(["mid", "group"])["group"])) for m in metrics}
    fig, axes = plt.subplots(len(metrics), 1, figsize=(11, 1.2 + 3.1 * len(metrics)), sharey=True, squeeze=False)
    for ax, m in zip(axes[:, 0], metrics, strict=True):
        labels = []
        for k, gid in enumerate(cats[m]):
            if k % 2:
                ax.axvspan(k - 0.5, k + 0.5, color="#f0f0f0", lw=0, zorder=0)  # columns told apart
            rows = p[p["group"] == gid].sort_values("value", ascending=False)
            offsets = np.linspace(-0.28, 0.28, len(rows)) if len(rows) > 1 else [0.0]
            for off, (_, r) in zip(offsets, rows.iterrows(), strict=True):
                x, v, c = k + off, r["value"], _app_color(r["entity"])
                if r["open"]:
                    up = r["bound"] == "lower"
                    ax.plot(x, v, "^" if up else "v", ms=10, mfc="white", mec=c, mew=2, zorder=3)
                    ax.annotate(
                        "", (x, v * (1.6 if up else 0.62)), (x, v), arrowprops=dict(arrowstyle="->", color=c, lw=1.5), zorder=3
                    )
                elif r["derived"]:
                    ax.plot(x, v, "D", ms=9, mfc="white", mec=c, mew=2, zorder=3)
                else:
                    ax.plot(x, v, "s" if r["scale"] == "monthly average" else "o", ms=9, color=c, zorder=3)
            first = rows.iloc[0]
            labels.append(
                f"{first['short']}\n{_firm_short(first['vendor_name'])}\n{SCALE_TICK.get(first['scale'], first['scale'])}"
            )
            # a 'days' period's label ('1–11 Feb 2025') and a firm's name wrap to the column's width
        ax.set_xticks(range(len(cats[m])), labels, fontsize=9)
        ax.set_xlim(-0.6, len(cats[m]) - 0.4)
        ax.set_title(sn.metric_names[m], fontsize=12.5)
        ax.set_xlabel("")
        ax.grid(axis="x", visible=False)
    ax0 = axes[0][0]
    ax0.set_yscale("log")
    ax0.yaxis.set_major_formatter(millions())
    ax0.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
    lo, hi = p["value"].min(), p["value"].max()
    ax0.set_ylim(lo / 2, hi * 3)
    for ax in axes[:, 0]:
        ax.set_ylabel("users (millions, log)")
    axes[-1][0].set_xlabel("period · firm · scale (one column each)")
    apps = list(dict.fromkeys(p.sort_values("value", ascending=False)["entity"]))
    handles = [
        plt.Line2D([], [], ls="", marker="o", ms=8, color=_app_color(e), label=plotting.name(sn.names[e])) for e in apps
    ] + [
        plt.Line2D([], [], ls="", marker="o", ms=8, color="#555555", label="a figure for the period"),
        plt.Line2D([], [], ls="", marker="s", ms=8, color="#555555", label="monthly average of the period"),
        plt.Line2D([], [], ls="", marker="^", ms=9, mfc="white", mec="#555555", mew=2, label="lower bound (at least)"),
        plt.Line2D([], [], ls="", marker="D", ms=8, mfc="white", mec="#555555", mew=2, label="derived from a share"),
    ]
    fig.legend(handles=handles, loc="outside right upper", fontsize=9.5, frameon=False)
    fig.suptitle("Earlier snapshots: each firm's list, period and scale apart", fontsize=15, fontweight="bold", x=0.01, ha="left")
    plotting.footnote(
        fig,
        plotting.source_line(sn.source),
        caption="Figure 2. One column per firm, period and scale; a quarter's average is never drawn as one of its "
        "months. Open triangles are lower bounds ('more than'), open diamonds values derived from a share (value ÷ share).",
    )
    return fig


def kimi_rank_history(rh: RankHistory):
    """Figure 3: Kimi's rank on each list, one line per list (the comparability layer's rank history of each)."""
    h = rh.history.copy()
    fig, ax = plt.subplots(figsize=(10, 5.2))
    palette = plt.get_cmap("tab10")
    for i, (_, g) in enumerate(h.groupby("list_key", sort=False)):
        g = g.sort_values("period_mid")
        lab = f"{g['vendor_name'].iloc[0]} {g['metric'].iloc[0].replace('_rank', '').upper()}: {_latin(g['scope'].iloc[0])}"
        ax.plot(g["period_mid"], g["value"], "-", color=palette(i), lw=1.6, label=lab, zorder=2)
        for _, r in g.iterrows():
            bound = r["qualifier"] == "<="
            ax.plot(
                r["period_mid"],
                r["value"],
                "^" if bound else "o",
                ms=10,
                color=palette(i),
                mfc="white" if bound else palette(i),
                mew=2,
                zorder=3,
            )
            ax.annotate(
                ("top " if bound else "#") + f"{int(r['value'])}",
                (r["period_mid"], r["value"]),
                xytext=(10, -10) if bound else (10, 10),  # a bound's label below its marker, a rank's above
                textcoords="offset points",
                fontsize=10.5,
                va="top" if bound else "bottom",
                bbox=LABEL_BOX,
                zorder=4,
            )
    ax.set_ylim(h["value"].max() + 1.5, -2.5)  # room above rank 1 for the event labels
    ax.yaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.set_yticks([t for t in ax.get_yticks() if t >= 1])
    ax.set_ylabel("Kimi's rank (1 = top)")
    ax.set_xlabel("period (midpoint)")
    best_r, last_r = h.loc[cast(Any, h["value"].idxmin())], h.iloc[-1]
    ax.set_title(
        f"Kimi's rank, each list apart: best {best_r['rank_text']} ({best_r['period']}), "
        f"latest {last_r['rank_text']} ({last_r['period']})",
        fontsize=13.5,
    )
    ax.legend(loc="lower left", fontsize=9)
    plotting.annotate_events(ax, rh.events, max_labels=5, fontsize=9)
    plotting.footnote(
        fig,
        plotting.source_line(rh.source),
        caption="Figure 3. Lists differ in scope (domestic vs global, AI-native apps); only rows of one list are joined.",
    )
    return fig


def ad_spend(sp: AdSpend):
    """Figure 4: ad spend per month over the period each figure covers."""
    prim, undated = sp.drawn, sp.undated[sp.undated["per_month"].notna()]
    undated_handles = []
    labels = []
    fig, ax = plt.subplots(figsize=(11, 6.2))
    for _, r in prim.iterrows():
        x0, x1 = r["period_start"], r["period_end"] + pd.Timedelta(days=1)
        color = _app_color(r["entity"])
        susp = "suspicious" in r["flag_list"]
        ax.plot(
            [x0, x1],
            [r["per_month"]] * 2,
            color=color,
            lw=4 if not r["lower_bound"] else 2.5,
            ls="--" if r["lower_bound"] else "-",
            solid_capstyle="butt",
            path_effects=None,
        )
        if susp:
            ax.plot([x0, x1], [r["per_month"]] * 2, color="#d62728", lw=8, alpha=0.35, solid_capstyle="butt")
        if r["lower_bound"]:
            ax.annotate(
                "",
                (x0 + (x1 - x0) / 2, r["per_month"] * 1.6),
                (x0 + (x1 - x0) / 2, r["per_month"]),
                arrowprops=dict(arrowstyle="->", color=color),
            )
        tag = " (suspicious)" if susp else " (≥)" if r["lower_bound"] else ""
        # a label goes below its line when a higher figure covers the same period; beside a higher figure of the
        # same app a month or so away (Kimi's October and November) it moves right, clear of that one's label
        mid = r["period_start"] + (r["period_end"] - r["period_start"]) / 2
        mids = prim["period_start"] + (prim["period_end"] - prim["period_start"]) / 2
        same_period = (prim["period_start"] == r["period_start"]) & (prim["period_end"] == r["period_end"])
        below = (prim.loc[same_period, "per_month"] > r["per_month"]).any()
        beside = prim[~same_period & (prim["entity"] == r["entity"]) & ((mids - mid).abs() <= pd.Timedelta(days=45))]
        shift = bool((beside["per_month"] > r["per_month"]).any())
        labels.append(
            ax.annotate(
                format_en(r["per_month"], "CNY") + tag,
                (x0 + (x1 - x0) / 2, r["per_month"]),
                xytext=(14 if shift else 0, -14 if below else 6),
                textcoords="offset points",
                ha="left" if shift else "center",
                fontsize=9,
                color=color,
                bbox=LABEL_BOX,
                zorder=4,
            )
        )
    for _, r in undated.sort_values("per_month", ascending=False).iterrows():
        color = _app_color(r["entity"])
        ax.axhline(r["per_month"], color=color, ls=":", lw=1.5)
        what = (
            "budget"
            if r["metric"] == "ad_spend_monthly"
            else f"{int(r['duration_days'])}-day figure"
            if not pd.isna(r["duration_days"])
            else "figure"
        )
        undated_handles.append(
            plt.Line2D(
                [],
                [],
                color=color,
                ls=":",
                lw=1.5,
                label=f"{plotting.name(sp.names[r['entity']])} {what}, undated: {format_en(r['per_month'], 'CNY')}/mo"
                + (" (conflicting)" if "conflict" in r["flag_list"] else ""),
            )
        )
    top = max(prim["per_month"].max(), undated["per_month"].max() if len(undated) else 0)
    ax.set_ylim(prim["per_month"].min() / 2, top * 40)  # the top rows hold the event labels
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"CNY {v / 1e6:,.0f}m" if v >= 1e6 else f"CNY {v / 1e6:.1f}m"))
    ax.set_ylabel("advertising spend per month (CNY, log scale)")
    ax.set_xlabel("period covered by the figure")
    ax.set_title("Advertising per month: Kimi's monthly peak against rivals' quarters")
    ax.legend(
        handles=[Patch(color=_app_color(e), label=plotting.name(sp.names[e])) for e in prim["entity"].unique()]
        + [
            plt.Line2D([], [], color="#444444", ls="--", label="lower bound (≥)"),
            plt.Line2D([], [], color="#d62728", lw=8, alpha=0.35, label="flagged suspicious"),
            *undated_handles,
        ],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.14),
        ncol=3,
        fontsize=9,
        frameon=False,
    )
    plotting.footnote(
        fig,
        plotting.source_line(sp.source),
        caption=f"Figure 4. Quarterly totals ÷ 3; figures for a stated number of days ÷ (days / {DAYS_PER_MONTH:.2f}). "
        "Figures that conflict with another for the same spend are listed with their notes above the chart.",
    )
    plotting.annotate_events(ax, sp.events, max_labels=5, fontsize=9)
    _declutter(ax, labels, [t for t in ax.texts if t not in labels])
    return fig


def capability_matrix_chart(c: Capabilities):
    """Figure 5: the capability matrix, one cell per company and capability, its facts summarised to be read at
    presentation size (the table above the chart has every fact with its article ids)."""
    camp_list, short = c.camps, c.chart_cells
    codes = c.status.apply(lambda col: col.map({"has": 2, "lacks": 0, "not stated": 1}))
    colors = {2: "#c7e9c0", 1: "#f2f2f2", 0: "#fcbba1"}
    fig, ax = plt.subplots(figsize=(11, 0.62 * len(camp_list) + 2.2))
    for i, camp in enumerate(camp_list):
        for j, d in enumerate(CAP_DIMENSIONS):
            ax.add_patch(plt.Rectangle((j, i), 1, 1, facecolor=colors[codes.loc[camp, d]], edgecolor="white", lw=2))
            ax.text(j + 0.5, i + 0.5, cast(str, short.loc[camp, d]), ha="center", va="center", fontsize=9, linespacing=1.1)
    ax.set_xlim(0, len(CAP_DIMENSIONS))
    ax.set_ylim(len(camp_list), 0)
    apps_of = {camp: ", ".join(plotting.name(a) for a in c.apps_by_camp[camp]) for camp in camp_list}
    ax.set_yticks(
        np.arange(len(camp_list)) + 0.5,
        [c.camp_names[camp] + (f"\n({textwrap.shorten(apps_of[camp], 22)})" if apps_of[camp] else "") for camp in camp_list],
        fontsize=10,
    )
    ax.set_xticks(np.arange(len(CAP_DIMENSIONS)) + 0.5, [d.replace(" ", "\n") for d in CAP_DIMENSIONS], fontsize=10)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    ax.grid(False)
    ax.set_ylabel("company (apps)")
    ax.set_title("Who has what, according to the articles")
    ax.legend(
        handles=[
            Patch(color=colors[2], label="has (a source says so)"),
            Patch(color=colors[0], label="lacks (a source says none)"),
            Patch(color=colors[1], label="not stated (silence is not evidence)"),
        ],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.02),
        ncol=3,
        fontsize=9.5,
        frameon=False,
    )
    plotting.footnote(
        fig,
        c.source.sources(plotting.current_lang()),
        caption=f"Figure 5. * = reasoning model; … = more in the table above, which gives every fact with its article "
        f"ids. † = characters ÷ {c.chars_per_token} characters per token (assumption).",
    )
    return fig


def context_windows(w: ContextWindows):
    """Figure 6: context windows over time."""
    cw, dated = w.rows, w.dated
    fig, ax = plt.subplots(figsize=(10.5, 5.4))
    for ent, g in dated[dated["entity"] != "industry"].groupby("entity", sort=False):
        ent = cast(str, ent)
        g = g.sort_values("period_start")
        # the most precise date of each value (a month beats a year)
        g = (
            g.assign(span=(g["period_end"] - g["period_start"]).dt.days)
            .sort_values("span")
            .drop_duplicates("base_value")
            .sort_values("period_start")
        )
        camp = g["camp"].iloc[0]
        color = plotting.ENTITY_COLORS.get(ent, {"minimax": "#17becf", "alibaba": "#e31a1c"}.get(camp, "#888888"))
        conv = bool(g["converted"].iloc[0])
        ax.plot(
            g["period_mid"],
            g["tokens_equiv"],
            "-o",
            color=color,
            ms=10,
            mfc="white" if conv else color,
            mew=2,
            label=plotting.name(w.names[ent]) + (" († converted)" if conv else ""),
        )
        for _, r in g.iterrows():
            txt = format_en(r["base_value"], r["dimension"]) + (f"\n≈ {format_en(r['tokens_equiv'], 'tokens')}†" if conv else "")
            ax.annotate(
                txt,
                (r["period_mid"], r["tokens_equiv"]),
                xytext=(8, -4),
                textcoords="offset points",
                fontsize=9.5,
                va="top",
                bbox=LABEL_BOX,
                zorder=4,
            )
    ind = dated[dated["entity"] == "industry"]
    for _, r in ind.iterrows():
        lo_, hi_ = r["tokens_equiv"], r["tokens_equiv_high"] if not np.isnan(r["tokens_equiv_high"]) else r["tokens_equiv"]
        if r["converted"]:
            ax.fill_between([r["period_start"], r["period_end"]], lo_, hi_, color="#999999", alpha=0.3, lw=0)
            ax.text(
                r["period_start"],
                hi_ * 1.3,
                f"industry at the time: {format_en(r['base_value'], 'characters', r['qualifier'], r['base_value_high'])}†",
                fontsize=9,
                color="#555555",
                bbox=LABEL_BOX,
                zorder=4,
            )
        else:
            ax.plot([r["period_start"], r["period_end"]], [lo_, lo_], color="#555555", lw=3, alpha=0.6)
            ax.text(
                r["period_start"] + (r["period_end"] - r["period_start"]) / 2,
                lo_ * 1.15,
                f"mainstream standard:\n{format_en(r['base_value'], 'tokens')} ({r['period']})",
                fontsize=9,
                color="#555555",
                ha="center",
                va="bottom",
                bbox=LABEL_BOX,
                zorder=4,
            )
    ax.set_yscale("log")
    ax.set_ylim(cw["tokens_equiv"].min() * 0.4, cw["tokens_equiv"].max() * 12)  # the top rows hold the event labels
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_en(v, "tokens")))
    ax.set_ylabel("context window (tokens; log scale)")
    ax.set_xlabel("date stated (period midpoint)")
    ax.set_title(
        "Kimi's long-context lead: first by far, then overtaken"
        if w.overtaken_by
        else "Kimi's long-context windows against its rivals'"
    )
    ax.legend(loc="lower right", fontsize=9.5)
    ax.set_xlim(dated["period_start"].min() - pd.Timedelta(days=30), dated["period_end"].max() + pd.Timedelta(days=150))
    plotting.annotate_events(ax, w.events, end=dated["period_end"].max(), max_labels=6, fontsize=9)
    plotting.footnote(
        fig,
        w.source.sources(plotting.current_lang()),
        caption=f"Figure 6. † characters ÷ {w.chars_per_token} characters per token (an assumption).",
    )
    return fig


def release_cadence(rc: ReleaseCadence):
    """Figure 7: model launches named in the articles."""
    la, order = rc.launches, rc.order
    fig, ax = plt.subplots(figsize=(10.5, 0.7 * len(order) + 2.4))
    for i, c in enumerate(order):
        g = la[la["camp"] == c]
        color = {
            "moonshot": plotting.ENTITY_COLORS["kimi"],
            "bytedance": plotting.ENTITY_COLORS["doubao"],
            "deepseek_co": plotting.ENTITY_COLORS["deepseek"],
            "alibaba": plotting.ENTITY_COLORS["qwen"],
            "tencent": plotting.ENTITY_COLORS["yuanbao"],
        }.get(c, "#17becf")
        ax.plot(g["date"], [i] * len(g), color=color, lw=0.8, alpha=0.5)
        for k, (_, r) in enumerate(g.iterrows()):
            ax.plot(r["date"], i, "*" if r["reasoning"] else "o", ms=16 if r["reasoning"] else 9, color=color)
            ax.annotate(
                r["chart"].rsplit(" ", 1)[0],
                (r["date"], i),
                xytext=(0, 11 if k % 2 == 0 else -17),
                textcoords="offset points",
                ha="center",
                fontsize=9,
                bbox=LABEL_BOX,
                zorder=4,
            )
    ax.set_yticks(range(len(order)), [rc.camp_names[c] for c in order])
    ax.set_ylim(len(order) - 0.4, -0.9)
    ax.set_xlabel("launch date (month precision where the article gives only the month)")
    ax.set_ylabel("company")
    ax.set_title("Model launches named in the articles (★ = reasoning model)")
    plotting.annotate_events(ax, rc.events, max_labels=4, fontsize=9)
    plotting.footnote(
        fig,
        rc.source.sources(plotting.current_lang()),
        caption="Figure 7. Dates read from version names (0324, 0528) are marked date_inferred in data/events.csv.",
    )
    return fig


def backing(b: Backing):
    """Figure 8: big-tech-backed vs independent apps."""
    quarter, spend_b, table, users_b = b.quarter, b.spend, b.table, b.users
    # users of the ranking's period are set beside the spend only when both cover the same quarter (b.show_users)
    show_users = b.show_users
    fig, axes = plt.subplots(1, int(show_users) + int(spend_b is not None), figsize=(11, 4.8), squeeze=False)
    if show_users:
        ax = axes[0][0]
        order_b = list(users_b.index)
        for i, bk in enumerate(order_b):
            left = 0.0
            for e, r in table[(table["backing"] == bk) & table["value"].notna()].sort_values("value", ascending=False).iterrows():
                ax.barh(i, r["value"], left=left, color=plotting.ENTITY_COLORS.get(e, "#888888"), edgecolor="white", height=0.6)
                if r["value"] > users_b["users"].max() * 0.15:
                    ax.text(
                        left + r["value"] / 2, i, plotting.name(b.names[e]), ha="center", va="center", fontsize=9.5, color="white"
                    )
                else:
                    ax.text(
                        left + r["value"] / 2,
                        i + 0.32,
                        plotting.name(b.names[e]),
                        ha="center",
                        va="bottom",
                        fontsize=9,
                        color=plotting.ENTITY_COLORS.get(e, "#555555"),
                        fontweight="bold",
                    )
                left += r["value"]
            ax.text(left, i, f" {format_en(left, 'count')}", va="center", fontsize=10.5)
            ub_row = users_b.loc[bk]
            if ub_row["n_unvalued"]:
                ax.text(
                    left,
                    i - 0.2,
                    f" + {ub_row['apps_without_value']} (ranked, no value)",
                    va="center",
                    fontsize=9,
                    style="italic",
                    color="#555555",
                )
        ax.set_yticks(range(len(order_b)), [bk.replace("_", " ") for bk in order_b])
        ax.set_xlim(0, users_b["users"].max() * 1.45)
        ax.xaxis.set_major_formatter(millions())
        ax.set_xlabel(f"{b.metric_name.lower()} (users, millions)")
        ax.set_ylabel("backing")
        ax.set_title(f"Users, {b.period}", fontsize=12.5)
    if spend_b is not None:
        ax = axes[0][-1]
        qq = b.quarter_rows
        for i, bk in enumerate(spend_b.index):
            left = 0.0
            for k, (_, r) in enumerate(qq[qq["backing"] == bk].sort_values("per_month", ascending=False).iterrows()):
                ax.barh(
                    i,
                    r["per_month"],
                    left=left,
                    color=plotting.ENTITY_COLORS.get(r["entity"], "#888888"),
                    edgecolor="white",
                    height=0.6,
                )
                if r["per_month"] > spend_b["per_month"].max() * 0.2:
                    ax.text(
                        left + r["per_month"] / 2,
                        i,
                        plotting.name(b.names[r["entity"]]),
                        ha="center",
                        va="center",
                        fontsize=9,
                        color="white",
                    )
                else:
                    ax.text(
                        left + r["per_month"] / 2,
                        i + 0.32 + 0.14 * (k % 2),
                        plotting.name(b.names[r["entity"]]),
                        ha="center",
                        va="bottom",
                        fontsize=9,
                        color=plotting.ENTITY_COLORS.get(r["entity"], "#555555"),
                        fontweight="bold",
                    )
                left += r["per_month"]
            ax.text(left, i, f" {format_en(left, 'CNY')}/mo", va="center", fontsize=10.5)
        ax.set_yticks(range(len(spend_b)), [bk.replace("_", " ") for bk in spend_b.index])
        ax.set_xlim(0, spend_b["per_month"].max() * 1.6)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v / 1e6:,.0f}m"))
        ax.set_xlabel("advertising per month (CNY, millions)")
        ax.set_ylabel("backing")
        ax.set_title(f"Ad spend per month, {quarter}", fontsize=12.5)
    ttl = "Big-tech-backed vs independent apps"
    if (
        spend_b is not None
        and {"big_tech", "independent"} <= set(spend_b.index)
        and {"big_tech", "independent"} <= set(users_b.index)
        and show_users
    ):
        spent = cast(float, spend_b.at["independent", "per_month"]) / cast(float, spend_b.at["big_tech", "per_month"])
        users = cast(float, users_b.at["independent", "users"]) / cast(float, users_b.at["big_tech", "users"])
        ttl += f": independents spent {spent:.1f}× as much ({quarter}), have {users:.2f}× the users"
    fig.suptitle(ttl, fontsize=13, fontweight="bold", x=0.01, ha="left")
    caption = "Figure 8. Backing from data/entities.csv." + (
        "" if show_users else f" Users of {b.period} are not set against {quarter} spend (another period)."
    )
    plotting.footnote(fig, plotting.source_line(b.source), caption=caption)
    return fig


def verdict(v: Verdict):
    """Figure 9: Kimi ÷ best rival on each numeric comparison."""
    vt = v.table
    num = vt[vt["kimi_over_best"].notna()].iloc[::-1]
    scol = {"leads": "#2ca02c", "par": "#7f7f7f", "trails": "#d62728", "lacks": "#8c1d1d"}
    fig, ax = plt.subplots(figsize=(11, 0.6 * len(num) + 2))
    ax.barh(range(len(num)), num["kimi_over_best"], color=[scol[s] for s in num["status"]], hatch=None)
    for bar, c in zip(ax.patches, num["current"], strict=True):
        if not c:
            bar.set_hatch("//")
            bar.set_alpha(0.6)
    for i, (_, r) in enumerate(num.iterrows()):
        # right of the bar's end, and right of the 1× line for a bar that ends before it: never across the line
        ax.annotate(
            f"{r['kimi_over_best']:.3g}×" + ("" if r["current"] else " (before)"),
            (max(r["kimi_over_best"], 1.0), i),
            xytext=(5, 0),
            textcoords="offset points",
            va="center",
            fontsize=10,
        )
    ax.axvline(1, color="#333333", lw=1)
    ax.set_xscale("log")
    ax.set_xlim(min(num["kimi_over_best"].min() / 2, 0.5), max(num["kimi_over_best"].max() * 4, 2))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}×"))
    ax.set_yticks(range(len(num)), [textwrap.fill(d, 44) for d in num["dimension"]])
    ax.set_xlabel("Kimi ÷ best rival (log scale; > 1 = Kimi ahead)")
    ax.set_ylabel("comparison")
    ax.set_title("Kimi against the best rival on each measurable comparison")
    ax.legend(
        handles=[Patch(color=scol[s], label=s) for s in ["leads", "trails"]]
        + [Patch(facecolor="white", edgecolor="#555555", hatch="//", label="before (history)")],
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=9,
    )
    plotting.footnote(
        fig,
        "the sections above (data/observations.csv, capabilities.csv, events.csv)",
        caption=f"Figure 9. Context windows use {v.chars_per_token} Chinese characters per token (an assumption). "
        "Hatched bars are history; a label sits right of its bar's end, or of the 1× line for a bar that ends before it.",
    )
    return fig
