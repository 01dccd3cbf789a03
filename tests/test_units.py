import math

import pytest

from kimi_research.data.units import DAYS_PER_MONTH, UNITS, format_cn, normalise, numbers_in_text


@pytest.mark.parametrize(
    "value,unit,base,dim",
    [
        (2.2, "亿元", 2.2e8, "CNY"),
        (480, "万元", 4.8e6, "CNY"),
        (8, "亿美元", 8e8, "USD"),
        (1407.2, "万", 14_072_000, "count"),
        (41.6, "%", 0.416, "ratio"),
        (200, "万字", 2_000_000, "characters"),
        (400, "万tokens", 4_000_000, "tokens"),
        (1, "万亿", 1e12, "count"),
        (7, "rank", 7, "rank"),
    ],
)
def test_normalise(value, unit, base, dim):
    got, got_dim = normalise(value, unit)
    assert math.isclose(got, base, rel_tol=1e-12)
    assert got_dim == dim


def test_currencies_and_text_units_stay_apart():
    assert normalise(1, "亿元")[1] != normalise(1, "亿美元")[1]
    assert normalise(1, "万字")[1] != normalise(1, "万tokens")[1]


def test_unknown_unit_names_known_ones():
    with pytest.raises(ValueError, match="unknown unit '亿日元'.*万元"):
        normalise(1, "亿日元")


def test_missing_value_rejected():
    with pytest.raises(ValueError, match="missing"):
        normalise(float("nan"), "万")


@pytest.mark.parametrize(
    "text,numbers",
    [
        ("2.2亿元", [2.2]),
        ("12-13元", [12, 13]),
        ("第九", [9]),
        ("前三", [3]),
        ("百万tokens", [100]),
        ("超亿元", [1]),
        ("万亿", [1]),
        ("數(shù)千萬", [2, 9]),
        ("几千字", [2, 9]),
        ("榜首", [1]),
        ("3600万以上", [3600]),
        ("兩個", [2]),
        ("全球第一", [1]),
        ("no number", None),
    ],
)
def test_numbers_in_text(text, numbers):
    assert numbers_in_text(text) == numbers


def test_format_cn():
    assert format_cn(14_072_000) == "1407.2万"
    assert format_cn(2.2e8, "元") == "2.2亿元"


def test_days_per_month():
    assert DAYS_PER_MONTH == pytest.approx(30.4375)
    assert all(f > 0 for f, _ in UNITS.values())
