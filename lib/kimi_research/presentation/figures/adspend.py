"""Charts of notebook 02 (the ad-spend bubble): each function draws one figure from the analysis."""

from __future__ import annotations

from typing import Any, cast

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import Patch

from kimi_research.analysis.adspend import (
    BUDGET,
    BoughtVsKept,
    Counterfactuals,
    CumulativeCheck,
    ModelledUsers,
    RetainedUserCost,
    RivalSpend,
    SpendPath,
    StockFlowFit,
    UnitEconomics,
)
from kimi_research.data.units import format_en
from kimi_research.presentation import format as F
from kimi_research.presentation import plotting

qm = plotting.VENDOR_COLORS["questmobile"]


def _events(ev: pd.DataFrame) -> pd.DataFrame:
    """Event labels with '$' escaped: matplotlib reads '$500m at $4.3bn' as mathematics ('500mat4.3bn')."""
    return ev.assign(label=ev["label"].str.replace("$", r"\$", regex=False))


def spend_timeline(sp: SpendPath):
    """Figure 1: Kimi's monthly ad spend, data and assumptions."""
    last_data, peak, rows, spend = sp.last_data, sp.peak_monthly_spend_yuan, sp.rows, sp.spend
    twenty, undated_peaks = sp.twenty, sp.undated_peaks
    STYLE: dict[str, dict[str, Any]] = {
        "reported": dict(color=plotting.ENTITY_COLORS["kimi"], edgecolor=plotting.ENTITY_COLORS["kimi"]),
        "lower bound": dict(color="white", edgecolor=plotting.ENTITY_COLORS["kimi"], hatch="///"),
        "interpolated": dict(color="#cab2d6", edgecolor=plotting.ENTITY_COLORS["kimi"], hatch=".."),
        "reconciled": dict(color="#fdd9a0", edgecolor="#b15928", hatch="xx"),
        "assumption": dict(color="#eeeeee", edgecolor="#888888", hatch="..", linestyle="--"),
    }
    x = plotting.month_mid(spend.index)
    fig, ax = plt.subplots(figsize=(11, 5.4))
    for status, st in STYLE.items():
        m = (spend["status"] == status).to_numpy()
        if m.any():
            ax.bar(x[m], spend["spend_yuan"].to_numpy()[m] / 1e6, width=24, linewidth=1.2, label=status, **st)
    lb = spend[spend["status"] == "lower bound"]
    ax.scatter(
        plotting.month_mid(lb.index),
        lb["spend_yuan"] / 1e6,
        marker="^",
        s=70,
        color=plotting.ENTITY_COLORS["kimi"],
        zorder=5,
        label="at least this much",
    )
    for _, r in undated_peaks.iterrows():
        ax.axhline(r["base_value"] / 1e6, color="#b2182b", lw=1, ls="--")
        ax.annotate(
            f"'peak month' {plotting.value_label(r)} ({r['source_id']}, undated; conflict)",
            (x[-1] + pd.Timedelta(days=14), r["base_value"] / 1e6),
            xytext=(0, 2),  # above its line (below it, the lower one met the legend once a sixth entry made it taller)
            textcoords="offset points",
            fontsize=9,
            color="#b2182b",
            ha="right",
            va="bottom",
            bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.9),  # above the event lines it crosses
            zorder=6,
        )
    ax.axvspan(last_data.to_timestamp(how="end"), x[-1] + pd.Timedelta(days=16), color="#f4f4f4", zorder=0)  # type: ignore[arg-type]  # matplotlib's stubs: float only; dates go through its converter
    ax.set_xlim(x[0] - pd.Timedelta(days=20), x[-1] + pd.Timedelta(days=16))  # type: ignore[arg-type]  # matplotlib's stubs: float only; dates go through its converter
    ax.set_ylim(0, peak / 1e6 * 1.7)
    ax.set_title(f"Kimi's monthly ad spend (spend path: {sp.spend_path})")
    ax.set_ylabel("ad spend (CNY million per month)")
    ax.set_xlabel("month")
    plotting.annotate_events(ax, _events(sp.events), max_labels=8, fontsize=8.5)
    h, _ = ax.get_legend_handles_labels()
    ax.legend(
        handles=h + [Patch(facecolor="#f4f4f4", edgecolor="none", label="no spend reported: assumption")],
        loc="lower right",
        bbox_to_anchor=(1, 0.05),
        fontsize=9.5,
        title="month's figure",
        framealpha=0.95,
    )
    plotting.footnote(
        fig,
        plotting.source_line(sp.source),
        caption="Figure 1. CNY 100 million = 1 yi. "
        + (
            "Reconciled: months that took part of the gap to the trackers' cumulative estimate (section 2b). "
            if (spend["status"] == "reconciled").any()
            else ""
        )
        + "Lower bounds for one month: "
        + "; ".join(
            f"{r['period']} ({r['scope']}, {', '.join(r['flag_list'])})"
            for _, r in rows[rows["lower_bound"] & rows["period_months"].eq(1)].iterrows()
        )
        + f". The figure for {int(twenty['duration_days'])} days ({twenty.name}) has no dates and is not placed.",
    )
    return fig


def rivals_spend(rv: RivalSpend):
    """Figure 2: Kimi's spend beside Doubao's and Yuanbao's (log scale)."""
    rivals, kd = rv.rivals, rv.kimi_months
    fig, ax = plt.subplots(figsize=(11, 5.4))
    ax.bar(
        plotting.month_mid(kd.index),
        kd["spend_yuan"] / 1e6,
        width=24,
        color=plotting.ENTITY_COLORS["kimi"],
        alpha=0.85,
        label=f"{plotting.name(rv.names['kimi'])} (month; hatched = lower bound)",
    )
    for patch, status in zip(ax.patches, kd["status"], strict=True):
        if status != "reported":
            patch.set(facecolor="white", hatch="///", edgecolor=plotting.ENTITY_COLORS["kimi"])
    for ent in ["doubao", "yuanbao"]:
        col = plotting.ENTITY_COLORS[ent]
        q = rivals[(rivals["entity"] == ent) & rivals["period_start"].notna()]
        for i, (_, r) in enumerate(q.iterrows()):
            y = r["base_value_per_month"] / 1e6
            sus = "suspicious" in r["flag_list"]
            ax.hlines(
                y,
                r["period_start"],
                r["period_end"],
                color=col,
                lw=3.5,
                ls=":" if sus else "-",
                label=f"{plotting.name(rv.names[ent])} (quarter, per month)" if i == 0 else "_nolegend_",
            )
            ax.scatter(
                r["period_mid"],
                y,
                color=col,
                s=60 if not sus else 140,
                zorder=5,
                edgecolor="#d62728" if sus else col,
                linewidth=2.5 if sus else 1,
            )
            if sus:
                ax.annotate(
                    f"{plotting.value_label(r)}: flagged suspicious\n({r['source_id']}; {r['note'].split(';')[0]})",
                    (r["period_mid"], y),
                    xytext=(-430, 12),
                    textcoords="offset points",
                    fontsize=9,
                    color="#d62728",
                    arrowprops=dict(arrowstyle="->", color="#d62728"),
                )
        u = rivals[(rivals["entity"] == ent) & rivals["period_start"].isna()]
        for _, r in u.iterrows():
            ax.axhline(r["base_value"] / 1e6, color=col, lw=1.2, ls="--")
            ax.annotate(
                f"{plotting.name(rv.names[ent])} budget {plotting.value_label(r)} ({r['source_id']}, undated): "
                "conflicts with AppGrowing",
                (kd.index[0].to_timestamp(), r["base_value"] / 1e6),
                xytext=(0, 4),
                textcoords="offset points",
                fontsize=9,
                color=col,
                bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.9),  # above the bars' edges it crosses
                zorder=6,
            )
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 1 else f"{v:.1f}"))
    ax.set_ylim(1, ax.get_ylim()[1] * 6)
    ax.set_title("Ad spend per month: Kimi against Doubao and Yuanbao")
    ax.set_ylabel("ad spend (CNY million per month, log scale)")
    ax.set_xlabel("month")
    ax.legend(loc="lower right", fontsize=9.5)
    plotting.footnote(
        fig,
        plotting.source_line(rv.source),
        caption="Figure 2. Quarterly spend divided by the quarter's three months. Different apps are never joined into one line.",
    )
    return fig


def unit_economics(ue: UnitEconomics):
    """Figure 3: daily burn and users bought per 100 million CNY."""
    all_in, all_in_param, twenty, cpa_rows = ue.all_in, ue.all_in_cpa_yuan, ue.twenty, ue.cpa_rows
    burn30, burn31 = ue.peak_daily_burn_yuan
    burn_article, burn_hypo_article, burn_hypo = ue.burn_article, ue.burn_hypo_article, ue.hypothetical_daily_burn_yuan
    burn_param, users_per_budget, daily = ue.parameter_daily_burn_yuan, ue.users_per_100m_yuan_by_cpa_row, ue.daily_new_users
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11.5, 4.8), gridspec_kw={"width_ratios": [1.6, 1]})
    bars = [
        ("peak month ÷ 31 days", burn31, burn_article),
        ("peak month ÷ 30 days", burn30, burn_article),
        (f"{format_en(daily, 'count')}/day × {all_in['base_value']:g} CNY", burn_hypo[0], burn_hypo_article),
        (f"{format_en(daily, 'count')}/day × {all_in['base_value_high']:g} CNY", burn_hypo[1], burn_hypo_article),
        (f"parameters: {format_en(daily, 'count')}/day × {all_in_param:g} CNY", burn_param, None),
        (f"{format_en(twenty['base_value'], 'CNY')} in {int(twenty['duration_days'])} days", twenty["base_value_per_day"], None),
    ]
    labels = [b[0] for b in bars]
    a1.barh(labels, [b[1] / 1e6 for b in bars], color=["#6a3d9a"] * 2 + ["#9e9ac8"] * 3 + ["#bcbddc"])
    for i, (_, v, art) in enumerate(bars):
        a1.annotate(
            f"{v / 1e6:.2f}m",
            (max(v, art["base_value"] if art is not None else 0) / 1e6, i),
            xytext=(9, 0),  # clear of the article's diamond drawn at its figure
            textcoords="offset points",
            va="center",
            fontsize=9.5,
        )
        if art is not None:
            a1.scatter(
                art["base_value"] / 1e6,
                i,
                marker="D",
                color="#d62728",
                zorder=5,
                label="the article's figure" if i in (0,) else None,
            )
    a1.invert_yaxis()
    a1.set_xlim(0, burn30 / 1e6 * 1.25)
    a1.set_title("Daily burn")
    a1.set_xlabel("CNY million per day")
    a1.legend(loc="center right", fontsize=9)  # beside the short middle bars, clear of the value labels
    names = [f"CPA {r['base_value']:g} CNY\n({oid})" for oid, r in cpa_rows.iterrows()]
    vals = [users_per_budget[oid] / 1e6 for oid in cpa_rows.index]
    a2.bar(names, vals, color="#6a3d9a")
    for i, v in enumerate(vals):
        a2.text(i, v, f"{v:.2f}m", ha="center", va="bottom", fontsize=10)
    a2.set_title(f"Users bought with {format_en(BUDGET, 'CNY')}")
    a2.set_ylabel("users (million)")
    a2.set_ylim(0, max(vals) * 1.15)
    plotting.footnote(
        fig,
        plotting.source_line(ue.source),
        caption="Figure 3. Bars: recomputed from the rows (the middle group uses the daily_new_users parameter); "
        "red diamonds: what the article says.",
    )
    return fig


def cost_per_retained_user(ue: RetainedUserCost):
    """Figure 4: cost per retained user against retention."""
    churn, cost_retained, curve = ue.model_churn, ue.cost_per_retained_user_yuan, ue.retention_curve
    fig, ax = plt.subplots(figsize=(10, 5))
    for c in curve.columns:
        ax.plot(
            curve.index * 100,
            curve[c],
            lw=2.6 if c == ue.cpa_yuan else 1.6,
            label=f"CPA {c:g} + compute {ue.compute_cost_per_user_yuan:g} CNY ({ue.curve_sources[cast(float, c)]})",
        )
    lo, hi = float(curve.index.min()), float(curve.index.max())
    on_chart = lo <= ue.retention_30d <= hi  # a retention outside the drawn range is stated, never drawn off the axes
    if on_chart:
        ax.scatter([ue.retention_30d * 100], [cost_retained], color="#d62728", zorder=5, s=60)
        ax.annotate(
            f"retention {F.pct(ue.retention_30d)} (hearsay): {cost_retained:,.0f} CNY",
            (ue.retention_30d * 100, cost_retained),
            xytext=(10, 5),
            textcoords="offset points",
            fontsize=10,
            color="#d62728",
            bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.9),  # above the CPA curves it crosses
            zorder=6,
        )
    else:
        ax.text(
            0.99,
            0.98,
            f"retention {F.pct(ue.retention_30d)}: {cost_retained:,.3g} CNY a kept user (off this chart's range)",
            transform=ax.transAxes,
            ha="right",
            va="top",
            fontsize=10,
            color="#d62728",
        )
    ax.axvline((1 - churn) * 100, color="#555555", ls="--", lw=1)
    ax.text(
        (1 - churn) * 100,
        cost_retained if on_chart else float(curve.to_numpy().max()),
        f"model keeps {1 - churn:.0%}  \na month  ",
        fontsize=9.5,
        color="#555555",
        va="top",
        ha="right",
    )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}%"))
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_title("Cost per retained user falls as retention rises")
    ax.set_xlabel("30-day retention (% of new users still active, log scale)")
    ax.set_ylabel("cost per retained user (CNY, log scale)")
    # lower left: the curves fall from top left to bottom right; upper right covered 'model keeps ...' at a low churn
    ax.legend(loc="lower left", fontsize=9.5)
    plotting.footnote(
        fig,
        plotting.source_line(ue.source),
        caption="Figure 4. (CPA + compute cost) ÷ retention. The model's share kept per month is from the "
        "stock-flow fit of section 7.",
    )
    return fig


def bought_vs_kept(bk: BoughtVsKept):
    """Figure 5: users the peak spend bought against the MAU measured after it."""
    after, bought, kept, mau_after = bk.after, bk.users_bought_peak_window, bk.users_kept_30d_peak_window, bk.mau_after_peak
    window, window_spend = bk.window, bk.window_spend
    bv = [(f"bought at {r['cpa_yuan']:g} CNY ({oid})", r["users"], "#9e9ac8") for oid, r in bk.by_reading.iterrows()]
    if not bk.cpa_in_rows:
        bv.append((f"bought at {bk.cpa_text} (parameter)", bought, "#9e9ac8"))
    bv += [
        (f"kept after 30 days at {F.pct(bk.retention_30d)}\n(hearsay), {bk.cpa_text}", kept, "#d9d9d9"),
        (
            f"QuestMobile MAU {pd.Period(after['period_start'], freq='M').strftime('%b %Y')} ({after.name})",
            mau_after,
            plotting.VENDOR_COLORS["questmobile"],
        ),
    ]
    fig, ax = plt.subplots(figsize=(10, 4.8))
    ax.barh([b[0] for b in bv], [b[1] / 1e6 for b in bv], color=[b[2] for b in bv])
    for i, b in enumerate(bv):
        ax.text(b[1] / 1e6, i, f" {b[1] / 1e6:.1f}m", va="center", fontsize=10)
    ax.invert_yaxis()
    ax.set_xlim(0, max(b[1] for b in bv) / 1e6 * 1.18)
    ax.set_title(
        f"{window[0].strftime('%b')}–{window[-1].strftime('%b %Y')} spend of CNY {window_spend / 1e6:,.0f}m: "
        "users bought vs users measured"
    )
    ax.set_xlabel("users (million)")
    plotting.footnote(
        fig,
        plotting.source_line(bk.source),
        caption="Figure 5. Bought = spend ÷ CPA. The MAU is everyone active in the month, bought or not.",
    )
    return fig


def stock_flow_fit(f: ModelledUsers):
    """Figure 6: the stock-flow model of bought users against QuestMobile's MAU."""
    churn, ci, last_data, others = f.churn, f.churn_ci, f.last_data, f.others
    targets, users, users_ci = f.targets, f.users, f.users_ci
    fig, ax = plt.subplots(figsize=(11, 5.4))
    xm = plotting.month_mid(users.index)
    ax.bar(
        xm,
        f.bought_per_month / 1e6,
        width=24,
        color="#dadaeb",
        label=f"users bought that month (spend ÷ {f.cpa_text})",
    )
    if ci and users_ci:
        lo_u, hi_u = users_ci
        ax.fill_between(
            xm,
            lo_u / 1e6,
            hi_u / 1e6,
            color=plotting.ENTITY_COLORS["kimi"],
            alpha=0.15,
            label=f"churn {ci[0]:.0%}–{ci[1]:.0%} ({f.level:.0%} interval)",
        )
    ax.plot(
        xm,
        users / 1e6,
        color=plotting.ENTITY_COLORS["kimi"],
        lw=2.4,
        label=f"model: bought users still active (churn {churn:.1%})",
    )
    qm = plotting.VENDOR_COLORS["questmobile"]
    for i, (_, r) in enumerate(targets.iterrows()):
        y = r["base_value"] / 1e6
        style: dict[str, Any] = (
            dict(color=qm, s=70, zorder=6) if r["used"] else dict(facecolor="none", edgecolor=qm, s=70, zorder=6)
        )
        if r["n_months"] > 1:
            ax.hlines(y, r["period_start"], r["period_end"], color=qm, lw=3)
        ax.scatter(r["period_mid"], y, label="QuestMobile MAU (fitted; quarters as bars)" if i == 0 else None, **style)
    for oid, r in others.iterrows():
        ax.scatter(
            r["period_mid"],
            r["base_value"] / 1e6,
            marker="s",
            facecolor="none",
            edgecolor=plotting.VENDOR_COLORS.get(r["vendor"] if isinstance(r["vendor"], str) else "", "#555555"),
            s=70,
            zorder=6,
        )
        ax.annotate(
            f"{plotting.value_label(r)} ({r['who']}, {oid}): not fitted",
            (r["period_mid"], r["base_value"] / 1e6),
            xytext=(8, -4),
            textcoords="offset points",
            fontsize=9,
            color="#555555",
            bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85),
            zorder=7,
        )
    ax.axvspan(last_data.to_timestamp(how="end"), xm[-1] + pd.Timedelta(days=16), color="#f4f4f4", zorder=0)  # type: ignore[arg-type]  # matplotlib's stubs: float only; dates go through its converter
    ax.set_xlim(xm[0] - pd.Timedelta(days=20), xm[-1] + pd.Timedelta(days=16))  # type: ignore[arg-type]  # matplotlib's stubs: float only; dates go through its converter
    ax.set_ylim(0, ax.get_ylim()[1] * 1.15)
    ax.set_title(f"Bought users under the '{f.spend_path}' spend path vs measured MAU")
    ax.set_ylabel("users (million)")
    ax.set_xlabel("month")
    plotting.annotate_events(ax, _events(f.events), max_labels=8, fontsize=8.5)
    h, _ = ax.get_legend_handles_labels()
    ax.legend(
        handles=h + [Patch(facecolor="#f4f4f4", edgecolor="none", label="no spend reported: assumption")],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.17),
        ncol=3,
        fontsize=9,
    )
    plotting.footnote(
        fig,
        plotting.source_line(f.source),
        caption="Figure 6. Hollow circle: a monthly figure counted once with its quarter; squares: other vendors "
        "or no firm named, not fitted.",
    )
    return fig


def fit_diagnostics(f: StockFlowFit):
    """Figure 7: fit quality by churn, and the residuals."""
    churn, fit, targets = f.fitted_monthly_churn, f.fit, f.targets
    ci = fit.ci_profile
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11.5, 4.6), gridspec_kw={"width_ratios": [1.3, 1]})
    prof = fit.profile[fit.profile["churn"] <= min(0.9, max(0.6, churn * 2.5))]
    a1.plot(prof["churn"] * 100, prof["sse"], color=plotting.ENTITY_COLORS["kimi"], lw=2)
    if ci:
        a1.axvspan(
            ci[0] * 100, ci[1] * 100, color=plotting.ENTITY_COLORS["kimi"], alpha=0.12, label=f"{fit.level:.0%} profile interval"
        )
    a1.axvline(churn * 100, color="#333333", ls="--", lw=1, label=f"{'fitted' if fit.fitted else 'given'}: {churn:.1%}")
    a1.set_title("Fit quality by churn")
    a1.set_xlabel("monthly churn (%)")
    a1.set_ylim(0, None)
    a1.set_ylabel("sum of squared log errors")
    a1.legend(fontsize=9.5)
    lab = [f"{targets.at[oid, 'period']!s}\n({oid})" for oid in fit.table.index]
    a2.bar(lab, fit.table["relative_error"] * 100, color=["#d62728" if v > 0 else "#1f77b4" for v in fit.table["relative_error"]])
    for i, v in enumerate(fit.table["relative_error"]):
        a2.text(i, v * 100, f"{v:+.0%}", ha="center", va="bottom" if v > 0 else "top", fontsize=10)
    a2.axhline(0, color="#333333", lw=1)
    a2.set_title("Residuals: model vs QuestMobile")
    a2.set_ylabel("model ÷ observed − 1 (%)")
    a2.set_xlabel("MAU period")
    lim = max(20, fit.table["relative_error"].abs().max() * 100 * 1.3)
    a2.set_ylim(-lim, lim)
    plotting.footnote(
        fig,
        plotting.source_line(f.points_source),
        caption=f"Figure 7. {fit.n} points, one parameter: {fit.dof} degrees of freedom. Spend path '{f.spend_path}', "
        f"CPA: {f.cpa_text}.",
    )
    return fig


def counterfactual(c: Counterfactuals):
    """Figure 8: bought users with spend continued or stopped."""
    cf, churn, last_data = c.cf, c.churn, c.last_data
    fig, ax = plt.subplots(figsize=(11, 5.4))
    colors = {"chosen spend path": plotting.ENTITY_COLORS["kimi"], "spend continued": "#2ca02c", "spend stopped": "#d62728"}
    for k, s in cf.items():
        ax.plot(
            plotting.month_mid(s.index),
            s / 1e6,
            lw=2.4 if k != "chosen spend path" else 2.8,
            color=colors[cast(str, k)],
            ls="-" if k != "chosen spend path" else "--",
            label=f"{k}: {format_en(s.iloc[-1], 'count')} in {s.index[-1].strftime('%b %Y')}",
        )
    for i, (_, r) in enumerate(c.used.iterrows()):
        if r["n_months"] > 1:
            ax.hlines(r["base_value"] / 1e6, r["period_start"], r["period_end"], color=qm, lw=3)
        ax.scatter(r["period_mid"], r["base_value"] / 1e6, color=qm, s=70, zorder=6, label="QuestMobile MAU" if i == 0 else None)
    ax.axvspan(last_data.to_timestamp(how="end"), cf.index[-1].to_timestamp(how="end"), color="#f4f4f4", zorder=0)  # type: ignore[arg-type]  # matplotlib's stubs: float only; dates go through its converter
    ax.set_ylim(0, cf.max().max() / 1e6 * 1.3)
    ax.set_title(f"Counterfactual: bought users with spend continued vs stopped (churn {F.pct(churn)})")
    ax.set_ylabel("users (million)")
    ax.set_xlabel("month")
    plotting.annotate_events(ax, _events(c.events), max_labels=8, fontsize=8.5)
    h, _ = ax.get_legend_handles_labels()
    ax.legend(
        handles=h + [Patch(facecolor="#f4f4f4", edgecolor="none", label="after the last reported spend: scenarios")],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.17),  # below the axes: inside, it covered the lines and the event labels
        ncol=2,
        fontsize=9.5,
        framealpha=0.95,
    )
    plotting.footnote(
        fig,
        plotting.source_line(c.source),
        caption=f"Figure 8. 'Continued' = {format_en(c.continued_level, 'CNY')} a month "
        f"({last_data.strftime('%b %Y')}'s level) "
        f"every month, with diminishing returns towards a market of {format_en(c.saturation_users, 'count')} users "
        f"({c.saturation_label or 'saturation_users'}); 'stopped' = zero. CPA: {c.cpa_text}.",
    )
    return fig


def cumulative_check(cc: CumulativeCheck):
    """Figure 9: every spend path summed over the trackers' cumulative-estimate window, against the estimate."""
    x = cc.cumulative_check
    fig, ax = plt.subplots(figsize=(10, 4.6))
    paths = list(x.by_path)
    maybe = [x.by_path[p].path_total for p in paths]
    totals = [t for t in maybe if t is not None]
    if x.window is None or len(totals) < len(maybe):
        ax.text(0.5, 0.5, "No cumulative estimate in the data: nothing to check", ha="center", va="center", fontsize=12)
        ax.set_axis_off()
        plotting.footnote(fig, plotting.source_line(cc.source), caption="Figure 9.")
        return fig
    colors = ["#b15928" if p == "reconciled" else plotting.ENTITY_COLORS["kimi"] if p == x.path else "#9e9ac8" for p in paths]
    ax.barh([p.replace("_", " ") for p in paths], [t / 1e6 for t in totals], color=colors)
    for i, t in enumerate(totals):
        ax.annotate(
            F.cny_en(t),
            (t / 1e6, i),
            xytext=(5, 0),
            textcoords="offset points",
            va="center",
            fontsize=10,
            bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.9),  # above the reference lines
            zorder=6,
        )
    top = max(totals + [x.reported_total or 0.0]) / 1e6
    if x.reported_total is not None:
        ax.axvline(
            x.reported_total / 1e6,
            color="#d62728",
            lw=2,
            label=f"cumulative estimate {F.cny_en(x.reported_total)} ({x.reported_obs})",
        )
    if x.figures_allow is not None:
        ax.axvline(
            x.figures_allow / 1e6, color="#555555", ls="--", lw=1.2, label=f"least the figures allow: {F.cny_en(x.figures_allow)}"
        )
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.25)
    ax.set_title(f"Ad spend over {cc.window_label}, by spend path")
    ax.set_xlabel("CNY million over the window (a month partly inside by its days)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=9.5, frameon=False)
    plotting.footnote(
        fig,
        plotting.source_line(cc.source),
        caption=(
            "Figure 9. The reconciled path (the chosen one) in brown. "
            if x.path == "reconciled"
            else f"Figure 9. The chosen path ('{x.path}') in dark purple, the reconciled path in brown. "
        )
        + (
            "The window is that of a cumulative estimate this evidence leaves out (the supplement's)."
            if x.reported_total is None
            else ""
        ),
    )
    return fig
