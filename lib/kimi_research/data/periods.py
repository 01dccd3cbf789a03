"""How an observation's period reads: '2025-03', '2025 Q3', '2024', 'week of 2025-12-08', '20 days'.

These labels are part of the data vocabulary (tables are grouped and joined on them), so
they live in the data layer; :mod:`kimi_research.presentation.format` re-exports them.
"""

from __future__ import annotations

import pandas as pd


def _whole_months(s: pd.Timestamp, e: pd.Timestamp) -> bool:
    return s.day == 1 and (e + pd.Timedelta(days=1)).day == 1


def period_label(r) -> str:
    """A row's period (``period_start``/``period_end``; ``duration_days`` when undated)."""
    s, e = r["period_start"], r["period_end"]
    if pd.isna(s):
        return f"{int(r['duration_days'])} days" if not pd.isna(r.get("duration_days")) else "undated"
    if s == e:
        return s.date().isoformat()
    if _whole_months(s, e):
        months = (e.year - s.year) * 12 + e.month - s.month + 1
        if months == 1:
            return s.strftime("%Y-%m")
        if months == 3 and s.month in (1, 4, 7, 10):
            return f"{s.year} Q{(s.month - 1) // 3 + 1}"
        if months == 12 and s.month == 1:
            return str(s.year)
        return f"{s.strftime('%Y-%m')} to {e.strftime('%Y-%m')}"
    return f"{s.date()} to {e.date()}"


def week_or_period_label(r) -> str:
    """:func:`period_label`, with a 7-day period written as 'week of <start>'."""
    s, e = r["period_start"], r["period_end"]
    if not pd.isna(s) and (e - s).days == 6:
        return f"week of {s.date()}"
    return period_label(r)


def short_period_label(r) -> str:
    """A short period for chart labels: '2024-12', '2025 Q3', '1–11 Feb 2025', '8–14 Dec 2025'."""
    s, e = r["period_start"], r["period_end"]
    if pd.isna(s) or s == e or _whole_months(s, e):
        return period_label(r)
    if s.year == e.year and s.month == e.month:
        return f"{s.day}–{e.day} {e:%b %Y}"
    return f"{s.day} {s:%b}–{e.day} {e:%b %Y}"


def quarter_label(ts: pd.Timestamp) -> str:
    """'2025 Q1' for a date."""
    return f"{ts.year} Q{(ts.month - 1) // 3 + 1}"
