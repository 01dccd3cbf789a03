"""Write a notebook's key results to ``build/results/<notebook>.json`` (atomically)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

from kimi_research import paths
from kimi_research.io import atomic_write_text
from kimi_research.orchestration.results_models import validate_results


def to_jsonable(obj: Any) -> Any:
    """numpy/pandas scalars -> Python, NaN/NaT -> None, tuples -> lists, recursively."""
    if isinstance(obj, SimpleNamespace):
        obj = vars(obj)
    if hasattr(obj, "model_dump"):  # a pydantic model (the notebook parameters)
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


def write_results(notebook: str, results: dict | BaseModel, parameters: Any = None) -> Path:
    """Write ``{"notebook", "parameters", **results}`` as JSON; returns the path.

    ``results`` is a dict or an instance of the notebook's model
    (:mod:`kimi_research.orchestration.results_models`); either way the payload is validated
    against that model before it is written (ResultsError names every key that does not fit)."""
    if isinstance(results, BaseModel):
        results = results.model_dump(mode="json", by_alias=True, exclude={"notebook", "parameters"})
    payload = {"notebook": notebook, "parameters": to_jsonable(parameters or {}), **to_jsonable(results)}
    validate_results(notebook, payload)
    path = paths.results_dir() / f"{notebook}.json"
    atomic_write_text(path, json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    return path


def read_results(notebook: str, results_dir: Path | None = None) -> dict:
    path = (results_dir or paths.results_dir()) / f"{notebook}.json"
    return json.loads(path.read_text(encoding="utf-8"))
