"""Words of the data vocabulary that analysis tables carry: qualifier symbols and rank labels.

A rank row's label follows its qualifier (data/schema.py): ``=`` '7', ``<=`` '≤3', ``<`` '<3',
``>`` '>20', ``>=`` '≥3', ``~`` '~5'. The label is compact on purpose: it composes with
ranges derived from several lists ('2–4') and reads inside prose as 'rank ≤3'.
:mod:`kimi_research.presentation.format` re-exports it as the project's one rank formatter.
"""

from __future__ import annotations

from typing import Literal, get_args

from kimi_research.data.units import format_cn

#: the user metrics (monthly, daily and weekly active users): defined once, the notebooks' ``metric`` parameters take it
UserMetric = Literal["mau", "dau", "wau"]
USER_METRICS: tuple[str, ...] = get_args(UserMetric)

QUALIFIER_SYMBOL = {"=": "", "~": "~", ">": ">", ">=": "≥", "<": "<", "<=": "≤", "range": ""}


def rank_text(value: float, qualifier: str = "=") -> str:
    """A stated rank with its qualifier: rank_text(3, '<=') -> '≤3', rank_text(7, '=') -> '7'."""
    return QUALIFIER_SYMBOL.get(qualifier, "") + str(int(value))


def count_text(v: float) -> str:
    """A base-unit count or amount the Chinese way, two decimals at most: '1407.2万', '1.55亿'."""
    return format_cn(v, digits=2)


def row_value_text(r) -> str:
    """A row's value with its qualifier: '≥3600万', '2649万', '1000万–2000万' (range)."""
    if r["qualifier"] == "range":
        return f"{count_text(r['base_value'])}–{count_text(r['base_value_high'])}"
    return QUALIFIER_SYMBOL.get(r["qualifier"], "") + count_text(r["base_value"])


def ordinal(n) -> str:
    """'1st', '2nd', '11th', '23rd'; 'unranked' for None/NaN."""
    if n is None or (isinstance(n, float) and n != n):
        return "unranked"
    n = int(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
