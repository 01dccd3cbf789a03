"""Property-based tests of the unit rules (issue 24): what holds for every value, not for a few.

* a value normalised (``units.normalise``) then formatted (``units.format_cn`` and the
  presentation formatters) reads back as itself, within the formatter's rounding;
* a value_text written as a number, a magnitude and a unit word reads back as exactly those,
  its unit is found, and the normalised value is the number times the words' factor;
* a unit of another magnitude or another unit word than the text writes is always refused.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kimi_research.data.units import (
    UNIT_PARTS,
    UNITS,
    format_cn,
    format_en,
    normalise,
    read_value_text,
    suggest_unit,
    unit_conflict,
)
from kimi_research.presentation import format as fmt

# no example database in the checkout; no deadline on a shared, loaded machine
settings.register_profile("kimi", database=None, deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("kimi")

# magnitudes and unit words as a source writes them, with what they mean (written here, by hand)
MAGNITUDES = {"": 1, "万": 1e4, "萬": 1e4, "亿": 1e8, "億": 1e8, "千万": 1e7, "百万": 1e6, "万亿": 1e12}
EN_MAGNITUDES = {"": 1, " million": 1e6, " millions": 1e6, " billion": 1e9}
WORDS = {"": None, "元": "CNY", "美元": "USD", "%": "%", "倍": "倍", "字": "characters", "tokens": "tokens", "天": "days"}
EN_WORDS = {"": None, " yuan": "CNY", " USD": "USD"}
DIMENSION_OF_WORD = {None: "count", "CNY": "CNY", "USD": "USD", "%": "ratio", "倍": "ratio"}
DIMENSION_OF_WORD |= {"characters": "characters", "tokens": "tokens", "days": "days"}

# numbers as written in a value_text: up to 6 digits before and 2 after the point
written_numbers = st.builds(
    lambda whole, frac, n: f"{whole}.{frac:0{n}d}".rstrip("0").rstrip(".") if n else str(whole),
    st.integers(1, 999_999),
    st.integers(0, 99),
    st.sampled_from([0, 1, 2]),
).filter(lambda s: s != "0")


def _close(back: float, base: float, half_step: float) -> bool:
    """Within the formatter's rounding (half its last digit), a rounding exactly at .5 included."""
    return abs(back - base) <= half_step * (1 + 1e-9) + 1e-9 * abs(base)


def _read_back(text: str) -> float:
    r = read_value_text(text)
    assert r.read and len(r.numbers) == 1, (text, r)
    return r.numbers[0] * r.magnitude * {"%": 0.01}.get(r.marker, 1)


@given(written_numbers, st.sampled_from(["万", "亿", "百万", "千万"]))
def test_a_count_normalised_then_formatted_in_chinese_reads_back(number, unit):
    """normalise -> format_cn (the articles' 万/亿 style) -> read: the same count, to the digits shown."""
    base, dim = normalise(float(number), unit)
    assert dim == "count"
    for digits in (1, 2):
        text = format_cn(base, digits=digits)
        magnitude = read_value_text(text).magnitude
        assert _close(_read_back(text), base, 0.5 * 10**-digits * magnitude), text
    text = fmt.users_zh(base)
    assert _close(_read_back(text), base, 0.005 * read_value_text(text).magnitude), text


@given(written_numbers, st.sampled_from(["元", "万元", "亿元", "千万元"]))
def test_an_amount_normalised_then_formatted_reads_back(number, unit):
    base, dim = normalise(float(number), unit)
    text = fmt.cny_zh(base)  # '3666.7万元', '2.2亿元'
    r = read_value_text(text)
    assert r.marker == "CNY" and dim == "CNY"
    assert _close(_read_back(text), base, 0.05 * r.magnitude), text


_EN_SCALE = {"": 1, "k": 1e3, "m": 1e6, "bn": 1e9, "tn": 1e12}


@given(written_numbers, st.sampled_from(["万", "亿", "million", "亿元", "万美元"]))
def test_a_value_normalised_then_formatted_in_english_reads_back(number, unit):
    """normalise -> format_en ('14.1m', 'CNY 220m'): three significant digits."""
    base, dim = normalise(float(number), unit)
    text = format_en(base, dim)
    m = re.fullmatch(r"(?:(CNY|USD) )?([0-9.,]+)(k|m|bn|tn)?", text)  # never an exponent ('1e+03bn')
    assert m, text
    assert (m.group(1) or "count") == dim
    back = float(m.group(2).replace(",", "")) * _EN_SCALE[m.group(3) or ""]
    assert back == pytest.approx(base, rel=5e-3)


@given(st.integers(-9999, 99999), st.sampled_from([1, 2]))
def test_a_percentage_normalised_then_formatted_reads_back(tenths, digits):
    number = tenths / 10
    base, dim = normalise(number, "%")
    assert dim == "ratio"
    text = fmt.pct(base, digits=digits).replace(fmt.MINUS, "-")
    assert _close(_read_back(text), base, 0.5 * 10**-digits * 0.01), text
    chart = format_en(base, "ratio")  # '41.6%', '3,365%' (three significant digits, no exponent)
    assert re.fullmatch(r"-?[0-9.,]+%", chart), chart
    assert float(chart[:-1].replace(",", "")) / 100 == pytest.approx(base, rel=5e-3, abs=1e-12)


@st.composite
def value_texts(draw):
    """A value_text as a Chinese or an English source writes it, with the number, magnitude and word."""
    number = draw(written_numbers)
    if draw(st.booleans()):
        mag_word, word = draw(st.sampled_from(sorted(MAGNITUDES))), draw(st.sampled_from(sorted(WORDS)))
        magnitude, marker = MAGNITUDES[mag_word], WORDS[word]
        prefix = draw(st.sampled_from(["", "超", "约", "达到", "近"]))
        suffix = draw(st.sampled_from(["", "以上", "左右"])) if marker is None else ""
        text = f"{prefix}{number}{mag_word}{word}{suffix}"
    else:
        mag_word, word = draw(st.sampled_from(sorted(EN_MAGNITUDES))), draw(st.sampled_from(sorted(EN_WORDS)))
        magnitude, marker = EN_MAGNITUDES[mag_word], EN_WORDS[word]
        text = f"{number}{mag_word}{word}"
    return text, Decimal(number), magnitude, marker


@given(value_texts())
def test_an_accepted_value_text_round_trips(case):
    """Read -> the unit it writes -> normalise: the number times the written factor, exactly as written."""
    text, number, magnitude, marker = case
    r = read_value_text(text)
    assert list(r.numbers) == [float(number)] and r.magnitude == magnitude and r.marker == marker, (text, r)
    dim = DIMENSION_OF_WORD[marker]
    unit = suggest_unit(r, dim)
    if unit is None:  # a magnitude the vocabulary has no unit for in this dimension (万亿元): refused
        assert unit_conflict(r, "count" if dim == "count" else next(u for u in UNITS if UNITS[u][1] == dim), dim)
        return
    assert unit_conflict(r, unit, dim) is None
    base, got_dim = normalise(float(number), unit)
    assert got_dim == dim
    assert base == pytest.approx(float(number) * magnitude * {"%": 0.01}.get(marker, 1), rel=1e-12)


@given(written_numbers, st.sampled_from(sorted(UNITS)), st.sampled_from(sorted(UNITS)))
def test_a_unit_of_another_magnitude_or_word_is_refused(number, written, claimed):
    """value_text '<number><unit>' (992.6万) with any unit of another magnitude or word (亿) is refused;
    with its own unit it is accepted."""
    if written in ("count", "ratio", "rank"):  # names, not words written in a text
        return
    text = f"{number}{written}" if written[0] not in "mbUt" else f"{number} {written}"
    r = read_value_text(text)
    dim = UNITS[claimed][1]
    assert unit_conflict(r, written, UNITS[written][1]) is None, text
    mag_w, word_w = UNIT_PARTS[written]
    mag_c, word_c = UNIT_PARTS[claimed]
    refused = unit_conflict(r, claimed, dim) is not None
    if mag_w != mag_c or (word_w is not None and word_w != word_c):
        assert refused, (text, claimed)
    assert math.isclose(normalise(float(number), written)[0], float(number) * UNITS[written][0], rel_tol=1e-12)
