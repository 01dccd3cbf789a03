"""One definition of every column of every table in ``data/`` (types, vocabularies, keys).

Each table is a :class:`Table` of :class:`Col`; :func:`pandera_schema` turns its columns into a
pandera ``DataFrameSchema`` for the raw (string) table, with the cross-table keys known at load
time, and :func:`row_problems` runs the checks across a row (a value against its value_text, a
unit against the words value_text writes, a period's two ends ...). Every check works on whole
columns, so validating grows linearly with the table. The descriptions feed the data dictionary
(``python -m kimi_research dictionary``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import pandera.pandas as pa

from kimi_research.data.units import UNITS, Reading, number_problem, read_value_text, unit_conflict

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
    # (check name, column to report, what was expected, fn(df, ctx) -> Series over the rows):
    # a bool Series (False = the row fails), or a Series of text holding, for each failing row,
    # what it reads as (appended to the expectation) and None (NA) elsewhere

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    def col(self, name: str) -> Col:
        return next(c for c in self.columns if c.name == name)


# Every check works on whole columns (pandas string and date operations), so validating grows
# linearly with the table. Python loops only where pandas has no column operation (is one
# column's text inside another's) or over the few rows a check concerns (rows with a same_as),
# and value_texts are read once per distinct text.
def _text(s: pd.Series) -> pd.Series:
    """A raw column as pandas strings, an empty cell (None) as NA."""
    return s.astype("str")


def _filled(s: pd.Series) -> pd.Series:
    """A raw column as strings, an empty cell as ''."""
    return _text(s).fillna("")


def _dates(s: pd.Series, fmt: str = "%Y-%m-%d") -> pd.Series:
    """The dates a column writes (NaT where it writes none, or no real date: 2024-02-30)."""
    return pd.to_datetime(_text(s), format=fmt, errors="coerce")


def _isdate(s: pd.Series) -> pd.Series:
    """An ISO date YYYY-MM-DD that exists in the calendar (empty cells pass: `required` reports them)."""
    t = _text(s)
    return t.isna() | (t.str.fullmatch(ISO_DATE) & _dates(t).notna())


def _ispartialdate(s: pd.Series) -> pd.Series:
    """YYYY-MM-DD, YYYY-MM or YYYY, a real date."""
    t = _text(s)
    ok = t.isna()
    for n, fmt in ((10, "%Y-%m-%d"), (7, "%Y-%m"), (4, "%Y")):
        this = t.str.len() == n
        ok |= this & t.str.fullmatch(PARTIAL_DATE) & _dates(t.where(this), fmt).notna()
    return ok


def _isnumber(s: pd.Series) -> pd.Series:
    t = _text(s)
    return t.isna() | t.str.fullmatch(NUMBER)


def _iswhole(s: pd.Series) -> pd.Series:
    t = _text(s)
    return t.isna() | t.str.fullmatch(WHOLE)


def _numbers(s: pd.Series) -> pd.Series:
    """The numbers a column writes (NaN where it writes no NUMBER: empty, '2,2', '1e3')."""
    t = _text(s)
    return pd.to_numeric(t.where(t.str.fullmatch(NUMBER)), errors="coerce").astype(float)


def _ispositive(s: pd.Series) -> pd.Series:
    x = _numbers(s)
    return x.isna() | (x > 0)


def _has_flag(s: pd.Series, flag: str) -> pd.Series:
    return _filled(s).str.contains(rf"(?:^|;){flag}(?:;|$)", regex=True)


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
            lambda df, ctx: _filled(df["title"]).ne("") | _filled(df["url"]).ne(""),
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
    has_s, has_e = _text(df["period_start"]).notna(), _text(df["period_end"]).notna()
    s, e = _dates(df["period_start"]), _dates(df["period_end"])
    return (~has_s & ~has_e) | (has_s & has_e & (s.isna() | e.isna() | (e >= s)))


_UNIT_DIMENSION = {u: d for u, (_, d) in UNITS.items()}


def _unit_matches_metric(df, ctx):
    dims = df["unit"].map(_UNIT_DIMENSION)
    want = df["metric"].map(ctx["metric_dimension"])
    return dims.isna() | want.isna() | (dims == want)


def _value_text_in_quote(df, ctx):
    # an empty quote or value_text is reported by the required-column check, not here; pandas has
    # no row-wise "a in b", so this one test is a comprehension over the two columns
    text, quote = _filled(df["value_text"]), _filled(df["quote"])
    return pd.Series([t in q for t, q in zip(text.tolist(), quote.tolist(), strict=True)], index=df.index).where(
        text.ne("") & quote.ne(""), True
    )


_COMMA = "\x00,"  # appended to a value_text read with a decimal comma (a key of the readings)


def _reading_keys(df, ctx) -> pd.Series:
    """value_text, marked when its source writes a decimal comma: one key per distinct reading."""
    comma = df["source_id"].isin(ctx.get("decimal_comma_sources", set()))
    return _filled(df["value_text"]) + comma.map({True: _COMMA, False: ""}).astype("str")


def _readings(keys: pd.Series) -> dict[str, Reading]:
    """Each distinct value_text read once (a table grows by rows, not by ways of writing numbers)."""
    return {k: read_value_text(k.removesuffix(_COMMA), k.endswith(_COMMA)) for k in keys.unique() if k}


def _number_matches(df, ctx):
    """value (and value_high) are exactly the signed numbers value_text writes (no abs()).

    A row whose value_text is read otherwise is told what was read ('992.6万' reads 992.6), or
    that no number was read at all (a word: 'several')."""
    keys = _reading_keys(df, ctx)
    readings = _readings(keys)
    count = keys.map({k: len(r.numbers) for k, r in readings.items()})
    first = keys.map({k: r.numbers[0] for k, r in readings.items() if r.numbers}).astype(float)
    second = keys.map({k: r.numbers[1] for k, r in readings.items() if len(r.numbers) > 1}).astype(float)
    value, high = _numbers(df["value"]), _numbers(df["value_high"])
    has_high = _text(df["value_high"]).notna()
    checkable = value.notna() & (~has_high | high.notna()) & keys.ne("") & keys.ne(_COMMA)
    ok = (count == 1 + has_high.astype(int)) & _same(value, first) & (~has_high | _same(high, second))
    bad = checkable & ~ok.fillna(False)
    out = pd.Series(None, index=df.index, dtype=object)
    out[bad] = keys[bad].map(lambda k: number_problem(readings[k]))
    return out


def _same(a: pd.Series, b: pd.Series) -> pd.Series:
    """Equal numbers (to a millionth of a millionth: the same decimal read twice)."""
    return (a == b) | ((a - b).abs() <= 1e-12 * b.abs())


def _unit_agrees_with_text(df, ctx):
    """The unit is the one value_text writes (992.6万 is in 万, 2.2亿元 in 亿元, 70% in %)."""
    keys = _reading_keys(df, ctx)
    readings = _readings(keys)
    dims = df["metric"].map(ctx["metric_dimension"]).astype(object)
    combo = keys + "\x01" + _filled(df["unit"]) + "\x01" + _filled(dims)
    found = {}
    for c in combo.unique():
        key, unit, dim = c.split("\x01")
        found[c] = unit_conflict(readings[key], unit, dim or None) if key in readings else None
    return combo.map(found)


def _kind_fits_period(df, ctx):
    """An MAU over more than one month cannot be a period's own value: it is a monthly_average."""
    months = ((_dates(df["period_end"]) - _dates(df["period_start"])).dt.days + 1) / (365.25 / 12)
    return ~((df["metric"] == "mau") & (df["value_kind"] == "period_value") & (months > 1.05).fillna(False))


def _same_as_ok(df, ctx):
    """same_as names another row of the same entity and metric, and same_as chains end."""
    linked = df[df["same_as"].notna()]
    if linked.empty:
        return pd.Series(True, index=df.index)
    named = df[df["obs_id"].isin(linked["same_as"])]  # only the rows a same_as names
    ids = dict(zip(named["obs_id"].tolist(), zip(named["entity"].tolist(), named["metric"].tolist(), strict=True), strict=True))
    links = dict(zip(linked["obs_id"].tolist(), linked["same_as"].tolist(), strict=True))
    ok = pd.Series(True, index=df.index)
    for line, oid, target, ent, met in zip(
        linked.index,
        linked["obs_id"].tolist(),
        linked["same_as"].tolist(),
        linked["entity"].tolist(),
        linked["metric"].tolist(),
        strict=True,
    ):
        good = target != oid and target in ids and ids[target] == (ent, met)
        seen, cur = {oid}, target
        while good and isinstance(cur, str) and cur in links:
            if cur in seen:
                good = False
            seen.add(cur)
            cur = links[cur]
        ok[line] = good
    return ok


def _implicit_entity_noted(df, ctx):
    return ~_has_flag(df["flags"], "entity_implicit") | _text(df["note"]).notna()


def _range_consistent(df, ctx):
    has_high = _text(df["value_high"]).notna()
    value, high = _numbers(df["value"]), _numbers(df["value_high"])
    both = value.notna() & high.notna()
    in_range = has_high & (~both | (high > value))
    is_range = df["qualifier"] == "range"
    return (is_range & in_range) | (~is_range & ~has_high)


def _conflict_consistent(df, ctx):
    flagged = _has_flag(df["flags"], "conflict")
    groups = _text(df["conflict_group"])
    grouped = groups.notna()
    sizes = groups.map(groups.value_counts())
    return (flagged == grouped) & (~grouped | (sizes >= 2))


def _flags_known(s: pd.Series) -> pd.Series:
    t = _text(s)
    each = t.dropna().str.split(";").explode()
    unknown = each[~each.isin(list(FLAGS))].index.unique()
    return pd.Series(~t.index.isin(unknown), index=t.index)


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
        ("unit_text", "unit", "", _unit_agrees_with_text),
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
            explain[str(c.name)] = (col.name, exp)  # every check above is named
        explain[f"col:{col.name}"] = (col.name, exp)
    return pa.DataFrameSchema(columns, strict=True, name=table.name), explain


def row_problems(df: pd.DataFrame, table: Table, ctx: dict) -> list[dict]:
    """Every failing row check of the raw table: {line, column, value, expected}, in check order.

    The checks run over whole columns (no per-row Python), and each tolerates cells that the
    column checks report (a value that is not a number, a date that does not exist), so a row
    with several faults gets every one of them.
    """
    problems = []
    for _name, column, expected, fn in table.row_checks:
        result = fn(df, ctx)
        if pd.api.types.is_bool_dtype(result.dtype):
            failing, detail = df.index[~result.fillna(True).astype(bool).to_numpy()], None
        else:
            detail = result[result.notna()]
            failing = detail.index
        for line in failing:
            why = expected if detail is None else "; ".join(x for x in (expected, str(detail[line])) if x)
            problems.append({"line": line, "column": column, "value": df.at[line, column], "expected": why})
    return problems


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
