"""Every number, share, rank and period the notebooks print goes through this module.

One formatter per kind of quantity, in Chinese (``*_zh``: 万/亿, as the articles write) and
English (``*_en``: k/m/bn, for charts, whose default font has no CJK glyphs):

=================  ==========================  ===========================
quantity           Chinese                     English
=================  ==========================  ===========================
CNY amount         ``cny_zh``  '3666.7万元'    ``cny_en``  'CNY 36.7m'
user count         ``users_zh`` '1407.2万'     ``users_en`` '14.1m'
model estimate     ``estimate_zh`` '594万'     ``users_en``
share/change       ``pct`` '21.2%', '−29.5%' (signed with ``sign=True``)
rank               ``rank_text`` '7', '≤3'; ``ordinal`` '7th'
period             ``period`` '2025 Q3'; ``short_period`` '8–14 Dec 2025'
=================  ==========================  ===========================

The Chinese rule: 亿 from 1亿 up, 万 from 1万 up, two decimals at most (a CNY amount in 万:
one), trailing zeros trimmed (1.1e8 / 3 -> '3666.7万元', 2.2e8 -> '2.2亿元', 508300 -> '50.83万'); the data layer's
``format_cn`` does the arithmetic, and ``row_zh`` (a row with its qualifier, '≥3600万') is the
data vocabulary's ``row_value_text``.
Missing values (None, NaN) print as '–'.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from kimi_research.data.periods import period_label as period
from kimi_research.data.periods import quarter_label
from kimi_research.data.periods import short_period_label as short_period
from kimi_research.data.periods import week_or_period_label as week_or_period
from kimi_research.data.units import format_cn, format_en
from kimi_research.data.vocabulary import QUALIFIER_SYMBOL, ordinal, rank_text
from kimi_research.data.vocabulary import row_value_text as row_zh

if TYPE_CHECKING:
    from typing_extensions import TypeIs

MISSING = "–"
MINUS = "−"  # U+2212, typographic minus in prose
DIGITS_ZH = 2  # decimals of 万 and 亿 in Chinese amounts, trailing zeros trimmed

__all__ = [
    "MISSING",
    "QUALIFIER_SYMBOL",
    "cny_en",
    "cny_range_zh",
    "cny_zh",
    "estimate_zh",
    "number_range",
    "is_missing",
    "ordinal",
    "pct",
    "period",
    "quarter_label",
    "rank_text",
    "row_zh",
    "short_period",
    "users_en",
    "users_zh",
    "value_en",
    "week_or_period",
    "wan_zh",
]


def is_missing(v: object) -> TypeIs[None]:
    """True for None and NaN (typed so that a checker knows the value is a number afterwards)."""
    return v is None or (isinstance(v, float) and math.isnan(v))


def _zh(v: float, digits: int | None, wan_only: bool = False) -> str:
    return format_cn(v, digits=DIGITS_ZH if digits is None else digits, wan_only=wan_only)


def users_zh(v: float | None, digits: int | None = None) -> str:
    """A user count the way the articles write it: '1407.2万', '2101万', '1.55亿'."""
    return MISSING if is_missing(v) else _zh(float(v), digits)


def wan_zh(v: float | None, digits: int | None = None) -> str:
    """A count in 万 even above 1亿, as the ranking lists write it: '15520万'."""
    return MISSING if is_missing(v) else _zh(float(v), digits, wan_only=True)


def cny_zh(v: float | None, digits: int | None = None) -> str:
    """A CNY amount: 万 to one decimal, 亿 to two: '3666.7万元', '2.2亿元', '3.14亿元'."""
    if is_missing(v):
        return MISSING
    if digits is None:
        digits = DIGITS_ZH if abs(v) >= 1e8 else DIGITS_ZH - 1
    return _zh(float(v), digits) + "元"


def cny_range_zh(low: float, high: float, digits: int | None = None) -> str:
    """A CNY range, the unit once: '709.7万–733.3万元'."""
    return f"{cny_zh(low, digits)[:-1]}–{cny_zh(high, digits)}"


def estimate_zh(v: float | None) -> str:
    """A model estimate, rounded to at most 3 significant digits: '594万', '1240万', '42.3万'."""
    if is_missing(v):
        return MISSING
    if abs(v) >= 1e8:
        return f"{v / 1e8:.2f}亿"
    w = v / 1e4
    return f"{w:.3g}万" if w < 1000 else f"{round(w, -1):.0f}万"


def cny_en(v: float) -> str:
    """A CNY amount for charts: 'CNY 314m', 'CNY 5.76bn'."""
    return format_en(v, "CNY")


def users_en(v: float) -> str:
    """A count for charts: '6.41m', '204k'."""
    return format_en(v, "count")


def value_en(v: float, dimension: str, qualifier: str = "=", high: float | None = None) -> str:
    """Any base value in English with its qualifier (see data.units.format_en)."""
    return format_en(v, dimension, qualifier, high)


def pct(v: float | None, digits: int = 1, sign: bool = False) -> str:
    """A share or change: '21.2%', '1%' (trailing zeros trimmed), '−29.5%' / '+4%' with sign."""
    if is_missing(v):
        return MISSING
    s = f"{v:+.{digits}%}" if sign else f"{v:.{digits}%}"
    if "." in s:
        s = s[:-1].rstrip("0").rstrip(".") + "%"
    return s.replace("-", MINUS)


def number_range(lo: float, hi: float) -> str:
    """A recomputed value or range, four significant digits: '7.097e+06 to 7.333e+06', '-0.2946', '2.14'."""
    fmt = "{:,.4g}".format
    return fmt(lo) if math.isclose(lo, hi, rel_tol=1e-5, abs_tol=1e-8) else f"{fmt(lo)} to {fmt(hi)}"


def evidence_used(evidence: str, code: bool = False) -> str:
    """Which evidence a run used, in words: 'the articles only' or 'the articles and the public reports'."""
    text = "the tier-1 articles only" if evidence == "articles" else "the tier-1 articles and the tier-2 public reports"
    return f'{text} (`evidence = "{evidence}"`)' if code else text
