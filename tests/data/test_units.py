import math

import pytest

from kimi_research.data.units import DAYS_PER_MONTH, UNITS, format_cn, format_en, normalise, numbers_in_text, unit_parts


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


# Every unit of the vocabulary, with the factor and dimension its words mean, written here by
# hand (not read from UNITS): a wrong factor in UNITS (亿 as a count worth 1e7) fails this table.
UNIT_TABLE = {
    "count": (1, "count"),
    "万": (1e4, "count"),
    "百万": (1e6, "count"),
    "million": (1e6, "count"),
    "千万": (1e7, "count"),
    "亿": (1e8, "count"),
    "billion": (1e9, "count"),
    "千亿": (1e11, "count"),
    "万亿": (1e12, "count"),
    "元": (1, "CNY"),
    "万元": (1e4, "CNY"),
    "百万元": (1e6, "CNY"),
    "million CNY": (1e6, "CNY"),
    "千万元": (1e7, "CNY"),
    "亿元": (1e8, "CNY"),
    "billion CNY": (1e9, "CNY"),
    "美元": (1, "USD"),
    "USD": (1, "USD"),
    "万美元": (1e4, "USD"),
    "million USD": (1e6, "USD"),
    "亿美元": (1e8, "USD"),
    "billion USD": (1e9, "USD"),
    "%": (0.01, "ratio"),
    "倍": (1, "ratio"),
    "ratio": (1, "ratio"),
    "千字": (1e3, "characters"),
    "万字": (1e4, "characters"),
    "tokens": (1, "tokens"),
    "万tokens": (1e4, "tokens"),
    "rank": (1, "rank"),
    "月": (1, "months"),
    "天": (1, "days"),
}


def test_the_unit_table_covers_the_vocabulary():
    assert set(UNITS) == set(UNIT_TABLE)


@pytest.mark.parametrize("unit", list(UNIT_TABLE))
def test_every_unit_against_the_written_table(unit):
    factor, dim = UNIT_TABLE[unit]
    assert normalise(1, unit) == (factor, dim)
    assert normalise(3.5, unit)[0] == pytest.approx(3.5 * factor, rel=1e-15)


@pytest.mark.parametrize("unit", list(UNIT_TABLE))
def test_every_unit_reads_as_its_words(unit):
    """The loader checks a unit against value_text through its words (亿元 = 亿 and 元): the words
    must give the unit's factor, so that the text check and the normalisation agree."""
    magnitude, marker = unit_parts(unit)
    assert magnitude * {"%": 0.01}.get(marker, 1) == UNIT_TABLE[unit][0] == UNITS[unit][0]


def test_plain_yi_counts_users_and_visits_on_the_frozen_data(ds):
    """亿 without 元 (users, visits): the supplement uses it for every large app (issue 24)."""
    o = ds.observations
    assert o.at["o000_02", "value_text"] == "36亿次" and o.at["o000_02", "base_value"] == 3_600_000_000
    assert o.at["o004_19", "value_text"] == "破亿" and o.at["o004_19", "base_value"] == 100_000_000
    assert o.at["o004_17", "value_text"] == "992.6万" and o.at["o004_17", "base_value"] == 9_926_000


@pytest.mark.parametrize(
    "base,dimension,text",
    [
        (14_072_000, "count", "14.1m"),
        (999_499, "count", "999k"),
        (999_500, "count", "1m"),  # was '1e+03k': rounding to 1,000 moves to the next scale
        (999.5e9, "count", "1tn"),  # was '1e+03bn' (found by tests/data/test_units_properties.py)
        (1.5e15, "count", "1,500tn"),
        (2.2e8, "CNY", "CNY 220m"),
        (0.416, "ratio", "41.6%"),
        (33.65, "ratio", "3,365%"),  # was '3.36e+03%' (o015_09, Kimi's DAU change)
    ],
)
def test_format_en_never_writes_an_exponent(base, dimension, text):
    assert format_en(base, dimension) == text
