"""Whole records of the grading rule of notebook 05 on small hand-made scenario tables (issue 24: the survivors of
`make mutate` on kimi_research.analysis.conclusions).

tests/analysis/test_grading.py checks the grade of each kind of table; here every field of :func:`grade_one`'s record is
compared with a value computed by hand in the comment beside it: the grade and its condition, where it cannot be
evaluated, the shares per reading and how an input's samples are binned, what a weaker grade depends on, the
output's range over the evaluable combinations, the observations it rests on. Then a range input's threshold:
the scan, the closed form against Brent's method at the edges of the scan's bracket, a threshold at a bound of
the range, a margin that flips twice or cannot be computed, which side fails, and the threshold a condition
takes among several combinations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_grading import Formula, _reg, _table, grade

from kimi_research.analysis import conclusions as K
from kimi_research.analysis import contested as C


def _record(g: dict, **changes) -> dict:
    """The record of a conclusion with every field at its 'nothing to say' value, updated with ``changes``."""
    return {
        "id": "toy",
        "statement": "y is positive",
        "where": "test",
        "inputs_read": [],
        "share": None,
        "n_scenarios": 0,
        "n_evaluable": 0,
        "not_evaluable": "",
        "flip_input": None,
        "spread": 0.0,
        "grade": "",
        "grade_kind": "",
        "condition": "",
        "where_unless": None,
        "where_not_evaluable": None,
        "depends_on": [],
        "thresholds": [],
        "output": "y",
        "output_min": None,
        "output_median": None,
        "output_max": None,
        "obs_ids": [],
        "share_by_reading": {},
    } | changes


def _with_obs(reg: dict[str, C.ContestedInput], **obs: tuple[str, ...]) -> dict[str, C.ContestedInput]:
    """The registry with observations on the inputs (``obs_ids``) and on their first reading."""
    out = {}
    for n, c in reg.items():
        ids = obs.get(n, ())
        readings = c.readings
        if readings and ids:
            first = readings[0]
            readings = (C.Reading(first.key, first.label, first.value, obs_ids=ids[-1:]), *readings[1:])
        out[n] = C.ContestedInput(
            c.name, c.question, c.kind, readings=readings, low=c.low, high=c.high, default=c.default, obs_ids=ids[:-1]
        )
    return out


# --- whole records, discrete inputs ------------------------------------------------------------------
A_THEN_B = {"x": 1.0, "y": -1.0, "z": 2.0}


def test_the_whole_record_of_an_unless_grade():
    reg = _with_obs(_reg(a=["x", "y", "z"], b=["p", "q"]), a=("o1", "o2"), b=("o3",))
    c = K.Conclusion("toy", "y is positive", "test", "y", ">", 0.0, ("o9", "o2"))
    # y = 1, 1.5 | -1, -0.5 | 2, 2.5 for a = x | y | z and b = p, q: it fails exactly when a is y
    t = _table(reg, lambda r: A_THEN_B[r["a"]] + (0.5 if r["b"] == "q" else 0.0))
    g = grade(reg, t, "a", "b", c=c)
    assert g == _record(
        g,
        inputs_read=["a", "b"],
        share=pytest.approx(4 / 6),
        n_scenarios=6,
        n_evaluable=6,
        flip_input="a",
        spread=1.0,  # holds in every combination of x and z, in none of y
        grade="holds unless a is y",
        grade_kind="unless",
        condition="a is y",
        where_unless=K.Where("a", ("y",)),
        output_min=-1.0,
        output_median=1.25,  # the middle of -1, -0.5, 1, 1.5, 2, 2.5
        output_max=2.5,
        # its own first, then each input's own and its readings', each once
        obs_ids=["o9", "o2", "o1", "o3"],
        share_by_reading={"a": {"x": 1.0, "y": 0.0, "z": 1.0}},  # b's readings hold alike (2 of 3): no spread
    )


def test_the_whole_record_of_a_holding_conclusion_without_the_registry_of_what_it_reads():
    """Without ``depends`` every contested input that is a column of the table is read (here a, not c)."""
    reg = _reg(a=["x", "y"], c=["u", "v"])
    t = pd.DataFrame({"a": ["x", "y", "x"], "y": [3.0, 1.0, 3.0]})  # a repeated scenario counts once
    g = K.grade_one(K.Conclusion("toy", "y is positive", "test", "y", ">", 0.0), t, reg)
    assert g == _record(
        g,
        inputs_read=["a"],
        share=1.0,
        n_scenarios=2,
        n_evaluable=2,
        grade=K.EVERY,
        grade_kind="every",
        output_min=1.0,
        output_median=2.0,
        output_max=3.0,
    )


def test_one_computation_is_one_scenario_whatever_the_rows():
    reg = _reg(a=["x", "y"])
    t = pd.DataFrame({"a": ["x", "y"], "y": [4.0, 4.0]})
    g = grade(reg, t)  # reads nothing: one computation, whatever a is
    assert g == _record(
        g,
        share=1.0,
        n_scenarios=1,
        n_evaluable=1,
        grade="holds; it reads no contested input (one computation)",
        grade_kind="every",
        output_min=4.0,
        output_median=4.0,
        output_max=4.0,
    )
    f = grade(reg, t.assign(y=-4.0))
    assert (f["grade"], f["condition"], f["share"]) == (
        K.NOT_SUPPORTED,
        "fails in its one computation; it reads no contested input",
        0.0,
    )


def test_the_whole_record_of_a_conclusion_no_reading_can_test():
    reg = _reg(s=(0.0, 1.0), a=["x", "y"], b=["p", "q"])
    t = _table(reg, lambda r: np.nan, samples=2)
    g = grade(reg, t, "s", "a", "b")
    assert g == _record(
        g,
        inputs_read=["s", "a", "b"],
        n_scenarios=8,
        # a range input never names where it cannot be evaluated; the first discrete input that does is named
        not_evaluable="not evaluable when a is x or y",
        where_not_evaluable=K.Where("a", ("x", "y")),
        grade=K.NOT_EVALUABLE,
        grade_kind="not_evaluable",
        condition="no reading can test it",
        share_by_reading={
            "s": {"0.333–0.333": None, "0.667–0.667": None},
            "a": {"x": None, "y": None},
            "b": {"p": None, "q": None},
        },
    )


def test_not_evaluable_in_combinations_no_single_reading_explains():
    reg = _reg(a=["x", "y", "z"], b=["p", "q"])
    # cannot be computed at (z, q) only: neither a = z nor b = q is missing everywhere
    t = _table(reg, lambda r: np.nan if (r["a"], r["b"]) == ("z", "q") else 1.0)
    g = grade(reg, t, "a", "b")
    assert g == _record(
        g,
        inputs_read=["a", "b"],
        share=1.0,
        n_scenarios=6,
        n_evaluable=5,
        not_evaluable="not evaluable in 1 of 6 combinations of its readings",
        where_not_evaluable=K.Where(count=1, total=6),
        grade="holds in every evaluable reading",
        grade_kind="every",
        output_min=1.0,
        output_median=1.0,
        output_max=1.0,
        share_by_reading={},  # every reading holds wherever it can be computed: no input moves it
    )


def test_a_reading_missing_everywhere_is_named_only_when_no_other_reading_of_it_is_missing():
    reg = _reg(a=["x", "y", "z"], b=["p", "q"])
    # a = z cannot be computed at all, and (x, q) neither: a's readings do not say where; nor do b's
    t = _table(reg, lambda r: np.nan if r["a"] == "z" or (r["a"], r["b"]) == ("x", "q") else 1.0)
    g = grade(reg, t, "a", "b")
    assert (g["not_evaluable"], g["where_not_evaluable"]) == (
        "not evaluable in 3 of 6 combinations of its readings",
        K.Where(count=3, total=6),
    )
    # the whole reading z missing: named, and the input with a missing reading is in share_by_reading
    t = _table(reg, lambda r: np.nan if r["a"] == "z" else 1.0)
    g = grade(reg, t, "a", "b")
    assert (g["not_evaluable"], g["where_not_evaluable"], g["n_evaluable"]) == (
        "not evaluable when a is z",
        K.Where("a", ("z",)),
        4,
    )
    assert g["share_by_reading"] == {"a": {"x": 1.0, "y": 1.0, "z": None}}


def test_the_second_input_is_named_when_the_first_does_not_explain_where():
    reg = _reg(a=["x", "y"], b=["p", "q", "r"])
    t = _table(reg, lambda r: np.nan if r["b"] in ("q", "r") else -1.0 if r["a"] == "y" else 1.0)
    g = grade(reg, t, "a", "b")
    assert g["where_not_evaluable"] == K.Where("b", ("q", "r")) and g["not_evaluable"] == "not evaluable when b is q or r"
    assert (g["grade"], g["n_evaluable"], g["share"]) == ("holds unless a is y", 2, 0.5)


def test_a_combination_with_some_scenarios_not_evaluable_is_mixed_never_holding():
    reg = _reg(a=["x", "y"])
    t = pd.DataFrame({"a": ["x", "x", "y"], "y": [1.0, np.nan, 2.0]})
    out = K.outcomes(Y_POS, t, reg, ["a"])
    assert out.to_dict("list") == {
        "a": ["x", "y"],
        "status": [K.MIXED, K.HOLDS],
        "threshold": [None, None],
        "fails_below": [None, None],
        "method": [None, None],
    }
    g = grade(reg, t, "a")
    assert (g["grade"], g["n_evaluable"], g["share"], g["output_max"]) == ("holds unless a is x", 2, 1.0, 2.0)


Y_POS = K.Conclusion("toy", "y is positive", "test", "y", ">", 0.0)


def test_outcomes_per_combination_in_the_order_of_the_table():
    reg = _reg(a=["y", "x"], b=["p", "q"])
    t = pd.DataFrame(
        {"a": ["y", "y", "x", "x", "x", np.nan], "b": ["q", "p", "q", "q", "p", "p"], "y": [1, -1, np.nan, np.nan, 2, 3]}
    )
    out = K.outcomes(Y_POS, t, reg, ["a", "b"])
    # in the order first met, not sorted; a scenario without a reading of a is a combination of its own
    assert list(out.columns) == ["a", "b", "status", "threshold", "fails_below", "method"]
    assert out["a"].tolist()[:4] == ["y", "y", "x", "x"] and pd.isna(out["a"].iloc[4]) and len(out) == 5
    assert out["b"].tolist() == ["q", "p", "q", "p", "p"]
    assert out["status"].tolist() == [K.HOLDS, K.FAILS, K.NA, K.HOLDS, K.HOLDS]
    assert out[["threshold", "fails_below", "method"]].to_dict("list") == {
        "threshold": [None] * 5,
        "fails_below": [None] * 5,
        "method": [None] * 5,
    }
    one = K.outcomes(Y_POS, t, reg, [])
    assert one.to_dict("list") == {"status": [K.MIXED], "threshold": [None], "fails_below": [None], "method": [None]}
    assert K.outcomes(Y_POS, t.dropna(), reg, [])["status"].tolist() == [K.MIXED]
    assert K.outcomes(Y_POS, t[t["y"] > 0], reg, [])["status"].tolist() == [K.HOLDS]
    assert K.outcomes(Y_POS, t[t["y"] < 0], reg, [])["status"].tolist() == [K.FAILS]


# --- what a weaker grade depends on ------------------------------------------------------------------
def _holds_at(*cells: str):
    """y = 1 at the combinations 'ap' (a, b), else -1."""
    return lambda r: 1.0 if f"{r['a']}{r['b']}" in cells else -1.0


def test_a_not_supported_grade_names_the_inputs_that_move_it_most_first():
    reg = _reg(a=["x", "y", "z"], b=["p", "q", "r"])
    #    p q r      a: x 2/3, y 1/3, z 1/3 (spread 1/3)
    # x: T T F      b: p 2/3, q 2/3, r 0   (spread 2/3)
    # y: T F F      every reading of each fails somewhere: no condition
    # z: F T F
    g = grade(reg, _table(reg, _holds_at("xp", "xq", "yp", "zq")), "a", "b")
    assert g == _record(
        g,
        inputs_read=["a", "b"],
        share=pytest.approx(4 / 9),
        n_scenarios=9,
        n_evaluable=9,
        flip_input="b",
        spread=pytest.approx(2 / 3),
        grade=K.NOT_SUPPORTED,
        grade_kind="not_supported",
        condition="depends on b, a",
        depends_on=["b", "a"],
        output_min=-1.0,
        output_median=-1.0,
        output_max=1.0,
        share_by_reading={
            "a": pytest.approx({"x": 2 / 3, "y": 1 / 3, "z": 1 / 3}),
            "b": pytest.approx({"p": 2 / 3, "q": 2 / 3, "r": 0.0}),
        },
    )


def test_inputs_that_move_it_alike_are_named_in_the_registrys_order():
    reg = _reg(a=["x", "y", "z"], b=["p", "q", "r"])
    # x: T T F / y: T F F / z: F F F: a and b each 2/3, 1/3, 0 (spread 2/3 both)
    g = grade(reg, _table(reg, _holds_at("xp", "xq", "yp")), "a", "b")
    assert (g["condition"], g["depends_on"], g["flip_input"], g["spread"]) == (
        "depends on a, b",
        ["a", "b"],
        "a",
        pytest.approx(2 / 3),
    )


def test_only_the_inputs_that_move_it_are_named():
    reg = _reg(a=["x", "y"], b=["p", "q", "r"])
    # x: T F F / y: F T F: a holds in 1 of 3 for both readings (spread 0); b: p 1/2, q 1/2, r 0
    g = grade(reg, _table(reg, _holds_at("xp", "yq")), "a", "b")
    assert (g["condition"], g["depends_on"], g["flip_input"], g["spread"]) == ("depends on b", ["b"], "b", 0.5)
    assert g["share_by_reading"] == {"b": {"p": 0.5, "q": 0.5, "r": 0.0}}


def test_no_input_moving_it_on_average_depends_on_them_together():
    reg = _reg(a=["x", "y"], b=["p", "q"])
    g = grade(reg, _table(reg, _holds_at("xp", "yq")), "a", "b")
    assert g == _record(
        g,
        inputs_read=["a", "b"],
        share=0.5,
        n_scenarios=4,
        n_evaluable=4,
        grade=K.NOT_SUPPORTED,
        grade_kind="not_supported",
        condition="depends on a, b together",
        depends_on=["a", "b"],
        output_min=-1.0,
        output_median=0.0,
        output_max=1.0,
    )


def test_a_sampled_range_input_is_binned_in_four_by_its_quartiles():
    reg = _reg(s=(0.0, 1.0))
    s = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
    t = pd.DataFrame({"s": s, "y": [v - 0.45 for v in s]})
    g = grade(reg, t, "s")  # no solver: graded on its samples, no threshold, no range condition
    assert g == _record(
        g,
        inputs_read=["s"],
        share=0.5,
        n_scenarios=8,
        n_evaluable=8,
        flip_input="s",
        spread=1.0,
        grade=K.NOT_SUPPORTED,
        grade_kind="not_supported",
        condition="depends on s",
        depends_on=["s"],
        output_min=pytest.approx(-0.35),
        output_median=pytest.approx(0.0),
        output_max=pytest.approx(0.35),
        share_by_reading={"s": {"0.1–0.2": 0.0, "0.3–0.4": 0.0, "0.5–0.6": 1.0, "0.7–0.8": 1.0}},
    )
    # three samples: three bins of one; one sample: no bins
    g3 = grade(reg, t.iloc[[0, 4, 7]], "s")
    assert g3["share_by_reading"] == {"s": {"0.1–0.1": 0.0, "0.5–0.5": 1.0, "0.8–0.8": 1.0}}
    g1 = grade(reg, t.iloc[[7]], "s")
    assert (g1["share_by_reading"], g1["grade_kind"]) == ({}, "every")


def test_the_output_range_counts_only_where_the_conclusion_can_be_evaluated():
    reg = _reg(a=["x", "y", "z"])
    c = K.Conclusion("cmp", "y above its bar ({y:g} in the first)", "test", "y", ">", "bar")
    t = pd.DataFrame({"a": ["x", "y", "z"], "y": [5.0, 9.0, 1.0], "bar": [2.0, np.nan, 3.0]})
    g = K.grade_one(c, t, reg, {"a": ("a",), "y": (), "bar": ("a",)})  # what it reads: the union of its columns'
    assert g["inputs_read"] == ["a"]
    # (y, bar) compared: 5 > 2 holds, 9 against nothing is not evaluable, 1 > 3 fails
    assert (g["statement"], g["share"], g["output_min"], g["output_median"], g["output_max"]) == (
        "y above its bar (5 in the first)",
        0.5,
        1.0,
        3.0,
        5.0,
    )
    assert (g["grade"], g["not_evaluable"]) == ("holds unless a is z", "not evaluable when a is y")


# --- a range input's threshold ----------------------------------------------------------------------
def test_the_scan_is_even_or_logarithmic():
    even, log = K._scan(1.0, 4.0, False), K._scan(1.0, 4.0, True)
    assert len(even) == len(log) == 257
    assert (even[0], even[128], even[-1]) == (1.0, 2.5, 4.0)
    assert (log[0], log[128], log[-1]) == (1.0, pytest.approx(2.0, abs=1e-15), pytest.approx(4.0, abs=1e-15))


class Recording(Formula):
    """A Formula that remembers the values of the range input it was asked to recompute, and the closed-form calls."""

    def __init__(self, f, inverse=None):
        super().__init__(f, inverse)
        self.asked: list[np.ndarray] = []
        self.targets: list[tuple[str, str, float]] = []

    def recompute(self, row, name, values):
        self.asked.append(np.asarray(values, dtype=float))
        return super().recompute(row, name, values)

    def closed_form(self, column, name, target, row):
        self.targets.append((column, name, target))
        return super().closed_form(column, name, target, row)


def _range(low: float, high: float, sampling: str = "uniform") -> dict[str, C.ContestedInput]:
    return {"s": C.ContestedInput("s", "s?", C.RANGE, low=low, high=high, default=low, sampling=sampling)}


def _row(s: float = 0.5) -> pd.Series:
    return pd.Series({"s": s, "y": 0.0})


@pytest.mark.parametrize("sampling, middle", [("uniform", 50.5), ("log-uniform", 10.0)])
def test_a_range_is_scanned_over_its_bounds_as_it_is_sampled(sampling, middle):
    reg = _range(1.0, 100.0, sampling)
    solver = Recording(lambda r: r["s"] - 30.0, lambda target, row: 30.0 + target)
    out = K._range_outcome(Y_POS, _row(), reg["s"], solver)
    assert out == {"status": K.THRESHOLD, "threshold": 30.0, "fails_below": True, "method": "closed form"}
    (scan,) = solver.asked
    assert (len(scan), scan[0], scan[-1]) == (257, 1.0, 100.0) and scan[128] == pytest.approx(middle)
    assert solver.targets == [("y", "s", 0.0)]  # the column, the input and the value it must reach


def test_the_closed_form_is_asked_for_the_compared_columns_value():
    reg = _range(0.0, 1.0)
    c = K.Conclusion("cmp", "y above bar", "test", "y", ">", "bar")
    solver = Recording(lambda r: r["s"], lambda target, row: target)
    out = K._range_outcome(c, pd.Series({"s": 0.5, "y": 0.5, "bar": 0.3}), reg["s"], solver)
    assert solver.targets == [("y", "s", 0.3)]
    assert out == {"status": K.THRESHOLD, "threshold": 0.3, "fails_below": True, "method": "closed form"}


@pytest.mark.parametrize("off", [1.5 / 256, -0.5 / 256, -0.3])
def test_a_closed_form_outside_the_scans_bracket_is_refined_by_brent(off):
    """The sign changes between the scan points 0.5 and 0.5 + 1/256 (the root is 0.5 + 1/512); an inverse that is
    off (in the next bracket, the one before, far) is not taken: Brent's method finds the root."""
    reg = _range(0.0, 1.0)
    root = 0.5 + 1 / 512
    solver = Recording(lambda r: r["s"] - root, lambda target, row: 0.5 + off)
    out = K._range_outcome(Y_POS, _row(), reg["s"], solver)
    assert out["method"] == "brentq" and out["status"] == K.THRESHOLD and out["fails_below"] is True
    assert out["threshold"] == pytest.approx(root, abs=1e-14)


def test_brents_root_is_exact_to_its_tolerance_on_a_curve():
    """s² > 0.3: the root √0.3 to 1e-14 (a loose tolerance stops at a secant step, ~1e-6 off on a curve)."""
    out = K._range_outcome(Y_POS, _row(), _range(0.0, 1.0)["s"], Formula(lambda r: r["s"] ** 2 - 0.3))
    assert out["method"] == "brentq" and out["threshold"] == pytest.approx(0.3**0.5, abs=1e-14)


def test_a_threshold_between_the_first_two_points_of_the_scan():
    out = K._range_outcome(Y_POS, _row(), _range(0.0, 1.0)["s"], Formula(lambda r: r["s"] - 1 / 512))
    assert (out["fails_below"], out["threshold"]) == (True, pytest.approx(1 / 512, abs=1e-15))
    out = K._range_outcome(Y_POS, _row(), _range(0.0, 1.0)["s"], Formula(lambda r: 1 / 512 - r["s"]))
    assert (out["fails_below"], out["threshold"]) == (False, pytest.approx(1 / 512, abs=1e-15))


def test_a_range_input_without_its_bounds_is_refused():
    for low, high in ((None, 1.0), (0.0, None)):
        r = C.ContestedInput("s", "s?", C.RANGE, low=low, high=high)
        with pytest.raises(AssertionError):
            K._range_outcome(Y_POS, _row(), r, Formula(lambda r: r["s"]))


@pytest.mark.parametrize("op", [">", ">="])
def test_a_closed_form_on_a_scan_point_is_kept(op):
    """The root 0.5 is the scan's 129th point: the bracket of the sign change ends (>=) or starts (>) there."""
    reg = _range(0.0, 1.0)
    c = K.Conclusion("t", "y above 0", "test", "y", op, 0.0)
    out = K._range_outcome(c, _row(), reg["s"], Formula(lambda r: r["s"] - 0.5, lambda target, row: 0.5 + target))
    assert out == {"status": K.THRESHOLD, "threshold": 0.5, "fails_below": True, "method": "closed form"}


def test_a_yes_no_conclusion_is_solved_by_brent_never_by_a_closed_form():
    reg = _range(0.0, 1.0)
    c = K.Conclusion("is", "it is so", "test", "y", "is")
    solver = Recording(lambda r: float(r["s"] > 0.3), lambda target, row: 0.3)
    out = K._range_outcome(c, _row(), reg["s"], solver)
    assert solver.targets == [] and out["method"] == "brentq" and out["fails_below"] is True
    assert out["threshold"] == pytest.approx(0.3, abs=1e-12)


def test_a_range_that_fails_above_its_threshold():
    reg = _range(0.0, 1.0)
    c = K.Conclusion("t", "y below 0.6", "test", "y", "<", 0.6)
    out = K._range_outcome(c, _row(), reg["s"], Formula(lambda r: r["s"], lambda target, row: target))
    assert out == {"status": K.THRESHOLD, "threshold": 0.6, "fails_below": False, "method": "closed form"}


@pytest.mark.parametrize(
    "f, status",
    [
        (lambda r: r["s"] + 1.0, K.HOLDS),
        (lambda r: r["s"] - 2.0, K.FAILS),
        (lambda r: (r["s"] - 0.3) * (r["s"] - 0.7), K.MIXED),  # holds below 0.3 and above 0.7: two flips
        (lambda r: np.nan, K.NA),
        (lambda r: np.nan if r["s"] < 0.5 else 1.0, K.MIXED),  # cannot be computed in part of the range
        (lambda r: np.nan if r["s"] < 0.5 else -1.0, K.MIXED),
    ],
)
def test_a_range_that_never_flips_or_flips_twice(f, status):
    assert K._range_outcome(Y_POS, _row(), _range(0.0, 1.0)["s"], Formula(f)) == {"status": status}


def test_a_range_that_holds_only_at_its_bound():
    """y = s - 1 ≥ 0 on [0, 1] holds only at s = 1: the threshold is the bound, and no condition can exclude all but it."""
    reg = _reg(s=(0.0, 1.0))
    c = K.Conclusion("t", "y at least 0", "test", "y", ">=", 0.0)
    f = lambda r: r["s"] - 1.0  # noqa: E731
    g = grade(reg, _table(reg, f, samples=3), "s", solver=Formula(f, lambda target, row: 1.0 + target), c=c)
    assert g["thresholds"] == [{"input": "s", "value": 1.0, "fails": "below", "method": "closed form", "readings": {}}]
    assert (g["grade_kind"], g["condition"]) == ("not_supported", "depends on s together")
    # the mirror: y = -s ≥ 0 holds only at s = 0
    f = lambda r: -r["s"]  # noqa: E731
    g = grade(reg, _table(reg, f, samples=3), "s", solver=Formula(f, lambda target, row: -target), c=c)
    assert g["thresholds"] == [{"input": "s", "value": 0.0, "fails": "above", "method": "closed form", "readings": {}}]
    assert g["grade_kind"] == "not_supported"


def test_the_whole_record_of_a_threshold_condition_takes_the_largest_threshold():
    reg = _with_obs(_reg(k=["low", "high"], s=(0.0, 1.0)), k=("o5",))
    scale = {"low": 0.4, "high": 0.7}

    def f(r):
        return r["s"] - scale[r["k"]]

    c = K.Conclusion("toy", "y is positive", "test", "y", ">", 0.0)
    t = _table(reg, f, samples=3)  # s = 0.25, 0.5, 0.75
    g = grade(reg, t, "k", "s", solver=Formula(f, lambda target, row: target + scale[row["k"]]), c=c)
    assert g == _record(
        g,
        inputs_read=["k", "s"],
        share=pytest.approx(3 / 6),  # 0.5 and 0.75 above 0.4; 0.75 above 0.7
        n_scenarios=2,  # one per reading of k: s is solved
        n_evaluable=2,
        flip_input="s",
        spread=1.0,  # s's samples: 0.25 holds in neither combination, 0.75 in both
        grade="holds unless s ≤ 0.7",  # holds in both combinations above the larger threshold
        grade_kind="unless",
        condition="s ≤ 0.7",
        where_unless=K.Where("s", side="≤", value=0.7),
        thresholds=[
            {"input": "s", "value": 0.4, "fails": "below", "method": "closed form", "readings": {"k": "low"}},
            {"input": "s", "value": 0.7, "fails": "below", "method": "closed form", "readings": {"k": "high"}},
        ],
        output_min=pytest.approx(-0.45),
        output_median=pytest.approx(-0.05),  # the middle of -0.45, -0.2, -0.15 | 0.05, 0.1, 0.35
        output_max=pytest.approx(0.35),
        obs_ids=["o5"],
        share_by_reading={
            "k": {"low": pytest.approx(2 / 3), "high": pytest.approx(1 / 3)},
            "s": {"0.25–0.25": 0.0, "0.5–0.5": 0.5, "0.75–0.75": 1.0},
        },
    )


@pytest.mark.parametrize("fails_above", [False, True])
def test_the_condition_takes_the_threshold_beyond_which_every_combination_holds(fails_above):
    reg = _reg(k=["a", "b", "c"], s=(0.0, 1.0))
    at = {"a": 0.3, "b": 0.6, "c": 0.45}

    def f(r):
        return (at[r["k"]] - r["s"]) if fails_above else (r["s"] - at[r["k"]])

    # one scenario per combination (s = 0.5): the threshold is solved from it, whatever the samples
    g = grade(reg, _table(reg, f, samples=1), "k", "s", solver=Formula(f), c=Y_POS)
    assert [round(t["value"], 12) for t in g["thresholds"]] == [0.3, 0.6, 0.45]
    assert {t["method"] for t in g["thresholds"]} == {"brentq"}
    assert {t["fails"] for t in g["thresholds"]} == {"above" if fails_above else "below"}
    assert g["condition"] == ("s ≥ 0.3" if fails_above else "s ≤ 0.6")
    assert g["where_unless"] == K.Where("s", side="≥" if fails_above else "≤", value=pytest.approx(0.3 if fails_above else 0.6))


def test_a_discrete_condition_is_preferred_to_a_range_one():
    reg = _reg(k=["ok", "mid"], s=(0.0, 1.0))

    def f(r):
        return r["s"] + 1.0 if r["k"] == "ok" else r["s"] - 0.4

    g = grade(reg, _table(reg, f, samples=3), "k", "s", solver=Formula(f), c=Y_POS)
    # k = mid flips at 0.4 (a threshold), k = ok holds everywhere: both 'k is mid' and 's ≤ 0.4' explain it
    assert (g["grade"], g["flip_input"], g["where_unless"]) == ("holds unless k is mid", "k", K.Where("k", ("mid",)))
    assert len(g["thresholds"]) == 1 and g["thresholds"][0]["readings"] == {"k": "mid"}


def test_thresholds_on_both_sides_give_no_range_condition():
    reg = _reg(k=["up", "down"], s=(0.0, 1.0))

    def f(r):
        return r["s"] - 0.5 if r["k"] == "up" else 0.5 - r["s"]

    g = grade(reg, _table(reg, f, samples=3), "k", "s", solver=Formula(f), c=Y_POS)
    assert [t["fails"] for t in g["thresholds"]] == ["below", "above"]
    assert g["grade_kind"] == "not_supported" and g["where_unless"] is None


def test_a_combination_that_fails_over_the_whole_range_gives_no_range_condition():
    reg = _reg(k=["ok", "bad"], s=(0.0, 1.0))

    def f(r):
        return r["s"] - 0.5 if r["k"] == "ok" else -1.0

    g = grade(reg, _table(reg, f, samples=3), "k", "s", solver=Formula(f), c=Y_POS)
    # k = bad fails everywhere: 'k is bad' does not explain k = ok's failures below 0.5, nor 's ≤ 0.5' k = bad's
    assert g["grade_kind"] == "not_supported" and g["where_unless"] is None
    assert [t["readings"] for t in g["thresholds"]] == [{"k": "ok"}]


def test_two_range_inputs_are_graded_on_their_samples():
    reg = _reg(s=(0.0, 1.0), u=(0.0, 1.0))
    f = lambda r: r["s"] + r["u"] - 0.5  # noqa: E731
    solver = Recording(f)
    g = grade(reg, _table(reg, f, samples=2), "s", "u", solver=solver)
    assert solver.asked == [] and g["thresholds"] == [] and g["n_scenarios"] == 4


def test_readings_are_named_in_the_order_of_the_table_not_sorted():
    reg = _reg(a=["z", "y", "x", "w"], b=["r", "q", "p"])
    # fails when a is z or x; cannot be computed when b is r or p
    t = _table(reg, lambda r: np.nan if r["b"] in ("r", "p") else -1.0 if r["a"] in ("z", "x") else 1.0)
    g = grade(reg, t, "a", "b")
    assert g["condition"] == "a is z or x" and g["where_unless"] == K.Where("a", ("z", "x"))
    assert g["not_evaluable"] == "not evaluable when b is r or p" and g["where_not_evaluable"] == K.Where("b", ("r", "p"))
    assert list(g["share_by_reading"]) == ["a", "b"]
    assert list(g["share_by_reading"]["a"].items()) == [("z", 0.0), ("y", 1.0), ("x", 0.0), ("w", 1.0)]
    assert list(g["share_by_reading"]["b"].items()) == [("r", None), ("q", 0.5), ("p", None)]


def test_a_sampled_range_input_before_a_discrete_one_does_not_hide_its_condition():
    reg = _reg(s=(0.0, 1.0), a=["x", "y"])
    g = grade(reg, _table(reg, lambda r: -1.0 if r["a"] == "y" else r["s"], samples=2), "s", "a")
    assert (g["grade"], g["where_unless"], g["n_scenarios"]) == ("holds unless a is y", K.Where("a", ("y",)), 4)
    assert g["share_by_reading"] == {"a": {"x": 1.0, "y": 0.0}}  # s's two samples hold alike (1 of 2)


def test_a_combination_counts_once_whatever_the_inputs_it_does_not_read():
    """Scenarios that differ only in an input the conclusion does not read are one scenario of it."""
    reg = _reg(a=["x", "y"], b=["p", "q", "r"])
    t = pd.DataFrame({"a": ["x", "x", "x", "y"], "b": ["p", "q", "r", "p"], "y": [1.0, 1.0, 1.0, -1.0]})
    g = grade(reg, t, "a")  # y depends on a only: (x, 1) three times is one scenario
    assert (g["share"], g["output_median"], g["n_scenarios"]) == (0.5, 0.0, 2)
    # one computation: rows that differ only in what it does not read count once, rows that disagree each count
    one = grade(reg, pd.DataFrame({"a": ["x", "y", "x"], "b": "p", "y": [4.0, 4.0, -4.0]}))
    assert (one["share"], one["output_median"], one["n_scenarios"], one["grade_kind"]) == (0.5, 0.0, 1, "not_supported")


def test_a_range_with_one_sample_is_not_binned_and_the_inputs_after_it_still_are():
    reg = _reg(s=(0.0, 1.0), a=["x", "y"])
    t = pd.DataFrame({"s": 0.5, "a": ["x", "y"], "y": [1.0, -1.0]})
    g = grade(reg, t, "s", "a")
    assert g["share_by_reading"] == {"a": {"x": 1.0, "y": 0.0}} and g["grade"] == "holds unless a is y"


def test_samples_piled_at_one_value_give_fewer_bins():
    """Three distinct samples, three of five at 0.1: the quantile edges 0.1, 0.1, 0.1667, 0.3 collapse to two bins."""
    reg = _reg(s=(0.0, 1.0))
    t = pd.DataFrame({"s": [0.1, 0.1, 0.1, 0.2, 0.3], "k": [1, 2, 3, 4, 5]})
    t["y"] = [1.0, 2.0, -1.0, 1.0, 1.0]  # the rows at 0.1 differ in y: three scenarios (k is read by nothing)
    c = K.Conclusion("toy", "y is positive", "test", "y", ">", 0.0)
    g = K.grade_one(c, t, reg, {"s": ("s",), "y": ("s",)})
    assert g["share_by_reading"] == {"s": {"0.1–0.1": pytest.approx(2 / 3), "0.2–0.3": 1.0}}


def test_an_output_that_is_not_a_number_is_not_evaluable_there():
    reg = _reg(a=["x", "y", "z"])
    t = pd.DataFrame({"a": ["x", "y", "z"], "y": ["n/a", 2.0, 3.0]})
    g = grade(reg, t, "a")
    assert (g["grade"], g["not_evaluable"], g["output_min"], g["output_max"]) == (
        "holds in every evaluable reading",
        "not evaluable when a is x",
        2.0,
        3.0,
    )


def test_what_a_comparison_of_two_columns_reads_is_the_union_of_both():
    c = K.Conclusion("cmp", "y above bar", "test", "y", ">", "bar")
    reg = _reg(a=["x"], b=["p"], d=["u"])
    assert K.inputs_read(c, {"y": ("b",), "bar": ("a",)}, reg) == ["a", "b"]
    assert K.inputs_read(c, {"y": ("d", "a"), "bar": ()}, reg) == ["a", "d"]


def test_grading_several_conclusions_passes_what_they_read_and_the_solver():
    reg = _reg(k=["lo", "hi"], s=(0.0, 1.0))
    at = {"lo": 0.2, "hi": 0.6}

    def f(r):
        return r["s"] - at[r["k"]]

    t = _table(reg, f, samples=1).assign(z=3.0)
    z_big = K.Conclusion("zbig", "z above 1", "test", "z", ">", 1.0)
    g = K.grade(t, reg, (Y_POS, z_big), {"k": ("k",), "s": ("s",), "y": ("k", "s"), "z": ()}, Formula(f))
    assert g.at["toy", "grade"] == "holds unless s ≤ 0.6" and len(g.at["toy", "thresholds"]) == 2
    assert g.at["zbig", "inputs_read"] == [] and g.at["zbig", "grade"].startswith("holds; it reads no contested input")


def test_a_solved_range_with_one_sample_has_no_spread():
    reg = _reg(k=["a", "b"], s=(0.0, 1.0))
    at = {"a": 0.3, "b": 0.6}

    def f(r):
        return r["s"] - at[r["k"]]

    g = grade(reg, _table(reg, f, samples=1), "k", "s", solver=Formula(f))
    # named by the condition, but its one sample (0.5) is not binned: no spread of its own
    assert (g["flip_input"], g["spread"], g["condition"]) == ("s", 0.0, "s ≤ 0.6")
    assert g["share_by_reading"] == {"k": {"a": 1.0, "b": 0.0}}


def test_a_margin_of_exactly_zero_at_the_low_bound_fails_a_strict_comparison():
    """y = s > 0 on [0, 1] fails only at s = 0: 'holds unless s ≤ 0' (≥ would hold everywhere)."""
    reg = _reg(s=(0.0, 1.0))
    f = lambda r: r["s"]  # noqa: E731
    g = grade(reg, _table(reg, f, samples=2), "s", solver=Formula(f, lambda target, row: target))
    assert g["thresholds"] == [{"input": "s", "value": 0.0, "fails": "below", "method": "closed form", "readings": {}}]
    assert g["condition"] == "s ≤ 0"
    c = K.Conclusion("t", "y at least 0", "test", "y", ">=", 0.0)
    assert grade(reg, _table(reg, f, samples=2), "s", solver=Formula(f), c=c)["grade_kind"] == "every"


def test_a_scenario_without_a_reading_is_not_evaluable_in_no_readings_name():
    reg = _reg(a=["x", "y"])
    t = pd.DataFrame({"a": ["x", np.nan], "y": [1.0, np.nan]})
    g = grade(reg, t, "a")
    assert (g["not_evaluable"], g["where_not_evaluable"]) == (
        "not evaluable in 1 of 2 combinations of its readings",
        K.Where(count=1, total=2),
    )


def test_at_most_holds_at_a_margin_of_exactly_zero():
    """y = 1 - s ≤ 0 on [0, 1] holds only at s = 1: a threshold at the bound (a strict '<' would never hold)."""
    reg = _reg(s=(0.0, 1.0))
    f = lambda r: 1.0 - r["s"]  # noqa: E731
    c = K.Conclusion("t", "y at most 0", "test", "y", "<=", 0.0)
    g = grade(reg, _table(reg, f, samples=2), "s", solver=Formula(f), c=c)
    assert [(t["value"], t["fails"]) for t in g["thresholds"]] == [(1.0, "below")] and g["grade_kind"] == "not_supported"
