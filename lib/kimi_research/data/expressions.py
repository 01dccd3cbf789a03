"""The small, safe arithmetic language of ``data/claims.csv`` expressions.

An expression is parsed with :mod:`ast` and only these nodes are allowed: numbers, names,
``+ - * / **``, unary ``-``/``+``, calls of ``min``/``max``/``abs``, and a top-level pair
``(a, b)`` meaning the range a..b. Names are observation ids (value in base units; ``<id>_hi`` the
upper end of a range, ``<id>_pm`` the per-month value of a flow), event ids (days since
1970-01-01) and ``DAYS_PER_MONTH``.

The loader parses, checks and evaluates every expression when the data is loaded, so a syntax
error, an unknown name, a disallowed construct or a division by zero is reported as one line of
``claims.csv`` (never as a traceback in a notebook); :mod:`kimi_research.analysis.claims` then
evaluates the same expressions to give its verdicts.
"""

from __future__ import annotations

import ast
import math
import operator

import pandas as pd

from kimi_research.data.units import DAYS_PER_MONTH

_BIN = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv, ast.Pow: operator.pow}
_FUNCS = {"min": min, "max": max, "abs": abs}
MAX_LENGTH = 500


class ExpressionError(ValueError):
    """An expression that cannot be parsed, uses something not allowed, or cannot be evaluated."""


def parse(expression: str) -> ast.expr:
    """Parse and restrict an expression; raise ExpressionError saying what is wrong."""
    if not isinstance(expression, str) or not expression.strip():
        raise ExpressionError("an empty expression")
    if len(expression) > MAX_LENGTH:
        raise ExpressionError(f"an expression of {len(expression)} characters (at most {MAX_LENGTH})")
    try:
        tree = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError as e:
        raise ExpressionError(f"a syntax error at character {e.offset or '?'} ({e.msg})") from None
    if isinstance(tree, ast.Tuple):
        if len(tree.elts) != 2:
            raise ExpressionError(f"a range needs exactly two values, found {len(tree.elts)}")
        for elt in tree.elts:
            _restrict(elt)
    else:
        _restrict(tree)
    return tree


def _restrict(node: ast.AST) -> None:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ExpressionError(f"a constant {node.value!r} (only numbers are allowed)")
        return
    if isinstance(node, ast.Name):
        return
    if isinstance(node, ast.BinOp) and type(node.op) in _BIN:
        _restrict(node.left)
        _restrict(node.right)
        return
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        _restrict(node.operand)
        return
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCS:
        if node.keywords or not node.args:
            raise ExpressionError(f"{node.func.id}() takes plain arguments")
        for a in node.args:
            _restrict(a)
        return
    what = f"{ast.unparse(node)!r} ({type(node).__name__})"
    if isinstance(node, ast.Call):
        what = f"a call of {ast.unparse(node.func)}()"
    elif isinstance(node, ast.Attribute):
        what = f"an attribute ({ast.unparse(node)})"
    elif isinstance(node, ast.Tuple):
        what = "a pair inside an expression (a range (a, b) is only allowed at the top level)"
    raise ExpressionError(f"{what}, which is not allowed (only numbers, ids, + - * / **, min(), max(), abs())")


def names(expression: str) -> set[str]:
    """The names an expression uses (functions excluded)."""
    tree = parse(expression)
    funcs = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - (funcs & set(_FUNCS))


def evaluate(expression: str, values: dict[str, float]) -> float | tuple[float, float]:
    """Evaluate an expression over ``values``; a top-level pair is a range (low, high)."""
    tree = parse(expression)

    def ev(node):
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id not in values:
                raise ExpressionError(f"unknown name {node.id!r}")
            v = values[node.id]
            if v is None or (isinstance(v, float) and math.isnan(v)):
                raise ExpressionError(f"{node.id!r} has no value (a per-month value of a row that is not a flow?)")
            return float(v)
        if isinstance(node, ast.BinOp):
            try:
                out = _BIN[type(node.op)](ev(node.left), ev(node.right))
            except ZeroDivisionError:
                raise ExpressionError(f"a division by zero in {ast.unparse(node)}") from None
            except OverflowError:
                raise ExpressionError(f"an overflow in {ast.unparse(node)}") from None
            if isinstance(out, complex) or not math.isfinite(out):
                raise ExpressionError(f"{ast.unparse(node)} is not a finite real number")
            return out
        if isinstance(node, ast.UnaryOp):
            return -ev(node.operand) if isinstance(node.op, ast.USub) else ev(node.operand)
        if isinstance(node, ast.Call):
            return float(_FUNCS[node.func.id](*[ev(a) for a in node.args]))
        raise ExpressionError(f"not allowed: {type(node).__name__}")  # parse() has excluded this

    if isinstance(tree, ast.Tuple):
        lo, hi = (ev(e) for e in tree.elts)
        return (min(lo, hi), max(lo, hi))
    return ev(tree)


def namespace(observations: pd.DataFrame, events: pd.DataFrame) -> dict[str, float]:
    """The values a claim expression may name: observations (base units, _hi, _pm) and events (days)."""
    ns: dict[str, float] = {"DAYS_PER_MONTH": DAYS_PER_MONTH}
    ids = observations.index.astype(str).tolist()
    base = observations["base_value"]
    ns.update(zip(ids, base.tolist(), strict=True))
    ns.update(zip([f"{i}_hi" for i in ids], observations["base_value_high"].fillna(base).tolist(), strict=True))
    ns.update(zip([f"{i}_pm" for i in ids], observations["base_value_per_month"].tolist(), strict=True))
    days = (events["date"] - pd.Timestamp("1970-01-01")).dt.days.astype(float)
    ns.update(zip(events.index.astype(str).tolist(), days.tolist(), strict=True))
    return ns
