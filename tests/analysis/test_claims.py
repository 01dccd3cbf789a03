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
        plain = v["approximate"] == ""  # an approximate figure may hold at its own precision (issue 19: c06)
        assert (v.loc[(v["gap"] > tol) & plain, "verdict"] == claims.FAILS).all()
        assert (v.loc[v["gap"] > tol, "verdict"] != claims.ROUGHLY).all()


def test_tolerance_validated(ds):
    with pytest.raises(ValueError, match="tolerance"):
        claims.evaluate(ds, 0)


# --- approximate words: the figure at its own precision ---------------------------------------------
@pytest.mark.parametrize(
    "text, kind, word",
    [
        ("V3 0324與R1 0528之間相差兩個月左右", claims.ABOUT, "左右"),
        ("环比下降约30%", claims.ABOUT, "约"),
        ("環比下降約30%", claims.ABOUT, "約"),
        ("大约250万元", claims.ABOUT, "大约"),
        ("差不多两个月", claims.ABOUT, "差不多"),
        ("about two months apart", claims.ABOUT, "about"),
        ("roughly 30%", claims.ABOUT, "roughly"),
        ("Around 2 months", claims.ABOUT, "Around"),
        ("approximately 700万", claims.ABOUT, "approximately"),
        ("其单月广告投放金额最高时接近2亿元", claims.NEARLY, "接近"),
        ("将近两个月", claims.NEARLY, "将近"),
        ("近2亿元", claims.NEARLY, "近"),
        ("nearly 2 months", claims.NEARLY, "nearly"),
        ("close to 2亿", claims.NEARLY, "close to"),
    ],
)
def test_approximate_words_are_read(text, kind, word):
    assert claims.approximate_word(text) == (kind, word)


@pytest.mark.parametrize("text", ["最近两个月", "签约2家", "相当于每天烧掉700万", "单月投流费用最高达2.2亿", "about", ""])
def test_words_that_are_not_approximate_figures(text):
    assert claims.approximate_word(text) in (None, (claims.ABOUT, "about"))
    if text != "about":
        assert claims.approximate_word(text) is None


@pytest.mark.parametrize(
    "value_text, value, base, half",
    [
        ("兩個月", 2, 2, 0.5),
        ("下降约30%", -30, -0.3, 0.005),
        ("250万元", 250, 2.5e6, 5e3),
        ("1.57億元", 1.57, 1.57e8, 5e5),
        ("2", None, None, 0.5),
    ],
)
def test_half_a_unit_of_the_last_written_digit(value_text, value, base, half):
    assert claims.half_unit(value_text, value, base) == pytest.approx(half)


@pytest.mark.parametrize(
    "computed, verdict",
    [
        (2.0, claims.HOLDS),
        (2.4999, claims.HOLDS),
        (2.5, claims.HOLDS),
        (2.5001, claims.FAILS),
        (1.5, claims.HOLDS),
        (1.4999, claims.FAILS),
    ],
)
def test_about_two_months_is_two_plus_or_minus_half_a_month(computed, verdict):
    """'两个月左右' at its own precision: 1.5 to 2.5 months (wider than a 5% tolerance: 1.9 to 2.1)."""
    assert claims.verdict(computed, computed, 2.0, 2.0, "~", 0.05, claims.ABOUT, 0.5)[0] == verdict


def test_the_tolerance_still_applies_when_it_is_wider():
    # 约250万元 at its precision is ±5,000元 (0.2%); 2.6 million is 4% off: within a 5% tolerance
    assert claims.verdict(2.6e6, 2.6e6, 2.5e6, 2.5e6, "~", 0.05, claims.ABOUT, 5e3)[0] == claims.HOLDS
    assert claims.verdict(2.7e6, 2.7e6, 2.5e6, 2.5e6, "~", 0.05, claims.ABOUT, 5e3)[0] == claims.FAILS  # 8%, never "roughly"


@pytest.mark.parametrize(
    "computed, verdict",
    [
        (2.0e8, claims.HOLDS),
        (1.6e8, claims.HOLDS),
        (1.5e8, claims.HOLDS),
        (1.4e8, claims.FAILS),
        (2.05e8, claims.HOLDS),
        (2.2e8, claims.FAILS),
    ],
)
def test_nearly_approaches_the_figure_from_below(computed, verdict):
    """'接近2亿元': from 1.5亿 (half a unit below) up to 2亿; above it only within the tolerance (2.05亿: 2.4%)."""
    assert claims.verdict(computed, computed, 2e8, 2e8, "~", 0.05, claims.NEARLY, 0.5e8)[0] == verdict


def test_c06_about_two_months_holds_and_c11_close_to_2yi_still_fails(ds):
    v = claims.evaluate(ds, 0.05)
    assert v.at["c06", "approximate"] == "左右" and v.at["c06", "precision"] == pytest.approx(0.5)
    assert v.at["c06", "gap"] > 0.05 and v.at["c06", "verdict"] == claims.HOLDS  # 2.14 months: outside 5%, inside ±0.5
    assert v.at["c11", "approximate"] == "接近" and v.at["c11", "verdict"] == claims.FAILS  # 2.2亿 is not 'nearly 2亿'
    assert v.at["c01", "approximate"] == "" and v.at["c01", "verdict"] == claims.ROUGHLY  # 相当于 is not approximate
    counts = v["verdict"].value_counts()
    assert counts.get(claims.FAILS, 0) == 1
