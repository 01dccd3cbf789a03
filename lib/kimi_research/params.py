"""Validation of notebook parameters (papermill only warns about unknown names).

Each notebook's parameters are declared once, as a list of :class:`Param` named ``PARAMETERS``
in the notebook's module (see :data:`NOTEBOOK_MODULES`). The notebook's ``parameters`` cell holds
the literal defaults; the next cell calls::

    P = kr.validate_parameters("01_user_decline", globals())

which raises one :class:`ParameterError` naming every bad parameter: an unknown name in the
cell papermill injected, a wrong type (``-p x abc`` makes a string), a value out of range or
not among the choices. ``tests/test_notebook_conventions.py`` checks that the parameters cell
and the declaration agree.
"""

from __future__ import annotations

import ast
import importlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from kimi_research.errors import ParameterError
from kimi_research.registry import NOTEBOOKS

NOTEBOOK_MODULES = {nb.name: nb.params for nb in NOTEBOOKS}


@dataclass
class Param:
    """One notebook parameter.

    ``kind``: "str", "int", "float", "bool", "date" (ISO date or ""), "str_list".
    ``special``: literal strings accepted besides the kind (e.g. ``("fit",)`` for a float or "fit").
    ``choices``: allowed values, or a callable ``(context) -> allowed values``.
    ``low``/``high``: numeric bounds; ``low_open``/``high_open`` make them exclusive.
    ``check``: extra check ``(value, context) -> error text or None``.
    """

    name: str
    kind: str
    default: Any
    doc: str
    special: tuple[str, ...] = ()
    choices: Sequence | Callable[[Mapping], Sequence] | None = None
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    check: Callable[[Any, Mapping], str | None] | None = None

    def expected(self) -> str:
        base = {"str": "text", "int": "a whole number", "float": "a number", "bool": "true or false",
                "date": "an ISO date YYYY-MM-DD or an empty string", "str_list": "a list of names"}[self.kind]
        if self.low is not None or self.high is not None:
            lo = "(" if self.low_open else "["
            hi = ")" if self.high_open else "]"
            base += f" in {lo}{'-inf' if self.low is None else self.low}, {'inf' if self.high is None else self.high}{hi}"
        if self.special:
            base += " or " + " or ".join(repr(s) for s in self.special)
        return base


def spec(notebook: str) -> list[Param]:
    """The declared parameters of a notebook."""
    if notebook not in NOTEBOOK_MODULES:
        raise ParameterError(f"unknown notebook {notebook!r}; known: {', '.join(NOTEBOOK_MODULES)}")
    return list(importlib.import_module(NOTEBOOK_MODULES[notebook]).PARAMETERS)


def injected_names(namespace: Mapping) -> list[str]:
    """Names assigned in the most recent cell papermill injected ('# Parameters' header)."""
    history = namespace.get("In") or []
    for src in reversed(list(history)):
        if isinstance(src, str) and src.lstrip().startswith("# Parameters"):
            names = []
            for node in ast.parse(src).body:
                if isinstance(node, ast.Assign):
                    names += [t.id for t in node.targets if isinstance(t, ast.Name)]
            return names
    return []


def _check_one(p: Param, value: Any, context: Mapping) -> tuple[Any, str | None]:
    if isinstance(value, str) and value in p.special:
        return value, None
    k = p.kind
    if k == "bool":
        if not isinstance(value, bool):
            return value, f"expected {p.expected()}, got {type(value).__name__} {value!r}"
    elif k in ("int", "float"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            hint = " (papermill's -r passes text; use -p or a YAML file)" if isinstance(value, str) else ""
            return value, f"expected {p.expected()}, got {type(value).__name__} {value!r}{hint}"
        if k == "int" and isinstance(value, float):
            if not value.is_integer():
                return value, f"expected {p.expected()}, got {value!r}"
            value = int(value)
        if k == "float":
            value = float(value)
        if isinstance(value, float) and not math.isfinite(value):
            return value, f"expected a finite number, got {value!r}"
        if p.low is not None and (value < p.low or (p.low_open and value == p.low)):
            return value, f"expected {p.expected()}, got {value!r}"
        if p.high is not None and (value > p.high or (p.high_open and value == p.high)):
            return value, f"expected {p.expected()}, got {value!r}"
    elif k in ("str", "date"):
        if not isinstance(value, str):
            return value, f"expected {p.expected()}, got {type(value).__name__} {value!r}"
        if k == "date" and value:
            import datetime as _dt
            try:
                _dt.date.fromisoformat(value)
            except ValueError:
                return value, f"expected {p.expected()}, got {value!r}"
    elif k == "str_list":
        if isinstance(value, str) or not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            return value, f"expected {p.expected()} (e.g. [\"kimi\", \"doubao\"]), got {value!r}"
        value = list(value)
    if p.choices is not None:
        allowed = list(p.choices(context) if callable(p.choices) else p.choices)
        values = value if k == "str_list" else [value]
        bad = [v for v in values if v not in allowed]
        if bad:
            return value, f"{', '.join(map(repr, bad))} is not allowed; expected one of: {', '.join(map(str, allowed))}"
    if p.check is not None:
        msg = p.check(value, context)
        if msg:
            return value, msg
    return value, None


def validate_parameters(notebook: str, namespace: Mapping, context: Mapping | None = None) -> SimpleNamespace:
    """Check the notebook's parameters in ``namespace`` (pass ``globals()``).

    Returns the validated values (ints widened to float where a float is declared) as a
    namespace; raises :class:`ParameterError` listing every problem, each with its name.
    """
    params = spec(notebook)
    known = {p.name for p in params}
    context = dict(context or {})
    problems = []
    for name in injected_names(namespace):
        if name not in known:
            problems.append(f"- unknown parameter {name!r}: {notebook} takes {', '.join(sorted(known))}")
    values = {}
    for p in params:
        if p.name not in namespace:
            problems.append(f"- parameter {p.name!r} is not defined (is the parameters cell intact?)")
            continue
        value, msg = _check_one(p, namespace[p.name], context)
        if msg:
            problems.append(f"- parameter {p.name!r} = {namespace[p.name]!r}: {msg}")
        values[p.name] = value
    if problems:
        raise ParameterError(f"invalid parameters for {notebook}:\n" + "\n".join(problems))
    return SimpleNamespace(**values)


def defaults(notebook: str) -> dict[str, Any]:
    return {p.name: p.default for p in spec(notebook)}
