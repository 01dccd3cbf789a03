"""One formatter per kind of quantity (presentation/format.py), English and Chinese."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kimi_research.data import periods, vocabulary
from kimi_research.presentation import format as F


def test_one_cny_formatter_for_the_three_that_disagreed():
    # before: 3667万元 (sustainability.cny), 3,667万元 (competitors.yuan), 3666.7万元 (adspend.cn + 元)
    assert F.cny_zh(3.6667e7) == F.cny_zh(1.1e8 / 3) == "3666.7万元"
    assert F.cny_zh(2.2e8) == "2.2亿元" and F.cny_zh(3.142857e8) == "3.14亿元" and F.cny_zh(4.2e7) == "4200万元"
    assert F.cny_zh(3.142857e8, 1) == "3.1亿元" and F.cny_zh(6413995, 0) == "641万元"
    assert F.cny_range_zh(2.2e8 / 31, 2.2e8 / 30) == "709.7万–733.3万元"
    assert F.cny_range_zh(2.4e6, 2.6e6, digits=0) == "240万–260万元"
    assert F.cny_en(3.142857e8) == "CNY 314m" and F.cny_en(5.76e9) == "CNY 5.76bn"


def test_user_counts():
    assert F.users_zh(21_010_000) == "2101万" and F.users_zh(508_300) == "50.83万"
    assert F.users_zh(155_200_000) == "1.55亿" and F.users_zh(1.4072e7) == "1407.2万"
    assert F.wan_zh(155_200_000) == "15520万"  # the ranking lists write 万 above 1亿
    assert F.estimate_zh(5_944_662) == "594万" and F.estimate_zh(12_368_280) == "1240万"
    assert F.users_en(6_413_995) == "6.41m" and F.users_en(204_000) == "204k"


@pytest.mark.parametrize("v", [None, float("nan")])
def test_missing_values(v):
    assert F.users_zh(v) == F.cny_zh(v) == F.pct(v) == F.estimate_zh(v) == F.MISSING
    assert F.ordinal(v) == "unranked"


def test_percentages():
    assert F.pct(0.01) == "1%" and F.pct(0.2123) == "21.2%" and F.pct(0.1, 0) == "10%"
    assert F.pct(-0.52756, sign=True) == "−52.8%" and F.pct(0.04, sign=True) == "+4%"
    assert "-" not in F.pct(-0.3)  # a typographic minus in prose


def test_one_rank_formatter():
    # before: decline.rank_text(3, "<=") was "top 3", competitors.rank_text("<=", 3) "≤3"
    assert F.rank_text is vocabulary.rank_text
    cases = {"=": "7", "<=": "≤7", "<": "<7", ">": ">7", ">=": "≥7", "~": "~7"}
    assert {q: F.rank_text(7, q) for q in cases} == cases
    assert F.rank_text(7.0) == "7"
    assert [F.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "101st",
    ]


def test_rows_with_qualifiers():
    row = {"qualifier": ">=", "base_value": 3.6e7, "base_value_high": math.nan}
    assert F.row_zh(row) == "≥3600万"
    assert F.row_zh({"qualifier": "range", "base_value": 1e7, "base_value_high": 2e7}) == "1000万–2000万"


def _row(start, end, days=None):
    return pd.Series(
        {
            "period_start": pd.Timestamp(start) if start else pd.NaT,
            "period_end": pd.Timestamp(end) if end else pd.NaT,
            "duration_days": days,
        }
    )


def test_periods():
    assert F.period is periods.period_label
    assert F.period(_row("2025-03-01", "2025-03-31")) == "2025-03"
    assert F.period(_row("2025-07-01", "2025-09-30")) == "2025 Q3"
    assert F.period(_row("2024-01-01", "2024-12-31")) == "2024"
    assert F.period(_row("2024-03-01", "2024-09-30")) == "2024-03 to 2024-09"
    assert F.period(_row("2025-02-10", "2025-02-10")) == "2025-02-10"
    assert F.period(_row(None, None, 20)) == "20 days" and F.period(_row(None, None)) == "undated"
    assert F.week_or_period(_row("2025-12-08", "2025-12-14")) == "week of 2025-12-08"
    assert F.short_period(_row("2025-12-08", "2025-12-14")) == "8–14 Dec 2025"
    assert F.short_period(_row("2025-01-27", "2025-02-11")) == "27 Jan–11 Feb 2025"
    assert F.quarter_label(pd.Timestamp("2025-11-15")) == "2025 Q4"


def test_the_notebook_modules_keep_no_formatter_of_their_own():
    """The old per-module formatters are gone from the analysis layer."""
    from kimi_research.analysis import adspend, competitors, decline, sustainability

    gone = {
        adspend: ["cn", "pct"],
        competitors: ["wan", "yuan", "ordinal", "rank_text"],
        decline: ["fmt_users", "fmt_est", "fmt_pct", "fmt_row"],
        sustainability: ["yi", "cny", "wan", "en_money", "en_count"],
    }
    for mod, names in gone.items():
        for n in names:
            own = getattr(mod, n, None)
            assert own is None or own.__module__.startswith("kimi_research.data"), f"{mod.__name__}.{n}"
