"""The helpers around the grading rule of notebook 05 (issue 24: the functions `make mutate` found no fast test
for): which inputs vary, the count of each grade, which sentence a grade allows, grading several conclusions at
once, and the message for a conclusion reading a column the engine does not compute."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kimi_research.analysis import conclusions as K
from kimi_research.analysis import contested as C


def _discrete(name: str, keys: list[str]) -> C.ContestedInput:
    return C.ContestedInput(name, f"{name}?", C.DISCRETE, readings=tuple(C.Reading(k, k, k) for k in keys))


REG = {"a": _discrete("a", ["x", "y"]), "b": _discrete("b", ["p", "q"])}
TABLE = pd.DataFrame({"a": ["x", "x", "y", "y"], "b": ["p", "q", "p", "q"], "y": [1.0, 1.0, -1.0, 1.0], "z": 2.0})
POSITIVE = K.Conclusion("pos", "y is positive", "test", "y", ">", 0.0)
Z_BIG = K.Conclusion("zbig", "z is above one", "test", "z", ">", 1.0)


def test_inputs_that_vary_are_the_registrys_columns_with_more_than_one_value():
    t = TABLE.assign(b="p", c=[1, 2, 3, 4])  # b no longer varies; c is not a contested input
    assert K.varied_inputs(t, REG) == ["a"]
    assert K.varied_inputs(TABLE.assign(b=["p", np.nan, "p", "p"]), REG) == ["a", "b"]  # a missing reading is one


def test_grading_several_conclusions_gives_one_row_each():
    depends = {"a": ("a",), "b": ("b",), "y": ("a", "b"), "z": ()}
    g = K.grade(TABLE, REG, (POSITIVE, Z_BIG), depends)
    assert list(g.index) == ["pos", "zbig"] and list(g["id"]) == ["pos", "zbig"]
    assert g.at["pos", "grade"] == "holds unless a is y" and g.at["zbig", "grade_kind"] == "every"
    assert K.counts(g) == {"every": 1, "unless": 1, "not_supported": 0, "not_evaluable": 0}


def test_a_column_the_engine_does_not_compute_is_named():
    with pytest.raises(KeyError, match="pos: column 'y' is not an output of the scenario engine"):
        K.inputs_read(POSITIVE, {"z": ()}, REG)
    assert K.inputs_read(POSITIVE, {"y": ("b", "a")}, REG) == ["a", "b"]  # in registry order


@pytest.mark.parametrize(
    "grade_kind, claimed, allowed",
    [
        ("every", "every", True),
        ("every", "unless", True),
        ("unless", "unless", True),
        ("unless", "not_supported", True),
        ("unless", "every", False),
        ("not_supported", "unless", False),
        ("not_evaluable", "not_supported", True),
        ("not_evaluable", "unless", False),
    ],
)
def test_a_sentence_may_state_as_much_as_the_grade_or_less(grade_kind, claimed, allowed):
    assert K.allows(grade_kind, claimed) is allowed
