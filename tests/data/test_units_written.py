"""Numbers and units as written, against tables written here by hand (issue 24: the survivors of `make mutate`
on kimi_research.data.units).

Each row is what a reader of the articles or of a chart sees: a Chinese numeral and the number it means, a
magnitude written with 个 or 多, a percentage written 百分之, a rank after 排名; a base value as a chart label
(every dimension, every qualifier, a range) and as the articles' 万/亿 prose at the edges of each magnitude.
"""

from __future__ import annotations

import pytest

from kimi_research.data.units import (
    RANK,
    UNITS,
    format_cn,
    format_en,
    normalise,
    number_problem,
    read_value_text,
    suggest_unit,
    unit_conflict,
    unit_parts,
)


# --- reading what a source writes ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, number",
    [
        ("十", 10),
        ("十五", 15),
        ("三十", 30),
        ("二十五", 25),
        ("九十九", 99),
        ("百", 100),
        ("一百二十", 120),
        ("三百五十", 350),
        ("二零二五", 2025),  # digits written one after the other: a year
    ],
)
def test_chinese_numerals(text, number):
    r = read_value_text(text)
    assert r.numbers == (float(number),) and r.magnitude == 1 and r.marker is None


@pytest.mark.parametrize(
    "text, numbers, magnitude, magnitude_word, marker, marker_word",
    [
        ("1个亿", (1.0,), 1e8, "亿", None, ""),  # 个 between the number and its magnitude
        ("5个百分点", (5.0,), 1, "", "pp", "百分点"),  # ... or its unit word
        ("3个月", (3.0,), 1, "", "months", "月"),
        ("20多万", (20.0,), 1e4, "万", None, ""),  # 多 ('more than') between the number and the magnitude
        ("2千万", (2.0,), 1e7, "千万", None, ""),  # two magnitude words, one magnitude
        ("3 million", (3.0,), 1e6, "million", None, ""),
        ("992.6万", (992.6,), 1e4, "万", None, ""),
        ("数(shù)千萬", (2.0, 9.0), 1e7, "千万", None, ""),  # a gloss in brackets is not read
        ("百分之三十", (30.0,), 1, "", "%", "%"),
        ("百分之12.5", (12.5,), 1, "", "%", "%"),
        ("$ 500", (500.0,), 1, "", "USD", "$"),  # a currency sign before the number, a space between
        ("排名第4", (4.0,), 1, "", RANK, "第"),  # 第 after other Chinese words is still a rank
        ("第十二", (12.0,), 1, "", RANK, "第"),
    ],
)
def test_magnitudes_and_unit_words_as_written(text, numbers, magnitude, magnitude_word, marker, marker_word):
    r = read_value_text(text)
    assert (r.numbers, r.magnitude, r.magnitude_word, r.marker, r.marker_word, r.problem) == (
        numbers,
        magnitude,
        magnitude_word,
        marker,
        marker_word,
        "",
    )


# --- chart labels ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "base, dimension, qualifier, high, label",
    [
        (7, "rank", "=", None, "#7"),
        (3, "rank", "<=", None, "top 3"),
        (5, "rank", ">=", None, "≥#5"),
        (2e6, "characters", "=", None, "2m chars"),
        (4e6, "tokens", "=", None, "4m tokens"),
        (3.6e7, "count", ">=", None, "≥36m"),
        (1e6, "count", "~", None, "~1m"),
        (1e6, "count", "?", None, "1m"),  # an unknown qualifier writes nothing
        (2.2e8, "USD", "=", None, "USD 220m"),
        (0.05, "ratio", "=", None, "5%"),
        (12.3, "ratio", "=", None, "1,230%"),
        (1.5e7, "count", "range", 2e7, "15m–20m"),
        (1e7, "CNY", "range", 2e7, "CNY 10m–20m"),
        (1e6, "count", "=", 2e6, "1m"),  # a high end only for a range
        (1e6, "count", "range", float("nan"), "1m"),  # a range without its high end
    ],
)
def test_chart_labels(base, dimension, qualifier, high, label):
    assert format_en(base, dimension, qualifier, high) == label


@pytest.mark.parametrize(
    "base, label",
    [
        (5, "5"),
        (0.5, "0.5"),
        (999, "999"),
        (999.7, "1k"),  # rounds to 1,000: the next scale, never '1,000' or '1e+03'
        (1000, "1k"),
        (204_000, "204k"),
        (999.96e6, "1bn"),
        (1.5e12, "1.5tn"),
        (1e15, "1,000tn"),
        (-2.2e8, "-220m"),
    ],
)
def test_counts_in_charts_have_three_digits_and_a_scale(base, label):
    assert format_en(base, "count") == label


@pytest.mark.parametrize(
    "value, kwargs, text",
    [
        (9999, {}, "9999"),
        (1e4, {}, "1万"),  # 万 from 10,000 on
        (4.2e7, {}, "4200万"),  # trailing zeros trimmed
        (1e8, {}, "1亿"),  # 亿 from 100 million on
        (1.5552e8, {"wan_only": True}, "15552万"),
        (5000, {"digits": 0}, "5000"),  # no decimal point: nothing to trim
        (4.2e7, {"trim": False}, "4200.0万"),
        (-2.2e8, {"unit": "元"}, "-2.2亿元"),
    ],
)
def test_prose_counts_and_amounts_at_the_edges_of_each_magnitude(value, kwargs, text):
    assert format_cn(value, **kwargs) == text


# --- the messages the loader shows for a unit or a value that contradicts its text ------------------------
@pytest.mark.parametrize(
    "text, unit, dimension, message",
    [
        (
            "992.6万",
            "亿",
            "count",
            "the magnitude value_text writes: '992.6万' writes 万 (×10,000), unit '亿' is ×100,000,000 "
            "(the value would be 10,000 times too large); write unit '万'",
        ),
        (
            "1.24亿",
            "万元",
            "CNY",
            "the magnitude value_text writes: '1.24亿' writes 亿 (×100,000,000), unit '万元' is ×10,000 "
            "(the value would be 10,000 times too small); write unit '亿元'",
        ),
        (
            "4th",
            "万",
            "count",
            "the magnitude value_text writes: '4th' writes no magnitude word (万, 亿, million ...), unit '万' is ×10,000 "
            "(the value would be 10,000 times too large); write unit 'rank', and check the metric (it is measured in count)",
        ),
        (
            "3万亿元",
            "亿元",
            "CNY",
            "the magnitude value_text writes: '3万亿元' writes 万亿 (×1,000,000,000,000), unit '亿元' is ×100,000,000 "
            "(the value would be 10,000 times too small); no unit of the vocabulary writes that: add one to UNITS in "
            "lib/kimi_research/data/units.py",
        ),
        (
            "30元",
            "美元",
            "USD",
            "the unit value_text writes: '30元' writes '元' (a CNY amount), unit '美元' is a USD amount; "
            "write unit '元', and check the metric (it is measured in USD)",
        ),
        (
            "2.2亿元",
            "亿",
            "count",
            "the unit value_text writes: '2.2亿元' writes '元' (a CNY amount), unit '亿' is a plain number; "
            "write unit '亿元', and check the metric (it is measured in count)",
        ),
        (
            "30",
            "%",
            "ratio",
            "the unit value_text writes: unit '%' is a percentage, but '30' writes no % sign; write unit 'ratio'",
        ),
        (
            "8000万-1.2亿",
            "万",
            "count",
            "one unit for value_text '8000万-1.2亿', which writes a range whose ends carry different magnitudes (万 and 亿); "
            "a row has one unit: write the range in two rows (qualifier >= and <=) with their own value_text",
        ),
        ("36亿次", "亿", None, None),
        ("several", "万", "count", None),  # nothing read: nothing to contradict
    ],
)
def test_the_message_for_a_unit_that_contradicts_its_text(text, unit, dimension, message):
    assert unit_conflict(read_value_text(text), unit, dimension) == message


def test_the_message_for_a_value_that_is_not_the_number_written():
    assert number_problem(read_value_text("992.6万")) == "value_text '992.6万' reads 992.6"
    assert number_problem(read_value_text("several")) == (
        "no number was read from value_text 'several' (read are: digits, Chinese numerals 一…百, 第N, 前N, 数/几, "
        "a bare 万/亿, English one…twenty and first…twentieth, 翻倍); write value_text as the quote writes the number"
    )


def test_the_messages_for_an_unknown_unit_or_a_missing_value():
    with pytest.raises(ValueError) as e:
        normalise(1, "亿日元")
    assert str(e.value) == "unknown unit '亿日元'; known units: " + ", ".join(UNITS)
    with pytest.raises(ValueError) as e:
        normalise(float("nan"), "万")
    assert str(e.value) == "value is missing"


@pytest.mark.parametrize(
    "text, dimension, unit",
    [
        ("19 millions", "count", "million"),
        ("992.6万", None, "万"),
        ("1.24亿", "CNY", "亿元"),
        ("30%", None, "%"),
        ("3万亿元", "CNY", None),
    ],
)
def test_the_unit_suggested_for_a_text(text, dimension, unit):
    assert suggest_unit(read_value_text(text), dimension) == unit


@pytest.mark.parametrize(
    "text, described",
    [
        ("992.6万", "992.6 × 万 (10,000)"),
        ("36亿次", "36 × 亿 (100,000,000)"),
        ("30%", "30 % (a percentage)"),
        ("几千万元", "2 and 9 × 千万 (10,000,000) 元 (a CNY amount)"),
        ("12-13元", "12 and 13 元 (a CNY amount)"),
        ("第4", "rank 4"),
        ("several", "no number"),
    ],
)
def test_what_a_value_text_is_read_as_in_the_loaders_messages(text, described):
    assert read_value_text(text).describe() == described


def test_more_readings_and_units_as_written():
    r = read_value_text("3万多元")  # 多 between the magnitude and the unit word
    assert (r.magnitude, r.marker, r.marker_word) == (1e4, "CNY", "元")
    r = read_value_text("5 thousand million")  # two English magnitude words, one magnitude
    assert (r.magnitude, r.magnitude_word) == (1e9, "thousand million")
    assert read_value_text("US$500").marker_word == "us$"  # the longest sign written, not '$'
    assert suggest_unit(read_value_text("3百万"), "count") == "百万"  # the text's own word before 'million'
    with pytest.raises(ValueError, match=r"^unit '万foo' is not a magnitude and a unit word$"):
        unit_parts("万foo")
