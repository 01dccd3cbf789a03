"""The chart of notebook 05: every conclusion, the share of scenarios in which it holds, its grade."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import pandas as pd

from kimi_research.presentation import plotting

GRADE_COLORS = {"every": "#2ca02c", "unless": "#ff7f0e", "not_supported": "#9e9e9e"}
GRADE_LABELS = {
    "every": "holds in every reading",
    "unless": "holds unless one input takes a reading",
    "not_supported": "not supported by these articles",
}
ORDER = {"every": 0, "unless": 1, "not_supported": 2}


def order(graded: pd.DataFrame) -> pd.DataFrame:
    """Strongest grade first, then by share."""
    return (
        graded.assign(_k=graded["grade_kind"].map(ORDER))
        .sort_values(["_k", "share"], ascending=[True, False], kind="stable")
        .drop(columns="_k")
    )


def grades_chart(graded: pd.DataFrame, n_scenarios: int, source: str, wrap: int = 80):
    """Horizontal bars: share of scenarios in which each conclusion holds, coloured by its grade,
    with the grade's condition (the input that flips it) written at the bar's end."""
    g = order(graded)
    fig, ax = plt.subplots(figsize=(14, 0.36 * len(g) + 1.6), layout="constrained")
    y = range(len(g))[::-1]
    ax.barh(list(y), g["share"] * 100, color=[GRADE_COLORS[k] for k in g["grade_kind"]], height=0.7)
    for yi, (_, r) in zip(y, g.iterrows(), strict=True):
        note = {"every": "", "unless": f"unless {r['condition']}", "not_supported": ""}[r["grade_kind"]]
        if r["grade_kind"] == "not_supported":
            note = f"depends on {r['flip_input']}" if isinstance(r["flip_input"], str) else "in no reading"
            note = "in no reading" if r["share"] == 0 else note
        ax.text(
            min(r["share"] * 100, 100) + 1, yi, f"{r['share']:.0%}" + (f"  {note}" if note else ""), va="center", fontsize=9.5
        )
    ax.set_yticks(list(y), ["\n".join(textwrap.wrap(s, wrap)) for s in g["statement"]], fontsize=9)
    ax.set_xlim(0, 160)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel(f"share of the {n_scenarios:,} scenarios in which the conclusion holds (%)")
    ax.set_title("What we conclude, and how sure", loc="left", fontsize=14)
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in GRADE_COLORS.values()]
    ax.legend(handles, GRADE_LABELS.values(), loc="lower right", fontsize=9.5, frameon=False)
    ax.grid(axis="y", visible=False)
    plotting.footnote(fig, source)
    return fig


def grades_deck_chart(graded: pd.DataFrame, n_scenarios: int, source: str, wrap: int = 85):
    """The summary deck's version of :func:`grades_chart`: the conclusions that do not hold in every reading
    (their count and the others' is in the title), in type large enough for a slide."""
    g = order(graded[graded["grade_kind"] != "every"])
    n_every = int((graded["grade_kind"] == "every").sum())
    fig, ax = plt.subplots(figsize=(12, 0.42 * len(g) + 1.5), layout="constrained")
    y = range(len(g))[::-1]
    ax.barh(list(y), g["share"] * 100, color=[GRADE_COLORS[k] for k in g["grade_kind"]], height=0.7)
    for yi, (_, r) in zip(y, g.iterrows(), strict=True):
        if r["grade_kind"] == "unless":
            note = f"unless {r['condition']}"
        elif r["share"] == 0:
            note = "in no reading"
        else:
            note = f"depends on {r['flip_input']}" if isinstance(r["flip_input"], str) else ""
        ax.text(min(r["share"] * 100, 100) + 1, yi, f"{r['share']:.0%}" + (f"  {note}" if note else ""), va="center", fontsize=11)
    ax.set_yticks(list(y), ["\n".join(textwrap.wrap(s, wrap)) for s in g["statement"]], fontsize=11)
    ax.set_xlim(0, 150)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.tick_params(axis="x", labelsize=11)
    ax.set_xlabel(f"share of the {n_scenarios:,} scenarios in which it holds (%)", fontsize=11)
    ax.set_title(f"{len(g)} of {len(graded)} conclusions do not hold in every reading ({n_every} do)", loc="left", fontsize=14)
    kinds = [k for k in GRADE_COLORS if k in set(g["grade_kind"])]
    ax.legend(
        [plt.Rectangle((0, 0), 1, 1, color=GRADE_COLORS[k]) for k in kinds],
        [GRADE_LABELS[k] for k in kinds],
        loc="lower right",
        fontsize=11,
        frameon=False,
    )
    ax.grid(axis="y", visible=False)
    plotting.footnote(fig, source)
    for text in fig.texts:  # the source footnote (plotting.footnote) at 11 pt: read on a slide
        text.set_fontsize(11)
    return fig
