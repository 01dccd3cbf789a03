"""The claim rule of notebook 00 at its edges: each relation, the tolerance and the rounding, the gap it reports, an
approximate figure's own precision (issue 24: the survivors of `make mutate` on kimi_research.analysis.claims).
Every expected value is computed here by hand."""

from __future__ import annotations

import pytest

from kimi_research.analysis import claims
from kimi_research.analysis.claims import FAILS, HOLDS, ROUGHLY


@pytest.mark.parametrize(
    "lo, hi, t_lo, t_hi, relation, verdict, gap",
    [
        (100.0, 100.0, 100.0, 100.0, "=", HOLDS, 0.0),
        (100.4, 100.4, 100.0, 100.0, "=", HOLDS, 0.4 / 100.4),  # within the rounding (0.5%)
        (103.0, 103.0, 100.0, 100.0, "=", ROUGHLY, 3 / 103),  # within the tolerance only
        (110.0, 110.0, 100.0, 100.0, "=", FAILS, 10 / 110),
        (95.0, 105.0, 90.0, 100.0, "range", HOLDS, 0.0),  # overlapping ranges
        (103.0, 103.0, 100.0, 100.0, "~", HOLDS, 3 / 103),
        (1.0, 1.0, 1.0, 1.0, ">=", HOLDS, 0.0),
        (1.0, 1.0, 1.0, 1.0, ">", ROUGHLY, 0.0),  # equal is not more
        (0.98, 0.98, 1.0, 1.0, ">", ROUGHLY, 0.02 / 0.98),
        (0.5, 0.5, 1.0, 1.0, ">=", FAILS, 0.5 / 0.5),
        (1.0, 1.0, 1.0, 1.0, "<=", HOLDS, 0.0),
        (1.0, 1.0, 1.0, 1.0, "<", ROUGHLY, 0.0),
        (1.02, 1.02, 1.0, 1.0, "<", ROUGHLY, 0.02 / 1.02),
        (1.2, 1.2, 1.0, 1.0, "<=", FAILS, 0.2 / 1.2),
        (0.0, 0.0, 0.02, 0.02, "~", HOLDS, 0.02),  # a zero midpoint: the gap is absolute
        (0.0, 0.0, 0.01, 0.01, ">", ROUGHLY, 0.01),
    ],
)
def test_each_relation_and_the_gap_it_reports(lo, hi, t_lo, t_hi, relation, verdict, gap):
    got, got_gap = claims.verdict(lo, hi, t_lo, t_hi, relation, 0.05)
    assert got == verdict and got_gap == pytest.approx(gap, abs=1e-15)


def test_an_unknown_relation_is_refused():
    with pytest.raises(ValueError, match=r"^unknown relation 'between'$"):
        claims.verdict(1.0, 1.0, 1.0, 1.0, "between", 0.05)


def test_an_approximate_word_without_a_precision_holds_only_within_the_tolerance():
    assert claims.verdict(2.3, 2.3, 2.0, 2.0, "~", 0.05, claims.ABOUT)[0] == FAILS
    assert claims.verdict(2.05, 2.05, 2.0, 2.0, "~", 0.05, claims.ABOUT)[0] == HOLDS


@pytest.mark.parametrize(
    "value_text, value, base, half",
    [
        ("1,234.5万", 1234.5, 1.2345e7, 500.0),  # a thousands comma is not a decimal point
        ("1，234.5", 1234.5, 1234.5, 0.05),  # nor a full-width one
        ("12-13.5万", 13.5, 1.35e5, 500.0),  # the number equal to the value, not the first
        ("1.0亿", 1.0, 1e8, 5e6),
        ("0.5", 0, 0, 0.05),  # a zero value: no conversion to base units
        ("2.5", None, 5.0, 0.05),
    ],
)
def test_half_a_unit_of_the_digit_written(value_text, value, base, half):
    assert claims.half_unit(value_text, value, base) == pytest.approx(half)


def test_the_claims_table_of_the_frozen_data(ds):
    """Notebook 00's claims table on tests/fixtures/data: its columns, and two claims in full."""
    v = claims.evaluate(ds, 0.05)
    assert v.index.name == "claim_id" and list(v.columns) == [
        "claim_id",
        "source_id",
        "statement",
        "computed_low",
        "computed_high",
        "asserted",
        "target_low",
        "target_high",
        "relation",
        "gap",
        "verdict",
        "approximate",
        "precision",
    ]
    c01 = v.loc["c01"].to_dict()  # 2.2亿 a month, per day of a 31- or 30-day month, against 700万 a day
    assert c01 == {
        "claim_id": "c01",
        "source_id": "s003",
        "statement": "Peak monthly ad spend expressed per day",
        "computed_low": pytest.approx(2.2e8 / 31),
        "computed_high": pytest.approx(2.2e8 / 30),
        "asserted": "700万",
        "target_low": 7e6,
        "target_high": 7e6,
        "relation": "=",
        "gap": pytest.approx((2.2e8 / 31 - 7e6) / ((2.2e8 / 31 + 2.2e8 / 30) / 2)),
        "verdict": ROUGHLY,
        "approximate": "",
        "precision": 0.0,
    }
    c06 = v.loc["c06"].to_dict()  # 65 days apart, 'about two months' (两个月左右): 2 ± half a month
    assert c06 == {
        "claim_id": "c06",
        "source_id": "s002",
        "statement": "DeepSeek V3-0324 and R1-0528 are about two months apart",
        "computed_low": pytest.approx(65 / 30.4375),
        "computed_high": pytest.approx(65 / 30.4375),
        "asserted": "兩個月",
        "target_low": 2.0,
        "target_high": 2.0,
        "relation": "~",
        "gap": pytest.approx((65 / 30.4375 - 2) / (65 / 30.4375)),
        "verdict": HOLDS,
        "approximate": "左右",
        "precision": 0.5,
    }
    assert dict(v["approximate"]) == {f"c{i:02d}": "" for i in range(1, 12)} | {
        "c02": "约",
        "c03": "约",
        "c06": "左右",
        "c11": "接近",
    }
    assert v.at["c11", "precision"] == 5e7 and v.at["c03", "precision"] == 5e3


@pytest.mark.parametrize("lo, hi, text", [(1.0, 1.0, "1"), (1.0, 2.5, "1 to 2.5"), (0.25, 0.25, "0.25")])
def test_a_computed_range_as_written(lo, hi, text):
    assert claims.describe_range(lo, hi) == text


@pytest.mark.parametrize(
    "lo, t, relation, verdict",
    [
        (20.0, 19.0, "=", ROUGHLY),  # a gap of exactly the tolerance (1/20) is still "roughly"
        (200.0, 199.0, "=", HOLDS),  # a gap of exactly the rounding (1/200) still holds
        (20.0, 19.0, "~", HOLDS),
        (20.0, 21.0, ">", ROUGHLY),  # 1/20 short of "more than 21"
    ],
)
def test_a_gap_of_exactly_the_tolerance_or_the_rounding(lo, t, relation, verdict):
    assert claims.verdict(lo, lo, t, t, relation, 0.05)[0] == verdict


def test_the_tolerance_of_the_claims_table(ds):
    assert claims.evaluate(ds).equals(claims.evaluate(ds, 0.05))  # 5% unless said otherwise
    assert (claims.evaluate(ds, 0.99)["verdict"] != claims.FAILS).all()
    for tolerance in (1.0, 1.5):  # a tolerance is a fraction below 1
        with pytest.raises(ValueError, match=r"^tolerance must be in \(0, 1\), got "):
            claims.evaluate(ds, tolerance)


# --- a claims table of its own: the kinds of claim the frozen data does not have ----------------------
def _claims_ds():
    """Six observations and ten claims, written here (what kimi_research.load gives, reduced to what
    claims.evaluate reads)."""
    from types import SimpleNamespace

    import numpy as np
    import pandas as pd

    nan = np.nan
    obs = pd.DataFrame(
        [
            # obs_id, value, value_text, base_value, base_value_high, qualifier
            ("oA", 13.0, "13万", 1.3e5, nan, "="),
            ("oR", 12.0, "12-13.5万", 1.2e5, 1.35e5, "range"),
            ("oS", 250.0, "约250万元", 2.5e6, nan, "="),
            ("oT", 2.0, "接近2亿元", 2e8, nan, "~"),
            ("oM", 2.0, "约2-3个月", 2.0, 3.0, "range"),
            ("oD", 1.57, "1.57亿元", 1.57e8, nan, "="),
        ],
        columns=["obs_id", "value", "value_text", "base_value", "base_value_high", "qualifier"],
    ).set_index("obs_id")
    obs["base_value_per_month"] = nan
    claims_ = pd.DataFrame(
        [
            # claim_id, expression, relation (nan: the target row's qualifier), target, quote, statement
            ("k1", "oA", nan, "oR", "十三万", "within the range"),
            ("k2", "oA * 30", ">", "oS", "", "more than the target"),
            ("k3", "oA * 20", nan, "oS", "", "the target"),
            ("k4", "oA * 1000 + 30000000", nan, "oT", "", "the target"),
            ("k5", "oA * 1000 + 110000000", nan, "oT", "", "the target"),
            ("k6", "2.45", "~", "2", "两个月左右", "about two months"),
            ("k7", "2.46", "=", "2.5", "", "nearly 2.5 months"),
            ("k8", "-0.5", "<", "-0.3", "约30%", "a fall of more than 30%"),
            ("k9", "3.4", nan, "oM", "", "two to three months"),
            ("k10", "1.6e8", nan, "oD", "", "roughly 1.57亿"),
        ],
        columns=["claim_id", "expression", "relation", "target", "quote", "statement"],
    ).set_index("claim_id")
    claims_["source_id"] = "s9"
    events = pd.DataFrame({"date": pd.to_datetime(["1970-01-11"])}, index=pd.Index(["e1"], name="event_id"))
    return SimpleNamespace(claims=claims_, observations=obs, events=events)


def test_a_claims_table_of_every_kind():
    v = claims.evaluate(_claims_ds(), 0.05)
    rows = {cid: {k: v.at[cid, k] for k in ("relation", "verdict", "approximate", "precision")} for cid in v.index}
    assert rows == {
        # no relation of its own: the target's qualifier; a range target from base_value to base_value_high
        "k1": {"relation": "range", "verdict": HOLDS, "approximate": "", "precision": 0.0},
        # its own relation, not the target's "=": 3.9e6 > 2.5e6 holds (as "=" it would fail: 36% off); the "about"
        # of the target's text does not apply to a comparison
        "k2": {"relation": ">", "verdict": HOLDS, "approximate": "", "precision": 0.0},
        # 约 in the target's text: 2.6e6 against 2.5e6 ± 5,000 is outside the precision but within the tolerance
        # (1/26): holds (a flat "=" would be "roughly")
        "k3": {"relation": "=", "verdict": HOLDS, "approximate": "约", "precision": 5000.0},
        # 接近2亿: [1.5亿, 2亿] at half a unit of 亿; 1.6亿 is in it though 25% off
        "k4": {"relation": "~", "verdict": HOLDS, "approximate": "接近", "precision": 5e7},
        # 2.4亿 is above a figure approached from below, and 1/6 off: fails
        "k5": {"relation": "~", "verdict": FAILS, "approximate": "接近", "precision": 5e7},
        # a number as target: its precision from the number written (2: ±0.5), the word from the quote first
        "k6": {"relation": "~", "verdict": HOLDS, "approximate": "左右", "precision": 0.5},
        # the word from the statement; 2.5 written to a tenth: [2.45, 2.5]
        "k7": {"relation": "=", "verdict": HOLDS, "approximate": "nearly", "precision": 0.05},
        "k8": {"relation": "<", "verdict": HOLDS, "approximate": "", "precision": 0.0},
        # "about 2-3 months" as a range: [1.5, 3.5]; 3.4 is in it though 0.4/3.4 beyond the range's end
        "k9": {"relation": "range", "verdict": HOLDS, "approximate": "约", "precision": 0.5},
        # the word in the claim's statement only; 1.57亿 written to the hundredth of 亿: ± 50万
        "k10": {"relation": "=", "verdict": HOLDS, "approximate": "roughly", "precision": pytest.approx(5e5)},
    }
    assert v.loc["k1"].to_dict() == {
        "claim_id": "k1",
        "source_id": "s9",
        "statement": "within the range",
        "computed_low": 1.3e5,
        "computed_high": 1.3e5,
        "asserted": "12-13.5万",
        "target_low": 1.2e5,
        "target_high": 1.35e5,
        "relation": "range",
        "gap": 0.0,
        "verdict": HOLDS,
        "approximate": "",
        "precision": 0.0,
    }
    assert (v.at["k3", "target_low"], v.at["k3", "target_high"], v.at["k3", "asserted"]) == (2.5e6, 2.5e6, "约250万元")
    assert v.at["k3", "gap"] == pytest.approx(1 / 26)
    assert v.at["k9", "gap"] == pytest.approx(0.4 / 3.4) and v.at["k10", "gap"] == pytest.approx(0.03e8 / 1.6e8)
    assert v.at["k4", "gap"] == pytest.approx(0.25) and v.at["k5", "gap"] == pytest.approx(1 / 6)
    assert (v.at["k6", "asserted"], v.at["k6", "target_low"], v.at["k6", "gap"]) == ("2", 2.0, pytest.approx(0.45 / 2.45))
    assert (v.at["k8", "target_low"], v.at["k8", "target_high"], v.at["k8", "gap"]) == (-0.3, -0.3, 0.0)
    # without their approximate words k3 would be "roughly", k4 and k6 would fail
    assert claims.verdict(2.6e6, 2.6e6, 2.5e6, 2.5e6, "=", 0.05)[0] == ROUGHLY
    assert claims.verdict(1.6e8, 1.6e8, 2e8, 2e8, "~", 0.05)[0] == FAILS


# --- an approximate figure's precision at its edges, and the float noise (eps) allowed there ---------------
# 2 ± 0.5 ("about two months"): eps = 1e-9 × the largest of |t_lo|, |t_hi| and the half unit = 2e-9
@pytest.mark.parametrize(
    "value, verdict",
    [
        (2.5 + 2e-9, HOLDS),  # exactly the upper edge plus the float noise allowed
        (2.5 + 1e-9, HOLDS),
        (2.5 + 1e-6, FAILS),  # beyond it: 20% off, outside the tolerance too
        (1.5 - 2e-9, HOLDS),  # the lower edge
        (1.5 - 1e-9, HOLDS),
        (1.5 - 1e-6, FAILS),
    ],
)
def test_the_edges_of_an_about_figure(value, verdict):
    gap = abs(value - 2) / value
    assert claims.verdict(value, value, 2.0, 2.0, "~", 0.05, claims.ABOUT, 0.5) == (verdict, pytest.approx(gap))


@pytest.mark.parametrize(
    "lo, t_lo, t_hi, half, edge",
    [
        (4.5 + 3e-9, 1.0, 4.0, 0.5, "above"),  # eps from |t_hi| (4e-9), not |t_lo| (1e-9)
        (-4.5 - 3e-9, -4.0, -1.0, 0.5, "below"),  # eps from |t_lo| (4e-9): a negative range
        (0.1 + 0.5 + 3e-10, 0.1, 0.1, 0.5, "above"),  # eps from the half unit (5e-10), not |t| (1e-10)
    ],
)
def test_the_float_noise_allowed_scales_with_the_largest_of_the_figures(lo, t_lo, t_hi, half, edge):
    assert claims.verdict(lo, lo, t_lo, t_hi, "range", 0.05, claims.ABOUT, half)[0] == HOLDS
    # twice as far out is outside the precision, and more than 5% off
    far = {"above": lo + (lo - (t_hi + half)), "below": lo - ((t_lo - half) - lo)}[edge]
    assert claims.verdict(far, far, t_lo, t_hi, "range", 0.05, claims.ABOUT, half)[0] == FAILS


def test_an_approximate_figure_off_by_exactly_the_tolerance_still_holds():
    # 20 against "about 19" written with no precision: a gap of exactly 1/20
    assert claims.verdict(20.0, 20.0, 19.0, 19.0, "~", 0.05, claims.ABOUT, 0.0) == (HOLDS, 0.05)
    assert claims.verdict(20.0, 20.0, 19.0, 19.0, "~", 0.0499, claims.ABOUT, 0.0)[0] == FAILS


def test_an_approximate_word_is_looked_for_in_every_text_given_skipping_missing_ones():
    nan = float("nan")
    assert claims.approximate_word(nan, None, "", "约3个月") == (claims.ABOUT, "约")
    assert claims.approximate_word("", "nearly three") == (claims.NEARLY, "nearly")
    assert claims.approximate_word("三个月", nan) is None


def test_half_a_unit_of_the_first_number_when_none_equals_the_value():
    assert claims.half_unit("250万元", 7.0, 1.0) == pytest.approx(0.5 / 7)
    assert claims.half_unit("兩個月", 2.0, 2.0) == 0.5  # a figure in words is a whole number
