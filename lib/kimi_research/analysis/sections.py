"""Typed result sections: what an analysis returns, what its charts and sentences read, what its results JSON holds.

``analyse(ds, P)`` returns an :class:`Analysis`: a frozen model whose fields are a few
:class:`Section` s, each named after the question it answers (the spend path, the unit economics,
the churn fit ...). A section holds two kinds of field:

* **result fields**: JSON-ready values (numbers, text, lists, mappings, nested models). Each is a key
  of the notebook's results JSON under its name, or under its ``serialization_alias`` where the
  published key keeps an older name (``Field(serialization_alias="fitted_monthly_churn")``). Its
  ``description`` is the key's documentation.
* **shown fields** (:func:`shown`): the tables, series and rows the section's charts and sentences
  need. They never reach the JSON.

A chart or a sentence takes one section (the notebook's summary and verdict take the whole
analysis) and returns a figure or a string; it never sees the dataset or the parameters: the
values of the parameters a section used are fields of that section.

``kr.write_results(an)`` writes the union of the sections' result fields (a key written by two
sections is an error), and :func:`results_model` generates the notebook's results model (the
contract the decks, the index, notebook 05 and the README tests read) from the same classes, so a
key is declared once, next to the computation that produces it.
"""

from __future__ import annotations

import typing
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model
from pydantic.fields import FieldInfo

M = TypeVar("M", bound=BaseModel)

#: the frozen-model settings every section and analysis shares
FROZEN = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True, populate_by_name=True)


def shown(description: str = "") -> Any:
    """A field for charts and sentences only (a table, a series, a row): never written to the results JSON."""
    return Field(exclude=True, repr=False, description=description)


class Section(BaseModel):
    """A frozen, typed part of an analysis and of its results JSON (see the module docstring)."""

    model_config = FROZEN

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        for name, f in cls.model_fields.items():
            if f.exclude:
                continue
            try:
                TypeAdapter(f.annotation).json_schema()  # type: ignore[arg-type]  # None only for an unannotated field
            except Exception as e:  # a table or a Period left as a result field
                raise TypeError(
                    f"{cls.__name__}.{name}: a result field must be JSON-ready (numbers, text, lists, mappings, "
                    f"models); mark tables and rows with shown() ({e.__class__.__name__})"
                ) from None

    @classmethod
    def result_fields(cls) -> dict[str, tuple[Any, FieldInfo]]:
        """{published key: (type, field info)} of the fields and computed fields this section writes."""
        out: dict[str, tuple[Any, FieldInfo]] = {}
        for name, f in cls.model_fields.items():
            if not f.exclude:
                out[f.serialization_alias or name] = (f.annotation, f)
        for name, c in cls.model_computed_fields.items():
            out[c.alias or name] = (c.return_type, Field(description=c.description or ""))
        return out

    def results(self) -> dict[str, Any]:
        """This section's result fields under their published keys (python values; see ``results.to_jsonable``)."""
        return self.model_dump(mode="python", by_alias=True)


class Analysis(BaseModel):
    """What one notebook's ``analyse(ds, P)`` returns: its sections and the validated parameters it ran with."""

    model_config = FROZEN

    #: the notebook this analysis belongs to (file stem in notebooks/)
    notebook: ClassVar[str] = ""

    parameters: Any = shown("the validated parameters of the run (the notebook's NotebookParameters model)")

    @classmethod
    def section_types(cls) -> dict[str, type[Section]]:
        """{field name: section class} in declaration order."""
        hints = typing.get_type_hints(cls)
        out = {}
        for name in cls.model_fields:
            t = hints.get(name)
            if isinstance(t, type) and issubclass(t, Section):
                out[name] = t
        return out

    def sections(self) -> dict[str, Section]:
        return {name: getattr(self, name) for name in self.section_types()}

    def results(self) -> dict[str, Any]:
        """The union of the sections' result fields; a key written by two sections is an error."""
        out: dict[str, Any] = {}
        owner: dict[str, str] = {}
        for name, section in self.sections().items():
            for key, value in section.results().items():
                if key in out:
                    raise ValueError(f"results key {key!r} is written by both {owner[key]} and {name}")
                out[key] = value
                owner[key] = name
        return out


def results_model(analysis: type[Analysis], base: type[M]) -> type[M]:
    """The notebook's results model, generated from its sections' result fields on top of ``base``
    (the keys every notebook writes: notebook, parameters, headline)."""
    fields: dict[str, Any] = {}
    owner: dict[str, str] = {}
    for name, section in analysis.section_types().items():
        for key, (annotation, info) in section.result_fields().items():
            if key in fields:
                raise TypeError(f"{analysis.__name__}: results key {key!r} is declared by {owner[key]} and {name}")
            fields[key] = (annotation, Field(description=info.description))
            owner[key] = name
    return create_model(f"{analysis.__name__}Results", __base__=base, **fields)
