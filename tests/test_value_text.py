"""How a value_text is read: the signed numbers it writes, so that `value` can be checked against it."""

from __future__ import annotations

import pytest

from kimi_research.data.units import UNITS, normalise, numbers_in_text


@pytest.mark.parametrize(
    "text,numbers",
    [
        ("2.2亿元", [2.2]),
        ("12-13元", [12, 13]),  # a range, not 12 and -13
        ("15亿-20亿", [15, 20]),
        ("-9.6%", [-9.6]),
        ("增速為-9.6%", [-9.6]),
        ("(−5%)", [-5]),
        ("下降约30%", [-30]),  # the sign is written as a word
        ("蒸发13.84%", [-13.84]),
        ("累跌3.52%", [-3.52]),
        ("增长22.4%", [22.4]),
        ("1,234.5万", [1234.5]),  # a thousands separator
        ("２.２亿", [2.2]),  # full-width digits in the text are read ...
        ("第九", [9]),
        ("數千萬", [2, 9]),
        ("超亿元", [1]),
        ("1個億", [1]),
        ("143 million", [143]),
        ("no number here", None),
    ],
)
def test_numbers_in_text(text, numbers):
    assert numbers_in_text(text) == numbers


@pytest.mark.parametrize(
    "text,numbers",
    [
        ("33,7 millions", [33.7]),
        ("1 000,5 millions", [1000.5]),
        ("22,2 millions d’utilisateurs", [22.2]),
    ],
)
def test_decimal_comma(text, numbers):
    assert numbers_in_text(text, decimal_comma=True) == numbers


def test_new_units():
    assert normalise(143, "million") == (1.43e8, "count")
    assert normalise(1.5, "百万") == (1.5e6, "count")
    assert normalise(2, "billion") == (2e9, "count")
    assert normalise(500, "million USD") == (5e8, "USD")
    assert normalise(6, "million CNY") == (6e6, "CNY")
    assert {UNITS[u][1] for u in ("百万元", "million CNY", "billion CNY")} == {"CNY"}
