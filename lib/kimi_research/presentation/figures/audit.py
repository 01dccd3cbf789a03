"""Charts of notebook 00 (the data audit): how far conflicting figures are apart, how far each claim is off."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import seaborn as sns
from matplotlib.lines import Line2D

from kimi_research.analysis.audit import ClaimsCheck, Conflicts, Coverage
from kimi_research.presentation import format as F
from kimi_research.presentation import plotting


def coverage_by_article(cov: Coverage):
    """Figure 1: observations per source, by kind of metric."""
    kinds = cov.kinds
    fig, ax = plt.subplots(figsize=(10, max(4.6, 0.26 * len(kinds) + 1.8)))
    kinds.plot.barh(stacked=True, ax=ax, colormap="tab20c", width=0.7)
    ax.set_title("Observations per article, by kind of metric")
    ax.set_xlabel("observations (rows in data/observations.csv)")
    ax.set_ylabel("article")
    few = len(kinds) <= 8
    ax.set_yticks(range(len(kinds)), cov.source_labels, fontsize=None if few else 8)
    ax.invert_yaxis()
    ax.legend(title="metric kind", bbox_to_anchor=(1.01, 1), loc="upper left")
    plotting.footnote(
        fig,
        f"data/observations.csv, extracted by hand from {F.evidence_used(cov.evidence)} (texts in data/sources/)",
        caption="Figure 1. Stocks are user counts; flows are spend and visits; ranks are list positions.",
    )
    return fig


def coverage_matrix(cov: Coverage):
    """Figure 2: observations per entity and metric, most-covered first."""
    mat = cov.matrix.rename(index=lambda e: plotting.name(cov.names[e]))
    fig, ax = plt.subplots(figsize=(11, 5.4))
    sns.heatmap(mat, annot=True, fmt="d", cmap="Blues", cbar=False, linewidths=0.5, ax=ax, mask=mat == 0)
    ax.set_title("Observations per entity and metric (most-covered first)")
    ax.set_xlabel("metric (data/metrics.csv)")
    ax.set_ylabel("entity")
    ax.grid(False)
    plt.setp(ax.get_xticklabels(), rotation=40, ha="right", rotation_mode="anchor")
    plotting.footnote(
        fig,
        f"data/observations.csv ({F.evidence_used(cov.evidence)})",
        caption=f"Figure 2. Counts of rows for the {mat.shape[1]} most-covered metrics; blank = no data.",
    )
    return fig


def conflicts(con: Conflicts):
    """Figure 3: each value of a conflict group relative to the group's lowest (log scale), labelled."""
    conf, spread = con.table, con.spread
    plot = conf.merge(spread[["low"]], left_on="conflict_group", right_index=True)
    plot["relative"] = plot["comparable_value"] / plot["low"]
    fig, ax = plt.subplots(figsize=(10, 0.55 * spread.shape[0] + 1.8))
    sns.stripplot(
        data=plot,
        x="relative",
        y="conflict_group",
        hue="source",
        size=10,
        jitter=False,
        ax=ax,
        order=spread.sort_values("high / low").index,
    )
    plot["label"] = plot.apply(plotting.value_label, axis=1)
    # labels of one group take turns above, below and higher above their dots, so two close values never share a line
    labelled = plot.drop_duplicates(["conflict_group", "label"]).sort_values(["conflict_group", "relative"])
    for k, (_, r) in enumerate(labelled.iterrows()):
        turn = labelled["conflict_group"].iloc[:k].eq(r["conflict_group"]).sum() % 3
        dy, va = [(6, "bottom"), (-6, "top"), (17, "bottom")][turn]
        ax.annotate(
            r["label"], (r["relative"], r["conflict_group"]), xytext=(5, dy), textcoords="offset points", fontsize=9, va=va
        )
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}×"))
    ax.xaxis.set_minor_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}×" if v in (1.5, 2, 3, 5) else ""))
    ax.set_title("How far apart the articles are: each value relative to the lowest in its group")
    ax.set_xlabel("value ÷ lowest value in the conflict group (log scale)")
    ax.set_ylabel("conflict group")
    ax.legend(title="article", bbox_to_anchor=(1.01, 1), loc="upper left", fontsize=9)
    ax.set_xlim(0.9, plot["relative"].max() * 1.35)
    ax.set_ylim(len(spread) - 0.4, -0.7)  # head room above the top group's labels
    plotting.footnote(
        fig,
        con.source.sources("en"),
        caption="Figure 3. Values in base units (CNY, USD, users); spend per quarter is compared as its monthly rate.",
    )
    return fig


def claims(cc: ClaimsCheck):
    """Figure 4: the gap between each asserted and recomputed claim, coloured by verdict."""
    verdicts, tolerance = cc.verdicts, cc.tolerance
    colors = {"holds": "#2ca02c", "roughly holds": "#ff7f0e", "fails": "#d62728"}
    order = verdicts.sort_values("gap", ascending=True)
    labels = [
        f"{c}  " + textwrap.shorten(s, 60, placeholder="...") for c, s in zip(order["claim_id"], order["statement"], strict=True)
    ]
    fig, ax = plt.subplots(figsize=(11, 0.45 * len(order) + 1.8))
    y = range(len(order))
    ax.hlines(y, 0, order["gap"] * 100, color=order["verdict"].map(colors), lw=2.5)
    ax.scatter(order["gap"] * 100, y, color=order["verdict"].map(colors), s=70, zorder=3)
    ax.set_yticks(list(y), labels)
    ax.axvline(tolerance * 100, color="#555555", ls="--", lw=1)
    ax.axvline(2 * tolerance * 100, color="#999999", ls=":", lw=1)
    ax.set_title("How far each claim is from its recomputed value")
    ax.set_xlabel("gap between asserted and recomputed value (% of the recomputed value)")
    ax.set_xlim(-0.3, max(order["gap"].max() * 100, 2 * tolerance * 100) * 1.15)
    handles = [Line2D([], [], marker="o", color=c, lw=2.5, label=v) for v, c in colors.items()]
    handles += [
        Line2D([], [], color="#555555", ls="--", label=f"tolerance {tolerance:.0%}"),
        Line2D([], [], color="#999999", ls=":", label="2 × tolerance"),
    ]
    ax.legend(handles=handles, title="verdict", loc="lower right", fontsize=9)
    plotting.footnote(
        fig,
        "data/claims.csv recomputed from data/observations.csv and data/events.csv",
        caption=(
            "Figure 4. Zero gap: the computed value lies inside the asserted one (or satisfies the inequality). "
            "Claims stated flatly ('=') must match within 0.5% (rounding) to hold; approximate ones within the tolerance."
        ),
    )
    return fig
