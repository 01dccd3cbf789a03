"""Charts and the interactive explorer of notebook 03 (the sustainability formula): each chart takes one section of
the analysis and returns a figure; the explorer takes its section and recomputes through it."""

from __future__ import annotations

import math
from typing import cast

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from kimi_research.analysis.sustainability import (
    CashLedger,
    CostBase,
    Explorer,
    ExplorerReading,
    Frontier,
    MonteCarlo,
    PayingUsers,
    RateMap,
)
from kimi_research.presentation import format as F
from kimi_research.presentation import plotting
from kimi_research.presentation.plotting import millions_axis


def fmt_millions(ax, axis: str = "y") -> None:
    """Tick labels in millions ('300m') on a CNY or count axis."""
    millions_axis(ax, axis=axis, suffix="m")


def explorer_html(r: ExplorerReading) -> str:
    """The explorer's read-out for one reading of the rule (see ``Explorer.reading``)."""
    return (
        f"<b>rate {r.rate:.4f}</b> &middot; revenue/cost {r.revenue_cost:.3f} &middot; "
        f"{r.ratio_to_threshold_firm:.1%} of a firm at the alarm line (same revenue/cost) &middot; "
        f"revenue/cost needed to match a break-even firm at the alarm line: {r.revenue_cost_needed:.2f} &middot; "
        f"paying users to break even: {r.paying_users / 1e6:.2f} million ({r.paying_share_of_mau:.1%} of MAU)"
    )


def build_explorer(ex: Explorer):
    """Sliders and a read-out that recomputes the rule (``ex.reading``) on every change (ipywidgets).

    Uses an HTML widget updated by ``observe`` callbacks, not ``ipywidgets.interactive``: the
    latter writes through an Output widget, which can hang papermill/nbclient when no
    frontend is attached (nbclient issue #312, papermill issue #723). Returns the container.
    """
    import ipywidgets as w

    style = {"description_width": "150px"}
    layout = w.Layout(width="560px")
    sliders = {
        "revenue": w.FloatLogSlider(
            value=min(max(ex.paid_revenue_monthly_yuan, 1e4), 1e10),
            base=10,
            min=4,
            max=10,
            step=0.05,
            description="revenue (CNY/month)",
            style=style,
            layout=layout,
        ),
        "cost": w.FloatLogSlider(
            value=min(max(ex.total_cost, 1e6), 1e10),
            base=10,
            min=6,
            max=10,
            step=0.05,
            description="total cost (CNY/month)",
            style=style,
            layout=layout,
        ),
        "share": w.FloatSlider(value=ex.ad_share, min=0, max=1, step=0.01, description="ad share", style=style, layout=layout),
        "alarm": w.FloatSlider(
            value=ex.alarm_threshold, min=0, max=0.95, step=0.01, description="alarm line", style=style, layout=layout
        ),
        "price": w.FloatSlider(
            value=min(max(ex.price_per_paying_user_yuan, 1), 500),
            min=1,
            max=500,
            step=1,
            description="price (CNY/month)",
            style=style,
            layout=layout,
        ),
    }
    out = w.HTML()

    def update(_=None):
        v = {k: s.value for k, s in sliders.items()}
        out.value = explorer_html(ex.reading(v["revenue"], v["cost"], v["share"], v["alarm"], v["price"]))

    for s in sliders.values():
        s.observe(update, names="value")
    update()
    box = w.VBox([*sliders.values(), out])
    box.sliders, box.readout = sliders, out
    return box


def heatmap(m: RateMap):
    """Figure 1: the rule over revenue/cost and ad share."""
    fig, ax = plt.subplots(figsize=(10, 5.4))
    X, Y, Z = m.revenue_cost_axis, m.share_axis, m.rate
    mesh = ax.pcolormesh(X, Y * 100, Z, cmap="viridis", shading="auto", vmin=0, vmax=2)
    cs = ax.contour(X, Y * 100, Z, levels=[0.1, 0.25, 0.5, 0.75, 1.0, 1.5], colors="white", linewidths=1)
    ax.clabel(cs, fmt="rate %.2f", fontsize=9)
    ax.axhline(m.alarm_threshold * 100, color="#d62728", ls="--", lw=1.8, label=f"alarm line ({m.alarm_threshold:.0%})")
    kx = min(m.revenue_cost, 2.0)
    ax.scatter(
        [kx],
        [m.ad_share * 100],
        s=140,
        color="#e377c2",
        edgecolor="black",
        zorder=5,
        label=f"Kimi: share {m.ad_share:.0%}, revenue/cost {m.revenue_cost:.3f} (assumed revenue)",
    )
    ax.scatter(
        [1.0],
        [m.alarm_threshold * 100],
        s=110,
        marker="D",
        color="white",
        edgecolor="black",
        zorder=5,
        label=f"break-even firm at the alarm line (rate {m.alarm_firm_rate:.2f})",
    )
    ax.annotate(
        "Kimi", (kx, m.ad_share * 100), xytext=(12, 8), textcoords="offset points", color="white", fontsize=12, fontweight="bold"
    )
    ax.set_xlim(0, 2)
    ax.set_ylim(0, 100)
    ax.set_title("Sustainable growth rate = (paid revenue ÷ total cost) × (1 − ad share)")
    ax.set_xlabel("paid revenue ÷ total cost (ratio; 1 = revenue covers cost)")
    ax.set_ylabel("ad-spend share of total cost (%)")
    fig.colorbar(mesh, ax=ax, label="sustainable growth rate (no time unit)")
    # below the axes: inside, the legend covered the contour labels ('rate 0.10', 'rate 0.25')
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=9, frameon=False)
    plotting.footnote(
        fig,
        f"Source: rule, alarm line and Kimi's share from {_sources(m.rule_source)}; Kimi's revenue/cost "
        f"uses an illustrative revenue of {F.cny_en(m.paid_revenue_monthly_yuan)} a month (no revenue figure in the articles)",
        caption="Figure 1. White lines join points of equal rate (frontiers).",
    )
    return fig


def _sources(c) -> str:
    """The sources of a citation in the charts' language."""
    return c.sources(plotting.current_lang())


def frontier(f: Frontier):
    """Figure 2: revenue/cost a target rate needs, against the ad share."""
    target = f.target_rate
    fig, ax = plt.subplots(figsize=(10, 5.2))
    for s, needed in f.curves.items():
        ax.plot(
            f.shares * 100,
            needed,
            lw=2,
            label=f"target rate {s:g}" + (" (Monte Carlo target)" if math.isclose(s, target) else ""),
        )
    markers = [
        (f.alarm_threshold, "alarm line", f.frontier_factor_at_threshold, f.need_at_threshold),
        (f.ad_share, "Kimi", f.frontier_factor_at_share, f.need_at_share),
    ]
    for sh, name, factor, need in markers:
        ax.scatter([sh * 100], [need], s=70, color="black", zorder=5)
        ax.annotate(
            f"{name}: {factor:.2f} × {target:.2f} = {need:.2f}",
            (sh * 100, need),
            xytext=(-10, 12),
            textcoords="offset points",
            fontsize=10,
            ha="right",
        )
    if f.revenue_cost > 0:
        ax.axhline(f.revenue_cost, color="#e377c2", ls="--", lw=1.5, label=f"Kimi's assumed revenue/cost ({f.revenue_cost:.3f})")
    ax.axvline(f.alarm_threshold * 100, color="#d62728", ls=":", lw=1)
    ax.set_yscale("log")
    ax.set_title("Revenue/cost needed for a target rate: target ÷ (1 − ad share)")
    ax.set_xlabel("ad-spend share of total cost (%)")
    ax.set_ylabel("paid revenue ÷ total cost needed (ratio, log scale)")
    ax.legend(loc="upper left", fontsize=9.5)
    plotting.footnote(
        fig,
        f"Source: rule from {_sources(f.rule_source)}; revenue/cost uses the illustrative revenue assumption",
        caption=f"Figure 2. Per unit of target rate Kimi needs {f.frontier_factor_at_share:.2f} against "
        f"{f.frontier_factor_at_threshold:.2f} at the alarm line.",
    )
    return fig


#: a white box under a value label, drawn above a reference line that would cross it
_SHIELD = dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.9)


def cost_base(cb: CostBase):
    """Figure 3: the implied cost base against the training cost."""
    train_lo, train_hi = cb.training_low, cb.training_high
    readings = [
        (cb.peak_ad_spend_yuan, cb.peak_ad_spend_obs, cb.peak_firm, cb.implied_non_ad_monthly_cost_yuan),
        (cb.peak_ad_spend_low_yuan, cb.peak_ad_spend_low_obs, cb.peak_low_firm, cb.implied_non_ad_monthly_cost_low_yuan),
    ]
    fig, ax = plt.subplots(figsize=(11, 5.2))
    ylab = []
    for i, (value, oid, firm, n) in enumerate(readings):  # rows 0-1: total = ad + non-ad
        ylab.append(f"total, from peak {F.cny_en(value)}\n({oid}, {firm})")
        ax.barh(i, value, color="#2ca02c", label="advertising (the peak month)" if i == 0 else None)
        ax.barh(
            i,
            n,
            left=value,
            color="#9467bd",
            label=f"not advertising (implied at a {cb.ad_share:.0%} share)" if i == 0 else None,
        )
        ax.text(value + n, i, f"  {F.cny_en(value + n)}", va="center", fontsize=10, bbox=_SHIELD, zorder=6)
    for j, (value, _, _, n) in enumerate(readings):  # rows 2-3: the non-ad part alone, from zero
        ylab.append(f"non-advertising part\n(peak {F.cny_en(value)})")
        ax.barh(2 + j, n, color="#9467bd")
        ax.text(n, 2 + j, f"  {F.cny_en(n)}", va="center", fontsize=10, bbox=_SHIELD, zorder=6)  # over the dotted line
    ylab.append(f"training cost\n({cb.training_obs}, {cb.training_source_id})")
    ax.barh(
        4,
        train_hi - train_lo,
        left=train_lo,
        color="#bbbbbb",
        hatch="//",
        edgecolor="#555555",
        label="training cost, 'several tens of millions' read as a range",
    )
    ax.text(train_hi, 4, f"  {F.cny_en(train_lo)} to {F.cny_en(train_hi)}", va="center", fontsize=10)
    ax.axvline(train_hi, color="#555555", ls=":", lw=1.2)
    fmt_millions(ax, "x")
    ax.set_yticks(range(5), ylab, fontsize=10)
    ax.set_xlim(0, max(value + n for value, _, _, n in readings) * 1.3)
    ax.invert_yaxis()
    ax.set_title("Monthly cost implied by the peak ad spend, against the training cost")
    ax.set_xlabel("CNY per month (millions)")
    ax.legend(loc="lower right", fontsize=9.5)
    plotting.footnote(
        fig,
        plotting.source_line(cb.source) + f"; share {cb.ad_share:.0%} ({cb.share_note})",
        caption="Figure 3. Non-advertising cost = total − ad spend = ad spend × (1 − share) ÷ share.",
    )
    return fig


def paying_users(pu: PayingUsers):
    """Figure 4: paying users needed against the price."""
    mau, price = pu.mau, pu.price_per_paying_user_yuan
    prices = pu.prices
    fig, ax = plt.subplots(figsize=(10, 5))
    ax.plot(
        prices, pu.users_for_total, lw=2.2, color="#6a3d9a", label=f"to cover the total cost ({F.cny_en(pu.total_cost)} a month)"
    )
    if pu.non_ad_cost > 0:
        ax.plot(
            prices,
            pu.users_for_non_ad,
            lw=2,
            ls="--",
            color="#9467bd",
            label=f"to cover the non-advertising cost only ({F.cny_en(pu.non_ad_cost)})",
        )
    ax.axhline(mau, color="#1f77b4", lw=1.5, label=f"Kimi's MAU {F.users_en(mau)} ({pu.mau_obs}, QuestMobile)")
    ax.scatter([price], [pu.paying_users_needed], s=80, color="black", zorder=5)
    ax.annotate(
        f"{F.users_en(pu.paying_users_needed)} payers at CNY {price:g} = {pu.paying_share_of_mau:.1%} of MAU",
        (price, pu.paying_users_needed),
        xytext=(15, 15),
        textcoords="offset points",
        fontsize=10.5,
    )
    ax.set_ylim(0, max(mau * 1.15, min(pu.users_for_total[0], mau * 3)))
    fmt_millions(ax, "y")
    ax.set_title("Paying users needed for paid revenue to equal cost")
    ax.set_xlabel("price per paying user (CNY per month)")
    ax.set_ylabel("paying users needed (millions)")
    ax.legend(loc="upper right", fontsize=9.5)
    plotting.footnote(
        fig,
        plotting.source_line(pu.source) + f"; price CNY {price:g} a month is an assumption",
        caption="Figure 4. Paying users needed = monthly cost ÷ price.",
    )
    return fig


def mc_inputs(mc: MonteCarlo):
    """Figure 5: the Monte Carlo inputs as drawn."""
    sim = mc.sim
    cols = ["paid_revenue", "ad_share", "ad_spend" if mc.cost_is_implied else "total_cost"]
    titles = {
        "paid_revenue": "paid revenue (CNY million / month, log)",
        "ad_share": "ad share (%)",
        "ad_spend": "peak monthly ad spend (CNY million)",
        "total_cost": "total cost (CNY million / month)",
    }
    fig, axes = plt.subplots(1, 3, figsize=(11, 4))
    for ax, c in zip(axes, cols, strict=True):
        v = sim[c] * (100 if c == "ad_share" else 1)
        if c == "paid_revenue" and (v > 0).all():
            ax.hist(v, bins=np.geomspace(v.min(), v.max(), 50), color="#6a3d9a", alpha=0.8)
            ax.set_xscale("log")
        else:
            ax.hist(v, bins=50, color="#6a3d9a", alpha=0.8)
        if c in ("paid_revenue", "ad_spend", "total_cost"):
            fmt_millions(ax, "x")
        ax.set_xlabel(titles[c])
        ax.set_title(c.replace("_", " "), fontsize=12)
    axes[0].set_ylabel("draws")
    fig.suptitle("Monte Carlo inputs", fontweight="bold", x=0.01, ha="left")
    plotting.footnote(
        fig,
        plotting.source_line(mc.inputs_source) + "; spreads are model assumptions",
        caption="Figure 5. Distributions of the uncertain inputs.",
    )
    return fig


def mc_rate(mc: MonteCarlo):
    """Figure 6: the distribution of the rate."""
    s, rate, target = mc.summary, mc.base_rate, mc.target
    fig, ax = plt.subplots(figsize=(10, 4.8))
    r = mc.sim["rate"]
    if (r > 0).all():
        ax.hist(
            r, bins=np.geomspace(r.min(), max(r.max(), target) * 1.05, 80).tolist(), color="#6a3d9a", alpha=0.8, label="draws"
        )
        ax.set_xscale("log")
    else:
        ax.hist(r, bins=80, color="#6a3d9a", alpha=0.8, label="draws")
    ax.axvline(target, color="#d62728", lw=2, label=f"target {target:.2f}: P(rate > target) = {s['p_rate_above_target']:.1%}")
    ax.axvline(rate, color="black", ls="--", lw=1.5, label=f"base case {rate:.4f}")
    ax.axvline(s["rate_p95"], color="#555555", ls=":", lw=1.5, label=f"95th percentile {s['rate_p95']:.4f}")
    ax.set_title("Distribution of Kimi's sustainable growth rate under the uncertain inputs")
    ax.set_xlabel("sustainable growth rate (no time unit" + (", log scale)" if (r > 0).all() else ")"))
    ax.set_ylabel("draws")
    ax.legend(loc="upper left", fontsize=9.5)
    plotting.footnote(
        fig,
        f"Source: model of {_sources(mc.rule_source)} with the inputs of Figure 5",
        caption=f"Figure 6. {mc.samples:,} draws, seed {mc.seed}.",
    )
    return fig


def tornado(mc: MonteCarlo):
    """Figure 7: which unknown moves the rate most."""
    rate = mc.base_rate
    fig, ax = plt.subplots(figsize=(10, 3.8))
    t = mc.tornado.iloc[::-1]
    for i, (_, row) in enumerate(t.iterrows()):
        lo, hi = sorted([row["rate_at_low"], row["rate_at_high"]])
        ax.barh(i, hi - lo, left=lo, color="#6a3d9a", alpha=0.85)
        fmt = (lambda v: f"{v:.0%}") if row["key"] == "ad_share" else F.cny_en
        ax.text(
            hi,
            i,
            f"  {fmt(row['low_value'])} → {row['rate_at_low']:.4f};  {fmt(row['high_value'])} → {row['rate_at_high']:.4f}",
            va="center",
            fontsize=9.5,
        )
    ax.axvline(rate, color="black", ls="--", lw=1.2, label=f"base case {rate:.4f}")
    ax.set_yticks(range(len(t)), t.index)
    ax.set_xlim(0, t[["rate_at_low", "rate_at_high"]].to_numpy().max() * 1.9)
    ax.set_title("Tornado: the rate as each input moves from its 5th to its 95th percentile")
    ax.set_xlabel("sustainable growth rate (no time unit)")
    ax.legend(loc="lower right")
    plotting.footnote(
        fig,
        f"Source: model of {_sources(mc.rule_source)}; input ranges from the Monte Carlo draws",
        caption="Figure 7. Bars span the rate at the two ends of each input's range, the others held at the base case.",
    )
    return fig


def _span(lo: str | None, hi: str | None) -> str:
    lo, hi = lo or "never", hi or "never"
    return lo if lo == hi else f"{lo} to {hi}"


def runway(lg: CashLedger):
    """Figure 8: cash month by month (funding rounds in; 02's spend path plus the non-advertising cost out),
    the articles-only and the all-evidence ledger side by side when both are computed."""
    colors = {"articles": "#6a3d9a", "all": "#1b9e77"}
    fig, ax = plt.subplots(figsize=(11, 5.6))
    ends = []
    for ev, ledger in lg.ledgers.items():
        t = ledger.table
        x = cast(pd.PeriodIndex, t.index).to_timestamp()
        ax.fill_between(x, t["cash_low"] / 1e9, t["cash_high"] / 1e9, color=colors[ev], alpha=0.25, step="post")
        ax.plot(
            x,
            t["cash_low"] / 1e9,
            color=colors[ev],
            lw=2,
            drawstyle="steps-post",
            label=f"{F.evidence_used(ev)}: cash out {_span(*lg.cash_out_text[ev])}",
        )
        for d, c in ((ledger.cash_out_low, t["cash_low"].iloc[-1]), (ledger.cash_out_high, t["cash_high"].iloc[-1])):
            if d is not None:
                ax.plot([x[-1], d], [c / 1e9, 0], color=colors[ev], lw=1.2, ls=":")  # type: ignore[arg-type]  # matplotlib's stubs: float only; dates go through its converter
                ends.append(d)
    ax.axhline(0, color="black", lw=0.8)
    ax.axvline(
        lg.last_article,  # type: ignore[arg-type]  # matplotlib's stubs: float only; dates go through its converter
        color="#555555",
        lw=1,
        ls="-.",
        label=f"latest article ({lg.latest_source}, {lg.last_article:%b %Y})",
    )
    right = max([lg.last_article, *ends]) + pd.DateOffset(months=3)
    ax.set_xlim(min(ledger.table.index[0].to_timestamp() for ledger in lg.ledgers.values()) - pd.DateOffset(months=1), right)  # type: ignore[arg-type]  # matplotlib's stubs: float only; dates go through its converter
    ax.set_ylim(bottom=0)
    ax.set_title("Cash left: funding rounds in, 02's spend path plus the non-advertising cost out")
    ax.set_xlabel("month (dotted: the burn after the last data month, extrapolated)")
    ax.set_ylabel("cash left (CNY bn)")
    ax.legend(loc="upper right", fontsize=9)
    plotting.footnote(
        fig,
        plotting.source_line(lg.source) + f"; rounds from data/events.csv; {lg.usd_cny:g} CNY/USD assumed",
        caption="Figure 8. Band: smaller to larger reading of each round; revenue not counted. Cash-out years, not months: "
        "the burn after the data is an assumption.",
    )
    return fig
