"""Numbers and units as written, against tables written here by hand (issue 24: the survivors of `make mutate`
on kimi_research.data.units).

Each row is what a reader of the articles or of a chart sees: a Chinese numeral and the number it means, a
magnitude written with 个 or 多, a percentage written 百分之, a rank after 排名; a base value as a chart label
(every dimension, every qualifier, a range) and as the articles' 万/亿 prose at the edges of each magnitude.
"""

from __future__ import annotations

import pytest

from kimi_research.data import units
from kimi_research.data.units import (
    RANK,
    UNITS,
    Reading,
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


# --- the reading regexes, built on first use (issue 24: _alternation ran only at import) ---------------------
def test_an_alternation_is_longest_first_and_latin_words_are_whole_words():
    """Longest word first (ties in the order given); a word starting with a Latin letter may not follow one, a
    word ending with one may not be followed by one; a guard is appended to its word; signs are escaped."""
    assert units._alternation(["万", "mn", "百万"], {"万": "(?!x)"}) == r"(?<![a-z])mn(?![a-z])|百万|万(?!x)"
    assert units._alternation(["no.", "万tokens", "us$", "ab"]) == (
        r"万tokens(?![a-z])|(?<![a-z])no\.|(?<![a-z])us\$|(?<![a-z])ab(?![a-z])"
    )


@pytest.mark.parametrize("word, latin", [("a1", True), ("a中", True), ("mn", True), ("中a", False), ("1a", False), ("$", False)])
def test_a_latin_word_starts_with_an_ascii_letter(word, latin):
    assert units._latin(word) is latin


@pytest.fixture
def cold_regexes():
    """The reading regexes and the reading cache emptied: the test reads through regexes built anew."""
    for f in (units._mag_re, units._marker_re, read_value_text):
        f.cache_clear()
    yield
    read_value_text.cache_clear()


@pytest.mark.parametrize(
    "text, magnitude, magnitude_word, marker, marker_word, read",
    [
        ("column", 1.0, "", None, "", False),  # the mn inside a word is no magnitude
        ("5 mnx", 1.0, "", None, "", True),
        ("5 mn", 1e6, "mn", None, "", True),
        ("2101万", 1e4, "万", None, "", True),
        ("5 mio. euros", 1e6, "mio.", "EUR", "euros", True),  # mio. before mio: the euros are then read
        ("5百分点", 1.0, "", "pp", "百分点", True),  # 百分点 is not 百
        ("3 dollars", 1.0, "", "USD", "dollars", True),
        ("3 dollarsx", 1.0, "", None, "", True),
        ("3个月", 1.0, "", "months", "月", True),  # 个 between the number and its word is skipped
    ],
)
def test_what_the_regexes_read_when_built_anew(cold_regexes, text, magnitude, magnitude_word, marker, marker_word, read):
    r = read_value_text(text)
    assert (r.magnitude, r.magnitude_word, r.marker, r.marker_word, r.read) == (
        magnitude,
        magnitude_word,
        marker,
        marker_word,
        read,
    )


@pytest.mark.parametrize("text", ["xusd 5", "(xusd 5)", "5 xusd"])
def test_a_latin_sign_glued_after_a_letter_is_no_sign(text):
    assert read_value_text("usd 5").marker == "USD"
    assert read_value_text(text).marker is None


# --- messages about a reading made by hand (a unit word the names table does not know) ----------------------
def test_a_marker_without_a_name_is_written_as_itself():
    r = Reading("5", (5.0,), marker="zzz", marker_word="zz")
    assert r.describe() == "5 zz (zzz)"
    nothing = "no unit of the vocabulary writes that: add one to UNITS in lib/kimi_research/data/units.py"
    assert unit_conflict(r, "元") == f"the unit value_text writes: '5' writes 'zz' (zzz), unit '元' is a CNY amount; {nothing}"
    # without the word that wrote it: the marker's name alone
    no_word = Reading("5", (5.0,), marker="zzz")
    assert unit_conflict(no_word, "元") == f"the unit value_text writes: '5' writes zzz, unit '元' is a CNY amount; {nothing}"
    usd = Reading("5", (5.0,), marker="USD")
    assert (
        unit_conflict(usd, "元")
        == "the unit value_text writes: '5' writes a USD amount, unit '元' is a CNY amount; write unit '美元'"
    )


def test_a_unit_whose_marker_has_no_name_is_written_as_its_marker(monkeypatch):
    monkeypatch.setitem(units.UNIT_PARTS, "zz单位", (1.0, "zzz"))
    cny = read_value_text("5元")
    assert (
        unit_conflict(cny, "zz单位")
        == "the unit value_text writes: '5元' writes '元' (a CNY amount), unit 'zz单位' is zzz; write unit '元'"
    )
    plain = read_value_text("5")
    assert (
        unit_conflict(plain, "zz单位")
        == "the unit value_text writes: unit 'zz单位' is zzz, but '5' writes no zzz sign; write unit 'count'"
    )


def test_every_unit_word_the_reader_returns_has_a_name():
    """Why MARKER_NAMES.get(m, m) and .get(m) give the same text for every reading of a value_text."""
    returned = set(units._MARKERS.values()) | set(units._PREFIX_MARKERS.values()) | {RANK}
    in_units = {mk for _, mk in units.UNIT_PARTS.values() if mk}
    assert returned | in_units <= set(units.MARKER_NAMES)


def test_no_word_before_or_after_a_number_is_an_empty_word():
    """What the reader's helpers return when nothing is written around the number: no unit word and no text for
    it (the prefix and the suffix of '5' in ' 5 ')."""
    assert units._prefix(" 5 ", 1) == (None, "")
    assert units._suffix(" 5 ", 2) == (1.0, "", None, "", 3)
    assert units._prefix("$5", 1) == ("USD", "$")
    assert units._suffix("5万元", 1) == (1e4, "万", "CNY", "元", 3)


def test_a_rank_word_before_a_percentage_written_bai_fen_zhi_is_still_read():
    """前百分之十 (the top 10%): 百分之十 becomes 10%, right after the 前 a reader sees as a rank word, so the text
    writes two unit words and one unit cannot say it."""
    r = read_value_text("前百分之十")
    assert (r.numbers, r.marker, r.marker_word, r.problem) == ((10.0,), RANK, "前", "two unit words (前 and %)")
