import pytest

from kimi_research.errors import ParameterError
from kimi_research.params import Param, _check_one, injected_names, spec, validate_parameters


def ns(**kw):
    return {"entity": "all", "tolerance": 0.05, **kw}


def test_defaults_pass():
    P = validate_parameters("00_data_audit", ns(), {"entities_with_data": ["kimi"]})
    assert P.entity == "all" and P.tolerance == 0.05


def test_unknown_injected_name_fails():
    space = ns(tolerence=0.1, In=["import x", "# Parameters\ntolerence = 0.1\n"])
    with pytest.raises(ParameterError, match="unknown parameter 'tolerence'.*takes entity, tolerance"):
        validate_parameters("00_data_audit", space, {"entities_with_data": ["kimi"]})


def test_wrong_type_and_range_reported_together():
    with pytest.raises(ParameterError) as e:
        validate_parameters("00_data_audit", ns(tolerance="0.1", entity="nobody"), {"entities_with_data": ["kimi"]})
    msg = str(e.value)
    assert "'tolerance' = '0.1'" in msg and "use -p" in msg
    assert "'nobody' has no observations; entities with data: kimi" in msg


@pytest.mark.parametrize("value", [0, 0.0, -1, 0.51, True, float("nan")])
def test_tolerance_out_of_range(value):
    with pytest.raises(ParameterError, match="tolerance"):
        validate_parameters("00_data_audit", ns(tolerance=value), {"entities_with_data": ["kimi"]})


def test_missing_parameter():
    with pytest.raises(ParameterError, match="'entity' is not defined"):
        validate_parameters("00_data_audit", {"tolerance": 0.05}, {})


def test_injected_names_reads_latest_parameters_cell():
    assert injected_names({"In": ["# Parameters\na = 1\n", "x = 2", "# Parameters\nb = 2\nc = 'x'\n"]}) == ["b", "c"]
    assert injected_names({}) == []


def test_param_kinds():
    p = Param("n", "int", 6, "months", low=0)
    assert _check_one(p, 6.0, {}) == (6, None)
    assert "whole number" in _check_one(p, 6.5, {})[1]
    f = Param("c", "float", 0.1, "churn", special=("fit",), low=0, high=1, high_open=True)
    assert _check_one(f, "fit", {}) == ("fit", None)
    assert _check_one(f, 1, {})[1] is not None
    d = Param("start", "date", "", "start")
    assert _check_one(d, "", {})[1] is None and _check_one(d, "2025-13-01", {})[1] is not None
    lst = Param("entities", "str_list", [], "apps", choices=["kimi", "doubao"])
    assert _check_one(lst, ["kimi"], {}) == (["kimi"], None)
    assert "'qwen' is not allowed" in _check_one(lst, ["qwen"], {})[1]
    assert "list of names" in _check_one(lst, "kimi", {})[1]


def test_unknown_notebook():
    with pytest.raises(ParameterError, match="unknown notebook"):
        spec("99_nothing")
