"""Charts of notebook 04 (Kimi against its competitors): each function draws one figure from one section."""

from __future__ import annotations

import textwrap

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


def snapshots(sn: Snapshots):
    """Figure 2: earlier snapshots of the same metric."""
    n = len(sn.views)
    fig, axes = plt.subplots(1, n, figsize=(min(5 * n + 1, 12), 5), squeeze=False)
    for ax, view in zip(axes[0], sn.views, strict=False):
        t, d = view.values, view.derived
        names = [plotting.name(sn.names[e]) for e in t.index] + [f"{plotting.name(sn.names[e])} (derived)" for e in d["entity"]]
        vals = list(t["value"]) + list(d["value"])
        colors = [plotting.ENTITY_COLORS.get(e, "#888888") for e in t.index] + [
            plotting.ENTITY_COLORS.get(e, "#888888") for e in d["entity"]
        ]
        bars = ax.bar(names, vals, color=colors)
        for b, e in zip(bars[len(t) :], d["entity"], strict=True):
            b.set_hatch("//")
            b.set_facecolor("white")
            b.set_edgecolor(plotting.ENTITY_COLORS.get(e, "#888888"))
            b.set_linewidth(1.5)
        for i, v in enumerate(vals):
            ax.text(i, v, format_en(v, "count"), ha="center", va="bottom", fontsize=11)
        for i, (_, dr) in enumerate(d.iterrows()):
            ax.text(
                len(t) + i,
                dr["value"] / 2,
                "derived:\n" + dr["inputs"].replace(", ", " ÷\n"),
                ha="center",
                va="center",
                fontsize=9,
                bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none"),
            )
        ax.yaxis.set_major_formatter(millions())
        ax.set_ylim(0, max(vals) * 1.15)
        ax.set_title(f"{view.metric.upper()}, {view.period} ({view.vendor_name})", fontsize=12.5)
        ax.set_ylabel(f"{view.metric_name.lower()} (users, millions)")
        ax.set_xlabel("app")
    fig.suptitle("Earlier snapshots: the apps the articles compare", fontsize=15, fontweight="bold", x=0.01, ha="left")
    plotting.footnote(
        fig,
        plotting.source_line(sn.source),
        caption="Figure 2. Hatched bars are derived from a share, not measured: value ÷ share.",
    )
    return fig


def kimi_rank_history(rh: RankHistory):
    """Figure 3: Kimi's rank in each vendor's list."""
    h = rh.history.copy()
    h["key"] = (
        h["vendor_name"]
        + " "
        + h["metric"].str.replace("_rank", "").str.upper()
        + " ("
        + h["scope"].fillna("").str.replace("-", " ").map(lambda s: " ".join(sorted(s.lower().split())))
        + ")"
    )
    fig, ax = plt.subplots(figsize=(10, 5.2))
    palette = plt.get_cmap("tab10")
    for i, (_, g) in enumerate(h.groupby("key", sort=False)):
        g = g.sort_values("period_mid")
        lab = f"{g['vendor_name'].iloc[0]} {g['metric'].iloc[0].replace('_rank', '').upper()}: {g['scope'].iloc[0]}"
        ax.plot(g["period_mid"], g["value"], "-", color=palette(i), lw=1.6, label=lab)
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
            )
            ax.annotate(
                ("top " if bound else "#") + f"{int(r['value'])}",
                (r["period_mid"], r["value"]),
                xytext=(9, -12 if bound else 0),
                textcoords="offset points",
                fontsize=10.5,
                va="center",
            )
    ax.set_ylim(h["value"].max() + 1.5, 0.3)
    ax.yaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.set_ylabel("Kimi's rank (1 = top)")
    ax.set_xlabel("period (midpoint)")
    best_r, last_r = h.loc[h["value"].idxmin()], h.iloc[-1]
    ax.set_title(
        f"Kimi's rank, each vendor's list apart: best {best_r['rank_text']} ({best_r['period']}), "
        f"latest {last_r['rank_text']} ({last_r['period']})",
        fontsize=13.5,
    )
    ax.legend(loc="lower left", fontsize=9)
    plotting.annotate_events(ax, rh.events, max_labels=5, fontsize=8)
    plotting.footnote(
        fig,
        plotting.source_line(rh.source),
        caption="Figure 3. Lists differ in scope (domestic vs global, AI-native apps); only rows of one list are joined.",
    )
    return fig


def ad_spend(sp: AdSpend):
    """Figure 4: ad spend per month over the period each figure covers."""
    prim, undated = sp.drawn, sp.undated
    fig, ax = plt.subplots(figsize=(10.5, 5.6))
    for _, r in prim.iterrows():
        x0, x1 = r["period_start"], r["period_end"] + pd.Timedelta(days=1)
        color = plotting.ENTITY_COLORS.get(r["entity"], "#888888")
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
        ax.annotate(
            format_en(r["per_month"], "CNY") + tag,
            (x0 + (x1 - x0) / 2, r["per_month"]),
            xytext=(14 if shift else 0, -14 if below else 6),
            textcoords="offset points",
            ha="left" if shift else "center",
            fontsize=8.5,
            color=color,
        )
    for k, (_, r) in enumerate(undated.sort_values("per_month", ascending=False).iterrows()):
        color = plotting.ENTITY_COLORS.get(r["entity"], "#888888")
        ax.axhline(r["per_month"], color=color, ls=":", lw=1.5)
        what = (
            "budget"
            if r["metric"] == "ad_spend_monthly"
            else f"{int(r['duration_days'])}-day figure"
            if not pd.isna(r["duration_days"])
            else "figure"
        )
        ax.text(
            prim["period_end"].max() + pd.Timedelta(days=1),
            r["per_month"],
            f"{plotting.name(sp.names[r['entity']])} {what}, undated: {format_en(r['per_month'], 'CNY')}/mo"
            + (" (conflicts with AppGrowing)" if "conflict" in r["flag_list"] else ""),
            fontsize=8.5,
            color=color,
            va="bottom" if k % 2 == 0 else "top",
            ha="right",
        )
    ax.set_ylim(prim["per_month"].min() / 2, max(prim["per_month"].max(), undated["per_month"].max() if len(undated) else 0) * 12)
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"CNY {v / 1e6:,.0f}m" if v >= 1e6 else f"CNY {v / 1e6:.1f}m"))
    ax.set_ylabel("advertising spend per month (CNY, log scale)")
    ax.set_xlabel("period covered by the figure")
    ax.set_title("Advertising per month: Kimi's monthly peak against rivals' quarters")
    ax.legend(
        handles=[
            Patch(color=plotting.ENTITY_COLORS.get(e, "#888888"), label=plotting.name(sp.names[e]))
            for e in prim["entity"].unique()
        ]
        + [
            plt.Line2D([], [], color="#444444", ls="--", label="lower bound (≥)"),
            plt.Line2D([], [], color="#d62728", lw=8, alpha=0.35, label="flagged suspicious"),
        ],
        loc="lower right",
        fontsize=9,
        ncol=2,
    )
    plotting.annotate_events(ax, sp.events, max_labels=5, fontsize=8.5)
    plotting.footnote(
        fig,
        plotting.source_line(sp.source),
        caption=f"Figure 4. Quarterly totals ÷ 3; figures for a stated number of days ÷ (days / {DAYS_PER_MONTH:.2f}). "
        "Conflict groups shown: "
        + ", ".join(sorted(set(pd.concat([prim, undated])["conflict_group"].dropna())))
        + " (see the table above).",
    )
    return fig


def capability_matrix_chart(c: Capabilities):
    """Figure 5: the capability matrix."""
    camp_list, short, srcs = c.camps, c.chart_cells, c.cell_sources
    codes = c.status.apply(lambda col: col.map({"has": 2, "lacks": 0, "not stated": 1}))
    colors = {2: "#c7e9c0", 1: "#f2f2f2", 0: "#fcbba1"}
    fig, ax = plt.subplots(figsize=(12.5, 0.95 * len(camp_list) + 1.6))
    for i, camp in enumerate(camp_list):
        for j, d in enumerate(CAP_DIMENSIONS):
            ax.add_patch(plt.Rectangle((j, i), 1, 1, facecolor=colors[codes.loc[camp, d]], edgecolor="white", lw=2))
            txt = "\n".join(textwrap.fill(part, 20) for part in short.loc[camp, d].split("\n"))
            # the cell's text sits in its upper part; the source ids keep the bottom right corner to themselves
            ax.text(
                j + 0.5,
                i + 0.42,
                txt,
                ha="center",
                va="center",
                fontsize=7 if txt.count("\n") > 2 else 7.5 if txt.count("\n") == 2 else 8.5,
            )
            if srcs.loc[camp, d]:
                ax.text(j + 0.97, i + 0.95, srcs.loc[camp, d], ha="right", va="bottom", fontsize=6.5, color="#666666")
    ax.set_xlim(0, len(CAP_DIMENSIONS))
    ax.set_ylim(len(camp_list), 0)
    apps_of = {camp: ", ".join(plotting.name(a) for a in c.apps_by_camp[camp]) for camp in camp_list}
    ax.set_yticks(
        np.arange(len(camp_list)) + 0.5,
        [c.camp_names[camp] + (f"\n({apps_of[camp]})" if apps_of[camp] else "") for camp in camp_list],
    )
    ax.set_xticks(np.arange(len(CAP_DIMENSIONS)) + 0.5, [d.replace(" ", "\n") for d in CAP_DIMENSIONS])
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    ax.grid(False)
    ax.set_xlabel("capability (as the articles describe it)")
    ax.set_ylabel("company (apps)")
    ax.set_title("Who has what, according to the articles", pad=38)
    ax.legend(
        handles=[
            Patch(color=colors[2], label="has (article says so)"),
            Patch(color=colors[0], label="lacks (article says none)"),
            Patch(color=colors[1], label="not stated"),
        ],
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=9,
    )
    plotting.footnote(
        fig,
        c.source.sources(plotting.current_lang()),
        caption=f"Figure 5. * = reasoning model; small grey ids = articles. † = characters ÷ {c.chars_per_token} "
        "characters per token (assumption).",
    )
    return fig


def context_windows(w: ContextWindows):
    """Figure 6: context windows over time."""
    cw, dated = w.rows, w.dated
    fig, ax = plt.subplots(figsize=(10.5, 5.4))
    for ent, g in dated[dated["entity"] != "industry"].groupby("entity", sort=False):
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
                txt, (r["period_mid"], r["tokens_equiv"]), xytext=(8, -4), textcoords="offset points", fontsize=9.5, va="top"
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
            )
    ax.set_yscale("log")
    ax.set_ylim(cw["tokens_equiv"].min() * 0.4, cw["tokens_equiv"].max() * 3)
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
    plotting.annotate_events(ax, w.events, end=dated["period_end"].max(), max_labels=6, fontsize=8)
    plotting.footnote(
        fig,
        w.source.sources(plotting.current_lang()),
        caption=f"Figure 6. † characters ÷ {w.chars_per_token} characters per token (assumption, parameter chars_per_token).",
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
                fontsize=8.5,
            )
    ax.set_yticks(range(len(order)), [rc.camp_names[c] for c in order])
    ax.set_ylim(len(order) - 0.4, -0.9)
    ax.set_xlabel("launch date (month precision where the article gives only the month)")
    ax.set_ylabel("company")
    ax.set_title("Model launches named in the articles (★ = reasoning model)")
    plotting.annotate_events(ax, rc.events, max_labels=4, fontsize=8)
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
                    fontsize=8.5,
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
        ttl += (
            f": independents spent {spend_b.at['independent', 'per_month'] / spend_b.at['big_tech', 'per_month']:.1f}× as much "
            f"({quarter}), have {users_b.at['independent', 'users'] / users_b.at['big_tech', 'users']:.2f}× the users"
        )
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
        ax.text(
            r["kimi_over_best"],
            i,
            f" {r['kimi_over_best']:.3g}×" + ("" if r["current"] else " (before)"),
            va="center",
            fontsize=10,
        )
    ax.axvline(1, color="#333333", lw=1)
    ax.set_xscale("log")
    ax.set_xlim(min(num["kimi_over_best"].min() / 2, 0.5), max(num["kimi_over_best"].max() * 4, 2))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}×"))
    ax.set_yticks(range(len(num)), [textwrap.shorten(d, 48) for d in num["dimension"]])
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
        caption=f"Figure 9. Context windows use chars_per_token = {v.chars_per_token} (assumption).",
    )
    return fig
