"""Unit normalisation: one table, one function (tested in tests/test_units.py).

Values are stored in ``data/observations.csv`` as the article writes them (``2.2`` with unit
``亿元``); the base value (``2.2e8`` CNY) is computed here, never typed. Currencies stay apart:
``亿元`` is CNY, ``亿美元`` is USD. ``万字`` counts Chinese characters, not tokens.
"""

from __future__ import annotations

import math
import re

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
    for f, suffix in _SCALES:
        if abs(x) >= f:
            return f"{x / f:.3g}{suffix}"
    return f"{x:.3g}"


def format_en(base: float, dimension: str, qualifier: str = "=", high: float | None = None) -> str:
    """A base value in English, for chart labels: 'CNY 220m', '≥36m', '#7', '41.6%', '2m chars'."""
    q = _QUAL.get(qualifier, "")
    if dimension == "rank":
        return f"{'top ' if qualifier == '<=' else q}{'#' if qualifier != '<=' else ''}{base:.0f}"
    if dimension == "ratio":
        s = f"{base * 100:.3g}%"
    elif dimension in ("CNY", "USD"):
        s = f"{dimension} {_short(base)}"
    elif dimension == "characters":
        s = f"{_short(base)} chars"
    elif dimension == "tokens":
        s = f"{_short(base)} tokens"
    else:
        s = _short(base)
    if high is not None and high == high and qualifier == "range":
        s = f"{s}–{_short(high)}" if dimension not in ("CNY", "USD") else f"{s}–{_short(high)}"
    return f"{q}{s}"


# --- numbers as written ------------------------------------------------------------------
_CN_DIGITS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "兩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "百": 100,
}
_VAGUE = {"数": (2, 9), "數": (2, 9), "几": (2, 9), "幾": (2, 9)}
_IMPLICIT_ONE = ("亿", "億", "万", "萬", "千", "榜首", "第一")
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
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，－", "0123456789.,-")


def numbers_in_text(text: str, decimal_comma: bool = False) -> list[float] | None:
    """The signed numbers a ``value_text`` states, to check them against the typed ``value``.

    Arabic numerals are read as written (``"2.2亿元"`` -> ``[2.2]``, ``"12-13元"`` -> ``[12, 13]``,
    ``"-9.6%"`` -> ``[-9.6]``, ``"1,234"`` -> ``[1234]``; with ``decimal_comma`` (French, German
    pages) ``"33,7 millions"`` -> ``[33.7]``); a word of decrease before the number makes it
    negative (``"下降约30%"`` -> ``[-30]``); a single Chinese numeral is read (``"第九"`` -> ``[9]``,
    ``"百万tokens"`` -> ``[100]``); ``数``/``几`` ("several") give ``[2, 9]``; a bare magnitude
    (``"超亿元"``, ``"万亿"``) means one of it (``[1]``). Returns None when the text holds no number.
    """
    text = text.translate(_FULL_WIDTH)
    sep, dec = (r"[.\u00a0\u202f ]", ",") if decimal_comma else (",", r"\.")
    pattern = rf"(?<![0-9])([{_MINUS}])?([0-9]{{1,3}}(?:{sep}[0-9]{{3}})+|[0-9]+)(?:{dec}([0-9]+))?"
    found = []
    for m in re.finditer(pattern, text):
        sign, whole, frac = m.groups()
        if sign and m.start() > 0 and text[m.start() - 1] not in _SIGN_CONTEXT:
            sign = None  # 12-13元, 15亿-20亿: a range, not a minus
        x = float(re.sub(r"[^0-9]", "", whole) + ("." + frac if frac else ""))
        found.append((-x if sign else x, m.start()))
    if found:
        head = text[: found[0][1]].lower()
        negate = any(w in head for w in NEGATIVE_WORDS)
        return [-x if negate else x for x, _ in found]
    for ch, rng in _VAGUE.items():
        if ch in text:
            return [float(rng[0]), float(rng[1])]
    for ch, n in _CN_DIGITS.items():
        if ch in text:
            return [float(n)]
    if any(tok in text for tok in _IMPLICIT_ONE):
        return [1.0]
    return None
