"""The grading rule of notebook 05 on small hand-made scenario tables (no data, no engine).

Each table is written in the test: the readings of a few inputs and an output per scenario. A test states the
grade a careful reader would give and checks the rule gives it: every reading holds; all but one reading of one
input; a reading where the conclusion cannot be computed; two inputs that each explain the failures (a tie);
thresholds solved exactly; no contested input. A Hypothesis property checks that adding a scenario where the
conclusion fails never makes its grade stronger. These are the tests that fail when the rule grades a
conclusion more strongly than its table allows (a conclusion holding in 60% of its scenarios graded 'holds in
every reading', for instance).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kimi_research.analysis import conclusions as K
from kimi_research.analysis import contested as C

PROPS = settings(max_examples=60, deadline=None, database=None)


def _reg(**inputs: list[str] | tuple[float, float]) -> dict[str, C.ContestedInput]:
    """A registry: a list of reading keys is a discrete input, a (low, high) pair a range."""
    out = {}
    for name, spec in inputs.items():
        if isinstance(spec, tuple):
            out[name] = C.ContestedInput(name, f"{name}?", C.RANGE, low=spec[0], high=spec[1], default=spec[0])
        else:
            out[name] = C.ContestedInput(name, f"{name}?", C.DISCRETE, readings=tuple(C.Reading(k, k, k) for k in spec))
    return out


def _table(reg: dict[str, C.ContestedInput], output, samples: int = 1) -> pd.DataFrame:
    """The full product of the discrete readings (ranges: ``samples`` even points), ``y = output(row)``."""
    levels = [c.keys() if c.kind == C.DISCRETE else list(np.linspace(c.low, c.high, samples + 2)[1:-1]) for c in reg.values()]
    t = pd.DataFrame(list(itertools.product(*levels)), columns=list(reg))
    t["y"] = [output(r) for _, r in t.iterrows()]
    return t


def _depends(reg: dict[str, C.ContestedInput], *read: str) -> dict[str, tuple[str, ...]]:
    return {**{n: (n,) for n in reg}, "y": tuple(read)}


Y_POSITIVE = K.Conclusion("toy", "y is positive", "test", "y", ">", 0.0)


def grade(reg, table, *read, solver=None, c=Y_POSITIVE) -> dict:
    return K.grade_one(c, table, reg, _depends(reg, *read), solver)


class Formula:
    """A solver for hand-made tables: y = f(row, r) recomputed for other values of the range input."""

    def __init__(self, f, inverse=None):
        self.f, self.inverse = f, inverse

    def recompute(self, row: pd.Series, name: str, values: np.ndarray) -> pd.DataFrame:
        rows = pd.DataFrame([row.to_dict()] * len(values))
        rows[name] = values
        rows["y"] = [self.f(r) for _, r in rows.iterrows()]
        return rows

    def closed_form(self, column: str, name: str, target: float, row: pd.Series) -> float | None:
        return None if self.inverse is None else self.inverse(target, row)


# --- the rule on hand-made tables -------------------------------------------------------------------
def test_all_hold_is_every():
    reg = _reg(a=["x", "y", "z"], b=["p", "q"])
    g = grade(reg, _table(reg, lambda r: 1.0), "a", "b")
    assert (g["grade_kind"], g["grade"], g["condition"]) == ("every", K.EVERY, "")
    assert g["n_scenarios"] == g["n_evaluable"] == 6 and g["inputs_read"] == ["a", "b"]


def test_all_but_one_reading_is_unless_that_reading():
    reg = _reg(a=["x", "y", "z"], b=["p", "q"])
    g = grade(reg, _table(reg, lambda r: -1.0 if r["a"] == "y" else 1.0), "a", "b")
    assert g["grade_kind"] == "unless" and g["grade"] == "holds unless a is y" and g["flip_input"] == "a"


def test_failing_in_part_of_a_readings_combinations_still_names_that_reading():
    reg = _reg(a=["x", "y", "z"], b=["p", "q"])
    g = grade(reg, _table(reg, lambda r: -1.0 if (r["a"], r["b"]) == ("z", "q") else 1.0), "a", "b")
    # both a = z and b = q explain the one failure: the input with fewer readings excluded is named, then the
    # first in the registry (a before b)
    assert g["grade_kind"] == "unless" and g["condition"] == "a is z"


def test_no_single_input_explains_the_failures_is_not_supported():
    reg = _reg(a=["x", "y"], b=["p", "q"])
    # fails at (x, q) and at (y, p): every reading of each input fails somewhere
    g = grade(reg, _table(reg, lambda r: 1.0 if (r["a"] == "x") == (r["b"] == "p") else -1.0), "a", "b")
    assert g["grade_kind"] == "not_supported" and g["condition"] == "depends on a, b together"


def test_holding_in_no_reading_is_not_supported():
    reg = _reg(a=["x", "y"])
    g = grade(reg, _table(reg, lambda r: -1.0), "a")
    assert g["grade_kind"] == "not_supported" and g["condition"] == "holds in no reading"


@pytest.mark.parametrize("holding", [3, 4])  # 60% and 80% of five readings
def test_holding_in_most_but_not_all_readings_is_never_every(holding):
    """The mutation the issue measured: a conclusion that holds in 60% of its scenarios graded 'every'."""
    reg = _reg(a=["r1", "r2", "r3", "r4", "r5"], b=["p", "q"])
    fails = {"r1", "r2", "r3", "r4", "r5"} - {f"r{i + 1}" for i in range(holding)}
    t = _table(reg, lambda r: -1.0 if r["a"] in fails else 1.0)
    g = grade(reg, t, "a", "b")
    assert g["share"] == pytest.approx(holding / 5)
    assert g["grade_kind"] != "every"
    assert g["grade_kind"] == "unless" and g["condition"] == f"a is {' or '.join(sorted(fails))}"


def test_fewer_readings_excluded_wins_a_tie_then_the_registry_order():
    reg = _reg(a=["x", "y", "z"], b=["p", "q"])
    # fails only at (x, q) and (y, q): 'b is q' excludes one reading, 'a is x or y' two
    g = grade(reg, _table(reg, lambda r: -1.0 if r["a"] in ("x", "y") and r["b"] == "q" else 1.0), "a", "b")
    assert g["condition"] == "b is q"
    # one failing combination: both name one reading; a comes first in the registry
    g = grade(reg, _table(reg, lambda r: -1.0 if (r["a"], r["b"]) == ("x", "q") else 1.0), "a", "b")
    assert g["condition"] == "a is x"


def test_scenarios_that_disagree_within_a_combination_never_hold_there():
    """Five scenarios of one combination, three holding: the combination does not hold (whatever the majority)."""
    reg = _reg(a=["x", "y"])
    t = pd.DataFrame({"a": ["x"] * 5 + ["y"], "y": [1.0, 1.5, 2.0, -1.0, -2.0, 1.0]})
    g = grade(reg, t, "a")
    assert g["grade_kind"] == "unless" and g["condition"] == "a is x"
    assert g["n_scenarios"] == 2


def test_a_reading_that_cannot_be_computed_is_not_evaluable_never_a_failure():
    reg = _reg(series=["questmobile", "aicpb", "all"], dating=["mid", "last"])
    t = _table(reg, lambda r: np.nan if r["series"] == "aicpb" else 1.0)
    g = grade(reg, t, "series", "dating")
    assert g["grade_kind"] == "every" and g["grade"] == "holds in every evaluable reading"
    assert g["not_evaluable"] == "not evaluable when series is aicpb"
    assert (g["n_scenarios"], g["n_evaluable"]) == (6, 4) and g["share"] == 1.0


def test_the_not_evaluable_reading_is_left_out_of_an_unless_condition():
    reg = _reg(series=["questmobile", "aicpb", "all"], dating=["mid", "last"])
    t = _table(reg, lambda r: np.nan if r["series"] == "aicpb" else -1.0 if r["series"] == "all" else 1.0)
    g = grade(reg, t, "series", "dating")
    assert g["grade"] == "holds unless series is all" and g["not_evaluable"] == "not evaluable when series is aicpb"


def test_no_evaluable_reading_is_not_evaluable():
    reg = _reg(a=["x", "y"])
    g = grade(reg, _table(reg, lambda r: np.nan), "a")
    assert g["grade_kind"] == "not_evaluable" and g["n_evaluable"] == 0 and g["share"] is None


def test_a_conclusion_reading_no_contested_input_is_one_computation():
    reg = _reg(a=["x", "y", "z"], b=["p", "q"])
    t = _table(reg, lambda r: 2.0)
    g = grade(reg, t)
    assert (
        g["inputs_read"] == [] and g["n_scenarios"] == 1 and g["grade"] == "holds; it reads no contested input (one computation)"
    )
    f = grade(reg, _table(reg, lambda r: -2.0))
    assert f["grade_kind"] == "not_supported" and f["n_scenarios"] == 1 and "no contested input" in f["condition"]


def test_inputs_it_does_not_read_are_never_counted():
    reg = _reg(a=["x", "y"], b=[f"b{i}" for i in range(7)])
    g = grade(reg, _table(reg, lambda r: -1.0 if r["a"] == "y" else 1.0), "a")
    assert g["n_scenarios"] == 2 and g["grade"] == "holds unless a is y" and "b" not in g["share_by_reading"]


# --- thresholds --------------------------------------------------------------------------------------
def _half_growth():
    """(1 - s) / (1 - 0.3) < 0.5: the formula of article 003 against the alarm line."""
    reg = _reg(s=(0.5, 0.9))
    c = K.Conclusion("half", "less than half", "test", "y", "<", 0.5)
    return reg, c, (lambda r: (1 - r["s"]) / 0.7)


def test_a_threshold_in_closed_form_is_exact():
    reg, c, f = _half_growth()
    t = _table(reg, f, samples=8)
    g = grade(reg, t, "s", solver=Formula(f, lambda x, row: 1 - x * 0.7), c=c)
    assert g["grade"] == "holds unless s ≤ 0.65"
    (th,) = g["thresholds"]
    assert th["method"] == "closed form" and th["value"] == pytest.approx(0.65, abs=1e-15) and th["fails"] == "below"


def test_a_threshold_by_bisection_is_the_root_not_a_midpoint_of_samples():
    reg, c, f = _half_growth()
    t = _table(reg, f, samples=3)  # samples at 0.6, 0.7, 0.8: a midpoint would say 0.65 only by luck
    t2 = _table(reg, f, samples=4)  # 0.58, 0.66, 0.74, 0.82: the midpoint of 0.58 and 0.66 is 0.62
    for table in (t, t2):
        g = grade(reg, table, "s", solver=Formula(f), c=c)
        (th,) = g["thresholds"]
        assert th["method"] == "brentq" and th["value"] == pytest.approx(0.65, abs=1e-12)
        assert g["condition"] == "s ≤ 0.65"


def test_thresholds_per_combination_and_the_condition_takes_the_worst():
    reg = _reg(k=["low", "high"], s=(0.0, 1.0))
    scale = {"low": 0.4, "high": 0.7}
    c = K.Conclusion("t", "y above zero", "test", "y", ">", 0.0)

    def f(r):
        return r["s"] - scale[r["k"]]

    g = grade(reg, _table(reg, f, samples=5), "k", "s", solver=Formula(f), c=c)
    assert [round(t["value"], 12) for t in g["thresholds"]] == [0.4, 0.7]
    assert {t["readings"]["k"] for t in g["thresholds"]} == {"low", "high"}
    # holds in every combination only above the larger threshold; the discrete input is preferred when it explains it
    assert g["grade_kind"] == "not_supported" or g["condition"] in ("s ≤ 0.7",)


def test_a_range_that_fails_everywhere_in_one_combination_gives_no_range_condition():
    reg = _reg(k=["ok", "bad"], s=(0.0, 1.0))
    c = K.Conclusion("t", "y above zero", "test", "y", ">", 0.0)

    def f(r):
        return r["s"] - (0.5 if r["k"] == "ok" else 2.0)

    g = grade(reg, _table(reg, f, samples=4), "k", "s", solver=Formula(f), c=c)
    assert g["grade_kind"] == "not_supported"  # k = ok flips at 0.5, k = bad never holds: no single condition


def test_a_threshold_outside_the_range_means_every_reading():
    reg, c, f = _half_growth()
    reg = _reg(s=(0.7, 0.9))
    g = grade(reg, _table(reg, f, samples=3), "s", solver=Formula(f, lambda x, row: 1 - x * 0.7), c=c)
    assert g["grade_kind"] == "every" and g["thresholds"] == []


# --- the property: a failure never strengthens a grade -----------------------------------------------
def _strength(g: dict) -> int:
    return K.STRENGTH[g["grade_kind"]]


@st.composite
def tables(draw):
    """A table over inputs a (2-4 readings) and b (1-3 readings): each scenario holds, fails or is not evaluable."""
    na, nb = draw(st.integers(2, 4)), draw(st.integers(1, 3))
    reg = _reg(a=[f"a{i}" for i in range(na)], b=[f"b{i}" for i in range(nb)])
    cells = draw(st.lists(st.sampled_from([1.0, -1.0, np.nan]), min_size=na * nb, max_size=na * nb))
    t = pd.DataFrame(list(itertools.product(reg["a"].keys(), reg["b"].keys())), columns=["a", "b"])
    t["y"] = cells
    return reg, t


@PROPS
@given(tables(), st.data())
def test_adding_a_failing_scenario_never_makes_a_grade_stronger(drawn, data):
    reg, t = drawn
    before = grade(reg, t, "a", "b")
    # a new scenario where the conclusion fails: an existing combination, or a new reading of a
    a = data.draw(st.sampled_from([*reg["a"].keys(), "a_new"]))
    b = data.draw(st.sampled_from(reg["b"].keys()))
    reg2 = (
        reg
        if a in reg["a"].keys()
        else {**reg, "a": C.ContestedInput("a", "a?", C.DISCRETE, (*reg["a"].readings, C.Reading(a, a, a)))}
    )
    t2 = pd.concat([t, pd.DataFrame([{"a": a, "b": b, "y": -1.0}])], ignore_index=True)
    after = grade(reg2, t2, "a", "b")
    assert _strength(after) >= _strength(before), (before["grade"], after["grade"])
    if before["grade_kind"] == "unless" and after["grade_kind"] == "unless" and before["flip_input"] == after["flip_input"]:
        assert len(after["condition"]) >= len(before["condition"])  # the condition can only name more readings


@PROPS
@given(tables())
def test_every_means_every_evaluable_scenario_holds(drawn):
    reg, t = drawn
    g = grade(reg, t, "a", "b")
    evaluable = t["y"].dropna()
    assert (g["grade_kind"] == "every") == (len(evaluable) > 0 and bool((evaluable > 0).all()))
    assert (g["grade_kind"] == "not_evaluable") == (len(evaluable) == 0)
