"""Every conclusion the collection draws, as a named comparison over the scenario table, and its grade.

A :class:`Conclusion` compares one output column of the table :func:`kimi_research.analysis.scenarios.evaluate`
returns with a threshold (a number or another column) and says, per scenario, whether it holds there. Where
an output is missing (a decline fitted on a series with one point, a peak of another firm's panel set
against QuestMobile's latest) the conclusion is **not evaluable** in that scenario: it is left out of its
grade, never counted against it, and the grade says where it could not be tested.

**What a conclusion reads.** ``inputs_read`` are the contested inputs its columns depend on, from the
engine's declarations (:attr:`~kimi_research.analysis.scenarios.Evaluation.depends`: a block's inputs, a
step's reads). A conclusion is graded over the distinct combinations of the readings it reads, each once,
never over the rest of the grid; one that reads no contested input is one computation and says so.

**The grade** (:func:`grade_one`), over the evaluable combinations:

* ``holds in every reading``: it holds in every one (``holds in every evaluable reading`` when some could
  not be evaluated, with where; ``holds; it reads no contested input`` for one computation);
* ``holds unless <input> is <readings>``: one discrete input's other readings all keep it; or, for a range
  input, ``holds unless <input> ≤ t`` (or ``≥ t``), with ``t`` **solved**, not sampled: in closed form where
  the engine's step gives its inverse, else by Brent's method (:func:`scipy.optimize.brentq`) between the
  bounds, once per combination of the discrete readings it reads (``thresholds``); the condition takes the
  largest of them, so that the conclusion holds in every combination beyond it;
* ``not supported by the evidence``: it fails in some reading and no single input's readings explain where;
* ``not evaluable``: no reading can test it.

When two inputs each give a condition, the one that excludes fewer readings is named, then the first in the
registry; a discrete input before a range. **Shares** (``share``, ``share_by_reading``: the fraction of the
evaluable combinations of its readings in which it holds) are kept in the results for completeness but
never written in a sentence: a grid counts each reading once however many sources give it and a range's
share depends on its bounds, so a share is not a probability. Grades and conditions are what the prose states.

The README's findings and the summary deck are held to these grades (``tests/project/test_findings.py``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, cast

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from kimi_research.analysis import contested as C
from kimi_research.analysis import scenarios as S
from kimi_research.analysis.sections import Analysis, Section, shown

if TYPE_CHECKING:
    from kimi_research.data.loader import Dataset
    from kimi_research.params.conclusions import ConclusionsParameters

EVERY, UNLESS, NOT_SUPPORTED, NOT_EVALUABLE = (
    "holds in every reading",
    "holds unless",
    "not supported by the evidence",
    "not evaluable",
)
GRADE_KINDS = {EVERY: "every", UNLESS: "unless", NOT_SUPPORTED: "not_supported", NOT_EVALUABLE: "not_evaluable"}
GRADE_ORDER = ("every", "unless", "not_supported", "not_evaluable")  # strongest first
#: how strongly a sentence may state a conclusion of each grade (not evaluable: as weakly as not supported)
STRENGTH = {"every": 0, "unless": 1, "not_supported": 2, "not_evaluable": 2}
RANGE_BINS = 4
#: points at which a range input's margin is scanned for a sign change before Brent's method refines it
SCAN_POINTS = 257
OPS = ("<", "<=", ">", ">=", "is")

HOLDS, FAILS, THRESHOLD, MIXED, NA = "holds", "fails", "threshold", "mixed", "not evaluable"


@dataclass(frozen=True)
class Conclusion:
    """``output op than``: ``than`` is a number or another column; op 'is' reads a true/false column."""

    id: str
    statement: str  # may hold {column} fields, filled from the table (values no input changes)
    where: str  # where the collection draws it
    output: str  # the main output column (its range is reported)
    op: str
    than: float | str | None = None
    obs_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.op not in OPS:
            raise ValueError(f"{self.id}: op must be one of {OPS}, got {self.op!r}")

    @property
    def reads(self) -> tuple[str, ...]:
        """The columns of the table it compares."""
        return (self.output,) + ((self.than,) if isinstance(self.than, str) else ())

    def margin(self, t: pd.DataFrame) -> pd.Series:
        """How far each scenario is on the holding side (> 0 holds; missing where it cannot be computed)."""
        t = t[list(self.reads)]  # nothing else: what a conclusion reads is declared
        x = pd.to_numeric(t[self.output], errors="coerce").astype(float)
        if self.op == "is":
            return x.where(x.isna(), np.where(x.fillna(0) != 0, 1.0, -1.0))
        y = pd.to_numeric(t[self.than], errors="coerce").astype(float) if isinstance(self.than, str) else float(self.than)  # type: ignore[arg-type]
        return (x - y) if self.op in (">", ">=") else (y - x)

    def holds(self, t: pd.DataFrame) -> pd.Series:
        """True / False per scenario, missing where it is not evaluable."""
        m = self.margin(t)
        ok = m >= 0 if self.op in ("<=", ">=") else m > 0
        return ok.astype(object).where(m.notna(), None)

    def text(self, table: pd.DataFrame) -> str:
        first = cast(dict[str, Any], table.iloc[0].to_dict()) if len(table) else {}
        try:
            return self.statement.format(**first)
        except (KeyError, ValueError, IndexError):
            return self.statement


QM_MAU = ("o000_08", "o004_16", "o000_06", "o004_17")

CONCLUSIONS: tuple[Conclusion, ...] = (
    Conclusion(
        "qm_mau_halved",
        "Kimi lost more than half its QuestMobile monthly users from December 2024 to Q3 2025",
        "README; 01 headline; summary deck",
        "questmobile_peak_to_latest",
        "<",
        -0.5,
        ("o000_08", "o004_17"),
    ),
    Conclusion(
        "peak_mau_halved",
        "Kimi's monthly users fell by more than half from their late-2024 peak to QuestMobile's latest, whichever "
        "peak figure is taken",
        "01 peak to latest",
        "peak_to_latest_change",
        "<",
        -0.5,
        ("o004_17",),
    ),
    Conclusion(
        "like_for_like_fall",
        "Kimi's QuestMobile monthly users fell like for like: a quarter's average against the quarter's average before "
        "it (2025 Q2 to Q3), not only December's month against Q3's average",
        "01 like for like; issue 18",
        "like_for_like_change",
        "<",
        0,
        ("o004_16", "o004_17"),
    ),
    Conclusion(
        "firms_disagree_on_direction",
        "Two measurement firms disagree on the direction of Kimi's monthly users over a window both measured "
        "(AI Product Ranking's series rises while QuestMobile's falls, Dec 2024 to Mar 2025)",
        "01 direction by vendor; issue 23",
        "firms_disagree_on_direction",
        "is",
    ),
    Conclusion(
        "fall_faster_after_r1",
        "Kimi's monthly users fell faster after DeepSeek R1 (January 2025) than before, beyond what the points allow",
        "01 events between points; issue 23",
        "fall_faster_after_r1",
        "is",
    ),
    Conclusion(
        "decline_over_5pct",
        "Kimi's monthly users fell faster than 5% a month",
        "README; 01 headline",
        "decline_monthly_change",
        "<",
        -0.05,
        QM_MAU,
    ),
    Conclusion(
        "decline_ci_over_5pct",
        "Kimi's monthly users fell faster than 5% a month even at the slow end of the fit's 95% interval",
        "01 fit",
        "decline_change_ci_high",
        "<",
        -0.05,
        QM_MAU,
    ),
    Conclusion(
        "decline_half_life_under_year",
        "Kimi's monthly users halve in under a year at the fitted rate",
        "README; 01 headline",
        "decline_half_life",
        "<",
        12,
        QM_MAU,
    ),
    Conclusion(
        "bought_half_life_under_6",
        "A bought user's half-life is under 6 months (02's stock-flow model)",
        "02 headline",
        "bought_half_life",
        "<",
        6,
        QM_MAU,
    ),
    Conclusion(
        "bought_churn_over_20pct",
        "Bought users churned more than 20% a month (02's headline churn)",
        "02 headline",
        "bought_churn",
        ">",
        0.2,
        QM_MAU,
    ),
    Conclusion(
        "kept_user_over_1000",
        "A user still active after 30 days cost Kimi more than CNY 1,000",
        "02 headline",
        "cost_per_retained_user_yuan",
        ">",
        1000,
        ("o004_21",),
    ),
    Conclusion(
        "dau_rise_tenfold",
        "Kimi's daily users grew more than tenfold from {dau_rise_start} to {dau_rise_end} "
        "(36Kr's figures, no measurement firm named)",
        "README; 01 growth phase",
        "dau_rise_multiple",
        ">",
        10,
        ("o003_08", "o003_09"),
    ),
    Conclusion(
        "spend_during_rise",
        "Kimi was advertising while its daily users rose",
        "README; summary deck",
        "spend_in_rise_yuan",
        ">",
        0,
        ("o000_12", "o001_12", "o003_08", "o003_09"),
    ),
    Conclusion(
        "growth_bought_timing",
        "Kimi's growth was bought: its spend peak came before or with its user rise",
        "README (repaired); summary deck",
        "spend_peak_months_after_rise",
        "<=",
        0,
        ("o003_08", "o003_09", "o001_13", "o001_14"),
    ),
    Conclusion(
        "mau_rise_with_spend_peak",
        "Kimi's monthly users rose to their late-2024 peak while its spending peaked: the spend peak came no later "
        "than the peak-MAU month (timing only: it says nothing of cause)",
        "02 spend against users; issue 19",
        "spend_peak_months_before_mau_peak",
        ">=",
        0,
        ("o001_13", "o001_14", "o000_08"),
    ),
    Conclusion(
        "peak_bought_more_than_kept",
        "The spend of Kimi's peak months bought more users than the monthly users QuestMobile counted after them",
        "02 bought against kept",
        "users_bought_peak_window",
        ">",
        "mau_after_peak_window",
        ("o001_13", "o001_14", "o000_08"),
    ),
    Conclusion(
        "money_stopped",
        "Kimi's spending stopped after November 2024 (an article reports it)",
        "README (repaired): 'once the money stopped'",
        "spend_stop_reported",
        "is",
        None,
        ("o001_13", "o001_14"),
    ),
    Conclusion(
        "outspent_bigtech",
        "Kimi out-spent the big-tech apps (Doubao, Yuanbao) on advertising in late 2024",
        "04 verdict; summary deck",
        "kimi_late_2024_spend_per_month",
        ">",
        "bigtech_max_spend_per_month",
        ("o001_13", "o001_14", "o002_14"),
    ),
    Conclusion(
        "rank_fell",
        "Kimi fell from {rank_before_text} to {rank_now_text} on the same weekly-user list (QuestMobile, a year apart)",
        "README; 04 headline; summary deck",
        "rank_now",
        ">",
        "rank_before",
        ("o004_03", "o004_02"),
    ),
    Conclusion(
        "doubao_30x",
        "Doubao had more than 30 times Kimi's weekly users in December 2025",
        "README; 04 headline",
        "doubao_to_kimi_wau",
        ">",
        30,
        ("o004_01",),
    ),
    Conclusion(
        "spent_most_per_new_user",
        "Kimi spent more on advertising per monthly user gained than any rival with a figure (each ratio within "
        "one firm's series and one window; DeepSeek, with no reported advertising, is the zero-ad benchmark)",
        "04 spend per new user; issue 23",
        "kimi_to_rival_spend_per_new_user",
        ">",
        1,
    ),
    Conclusion(
        "ad_share_above_alarm",
        "Kimi's ad share was above article 003's 30% alarm line",
        "03 headline; summary deck",
        "ad_share",
        ">",
        "alarm_threshold",
        ("o003_14", "o003_15"),
    ),
    Conclusion(
        "under_half_growth",
        "At its ad share Kimi keeps less than half the sustainable growth of a firm at the alarm line (equal revenue/cost)",
        "README; 03 headline",
        "ratio_to_threshold_firm",
        "<",
        0.5,
        ("o003_14", "o003_15"),
    ),
    Conclusion(
        "paying_quarter_of_users",
        "Covering Kimi's implied monthly cost at CNY {price_per_paying_user_yuan:g} "
        "a month per paying user would take more than a quarter of its peak monthly users paying",
        "03 headline",
        "paying_share_of_peak_mau",
        ">",
        0.25,
    ),
    Conclusion(
        "runway_under_2y",
        "Alibaba's investment alone would cover less than two years of Kimi's implied total cost at the peak month",
        "03 runway",
        "runway_months_alibaba",
        "<",
        24,
    ),
    Conclusion(
        "valuation_under_5pct_openai",
        "Moonshot's valuation was under 5% of OpenAI's",
        "article 003's comparison",
        "valuation_to_openai",
        "<",
        0.05,
        ("o003_05",),
    ),
)
BY_ID = {c.id: c for c in CONCLUSIONS}


class Solver(Protocol):
    """What the grading needs of the engine to solve a range input's threshold (an ``Evaluation``)."""

    def recompute(self, row: pd.Series, name: str, values: np.ndarray) -> pd.DataFrame: ...

    def closed_form(self, column: str, name: str, target: float, row: pd.Series) -> float | None: ...


# --- what a conclusion reads ----------------------------------------------------------------------
def inputs_read(c: Conclusion, depends: dict[str, tuple[str, ...]], reg: dict[str, C.ContestedInput]) -> list[str]:
    """The contested inputs the conclusion's columns depend on, in registry order."""
    need: set[str] = set()
    for col in c.reads:
        if col not in depends:
            raise KeyError(f"{c.id}: column {col!r} is not an output of the scenario engine")
        need |= set(depends[col])
    return [n for n in reg if n in need]


def varied_inputs(table: pd.DataFrame, reg: dict[str, C.ContestedInput]) -> list[str]:
    return [n for n in reg if n in table.columns and table[n].nunique(dropna=False) > 1]


# --- outcomes per combination of readings -----------------------------------------------------------
def _scan(lo: float, hi: float, log: bool) -> np.ndarray:
    return np.geomspace(lo, hi, SCAN_POINTS) if log else np.linspace(lo, hi, SCAN_POINTS)


def _range_outcome(c: Conclusion, row: pd.Series, r: C.ContestedInput, solver: Solver) -> dict[str, Any]:
    """How the conclusion behaves over the whole range of ``r`` in one combination of the discrete readings:
    holds / fails everywhere, flips once at a solved threshold, or more than once (mixed)."""
    assert r.low is not None and r.high is not None
    lo, hi = float(r.low), float(r.high)
    scan = _scan(lo, hi, r.sampling == "log-uniform")
    margin = c.margin(solver.recompute(row, r.name, scan)).to_numpy(dtype=float)
    if np.isnan(margin).all():
        return {"status": NA}
    if np.isnan(margin).any():
        return {"status": MIXED}
    ok = margin >= 0 if c.op in ("<=", ">=") else margin > 0
    if ok.all():
        return {"status": HOLDS}
    if not ok.any():
        return {"status": FAILS}
    flips = np.flatnonzero(ok[1:] != ok[:-1])
    if len(flips) > 1:
        return {"status": MIXED}
    i = int(flips[0])
    target = float(row[c.than]) if isinstance(c.than, str) else float(c.than or 0)
    t = solver.closed_form(c.output, r.name, target, row) if c.op != "is" else None
    method = "closed form"
    if t is None or not (scan[i] <= t <= scan[i + 1]):
        from scipy.optimize import brentq

        def f(x: float) -> float:
            return float(c.margin(solver.recompute(row, r.name, np.array([x]))).iloc[0])

        t, method = float(brentq(f, scan[i], scan[i + 1], xtol=1e-14, rtol=1e-15)), "brentq"
    return {"status": THRESHOLD, "threshold": float(t), "fails_below": not bool(ok[0]), "method": method}


def outcomes(
    c: Conclusion,
    table: pd.DataFrame,
    reg: dict[str, C.ContestedInput],
    read: list[str],
    solver: Solver | None = None,
) -> pd.DataFrame:
    """One row per combination of the readings ``read`` (a sampled range input: per sample, unless it is solved):
    the readings and ``status`` (holds, fails, threshold, mixed, not evaluable); for a solved range input also
    ``threshold``, ``fails_below`` and ``method``."""
    ranges = [n for n in read if reg[n].kind == C.RANGE]
    solve = solver is not None and len(ranges) == 1
    keys = [n for n in read if not (solve and n in ranges)]
    h = c.holds(table)
    groups: list[tuple[Any, pd.Index]]
    if not keys:
        groups = [((), table.index)]
    else:
        groups = [(key, part.index) for key, part in table.groupby(keys, sort=False, dropna=False)]
    rows = []
    for key, idx in groups:
        key = key if isinstance(key, tuple) else (key,)
        rec: dict[str, Any] = dict(zip(keys, key, strict=True))
        if solve:
            assert solver is not None
            rec |= _range_outcome(c, table.loc[idx[0]], reg[ranges[0]], solver)
        else:
            vals = h.loc[idx]
            ev = vals.dropna()
            if ev.empty:
                rec["status"] = NA
            elif len(ev) < len(vals):
                rec["status"] = MIXED
            else:
                rec["status"] = HOLDS if ev.astype(bool).all() else FAILS if not ev.astype(bool).any() else MIXED
        rows.append(rec)
    out = pd.DataFrame(rows)
    for col in ("threshold", "fails_below", "method"):
        if col not in out.columns:
            out[col] = None
    return out


# --- the grade ------------------------------------------------------------------------------------
def _fmt(x: Any) -> str:
    return f"{x:.3g}" if isinstance(x, float) else str(x)


@dataclass(frozen=True)
class Where:
    """A set of readings of one input (``readings``), or a side of a range input's threshold (``side``, ``value``):
    the condition of an 'unless' grade, or where a conclusion cannot be evaluated. ``text`` writes it with any
    names: input ids and reading keys for the results, words for a reader, romanised readings for a chart."""

    input: str = ""
    readings: tuple[str, ...] = ()
    side: str = ""  # '≤' or '≥' for a range input
    value: float | None = None
    count: int = 0  # not evaluable in no single input's readings: combinations not evaluable
    total: int = 0

    def text(
        self,
        name: Callable[[str], str] = str,
        reading: Callable[[str, str], str] = lambda n, k: k,
        number: Callable[[str, float], str] = lambda n, v: f"{v:.3g}",
    ) -> str:
        if self.side:
            assert self.value is not None
            return f"{name(self.input)} {self.side} {number(self.input, self.value)}"
        if self.input:
            return f"{name(self.input)} is {' or '.join(reading(self.input, k) for k in self.readings)}"
        return f"in {self.count} of {self.total} combinations of its readings"


def _where_not_evaluable(out: pd.DataFrame, keys: list[str], reg: dict[str, C.ContestedInput]) -> Where | None:
    na = out["status"] == NA
    if not na.any():
        return None
    for name in keys:
        if reg[name].kind != C.DISCRETE:
            continue
        all_na = out.groupby(name, sort=False)["status"].agg(lambda s: cast(bool, (s == NA).all()))
        some_na = out.groupby(name, sort=False)["status"].agg(lambda s: cast(bool, (s == NA).any()))
        readings = [str(k) for k, v in all_na.items() if v]
        if readings and not some_na[~all_na].any():
            return Where(name, tuple(readings))
    return Where(count=int(na.sum()), total=len(out))


def _candidates(out: pd.DataFrame, keys: list[str], reg: dict[str, C.ContestedInput], solved: str | None) -> list[Where]:
    """Every single-input condition under which the conclusion holds in every other evaluable combination, in the
    order of preference: a discrete input before a range, fewer readings excluded, then the registry's order."""
    ev = out[out["status"] != NA]
    found: list[tuple[int, float, int, Where]] = []
    order = list(reg)
    for name in keys:
        if reg[name].kind != C.DISCRETE:
            continue
        full = ev.groupby(name, sort=False)["status"].agg(lambda s: cast(bool, (s == HOLDS).all()))
        fails = [str(k) for k, ok in full.items() if not ok]
        if 0 < len(fails) < len(full):
            found.append((0, len(fails), order.index(name), Where(name, tuple(fails))))
    if solved is not None:
        r = reg[solved]
        thr = ev[ev["status"] == THRESHOLD]
        rest = ev[~ev["status"].isin([HOLDS, THRESHOLD])]
        if len(thr) and rest.empty and thr["fails_below"].nunique() == 1:
            assert r.low is not None and r.high is not None
            if bool(thr["fails_below"].iloc[0]):
                t = float(thr["threshold"].max())  # fails at or below it in some combination: holds above it in all
                if t < r.high:
                    found.append((1, math.inf, order.index(solved), Where(solved, side="≤", value=t)))
            else:
                t = float(thr["threshold"].min())
                if t > r.low:
                    found.append((1, math.inf, order.index(solved), Where(solved, side="≥", value=t)))
    return [w for *_, w in sorted(found, key=lambda f: f[:3])]


def grade_one(
    c: Conclusion,
    table: pd.DataFrame,
    reg: dict[str, C.ContestedInput],
    depends: dict[str, tuple[str, ...]] | None = None,
    solver: Solver | None = None,
) -> dict:
    """The grade of one conclusion over the combinations of the readings it reads (see the module docstring).

    ``depends`` ({column: inputs}, the engine's :attr:`Evaluation.depends`) gives what it reads; without it every
    contested input that is a column of ``table`` is read. ``solver`` (the ``Evaluation``) solves a range input's
    threshold exactly; without it a range input is graded on its samples and names no threshold."""
    read = inputs_read(c, depends, reg) if depends is not None else [n for n in reg if n in table.columns]
    ranges = [n for n in read if reg[n].kind == C.RANGE]
    solved = ranges[0] if solver is not None and len(ranges) == 1 else None
    keys = [n for n in read if n != solved]
    # one row per combination of the readings it reads (a sampled range: per sample); rows of one combination
    # that disagree (an input it reads left undeclared) are all kept, and the combination holds only if all do
    cols = list(dict.fromkeys([*read, *c.reads]))
    sub = table.drop_duplicates(subset=cols) if read else table.drop_duplicates(subset=list(c.reads))
    out = outcomes(c, sub, reg, read, solver if solved else None)
    h = c.holds(sub)
    ev_rows = h.dropna().astype(bool)
    share = float(ev_rows.mean()) if len(ev_rows) else None
    n_eval = int((out["status"] != NA).sum())
    na_where = _where_not_evaluable(out, keys, reg)
    not_evaluable = f"not evaluable {'when ' if na_where.input else ''}{na_where.text()}" if na_where else ""
    ev = out[out["status"] != NA]
    condition, flip, where, depends_on = "", None, None, []
    if ev.empty:
        grade, text = NOT_EVALUABLE, NOT_EVALUABLE
        condition = "no reading can test it"
    elif (ev["status"] == HOLDS).all():
        grade = EVERY
        text = "holds; it reads no contested input (one computation)" if not read else EVERY
        if not_evaluable:
            text = "holds in every evaluable reading"
    elif (ev["status"] == FAILS).all():
        grade, text = NOT_SUPPORTED, NOT_SUPPORTED
        condition = "fails in its one computation; it reads no contested input" if not read else "holds in no reading"
    else:
        found = _candidates(out, keys, reg, solved)
        if found:
            where = found[0]
            flip, condition = where.input, where.text()
            grade, text = UNLESS, f"{UNLESS} {condition}"
        else:
            grade, text = NOT_SUPPORTED, NOT_SUPPORTED
    # per input it reads: the share of the evaluable combinations in which it holds, per reading
    by_reading: dict[str, dict[str, float | None]] = {}
    spreads: dict[str, float] = {}
    for name in read:
        if reg[name].kind == C.RANGE:
            if sub[name].nunique() < 2:
                continue
            q = min(RANGE_BINS, sub[name].nunique())
            codes = pd.qcut(sub[name], q, duplicates="drop", labels=False)
            span = sub[name].groupby(codes).agg(["min", "max"])
            labels = codes.map({i: f"{x['min']:.3g}–{x['max']:.3g}" for i, x in span.iterrows()})
        else:
            labels = sub[name]
        g = h.groupby(labels, sort=False).agg(lambda s: cast(Any, s.dropna().astype(bool).mean() if s.notna().any() else None))
        known = g.dropna().astype(float)
        spread = float(known.max() - known.min()) if len(known) else 0.0
        if spread > 0 or g.isna().any():
            by_reading[name] = {str(k): (None if v is None or pd.isna(v) else float(v)) for k, v in g.items()}
        spreads[name] = spread
    if grade == NOT_SUPPORTED and not condition:
        depends_on = [n for n in sorted(spreads, key=lambda n: (-spreads[n], list(reg).index(n))) if spreads[n] > 0]
        condition = f"depends on {', '.join(depends_on)}" if depends_on else ""
        flip = depends_on[0] if depends_on else None
        if not depends_on:  # no single input moves it on average: the combination does
            depends_on = list(read)
            condition = f"depends on {', '.join(read)} together"
    thresholds = []
    if solved:
        for _, o in out[out["status"] == THRESHOLD].iterrows():
            thresholds.append(
                {
                    "input": solved,
                    "value": float(o["threshold"]),
                    "fails": "below" if bool(o["fails_below"]) else "above",
                    "method": str(o["method"]),
                    "readings": {k: str(o[k]) for k in keys},
                }
            )
    obs = list(c.obs_ids)
    for name in read:
        obs += [i for i in reg[name].all_obs_ids() if i not in obs]
    numeric = pd.to_numeric(sub[c.output], errors="coerce").where(h.notna())
    return {
        "id": c.id,
        "statement": c.text(table),
        "where": c.where,
        "inputs_read": read,
        "share": share,
        "n_scenarios": len(out),
        "n_evaluable": n_eval,
        "not_evaluable": not_evaluable,
        "flip_input": flip,
        "spread": spreads.get(flip, 0.0) if flip else 0.0,
        "grade": text,
        "grade_kind": GRADE_KINDS[grade],
        "condition": condition,
        "where_unless": where,  # the condition as a structure (not in the results: for sentences and charts)
        "where_not_evaluable": na_where,
        "depends_on": depends_on,
        "thresholds": thresholds,
        "output": c.output,
        "output_min": float(numeric.min()) if numeric.notna().any() else None,
        "output_median": float(numeric.median()) if numeric.notna().any() else None,
        "output_max": float(numeric.max()) if numeric.notna().any() else None,
        "obs_ids": obs,
        "share_by_reading": by_reading,
    }


def grade(
    table: pd.DataFrame,
    reg: dict[str, C.ContestedInput],
    conclusions: tuple[Conclusion, ...] = CONCLUSIONS,
    depends: dict[str, tuple[str, ...]] | None = None,
    solver: Solver | None = None,
) -> pd.DataFrame:
    """One row per conclusion: what it reads, its grade and condition, the thresholds, the observations it rests on."""
    return pd.DataFrame([grade_one(c, table, reg, depends, solver) for c in conclusions]).set_index("id", drop=False)


def grade_evaluation(ev: Any, conclusions: tuple[Conclusion, ...] = CONCLUSIONS) -> pd.DataFrame:
    """:func:`grade` of an engine :class:`~kimi_research.analysis.scenarios.Evaluation` (thresholds solved)."""
    return grade(ev.table, ev.registry, conclusions, ev.depends, ev)


def counts(graded: pd.DataFrame) -> dict[str, int]:
    return {k: int((graded["grade_kind"] == k).sum()) for k in GRADE_ORDER}


def allows(grade_kind: str, claimed: str) -> bool:
    """Whether a sentence claiming ``claimed`` strength ('every', 'unless', 'not_supported') is allowed by
    a conclusion graded ``grade_kind``: a sentence may state as much as the grade or less."""
    return STRENGTH[claimed] >= STRENGTH[grade_kind]


Predicate = Callable[[pd.DataFrame], pd.Series]


# --- notebook 05 as typed sections -------------------------------------------------------------------
class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ReadingRecord(_Record):
    key: str = Field(description="the reading's key (its figure as written, or a modelling choice)")
    label: str = Field(description="the figure, its firm, period and sources")
    value: float | str | None = Field(description="its value in base units (CNY, users, a share), or the choice")
    obs_ids: list[str] = Field(description="the rows it is read from, the representative first")
    source_ids: list[str] = Field(description="the sources that state it")
    firm: str = Field(description="the measurement firm of the representative row ('' when none is named)")
    parameter: str = Field(description="'notebook.parameter' for a modelling choice")


class InputRecord(_Record):
    kind: str = Field(description="'discrete' (readings) or 'range' (bounds)")
    question: str = Field(description="the question the input answers")
    query: str = Field(description="how its readings are found in the data")
    readings: list[ReadingRecord] = Field(description="discrete: every reading, the default first")
    low: float | None = Field(description="range: the lowest value")
    high: float | None = Field(description="range: the highest value")
    default: float | None = Field(description="range: the value used when it is not varied (the evidence's own figure)")
    low_source: str = Field(description="range: where the low bound comes from")
    high_source: str = Field(description="range: where the high bound comes from")
    sampling: str = Field(description="range: 'uniform' or 'log-uniform'")
    left_out: dict[str, str] = Field(description="rows the query found and left out: obs_id -> rule: reason")


class Threshold(_Record):
    input: str = Field(description="the range input")
    value: float = Field(description="where the conclusion flips, solved")
    fails: str = Field(description="'below' or 'above': the side on which it fails")
    method: str = Field(description="'closed form' or 'brentq'")
    readings: dict[str, str] = Field(description="the readings of the other inputs it reads in this combination")


class ConclusionGrade(_Record):
    id: str = Field(description="the conclusion's stable id")
    statement: str = Field(description="what it says")
    where: str = Field(description="where the collection draws it")
    inputs_read: list[str] = Field(description="the contested inputs its output depends on (from the engine's declarations)")
    share: float | None = Field(
        description="fraction of the evaluable combinations of its readings in which it holds: unweighted, not a "
        "probability; never written in a sentence"
    )
    n_scenarios: int = Field(description="combinations of the readings it reads (1: one computation)")
    n_evaluable: int = Field(description="of them, those in which it can be computed")
    not_evaluable: str = Field(description="where it cannot be computed ('' when everywhere)")
    flip_input: str | None = Field(description="the input its condition names, or that moves it most")
    spread: float = Field(description="the largest difference of the share between that input's readings")
    grade: str = Field(description="the grade with its condition (inputs by id, readings by key)")
    grade_kind: str = Field(description="'every', 'unless', 'not_supported' or 'not_evaluable'")
    condition: str = Field(description="the condition of an 'unless' grade, or what a weaker grade depends on")
    grade_words: str = Field(description="the grade with its condition in words, for a sentence (inputs by name)")
    condition_words: str = Field(description="the condition in words")
    not_evaluable_words: str = Field(description="where it cannot be computed, in words ('' when everywhere)")
    thresholds: list[Threshold] = Field(description="a range input's solved threshold per combination of the other readings")
    output: str = Field(description="the output column it compares")
    output_min: float | None = Field(description="its smallest evaluable value")
    output_median: float | None = Field(description="its median")
    output_max: float | None = Field(description="its largest")
    obs_ids: list[str] = Field(description="the observations it rests on, and those of the inputs it reads")


class EvidenceGrade(_Record):
    articles: str = Field(description="the grade on the five articles")
    all: str = Field(description="the grade on every source")
    articles_kind: str = Field(description="its kind on the articles")
    all_kind: str = Field(description="its kind on every source")
    changed: bool = Field(description="whether the grade text differs")
    why: str = Field(description="what the supplement changes for it (readings gained or lost, outputs moved)")


class ContestedInputs(Section):
    """Which inputs does the evidence dispute, what are their readings, and where does each come from?"""

    contested_inputs: dict[str, InputRecord] = Field(description="every contested input: its readings or bounds, from the data")

    evidence: str = shown("the evidence of the run")
    words: dict[str, str] = shown("input id -> its name for a reader")
    table: pd.DataFrame = shown("one row per reading (a range: one row), contested.table")
    left_out: pd.DataFrame = shown("rows the questions found and left out: input, obs_id, rule, reason")
    compute_cost: float = shown("CNY of compute per new user, added to every CPA reading")
    compute_cost_obs: tuple[str, ...] = shown("the rows of the compute cost")


class ScenarioTable(Section):
    """How many scenarios, which inputs vary, and what range each main output spans?"""

    n_scenarios: int = Field(description="rows of the scenario table (every combination of the varied readings)")
    n_tasks: int = Field(description="analysis runs the engine made (one per block and combination of its inputs)")
    varied: list[str] = Field(description="the inputs that take more than one value")

    outputs: pd.DataFrame = shown("min, median and max of the main outputs over the table")
    samples: int = shown("parameter")
    seed: int = shown("parameter")


class Grades(Section):
    """Every conclusion, what it reads, and how sure: its grade and condition."""

    conclusions: list[ConclusionGrade] = Field(description="one record per conclusion, in the order of CONCLUSIONS")
    grade_counts: dict[str, int] = Field(description="conclusions per grade kind")

    graded: pd.DataFrame = shown("grade() of the table: one row per conclusion")
    reader: dict[str, ReaderText] = shown("conclusion -> its grade in words (inputs by name) and for a chart")
    input_words: dict[str, str] = shown("input id -> its name for a reader, in registry order")
    evidence: str = shown("the evidence of the run")
    n_inputs: int = shown("contested inputs in the registry")
    inputs: list[str] = shown("their names, in registry order")
    source: str = shown("the sources of the observations the conclusions rest on (footnote)")


class Splits(Section):
    """For each conclusion some reading moves: which readings keep it and which do not?"""

    share_by_reading: dict[str, dict[str, dict[str, float | None]]] = Field(
        description="conclusion -> input -> reading -> share of its evaluable combinations in which it holds "
        "(None: not evaluable there); shown as holds / fails / in part, never as a share"
    )

    table: pd.DataFrame = shown("one row per conclusion and input that moves it: the outcome per reading")


class EvidenceComparison(Section):
    """Do the grades change when the public-report supplement is added to the five articles, and why?"""

    grades_by_evidence: dict[str, EvidenceGrade] = Field(
        description="conclusion -> its grade on the articles and on all evidence"
    )

    table: pd.DataFrame = shown("one row per conclusion: both grades and why they differ")
    changes: list[tuple[str, str, str, str]] = shown("(id, grade on the articles, on every source, why) of each change, in words")
    n_changed: int = shown("conclusions whose grade changes")


class ConclusionsAnalysis(Analysis):
    """Notebook 05: every conclusion of the collection, graded over the readings of the contested evidence."""

    notebook: ClassVar[str] = "05_conclusions"

    inputs: ContestedInputs
    scenarios: ScenarioTable
    grades: Grades
    splits: Splits
    evidence_comparison: EvidenceComparison


#: the main outputs the scenario-table summary shows
SUMMARY_OUTPUTS = (
    "bought_churn",
    "bought_half_life",
    "decline_monthly_change",
    "peak_to_latest_change",
    "cost_per_retained_user_yuan",
    "ratio_to_threshold_firm",
    "runway_months_alibaba",
)


def _input_record(c: C.ContestedInput) -> InputRecord:
    left = c.left_out
    return InputRecord(
        kind=c.kind,
        question=c.question,
        query=c.query,
        readings=[
            ReadingRecord(
                key=r.key,
                label=r.label,
                value=r.value,
                obs_ids=list(r.obs_ids),
                source_ids=list(r.source_ids),
                firm=r.firm,
                parameter=r.parameter,
            )
            for r in c.readings
        ],
        low=c.low,
        high=c.high,
        default=c.default if c.kind == C.RANGE else None,
        low_source=c.low_source,
        high_source=c.high_source,
        sampling=c.sampling if c.kind == C.RANGE else "",
        left_out={str(i): f"{x['rule']}: {x['reason']}" for i, x in left.iterrows()} if len(left) else {},
    )


def _contested(ev: S.Evaluation, evidence: str) -> ContestedInputs:
    reg = ev.registry
    parts = [c.left_out.assign(input=n) for n, c in reg.items() if len(c.left_out)]
    left = (
        pd.concat(parts).rename_axis("obs_id").reset_index()[["input", "obs_id", "value_text", "rule", "reason"]]
        if parts
        else pd.DataFrame(columns=["input", "obs_id", "value_text", "rule", "reason"])
    )
    assert ev.context is not None
    return ContestedInputs(
        contested_inputs={n: _input_record(c) for n, c in reg.items()},
        evidence=evidence,
        words={n: c.words for n, c in reg.items()},
        table=C.table(reg),
        left_out=left,
        compute_cost=ev.context.compute_cost,
        compute_cost_obs=ev.context.compute_cost_obs,
    )


def _scenario_table(ev: S.Evaluation, P: ConclusionsParameters) -> ScenarioTable:
    t = ev.table
    cols = [c for c in SUMMARY_OUTPUTS if c in t.columns]
    x = t[cols].apply(pd.to_numeric, errors="coerce")
    out = pd.DataFrame({"min": x.min(), "median": x.median(), "max": x.max()})
    return ScenarioTable(
        n_scenarios=len(t),
        n_tasks=ev.n_tasks,
        varied=varied_inputs(t, ev.registry),
        outputs=out,
        samples=P.samples,
        seed=P.seed,
    )


#: the columns of grade() that are results (the others are structures for sentences and charts)
RECORD_COLUMNS = [f for f in ConclusionGrade.model_fields if not f.endswith("_words")]


def _records(graded: pd.DataFrame, reg: dict[str, C.ContestedInput]) -> list[ConclusionGrade]:
    def clean(v: Any) -> Any:  # a frame turns None into NaN in its object columns
        return None if isinstance(v, float) and math.isnan(v) else v

    out = []
    for r in graded.to_dict(orient="records"):
        t = reader_text(r, reg)
        words = {"grade_words": t.grade, "condition_words": t.condition, "not_evaluable_words": t.not_evaluable}
        out.append(ConclusionGrade(**{k: clean(r[k]) for k in RECORD_COLUMNS}, **words))
    return out


class ReaderText(_Record):
    """A conclusion's grade in words for a reader (inputs by their names, not their ids) and for a chart."""

    grade: str
    condition: str
    not_evaluable: str
    reads: str
    chart: str  # the grade for a chart: readings romanised (no CJK glyph needed)


def reader_text(r: pd.Series | dict, reg: dict[str, C.ContestedInput]) -> ReaderText:
    """The grade, condition and where it cannot be evaluated, written with the inputs' names."""

    def name(n: str) -> str:
        return reg[n].words if n in reg else n

    def prose(n: str, k: str) -> str:
        return reg[n].reading(k).prose if n in reg and k in reg[n].keys() else k

    def chart(n: str, k: str) -> str:
        return reg[n].reading(k).chart_label if n in reg and k in reg[n].keys() else k

    def number(n: str, v: float) -> str:
        """A threshold in a reader's words: a range between 0 and 1 is a share (both ranges are), read as a percent."""
        lo, hi = (reg[n].low, reg[n].high) if n in reg and reg[n].kind == C.RANGE else (None, None)
        share = lo is not None and hi is not None and 0 <= lo and hi <= 1
        return f"{v * 100:.3g}%" if share else f"{v:.3g}"

    kind, read = r["grade_kind"], list(r["inputs_read"])
    unless: Where | None = r["where_unless"]
    na: Where | None = r["where_not_evaluable"]
    not_evaluable = ""
    if na is not None:
        not_evaluable = f"not evaluable when {na.text(name, prose)}" if na.input else f"not evaluable {na.text()}"
    if kind == "every":
        grade = "holds; it reads no contested input" if not read else "holds in every evaluable reading" if na else EVERY
        condition = ""
        short = "no contested input" if not read else "every evaluable reading" if na else "every reading"
    elif kind == "unless":
        assert unless is not None
        condition = unless.text(name, prose, number)
        grade, short = f"{UNLESS} {condition}", f"unless {unless.text(name, chart, number)}"
    elif kind == "not_evaluable":
        condition = "no reading can test it" if read else "the evidence used cannot compute it; it reads no contested input"
        grade, short = NOT_EVALUABLE if read else f"{NOT_EVALUABLE}; it reads no contested input", "not evaluable"
    else:
        grade = NOT_SUPPORTED
        if not read:
            condition = "fails in its one computation; it reads no contested input"
        elif r["depends_on"]:
            condition = "depends on " + ", ".join(name(n) for n in r["depends_on"])
        else:
            condition = r["condition"]
        short = "not supported" + (f": {condition}" if condition else "")
    return ReaderText(
        grade=grade,
        condition=condition,
        not_evaluable=not_evaluable,
        reads=", ".join(name(n) for n in read) or "no contested input",
        chart=short,
    )


def _grades(ds: Dataset, ev: S.Evaluation, graded: pd.DataFrame, evidence: str) -> Grades:
    ids = sorted({i for ids in graded["obs_ids"] for i in ids if i in ds.observations.index})
    return Grades(
        conclusions=_records(graded, ev.registry),
        grade_counts=counts(graded),
        graded=graded,
        reader={str(r["id"]): reader_text(r, ev.registry) for _, r in graded.iterrows()},
        input_words={n: c.words for n, c in ev.registry.items()},
        evidence=evidence,
        n_inputs=len(ev.registry),
        inputs=list(ev.registry),
        source=ds.source_label(sorted({ds.observations.at[i, "source_id"] for i in ids})),
    )


def outcome_word(share: float | None) -> str:
    """A reading's outcome in words (never its share): holds, fails, holds in part, not evaluable."""
    if share is None or pd.isna(share):
        return "not evaluable"
    return "holds" if share == 1 else "fails" if share == 0 else "holds in part"


def _splits(graded: pd.DataFrame, reg: dict[str, C.ContestedInput]) -> Splits:
    rows = []
    for _, r in graded.iterrows():
        for name, by in (r["share_by_reading"] or {}).items():
            c = reg[name]
            rows.append(
                {
                    "conclusion": r["statement"],
                    "input": c.words,
                    "outcome by reading": " · ".join(
                        f"{c.reading(k).prose if k in c.keys() else k}: {outcome_word(v)}" for k, v in by.items()
                    ),
                }
            )
    table = pd.DataFrame(rows, columns=["conclusion", "input", "outcome by reading"])
    return Splits(share_by_reading=dict(zip(graded["id"], graded["share_by_reading"], strict=True)), table=table)


#: each compared output in words (the evidence comparison says how it moves)
OUTPUT_WORDS = {
    "questmobile_peak_to_latest": "QuestMobile's change from its peak to its latest figure",
    "peak_to_latest_change": "the change from the peak reading to QuestMobile's latest figure",
    "decline_monthly_change": "the fitted monthly change",
    "decline_change_ci_high": "the slow end of the fit's 95% interval",
    "decline_half_life": "the fitted half-life (months)",
    "bought_half_life": "the bought users' half-life (months)",
    "bought_churn": "the bought users' monthly churn",
    "cost_per_retained_user_yuan": "the cost per user kept 30 days (CNY)",
    "dau_rise_multiple": "the multiple of the daily-user rise",
    "spend_in_rise_yuan": "the spend during the rise (CNY)",
    "spend_peak_months_after_rise": "months from the end of the daily-user rise to the spend peak",
    "spend_stop_reported": "whether a stop of the spending is reported",
    "kimi_late_2024_spend_per_month": "Kimi's late-2024 spend a month (CNY)",
    "rank_now": "Kimi's rank now",
    "doubao_to_kimi_wau": "Doubao's weekly users over Kimi's",
    "ad_share": "the ad share",
    "ratio_to_threshold_firm": "the growth kept against a firm at the alarm line",
    "paying_share_of_peak_mau": "the share of the peak MAU that would have to pay",
    "runway_months_alibaba": "the months Alibaba's investment would last",
    "valuation_to_openai": "Moonshot's valuation over OpenAI's",
}


def _fmt_range(lo: float | None, hi: float | None) -> str:
    if lo is None or hi is None or pd.isna(lo) or pd.isna(hi):
        return "none evaluable"
    return f"{lo:.4g}" if math.isclose(lo, hi) else f"{lo:.4g} to {hi:.4g}"


def _why(
    a: pd.Series,
    b: pd.Series,
    reg_a: dict[str, C.ContestedInput],
    reg_b: dict[str, C.ContestedInput],
    na_a: str,
    na_b: str,
) -> str:
    """What the supplement changes for one conclusion: readings gained or lost by the inputs it reads, bounds
    moved, where it cannot be evaluated, the range of its output (inputs and outputs in words)."""
    reasons = []
    for name in dict.fromkeys([*a["inputs_read"], *b["inputs_read"]]):
        ca, cb = reg_a.get(name), reg_b.get(name)
        if ca is None or cb is None:
            continue
        if ca.kind == C.RANGE:
            if (ca.low, ca.high) != (cb.low, cb.high):
                reasons.append(f"{cb.words}'s bounds move from {ca.low:g}–{ca.high:g} to {cb.low:g}–{cb.high:g}")
            continue
        gained = [cb.reading(k).prose for k in cb.keys() if k not in ca.keys()]
        lost = [ca.reading(k).prose for k in ca.keys() if k not in cb.keys()]
        if gained:
            reasons.append(f"{cb.words} gains the reading {', '.join(gained)}")
        if lost:
            reasons.append(f"{ca.words} loses the reading {', '.join(lost)}")
        for k in (k for k in ca.keys() if k in cb.keys() and isinstance(cb.reading(k).value, str)):
            if ca.reading(k).label != cb.reading(k).label:  # a modelling choice whose data changed
                reasons.append(f"{cb.words}: {cb.reading(k).label} (articles: {ca.reading(k).label})")
    if na_a != na_b:
        reasons.append(f"{na_b or 'evaluable in every reading'} (articles: {na_a or 'evaluable in every reading'})")
    ra, rb = _fmt_range(a["output_min"], a["output_max"]), _fmt_range(b["output_min"], b["output_max"])
    if ra != rb:
        reasons.append(f"{OUTPUT_WORDS.get(a['output'], a['output'])}: {ra} → {rb}")
    return "; ".join(reasons) or "the same readings and outputs"


def _evidence_comparison(
    graded: dict[str, pd.DataFrame], regs: dict[str, dict[str, C.ContestedInput]], readers: dict[str, dict[str, ReaderText]]
) -> EvidenceComparison:
    ga, gb = graded["articles"], graded["all"]
    out: dict[str, EvidenceGrade] = {}
    for cid in ga.index:
        a, b = ga.loc[cid], gb.loc[cid]
        ta, tb = readers["articles"][str(cid)], readers["all"][str(cid)]
        changed = a["grade"] != b["grade"]
        out[str(cid)] = EvidenceGrade(
            articles=a["grade"],
            all=b["grade"],
            articles_kind=a["grade_kind"],
            all_kind=b["grade_kind"],
            changed=bool(changed),
            why=_why(a, b, regs["articles"], regs["all"], ta.not_evaluable, tb.not_evaluable) if changed else "",
        )
    table = pd.DataFrame(
        {
            "conclusion": [ga.at[c, "statement"] for c in out],
            "the five articles": [readers["articles"][c].grade for c in out],
            "every source": [readers["all"][c].grade for c in out],
            "why it changes": [g.why or "–" for g in out.values()],
        }
    )
    changes = [(c, readers["articles"][c].grade, readers["all"][c].grade, g.why) for c, g in out.items() if g.changed]
    return EvidenceComparison(grades_by_evidence=out, table=table, changes=changes, n_changed=len(changes))


def analyse(ds: Dataset, P: ConclusionsParameters) -> ConclusionsAnalysis:
    """Notebook 05: the scenario grid on ``P.evidence`` of the data, every conclusion graded over it, and the same
    grades on the other evidence setting beside them. ``ds`` is the full dataset (``kr.load()``)."""
    spec = P.grid_spec()
    main: str = P.evidence
    evs: dict[str, S.Evaluation] = {main: S.evaluate(ds, spec)}
    other = "all" if main == "articles" else "articles"
    evs[other] = S.evaluate(ds, replace(spec, evidence=other))
    graded = {k: grade_evaluation(e) for k, e in evs.items()}
    regs = {k: e.registry for k, e in evs.items()}
    readers = {k: {str(r["id"]): reader_text(r, regs[k]) for _, r in g.iterrows()} for k, g in graded.items()}
    ev, g = evs[main], graded[main]
    return ConclusionsAnalysis(
        parameters=P,
        inputs=_contested(ev, P.evidence),
        scenarios=_scenario_table(ev, P),
        grades=_grades(S.restrict_evidence(ds, P.evidence), ev, g, P.evidence),
        splits=_splits(g, ev.registry),
        evidence_comparison=_evidence_comparison(graded, regs, readers),
    )


__all__ = [
    "CONCLUSIONS",
    "EVERY",
    "NOT_EVALUABLE",
    "NOT_SUPPORTED",
    "UNLESS",
    "Conclusion",
    "ConclusionsAnalysis",
    "allows",
    "analyse",
    "counts",
    "grade",
    "grade_evaluation",
    "grade_one",
    "inputs_read",
]
