"""Write a notebook's key results as JSON (atomically); read the canonical results.

Notebooks call :func:`write_results` in their final cell; it writes to the run's own folder
(``paths.run_dir``). Only a default ``make run`` promotes them to ``build/results/``; readers of
those (decks, index, README tests) call :func:`read_canonical`, which refuses results that
are missing or were made with other than the default parameters.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

from kimi_research import paths, registry
from kimi_research.analysis.sections import Analysis
from kimi_research.io import atomic_write_text
from kimi_research.orchestration.results_models import ResultsError, validate_results


def to_jsonable(obj: Any) -> Any:
    """numpy/pandas scalars -> Python, NaN/NaT -> None, tuples -> lists, recursively."""
    if isinstance(obj, SimpleNamespace):
        obj = vars(obj)
    if hasattr(obj, "model_dump") and callable(obj.model_dump):  # a pydantic model
        obj = obj.model_dump()
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [to_jsonable(v) for v in obj.tolist()]
    if isinstance(obj, (pd.Timestamp,)):
        return None if pd.isna(obj) else obj.date().isoformat()
    if obj is None or obj is pd.NaT:
        return None
    if isinstance(obj, (np.bool_, bool)):
        return bool(obj)
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        f = float(obj)
        return None if math.isnan(f) or math.isinf(f) else f
    return obj


def payload_of(an: Analysis) -> dict:
    """The results JSON of an analysis: its notebook, parameters, headline and every section's result fields.

    The headline is the sentence ``headline(an)`` of the notebook's narrative module (the registry names it)."""
    narrative = registry.get(an.notebook).narrative_module()
    return {
        "notebook": an.notebook,
        "parameters": to_jsonable(an.parameters),
        "headline": narrative.headline(an),
        **to_jsonable(an.results()),
    }


def write_results(notebook: str | Analysis, results: dict | BaseModel | None = None, parameters: Any = None) -> Path:
    """Write a notebook's results JSON to this run's folder; returns the path.

    ``write_results(an)``: an :class:`~kimi_research.analysis.sections.Analysis` (the notebook's typed
    sections; see :func:`payload_of`). ``write_results(notebook, results, parameters)``: a dict (or a
    model instance) with the notebook's keys. Either way the payload is validated against the
    notebook's results model before it is written (ResultsError names every key that does not fit)."""
    if isinstance(notebook, Analysis):
        payload = payload_of(notebook)
        notebook = notebook.notebook
    else:
        if isinstance(results, BaseModel):
            results = results.model_dump(mode="json", by_alias=True, exclude={"notebook", "parameters"})
        payload = {"notebook": notebook, "parameters": to_jsonable(parameters or {}), **to_jsonable(results or {})}
    validate_results(notebook, payload)
    path = paths.run_dir(notebook) / "results" / f"{notebook}.json"
    atomic_write_text(path, dumps(payload))
    return path


#: keys written first, in this order; every other key follows in alphabetical order
HEAD_KEYS = ("notebook", "parameters", "headline")


def dumps(payload: dict) -> str:
    """The results JSON text: the head keys first, then every other top-level key in alphabetical order.

    The order does not depend on how the analysis code is organised, so a refactoring that keeps
    every value leaves the file byte for byte the same (nested mappings keep their own order)."""
    head = {k: payload[k] for k in HEAD_KEYS if k in payload}
    rest = {k: payload[k] for k in sorted(payload) if k not in head}
    return json.dumps({**head, **rest}, ensure_ascii=False, indent=2) + "\n"


def read_results(notebook: str, results_dir: Path | None = None) -> dict:
    """Results JSON of ``notebook`` from a folder (default: the canonical build/results), unchecked."""
    path = (results_dir or paths.results_dir()) / f"{notebook}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def default_parameters(notebook: str) -> dict:
    """The notebook's default parameters as they are recorded in its results JSON."""
    from kimi_research.params import defaults

    return to_jsonable(defaults(notebook))


def non_default(notebook: str, recorded: Any) -> dict[str, tuple[Any, Any]]:
    """{name: (recorded, default)} for every parameter that differs from the default."""
    expected = default_parameters(notebook)
    recorded = recorded if isinstance(recorded, dict) else {}
    return {
        k: (recorded.get(k), expected.get(k))
        for k in sorted(set(expected) | set(recorded))
        if recorded.get(k, object()) != expected.get(k, object())
    }


def read_canonical(notebook: str) -> dict:
    """The canonical results of ``notebook`` (``build/results/<notebook>.json``), checked.

    Raises :class:`ResultsError` when the file is missing or unreadable, or when its recorded
    parameters are not the notebook's defaults (a run with parameters must never pass for
    the default results)."""
    path = paths.results_dir() / f"{notebook}.json"
    where = paths.shown(path)
    if not path.is_file():
        raise ResultsError(
            f"{where}: no default results for {notebook}; run `make run` (only a default run writes build/results)"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ResultsError(f"{where}: unreadable results ({e}); run `make run` to rewrite it") from None
    if not isinstance(data, dict) or data.get("notebook") != notebook:
        raise ResultsError(f"{where}: not the results of {notebook}; run `make run` to rewrite it")
    diff = non_default(notebook, data.get("parameters"))
    if diff:
        shown = ", ".join(f"{k}={got!r} (default {exp!r})" for k, (got, exp) in diff.items())
        raise ResultsError(
            f"{where} was made with non-default parameters: {shown}; run `make run` to restore the default results"
        )
    return data
