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
    "estimate": "the source's own estimate, a hypothetical or our reading of a vague number",
    "hearsay": "rumour or an anonymous/pseudonymous source",
    "unsourced": "the source states the figure without naming where it comes from (no firm, filing or informant)",
    "period_inferred": "the period is read from relative wording (去年, 上个月 ...), see note",
    "date_inferred": "the date is read from context or a version name, see note",
    "gloss_removed": "pinyin glosses (萬(wàn)) were removed from the quote, so it is not verbatim",
    "entity_implicit": "the quote does not name the entity; the note says how we know it",
    "special_day": "measured on or over a special day or short window (a holiday, a launch day, a campaign): not a "
    "typical level; listed, never fitted as a trend (kimi_research.data.comparable)",
}
ENTITY_KINDS = ["app", "company", "model", "firm", "platform", "group"]
BACKINGS = ["big_tech", "independent", "n/a"]
METRIC_KINDS = ["stock", "flow", "rate", "rank", "amount"]
EVENT_KINDS = ["product_launch", "model_launch", "ad_campaign", "funding", "legal", "market"]
DATE_PRECISIONS = ["day", "month", "quarter", "year"]
RELATIONS = ["=", "~", ">", "<", ">=", "<="]
SCRIPTS = ["simplified", "traditional", "latin", "mixed"]
SOURCE_KINDS = ["article", "report", "web_page", "disclosure"]
TIERS = ["1", "2"]
BOOLEANS = ["true", "false"]
VALUE_KINDS = {
    "period_value": "the period's own value: a month's MAU, a week's WAU, a day's DAU, a flow summed over the period",
    "monthly_average": "the average of monthly values over a longer period (QuestMobile's quarterly MAU)",
    "end_value": "the value at the end of the period: a stock, a valuation, a rank on a date",
    "change": "a change over the period: a growth rate, a difference (never a level)",
    "cumulative": "a running total up to period_end: cumulative downloads, total raised",
}
# languages that write a decimal comma (33,7 millions): value_text is read accordingly
DECIMAL_COMMA_LANGUAGES = {"fr", "de", "es", "it", "pt", "nl", "ru", "pl", "tr", "id", "vi", "sv", "da", "no", "fi"}

ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
PARTIAL_DATE = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"  # ASCII digits only: no full-width digits, no 2_2, no 1e3
WHOLE = r"^[0-9]+$"
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
    positive: bool = False  # numbers: must be > 0
    fix: str = ""  # how to fix a value that is not allowed (shown after the expectation)


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


def _real_date(v: str) -> bool:
    """An ISO date YYYY-MM-DD (or YYYY-MM / YYYY for partial dates) that exists in the calendar."""
    fmt = {10: "%Y-%m-%d", 7: "%Y-%m", 4: "%Y"}.get(len(v))
    if fmt is None:
        return False
    try:
        import datetime as _dt

        _dt.datetime.strptime(v, fmt)
    except ValueError:
        return False
    return True


def _isdate(s: pd.Series) -> pd.Series:
    return s.map(lambda v: v is None or (isinstance(v, str) and re.fullmatch(ISO_DATE, v) is not None and _real_date(v)))


def _ispartialdate(s: pd.Series) -> pd.Series:
    return s.map(lambda v: v is None or (isinstance(v, str) and re.fullmatch(PARTIAL_DATE, v) is not None and _real_date(v)))


def _isnumber(s: pd.Series) -> pd.Series:
    return s.map(lambda v: v is None or (isinstance(v, str) and re.fullmatch(NUMBER, v) is not None))


def _iswhole(s: pd.Series) -> pd.Series:
    return s.map(lambda v: v is None or (isinstance(v, str) and re.fullmatch(WHOLE, v) is not None))


def _ispositive(s: pd.Series) -> pd.Series:
    return s.map(lambda v: v is None or not re.fullmatch(NUMBER, str(v)) or float(v) > 0)


# ---------------------------------------------------------------------------------------
SOURCES = Table(
    "sources",
    "Sources",
    "One row per publication a number comes from: the articles the project is built on (tier 1) and "
    "public reports, "
    "web pages and disclosures (tier 2). Archived full texts live in data/sources/.",
    [
        Col(
            "source_id",
            "str",
            "Source id (s000, s001, ...), used as a key everywhere.",
            pattern=r"^s([0-9]{3}|_[a-z0-9_]+)$",
            unique=True,
        ),
        Col("kind", "str", "What the source is.", vocab=SOURCE_KINDS),
        Col("tier", "str", "1 = the articles the project is built on, 2 = public reports and web pages.", vocab=TIERS),
        Col("producer_en", "str", "Publisher in English / romanised (used in chart footnotes)."),
        Col("producer", "str", "Publisher or column, as it names itself."),
        Col("via", "str", "Platform the stored copy came from (repost, mirror).", required=False),
        Col("author", "str", "Author, if named.", required=False),
        Col(
            "date_published",
            "partial_date",
            "Date published: YYYY-MM-DD, YYYY-MM or YYYY when only that is known, empty when the page carries no date.",
            required=False,
        ),
        Col("date_inferred", "str", "true when the published date is our inference (see note).", vocab=BOOLEANS),
        Col("title", "str", "Title (short), if known; a source needs a title or a url.", required=False),
        Col("url", "str", "URL, if known.", required=False, pattern=r"^https?://"),
        Col("language", "str", "Language of the text (ISO 639-1: zh, en, fr ...).", pattern=r"^[a-z]{2,3}$"),
        Col("script", "str", "Script of the text.", vocab=SCRIPTS),
        Col(
            "archive",
            "str",
            "File under data/sources/ holding the full text; empty when only the quotes exist.",
            required=False,
            pattern=r"^[A-Za-z0-9_.-]+\.(txt|md|html)$",
            unique=True,
        ),
        Col("date_accessed", "date", "Date the text was read for this project."),
        Col("note", "str", "Caveats about the source.", required=False),
    ],
    row_checks=[
        (
            "identifiable",
            "title",
            "a title or a url (a source must be identifiable)",
            lambda df, ctx: df["title"].map(_txt).ne("") | df["url"].map(_txt).ne(""),
        ),
    ],
)

ENTITIES = Table(
    "entities",
    "Entities",
    "Apps, companies, models, measurement firms and groups named in the data.",
    [
        Col("entity_id", "str", "Canonical id.", pattern=ID, unique=True),
        Col("name_en", "str", "English / romanised name (used in charts)."),
        Col("name_zh", "str", "Chinese name."),
        Col(
            "aliases",
            "str",
            "Other names, separated by ';' (文小言;Wenxiaoyan). Any of them may be written in "
            "the entity and vendor columns of the other tables.",
            required=False,
        ),
        Col("kind", "str", "What it is.", vocab=ENTITY_KINDS),
        Col(
            "owner",
            "str",
            "Owning company (entity_id).",
            required=False,
            vocab=lambda c: c["entity_ids"],
            fix="or add the company as a row of data/entities.csv",
        ),
        Col("backing", "str", "Big-tech-backed or independent start-up.", vocab=BACKINGS),
        Col("country", "str", "ISO country code.", pattern=r"^[A-Z]{2}$"),
        Col("note", "str", "Notes.", required=False),
    ],
)

METRICS = Table(
    "metrics",
    "Metrics",
    "The metric vocabulary: what each metric id means and its base unit.",
    [
        Col("metric_id", "str", "Metric id.", pattern=ID, unique=True),
        Col("name", "str", "Short name."),
        Col("description", "str", "Meaning."),
        Col("base_unit", "str", "Unit of the normalised value."),
        Col(
            "dimension",
            "str",
            "Dimension a written unit must have (see kimi_research.data.units).",
            vocab=sorted({d for _, d in UNITS.values()}),
        ),
        Col("kind", "str", "stock, flow, rate, rank or amount.", vocab=METRIC_KINDS),
    ],
)


def _period_ok(df, ctx):
    """Both dates or neither, end >= start (a date that is not a real date is reported by its own check)."""
    out = []
    for s, e in zip(df["period_start"], df["period_end"], strict=True):
        s, e = _txt(s), _txt(e)
        if not s and not e:
            out.append(True)
        elif not s or not e:
            out.append(False)
        elif not (_isdate(pd.Series([s, e])).all()):
            out.append(True)
        else:
            out.append(e >= s)
    return pd.Series(out, index=df.index)


def _unit_matches_metric(df, ctx):
    dims = df["unit"].map(lambda u: UNITS.get(u, (None, None))[1])
    want = df["metric"].map(ctx["metric_dimension"])
    return dims.isna() | want.isna() | (dims == want)


def _txt(v) -> str:
    return v if isinstance(v, str) else ""


def _value_text_in_quote(df, ctx):
    # an empty quote or value_text is reported by the required-column check, not here
    return pd.Series(
        [not _txt(t) or not _txt(q) or _txt(t) in _txt(q) for t, q in zip(df["value_text"], df["quote"], strict=True)],
        index=df.index,
    )


def _number_matches(df, ctx):
    """value (and value_high) are exactly the signed numbers value_text writes (no abs())."""
    comma = ctx.get("decimal_comma_sources", set())
    out = []
    for t, v, h, src in zip(df["value_text"], df["value"], df["value_high"], df["source_id"], strict=True):
        has_high = isinstance(h, str) and h != ""
        if not isinstance(v, str) or not re.fullmatch(NUMBER, v) or (has_high and not re.fullmatch(NUMBER, h)):
            out.append(True)  # reported by the type check
            continue
        want = [float(v)] + ([float(h)] if has_high else [])
        got = numbers_in_text(_txt(t), decimal_comma=src in comma)
        out.append(got is not None and got == want)
    return pd.Series(out, index=df.index)


def _period_months(start: str, end: str) -> float | None:
    try:
        s, e = pd.Timestamp(start), pd.Timestamp(end)
    except (TypeError, ValueError):
        return None
    return ((e - s).days + 1) / (365.25 / 12)


def _kind_fits_period(df, ctx):
    """An MAU over more than one month cannot be a period's own value: it is a monthly_average."""
    out = []
    for m, k, s, e in zip(df["metric"], df["value_kind"], df["period_start"], df["period_end"], strict=True):
        months = _period_months(s, e) if isinstance(s, str) and isinstance(e, str) else None
        out.append(not (m == "mau" and k == "period_value" and months is not None and months > 1.05))
    return pd.Series(out, index=df.index)


def _same_as_ok(df, ctx):
    """same_as names another row of the same entity and metric, and same_as chains end."""
    ids = dict(zip(df["obs_id"], zip(df["entity"], df["metric"], strict=True), strict=True))
    links = dict(zip(df["obs_id"], df["same_as"], strict=True))
    out = []
    for oid, target, ent, met in zip(df["obs_id"], df["same_as"], df["entity"], df["metric"], strict=True):
        if not isinstance(target, str):
            out.append(True)
            continue
        ok = target != oid and target in ids and ids[target] == (ent, met)
        seen, cur = {oid}, target
        while ok and isinstance(cur, str) and cur in links:
            if cur in seen:
                ok = False
            seen.add(cur)
            cur = links[cur] if isinstance(links[cur], str) else None
        out.append(ok)
    return pd.Series(out, index=df.index)


def _implicit_entity_noted(df, ctx):
    flagged = df["flags"].fillna("").str.split(";").map(lambda f: "entity_implicit" in f)
    return ~flagged | df["note"].notna()


def _range_consistent(df, ctx):
    out = []
    for q, v, h in zip(df["qualifier"], df["value"], df["value_high"], strict=True):
        has_high = isinstance(h, str) and h != ""
        if q == "range":
            if has_high and isinstance(v, str) and re.fullmatch(NUMBER, v) and re.fullmatch(NUMBER, h):
                out.append(float(h) > float(v))
            else:
                out.append(has_high)
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
    "observations",
    "Observations",
    "One row per number in a source. The same fact in two sources is two rows (one measurement: "
    "see kimi_research.data.measurements).",
    [
        Col(
            "obs_id",
            "str",
            "Row id: o<source number>_<n> (o012_03 for source s012).",
            pattern=r"^o([0-9]{3}_[0-9]{2,3}|_[a-z0-9_]+)$",
            unique=True,
        ),
        Col(
            "entity",
            "str",
            "Who the number is about (entities.csv; an alias may be written).",
            vocab=lambda c: c["entity_ids"],
            fix="or add the entity to data/entities.csv (or this name to the aliases of an entity)",
        ),
        Col(
            "metric",
            "str",
            "What is measured (metrics.csv).",
            vocab=lambda c: c["metric_ids"],
            fix="or add the metric to data/metrics.csv",
        ),
        Col("period_start", "date", "First day the number covers (empty when the source gives no period).", required=False),
        Col("period_end", "date", "Last day the number covers.", required=False),
        Col(
            "duration_days",
            "int",
            "A duration the source states without dates (20天烧钱1个亿 -> 20).",
            required=False,
            unit="days",
            positive=True,
        ),
        Col("value", "float", "The number as written, in `unit` (2.2 for 2.2亿元).", unit="see unit"),
        Col("value_high", "float", "Upper end when qualifier is 'range'.", required=False, unit="see unit"),
        Col(
            "unit",
            "str",
            "Unit as written (万, 亿元, 亿美元, %, 万字, tokens, rank ...).",
            vocab=list(UNITS),
            fix="or add the unit to UNITS in lib/kimi_research/data/units.py",
        ),
        Col(
            "qualifier",
            "str",
            "How the number is qualified: " + "; ".join(f"{k} {v}" for k, v in QUALIFIERS.items()),
            vocab=list(QUALIFIERS),
        ),
        Col("value_text", "str", "The number exactly as it appears in the quote (1407.2万, 超亿元, 第九)."),
        Col(
            "vendor",
            "str",
            "Measurement firm the source quotes (entities of kind 'firm'), or empty.",
            required=False,
            vocab=lambda c: c["firm_ids"],
            fix="or add the firm to data/entities.csv with kind 'firm'",
        ),
        Col("scope", "str", "What list, channel or population the number refers to.", required=False),
        Col(
            "value_kind",
            "str",
            "What the value is: " + "; ".join(f"{k} = {v}" for k, v in VALUE_KINDS.items()),
            vocab=list(VALUE_KINDS),
        ),
        Col(
            "same_as",
            "str",
            "obs_id of an earlier row reporting the same measurement, where the automatic rule "
            "(same firm, entity, metric, period and value within rounding) cannot see it.",
            required=False,
        ),
        Col(
            "source_id",
            "str",
            "Source (sources.csv).",
            vocab=lambda c: c["source_ids"],
            fix="or add the source to data/sources.csv",
        ),
        Col("quote", "str", "Verbatim passage of the source that contains the number (white space folded)."),
        Col("flags", "flags", "Semicolon-separated: " + "; ".join(f"{k} = {v}" for k, v in FLAGS.items()), required=False),
        Col(
            "conflict_group",
            "str",
            "Rows that disagree share a group id (set exactly when flagged 'conflict').",
            required=False,
            pattern=ID,
        ),
        Col("note", "str", "Why a flag was set, how a vague number was read, context.", required=False),
    ],
    row_checks=[
        ("period", "period_end", "period_start and period_end both empty, or both ISO dates with end >= start", _period_ok),
        ("unit_dimension", "unit", "a unit whose dimension matches the metric's dimension (metrics.csv)", _unit_matches_metric),
        ("value_text_in_quote", "value_text", "text that appears in the quote", _value_text_in_quote),
        ("number_matches", "value", "the number(s) written in value_text (value, and value_high for a range)", _number_matches),
        ("range", "value_high", "value_high > value exactly when qualifier is 'range'", _range_consistent),
        (
            "conflict",
            "conflict_group",
            "a conflict_group exactly when flags has 'conflict', shared by at least two rows",
            _conflict_consistent,
        ),
        (
            "value_kind_period",
            "value_kind",
            "monthly_average (or end_value) for an MAU over more than one month: an MAU is a month's value",
            _kind_fits_period,
        ),
        ("same_as", "same_as", "the obs_id of another row with the same entity and metric (and no same_as cycle)", _same_as_ok),
        (
            "entity_implicit",
            "note",
            "a note saying how we know the entity when flags has 'entity_implicit'",
            _implicit_entity_noted,
        ),
    ],
)

EVENTS = Table(
    "events",
    "Events",
    "Dated events for chart annotation, each with its source and quote.",
    [
        Col("event_id", "str", "Event id (e_...).", pattern=r"^e_[a-z0-9_]+$", unique=True),
        Col("date", "date", "Date (first day of the month/quarter when less precise)."),
        Col("date_precision", "str", "day, month, quarter or year.", vocab=DATE_PRECISIONS),
        Col(
            "entity",
            "str",
            "Main entity.",
            vocab=lambda c: c["entity_ids"],
            fix="or add the entity to data/entities.csv (or this name to the aliases of an entity)",
        ),
        Col("kind", "str", "Kind of event.", vocab=EVENT_KINDS),
        Col("label", "str", "Short English label for charts."),
        Col("source_id", "str", "Source.", vocab=lambda c: c["source_ids"], fix="or add the source to data/sources.csv"),
        Col("quote", "str", "Verbatim passage."),
        Col("flags", "flags", "As in observations.", required=False),
        Col("note", "str", "Notes.", required=False),
    ],
)

CLAIMS = Table(
    "claims",
    "Claims",
    "Arithmetic the sources assert, written so the audit notebook can recompute it.",
    [
        Col("claim_id", "str", "Claim id.", pattern=r"^c\d{2}$", unique=True),
        Col(
            "source_id",
            "str",
            "Source making the claim.",
            vocab=lambda c: c["source_ids"],
            fix="or add the source to data/sources.csv",
        ),
        Col("statement", "str", "The claim in English."),
        Col("quote", "str", "Verbatim passage."),
        Col(
            "expression",
            "str",
            "Arithmetic over observation ids (base units; <id>_hi = upper end of a range, "
            "<id>_pm = per month), event ids (days), DAYS_PER_MONTH, min, max, abs. A pair (a, b) is a range.",
        ),
        Col(
            "relation",
            "str",
            "How the computed value must relate to the target; empty = the target observation's qualifier.",
            required=False,
            vocab=RELATIONS,
        ),
        Col("target", "str", "An observation id (the asserted number) or a plain number."),
        Col("note", "str", "Notes.", required=False),
    ],
)

CAPABILITIES = Table(
    "capabilities",
    "Capabilities",
    "Non-numeric facts for the capability matrix (modalities, open weights, ecosystems).",
    [
        Col("cap_id", "str", "Row id.", pattern=r"^k\d{2}$", unique=True),
        Col(
            "entity",
            "str",
            "Entity.",
            vocab=lambda c: c["entity_ids"],
            fix="or add the entity to data/entities.csv (or this name to the aliases of an entity)",
        ),
        Col(
            "capability",
            "str",
            "Capability.",
            vocab=[
                "modalities",
                "open_weights",
                "data_ecosystem",
                "own_cloud",
                "reasoning_model",
                "monetisation",
                "developer_tools",
            ],
        ),
        Col("value", "str", "Value (semicolon-separated list where several)."),
        Col("source_id", "str", "Source.", vocab=lambda c: c["source_ids"], fix="or add the source to data/sources.csv"),
        Col("quote", "str", "Verbatim passage."),
        Col("note", "str", "Notes.", required=False),
    ],
)

TABLES: dict[str, Table] = {t.name: t for t in [SOURCES, ENTITIES, METRICS, OBSERVATIONS, EVENTS, CLAIMS, CAPABILITIES]}


def _expected(col: Col, ctx: dict) -> str:
    parts = []
    if col.kind == "float":
        parts.append("a number written with ASCII digits (-12.5; no thousands separator, no 1e3, no 2_2)")
    elif col.kind == "int":
        parts.append("a whole number" + (" > 0" if col.positive else ""))
    elif col.kind == "date":
        parts.append("a real date YYYY-MM-DD")
    elif col.kind == "partial_date":
        parts.append("a real date YYYY-MM-DD (or YYYY-MM, YYYY when only that is known)")
    vocab = col.vocab(ctx) if callable(col.vocab) else col.vocab
    if vocab is not None:
        shown = ", ".join(map(str, list(vocab)[:80])) + (" ..." if len(vocab) > 80 else "")
        parts.append(f"one of: {shown}")
    if col.pattern:
        parts.append(f"text matching {col.pattern}")
    if col.kind == "flags":
        parts.append("flags from: " + ", ".join(FLAGS))
    if col.fix:
        parts.append(col.fix)
    return "; ".join(parts) or "text"


_KIND_CHECKS = {"float": _isnumber, "int": _iswhole, "date": _isdate, "partial_date": _ispartialdate}


def pandera_schema(table: Table, ctx: dict) -> tuple[pa.DataFrameSchema, dict[str, tuple[str, str]]]:
    """The pandera schema of the raw (string) table, and a map check name -> (column, expected).

    Every column is validated as the text written in the file (numbers and dates too, so that
    ``２.２``, ``2_2`` or ``2025-13-45`` cannot be coerced into something else); the loader
    converts the numeric columns once they are valid.
    """
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
        if col.kind in _KIND_CHECKS:
            checks.append(pa.Check(_KIND_CHECKS[col.kind], name=f"{col.kind}:{col.name}"))
        if col.positive:
            checks.append(pa.Check(_ispositive, name=f"positive:{col.name}"))
        if col.kind == "flags":
            checks.append(pa.Check(_flags_known, name=f"flags:{col.name}"))
        columns[col.name] = pa.Column(
            str,
            checks=checks,
            nullable=not col.required,
            coerce=True,
            unique=col.unique,
            required=True,
            description=col.description,
        )
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
    out = [
        "# Data dictionary",
        "",
        "Generated from `kimi_research.data.schema`; print it with `python -m kimi_research dictionary`.",
        "",
    ]
    for t in TABLES.values():
        out += [
            f"## `data/{t.file}`: {t.title}",
            "",
            t.description,
            "",
            "| column | type | required | unit | description |",
            "|---|---|---|---|---|",
        ]
        for c in t.columns:
            desc = re.sub(r"\|", "/", c.description)
            out.append(f"| `{c.name}` | {c.kind} | {'yes' if c.required else 'no'} | {c.unit} | {desc} |")
        out.append("")
    out += ["## Units", "", "| unit as written | factor | dimension |", "|---|---|---|"]
    out += [f"| {u} | {f:g} | {d} |" for u, (f, d) in UNITS.items()]
    return "\n".join(out) + "\n"
