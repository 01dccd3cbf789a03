"""Recompute the arithmetic the articles assert (``data/claims.csv``) and give a verdict.

An expression is evaluated by the data layer's small, safe evaluator (numbers, names, + - * / **, unary -,
``min``/``max``/``abs``, and a top-level pair ``(a, b)`` meaning the range a..b). Names are
observation ids (value in base units; ``<id>_hi`` the upper end of a range, ``<id>_pm`` the
per-month value of a flow), event ids (days since 1970-01-01) and ``DAYS_PER_MONTH``.

Verdict, with ``gap`` = distance between the computed value (or range) and the asserted one,
relative to the computed value, and ``tolerance`` a parameter (default 5%):

* ``=`` (the article states it flatly): holds if gap <= 0.5% (rounding), roughly holds if
  gap <= tolerance, else fails;
* ``~`` (约, 左右, 接近): the article already says "about", so holds if gap <= tolerance, else fails
  (a gap outside the tolerance is never graded "roughly holds");
* ``>``, ``>=``, ``<``, ``<=``: holds if the whole computed range satisfies it, roughly holds
  if it misses by at most the tolerance, else fails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kimi_research.data import expressions

HOLDS, ROUGHLY, FAILS = "holds", "roughly holds", "fails"
ROUNDING = 0.005


def safe_eval(expression: str, names: dict[str, float]) -> float | tuple[float, float]:
    """Evaluate an arithmetic expression over ``names``; a top-level pair is a range.

    The parser and its restrictions live in the data layer (:mod:`kimi_research.data.expressions`),
    which checks every claim when the data is loaded; errors are ``ValueError``.
    """
    return expressions.evaluate(expression, names)


def namespace(ds) -> dict[str, float]:
    return expressions.namespace(ds.observations, ds.events)


def _gap(lo: float, hi: float, t_lo: float, t_hi: float) -> float:
    """Distance between [lo, hi] and [t_lo, t_hi], relative to the computed midpoint."""
    dist = max(0.0, t_lo - hi, lo - t_hi)
    ref = abs((lo + hi) / 2) or 1.0
    return dist / ref


def verdict(lo: float, hi: float, t_lo: float, t_hi: float, relation: str, tolerance: float) -> tuple[str, float]:
    """(verdict, relative gap) for a computed range [lo, hi] against the asserted [t_lo, t_hi]."""
    ref = abs((lo + hi) / 2) or 1.0
    if relation in ("=", "~", "range"):
        gap = _gap(lo, hi, t_lo, t_hi)
        if relation == "=":
            return (HOLDS if gap <= ROUNDING else ROUGHLY if gap <= tolerance else FAILS), gap
        return (HOLDS if gap <= tolerance else FAILS), gap  # outside the tolerance is never "roughly"
    if relation in (">", ">="):
        ok = lo > t_hi if relation == ">" else lo >= t_hi
        gap = max(0.0, t_hi - lo) / ref
    elif relation in ("<", "<="):
        ok = hi < t_lo if relation == "<" else hi <= t_lo
        gap = max(0.0, hi - t_lo) / ref
    else:
        raise ValueError(f"unknown relation {relation!r}")
    return (HOLDS if ok else ROUGHLY if gap <= tolerance else FAILS), (0.0 if ok else gap)


@dataclass
class ClaimResult:
    claim_id: str
    computed_low: float
    computed_high: float
    target_low: float
    target_high: float
    relation: str
    gap: float
    verdict: str


def evaluate(ds, tolerance: float = 0.05) -> pd.DataFrame:
    """One row per claim: computed value(s), the asserted value, relation, gap and verdict."""
    if not 0 < tolerance < 1:
        raise ValueError(f"tolerance must be in (0, 1), got {tolerance!r}")
    ns = namespace(ds)
    rows = []
    for cid, c in ds.claims.iterrows():
        val = safe_eval(c["expression"], ns)
        lo, hi = val if isinstance(val, tuple) else (val, val)
        t = c["target"]
        if re.fullmatch(r"-?\d+(\.\d+)?", t):
            t_lo = t_hi = float(t)
            rel = c["relation"]
            asserted = t
        else:
            ob = ds.observations.loc[t]
            t_lo = ob["base_value"]
            t_hi = ob["base_value_high"] if not pd.isna(ob["base_value_high"]) else t_lo
            rel = c["relation"] if isinstance(c["relation"], str) else ob["qualifier"]
            asserted = ob["value_text"]
        v, gap = verdict(lo, hi, t_lo, t_hi, rel, tolerance)
        rows.append(
            {
                "claim_id": cid,
                "source_id": c["source_id"],
                "statement": c["statement"],
                "computed_low": lo,
                "computed_high": hi,
                "asserted": asserted,
                "target_low": t_lo,
                "target_high": t_hi,
                "relation": rel,
                "gap": gap,
                "verdict": v,
            }
        )
    return pd.DataFrame(rows).set_index("claim_id", drop=False)


def describe_range(lo: float, hi: float, fmt=lambda x: f"{x:,.4g}") -> str:
    return fmt(lo) if np.isclose(lo, hi) else f"{fmt(lo)} to {fmt(hi)}"
