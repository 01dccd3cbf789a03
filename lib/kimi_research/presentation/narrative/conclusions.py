"""Prose of notebook 05, written from the computed grades (no number typed here).

Each function takes one section of :class:`~kimi_research.analysis.conclusions.ConclusionsAnalysis` (the summary
and the headline take the whole analysis) and returns a string or a table. Grades and their conditions are
stated; a share of scenarios never is (a grid's count is not a probability: see
:mod:`kimi_research.analysis.conclusions`).
"""

from __future__ import annotations

import pandas as pd

from kimi_research.analysis.conclusions import (
    GRADE_ORDER,
    ConclusionsAnalysis,
    ContestedInputs,
    EvidenceComparison,
    Grades,
    ScenarioTable,
    Splits,
)
from kimi_research.presentation import format as F

GRADE_HEADS = {
    "every": "Holds in every reading",
    "unless": "Holds unless one contested input takes a given reading",
    "not_supported": "Not supported by the evidence",
    "not_evaluable": "Not evaluable: no reading can test it",
}
EVIDENCE_NAMES = {"articles": "the five articles", "all": "every source: the articles and the public-report supplement"}


def _n(k: int, one: str, many: str | None = None) -> str:
    return f"{k} {one if k == 1 else (many or one + 's')}"


def _item(g: Grades, c) -> str:
    """One conclusion in a list: its statement, its grade with the condition in words, where it cannot be evaluated."""
    t = g.reader[c.id]
    na = f"; {t.not_evaluable}" if t.not_evaluable else ""
    if c.grade_kind == "every":
        tail = "it reads no contested input: one computation" if not c.inputs_read else f"over the readings of {t.reads}{na}"
        return f"{c.statement} ({tail}; `{c.id}`)"
    if c.grade_kind == "unless":
        return f"{c.statement}, **unless {t.condition}** (`{c.id}`{na})"
    return f"{c.statement} ({t.condition or 'no reading can test it'}{na}; `{c.id}`)"


def _rows(g: Grades, kind: str) -> list:
    return [c for c in g.conclusions if c.grade_kind == kind]


def counts_sentence(g: Grades) -> str:
    c = g.grade_counts
    none = sum(1 for x in g.conclusions if x.grade_kind == "every" and not x.inputs_read)
    parts = [
        f"{c['every']} hold in every reading" + (f" ({none} of them read no contested input)" if none else ""),
        f"{c['unless']} hold unless one input takes a given reading",
        f"{c['not_supported']} are not supported by the evidence",
    ]
    if c.get("not_evaluable"):
        parts.append(f"{c['not_evaluable']} cannot be evaluated")
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]


def headline(an: ConclusionsAnalysis) -> str:
    """One sentence for the title slide and the index."""
    g = an.grades
    return (
        f"{len(g.conclusions)} conclusions graded over the readings of {g.n_inputs} contested inputs "
        f"({EVIDENCE_NAMES[g.evidence].split(':')[0]}): {counts_sentence(g)}."
    )


def summary_markdown(an: ConclusionsAnalysis) -> str:
    """The body of the first slide: counts per grade, the conditions, what the supplement changes."""
    g, ec = an.grades, an.evidence_comparison
    unless = _rows(g, "unless")
    conds = "; ".join(f"**unless {g.reader[c.id].condition}** (`{c.id}`)" for c in unless) or "none"
    partial = [r for r in g.conclusions if r.not_evaluable]
    changed = [cid for cid, e in ec.grades_by_evidence.items() if e.changed]
    other = "all" if g.evidence == "articles" else "articles"
    return (
        f"{len(g.conclusions)} conclusions of the collection, each graded over the combinations of the readings "
        f"it reads, on {EVIDENCE_NAMES[g.evidence]}:\n\n"
        f"* **{g.grade_counts['every']} hold in every reading**: they may be stated plainly;\n"
        f"* **{g.grade_counts['unless']} hold unless one input takes a given reading**: {conds};\n"
        f"* **{g.grade_counts['not_supported']} are not supported by the evidence**;\n"
        + (
            f"* **{g.grade_counts['not_evaluable']} cannot be evaluated** by any reading;\n"
            if g.grade_counts["not_evaluable"]
            else ""
        )
        + f"* {_n(len(partial), 'conclusion')} cannot be evaluated in some readings (graded on the others, and "
        "saying where);\n"
        f"* on {EVIDENCE_NAMES[other].split(':')[0]} instead, "
        + (f"{_n(len(changed), 'grade')} change: {', '.join(f'`{c}`' for c in changed)}." if changed else "no grade changes.")
        + "\n\nNo share of scenarios is quoted: a grid counts each reading once however many sources give it, so a "
        f"share is not a probability. The full list, grade by grade, follows. Evidence used: {F.evidence_used(g.evidence)}."
    )


def scope_markdown(s: ScenarioTable) -> str:
    """Speaker notes of the first slide: which inputs vary, how many analysis runs."""
    return (
        f"The grid has {s.n_scenarios:,} scenarios: every combination of the readings of "
        f"{', '.join(f'`{v}`' for v in s.varied)}, ranges sampled ({s.samples} seeded draws, seed {s.seed}; "
        f"{s.n_tasks} analysis runs in all). Each conclusion is graded over the combinations of the inputs it reads "
        "only, and a range input's threshold is solved, not read off the samples."
    )


def grade_markdown(g: Grades, kind: str) -> str:
    """One grade's conclusions as a list, with its heading."""
    rows = _rows(g, kind)
    items = "\n".join(f"* {_item(g, c)}" for c in rows) if rows else "(none)"
    return f"## {GRADE_HEADS[kind]} ({len(rows)})\n\n{items}\n"


def contested_parts(inputs: ContestedInputs) -> list[pd.DataFrame]:
    """The contested-inputs table in three parts that fit a slide each: the discrete inputs in two halves (an input
    is never split; the first half takes inputs in registry order until it holds half the rows), then the
    ranges. Every row is in exactly one part."""
    table = inputs.table.drop(columns=["question"]).assign(
        input=lambda t: t["input"].map(inputs.words),
        value=lambda t: t["value"].map(lambda v: "–" if v is None or pd.isna(v) else f"{v:,.4g}"),
        parameter=lambda t: t["parameter"].replace("", "–"),
        obs_ids=lambda t: t["obs_ids"].replace("", "–"),
    )
    discrete = table[table["kind"] != "range"]
    sizes = discrete.groupby("input", sort=False).size()
    first: list[str] = []
    for name, n in sizes.items():
        if first and sizes[first].sum() + n / 2 > len(discrete) / 2:
            break
        first.append(str(name))
    out = [discrete[discrete["input"].isin(first)], discrete[~discrete["input"].isin(first)], table[table["kind"] == "range"]]
    return [p.drop(columns=["kind"]).set_index(["input", "reading"]) for p in out]


def part_titles(parts: list[pd.DataFrame]) -> list[str]:
    """A heading per part of :func:`contested_parts`."""
    return [
        "**The inputs with discrete readings** (part 1 of 2)",
        "**The inputs with discrete readings** (part 2 of 2)",
        "**The inputs known only as a range** (sampled between their bounds; thresholds solved)",
    ][: len(parts)]


def queries_table(inputs: ContestedInputs) -> pd.DataFrame:
    """Per input: the question, how its readings are found, and its readings (or bounds)."""
    rows = []
    for name, c in inputs.contested_inputs.items():
        found = ", ".join(r.key for r in c.readings) if c.kind == "discrete" else f"{c.low:g} to {c.high:g}"
        rows.append(
            {
                "input": inputs.words[name],
                "question": c.question,
                "readings found by": c.query.replace("`", "") or "its bounds",
                "readings": found,
            }
        )
    return pd.DataFrame(rows).set_index("input")


def left_out_table(inputs: ContestedInputs) -> pd.DataFrame:
    """Rows a question's query found and did not use as a reading, with the rule (other periods of a metric
    query are left out of the table: they are not about the question)."""
    t = inputs.left_out
    t = t[t["rule"] != "other_period"] if len(t) else t
    if t.empty:
        return pd.DataFrame({"left out": ["none"]})
    return t.assign(input=t["input"].map(inputs.words)).set_index(["input", "obs_id"])


def compute_note(inputs: ContestedInputs) -> str:
    ids = ", ".join(inputs.compute_cost_obs)
    return (
        f"A reading of `cpa` is what a yuan of **advertising** buys. The compute cost of serving a new user, "
        f"**{inputs.compute_cost:g}元**, is added to each reading for the cost per retained user: the middle of the "
        f"all-in cost per user less the CPA the same source gives ({ids}). The all-in figure is never itself a CPA reading."
    )


def display_table(g: Grades, kinds: tuple[str, ...] | None = None, reads_input: bool | None = None) -> pd.DataFrame:
    """The graded conclusions for a reader (those of the grade ``kinds``, or all; those that read a contested input,
    or those that read none, or both): what each reads, its grade, where it cannot be evaluated."""
    rows = [
        c
        for c in g.conclusions
        if (kinds is None or c.grade_kind in kinds) and (reads_input is None or bool(c.inputs_read) == reads_input)
    ]
    if not rows:
        return pd.DataFrame({"conclusion": ["none"]}).set_index("conclusion")
    return pd.DataFrame(
        {
            "conclusion": [c.statement for c in rows],
            "reads": [g.reader[c.id].reads for c in rows],
            "grade": [g.reader[c.id].grade for c in rows],
            "not evaluable": [g.reader[c.id].not_evaluable or "–" for c in rows],
            "rests on": [", ".join(c.obs_ids) or "–" for c in rows],
        }
    ).set_index("conclusion")


def thresholds_table(g: Grades) -> pd.DataFrame:
    """Every solved threshold: the conclusion, the range input, where it flips, on which side it fails, how
    it was solved and the readings of the other inputs."""
    rows = []
    for c in g.conclusions:
        for t in c.thresholds:
            rows.append(
                {
                    "conclusion": c.statement,
                    "input": g.input_words[t.input],
                    "flips at": f"{t.value:.4g}",
                    "fails": t.fails,
                    "solved by": t.method,
                    "with": ", ".join(f"{g.input_words[k]} = {v}" for k, v in t.readings.items()) or "–",
                }
            )
    if not rows:
        return pd.DataFrame({"threshold": ["no conclusion flips inside a range"]})
    return pd.DataFrame(rows).set_index(["conclusion", "input"])


def splits_table(s: Splits) -> pd.DataFrame:
    """Per conclusion and input that moves it: the outcome of each reading (holds, fails, holds in part, not
    evaluable), never a share."""
    if s.table.empty:
        return pd.DataFrame({"outcome by reading": ["no reading moves any conclusion"]})
    return s.table.set_index(["conclusion", "input"])


def evidence_table(ec: EvidenceComparison) -> pd.DataFrame:
    """The conclusions whose grade changes when every source is used: both grades and why (the others keep theirs:
    :func:`evidence_note` says how many)."""
    t = ec.table[ec.table["why it changes"] != "–"]
    return t.set_index("conclusion")


def evidence_note(ec: EvidenceComparison) -> str:
    n = len(ec.grades_by_evidence)
    if not ec.changes:
        return f"None of the {n} grades changes between the five articles and every source."
    return (
        f"{_n(ec.n_changed, 'grade')} of {n} change with the public-report supplement (the table gives both and why); "
        f"the other {n - ec.n_changed} are the same on the five articles and on every source."
    )


__all__ = [
    "GRADE_HEADS",
    "GRADE_ORDER",
    "contested_parts",
    "display_table",
    "evidence_note",
    "evidence_table",
    "grade_markdown",
    "headline",
    "splits_table",
    "summary_markdown",
    "thresholds_table",
]
