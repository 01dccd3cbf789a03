"""One definition of every column of every table in ``data/`` (types, vocabularies, keys).

Each table is a :class:`Table` of :class:`Col`; :func:`pandera_schema` turns it into a pandera
``DataFrameSchema`` for the raw (string) table, with the cross-table keys known at load time.
The descriptions feed the data dictionary (``python -m kimi_research dictionary``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import pandera.pandas as pa

from kimi_research.data.units import UNITS, numbers_in_text

QUALIFIERS = {
    "=": "as written (高达, 达到, 为 ...)",
    ">": "more than (超, 超过, 突破, 破)",
    ">=": "at least (以上, 上千万, 亿元级)",
    "<": "less than (不到)",
    "<=": "at most / within (前三 = rank 3 or better)",
    "~": "about (约, 近, 左右, 接近)",
    "range": "a range: value to value_high (12-13元, 数千万)",
}
FLAGS = {
    "conflict": "disagrees with another row; see conflict_group",
    "suspicious": "implausible as written; the note says why",
    "estimate": "the article's own estimate, a hypothetical or our reading of a vague number",
    "hearsay": "rumour or an anonymous/pseudonymous source",
    "period_inferred": "the period is read from relative wording (去年, 上个月 ...), see note",
    "date_inferred": "the date is read from context or a version name, see note",
}
ENTITY_KINDS = ["app", "company", "model", "firm", "platform", "group"]
BACKINGS = ["big_tech", "independent", "n/a"]
METRIC_KINDS = ["stock", "flow", "rate", "rank", "amount"]
EVENT_KINDS = ["product_launch", "model_launch", "ad_campaign", "funding", "legal", "market"]
DATE_PRECISIONS = ["day", "month", "quarter", "year"]
RELATIONS = ["=", "~", ">", "<", ">=", "<="]
SCRIPTS = ["simplified", "traditional"]

ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
ID = r"^[a-z][a-z0-9_]*$"


@dataclass
class Col:
    name: str
    kind: str  # str | float | int | date | flags
    description: str
    required: bool = True
    unit: str = ""
    pattern: str | None = None
    vocab: Callable[[dict], list[str]] | list[str] | None = None
    unique: bool = False


@dataclass
class Table:
    name: str
    title: str
    description: str
    columns: list[Col]
    row_checks: list[tuple[str, str, str, Callable]] = field(default_factory=list)
    # (check name, column to report, what was expected, fn(df, ctx) -> bool Series)

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    def col(self, name: str) -> Col:
        return next(c for c in self.columns if c.name == name)


def _isdate(s: pd.Series) -> pd.Series:
    return s.isna() | pd.to_datetime(s, format="%Y-%m-%d", errors="coerce").notna()


# ---------------------------------------------------------------------------------------
SOURCES = Table(
    "sources", "Source articles",
    "One row per article in ../shared/seeds: the origin of every number (owid-style).",
    [
        Col("source_id", "str", "Article id (s000-s004), used as a key everywhere.", pattern=r"^s\d{3}$", unique=True),
        Col("seed_file", "str", "File name in ../shared/seeds.", pattern=r"^\d{3}_[0-9a-f]+\.txt$", unique=True),
        Col("producer_en", "str", "Publisher in English / romanised (used in chart footnotes)."),
        Col("producer", "str", "Publisher or column that wrote the article, as named in Chinese."),
        Col("via", "str", "Platform the stored copy came from (repost).", required=False),
        Col("author", "str", "Author, if named.", required=False),
        Col("date_published", "str", "Date published (YYYY-MM-DD, or YYYY-MM when only the month is known).",
            pattern=r"^\d{4}-\d{2}(-\d{2})?$"),
        Col("title", "str", "Title (short)."),
        Col("url", "str", "URL, if known.", required=False, pattern=r"^https?://"),
        Col("script", "str", "Chinese script of the article.", vocab=SCRIPTS),
        Col("date_accessed", "str", "Date the text was read for this project.", pattern=ISO_DATE),
        Col("note", "str", "Caveats about the source.", required=False),
    ],
)

ENTITIES = Table(
    "entities", "Entities",
    "Apps, companies, models, measurement firms and groups named in the data.",
    [
        Col("entity_id", "str", "Canonical id.", pattern=ID, unique=True),
        Col("name_en", "str", "English / romanised name (used in charts)."),
        Col("name_zh", "str", "Chinese name."),
        Col("kind", "str", "What it is.", vocab=ENTITY_KINDS),
        Col("owner", "str", "Owning company (entity_id).", required=False, vocab=lambda c: c["entity_ids"]),
        Col("backing", "str", "Big-tech-backed or independent start-up.", vocab=BACKINGS),
        Col("country", "str", "ISO country code.", pattern=r"^[A-Z]{2}$"),
        Col("note", "str", "Notes.", required=False),
    ],
)

METRICS = Table(
    "metrics", "Metrics",
    "The metric vocabulary: what each metric id means and its base unit.",
    [
        Col("metric_id", "str", "Metric id.", pattern=ID, unique=True),
        Col("name", "str", "Short name."),
        Col("description", "str", "Meaning."),
        Col("base_unit", "str", "Unit of the normalised value."),
        Col("dimension", "str", "Dimension a written unit must have (see kimi_research.data.units).",
            vocab=sorted({d for _, d in UNITS.values()})),
        Col("kind", "str", "stock, flow, rate, rank or amount.", vocab=METRIC_KINDS),
    ],
)


def _period_ok(df, ctx):
    s, e = df["period_start"], df["period_end"]
    both_empty = s.isna() & e.isna()
    ps = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")
    pe = pd.to_datetime(e, format="%Y-%m-%d", errors="coerce")
    return both_empty | (ps.notna() & pe.notna() & (pe >= ps))


def _unit_matches_metric(df, ctx):
    dims = df["unit"].map(lambda u: UNITS.get(u, (None, None))[1])
    want = df["metric"].map(ctx["metric_dimension"])
    return dims.isna() | want.isna() | (dims == want)


def _value_text_in_quote(df, ctx):
    return pd.Series([(t or "") in (q or "") for t, q in zip(df["value_text"], df["quote"], strict=True)],
                     index=df.index)


def _number_matches(df, ctx):
    out = []
    for t, v, h in zip(df["value_text"], df["value"], df["value_high"], strict=True):
        try:
            want = [abs(float(v))] + ([float(h)] if h is not None and not pd.isna(h) else [])
        except (TypeError, ValueError):
            out.append(True)  # reported by the type check
            continue
        got = numbers_in_text(t or "")
        out.append(got is not None and [abs(x) for x in got] == want)
    return pd.Series(out, index=df.index)


def _range_consistent(df, ctx):
    out = []
    for q, v, h in zip(df["qualifier"], df["value"], df["value_high"], strict=True):
        has_high = h is not None and not pd.isna(h)
        if q == "range":
            try:
                out.append(has_high and float(h) > float(v))
            except (TypeError, ValueError):
                out.append(True)
        else:
            out.append(not has_high)
    return pd.Series(out, index=df.index)


def _conflict_consistent(df, ctx):
    flagged = df["flags"].fillna("").str.split(";").map(lambda f: "conflict" in f)
    grouped = df["conflict_group"].notna()
    sizes = df["conflict_group"].map(df["conflict_group"].value_counts())
    return (flagged == grouped) & (~grouped | (sizes >= 2))


def _flags_known(s: pd.Series) -> pd.Series:
    return s.isna() | s.map(lambda v: all(f in FLAGS for f in str(v).split(";")))


OBSERVATIONS = Table(
    "observations", "Observations",
    "One row per number in an article. The same fact in two articles is two rows.",
    [
        Col("obs_id", "str", "Row id: o<article>_<n>.", pattern=r"^o\d{3}_\d{2}$", unique=True),
        Col("entity", "str", "Who the number is about (entities.csv).", vocab=lambda c: c["entity_ids"]),
        Col("metric", "str", "What is measured (metrics.csv).", vocab=lambda c: c["metric_ids"]),
        Col("period_start", "date", "First day the number covers (empty when the article gives no period).", required=False),
        Col("period_end", "date", "Last day the number covers.", required=False),
        Col("duration_days", "int", "A duration the article states without dates (20天烧钱1个亿 -> 20).", required=False, unit="days"),
        Col("value", "float", "The number as written, in `unit` (2.2 for 2.2亿元).", unit="see unit"),
        Col("value_high", "float", "Upper end when qualifier is 'range'.", required=False, unit="see unit"),
        Col("unit", "str", "Unit as written (万, 亿元, 亿美元, %, 万字, tokens, rank ...).", vocab=list(UNITS)),
        Col("qualifier", "str", "How the number is qualified: " + "; ".join(f"{k} {v}" for k, v in QUALIFIERS.items()), vocab=list(QUALIFIERS)),
        Col("value_text", "str", "The number exactly as it appears in the quote (1407.2万, 超亿元, 第九)."),
        Col("vendor", "str", "Measurement firm the article quotes (entities of kind 'firm'), or empty.", required=False,
            vocab=lambda c: c["firm_ids"]),
        Col("scope", "str", "What list, channel or population the number refers to.", required=False),
        Col("source_id", "str", "Article (sources.csv).", vocab=lambda c: c["source_ids"]),
        Col("quote", "str", "Verbatim passage of the article that contains the number (white space folded)."),
        Col("flags", "flags", "Semicolon-separated: " + "; ".join(f"{k} = {v}" for k, v in FLAGS.items()), required=False),
        Col("conflict_group", "str", "Rows that disagree share a group id (set exactly when flagged 'conflict').",
            required=False, pattern=ID),
        Col("note", "str", "Why a flag was set, how a vague number was read, context.", required=False),
    ],
    row_checks=[
        ("period", "period_end", "period_start and period_end both empty, or both ISO dates with end >= start", _period_ok),
        ("unit_dimension", "unit", "a unit whose dimension matches the metric's dimension (metrics.csv)", _unit_matches_metric),
        ("value_text_in_quote", "value_text", "text that appears in the quote", _value_text_in_quote),
        ("number_matches", "value", "the number(s) written in value_text (value, and value_high for a range)", _number_matches),
        ("range", "value_high", "value_high > value exactly when qualifier is 'range'", _range_consistent),
        ("conflict", "conflict_group", "a conflict_group exactly when flags has 'conflict', shared by at least two rows", _conflict_consistent),
    ],
)

EVENTS = Table(
    "events", "Events",
    "Dated events for chart annotation, each with its source and quote.",
    [
        Col("event_id", "str", "Event id (e_...).", pattern=r"^e_[a-z0-9_]+$", unique=True),
        Col("date", "date", "Date (first day of the month/quarter when less precise)."),
        Col("date_precision", "str", "day, month, quarter or year.", vocab=DATE_PRECISIONS),
        Col("entity", "str", "Main entity.", vocab=lambda c: c["entity_ids"]),
        Col("kind", "str", "Kind of event.", vocab=EVENT_KINDS),
        Col("label", "str", "Short English label for charts."),
        Col("source_id", "str", "Article.", vocab=lambda c: c["source_ids"]),
        Col("quote", "str", "Verbatim passage."),
        Col("flags", "flags", "As in observations.", required=False),
        Col("note", "str", "Notes.", required=False),
    ],
)

CLAIMS = Table(
    "claims", "Claims",
    "Arithmetic the articles assert, written so the audit notebook can recompute it.",
    [
        Col("claim_id", "str", "Claim id.", pattern=r"^c\d{2}$", unique=True),
        Col("source_id", "str", "Article making the claim.", vocab=lambda c: c["source_ids"]),
        Col("statement", "str", "The claim in English."),
        Col("quote", "str", "Verbatim passage."),
        Col("expression", "str", "Arithmetic over observation ids (base units; <id>_hi = upper end of a range, "
            "<id>_pm = per month), event ids (days), DAYS_PER_MONTH, min, max, abs. A pair (a, b) is a range."),
        Col("relation", "str", "How the computed value must relate to the target; empty = the target observation's qualifier.",
            required=False, vocab=RELATIONS),
        Col("target", "str", "An observation id (the asserted number) or a plain number."),
        Col("note", "str", "Notes.", required=False),
    ],
)

CAPABILITIES = Table(
    "capabilities", "Capabilities",
    "Non-numeric facts for the capability matrix (modalities, open weights, ecosystems).",
    [
        Col("cap_id", "str", "Row id.", pattern=r"^k\d{2}$", unique=True),
        Col("entity", "str", "Entity.", vocab=lambda c: c["entity_ids"]),
        Col("capability", "str", "Capability.", vocab=["modalities", "open_weights", "data_ecosystem", "own_cloud",
                                                      "reasoning_model", "monetisation", "developer_tools"]),
        Col("value", "str", "Value (semicolon-separated list where several)."),
        Col("source_id", "str", "Article.", vocab=lambda c: c["source_ids"]),
        Col("quote", "str", "Verbatim passage."),
        Col("note", "str", "Notes.", required=False),
    ],
)

TABLES: dict[str, Table] = {t.name: t for t in
                            [SOURCES, ENTITIES, METRICS, OBSERVATIONS, EVENTS, CLAIMS, CAPABILITIES]}


def _expected(col: Col, ctx: dict) -> str:
    parts = []
    if col.kind == "float":
        parts.append("a number")
    elif col.kind == "int":
        parts.append("a whole number")
    elif col.kind == "date":
        parts.append("an ISO date YYYY-MM-DD")
    vocab = col.vocab(ctx) if callable(col.vocab) else col.vocab
    if vocab is not None:
        shown = ", ".join(map(str, list(vocab)[:12])) + (" ..." if len(vocab) > 12 else "")
        parts.append(f"one of: {shown}")
    if col.pattern:
        parts.append(f"text matching {col.pattern}")
    if col.kind == "flags":
        parts.append("flags from: " + ", ".join(FLAGS))
    return "; ".join(parts) or "text"


def pandera_schema(table: Table, ctx: dict) -> tuple[pa.DataFrameSchema, dict[str, tuple[str, str]]]:
    """The pandera schema of the raw table, and a map check name -> (column, expected)."""
    columns = {}
    explain: dict[str, tuple[str, str]] = {}
    for col in table.columns:
        checks = []
        exp = _expected(col, ctx)
        vocab = col.vocab(ctx) if callable(col.vocab) else col.vocab
        if vocab is not None:
            checks.append(pa.Check.isin(list(vocab), name=f"vocab:{col.name}"))
        if col.pattern:
            checks.append(pa.Check.str_matches(col.pattern, name=f"pattern:{col.name}"))
        if col.kind == "date":
            checks.append(pa.Check(_isdate, name=f"date:{col.name}"))
        if col.kind == "flags":
            checks.append(pa.Check(_flags_known, name=f"flags:{col.name}"))
        dtype = {"float": float, "int": "Int64"}.get(col.kind, str)
        columns[col.name] = pa.Column(dtype, checks=checks, nullable=not col.required, coerce=True,
                                      unique=col.unique, required=True, description=col.description)
        for c in checks:
            explain[c.name] = (col.name, exp)
        explain[f"col:{col.name}"] = (col.name, exp)
    row_checks = []
    for name, column, expected, fn in table.row_checks:
        row_checks.append(pa.Check(lambda df, fn=fn: fn(df, ctx), name=name))
        explain[name] = (column, expected)
    return pa.DataFrameSchema(columns, checks=row_checks, strict=True, name=table.name), explain


def dictionary_markdown() -> str:
    """The data dictionary, generated from the schema."""
    out = ["# Data dictionary", "", "Generated from `kimi_research.data.schema`; "
           "print it with `python -m kimi_research dictionary`.", ""]
    for t in TABLES.values():
        out += [f"## `data/{t.file}`: {t.title}", "", t.description, "",
                "| column | type | required | unit | description |", "|---|---|---|---|---|"]
        for c in t.columns:
            desc = re.sub(r"\|", "/", c.description)
            out.append(f"| `{c.name}` | {c.kind} | {'yes' if c.required else 'no'} | {c.unit} | {desc} |")
        out.append("")
    out += ["## Units", "", "| unit as written | factor | dimension |", "|---|---|---|"]
    out += [f"| {u} | {f:g} | {d} |" for u, (f, d) in UNITS.items()]
    return "\n".join(out) + "\n"
