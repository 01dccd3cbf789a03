"""What may stand side by side: the comparability layer every notebook asks for measurements.

Each function takes the observations (a :class:`~kimi_research.data.loader.Dataset` or its
``observations`` frame), says which entity, metric, firm (panel) and period it wants, and returns a
:class:`Comparable`: the rows that may stand side by side, a table of the rows left out with the
rule and the reason, and the names of the conversion or choice rules applied (:data:`RULES`).

The rules (docs/data-conventions.md shows them on example rows):

* **one measurement counted once** (:mod:`kimi_research.data.measurements`, :data:`ROUNDING`): a
  figure repeated by several sources is one row; ``obs_ids``/``source_ids`` keep the corroboration;
* **grains stay apart**: every row has a ``grain`` (day, week, month, quarter, year, months, days)
  and a ``scale`` (its grain, or 'monthly average' for an average of monthly values over a longer
  period, or 'end of period'); labels come from one function (:func:`~kimi_research.data.periods.period_label`:
  '2025 Q3' for a quarter, '2025-08' only for a month). A quarter's average never stands beside its
  own months (``prefer``); other months may sit beside it only under the named rule
  ``monthly_average_as_month_level``; single days and multi-day windows never join months;
* **sums over a period** (:func:`period_total`) use the widest window that covers the period and
  never add a window to the windows it contains (rule ``widest_window``), else non-overlapping
  windows inside it (``disjoint_windows``: a lower bound when they do not cover it);
* ``change`` and ``cumulative`` rows never become levels;
* **bounds stay bounds**: ``bound`` is 'point', 'lower', 'upper' or 'range' and ``open`` is True for
  the last three (charts draw them open or with an arrow, never as a point; fits leave them out);
* **no series joins two firms**: ``series`` is the firm's id, or ``none:<source_id>`` for rows that
  name no firm (two sources that name no firm are not known to share a panel);
* **study window and special days**: a trend (:func:`trend`) uses only points inside
  :data:`STUDY_WINDOW` and not flagged :data:`SPECIAL_DAY`; the others are listed. No monthly rate
  is fitted from points less than :data:`MIN_TREND_SPAN_MONTHS` apart (a holiday pair is not a trend);
* **conflicting figures** for one measurement (same firm, entity, metric, period and kind, values that
  cannot both hold, or rows the data put in one ``conflict_group``) are both returned (``conflict``,
  ``conflicts_with``), or the choice is named (:func:`latest`, :func:`peak` with ``choose=True``,
  :func:`period_total`);
* **latest and peak per firm**, a **snapshot table by metric** across apps and a **rank history on
  one list** (never the monthly and the weekly list in one history);
* **a change over a window** (:func:`level_change`): the level at the window's end minus the level just
  before it, one series, month levels (or an end-of-period value at the window's end), bounds kept.
* **the answers to one question** (:func:`answers`): every figure that answers a contested question (the
  rows of a conflict group, or of a metric over a period), each measurement once, undated rows and bounds
  kept: the readings notebook 05 varies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import pandas as pd

from kimi_research.data.measurements import ROUNDING, measurement_ids
from kimi_research.data.periods import grains, months_in, parse_period, period_label
from kimi_research.data.units import DAYS_PER_MONTH

#: any firm: each firm's rows stay their own series (the ``series`` column tells them apart)
ANY_FIRM = "*"
#: rows that name no measurement firm
NO_FIRM = "none"
#: every firm's points in one fit: an explicit choice, named in the output (rule ``pooled_firms``)
POOLED = "all"

#: The study window every notebook defaults to (its ``start``/``end``): from Kimi's launch month
#: (October 2023, e_kimi_launch: no Kimi figure can precede it, and the rivals' figures before it are
#: not part of the story) to the last month the five articles cover (December 2025: article 004's
#: week of 2025-12-08, published 2025-12-30). Figures after it come from the supplement only (the
#: 2026 Spring-Festival budgets), cannot be checked against the articles and are listed, not fitted.
STUDY_WINDOW = (pd.Timestamp("2023-10-01"), pd.Timestamp("2025-12-31"))

#: No monthly rate is fitted from points less than about two months apart: two calendar months'
#: midpoints (15 January, 15 March) are 1.94 months apart; a holiday pair six days apart is 0.2.
MIN_TREND_SPAN_MONTHS = 1.9

#: The flag (schema.FLAGS) of a figure measured on or over a special day or short window: a
#: holiday, a launch day, a campaign. Listed, never fitted as a trend, never a "latest" level.
SPECIAL_DAY = "special_day"

#: value kinds that are levels; a change and a cumulative count never are
LEVEL_KINDS = ("period_value", "monthly_average", "end_value")
NOT_LEVELS = {
    "change": "a change over the period, never a level",
    "cumulative": "a running total up to the end of the period, never a level",
}
#: scales that stand side by side in a month-scale series (the second only under a named rule)
MONTH_SCALE = ("month", "monthly average")
POINT_QUALIFIERS = ("=", "~")
BOUND = {"=": "point", "~": "point", ">": "lower", ">=": "lower", "<": "upper", "<=": "upper", "range": "range"}

#: Every rule this layer applies, by the name it has in the output (``Comparable.rules``, ``left_out.rule``).
RULES: dict[str, str] = {
    "same_measurement": f"one measurement counted once: rows of one firm, entity, metric, period, kind and "
    f"qualifier whose values agree within {ROUNDING:.1%}, a month repeating its quarter's average, or a "
    "same_as link are one figure; the kept row lists the others (obs_ids, source_ids)",
    "months_over_average": "a quarter's (or longer) average never stands beside its own months: the months are "
    "kept, the average is listed",
    "average_over_months": "a quarter's (or longer) average never stands beside its own months: the average is "
    "kept, the months inside it are listed",
    "monthly_average_as_month_level": "an average of monthly values over a longer period stands for a month-scale "
    "level at its period midpoint, labelled with its own period (never as a month)",
    "pooled_firms": "every firm's points in one series: an explicit choice, labelled as pooled",
    "unattributed_one_source": "rows that name no firm form a series only within one source",
    "not_a_level": "change and cumulative rows never become levels",
    "undated": "an undated row cannot stand beside a dated one",
    "other_scale": "monthly averages, single months, single days and multi-day windows are kept apart unless a "
    "named rule converts them",
    "bound": "a bound (>, >=, <, <=, range) stays a bound: drawn open, never fitted or ranked as a point",
    "other_series": "no series joins two firms, or a row that names no firm to one that does",
    "outside_window": "figures outside the study window are listed, not fitted as a trend",
    "special_day": "figures of a special day (holiday, launch day, campaign) are listed, not fitted as a trend",
    "too_close": f"no monthly rate from points less than {MIN_TREND_SPAN_MONTHS:g} months apart",
    "other_period": "only figures for exactly the period asked stand side by side",
    "widest_window": "a sum over a period takes the widest window that covers it and never adds a window to "
    "the windows it contains",
    "disjoint_windows": "with no window covering the period, non-overlapping windows inside it are added; "
    "a lower bound when they leave part of it uncovered",
    "inside_window": "a window inside a window already used is never added to it",
    "overlapping_window": "a window overlapping one already used is never added to it",
    "partial_overlap": "a window that overlaps the period only in part cannot be split without an assumption",
    "wider_than_period": "a window wider than the period cannot be split without an assumption",
    "total_per_month": "a total over a window ÷ the months it covers = a monthly average (quarter total ÷ 3; "
    "a stated number of days ÷ 30.44 days)",
    "monthly_rate_times_months": "a monthly average of a flow × the months of the window = its total",
    "cumulative_total": "a running total is the total over its own window: compared with the sum of a monthly path "
    "over the same window, never read as a level or as one month's value",
    "days_share_of_month": "a month partly inside a window counts in a sum over the window in proportion to its days "
    "inside (the month's flow spread evenly over its days)",
    "conflict_choice": "of conflicting figures one is used, by the order: a point before a bound, a named firm "
    "before none, a tier-1 source, the lowest obs_id; the others are returned beside it",
    "conflicts_shown": "conflicting figures for one measurement are both returned",
    "earlier": "an earlier figure of the same firm, not the latest",
    "not_peak": "a smaller figure of the same firm, not the peak",
    "other_list": "a rank on one list is never put in one history with a rank on another list",
    "one_app": "a period with one app only is not a comparison across apps",
    "not_an_app": "an aggregate (all AI apps), a company or a model is never ranked or drawn beside apps",
    "level_change": "the change of a stock over a window is the level at its end (its last month) minus the level "
    "just before it (the month before its first month), both of one series; a bound at either end makes the change "
    "a bound, or leaves it unknown when the bounds point opposite ways",
    "end_value_at_period_end": "an end-of-period value stands for the level on the last day of its period (the end "
    "of a quarter for the level of its last month, never an average)",
    "not_at_window_edge": "only the level at the window's end and the level just before it give its change",
    "doubtful": "a figure the data flag as suspicious is listed (notebook 00 gives the reason), never a reading",
    "undated_outside_group": "an undated figure answers a question about a period only when the data put it in "
    "the question's conflict group",
    "largest_per_series": "of a question about a peak, each series (a firm, or one source naming none) gives its "
    "largest figure only",
    "same_series_same_period": "a ratio of two metrics (DAU/MAU) takes the figures of one series (one firm, or one "
    "source naming none) for exactly the same period and scale: never across firms",
    "other_scope": "figures whose stated scopes differ (native apps against all apps, app against app and web) are "
    "not put in one ratio",
    "impossible_ratio": "a share above 1 (DAU above MAU) cannot come from one panel's figures for one period",
}

_LEFT_COLUMNS = ["entity", "metric", "series", "period", "value_text", "rule", "reason"]


@dataclass(frozen=True)
class Comparable:
    """Rows that may stand side by side, the rows left out (``left_out``: one row per obs_id with its
    ``rule`` and ``reason``) and the rules applied (names from :data:`RULES`)."""

    rows: pd.DataFrame
    left_out: pd.DataFrame
    rules: tuple[str, ...] = ()

    @property
    def reasons(self) -> dict[str, str]:
        """{obs_id: why it was left out}."""
        return dict(zip(self.left_out.index, self.left_out["reason"], strict=True))

    def rule_text(self) -> list[str]:
        """'name: what it does' for every rule applied."""
        return [f"{r}: {RULES[r]}" for r in self.rules]


@dataclass(frozen=True)
class Trend(Comparable):
    """The points of one series that a monthly rate may be fitted to (see :func:`trend`)."""

    series: str = ""
    fit_allowed: bool = False
    why_not: str = ""  # empty when a rate may be fitted
    span_months: float = 0.0


@dataclass(frozen=True)
class Total(Comparable):
    """A sum over a period (see :func:`period_total`); ``rows`` are the figures used."""

    period: str = ""
    value: float | None = None  # CNY (base unit) over the period; None when nothing covers it
    per_month: float | None = None  # value ÷ months (of the period, or of the windows used)
    months: float = 0.0
    coverage: float = 0.0  # share of the period's days the windows used cover
    bound: str = "point"  # 'lower': the true total may be larger (a lower bound used, or days uncovered)
    alternatives: pd.DataFrame = field(default_factory=pd.DataFrame)  # conflicting figures not used
    parts: Total | None = None  # with a covering window: the windows inside it, added (a cross-check)

    @property
    def lower_bound(self) -> bool:
        return self.bound == "lower"


class _LeftOut:
    """Collects rows left out, the first reason per obs_id winning."""

    def __init__(self) -> None:
        self.rows: dict = {}

    def add(self, rows: pd.DataFrame, rule: str, reason) -> None:
        for oid, r in rows.iterrows():
            if oid not in self.rows:
                self.rows[oid] = {
                    "entity": r.get("entity"),
                    "metric": r.get("metric"),
                    "series": r.get("series"),
                    "period": r.get("period"),
                    "value_text": r.get("value_text"),
                    "rule": rule,
                    "reason": reason(r) if callable(reason) else reason,
                }

    def frame(self) -> pd.DataFrame:
        f = pd.DataFrame.from_dict(self.rows, orient="index", columns=_LEFT_COLUMNS)
        f.index.name = "obs_id"
        return f.sort_index()


# --- reading the rows ---------------------------------------------------------------------------
def _frame(obs) -> pd.DataFrame:
    return obs.observations if hasattr(obs, "observations") else obs


def _as_list(x) -> list:
    return [x] if isinstance(x, str) else list(x)


def _flags(rows: pd.DataFrame) -> pd.Series:
    if "flag_list" in rows.columns:
        return rows["flag_list"].map(lambda f: list(f) if isinstance(f, list | tuple) else [])
    flags = rows["flags"] if "flags" in rows.columns else pd.Series(None, index=rows.index, dtype=object)
    return flags.map(lambda f: [x for x in f.split(";") if x] if isinstance(f, str) else [])


def _label(r: dict) -> str:
    if pd.isna(r["period_start"]):
        d = r.get("duration_days")
        return f"{int(d)} days" if d is not None and not pd.isna(d) else "undated"
    return period_label(r)


def _undated(r) -> str:
    return "undated" if r["period"] == "undated" else f"undated (a stated {r['period']})"


def annotate(rows) -> pd.DataFrame:
    """The rows with what this layer reads: ``firm`` ('' when none named), ``series`` (the firm, or
    ``none:<source_id>``), ``grain``, ``scale``, ``bound``, ``open``, ``period`` (the one label),
    ``special_day`` and ``in_study_window`` (period midpoint inside :data:`STUDY_WINDOW`)."""
    r = _frame(rows).copy()
    firm = r["vendor"].fillna("").astype(str) if "vendor" in r.columns else pd.Series("", index=r.index, dtype=object)
    source = r["source_id"].astype(str) if "source_id" in r.columns else pd.Series("", index=r.index, dtype=object)
    r["firm"] = firm
    r["series"] = np.where(firm != "", firm, NO_FIRM + ":" + source)
    r["grain"] = grains(r) if len(r) else pd.Series(dtype=object)
    kind = r["value_kind"].fillna("period_value") if "value_kind" in r.columns else pd.Series("period_value", index=r.index)
    r["scale"] = np.where(
        kind == "monthly_average", "monthly average", np.where(kind == "end_value", "end of period", r["grain"])
    )
    q = r["qualifier"].fillna("=") if "qualifier" in r.columns else pd.Series("=", index=r.index)
    r["bound"] = q.map(BOUND).fillna("point")
    r["open"] = r["bound"] != "point"
    dur = r["duration_days"] if "duration_days" in r.columns else pd.Series(None, index=r.index, dtype=object)
    r["period"] = pd.Series(
        [
            _label({"period_start": s, "period_end": e, "duration_days": d})
            for s, e, d in zip(r["period_start"], r["period_end"], dur, strict=True)
        ],
        index=r.index,
        dtype=object,
    )
    r["special_day"] = _flags(r).map(lambda f: SPECIAL_DAY in f).astype(bool)
    if "period_mid" not in r.columns:
        r["period_mid"] = r["period_start"] + (r["period_end"] - r["period_start"]) / 2
    lo, hi = STUDY_WINDOW
    r["in_study_window"] = (r["period_mid"] >= lo) & (r["period_mid"] < hi + pd.Timedelta(days=1))
    return r


def _by_firm(rows: pd.DataFrame, firm: str | None) -> pd.DataFrame:
    if firm in (None, ANY_FIRM, POOLED):
        return rows
    vendor = rows["vendor"].fillna("")
    if firm == NO_FIRM:
        return rows[vendor == ""]
    if firm.startswith(NO_FIRM + ":"):
        return rows[(vendor == "") & (rows["source_id"] == firm.split(":", 1)[1])]
    return rows[vendor == firm]


def _select(obs, metric, entities) -> pd.DataFrame:
    o = _frame(obs)
    rows = o[o["metric"].isin(_as_list(metric))]
    if entities is not None:
        rows = rows[rows["entity"].isin(_as_list(entities))]
    return rows


def _fold(rows: pd.DataFrame, rel_tol: float, out: _LeftOut) -> tuple[pd.DataFrame, bool]:
    """Each measurement once: the kept row carries obs_ids, source_ids, n_sources."""
    if rows.empty:
        return rows.assign(
            measurement=pd.Series(dtype=object),
            obs_ids=pd.Series(dtype=object),
            source_ids=pd.Series(dtype=object),
            n_sources=pd.Series(dtype=int),
        ), False
    r = rows.copy()
    r["measurement"] = measurement_ids(r, rel_tol)
    members = r.groupby("measurement", sort=False).groups
    repeats = r[r.index != r["measurement"]]
    out.add(
        repeats,
        "same_measurement",
        lambda x: (
            f"the same measurement as {x['measurement']} ({r.at[x['measurement'], 'value_text']!s}, "
            f"{r.at[x['measurement'], 'period']!s}): counted once"
        ),
    )
    kept = r[r.index == r["measurement"]].copy()
    kept["obs_ids"] = pd.Series([sorted(members[m]) for m in kept.index], index=kept.index, dtype=object)
    kept["source_ids"] = pd.Series(
        [sorted(set(r.loc[list(members[m]), "source_id"])) for m in kept.index], index=kept.index, dtype=object
    )
    kept["n_sources"] = kept["source_ids"].map(len).astype(int)
    return kept, len(repeats) > 0


def _own_months(rows: pd.DataFrame) -> pd.DataFrame:
    """Pairs (average, month inside it) of one entity, metric and series: columns avg, month."""
    avg = rows[rows["value_kind"] == "monthly_average"]
    mon = rows[(rows["grain"] == "month") & (rows["value_kind"] != "monthly_average")]
    if avg.empty or mon.empty:
        return pd.DataFrame(columns=["avg", "month"])
    cols = ["entity", "metric", "series", "period_start", "period_end"]
    a = avg[cols].rename_axis("avg").reset_index()
    m = mon[cols].rename_axis("month").reset_index()
    j = a.merge(m, on=["entity", "metric", "series"], suffixes=("_a", "_m"))
    j = j[(j["period_start_m"] >= j["period_start_a"]) & (j["period_end_m"] <= j["period_end_a"])]
    return j[["avg", "month"]]


def _months_vs_average(rows: pd.DataFrame, prefer: str, out: _LeftOut) -> tuple[pd.DataFrame, str | None]:
    pairs = _own_months(rows)
    if pairs.empty:
        return rows, None
    if prefer == "months":
        inside = pairs.groupby("avg")["month"].agg(lambda m: ", ".join(sorted(m)))
        drop = rows.loc[list(inside.index)]
        out.add(
            drop,
            "months_over_average",
            lambda x: (
                f"the average of {x['period']} holds its own months ({inside[x.name]}): the months are used, "
                "never beside their average"
            ),
        )
        return rows.drop(index=drop.index), "months_over_average"
    holder = pairs.groupby("month")["avg"].agg(lambda a: ", ".join(sorted(a)))
    drop = rows.loc[list(holder.index)]
    out.add(
        drop,
        "average_over_months",
        lambda x: f"inside the period of the average {holder[x.name]}: the average is used, never beside its months",
    )
    return rows.drop(index=drop.index), "average_over_months"


def _incompatible(a: pd.Series, b: pd.Series, rel_tol: float) -> bool:
    """Two figures for one measurement that cannot both hold (two points apart, a point outside a bound)."""

    def interval(r) -> tuple[float, float, bool, bool]:  # lo, hi, lo open, hi open
        v, h, q = float(r["base_value"]), r.get("base_value_high"), r["qualifier"]
        if q in POINT_QUALIFIERS:
            return v, v, False, False
        if q == "range":
            return v, float(h) if h is not None and not pd.isna(h) else v, False, False
        if q in (">", ">="):
            return v, np.inf, q == ">", False
        return -np.inf, v, False, q == "<"

    if a["qualifier"] in POINT_QUALIFIERS and b["qualifier"] in POINT_QUALIFIERS:
        x, y = float(a["base_value"]), float(b["base_value"])
        ref = max(abs(x), abs(y))
        return bool(ref > 0 and abs(x - y) / ref > rel_tol)
    lo1, hi1, lo1o, hi1o = interval(a)
    lo2, hi2, lo2o, hi2o = interval(b)
    lo, lo_open = (lo1, lo1o) if lo1 > lo2 else (lo2, lo2o) if lo2 > lo1 else (lo1, lo1o or lo2o)
    hi, hi_open = (hi1, hi1o) if hi1 < hi2 else (hi2, hi2o) if hi2 < hi1 else (hi1, hi1o or hi2o)
    return bool(lo > hi or (lo == hi and (lo_open or hi_open)))


def _mark_conflicts(rows: pd.DataFrame, rel_tol: float) -> pd.DataFrame:
    """``conflicts_with``: the other rows of the selection giving the same measurement a figure that cannot
    also hold (same entity, metric, series, period and kind), or sharing the row's ``conflict_group``."""
    r = rows.copy()
    found: dict = {i: set() for i in r.index}
    if len(r) > 1:
        key = ["entity", "metric", "series", "period_start", "period_end", "value_kind"]
        for _, g in r.groupby(key, sort=False, dropna=False):
            if len(g) < 2:
                continue
            ids = list(g.index)
            for i, a in enumerate(ids):
                for b in ids[i + 1 :]:
                    if _incompatible(g.loc[a], g.loc[b], rel_tol):
                        found[a].add(b)
                        found[b].add(a)
        if "conflict_group" in r.columns:
            for _, g in r[r["conflict_group"].notna()].groupby("conflict_group"):
                for a in g.index:
                    found[a] |= set(g.index) - {a}
    r["conflicts_with"] = pd.Series([sorted(found[i]) for i in r.index], index=r.index, dtype=object)
    r["conflict"] = r["conflicts_with"].map(bool).astype(bool)
    return r


def _sort(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.sort_index().sort_values(["entity", "metric", "series", "period_mid", "period_end"], kind="stable")


# --- levels ---------------------------------------------------------------------------------------
def levels(
    obs,
    metric: str | Iterable[str],
    entities: str | Iterable[str] | None = None,
    firm: str | None = ANY_FIRM,
    prefer: str | None = "months",
    rel_tol: float = ROUNDING,
) -> Comparable:
    """The dated levels of ``metric`` for ``entities`` (None: every entity) from ``firm``, each measurement once.

    ``firm``: a firm id, :data:`NO_FIRM` (rows naming none), ``"none:<source_id>"`` (one source's unattributed
    rows) or :data:`ANY_FIRM` (every firm, each its own ``series``). ``prefer``: ``"months"`` keeps a
    quarter's months and lists its average; ``"averages"`` keeps the average and lists the months inside it;
    None keeps both, for a caller that never puts them on one axis (their ``scale`` differs: a snapshot
    table draws one panel per metric and scale).
    Left out: change and cumulative rows, undated rows, repeats of a measurement, a month or its own average.
    Kept rows carry :func:`annotate`'s columns, ``obs_ids``/``source_ids``/``n_sources`` and
    ``conflict``/``conflicts_with`` (conflicting figures are all returned)."""
    if prefer not in ("months", "averages", None):
        raise ValueError(f"prefer must be 'months', 'averages' or None, got {prefer!r}")
    rows = annotate(_by_firm(_select(obs, metric, entities), firm))
    out = _LeftOut()
    rules: list[str] = []
    kind = rows["value_kind"].fillna("period_value")
    for k, why in NOT_LEVELS.items():
        out.add(rows[kind == k], "not_a_level", lambda x, why=why: f"value_kind {x['value_kind']} ({x['value_text']}): {why}")
    if (kind.isin(list(NOT_LEVELS))).any():
        rules.append("not_a_level")
    rows = rows[kind.isin(LEVEL_KINDS)]
    undated = rows["period_start"].isna()
    out.add(rows[undated], "undated", lambda x: f"{_undated(x)}: cannot stand beside a dated figure")
    rows = rows[~undated]
    rows, folded = _fold(rows, rel_tol, out)
    if folded:
        rules.append("same_measurement")
    rows, applied = _months_vs_average(rows, prefer, out) if prefer else (rows, None)
    if applied:
        rules.append(applied)
    rows = _mark_conflicts(rows, rel_tol)
    if rows["conflict"].any():
        rules.append("conflicts_shown")
    return Comparable(_sort(rows), out.frame(), tuple(rules))


def comparable(
    obs,
    metric: str | Iterable[str],
    entities: str | Iterable[str] | None = None,
    firm: str | None = ANY_FIRM,
    period: str | tuple | None = None,
    prefer: str | None = "months",
    rel_tol: float = ROUNDING,
) -> Comparable:
    """What may stand side by side: :func:`levels`, and with ``period`` (a label such as '2025-08',
    '2025 Q3', '2025-08-14', or a (start, end) pair) only the figures for exactly that period: a
    quarter's average is not a figure for one of its months, a month is not the quarter's figure."""
    lv = levels(obs, metric, entities, firm, prefer, rel_tol)
    if period is None:
        return lv
    start, end = parse_period(period) if isinstance(period, str) else (pd.Timestamp(period[0]), pd.Timestamp(period[1]))
    label = period_label({"period_start": start, "period_end": end})
    rows = lv.rows
    on = (rows["period_start"] == start) & (rows["period_end"] == end)
    out = _LeftOut()
    out.rows.update(lv.left_out.to_dict(orient="index"))
    out.add(
        rows[~on],
        "other_period",
        lambda x: (
            f"a figure for {x['period']} ({x['scale']}), not for {label}"
            + (": a quarter's average is never a month's figure" if x["scale"] == "monthly average" else "")
        ),
    )
    kept = _mark_conflicts(rows[on].drop(columns=["conflicts_with", "conflict"]), rel_tol)
    rules = lv.rules + (("other_period",) if (~on).any() else ())
    return Comparable(_sort(kept), out.frame(), rules)


# --- trends ---------------------------------------------------------------------------------------
def in_window(rows: pd.DataFrame, window: tuple | None) -> pd.Series:
    """Whether each row's period midpoint lies in ``window`` = (start, end), both days included; an end that is
    None or '' is open (no limit on that side); ``window`` None keeps every row."""
    keep = pd.Series(True, index=rows.index, dtype=bool)
    if window is None:
        return keep
    lo, hi = window
    if lo is not None and lo != "":
        keep &= rows["period_mid"] >= pd.Timestamp(lo)
    if hi is not None and hi != "":
        keep &= rows["period_mid"] < pd.Timestamp(hi) + pd.Timedelta(days=1)
    return keep.fillna(False).astype(bool)


def window_text(window: tuple | None) -> str:
    """'2023-10 to 2025-12', 'from 2024-06', 'up to 2025-03' or 'no limit' for a window of :func:`in_window`."""
    if window is None:
        return "no limit"
    lo, hi = (pd.Timestamp(x) if x is not None and x != "" else None for x in window)
    if lo is not None and hi is not None:
        return f"{lo:%Y-%m} to {hi:%Y-%m}"
    if lo is not None:
        return f"from {lo:%Y-%m}"
    return f"up to {hi:%Y-%m}" if hi is not None else "no limit"


def months_apart(a, b) -> float:
    """(b - a) in months of DAYS_PER_MONTH days."""
    return (pd.Timestamp(b) - pd.Timestamp(a)).total_seconds() / 86400 / DAYS_PER_MONTH


def rate_allowed(dates, min_span_months: float = MIN_TREND_SPAN_MONTHS) -> tuple[bool, str]:
    """Whether a monthly rate may be fitted to points at ``dates`` (their period midpoints), and why not."""
    d = pd.Series(pd.to_datetime(list(dates))).dropna().sort_values()
    if len(d) == 0:
        return False, "no point: no rate"
    if len(d) == 1:
        return False, "one point: no rate"
    span = months_apart(d.iloc[0], d.iloc[-1])
    if span < min_span_months:
        days = (d.iloc[-1] - d.iloc[0]).total_seconds() / 86400
        return False, (
            f"the points are {days:.0f} days apart ({span:.1f} months), less than about two months "
            f"({min_span_months:g}): a rate fitted from them would not be a trend"
        )
    return True, ""


def choose_series(rows: pd.DataFrame) -> str:
    """The series with most points (then most rows, a named firm first, the latest figure, the id)."""
    if rows.empty:
        return ""
    g = rows.groupby("series").agg(
        points=("bound", lambda b: int((b == "point").sum())), n=("bound", "size"), last=("period_mid", "max")
    )
    g["named"] = ~g.index.str.startswith(NO_FIRM)
    g = g.reset_index().sort_values(["points", "n", "named", "last", "series"], ascending=[False, False, False, False, True])
    return str(g.iloc[0]["series"])


def trend(
    obs,
    entity: str,
    metric: str,
    series: str = "auto",
    window: tuple | None = STUDY_WINDOW,
    min_span_months: float = MIN_TREND_SPAN_MONTHS,
    prefer: str = "months",
    rel_tol: float = ROUNDING,
) -> Trend:
    """The points of one series a monthly rate may be fitted to, and the rest listed with the reason.

    ``series``: a firm id, ``"none:<source_id>"``, :data:`NO_FIRM` (the source naming no firm with most
    points), ``"auto"`` (:func:`choose_series`) or :data:`POOLED` (every firm's points, rule
    ``pooled_firms``). Left out besides :func:`levels`' rows: other series, bounds, special days, figures
    outside ``window`` (None: no window; an end None or '' is open, :func:`in_window`) and figures of another
    scale than the series' main one (months and averages of monthly values are one scale under
    ``monthly_average_as_month_level``). ``fit_allowed``
    is False, with ``why_not``, for fewer than two points or points less than ``min_span_months`` apart."""
    return trend_in(levels(obs, metric, [entity], ANY_FIRM, prefer, rel_tol), series, window, min_span_months)


def trend_in(
    lv: Comparable, series: str = "auto", window: tuple | None = STUDY_WINDOW, min_span_months: float = MIN_TREND_SPAN_MONTHS
) -> Trend:
    """:func:`trend` on levels already selected (:func:`levels` output for one entity and metric), so that a caller
    asking for several series of one selection computes the levels once."""
    rows = lv.rows
    out = _LeftOut()
    out.rows.update(lv.left_out.to_dict(orient="index"))
    rules = list(lv.rules)
    if series == "auto":
        series = choose_series(rows)
    elif series == NO_FIRM:
        series = choose_series(rows[rows["series"].str.startswith(NO_FIRM + ":")]) or NO_FIRM
    if series == POOLED:
        rules.append("pooled_firms")
    else:
        other = rows[rows["series"] != series]
        out.add(
            other,
            "other_series",
            lambda x: (
                f"another source naming no firm ({x['series'].split(':', 1)[1]}): not joined to {_series_name(series)}"
                if x["series"].startswith(NO_FIRM)
                else f"another firm's panel ({x['series']}): never joined to {_series_name(series)}"
            ),
        )
        if series.startswith(NO_FIRM) and other["series"].str.startswith(NO_FIRM).any():
            rules.append("unattributed_one_source")
        rows = rows[rows["series"] == series]
    out.add(
        rows[rows["open"]], "bound", lambda x: f"a {x['bound']} bound ({x['value_text']}): drawn open, never fitted as a point"
    )
    rows = rows[~rows["open"]]
    out.add(rows[rows["special_day"]], "special_day", lambda x: f"a special day ({x['period']}): listed, not fitted as a trend")
    rows = rows[~rows["special_day"]]
    if window is not None:
        inside = in_window(rows, window)
        text = window_text(window)
        out.add(rows[~inside], "outside_window", lambda x: f"{x['period']} is outside the study window ({text})")
        rows = rows[inside]
    if len(rows):
        month_scale = rows["scale"].isin(MONTH_SCALE)
        counts = rows.assign(cls=np.where(month_scale, "month", rows["scale"])).groupby("cls").size()
        main = str(min(counts.items(), key=lambda kv: (-kv[1], kv[0] != "month", kv[0]))[0])  # most points; months win ties
        keep = month_scale if main == "month" else rows["scale"] == main
        out.add(
            rows[~keep],
            "other_scale",
            lambda x: f"a {x['scale']} figure ({x['period']}) beside {main}-scale figures: kept apart (no rule converts them)",
        )
        rows = rows[keep]
        if main == "month" and rows["scale"].nunique() > 1:
            rules.append("monthly_average_as_month_level")
    for name in ("bound", "special_day", "outside_window", "other_scale", "other_series"):
        if name in {v["rule"] for v in out.rows.values()} and name not in rules:
            rules.append(name)
    ok, why = rate_allowed(rows["period_mid"], min_span_months)
    if not ok and len(rows) > 1:
        rules.append("too_close")
    span = months_apart(rows["period_mid"].min(), rows["period_mid"].max()) if len(rows) > 1 else 0.0
    return Trend(_sort(rows), out.frame(), tuple(rules), series=series, fit_allowed=ok, why_not=why, span_months=span)


def _series_name(series: str) -> str:
    if series == POOLED:
        return "the pooled series"
    if series.startswith(NO_FIRM + ":"):
        return f"the rows of {series.split(':', 1)[1]} that name no firm"
    return f"{series}'s series"


# --- latest, peak, snapshots ----------------------------------------------------------------------
def _pick(rows: pd.DataFrame, by: Iterable[str], order: list[str], ascending: list[bool], choose: bool, what: str, rule: str):
    """One figure per group by ``order``; conflicting figures for the same period are returned beside it
    (or, with ``choose``, listed under rule ``conflict_choice``)."""
    by = list(by)
    out = _LeftOut()
    rules: list[str] = []
    if rows.empty:
        return rows, out, rules
    r = rows.assign(
        _named=rows["firm"] == "",
        _tier=rows["tier"].astype(float) if "tier" in rows.columns else 1.0,
        _id=rows.index.astype(str),
    )
    r = r.sort_values([*order, "_named", "_tier", "_id"], ascending=[*ascending, True, True, True], kind="stable")
    first = r.groupby(by, sort=False, dropna=False).head(1)
    chosen = set(first.index)
    same = set()
    for _, x in first.iterrows():
        for c in x["conflicts_with"]:
            if c in r.index and all(r.at[c, k] == x[k] for k in by) and r.at[c, "period"] == x["period"]:
                same.add(c)
    if choose:
        out.add(
            r.loc[sorted(same - chosen)],
            "conflict_choice",
            lambda x: f"conflicts with the figure used for {x['period']}: {RULES['conflict_choice']}",
        )
        if same - chosen:
            rules.append("conflict_choice")
    else:
        chosen |= same
        if same - set(first.index):
            rules.append("conflicts_shown")
    out.add(r.drop(index=[i for i in r.index if i in chosen or i in same]), rule, what)
    return r.loc[sorted(chosen)].drop(columns=["_named", "_tier", "_id"]), out, rules


def latest(
    lv: Comparable, by: Iterable[str] = ("entity", "series"), choose: bool = False, points_only: bool = True
) -> Comparable:
    """The latest figure per entity and firm (``by``) of :func:`levels` output: the period ending last
    (then the shorter period, a point before a bound), never a special day. Conflicting figures for that
    period are all returned (``conflict``), or with ``choose`` one is kept under ``conflict_choice``."""
    return _ordered(lv, by, choose, points_only, ["period_end", "_len"], [False, True], "earlier")


def peak(lv: Comparable, by: Iterable[str] = ("entity", "series"), choose: bool = False, points_only: bool = True) -> Comparable:
    """The largest figure per entity and firm (``by``) of :func:`levels` output (ties: the earliest), never a
    special day; conflicts as in :func:`latest`."""
    return _ordered(lv, by, choose, points_only, ["base_value", "period_end"], [False, True], "not_peak")


def _ordered(lv: Comparable, by, choose: bool, points_only: bool, order: list[str], asc: list[bool], rule: str) -> Comparable:
    out = _LeftOut()
    out.rows.update(lv.left_out.to_dict(orient="index"))
    rows = lv.rows.assign(_len=(lv.rows["period_end"] - lv.rows["period_start"]).dt.days, _q=lv.rows["open"].astype(int))
    out.add(rows[rows["special_day"]], "special_day", lambda x: f"a special day ({x['period']}): not a typical level")
    rows = rows[~rows["special_day"]]
    if points_only:
        out.add(rows[rows["open"]], "bound", lambda x: f"a {x['bound']} bound ({x['value_text']}): not a point")
        rows = rows[~rows["open"]]
    what = "an earlier figure of the same firm" if rule == "earlier" else "a smaller figure of the same firm"
    kept, picked, rules = _pick(rows, by, [*order, "_q"], [*asc, True], choose, what, rule)
    for k, v in picked.rows.items():
        out.rows.setdefault(k, v)
    rules = [*lv.rules, *rules, rule] if len(picked.rows) else [*lv.rules, *rules]
    return Comparable(_sort(kept.drop(columns=["_len", "_q"], errors="ignore")), out.frame(), tuple(dict.fromkeys(rules)))


def snapshot_table(
    obs,
    metrics: str | Iterable[str] = ("dau", "wau", "mau"),
    entities: str | Iterable[str] | None = None,
    firm: str | None = ANY_FIRM,
    min_apps: int = 2,
    prefer: str | None = None,
) -> Comparable:
    """Every figure of ``metrics`` that stands beside another app's figure for the same firm, period and
    scale: one long table, to draw as small multiples by metric (one panel per metric and scale, periods on
    the x axis in time order, one mark per app, bounds open) rather than one panel per period.

    Columns added: ``panel`` ('mau · month', 'mau · monthly average' ...: a quarter's average and its own
    months never share a panel, so both are kept by default, ``prefer`` None) and ``n_apps`` (apps with a
    figure for that firm, period and scale). A quarter's figure keeps its quarter label. With a Dataset and
    ``entities`` None, only entities of kind 'app' are compared; an aggregate ('industry': all AI apps) or
    a company is listed (rule ``not_an_app``)."""
    lv = levels(obs, metrics, entities, firm, prefer)
    rows = lv.rows.copy()
    out = _LeftOut()
    out.rows.update(lv.left_out.to_dict(orient="index"))
    rules = list(lv.rules)
    if entities is None and hasattr(obs, "entities") and "kind" in obs.entities.columns:
        apps = set(obs.entities.index[obs.entities["kind"] == "app"])
        other = rows[~rows["entity"].isin(apps)]
        out.add(
            other, "not_an_app", lambda x: f"{x['entity']} is not an app (an aggregate, a company or a model): never beside apps"
        )
        if len(other):
            rules.append("not_an_app")
        rows = rows[rows["entity"].isin(apps)]
    key = ["metric", "series", "period_start", "period_end", "scale"]
    rows["n_apps"] = rows.groupby(key, dropna=False)["entity"].transform("nunique") if len(rows) else pd.Series(dtype=int)
    out.add(
        rows[rows["n_apps"] < min_apps],
        "one_app",
        lambda x: f"only {x['entity']} for {x['series']}, {x['period']}: not a comparison",
    )
    if (rows["n_apps"] < min_apps).any():
        rules.append("one_app")
    rows = rows[rows["n_apps"] >= min_apps].assign(panel=lambda d: d["metric"] + " · " + d["scale"])
    ordered = rows.sort_index().sort_values(["metric", "period_mid", "series", "entity"], kind="stable")
    return Comparable(ordered, out.frame(), tuple(rules))


# --- ratios of two metrics ------------------------------------------------------------------------
def _overlap(a, b) -> bool:
    return bool(a["period_start"] <= b["period_end"] and b["period_start"] <= a["period_end"])


def ratio_pairs(
    obs,
    numerator: str = "dau",
    denominator: str = "mau",
    entities: str | Iterable[str] | None = None,
    window: tuple | None = STUDY_WINDOW,
    rel_tol: float = ROUNDING,
) -> Comparable:
    """Figures of two metrics of one app that may stand in one ratio (DAU/MAU, the stickiness): rule
    ``same_series_same_period``. A pair is a ``numerator`` and a ``denominator`` level (:func:`levels`, each
    measurement once) of the same entity and series (one firm, or one source naming none: never across firms)
    for exactly the same period and scale, both points, neither a special day, both inside ``window``
    (:func:`in_window`), with the same scope where both rows state one and a ratio in (0, 1].

    ``rows``: one row per pair, indexed '<numerator obs_id>/<denominator obs_id>': entity, series, firm, period,
    period_start, period_end, period_mid, grain, scale, num_obs, den_obs, num_value, den_value, num_obs_ids,
    den_obs_ids, source_ids and ``ratio``. ``left_out``: the candidate pairs that are not like for like, indexed
    the same way: the same series with overlapping periods (a day against a month: ``other_scale``; another
    window: ``other_period``), a bound, a special day, outside the window, ``other_scope``,
    ``impossible_ratio``, and figures of two firms for exactly the same period (``other_series``). Figures with
    no figure of the other metric in an overlapping period are not candidates."""
    lv = levels(obs, [numerator, denominator], entities, ANY_FIRM, prefer=None, rel_tol=rel_tol)
    r = lv.rows
    inside = in_window(r, window)
    text = window_text(window)
    num, den = r[r["metric"] == numerator], r[r["metric"] == denominator]
    cols = [
        "entity", "series", "firm", "period", "period_start", "period_end", "period_mid", "grain", "scale",
        "num_obs", "den_obs", "num_value", "den_value", "num_obs_ids", "den_obs_ids", "source_ids", "ratio",
    ]  # fmt: skip
    pairs: list[dict] = []
    left: dict[str, dict] = {}
    used: set[str] = set()

    def leave(a, b, rule: str, reason: str) -> None:
        left[f"{a.name}/{b.name}"] = {
            "entity": a["entity"],
            "metric": f"{numerator}/{denominator}",
            "series": a["series"] if a["series"] == b["series"] else f"{a['series']}, {b['series']}",
            "period": a["period"] if a["period"] == b["period"] else f"{a['period']} / {b['period']}",
            "value_text": f"{a['value_text']} / {b['value_text']}",
            "rule": rule,
            "reason": reason,
        }
        used.add(rule)

    for (entity, series), g in num.groupby(["entity", "series"], sort=True):
        partners = den[(den["entity"] == entity) & (den["series"] == series)]
        for _, a in g.iterrows():
            for _, b in partners.iterrows():
                if not _overlap(a, b):
                    continue
                what = (
                    f"{a['value_text']} {numerator.upper()} ({a['period']}) "
                    f"against {b['value_text']} {denominator.upper()} ({b['period']})"
                )
                same = a["period_start"] == b["period_start"] and a["period_end"] == b["period_end"]
                scope_a, scope_b = (x if isinstance(x, str) and x else "" for x in (a.get("scope"), b.get("scope")))
                if a["special_day"] or b["special_day"]:
                    leave(a, b, "special_day", f"{what}: a special day, not a typical level")
                elif not (inside[cast(str, a.name)] and inside[cast(str, b.name)]):
                    leave(a, b, "outside_window", f"{what}: outside the study window ({text})")
                elif a["open"] or b["open"]:
                    leave(a, b, "bound", f"{what}: a bound is not a point, so the ratio would be a bound too")
                elif a["scale"] != b["scale"]:
                    leave(a, b, "other_scale", f"{what}: a {a['scale']} figure against a {b['scale']} figure")
                elif not same:
                    leave(a, b, "other_period", f"{what}: not exactly the same period")
                elif scope_a and scope_b and scope_a != scope_b:
                    leave(a, b, "other_scope", f"{what}: different scopes ('{scope_a}' against '{scope_b}')")
                elif not 0 < float(a["base_value"]) <= float(b["base_value"]) * (1 + rel_tol):
                    leave(a, b, "impossible_ratio", f"{what}: {RULES['impossible_ratio']}")
                else:
                    pairs.append(
                        {
                            "pair": f"{a.name}/{b.name}",
                            **{k: a[k] for k in ("entity", "series", "firm", "period", "period_start", "period_end")},
                            **{k: a[k] for k in ("period_mid", "grain", "scale")},
                            "num_obs": a.name,
                            "den_obs": b.name,
                            "num_value": float(a["base_value"]),
                            "den_value": float(b["base_value"]),
                            "num_obs_ids": list(a["obs_ids"]),
                            "den_obs_ids": list(b["obs_ids"]),
                            "source_ids": sorted({*a["source_ids"], *b["source_ids"]}),
                            "ratio": min(float(a["base_value"]) / float(b["base_value"]), 1.0),
                        }
                    )
    paired = {p["num_obs"] for p in pairs} | {p["den_obs"] for p in pairs}
    for _, a in num.iterrows():  # two firms' figures for exactly the same period: never one ratio
        for _, b in den[(den["entity"] == a["entity"]) & (den["series"] != a["series"])].iterrows():
            if a.name in paired and b.name in paired:
                continue
            if a["period_start"] == b["period_start"] and a["period_end"] == b["period_end"]:
                leave(a, b, "other_series", f"{a['series']} against {b['series']} ({a['period']}): {RULES['other_series']}")
    rows = pd.DataFrame(pairs, columns=["pair", *cols]).set_index("pair")
    rows = rows.sort_values(["entity", "period_mid", "series"], kind="stable")
    out = pd.DataFrame.from_dict(left, orient="index", columns=_LEFT_COLUMNS).sort_index()
    out.index.name = "pair"
    rules = ["same_series_same_period", *[k for k in RULES if k in used]]
    return Comparable(rows, out, tuple(dict.fromkeys([*lv.rules, *rules])))


# --- ranks ----------------------------------------------------------------------------------------
def _rank_rows(obs, entity: str, rank_metrics, window) -> tuple[pd.DataFrame, _LeftOut, list[str]]:
    o = _frame(obs)
    metrics = (
        _as_list(rank_metrics)
        if rank_metrics is not None
        else sorted({m for m in o["metric"].unique() if str(m).endswith("_rank")})
    )
    lv = levels(o, metrics, [entity], ANY_FIRM)
    rows = lv.rows.copy()
    scope = rows["scope"].fillna("") if "scope" in rows.columns else pd.Series("", index=rows.index)
    rows["list_key"] = rows["metric"] + " · " + rows["series"] + " · " + scope
    out = _LeftOut()
    out.rows.update(lv.left_out.to_dict(orient="index"))
    rules = list(lv.rules)
    if window is not None:
        inside = in_window(rows, window)
        text = window_text(window)
        out.add(rows[~inside], "outside_window", lambda x: f"{x['period']} is outside the study window ({text})")
        if (~inside).any():
            rules.append("outside_window")
        rows = rows[inside]
    return rows, out, rules


def _list_order(rows: pd.DataFrame) -> list[str]:
    if rows.empty:
        return []
    g = rows.groupby("list_key").agg(n=("metric", "size"), last=("period_end", "max")).reset_index()
    return [str(k) for k in g.sort_values(["n", "last", "list_key"], ascending=[False, False, True])["list_key"]]


def rank_lists(obs, entity: str, rank_metrics: str | Iterable[str] | None = None, window: tuple | None = None) -> list[str]:
    """The lists the entity has ranks on (``list_key`` = '<rank metric> · <series> · <scope>'), the list with most
    figures first, then the one with the latest figure: :func:`rank_history` gives each one's history."""
    rows, _, _ = _rank_rows(obs, entity, rank_metrics, window)
    return _list_order(rows)


def _one_list(rows: pd.DataFrame, out: _LeftOut, rules: list[str], list_key: str) -> Comparable:
    left = _LeftOut()
    left.rows.update(out.rows)
    other = rows[rows["list_key"] != list_key]
    left.add(other, "other_list", lambda x: f"a rank on another list ({x['list_key']}), not on {list_key}")
    applied = [*rules, "other_list"] if len(other) else list(rules)
    return Comparable(_sort(rows[rows["list_key"] == list_key]), left.frame(), tuple(applied))


def rank_history(
    obs,
    entity: str,
    rank_metrics: str | Iterable[str] | None = None,
    list_key: str | None = None,
    window: tuple | None = None,
) -> Comparable:
    """The entity's ranks on one list: ``list_key`` = '<rank metric> · <series> · <scope>' (None: the first of
    :func:`rank_lists`: the list with most figures, then the latest). Ranks on other lists (the monthly and the
    weekly list, another firm's, another scope) are listed, never put in the same history; so are ranks outside
    ``window`` (:func:`in_window`; None: no window). Ranks are bounds when written so ('前三' = rank <= 3:
    ``bound`` 'upper')."""
    rows, out, rules = _rank_rows(obs, entity, rank_metrics, window)
    if rows.empty:
        return Comparable(_sort(rows), out.frame(), tuple(rules))
    return _one_list(rows, out, rules, list_key if list_key is not None else _list_order(rows)[0])


def rank_histories(
    obs, entity: str, rank_metrics: str | Iterable[str] | None = None, window: tuple | None = None
) -> dict[str, Comparable]:
    """:func:`rank_history` of every list of :func:`rank_lists`, in that order, from one selection."""
    rows, out, rules = _rank_rows(obs, entity, rank_metrics, window)
    return {k: _one_list(rows, out, rules, k) for k in _list_order(rows)}


# --- sums over a period ---------------------------------------------------------------------------
def _window_days(r) -> int:
    return int((r["period_end"] - r["period_start"]).days) + 1


def _calendar(grain: str) -> bool:
    return grain in ("month", "quarter", "year", "months")


def _choice_order(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.assign(
        _bound=rows["open"].astype(int),
        _named=(rows["firm"] == "").astype(int),
        _tier=rows["tier"].astype(float) if "tier" in rows.columns else 1.0,
        _id=rows.index.astype(str),
    ).sort_values(["_bound", "_named", "_tier", "_id"], kind="stable")


def _window_total(r) -> tuple[float, float, bool]:
    """(total over the row's window, months of the window, converted by a monthly rate)."""
    months = months_in(r["period_start"], r["period_end"], r.get("duration_days"))
    if r.get("value_kind") == "monthly_average":
        return float(r["base_value"]) * months, months, True
    return float(r["base_value"]), months, False


def period_total(
    obs, entity: str, metric: str, period: str | tuple, firm: str | None = ANY_FIRM, rel_tol: float = ROUNDING
) -> Total:
    """The total of a flow (``ad_spend``) of ``entity`` over ``period`` ('2025 Q1', '2025-02', (start, end)).

    Rule ``widest_window``: a figure whose window is the period itself is used, and every window inside it is
    listed (never added to it). Without one, rule ``disjoint_windows``: the windows inside the period that no
    other window contains are added, calendar windows first, then the longer, a point before a bound; a
    window overlapping one already used is listed; the sum is a lower bound when the windows leave days
    uncovered or one is a lower bound. Windows wider than the period or overlapping it only in part are
    listed (splitting them would be an assumption). ``per_month`` = total ÷ months covered (rule
    ``total_per_month``: a quarter's total ÷ 3). Conflicting figures for the period are in ``alternatives``
    and the choice is named (``conflict_choice``)."""
    start, end = parse_period(period) if isinstance(period, str) else (pd.Timestamp(period[0]), pd.Timestamp(period[1]))
    label = period_label({"period_start": start, "period_end": end})
    rows = annotate(_by_firm(_select(obs, metric, [entity]), firm))
    out = _LeftOut()
    rules: list[str] = []
    kind = rows["value_kind"].fillna("period_value")
    for k, why in NOT_LEVELS.items():
        out.add(
            rows[kind == k], "not_a_level", lambda x, why=why: f"value_kind {x['value_kind']}: {why}, not the total of a window"
        )
    rows = rows[kind.isin(LEVEL_KINDS)]
    out.add(rows[rows["period_start"].isna()], "undated", lambda x: f"{_undated(x)}: cannot be placed in {label}")
    rows = rows[rows["period_start"].notna()]
    rows = rows[(rows["period_start"] <= end) & (rows["period_end"] >= start)]  # rows touching the period
    rows, folded = _fold(rows, rel_tol, out)
    if folded:
        rules.append("same_measurement")
    equal = (rows["period_start"] == start) & (rows["period_end"] == end)
    inside = (rows["period_start"] >= start) & (rows["period_end"] <= end) & ~equal
    wider = (rows["period_start"] <= start) & (rows["period_end"] >= end) & ~equal
    out.add(
        rows[wider],
        "wider_than_period",
        lambda x: f"a window ({x['period']}) wider than {label}: splitting it would be an assumption",
    )
    partial = ~(equal | inside | wider)
    out.add(rows[partial], "partial_overlap", lambda x: f"{x['period']} overlaps {label} only in part: it cannot be split")
    period_months = months_in(start, end)
    cover = _choice_order(rows[equal])
    if len(cover):
        used = cover.iloc[[0]]
        alt = cover.iloc[1:]
        differ = [i for i in alt.index if _incompatible(used.iloc[0], alt.loc[i], rel_tol)]
        alternatives = alt.loc[differ]
        out.add(
            alternatives,
            "conflict_choice",
            lambda x: (
                f"another figure for {label} ({x['value_text']}), conflicting with {used.index[0]}: {RULES['conflict_choice']}"
            ),
        )
        out.add(alt.drop(index=differ), "same_measurement", lambda x: f"the same total for {label} as {used.index[0]}")
        if len(alternatives):
            rules.append("conflict_choice")
        within = rows[inside]
        out.add(
            within,
            "inside_window",
            lambda x: f"inside {used.index[0]}'s window ({label}): never added to the window that contains it",
        )
        rules.append("widest_window")
        total, months, by_rate = _window_total(used.iloc[0])
        if by_rate:
            rules.append("monthly_rate_times_months")
        rules.append("total_per_month")
        parts = _disjoint_total(within, start, end, label, rel_tol) if len(within) else None
        return Total(
            rows=_drop_helpers(used),
            left_out=out.frame(),
            rules=tuple(dict.fromkeys(rules)),
            period=label,
            value=total,
            per_month=total / period_months,
            months=period_months,
            coverage=1.0,
            bound=str(used["bound"].iloc[0]),
            alternatives=_drop_helpers(alternatives),
            parts=parts,
        )
    t = _disjoint_total(rows[inside], start, end, label, rel_tol)
    left = out.frame()
    both = pd.concat([left, t.left_out[~t.left_out.index.isin(left.index)]]).sort_index()
    return Total(
        rows=t.rows,
        left_out=both,
        rules=tuple(dict.fromkeys([*rules, *t.rules])),
        period=label,
        value=t.value,
        per_month=t.per_month,
        months=t.months,
        coverage=t.coverage,
        bound=t.bound,
        alternatives=t.alternatives,
    )


def _drop_helpers(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.drop(columns=["_bound", "_named", "_tier", "_id"], errors="ignore")


def _disjoint_total(rows: pd.DataFrame, start, end, label: str, rel_tol: float) -> Total:
    """Non-overlapping windows inside [start, end], added (rule ``disjoint_windows``)."""
    out = _LeftOut()
    rules = ["disjoint_windows"]
    if rows.empty:
        return Total(rows=rows, left_out=out.frame(), rules=(), period=label, value=None, per_month=None, bound="lower")
    r = rows.assign(_days=[_window_days(x) for _, x in rows.iterrows()])
    # a window contained in a longer window of the selection is never added to it
    contained = {}
    for a, x in r.iterrows():
        holders = [
            b
            for b, y in r.iterrows()
            if y["_days"] > x["_days"] and y["period_start"] <= x["period_start"] and x["period_end"] <= y["period_end"]
        ]
        if holders:
            contained[a] = min(holders, key=lambda b: (-cast(float, r.at[b, "_days"]), str(b)))
    out.add(
        r.loc[list(contained)],
        "inside_window",
        lambda x: (
            f"inside {contained[x.name]}'s window ({r.at[contained[x.name], 'period']!s}): "
            "never added to the window that contains it"
        ),
    )
    r = r.drop(index=list(contained))
    # one figure per window; conflicting figures for one window: one used, the choice named
    order = _choice_order(r).assign(_cal=lambda d: (~d["grain"].map(_calendar)).astype(int))
    order = order.sort_values(
        ["_cal", "_days", "_bound", "_named", "_tier", "_id"], ascending=[True, False, True, True, True, True]
    )
    used: list = []
    alternatives = []
    for oid, x in order.iterrows():
        clash = [
            u for u in used if order.at[u, "period_start"] <= x["period_end"] and x["period_start"] <= order.at[u, "period_end"]
        ]
        if not clash:
            used.append(oid)
            continue
        u = clash[0]
        if order.at[u, "period_start"] == x["period_start"] and order.at[u, "period_end"] == x["period_end"]:
            if _incompatible(order.loc[u], x, rel_tol):
                alternatives.append(oid)
                out.add(
                    order.loc[[oid]],
                    "conflict_choice",
                    f"another figure for {x['period']}, conflicting with {u}: {RULES['conflict_choice']}",
                )
            else:
                out.add(order.loc[[oid]], "same_measurement", f"the same window as {u} with a compatible figure: counted once")
            continue
        out.add(
            order.loc[[oid]],
            "overlapping_window",
            f"overlaps {', '.join(clash)} ({', '.join(order.loc[clash, 'period'])}): never added to a window it overlaps",
        )
    if alternatives:
        rules.append("conflict_choice")
    if len(out.rows) > len(alternatives):
        rules += [k for k in ("inside_window", "overlapping_window") if k in {v["rule"] for v in out.rows.values()}]
    u = order.loc[used].sort_values("period_start", kind="stable")
    totals = [_window_total(x) for _, x in u.iterrows()]
    value = float(sum(t for t, _, _ in totals))
    months = float(sum(m for _, m, _ in totals))
    if any(b for _, _, b in totals):
        rules.append("monthly_rate_times_months")
    covered = int(u["_days"].sum())
    period_days = int((pd.Timestamp(end) - pd.Timestamp(start)).days) + 1
    rules.append("total_per_month")
    return Total(
        rows=_drop_helpers(u.drop(columns=["_days", "_cal"])),
        left_out=out.frame(),
        rules=tuple(dict.fromkeys(rules)),
        period=label,
        value=value,
        per_month=value / months if months else None,
        months=months,
        coverage=covered / period_days,
        bound="lower" if covered < period_days or (u["bound"] == "lower").any() else "point",
        alternatives=_drop_helpers(order.loc[alternatives].drop(columns=["_days", "_cal"])) if alternatives else pd.DataFrame(),
    )


# --- running totals against a monthly path -----------------------------------------------------------
def cumulative(obs, entity: str, metric: str, firm: str | None = ANY_FIRM, rel_tol: float = ROUNDING) -> Comparable:
    """The running totals (``value_kind`` 'cumulative') of a flow of ``entity``: each is the total over its own
    window (period_start to period_end), never a level and never a month's value (rule ``cumulative_total``);
    compare one with a monthly path by :func:`path_total` over the same window. Each measurement once
    (``same_measurement``); undated totals are listed (``undated``); conflicting totals for one window are
    both returned (``conflicts_shown``). Rows carry :func:`annotate`'s columns (``bound``: a '預計' estimate
    written '=' is a point, '超' a lower bound)."""
    rows = annotate(_by_firm(_select(obs, metric, [entity]), firm))
    out = _LeftOut()
    kind = rows["value_kind"].fillna("period_value")
    rows = rows[kind == "cumulative"]
    out.add(rows[rows["period_start"].isna()], "undated", lambda x: f"{_undated(x)}: a total over no stated window")
    rows = rows[rows["period_start"].notna()]
    rows, folded = _fold(rows, rel_tol, out)
    rows = _mark_conflicts(rows, rel_tol)
    rules = [
        "cumulative_total",
        *(["same_measurement"] if folded else []),
        *(["conflicts_shown"] if rows["conflict"].any() else []),
    ]
    return Comparable(_sort(rows), out.frame(), tuple(rules) if len(rows) else ())


def days_inside(month: pd.Period, start, end) -> float:
    """The share of ``month``'s days that fall inside [start, end] (0 to 1)."""
    m0, m1 = month.start_time.normalize(), month.end_time.normalize()
    lo, hi = max(m0, pd.Timestamp(start)), min(m1, pd.Timestamp(end))
    return max((hi - lo).days + 1, 0) / ((m1 - m0).days + 1)


def path_total(path: pd.Series, start, end) -> tuple[float, pd.Series]:
    """A monthly path (a Series on a monthly PeriodIndex, CNY a month) summed over [start, end]: whole months
    inside count in full, a month partly inside in proportion to its days inside (rule ``days_share_of_month``:
    a month's flow spread evenly over its days). Returns (total, the weight of each month: 1, a share, or 0).
    Months of the window the path does not cover add nothing (the caller says whether that is a gap)."""
    weights = pd.Series([days_inside(m, start, end) for m in path.index], index=path.index, dtype=float)
    return float((path.astype(float) * weights).sum()), weights


# --- conflicts ------------------------------------------------------------------------------------
def conflicts(lv: Comparable) -> pd.DataFrame:
    """One row per set of conflicting figures in :func:`levels` output: entity, metric, series, period, the
    obs_ids and their figures as written (none is dropped: the reader sees every side)."""
    rows = lv.rows[lv.rows["conflict"]]
    seen, out = set(), []
    for oid, r in rows.iterrows():
        group = tuple(sorted({oid, *r["conflicts_with"]} & set(lv.rows.index)))
        if group in seen:
            continue
        seen.add(group)
        g = lv.rows.loc[list(group)]
        out.append(
            {
                "entity": r["entity"],
                "metric": r["metric"],
                "series": ", ".join(sorted(set(g["series"]))),
                "periods": ", ".join(dict.fromkeys(g["period"])),
                "obs_ids": list(group),
                "values": [f"{x['value_text']} ({x['period']}, {x['series']})" for _, x in g.iterrows()],
            }
        )
    return pd.DataFrame(out, columns=["entity", "metric", "series", "periods", "obs_ids", "values"])


# --- a change over a window -----------------------------------------------------------------------
@dataclass(frozen=True)
class Change(Comparable):
    """The change of a stock over a window in one series (see :func:`level_change`); ``rows`` are the
    level before the window and the level at its end, in that order (column ``edge``: 'before', 'end')."""

    period: str = ""
    series: str = ""
    value: float | None = None  # end level - level before, base units; None when it cannot be computed
    bound: str = "point"  # 'point', 'lower' (at least), 'upper' (at most); 'none' when value is None
    why_not: str = ""  # empty when value is computed


#: a change's bound from the bounds of its two levels: (before, end) -> change ('lower' = at least)
_CHANGE_BOUND = {
    ("point", "point"): "point",
    ("point", "lower"): "lower",
    ("upper", "point"): "lower",
    ("upper", "lower"): "lower",
    ("point", "upper"): "upper",
    ("lower", "point"): "upper",
    ("lower", "upper"): "upper",
}


def _edge_rows(rows: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """Levels standing for the level on ``day`` (a month's last day): the month ending that day, or an
    end-of-period value whose period ends that day (rule ``end_value_at_period_end``)."""
    month = (rows["grain"] == "month") & (rows["scale"] == "month") & (rows["period_end"] == day)
    end_value = (rows["scale"] == "end of period") & (rows["period_end"] == day)
    return rows[month | end_value]


def level_change(lv: Comparable, period: str | tuple, series: str) -> Change:
    """The change of one entity's stock (MAU, DAU ...) over ``period`` in one ``series`` of :func:`levels`
    output: the level at the period's end (its last month, or an end-of-period value ending on its last
    day) minus the level just before it (the month before its first month, or an end-of-period value ending
    the day before). Rule ``level_change``; an end-of-period value used is named (``end_value_at_period_end``).

    A quarter's or any longer average is never a month's level; special days are never an edge. Of several
    figures for one edge a point comes before a bound and conflicting figures are named (``conflict_choice``).
    A bound at an edge makes the change a bound (``bound``: a lower bound at the end gives 'at least'); bounds
    pointing opposite ways, a range, or a missing edge leave ``value`` None with ``why_not``. Every other level
    of the series is listed (``not_at_window_edge``)."""
    start, end = parse_period(period) if isinstance(period, str) else (pd.Timestamp(period[0]), pd.Timestamp(period[1]))
    label = period_label({"period_start": start, "period_end": end})
    out = _LeftOut()
    out.rows.update(lv.left_out.to_dict(orient="index"))
    rows = lv.rows
    entities = sorted(set(rows["entity"]))
    if len(entities) > 1:
        raise ValueError(f"level_change takes the levels of one entity, got {', '.join(entities)}")
    other = rows[rows["series"] != series]
    out.add(other, "other_series", lambda x: f"another series ({x['series']}): never joined to {_series_name(series)}")
    rows = rows[rows["series"] == series]
    rules: list[str] = []
    special = rows[rows["special_day"]]
    out.add(special, "special_day", lambda x: f"a special day ({x['period']}): never the level at a window's edge")
    rows = rows[~rows["special_day"]]
    before_day = start - pd.Timedelta(days=1)
    edges: dict[str, pd.Series | None] = {}
    used: list[str] = []
    for edge, day in (("before", before_day), ("end", end)):
        cand = _edge_rows(rows, day)
        if cand.empty:
            edges[edge] = None
            continue
        order = _choice_order(cand).assign(_ev=lambda d: (d["scale"] == "end of period").astype(int))
        order = order.sort_values(["_bound", "_ev", "_named", "_tier", "_id"], kind="stable")
        pick = order.iloc[0]
        edges[edge] = pick
        used.append(str(pick.name))
        if pick["scale"] == "end of period":
            rules.append("end_value_at_period_end")
        rest = order.iloc[1:]
        clash = [i for i in rest.index if _incompatible(pick, rest.loc[i], ROUNDING)]
        out.add(
            rest.loc[clash],
            "conflict_choice",
            lambda x, p=pick: f"conflicts with {p.name} ({p['value_text']}), the figure used: {RULES['conflict_choice']}",
        )
        if clash:
            rules.append("conflict_choice")
        out.add(
            rest.drop(index=clash),
            "same_measurement",
            lambda x, p=pick: f"another figure for the same level as {p.name} ({p['value_text']}), which is used",
        )
    edge_text = {"before": f"the level just before {label} ({before_day:%Y-%m})", "end": f"the level at the end of {label}"}
    out.add(
        rows.drop(index=[i for i in rows.index if i in used or i in out.rows]),
        "not_at_window_edge",
        lambda x: (
            f"{x['period']} ({x['scale']}) is neither "
            + f"{edge_text['before']} nor {edge_text['end']}"
            + (": an average is never a month's level" if x["scale"] == "monthly average" else "")
        ),
    )
    if any(v["rule"] == "not_at_window_edge" for v in out.rows.values()):
        rules.append("not_at_window_edge")
    before, at_end = edges["before"], edges["end"]
    picked = [e for e in (before, at_end) if e is not None]
    chosen = (
        pd.DataFrame([e.drop(labels=["_bound", "_named", "_tier", "_id", "_ev"], errors="ignore") for e in picked])
        if picked
        else rows.iloc[0:0]
    )
    if len(chosen):
        chosen = chosen.assign(edge=[k for k in ("before", "end") if edges[k] is not None])
        chosen.index.name = rows.index.name
    missing = [edge_text[k] for k in ("before", "end") if edges[k] is None]
    value: float | None = None
    bound, why = "none", ""
    if before is None or at_end is None:
        why = f"no figure in {_series_name(series)} for " + " or ".join(missing)
    else:
        key = (str(before["bound"]), str(at_end["bound"]))
        if key in _CHANGE_BOUND:
            value = float(at_end["base_value"]) - float(before["base_value"])
            bound = _CHANGE_BOUND[key]
            rules.insert(0, "level_change")
        else:
            why = (
                f"the level before is a {before['bound']} bound ({before['value_text']}) and the level at the end a "
                f"{at_end['bound']} bound ({at_end['value_text']}): their difference has no bound"
            )
    return Change(
        rows=chosen,
        left_out=out.frame(),
        rules=tuple(dict.fromkeys([*lv.rules, *rules])),
        period=label,
        series=series,
        value=value,
        bound=bound,
        why_not=why,
    )


# --- the answers to one question --------------------------------------------------------------------
#: the flag of a doubtful figure (schema.FLAGS)
SUSPICIOUS = "suspicious"


def answers(
    obs,
    metric: str | Iterable[str] | None = None,
    entities: str | Iterable[str] | None = None,
    firm: str | None = ANY_FIRM,
    period: str | tuple | None = None,
    conflict_group: str | None = None,
    per_series: str | None = None,
    rel_tol: float = ROUNDING,
) -> Comparable:
    """Every figure that answers one question, each measurement once: the readings of a contested input.

    Selected: the rows of ``conflict_group`` (the data's own grouping of figures that disagree) and the rows
    of ``metric`` for ``entities`` from ``firm`` (when ``metric`` is given). With ``period`` (a label such as
    '2024 Q4', or a (start, end) pair) a dated row must lie inside it (rule ``other_period``) and an undated
    row answers only when it is in ``conflict_group`` (rule ``undated_outside_group``). Unlike
    :func:`levels`, undated rows and bounds are kept (``bound``/``open`` say what a row is; a caller reads a
    bound at its bound and says so). ``per_series='peak'`` keeps the largest figure of each series (rule
    ``largest_per_series``). Left out and listed: change and cumulative rows (``not_a_level``), figures
    flagged suspicious (``doubtful``), repeats of one measurement (``same_measurement``: the kept row lists
    the others in ``obs_ids``/``source_ids``). Kept rows carry :func:`annotate`'s columns, ``dated`` and
    ``conflict``/``conflicts_with``; a question with no answer gives no rows."""
    if per_series not in (None, "peak"):
        raise ValueError(f"per_series must be None or 'peak', got {per_series!r}")
    o = _frame(obs)
    picked = pd.Series(False, index=o.index)
    in_group = pd.Series(False, index=o.index)
    if conflict_group is not None and "conflict_group" in o.columns:
        in_group = o["conflict_group"] == conflict_group
        picked |= in_group
    if metric is not None:
        sel = _by_firm(_select(o, metric, entities), firm)
        picked |= o.index.isin(sel.index)
    rows = annotate(o[picked])
    out = _LeftOut()
    rules: list[str] = []
    kind = rows["value_kind"].fillna("period_value")
    for k, why in NOT_LEVELS.items():
        out.add(rows[kind == k], "not_a_level", lambda x, why=why: f"value_kind {x['value_kind']} ({x['value_text']}): {why}")
    if kind.isin(list(NOT_LEVELS)).any():
        rules.append("not_a_level")
    rows = rows[kind.isin(LEVEL_KINDS)]
    doubtful = _flags(rows).map(lambda f: SUSPICIOUS in f).astype(bool)
    out.add(rows[doubtful], "doubtful", lambda x: f"flagged suspicious ({x['value_text']}): {RULES['doubtful']}")
    if doubtful.any():
        rules.append("doubtful")
    rows = rows[~doubtful]
    rows = rows.assign(dated=rows["period_start"].notna())
    if period is not None:
        start, end = parse_period(period) if isinstance(period, str) else (pd.Timestamp(period[0]), pd.Timestamp(period[1]))
        label = period_label({"period_start": start, "period_end": end})
        outside = rows["dated"] & ~((rows["period_start"] >= start) & (rows["period_end"] <= end))
        out.add(rows[outside], "other_period", lambda x: f"a figure for {x['period']}, not inside {label}")
        group = in_group.reindex(rows.index, fill_value=False)
        loose = ~rows["dated"] & ~group
        out.add(rows[loose], "undated_outside_group", lambda x: f"undated, and not in the question's conflict group: {label}?")
        rules += [r for r, m in (("other_period", outside), ("undated_outside_group", loose)) if m.any()]
        rows = rows[~outside & ~loose]
    rows, folded = _fold(rows, rel_tol, out)
    if folded:
        rules.append("same_measurement")
    if per_series == "peak" and len(rows):
        order = rows.assign(_id=rows.index.astype(str)).sort_values(
            ["series", "base_value", "_id"], ascending=[True, False, True]
        )
        top = order.groupby("series", sort=False).head(1).index
        out.add(
            rows.drop(index=top),
            "largest_per_series",
            lambda x: f"a smaller figure of {_series_name(x['series'])} ({x['value_text']}): the question asks for a peak",
        )
        if len(rows) > len(top):
            rules.append("largest_per_series")
        rows = rows.loc[sorted(top)]
    rows = _mark_conflicts(rows, rel_tol)
    if rows["conflict"].any():
        rules.append("conflicts_shown")
    return Comparable(_sort(rows), out.frame(), tuple(dict.fromkeys(rules)))
