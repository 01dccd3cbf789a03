"""How an observation's period reads: '2025-03', '2025 Q3', '2024', 'week of 2025-12-08', '20 days'.

These labels are part of the data vocabulary (tables are grouped and joined on them), so
they live in the data layer; :mod:`kimi_research.presentation.format` re-exports them.
"""

from __future__ import annotations

import pandas as pd

from kimi_research.data.units import DAYS_PER_MONTH


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


# --- the grain of a period: what kind of span a figure covers --------------------------------------
#: every grain :func:`grain` returns; figures of different grains are never compared as they stand
#: (a quarter's average is not a month, one day's DAU is not a month's): see kimi_research.data.comparable
GRAINS = ("day", "week", "month", "quarter", "year", "months", "days", "duration", "undated")


def grain(start, end, duration_days=None) -> str:
    """What kind of span a period is, named as :func:`period_label` names it.

    'day' (start = end), 'week' (7 days), 'month' (one calendar month), 'quarter' (a calendar
    quarter), 'year' (a calendar year), 'months' (other runs of whole months), 'days' (any other
    window of days), 'duration' (undated, a stated number of days), 'undated'.
    """
    if pd.isna(start) or pd.isna(end):
        return "duration" if duration_days is not None and not pd.isna(duration_days) else "undated"
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    if s == e:
        return "day"
    if _whole_months(s, e):
        months = (e.year - s.year) * 12 + e.month - s.month + 1
        if months == 1:
            return "month"
        if months == 3 and s.month in (1, 4, 7, 10):
            return "quarter"
        if months == 12 and s.month == 1:
            return "year"
        return "months"
    return "week" if (e - s).days == 6 else "days"


def grains(rows: pd.DataFrame) -> pd.Series:
    """:func:`grain` of every row (``period_start``, ``period_end``, ``duration_days``)."""
    dur = rows["duration_days"] if "duration_days" in rows.columns else pd.Series(None, index=rows.index, dtype=object)
    return pd.Series(
        [grain(s, e, d) for s, e, d in zip(rows["period_start"], rows["period_end"], dur, strict=True)],
        index=rows.index,
        dtype=object,
        name="grain",
    )


def parse_period(label: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The (first day, last day) of a label :func:`period_label` writes: '2025-08', '2025 Q3', '2025',
    '2025-08-14', or '2025-02-13 to 2025-03-11'. ValueError naming the forms for anything else."""
    text = str(label).strip()
    try:
        if " to " in text:
            a, b = (parse_period(x) for x in text.split(" to ", 1))
            return a[0], b[1]
        if len(text) == 4 and text.isdigit():
            return pd.Timestamp(f"{text}-01-01"), pd.Timestamp(f"{text}-12-31")
        if len(text) == 7 and text[4] == " " and text[5] in "Qq" and text[6] in "1234" and text[:4].isdigit():
            q = int(text[6])
            s = pd.Timestamp(f"{text[:4]}-{3 * q - 2:02d}-01")
            return s, s + pd.offsets.QuarterEnd(0)
        if len(text) == 7 and text[4] == "-":
            s = pd.Timestamp(f"{text}-01")
            return s, s + pd.offsets.MonthEnd(0)
        if len(text) == 10:
            d = pd.Timestamp(text)
            return d, d
    except ValueError:
        pass
    raise ValueError(
        f"period {label!r} not understood; write a month '2025-08', a quarter '2025 Q3', a year '2025', "
        "a day '2025-08-14' or a window '2025-02-13 to 2025-03-11'"
    )


def months_in(start, end, duration_days=None) -> float:
    """How many months a period covers: whole calendar months counted as such (a quarter is 3), any
    other window as days ÷ DAYS_PER_MONTH; a stated duration wins over an (often inferred) calendar window."""
    if duration_days is not None and not pd.isna(duration_days):
        return float(duration_days) / DAYS_PER_MONTH
    if pd.isna(start) or pd.isna(end):
        return float("nan")
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    if _whole_months(s, e):
        return float((e.year - s.year) * 12 + e.month - s.month + 1)
    return ((e - s).days + 1) / DAYS_PER_MONTH
