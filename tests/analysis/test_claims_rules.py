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
