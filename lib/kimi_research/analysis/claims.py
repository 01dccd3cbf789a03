"""Recompute the arithmetic the articles assert (``data/claims.csv``) and give a verdict.

An expression is evaluated by the data layer's small, safe evaluator (numbers, names, + - * / **, unary -,
``min``/``max``/``abs``, and a top-level pair ``(a, b)`` meaning the range a..b). Names are
observation ids (value in base units; ``<id>_hi`` the upper end of a range, ``<id>_pm`` the
per-month value of a flow), event ids (days since 1970-01-01) and ``DAYS_PER_MONTH``.

Verdict, with ``gap`` = distance between the computed value (or range) and the asserted one,
relative to the computed value, and ``tolerance`` a parameter (default 5%):

* ``=`` (the article states it flatly): holds if gap <= 0.5% (rounding), roughly holds if
  gap <= tolerance, else fails;
* ``~`` (the row's qualifier): the article already says "about", so holds if gap <= tolerance, else fails
  (a gap outside the tolerance is never graded "roughly holds");
* ``>``, ``>=``, ``<``, ``<=``: holds if the whole computed range satisfies it, roughly holds
  if it misses by at most the tolerance, else fails.

**Approximate words.** A claim whose quote (or statement, or the asserted row's text) says the figure is
approximate states it *at its own precision*: "两个月左右" is two months give or take half a month, not two
months within 5%. :func:`approximate_word` reads the word; :func:`half_unit` is half a unit of the last
digit the article wrote (兩個月: 0.5 month; 约30%: 0.5 point; 250万元: 5,000元), in base units. Such a claim
holds when the computed value is within that half unit of the asserted value **or** within the tolerance,
whichever is wider, and otherwise fails (never "roughly"):

* "about" words (:data:`ABOUT`: 左右, 约/約, 大约, 差不多, about, around, roughly, approximately): either side,
  ``asserted ± half unit``;
* "nearly" words (:data:`NEARLY`: 近, 接近, 将近, 几乎, nearly, almost, close to) approach the figure from
  below: ``[asserted - half unit, asserted]`` (接近2亿元 is not 2.2亿); the tolerance still applies on either side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kimi_research.data import expressions

HOLDS, ROUGHLY, FAILS = "holds", "roughly holds", "fails"
ROUNDING = 0.005

#: the two kinds of approximate word: "about" (either side) and "nearly" (approached from below)
ABOUT, NEARLY = "about", "nearly"
_NUMERAL = r"\s*[0-9０-９一二两兩三四五六七八九十百千万萬亿億半]"
#: (kind, pattern) in the order they are tried; 近 and 约 count only before a figure and not in a word (最近
#: is "recently", 签约 "signed"), 左右 and 差不多 anywhere
APPROXIMATE_WORDS: tuple[tuple[str, str], ...] = (
    (NEARLY, r"接近|[将將]近|几乎|幾乎|(?<![最附靠邻鄰新])近(?=" + _NUMERAL + ")"),
    (NEARLY, r"(?i)\b(?:nearly|almost|close to)\b"),
    (ABOUT, r"左右|差不多|大[约約]|(?<![签簽合预預节節制邀])[约約](?=" + _NUMERAL + ")"),
    (ABOUT, r"(?i)\b(?:about|around|roughly|approximately)\b"),
)


def approximate_word(*texts: object) -> tuple[str, str] | None:
    """(kind, word as written) of the first approximate word in ``texts`` (quote first), or None."""
    for text in texts:
        if not isinstance(text, str) or not text:
            continue
        for kind, pattern in APPROXIMATE_WORDS:
            m = re.search(pattern, text)
            if m:
                return kind, m.group(0)
    return None


def half_unit(value_text: str, value: float | None = None, base_value: float | None = None) -> float:
    """Half a unit of the last digit written in ``value_text``, in the units of ``base_value``.

    The written number is the one equal to ``value`` (the number as written, before the unit), else the first
    one; a figure in words (兩個月) is a whole number. '约30%' (value 30, base 0.3) gives 0.005; '250万元' 5,000;
    '1.57億元' 500万 (0.005亿); '兩個月' 0.5."""
    numbers = re.findall(r"\d+(?:\.(\d+))?", str(value_text).replace(",", "").replace("，", ""))
    decimals = 0
    if numbers:
        found = re.finditer(r"\d+(?:\.\d+)?", str(value_text).replace(",", "").replace("，", ""))
        texts = [m.group(0) for m in found]
        pick = next((t for t in texts if value is not None and float(t) == abs(float(value))), texts[0])
        decimals = len(pick.split(".")[1]) if "." in pick else 0
    half = 0.5 * 10.0 ** (-decimals)
    if value is not None and base_value is not None and value != 0:
        half *= abs(float(base_value) / float(value))  # written units -> base units
    return half


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


def verdict(
    lo: float,
    hi: float,
    t_lo: float,
    t_hi: float,
    relation: str,
    tolerance: float,
    approximate: str | None = None,
    half: float = 0.0,
) -> tuple[str, float]:
    """(verdict, relative gap) for a computed range [lo, hi] against the asserted [t_lo, t_hi].

    ``approximate`` (:data:`ABOUT` or :data:`NEARLY`) with ``half`` (half a unit of the asserted figure's last
    digit, :func:`half_unit`): the claim holds within that precision or within the tolerance, whichever is wider."""
    ref = abs((lo + hi) / 2) or 1.0
    if relation in ("=", "~", "range"):
        gap = _gap(lo, hi, t_lo, t_hi)
        if approximate is not None:
            eps = 1e-9 * max(abs(t_lo), abs(t_hi), half)  # float noise at a boundary (2.5 months against 2 ± 0.5)
            below = t_lo - half  # lowest value the stated precision allows
            above = t_hi + half if approximate == ABOUT else t_hi  # "nearly" approaches the figure from below
            within = lo <= above + eps and hi >= below - eps
            return (HOLDS if within or gap <= tolerance else FAILS), gap
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
    approximate: str = ""  # the approximate word read from the claim ('' when none)
    precision: float = 0.0  # half a unit of the asserted figure's last digit (base units)


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
            half = half_unit(t)
            word = approximate_word(c["quote"], c["statement"])
        else:
            ob = ds.observations.loc[t]
            t_lo = ob["base_value"]
            t_hi = ob["base_value_high"] if not pd.isna(ob["base_value_high"]) else t_lo
            rel = c["relation"] if isinstance(c["relation"], str) else ob["qualifier"]
            asserted = ob["value_text"]
            half = half_unit(ob["value_text"], ob["value"], ob["base_value"])
            word = approximate_word(c["quote"], c["statement"], ob["value_text"])
        approx = word[0] if word and rel in ("=", "~", "range") else None
        v, gap = verdict(lo, hi, t_lo, t_hi, rel, tolerance, approx, half)
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
                "approximate": word[1] if word and approx else "",
                "precision": half if approx else 0.0,
            }
        )
    return pd.DataFrame(rows).set_index("claim_id", drop=False)


def describe_range(lo: float, hi: float, fmt=lambda x: f"{x:,.4g}") -> str:
    return fmt(lo) if np.isclose(lo, hi) else f"{fmt(lo)} to {fmt(hi)}"
