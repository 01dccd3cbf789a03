"""The chart of notebook 05: every conclusion, the contested inputs it reads and its grade.

One row per conclusion, strongest grade first; one column per contested input. A dot marks an input the
conclusion reads (orange: the input its condition names), an empty row one that reads none; the grade and its
condition are written at the right, in the grade's colour (:data:`GRADE_COLORS`). No share of scenarios is
drawn: a grid's count is not a probability.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt

from kimi_research.analysis.conclusions import Grades
from kimi_research.presentation import plotting

GRADE_COLORS = {"every": "#2ca02c", "unless": "#e07b00", "not_supported": "#757575", "not_evaluable": "#9467bd"}
ORDER = {"every": 0, "unless": 1, "not_supported": 2, "not_evaluable": 3}
READ_COLOR, FLIP_COLOR = "#4d4d4d", "#e07b00"


def _ordered(g: Grades, keep=lambda c: True) -> list:
    rows = [c for c in g.conclusions if keep(c)]
    return sorted(rows, key=lambda c: (ORDER[c.grade_kind], len(c.inputs_read)))


def _draw(g: Grades, rows: list, title: str, source: str, fs: float, wrap: int, note_wrap: int, row: float, room: float):
    inputs = g.inputs
    n = len(rows)
    fig, ax = plt.subplots(figsize=(15, row * n + 2.6), layout="constrained")
    for j in range(len(inputs)):
        ax.axvline(j, color="#e6e6e6", lw=0.8, zorder=0)
    for i, c in enumerate(rows):
        y = n - 1 - i
        for x in c.inputs_read:
            j = inputs.index(x)
            flip = c.grade_kind == "unless" and x == c.flip_input
            ax.scatter(j, y, s=90, color=FLIP_COLOR if flip else READ_COLOR, zorder=3)
        note = "\n".join(textwrap.wrap(g.reader[c.id].chart, note_wrap))
        ax.text(len(inputs) - 0.4, y, note, va="center", ha="left", fontsize=fs, color=GRADE_COLORS[c.grade_kind])
    ax.set_yticks(range(n)[::-1], ["\n".join(textwrap.wrap(c.statement, wrap)) for c in rows], fontsize=fs)
    ax.set_xticks(range(len(inputs)), [g.input_words[x] for x in inputs], rotation=40, ha="right", fontsize=fs)
    ax.set_xlim(-0.6, len(inputs) + room)
    ax.set_ylim(-0.7, n - 0.3)
    ax.grid(False)
    ax.set_xlabel("contested input (dot: the conclusion reads it; orange: its condition names it)", fontsize=fs)
    ax.set_title(title, loc="left", fontsize=14)
    plotting.footnote(fig, source)
    return fig


def grades_chart(g: Grades, which: str = "every", wrap: int = 60):
    """The conclusions that read a contested input: the inputs each reads and its grade, strongest first. One chart
    for those that hold in every reading (``which="every"``), one for the rest (``"other"``), so that each is short
    enough to read on a slide; a conclusion that reads no contested input has no dot to draw (the table lists it)."""
    if which not in ("every", "other"):
        raise ValueError(f"which must be 'every' or 'other', got {which!r}")
    rows = _ordered(g, lambda c: bool(c.inputs_read) and (c.grade_kind == "every") == (which == "every"))
    title = (
        f"{len(rows)} conclusions that read a contested input hold in every reading"
        if which == "every"
        else f"{len(rows)} conclusions hold only under a condition, are not supported or cannot be evaluated"
    )
    return _draw(g, rows, title, f"Source: {g.source}.", 11, wrap, 34, 0.55, 4.4)


def grades_deck_chart(g: Grades, wrap: int = 60):
    """The summary deck's version: the conclusions that do not hold in every reading, in type large enough for a
    slide (how many do hold is in the title)."""
    rows = _ordered(g, lambda c: c.grade_kind != "every")
    n_every = sum(c.grade_kind == "every" for c in g.conclusions)
    fig = _draw(
        g,
        rows,
        f"{len(rows)} of {len(g.conclusions)} conclusions do not hold in every reading ({n_every} do)",
        f"Source: {g.source}.",
        11,
        wrap,
        34,
        0.75,
        4.4,
    )
    for text in fig.texts:  # the source footnote (plotting.footnote) at 11 pt: read on a slide
        text.set_fontsize(11)
    return fig
