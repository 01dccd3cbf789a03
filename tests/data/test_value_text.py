"""How a value_text is read: the signed numbers it writes, so that `value` can be checked against it."""

from __future__ import annotations

import pytest

from kimi_research.data.units import UNITS, normalise, number_problem, numbers_in_text, read_value_text, unit_conflict


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


# --- units read from the text (issue 21.1) ------------------------------------------------------
@pytest.mark.parametrize(
    "text,numbers,magnitude,marker",
    [
        ("992.6万", [992.6], 1e4, None),
        ("992.6萬", [992.6], 1e4, None),  # traditional
        ("1.69 億", [1.69], 1e8, None),
        ("688(萬)", [688], 1e4, None),  # a table's unit in brackets
        ("36亿次", [36], 1e8, None),  # a counter is a plain count
        ("1個億", [1], 1e8, None),
        ("300多万", [300], 1e4, None),
        ("數(shù)千萬", [2, 9], 1e7, None),  # pinyin gloss removed, 数 = 2 to 9
        ("十几万", [11, 19], 1e4, None),
        ("百万tokens", [100], 1e4, "tokens"),  # 百 is the number: 100 of 万tokens
        ("万亿", [1], 1e12, None),
        ("超亿元", [1], 1e8, "CNY"),
        ("2.2億元", [2.2], 1e8, "CNY"),
        ("超10亿美元", [10], 1e8, "USD"),  # 美元, not 元
        ("$4.3 billion", [4.3], 1e9, "USD"),
        ("¥30", [30], 1, "CNY"),
        ("15-17.5 million yuan", [15, 17.5], 1e6, "CNY"),
        ("19 millions", [19], 1e6, None),
        ("70%", [70], 1, "%"),
        ("百分之三十", [30], 1, "%"),
        ("9倍", [9], 1, "倍"),
        ("翻倍", [2], 1, "倍"),
        ("200萬字", [200], 1e4, "characters"),
        ("兩個月", [2], 1, "months"),
        ("20天", [20], 1, "days"),
        ("第四", [4], 1, "rank"),
        ("前三", [3], 1, "rank"),
        ("榜首", [1], 1, "rank"),
        ("fourth", [4], 1, "rank"),
        ("top 3", [3], 1, "rank"),
        ("No. 7", [7], 1, "rank"),
        ("4th", [4], 1, "rank"),
        ("三十", [30], 1, None),
        ("twenty-one", [21], 1, None),
        ("5个百分点", [5], 1, "pp"),  # percentage points, not a magnitude 百
        ("1.5万港元", [1.5], 1e4, "HKD"),  # 港元 is not 元
        ("3000万新台币", [3000], 1e4, "TWD"),
    ],
)
def test_reading_of_value_text(text, numbers, magnitude, marker):
    r = read_value_text(text)
    assert list(r.numbers) == numbers and r.magnitude == magnitude and r.marker == marker, r


@pytest.mark.parametrize("text", ["several", "no number here", "大量", "many"])
def test_words_without_a_number_are_not_read(text):
    r = read_value_text(text)
    assert not r.read
    assert number_problem(r).startswith(f"no number was read from value_text {text!r}")


@pytest.mark.parametrize(
    "text,unit,dimension",
    [
        ("992.6万", "万", "count"),
        ("2101万", "万", "count"),
        ("1.24亿", "亿元", "CNY"),  # 元 implied by the metric
        ("700万", "万元", "CNY"),
        ("30元", "元", "CNY"),
        ("70%", "%", "ratio"),
        ("$500 million", "million USD", "USD"),
        ("19 millions", "million", "count"),
        ("1.5 million", "百万", "count"),  # a magnitude in another script is the same magnitude
        ("五位", "rank", "rank"),  # a rank written without 第
        ("0.5", "ratio", "ratio"),
        ("兩個", "ratio", "ratio"),
        ("数千万", "千万", "count"),
        ("數(shù)千萬", "千万元", "CNY"),
        ("百万tokens", "万tokens", "tokens"),
        ("几千字", "千字", "characters"),
    ],
)
def test_units_that_agree_with_their_text(text, unit, dimension):
    assert unit_conflict(read_value_text(text), unit, dimension) is None


@pytest.mark.parametrize(
    "text,unit,dimension,says",
    [
        ("992.6万", "亿", "count", "10,000 times too large); write unit '万'"),
        ("1.24亿", "万元", "CNY", "10,000 times too small); write unit '亿元'"),
        ("2101", "万", "count", "writes no magnitude word"),
        ("2.2亿元", "亿美元", "CNY", "writes '元' (a CNY amount), unit '亿美元' is a USD amount; write unit '亿元'"),
        ("$30", "元", "CNY", "writes '$' (a USD amount)"),
        ("70%", "ratio", "ratio", "write unit '%'"),
        ("0.7", "%", "ratio", "writes no % sign; write unit 'ratio'"),
        ("9倍", "%", "ratio", "write unit '倍'"),
        ("第四", "count", "count", "writes '第' (a rank)"),
        ("20天", "月", "months", "writes '天' (days), unit '月' is months"),
        ("5个百分点", "%", "ratio", "no unit of the vocabulary writes that"),
        ("1.5万港元", "万元", "CNY", "an HKD amount"),
        ("8000万-1.2亿", "万", "count", "a range whose ends carry different magnitudes (万 and 亿)"),
    ],
)
def test_units_that_contradict_their_text(text, unit, dimension, says):
    why = unit_conflict(read_value_text(text), unit, dimension)
    assert why is not None and says in why and repr(text) in why
