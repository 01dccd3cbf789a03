import pytest

from kimi_research.analysis import claims


def test_safe_eval_basic_and_range():
    ns = {"a": 2.2e8, "b": 10.0}
    assert claims.safe_eval("a / 31", ns) == pytest.approx(7_096_774.19, rel=1e-6)
    assert claims.safe_eval("(a / 31, a / 30)", ns) == pytest.approx((7_096_774.19, 7_333_333.33), rel=1e-6)
    assert claims.safe_eval("max(b, 3) - -1", ns) == 11


@pytest.mark.parametrize("expr", ["__import__('os')", "a.real", "[a]", "a if b else b", "open('x')", "(a, b, a)"])
def test_safe_eval_rejects(expr):
    with pytest.raises(ValueError):
        claims.safe_eval(expr, {"a": 1.0, "b": 2.0})


def test_safe_eval_unknown_name():
    with pytest.raises(ValueError, match="unknown name 'c'"):
        claims.safe_eval("c + 1", {"a": 1.0})


@pytest.mark.parametrize(
    "lo,hi,t,rel,tol,expected",
    [
        (709.7, 733.3, 700, "=", 0.05, claims.ROUGHLY),
        (700.0, 700.0, 700, "=", 0.05, claims.HOLDS),
        (-0.2946, -0.2946, -0.30, "~", 0.05, claims.HOLDS),
        (-0.2946, -0.2946, -0.30, "~", 0.005, claims.FAILS),
        (240, 260, 250, "~", 0.05, claims.HOLDS),
        (2.2, 2.2, 2.0, "~", 0.05, claims.FAILS),  # outside the tolerance: never "roughly holds"
        (2.09, 2.09, 2.0, "~", 0.05, claims.HOLDS),
        (5.45, 5.45, 1, ">", 0.05, claims.HOLDS),
        (0.98, 0.98, 1, ">", 0.05, claims.ROUGHLY),
        (0.5, 0.5, 1, ">", 0.05, claims.FAILS),
        (0.5, 0.5, 1, "<", 0.05, claims.HOLDS),
    ],
)
def test_verdicts(lo, hi, t, rel, tol, expected):
    assert claims.verdict(lo, hi, t, t, rel, tol)[0] == expected


def test_real_claims(ds):
    v = claims.evaluate(ds, 0.05)
    c01 = v.loc["c01"]
    assert (round(c01["computed_low"] / 1e4, 1), round(c01["computed_high"] / 1e4, 1)) == (709.7, 733.3)
    assert c01["verdict"] == claims.ROUGHLY
    assert round(v.at["c02", "computed_low"], 4) == -0.2946 and v.at["c02", "verdict"] == claims.HOLDS
    assert (v.at["c03", "computed_low"], v.at["c03", "computed_high"]) == (2.4e6, 2.6e6)
    assert v.at["c03", "verdict"] == claims.HOLDS
    assert v.at["c06", "computed_low"] == pytest.approx(65 / 30.4375)
    assert v.at["c08", "computed_low"] == pytest.approx(2e8 / (1.1e8 / 3))
    assert set(v["verdict"]) <= {claims.HOLDS, claims.ROUGHLY, claims.FAILS}


def test_outside_the_tolerance_is_never_roughly(ds):
    """Every claim graded "roughly holds" misses by no more than the tolerance (issue 13 section 4)."""
    for tol in (0.01, 0.05, 0.1):
        v = claims.evaluate(ds, tol)
        assert (v.loc[v["verdict"] == claims.ROUGHLY, "gap"] <= tol).all()
        assert (v.loc[v["gap"] > tol, "verdict"] == claims.FAILS).all()


def test_tolerance_validated(ds):
    with pytest.raises(ValueError, match="tolerance"):
        claims.evaluate(ds, 0)
