"""Unit normalisation: one table, one function (tested in tests/data/test_units.py).

Values are stored in ``data/observations.csv`` as the article writes them (``2.2`` with unit
``亿元``); the base value (``2.2e8`` CNY) is computed here, never typed. Currencies stay apart:
``亿元`` is CNY, ``亿美元`` is USD. ``万字`` counts Chinese characters, not tokens.

The value_text of a row is read here too (:func:`read_value_text`: its numbers, the magnitude
and the unit word written with them), so that the loader can refuse a ``value`` that is not the
number written and a ``unit`` that contradicts the words (:func:`unit_conflict`: ``992.6万``
with unit ``亿``). Tested in tests/data/test_value_text.py and, as properties, tests/data/test_units_properties.py.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache

# unit as written -> (factor to the base unit, dimension)
UNITS: dict[str, tuple[float, str]] = {
    "count": (1.0, "count"),
    "万": (1e4, "count"),
    "百万": (1e6, "count"),
    "million": (1e6, "count"),
    "千万": (1e7, "count"),
    "billion": (1e9, "count"),
    "亿": (1e8, "count"),
    "千亿": (1e11, "count"),
    "万亿": (1e12, "count"),
    "元": (1.0, "CNY"),
    "万元": (1e4, "CNY"),
    "百万元": (1e6, "CNY"),
    "million CNY": (1e6, "CNY"),
    "千万元": (1e7, "CNY"),
    "亿元": (1e8, "CNY"),
    "billion CNY": (1e9, "CNY"),
    "美元": (1.0, "USD"),
    "USD": (1.0, "USD"),
    "万美元": (1e4, "USD"),
    "million USD": (1e6, "USD"),
    "亿美元": (1e8, "USD"),
    "billion USD": (1e9, "USD"),
    "%": (0.01, "ratio"),
    "倍": (1.0, "ratio"),
    "ratio": (1.0, "ratio"),
    "千字": (1e3, "characters"),
    "万字": (1e4, "characters"),
    "tokens": (1.0, "tokens"),
    "万tokens": (1e4, "tokens"),
    "rank": (1.0, "rank"),
    "月": (1.0, "months"),
    "天": (1.0, "days"),
}
DIMENSIONS = sorted({dim for _, dim in UNITS.values()})
DAYS_PER_MONTH = 365.25 / 12


def normalise(value: float, unit: str) -> tuple[float, str]:
    """Return ``(value in base units, dimension)`` for a value written in ``unit``.

    >>> normalise(2.2, "亿元")
    (220000000.0, 'CNY')
    """
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}; known units: {', '.join(UNITS)}")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        raise ValueError("value is missing")
    factor, dim = UNITS[unit]
    return float(value) * factor, dim


def format_cn(value: float, unit: str = "", digits: int = 1, trim: bool = True, wan_only: bool = False) -> str:
    """A base-unit count or CNY amount the way the articles write it, for prose.

    1.4072e7 -> '1407.2万', 2.2e8 -> '2.2亿' (+ unit: '2.2亿元'); trailing zeros trimmed
    ('4200万', not '4200.0万'); ``wan_only`` keeps 万 above 1亿 ('15520万').
    """
    a = abs(value)
    if a >= 1e8 and not wan_only:
        s, mag = f"{value / 1e8:.{digits}f}", "亿"
    elif a >= 1e4:
        s, mag = f"{value / 1e4:.{digits}f}", "万"
    else:
        s, mag = f"{value:.{digits}f}", ""
    if trim and "." in s:
        s = s.rstrip("0").rstrip(".")
    return s + mag + unit


_SCALES = [(1e12, "tn"), (1e9, "bn"), (1e6, "m"), (1e3, "k")]
_QUAL = {"=": "", ">": ">", ">=": "≥", "<": "<", "<=": "≤", "~": "~", "range": ""}


def _short(x: float) -> str:
    """Three significant digits and a scale: '14.1m', '204k'; never an exponent (999.7k is '1m')."""
    scales = [*_SCALES[::-1], (float("inf"), "")]  # k, m, bn, tn, then nothing bigger
    f, suffix = 1.0, ""
    for i, (g, name) in enumerate(scales[:-1]):
        if abs(x) >= g:
            f, suffix = g, name
            # 999.7k rounds to '1e+03k': write it in the next scale instead
            if f"{x / f:.3g}".find("e") >= 0 and scales[i + 1][0] != float("inf"):
                f, suffix = scales[i + 1]
    if abs(x) < 1e3 and "e" in f"{x:.3g}":  # 999.7 -> '1k'
        f, suffix = 1e3, "k"
    s = f"{x / f:.3g}"
    return (s if "e" not in s else f"{x / f:,.0f}") + suffix


def format_en(base: float, dimension: str, qualifier: str = "=", high: float | None = None) -> str:
    """A base value in English, for chart labels: 'CNY 220m', '≥36m', '#7', '41.6%', '2m chars'."""
    q = _QUAL.get(qualifier, "")
    if dimension == "rank":
        return f"{'top ' if qualifier == '<=' else q}{'#' if qualifier != '<=' else ''}{base:.0f}"
    if dimension == "ratio":
        s = f"{base * 100:.3g}%" if abs(base) < 9.995 else f"{base * 100:,.0f}%"  # 3,365%, not 3.36e+03%
    elif dimension in ("CNY", "USD"):
        s = f"{dimension} {_short(base)}"
    elif dimension == "characters":
        s = f"{_short(base)} chars"
    elif dimension == "tokens":
        s = f"{_short(base)} tokens"
    else:
        s = _short(base)
    if high is not None and high == high and qualifier == "range":
        s = f"{s}–{_short(high)}"
    return f"{q}{s}"


# --- numbers and units as written ----------------------------------------------------------
# A value_text is read into its numbers, the magnitude word written after them (万, 亿, million
# ...) and the unit word written with them (元, 美元, %, 倍, 字, tokens, 天, 月, a rank's 第/前 ...),
# so that the loader can check `value` against the numbers and `unit` against the words.

# words written before a number that make it negative (下降约30% -> -30)
NEGATIVE_WORDS = (
    "下降",
    "下跌",
    "下滑",
    "减少",
    "減少",
    "降低",
    "蒸发",
    "蒸發",
    "累跌",
    "跌",
    "缩水",
    "縮水",
    "流失",
    "fell",
    "fall",
    "down",
    "decline",
    "dropped",
    "drop",
    "baisse",
    "recul",
)
_MINUS = "-−–"  # hyphen-minus, minus sign, en dash
# a dash is a minus sign at the start of the text or after one of these (为-9.6%, (−5%)), else a range
_SIGN_CONTEXT = " \t\u00a0(（:：=为為是达達约約"
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，－％＄￥（）", "0123456789.,-%$¥()")
# traditional -> simplified, for the characters the reader looks at (the data keeps what the source writes)
_SIMPLIFIED = str.maketrans("萬億個兩數幾組臺幣歐鎊塊圓點週", "万亿个两数几组台币欧镑块元点周")
# a pinyin gloss after a character (數(shù)千萬): not part of the number
_GLOSS = re.compile(r"(?<=[\u3400-\u9fff])\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")

# Chinese numerals: digits and the two small multipliers (千, 万, 亿 are magnitudes, read after)
_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_MULT = {"十": 10, "百": 100}
_CN_RUN = re.compile("[" + "".join(_CN_DIGIT) + "".join(_CN_MULT) + "]+")
# 数/几 ("several"): 2 to 9 of what follows (数千万 = 2千万 to 9千万); 十几 = 11 to 19
_VAGUE = re.compile(r"(十)?[数几]")
_EN_CARDINAL = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_EN_ORDINAL = {
    w: i
    for i, w in enumerate(
        "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
        "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split()
    )
    if i
}
_EN_WORD = re.compile(
    r"(?<![a-z])(?:("
    + "|".join(_EN_TENS)
    + r")(?:-("
    + "|".join(list(_EN_CARDINAL)[1:10])
    + r"))?|("
    + "|".join(sorted(_EN_CARDINAL, key=len, reverse=True))
    + ")|("
    + "|".join(sorted(_EN_ORDINAL, key=len, reverse=True))
    + r"))(?![a-z])"
)
# multiples written as words: 翻倍 / 翻一番 = ×2, 翻两番 = ×4, doubled = ×2 ...
_MULTIPLE_WORDS = [
    (re.compile(r"翻了?一?(?:倍|番)"), "2倍"),
    (re.compile(r"翻了?两番"), "4倍"),
    (re.compile(r"(?<![a-z])doubled?(?![a-z])"), "2倍"),
    (re.compile(r"(?<![a-z])tripled?(?![a-z])"), "3倍"),
    (re.compile(r"(?<![a-z])quadrupled?(?![a-z])"), "4倍"),
    (re.compile(r"(?<![a-z])(?:half|一半|半数)(?![a-z])"), "0.5"),
]

# magnitude words (multiplied when written together: 千万 = 1e7, 万亿 = 1e12)
_MAGNITUDES = {
    "十": 1e1,
    "百": 1e2,
    "千": 1e3,
    "万": 1e4,
    "亿": 1e8,
    "thousands": 1e3,
    "thousand": 1e3,
    "millions": 1e6,
    "million": 1e6,
    "mln": 1e6,
    "mio.": 1e6,
    "mio": 1e6,
    "mn": 1e6,
    "billions": 1e9,
    "billion": 1e9,
    "milliards": 1e9,
    "milliarden": 1e9,
    "milliarde": 1e9,
    "milliard": 1e9,
    "mrd.": 1e9,
    "mrd": 1e9,
    "bn": 1e9,
    "trillions": 1e12,
    "trillion": 1e12,
    "tn": 1e12,
    "k": 1e3,  # 200k, 14.1m, $4b: letters right after the number, as English headlines write them
    "m": 1e6,
    "b": 1e9,
}
# unit words written after the number (and magnitude) -> what they mean
_MARKERS = {
    "美元": "USD",
    "美金": "USD",
    "usd": "USD",
    "us dollars": "USD",
    "dollars": "USD",
    "dollar": "USD",
    "人民币": "CNY",
    "元": "CNY",
    "块": "CNY",
    "yuan": "CNY",
    "rmb": "CNY",
    "cny": "CNY",
    "港元": "HKD",
    "港币": "HKD",
    "hkd": "HKD",
    "新台币": "TWD",
    "台币": "TWD",
    "twd": "TWD",
    "日元": "JPY",
    "jpy": "JPY",
    "yen": "JPY",
    "欧元": "EUR",
    "eur": "EUR",
    "euros": "EUR",
    "英镑": "GBP",
    "gbp": "GBP",
    "百分点": "pp",
    "percentage points": "pp",
    "pp": "pp",
    "%": "%",
    "percent": "%",
    "per cent": "%",
    "pct": "%",
    "成": "成",
    "倍": "倍",
    "times": "倍",
    "fold": "倍",
    "字": "characters",
    "characters": "characters",
    "chars": "characters",
    "tokens": "tokens",
    "token": "tokens",
    "天": "days",
    "days": "days",
    "day": "days",
    "个月": "months",
    "月": "months",
    "months": "months",
    "month": "months",
    "周": "weeks",
    "星期": "weeks",
    "weeks": "weeks",
    "小时": "hours",
    "hours": "hours",
    "年": "years",
    "years": "years",
}
# unit words written before the number
_PREFIX_MARKERS = {
    "us$": "USD",
    "hk$": "HKD",
    "nt$": "TWD",
    "$": "USD",
    "usd": "USD",
    "¥": "CNY",
    "rmb": "CNY",
    "cny": "CNY",
    "人民币": "CNY",
    "€": "EUR",
    "£": "GBP",
}
# a rank: 第四, 前三, 榜首, top 3, No. 4, #4, 4th, fourth
_RANK_PREFIXES = ("第", "前", "排名", "top", "no.", "#", "ranked", "rank")
_RANK_WORDS = ("榜首",)
RANK = "rank"
# what each unit word stands for, in messages
MARKER_NAMES = {
    "CNY": "a CNY amount",
    "USD": "a USD amount",
    "HKD": "an HKD amount",
    "TWD": "a TWD amount",
    "JPY": "a JPY amount",
    "EUR": "a EUR amount",
    "GBP": "a GBP amount",
    "pp": "percentage points",
    "%": "a percentage",
    "成": "tenths (成)",
    "倍": "a multiple",
    "characters": "characters",
    "tokens": "tokens",
    "days": "days",
    "months": "months",
    "weeks": "weeks",
    "hours": "hours",
    "years": "years",
    RANK: "a rank",
}
MARKER_FACTOR = {"%": 0.01}  # the unit word's own factor (a percentage is 1/100)
# unit words a `unit` may carry although value_text does not write them: the currency of an
# amount comes from the metric (1.24亿 of ad spend is 1.24亿元), a rank or a multiple may be
# written without 第 or 倍; a percentage must be written (30 is not 30%)
IMPLIED_MARKERS = frozenset({"CNY", "USD", "characters", "tokens", "days", "months", "倍", RANK})


def _latin(word: str) -> bool:
    return word[:1].isascii() and word[:1].isalpha()


def _alternation(words, guards: dict[str, str] | None = None) -> str:
    """A regex of ``words``, longest first; a Latin word only as a whole word (mn is not in column)."""
    return "|".join(
        (r"(?<![a-z])" if _latin(w) else "")
        + re.escape(w)
        + (r"(?![a-z])" if w[-1].isascii() and w[-1].isalpha() else "")
        + (guards or {}).get(w, "")
        for w in sorted(words, key=len, reverse=True)
    )


# built on first use, not at import (so that a test sees what _alternation builds; mutation runs empty the caches)
@cache
def _mag_re() -> re.Pattern[str]:
    """A magnitude word (万, 亿, million ...) after optional spaces; 百分点 is not 百."""
    return re.compile(r"\s*(" + _alternation(_MAGNITUDES, {"百": "(?!分)"}) + ")")


@cache
def _marker_re() -> re.Pattern[str]:
    """A unit word (元, %, 倍, tokens ...) after optional spaces."""
    return re.compile(r"\s*(" + _alternation(_MARKERS) + ")")


_BETWEEN = re.compile(r"[\s()\[\]]*(?:多|余|来|\+)?[\s()\[\]]*")
_ORDINAL_SUFFIX = re.compile(r"(?:st|nd|rd|th)(?![a-z])")


@dataclass(frozen=True)
class Reading:
    """What a value_text writes: its numbers, the magnitude and the unit word written with them.

    ``magnitude`` is 1 when no magnitude word is written; ``marker`` is None when no unit word
    is (a count: 2101万, 36亿次, 三位). ``problem`` says why the words cannot give one unit (a
    range whose ends carry different magnitudes: 8000万-1.2亿).
    """

    text: str
    numbers: tuple[float, ...] = ()
    magnitude: float = 1.0
    magnitude_word: str = ""
    marker: str | None = None
    marker_word: str = ""
    problem: str = ""

    @property
    def read(self) -> bool:
        return bool(self.numbers)

    def numbers_text(self) -> str:
        return " and ".join(_num(x) for x in self.numbers)

    def describe(self) -> str:
        """'992.6 × 万 (10,000)', '30 %', '2 and 9 × 千万 (10,000,000) 元 (a CNY amount)', 'rank 4'."""
        if not self.read:
            return "no number"
        out = ("rank " if self.marker == RANK else "") + self.numbers_text()
        if self.magnitude != 1:
            out += f" × {self.magnitude_word} ({self.magnitude:,.0f})"
        if self.marker not in (None, RANK):
            out += f" {self.marker_word} ({MARKER_NAMES.get(self.marker, self.marker)})"
        return out


def _num(x: float) -> str:
    return f"{x:.12g}"


def _prepare(text: str) -> str:
    t = text.translate(_FULL_WIDTH).translate(_SIMPLIFIED).lower()
    t = _GLOSS.sub("", t)
    t = re.sub(r"百分之([0-9.]+|[" + "".join(_CN_DIGIT) + "十百]+)", r"\1%", t)
    for pattern, repl in _MULTIPLE_WORDS:
        t = pattern.sub(repl, t)
    return t


def _suffix(t: str, pos: int) -> tuple[float, str, str | None, str, int]:
    """Magnitude and unit word written from ``pos`` on: (magnitude, magnitude word, marker, marker word, end)."""
    m = _BETWEEN.match(t, pos)
    p = m.end() if m else pos
    if t.startswith("个", p) and (_mag_re().match(t, p + 1) or _marker_re().match(t, p + 1)):  # 1个亿, 5个百分点
        p += 1
    mag, words = 1.0, []
    while mm := _mag_re().match(t, p):
        mag *= _MAGNITUDES[mm.group(1)]
        words.append(mm.group(1))
        p = mm.end()
    if words:
        m = _BETWEEN.match(t, p)
        p = m.end() if m else p
    marker, marker_word = None, ""
    if mk := _marker_re().match(t, p):
        marker, marker_word = _MARKERS[mk.group(1)], mk.group(1)
        p = mk.end()
    return mag, "".join(words) if all(not w.isascii() for w in words) else " ".join(words), marker, marker_word, p


def _prefix(t: str, start: int) -> tuple[str | None, str]:
    """A unit word or rank word written just before the number ($500, ¥30, 第四, 前三, top 3)."""
    head = t[:start].rstrip()

    def ends_with(word: str) -> bool:
        return head.endswith(word) and not (_latin(word) and head[: -len(word)][-1:].isalpha())

    for word in sorted(_PREFIX_MARKERS, key=len, reverse=True):
        if ends_with(word):
            return _PREFIX_MARKERS[word], word
    for word in _RANK_PREFIXES:
        if ends_with(word):
            return RANK, word
    return None, ""


@lru_cache(maxsize=65536)
def read_value_text(text: str, decimal_comma: bool = False) -> Reading:
    """Read a ``value_text``: its signed numbers, magnitude and unit word.

    Numbers: Arabic numerals as written (``"2.2亿元"`` -> 2.2, ``"12-13元"`` -> 12 and 13,
    ``"-9.6%"`` -> -9.6, ``"1,234"`` -> 1234; with ``decimal_comma`` (French, German pages)
    ``"33,7 millions"`` -> 33.7); a word of decrease before the number makes it negative
    (``"下降约30%"`` -> -30). Without Arabic numerals: ``数``/``几`` ("several") give 2 and 9
    (``十几`` 11 and 19), Chinese numerals are read (``"第九"`` -> 9, ``"三十"`` -> 30,
    ``"百万tokens"`` -> 100 of 万tokens), English words (``"fourth"`` -> 4, ``"twenty"`` -> 20),
    multiples (``"翻倍"`` -> 2 倍), and a bare magnitude means one of it (``"超亿元"``, ``"万亿"``,
    ``"榜首"`` -> 1).

    Words: the magnitude written after the number (``万``, ``千万``, ``million``; traditional
    ``萬``/``億`` too), the unit word after it (``元``, ``美元``, ``%``, ``倍``, ``字``, ``tokens``,
    ``天``, ``个月`` ...) or before it (``$``, ``¥``), and a rank (``第``, ``前``, ``榜首``,
    ``top``, ``No.``, ``4th``). Counters (次, 家, 位, 组) are read as a plain count.
    """
    t = _prepare(text)
    sep, dec = (r"[.\u00a0\u202f ]", ",") if decimal_comma else (",", r"\.")
    pattern = rf"(?<![0-9])([{_MINUS}])?([0-9]{{1,3}}(?:{sep}[0-9]{{3}})+|[0-9]+)(?:{dec}([0-9]+))?"
    # each hit: (value, start, end of the number, a rank word written with it: 4th, fourth)
    hits: list[tuple[float, int, int, str]] = []
    for m in re.finditer(pattern, t):
        sign, whole, frac = m.groups()
        if sign and m.start() > 0 and t[m.start() - 1] not in _SIGN_CONTEXT:
            sign = None  # 12-13元, 15亿-20亿: a range, not a minus
        x = float(re.sub(r"[^0-9]", "", whole) + ("." + frac if frac else ""))
        ordinal = _ORDINAL_SUFFIX.match(t, m.end())
        end = ordinal.end() if ordinal else m.end()
        hits.append((-x if sign else x, m.start(), end, ordinal.group() if ordinal else ""))
    if not hits and (v := _VAGUE.search(t)):
        lo, hi = (11.0, 19.0) if v.group(1) else (2.0, 9.0)
        hits = [(lo, v.start(), v.end(), ""), (hi, v.start(), v.end(), "")]
    if not hits:
        hits = [(float(_cn_int(m.group())), m.start(), m.end(), "") for m in _CN_RUN.finditer(t)]
    if not hits:
        for m in _EN_WORD.finditer(t):
            tens, unit, card, ordw = m.groups()
            if tens:
                x = _EN_TENS[tens] + (_EN_CARDINAL[unit] if unit else 0)
            else:
                x = _EN_CARDINAL[card] if card else _EN_ORDINAL[ordw]
            hits.append((float(x), m.start(), m.end(), ordw or ""))
    if not hits:
        word = next((w for w in _RANK_WORDS if w in t), None)
        if word is not None:
            return Reading(text, (1.0,), marker=RANK, marker_word=word)
        first = min((m.start() for m in _mag_re().finditer(t)), default=None)
        if first is None:
            return Reading(text)
        hits = [(1.0, first, first, "")]  # 超亿元, 万亿: one of the magnitude
    head = t[: hits[0][1]]
    negate = any(w in head for w in NEGATIVE_WORDS)
    numbers = tuple(-x if negate else x for x, *_ in hits)
    # the words of each number: the last number's magnitude applies to a range (15-20亿)
    parts = [_suffix(t, end) for _, _, end, _ in hits]
    mag, mag_word = parts[-1][0], parts[-1][1]
    problem = ""
    for other_mag, other_word, *_ in parts[:-1]:
        if other_mag not in (1.0, mag):
            problem = f"a range whose ends carry different magnitudes ({other_word} and {mag_word or 'none'})"
    markers = [(mk, w) for _, _, mk, w, _ in parts if mk is not None]
    prefix, prefix_word = _prefix(t, hits[0][1])
    if prefix is not None:
        markers.insert(0, (prefix, prefix_word))
    markers[:0] = [(RANK, word) for *_, word in hits if word][:1]
    kinds = {mk for mk, _ in markers}
    if len(kinds) > 1:
        problem = problem or "two unit words (" + " and ".join(w for _, w in markers) + ")"
    marker, marker_word = markers[0] if markers else (None, "")
    return Reading(text, numbers, mag, mag_word, marker, marker_word, problem)


def _cn_int(run: str) -> int:
    """A Chinese numeral: '九' 9, '十' 10, '三十' 30, '二十五' 25, '一百二十' 120, '百' 100."""
    total, digit = 0, None
    for ch in run:
        if ch in _CN_DIGIT:
            digit = _CN_DIGIT[ch] if digit is None else digit * 10 + _CN_DIGIT[ch]
        else:
            total += (1 if digit is None else digit) * _CN_MULT[ch]
            digit = None
    return total + (digit or 0)


def numbers_in_text(text: str, decimal_comma: bool = False) -> list[float] | None:
    """The signed numbers a ``value_text`` states (see :func:`read_value_text`); None when it holds none.

    >>> numbers_in_text("12-13元"), numbers_in_text("下降约30%"), numbers_in_text("第九")
    ([12.0, 13.0], [-30.0], [9.0])
    """
    r = read_value_text(text, decimal_comma)
    return list(r.numbers) if r.read else None


def unit_parts(unit: str) -> tuple[float, str | None]:
    """A unit of :data:`UNITS` as written: (magnitude, unit word). '亿元' -> (1e8, 'CNY'), 'rank' -> (1, 'rank')."""
    special: dict[str, tuple[float, str | None]] = {"count": (1.0, None), "ratio": (1.0, None), RANK: (1.0, RANK)}
    if unit in special:
        return special[unit]
    t = _prepare(unit)
    mag, _, marker, _, end = _suffix(t, 0)
    if end != len(t):
        raise ValueError(f"unit {unit!r} is not a magnitude and a unit word")
    return mag, marker


UNIT_PARTS: dict[str, tuple[float, str | None]] = {u: unit_parts(u) for u in UNITS}


def _times(m: float) -> str:
    return f"×{m:,.0f}"


def suggest_unit(reading: Reading, dimension: str | None = None) -> str | None:
    """The unit of :data:`UNITS` that writes what ``reading`` writes (in ``dimension`` when given)."""

    def fits(u: str) -> bool:
        mag, mk = UNIT_PARTS[u]
        if mag != reading.magnitude or (dimension is not None and UNITS[u][1] != dimension):
            return False
        return mk == reading.marker or (reading.marker is None and (mk is None or mk in IMPLIED_MARKERS))

    found = [u for u in UNITS if fits(u)]
    # the unit with the text's own word first (million before 百万 for '19 millions'), then no implied word
    word = reading.magnitude_word.rstrip("s")
    found.sort(key=lambda u: (not (word and word in u), UNIT_PARTS[u][1] != reading.marker))
    return found[0] if found else None


def unit_conflict(reading: Reading, unit: str, dimension: str | None = None) -> str | None:
    """Why ``unit`` contradicts what the value_text writes (None when it agrees or cannot be read).

    The magnitude must be the one written (992.6万 is in 万, not 亿); a unit word written in the
    text must be the unit's (元 is CNY, not USD; % is a percentage, not a ratio or a count; 第 is a
    rank); a unit may carry a word the text leaves implicit (1.24亿 of ad spend in 亿元) except %.
    """
    if not reading.read or unit not in UNIT_PARTS:
        return None
    text = reading.text
    if reading.problem:
        return (
            f"one unit for value_text {text!r}, which writes {reading.problem}; "
            "a row has one unit: write the range in two rows (qualifier >= and <=) with their own value_text"
        )
    mag, mk = UNIT_PARTS[unit]
    sugg = suggest_unit(reading, dimension)
    other = suggest_unit(reading) if sugg is None else None
    if sugg:
        fix = f"write unit {sugg!r}"
    elif other:
        fix = f"write unit {other!r}, and check the metric (it is measured in {dimension})"
    else:
        fix = "no unit of the vocabulary writes that: add one to UNITS in lib/kimi_research/data/units.py"
    if reading.magnitude != mag:
        written = (
            f"{reading.magnitude_word} ({_times(reading.magnitude)})"
            if reading.magnitude != 1
            else "no magnitude word (万, 亿, million ...)"
        )
        ratio = mag / reading.magnitude
        scale = f"{ratio:,.0f} times too large" if ratio > 1 else f"{1 / ratio:,.0f} times too small"
        return (
            f"the magnitude value_text writes: {text!r} writes {written}, unit {unit!r} is {_times(mag)} "
            f"(the value would be {scale}); {fix}"
        )
    if reading.marker is not None and reading.marker != mk:
        said = (
            f"{reading.marker_word!r} ({MARKER_NAMES.get(reading.marker, reading.marker)})"
            if reading.marker_word
            else (MARKER_NAMES.get(reading.marker, reading.marker))
        )
        is_ = MARKER_NAMES.get(mk, mk) if mk else "a plain number"
        return f"the unit value_text writes: {text!r} writes {said}, unit {unit!r} is {is_}; {fix}"
    if reading.marker is None and mk is not None and mk not in IMPLIED_MARKERS:
        return f"the unit value_text writes: unit {unit!r} is {MARKER_NAMES.get(mk, mk)}, but {text!r} writes no {mk} sign; {fix}"
    return None


def number_problem(reading: Reading) -> str:
    """What a value_text reads as, for a value that is not its number: 'reads 992.6' or 'no number was read'."""
    if reading.read:
        return f"value_text {reading.text!r} reads {reading.numbers_text()}"
    return (
        f"no number was read from value_text {reading.text!r} (read are: digits, Chinese numerals 一…百, 第N, 前N, 数/几, "
        "a bare 万/亿, English one…twenty and first…twentieth, 翻倍); write value_text as the quote writes the number"
    )
