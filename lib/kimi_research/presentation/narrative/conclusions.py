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


GRADE_HEADS = {
    "every": "Holds in every reading",
    "unless": "Holds unless one contested input takes a given reading",
    "not_supported": "Not supported by these articles",
}


def short_summary(graded: pd.DataFrame, n_scenarios: int, varied: list[str]) -> str:
    """The body of the first slide: counts per grade, the conditions and the shares of the weaker grades."""
    c = K.counts(graded)
    unless = graded[graded["grade_kind"] == "unless"]
    conds = unless["condition"].value_counts(sort=False)
    cond_text = ", ".join(f"**{k}**" + (f" ({n} conclusions)" if n > 1 else "") for k, n in conds.items())
    ns = graded[graded["grade_kind"] == "not_supported"]
    never = int((ns["share"] == 0).sum())
    some = ns[ns["share"] > 0]["share"]
    ns_text = []
    if never:
        ns_text.append(f"{never} hold in no scenario")
    if len(some):
        ns_text.append(f"{len(some)} hold in {some.min():.0%} to {some.max():.0%} of scenarios, depending on the readings")
    return (
        f"{len(graded)} conclusions of the collection, each tested in **{n_scenarios:,} scenarios** of the "
        f"readings of {len(varied)} contested inputs:\n\n"
        f"* **{c['every']} hold in every reading**: they may be stated plainly;\n"
        f"* **{c['unless']} hold unless one input takes a given reading**: unless {cond_text};\n"
        f"* **{c['not_supported']} are not supported by these articles**: {'; '.join(ns_text)}.\n\n"
        "The full list, grade by grade, follows."
    )


def scope_markdown(n_scenarios: int, varied: list[str], n_tasks: int) -> str:
    """Speaker notes of the first slide: which inputs are varied, how many analysis runs."""
    return (
        f"The {n_scenarios:,} scenarios are every combination of the readings of "
        f"{', '.join(f'`{v}`' for v in varied)}, ranges sampled ({n_tasks} analysis runs in all)."
    )


def grade_markdown(graded: pd.DataFrame, kind: str) -> str:
    """One grade's conclusions as a list, with its heading."""
    rows = graded[graded["grade_kind"] == kind]
    items = "\n".join(f"* {_item(r)}" for _, r in rows.iterrows()) if len(rows) else "(none)"
    return f"## {GRADE_HEADS[kind]} ({len(rows)})\n\n{items}\n"


def contested_parts(table: pd.DataFrame, max_rows: int = 13) -> list[pd.DataFrame]:
    """The contested-inputs table in parts that fit a slide: the discrete inputs in parts of at most
    ``max_rows`` rows (an input is never split), then the ranges. Every row is in exactly one part."""
    parts: list[list[str]] = [[]]
    discrete = table[table["kind"] != "range"]
    for name, n in discrete.groupby("input", sort=False).size().items():
        if parts[-1] and sum(discrete["input"].isin(parts[-1])) + n > max_rows:
            parts.append([])
        parts[-1].append(name)
    out = [discrete[discrete["input"].isin(p)] for p in parts if p]
    ranges = table[table["kind"] == "range"]
    if len(ranges):
        out.append(ranges)
    return [p.set_index(["input", "reading"]) for p in out]


def summary_markdown(graded: pd.DataFrame, n_scenarios: int, varied: list[str], n_tasks: int) -> str:
    """The conclusions grouped by grade, in one text (the report's long form)."""
    c = K.counts(graded)
    parts = [
        f"{len(graded)} conclusions of the collection, each tested in "
        f"**{n_scenarios:,} scenarios**: every combination of the readings of {len(varied)} contested inputs "
        f"({', '.join(f'`{v}`' for v in varied)}), ranges sampled ({n_tasks} analysis runs in all).\n"
    ]
    for kind, head in (
        ("every", f"**Holds in every reading ({c['every']}).**"),
        ("unless", f"**Holds unless one contested input takes a given reading ({c['unless']}).**"),
        ("not_supported", f"**Not supported by these articles ({c['not_supported']}).**"),
    ):
        rows = graded[graded["grade_kind"] == kind]
        if len(rows):
            parts.append(head + "\n\n" + "\n".join(f"* {_item(r)}" for _, r in rows.iterrows()) + "\n")
    return "\n".join(parts)


def headline(r: dict) -> str:
    """One sentence for the title slide and the index, from the results JSON."""
    c = r["grade_counts"]
    return (
        f"{len(r['conclusions'])} conclusions over {r['n_scenarios']:,} scenarios of the contested evidence: "
        f"{c['every']} hold in every reading, {c['unless']} hold unless one input takes a given reading, "
        f"{c['not_supported']} are not supported by these articles."
    )


def display_table(graded: pd.DataFrame) -> pd.DataFrame:
    """The graded conclusions for a reader."""
    return pd.DataFrame(
        {
            "conclusion": graded["statement"],
            "holds in": graded["share"].map("{:.0%}".format),
            "input that flips it": graded["flip_input"].fillna("–"),
            "grade": graded["grade"],
            "rests on": graded["obs_ids"].map(lambda ids: ", ".join(ids) if len(ids) else "–"),
            "drawn in": graded["where"],
        }
    ).set_index("conclusion")


def splits_table(graded: pd.DataFrame) -> pd.DataFrame:
    """Per conclusion with a flip input: the share of scenarios in which it holds, per reading of each input."""
    rows = []
    for _, r in graded.iterrows():
        for name, by in (r["share_by_reading"] or {}).items():
            for reading, share in by.items():
                rows.append({"conclusion": r["id"], "input": name, "reading": reading, "holds in": f"{share:.0%}"})
    return pd.DataFrame(rows, columns=["conclusion", "input", "reading", "holds in"])


def split_groups(graded: pd.DataFrame) -> list[pd.DataFrame]:
    """The splits in parts that fit a slide: the conclusions that share a flip input go together (connected
    groups), one table per group with a row per reading and a column per conclusion ('–': the input does
    not split that conclusion). Every cell of :func:`splits_table` is in exactly one group."""
    long = splits_table(graded)
    if long.empty:
        return []
    groups: list[tuple[set, set]] = []  # (conclusions, inputs)
    for cid, inputs in long.groupby("conclusion", sort=False)["input"]:
        cs, ins = {cid}, set(inputs)
        for g in [g for g in groups if g[1] & ins]:
            groups.remove(g)
            cs |= g[0]
            ins |= g[1]
        groups.append((cs, ins))
    out = []
    for cs, _ in groups:
        part = long[long["conclusion"].isin(cs)]
        wide = part.pivot_table(
            index=["input", "reading"], columns="conclusion", values="holds in", aggfunc="first", sort=False
        ).fillna("–")
        out.append(wide[[c for c in part["conclusion"].unique()]].rename_axis(columns=None))
    return out


def group_title(groups: list[pd.DataFrame], i: int) -> str:
    """The heading of one table of :func:`split_groups`: the inputs it splits by."""
    inputs = ", ".join(f"`{v}`" for v in groups[i].index.get_level_values("input").unique())
    return f"**How the readings of {inputs} split the conclusions** (group {i + 1} of {len(groups)})"
