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
