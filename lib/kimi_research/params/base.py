"""Shared machinery of the notebook parameter models (pydantic v2).

Each notebook declares its parameters once, as a subclass of :class:`NotebookParameters` in
``kimi_research.params.<module>`` (the registry names it). A model holds:

* the type of each parameter (``float``, ``int``, ``bool``, ``str``, a ``Literal`` for choices, a
  union for "a number or 'fit'"), checked strictly: papermill's ``-p x abc`` makes the text
  ``'abc'``, which is refused for a number (a whole number is accepted where a float is asked);
* bounds and a description on each ``Field``; the description is word for word the comment of
  the notebook's ``parameters`` cell (``tests/notebooks/test_notebook_conventions.py`` checks it);
* data-dependent checks (an entity with data, a measurement firm, a period with data), which read
  the :class:`~kimi_research.data.loader.Dataset` from pydantic's validation context, and rules
  across parameters, in a model validator.

:func:`validate` turns a notebook's namespace into a validated, frozen model, or raises one
:class:`~kimi_research.errors.ParameterError` listing every bad parameter (name, value, what is
expected), never pydantic's own report.
"""

from __future__ import annotations

import ast
import datetime as dt
import difflib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo
from pydantic_core import ErrorDetails, PydanticCustomError

from kimi_research.errors import ParameterError

if TYPE_CHECKING:
    from kimi_research.data.loader import Dataset

#: error type of a data-dependent or cross-parameter problem raised by a model's validators
PROBLEM = "parameter_problem"
#: description of the ``evidence`` parameter every notebook takes (also its parameters-cell comment)
EVIDENCE_DOC = (
    'which evidence to use: "articles" (the tier-1 articles the project is built on) or "all" (also the tier-2 public reports)'
)

Evidence = Literal["articles", "all"]


class NotebookParameters(BaseModel):
    """Base of every notebook's parameter model: strict, no unknown names, frozen."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False, validate_default=False)

    #: the notebook this model belongs to (file stem in notebooks/)
    notebook: ClassVar[str] = ""

    evidence: Evidence = Field("articles", description=EVIDENCE_DOC)

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """The declared default of every parameter, in declaration order."""
        return {name: f.default for name, f in cls.model_fields.items()}


# --- problems raised by validators ---------------------------------------------------------------
def problem(message: str) -> PydanticCustomError:
    """An error about the value being validated (a field validator raises it)."""
    return PydanticCustomError(PROBLEM, "{message}", {"message": message})


def problems(items: list[tuple[str, str]]) -> PydanticCustomError:
    """Errors about named parameters, found by a model validator: ``[(name, message), ...]``."""
    text = "; ".join(f"{n}: {m}" for n, m in items)
    return PydanticCustomError(PROBLEM, "{message}", {"message": text, "items": tuple(items)})


def dataset(info: ValidationInfo) -> Dataset | None:
    """The Dataset passed in the validation context, or None (data-dependent checks are skipped)."""
    ctx = info.context
    return ctx.get("ds") if isinstance(ctx, Mapping) else None


# --- names: an id or a display name, case-insensitively -------------------------------------------
def names_of(ds: Dataset, entity_id: str) -> list[str]:
    """Every name an entity answers to: its id, English name, Chinese name as written and each of its parts
    ('通义千问 / 阿里千问', '通义千问', '阿里千问'), and its aliases (data/entities.csv)."""
    out = [entity_id]
    if entity_id in ds.entities.index:
        row = ds.entities.loc[entity_id]
        out += [str(row["name_en"]), str(row["name_zh"])]
        out += [part.strip() for part in str(row["name_zh"]).split("/")]
        aliases = row.get("aliases")
        out += [a.strip() for a in aliases.split(";")] if isinstance(aliases, str) else []
    return [n for n in out if n and n != "nan"]


def resolve_name(ds: Dataset, value: str, candidates: Iterable[str] | None = None) -> str | None:
    """The entity id ``value`` names (id, English or Chinese name; case and spaces ignored).

    Ids in ``candidates`` are tried first, so 'DeepSeek' is the app when the app is a candidate."""
    key = value.strip().casefold()
    pools = [list(candidates) if candidates is not None else [], list(ds.entities.index)]
    for pool in pools:
        for eid in pool:
            if key in (n.casefold() for n in names_of(ds, eid)):
                return str(eid)
    return None


def suggestion(value: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest choice, or ''."""
    choices = list(choices)
    folded = {c.casefold(): c for c in choices}
    close = difflib.get_close_matches(value.strip().casefold(), list(folded), n=1, cutoff=0.6)
    return f" (did you mean {folded[close[0]]!r}?)" if close else ""


def name_listing(ds: Dataset, ids: Iterable[str]) -> str:
    """'Kimi (kimi), Doubao (doubao)' for an error message."""
    return ", ".join(f"{ds.name(e)} ({e})" for e in ids)


def unknown_name(ds: Dataset, value: str, ids: list[str], what: str) -> PydanticCustomError:
    names = [n for e in ids for n in names_of(ds, e)]
    return problem(
        f"no {what} named {value!r}{suggestion(value, names)}; expected one of: {name_listing(ds, ids)}"
        " (an id, English or Chinese name, any case)"
    )


# --- small validators shared by several models ---------------------------------------------------
def iso_date_or_empty(value: str) -> str:
    """'' or an ISO date YYYY-MM-DD that exists in the calendar."""
    if value == "":
        return value
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise problem(f'expected an ISO date YYYY-MM-DD that exists (or "" for no limit), got {value!r}') from None
    if len(value) != 10:
        raise problem(f"expected an ISO date YYYY-MM-DD, got {value!r}")
    return value


# --- the notebook's namespace --------------------------------------------------------------------
def _assigned(src: str) -> list[str] | None:
    """Names a cell assigns when it holds nothing but ``name = value`` lines, else None."""
    try:
        tree = ast.parse(src)
    except SyntaxError:
        return None
    if not tree.body or not all(
        isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name) for n in tree.body
    ):
        return None
    return [n.targets[0].id for n in tree.body if isinstance(n, ast.Assign) and isinstance(n.targets[0], ast.Name)]


def injected_names(namespace: Mapping[str, Any]) -> list[str]:
    """Names assigned in the most recent cell papermill injected (its '# Parameters' header)."""
    for src in reversed(list(namespace.get("In") or [])):
        if isinstance(src, str) and src.lstrip().startswith("# Parameters"):
            return _assigned(src) or []
    return []


def cell_names(namespace: Mapping[str, Any], fields: Iterable[str]) -> list[str]:
    """Names assigned in the most recent cell made only of assignments to parameters and other
    names: the parameters cell as edited in JupyterLab (a misspelt name there is caught too)."""
    known = set(fields)
    for src in reversed(list(namespace.get("In") or [])):
        names = _assigned(src) if isinstance(src, str) else None
        if names and known & set(names):
            return names
    return []


def validate(model: type[NotebookParameters], namespace: Mapping[str, Any], ds: Dataset | None = None) -> NotebookParameters:
    """Validate the parameters found in ``namespace`` (a notebook passes ``globals()``).

    Reads every declared parameter, every name papermill injected and every name assigned in the
    parameters cell as last run (JupyterLab); ``ds`` enables the data-dependent checks. Raises one
    :class:`ParameterError` listing every problem."""
    fields = model.model_fields
    values = {name: namespace[name] for name in fields if name in namespace}
    extra = injected_names(namespace) + cell_names(namespace, fields)
    values.update({name: namespace[name] for name in extra if name in namespace})
    missing = [
        f"- parameter {name!r} is not defined (is the parameters cell intact?)" for name in fields if name not in namespace
    ]
    evidence = values.get("evidence")
    if ds is not None and evidence in ("articles", "all"):
        ds = ds.with_evidence(evidence)  # data checks see the evidence the notebook will use
    try:
        result = model.model_validate(values, context={"ds": ds})
    except ValidationError as exc:
        raise ParameterError(_message(model, missing + report(model, exc))) from None
    if missing:
        raise ParameterError(_message(model, missing))
    return result


def _message(model: type[NotebookParameters], lines: list[str]) -> str:
    return f"invalid parameters for {model.notebook}:\n" + "\n".join(lines)


def report(model: type[NotebookParameters], exc: ValidationError) -> list[str]:
    """One line per bad parameter: '- parameter 'x' = value: what is wrong'."""
    fields = model.model_fields
    by_name: dict[str, list[ErrorDetails]] = {}
    lines: list[str] = []
    for err in exc.errors(include_url=False):
        loc = err["loc"]
        if err["type"] == "extra_forbidden":
            name = str(loc[0])
            lines.append(
                f"- unknown parameter {name!r} = {err['input']!r}{suggestion(name, fields)}: "
                f"{model.notebook} takes {', '.join(fields)}"
            )
        elif not loc:  # a model validator: problems across parameters
            items = (err.get("ctx") or {}).get("items") or (("", err["msg"]),)
            for name, msg in items:
                value = err["input"].get(name) if isinstance(err["input"], Mapping) else None
                lines.append(f"- parameter {name!r} = {value!r}: {msg}" if name else f"- {msg}")
        else:
            by_name.setdefault(str(loc[0]), []).append(err)
    for name, errs in by_name.items():
        value = errs[0]["input"] if len(errs[0]["loc"]) == 1 else _top_input(errs)
        custom = [e["msg"] for e in errs if e["type"] == PROBLEM]
        if custom:
            msg = "; ".join(dict.fromkeys(custom))
        else:
            msg = f"expected {expected(model, name)}, got {_kind(value)} {value!r}{_hint(value, model, name)}"
        lines.append(f"- parameter {name!r} = {value!r}: {msg}")
    return lines


def _top_input(errs: list[ErrorDetails]) -> Any:
    # union members report their own input; for a list they report the element: use a member
    # whose location is one level deep (the whole value)
    for e in errs:
        if len(e["loc"]) == 2:
            return e["input"]
    return errs[0]["input"]


def _kind(value: Any) -> str:
    return {
        bool: "true/false",
        int: "whole number",
        float: "number",
        str: "text",
        list: "list",
        dict: "mapping",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def _hint(value: Any, model: type[NotebookParameters], name: str) -> str:
    schema = model.model_json_schema()["properties"].get(name, {})
    numeric = any(s.get("type") in ("number", "integer") for s in schema.get("anyOf", [schema]))
    if isinstance(value, str) and numeric:
        return " (a text value: papermill's -r and an unquoted YAML 1e3 give text; write 1000 or 1.0e3)"
    return ""


# --- what a parameter expects, read from the model's JSON schema ---------------------------------
def expected(model: type[NotebookParameters], name: str) -> str:
    schema = model.model_json_schema()
    return _expected(schema["properties"][name], schema.get("$defs", {}))


def _expected(s: Mapping[str, Any], defs: Mapping[str, Any]) -> str:
    if "$ref" in s:
        return _expected(defs[s["$ref"].rsplit("/", 1)[-1]], defs)
    if "anyOf" in s:
        return " or ".join(_expected(x, defs) for x in s["anyOf"])
    if "const" in s:
        return repr(s["const"])
    if "enum" in s:
        return "one of " + ", ".join(map(repr, s["enum"]))
    kind = s.get("type")
    if kind in ("number", "integer"):
        text = "a number" if kind == "number" else "a whole number"
        lo = (s["exclusiveMinimum"], "(") if "exclusiveMinimum" in s else (s.get("minimum"), "[")
        hi = (s["exclusiveMaximum"], ")") if "exclusiveMaximum" in s else (s.get("maximum"), "]")
        if lo[0] is not None or hi[0] is not None:
            text += (
                f" in {lo[1] if lo[0] is not None else '('}{'-inf' if lo[0] is None else f'{lo[0]:g}'}, "
                f"{'inf' if hi[0] is None else f'{hi[0]:g}'}{hi[1] if hi[0] is not None else ')'}"
            )
        return text
    if kind == "boolean":
        return "True or False"
    if kind == "array":
        return f"a list of {_expected(s.get('items', {}), defs)} values".replace("a list of text values", "a list of names")
    if kind == "string":
        return "text"
    return "a value"
