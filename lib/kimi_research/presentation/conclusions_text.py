"""Prose of notebook 05, written from the computed grades (no number typed here)."""

from __future__ import annotations

import pandas as pd

from kimi_research.analysis import conclusions as K


def _item(r) -> str:
    share = f"{r['share']:.0%} of scenarios"
    if r["grade_kind"] == "every":
        return f"{r['statement']} ({r['id']})"
    if r["grade_kind"] == "unless":
        return f"{r['statement']}, **unless {r['condition']}** ({share}; {r['id']})"
    return f"{r['statement']} ({r['condition'] or share}; {r['id']})"


def summary_markdown(graded: pd.DataFrame, n_scenarios: int, varied: list[str], n_tasks: int) -> str:
    """The body of 'What this notebook finds': the conclusions grouped by grade."""
    c = K.counts(graded)
    parts = [f"{len(graded)} conclusions of the collection, each tested in "
             f"**{n_scenarios:,} scenarios**: every combination of the readings of {len(varied)} contested inputs "
             f"({', '.join(f'`{v}`' for v in varied)}), ranges sampled ({n_tasks} analysis runs in all).\n"]
    for kind, head in (("every", f"**Holds in every reading ({c['every']}).**"),
                       ("unless", f"**Holds unless one contested input takes a given reading ({c['unless']}).**"),
                       ("not_supported", f"**Not supported by these articles ({c['not_supported']}).**")):
        rows = graded[graded["grade_kind"] == kind]
        if len(rows):
            parts.append(head + "\n\n" + "\n".join(f"* {_item(r)}" for _, r in rows.iterrows()) + "\n")
    return "\n".join(parts)


def headline(r: dict) -> str:
    """One sentence for the title slide and the index, from the results JSON."""
    c = r["grade_counts"]
    return (f"{len(r['conclusions'])} conclusions over {r['n_scenarios']:,} scenarios of the contested evidence: "
            f"{c['every']} hold in every reading, {c['unless']} hold unless one input takes a given reading, "
            f"{c['not_supported']} are not supported by these articles.")


def display_table(graded: pd.DataFrame) -> pd.DataFrame:
    """The graded conclusions for a reader."""
    return pd.DataFrame({
        "conclusion": graded["statement"],
        "holds in": graded["share"].map("{:.0%}".format),
        "input that flips it": graded["flip_input"].fillna("–"),
        "grade": graded["grade"],
        "rests on": graded["obs_ids"].map(lambda ids: ", ".join(ids) if len(ids) else "–"),
        "drawn in": graded["where"],
    }).set_index("conclusion")


def splits_table(graded: pd.DataFrame) -> pd.DataFrame:
    """Per conclusion with a flip input: the share of scenarios in which it holds, per reading of each input."""
    rows = []
    for _, r in graded.iterrows():
        for name, by in (r["share_by_reading"] or {}).items():
            for reading, share in by.items():
                rows.append({"conclusion": r["id"], "input": name, "reading": reading, "holds in": f"{share:.0%}"})
    return pd.DataFrame(rows, columns=["conclusion", "input", "reading", "holds in"])
