"""Notebook parameters as pydantic models, one per notebook (see :mod:`kimi_research.params.base`).

A notebook's validation cell::

    ds = kr.load()
    P = kr.validate_parameters("01_user_decline", globals(), ds)

returns the notebook's frozen model (``P.entity``, ``P.metric``, ...) or raises one
:class:`~kimi_research.errors.ParameterError` naming every bad parameter. The registry
(:mod:`kimi_research.registry`) names each notebook's model; the model modules are imported on
first use, so ``import kimi_research`` stays light.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kimi_research import registry
from kimi_research.params.base import NotebookParameters, injected_names, validate

if TYPE_CHECKING:
    from kimi_research.data.loader import Dataset

__all__ = ["NotebookParameters", "defaults", "injected_names", "model", "validate_parameters"]


def model(notebook: str) -> type[NotebookParameters]:
    """The parameter model of a notebook (ParameterError for an unknown notebook)."""
    return registry.get(notebook).parameters_model()


def validate_parameters(notebook: str, namespace: Mapping[str, Any], ds: Dataset | None = None) -> NotebookParameters:
    """Validate a notebook's parameters (pass ``globals()`` and the Dataset); see the module doc."""
    return validate(model(notebook), namespace, ds)


def defaults(notebook: str) -> dict[str, Any]:
    """The declared defaults of a notebook's parameters (equal to its parameters cell)."""
    return model(notebook).defaults()
