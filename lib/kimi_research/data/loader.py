"""Load and validate the curated tables in ``data/``.

:func:`load` reads every table with Python's csv module (so a malformed row is reported by
its line number, not as a pandas ParserError), validates it against :mod:`kimi_research.data.schema`
with pandera, checks the keys between tables, and adds computed columns (base values, period
midpoints, monthly rates). Every problem is raised as one :class:`~kimi_research.errors.DataError`
naming the file, line, column, value and what was expected.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import os
import pickle
import re
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from kimi_research import paths
from kimi_research.data import provenance
from kimi_research.data.expressions import ExpressionError, evaluate, namespace, parse
from kimi_research.data.expressions import names as expr_names
from kimi_research.data.measurements import measurement_ids, measurements, repeated_figures  # noqa: F401
from kimi_research.data.series import level_series
from kimi_research.data.units import DAYS_PER_MONTH, UNITS
from kimi_research.errors import DataError

# Schema and pandera are imported when data is actually validated (not on a cache hit).
TABLE_FILES = ["sources", "entities", "metrics", "observations", "events", "claims", "capabilities"]


MAX_FIELD = 20_000  # characters; a longer field is almost surely rows swallowed by a stray quote


def _display(path: Path) -> str:
    return f"data/{path.name}" if path.parent.resolve() == (paths.ROOT / "data").resolve() else str(path)


def read_raw(path: Path, table) -> pd.DataFrame:
    """Read a CSV as strings; index = line number in the file. Structural errors -> DataError."""
    name = _display(path)
    if not path.exists():
        raise DataError(
            name, message=f"file not found; expected a CSV file with the columns: {', '.join(c.name for c in table.columns)}"
        )
    if path.is_dir():
        raise DataError(name, message="is a directory; expected a CSV file (move or rename the directory)")
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise DataError(name, message=f"cannot be read ({e.strerror or e}); check its permissions") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raise DataError(name, [{"line": 1, "expected": "UTF-8 without a byte-order mark (BOM); re-save the file as plain UTF-8"}])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise DataError(
            name,
            [
                {
                    "line": line,
                    "value": raw[e.start : e.end + 8].decode("latin-1"),
                    "expected": "UTF-8 text (the file seems to be in another encoding, e.g. GBK)",
                }
            ],
        ) from None
    if not text.strip():
        raise DataError(
            name, message=f"file is empty; expected a header line with columns: {', '.join(c.name for c in table.columns)}"
        )
    bare_cr = [m.start() for m in re.finditer("\r(?!\n)", text)]
    if bare_cr and "\n" not in text:
        raise DataError(
            name,
            message="its lines end with a carriage return alone (CR, \\r: the old Mac OS line ending), so the file "
            "reads as a single line; expected LF (Unix) or CRLF (Windows) line endings: re-save it with Unix (LF) "
            "line endings",
        )
    if bare_cr:
        lines_cr = sorted({text.count("\n", 0, i) + 1 for i in bare_cr})
        raise DataError(
            name,
            [
                {
                    "line": i,
                    "expected": "a line ended by LF or CRLF; it holds a carriage return alone (CR, \\r: the old Mac OS "
                    "line ending), which splits it in two: re-save the file with Unix (LF) line endings",
                }
                for i in lines_cr
            ],
            "line endings",
        )
    nul = [i for i, line in enumerate(text.split("\n"), 1) if "\x00" in line]
    if nul:
        raise DataError(
            name, [{"line": i, "expected": "text without NUL bytes (\\x00); the file may be binary or damaged"} for i in nul]
        )
    want = [c.name for c in table.columns]
    old_limit = csv.field_size_limit()
    csv.field_size_limit(max(old_limit, len(text) + 1))
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader)
        problems = []
        missing = [c for c in want if c not in header]
        extra = [c for c in header if c not in want]
        for c in missing:
            problems.append({"line": 1, "column": c, "expected": "this column in the header"})
        for c in extra:
            problems.append({"line": 1, "column": c, "value": c, "expected": f"only the columns {', '.join(want)}"})
        if len(set(header)) != len(header):
            problems.append({"line": 1, "expected": "each column name once"})
        if problems:
            raise DataError(name, problems, "bad header")
        lines = text.split("\n")
        rows, index = [], []
        start = 2
        id_pattern = table.columns[0].pattern
        for row in reader:
            line = start
            end = reader.line_num
            start = end + 1
            if not row or not "".join(row).strip():
                continue
            if end > line:  # a quoted field ran over a line break
                swallowed = [
                    i
                    for i in range(line + 1, end + 1)
                    if id_pattern and re.match(id_pattern.rstrip("$") + ",", lines[i - 1].lstrip('"'))
                ]
                what = f"; line {swallowed[0]} looks like a row of its own and was swallowed" if swallowed else ""
                problems.append(
                    {
                        "line": line,
                        "expected": (
                            f"one line per row: a quoted field opened on line {line} only closes on line {end}{what} "
                            "(a stray '\"'? a '\"' inside a field is written '\"\"'; fields cannot hold line breaks)"
                        ),
                    }
                )
                continue
            if len(row) != len(header):
                raw_line = lines[line - 1]
                hint = (
                    "a '\"' inside a field is written '\"\"', or the field is wrapped in quotes"
                    if '"' in raw_line
                    else "a comma inside a field needs quotes"
                )
                problems.append(
                    {"line": line, "value": raw_line[:60], "expected": f"{len(header)} fields, found {len(row)} ({hint})"}
                )
                continue
            long = []
            if max(map(len, row)) > MAX_FIELD:  # the cheap test first: most rows are short
                long = [(c, len(f)) for c, f in zip(header, row, strict=True) if len(f) > MAX_FIELD]
            if long:
                c, n = long[0]
                problems.append(
                    {
                        "line": line,
                        "column": c,
                        "value": row[header.index(c)][:40] + "...",
                        "expected": f"at most {MAX_FIELD:,} characters, found {n:,}",
                    }
                )
                continue
            rows.append(row)
            index.append(line)
    except csv.Error as e:
        raise DataError(name, [{"line": reader.line_num, "expected": f"well-formed CSV ({e})"}]) from None
    finally:
        csv.field_size_limit(old_limit)
    if problems:
        raise DataError(name, problems, "malformed rows")
    # no silent row loss: every physical line that is not blank is the header or one row
    physical = sum(1 for line in lines if line.strip(' \t\r,"'))
    if physical != len(rows) + 1:
        raise DataError(
            name,
            message=f"{physical - 1} non-blank lines after the header but {len(rows)} rows "
            "were read; check the quotes around the lines that differ",
        )
    df = pd.DataFrame(rows, columns=header, index=pd.Index(index, name="line"), dtype=object)
    df = df[want]
    for col in df.columns:
        stripped = df[col].astype("str").str.strip()
        df[col] = stripped.where(stripped != "", None)
    return df


_TRAD = str.maketrans("萬億個兩數幾", "万亿个两数几")  # traditional -> simplified, for unit hints


def _nearest(value, vocab) -> str:

    if not isinstance(value, str) or not vocab:
        return ""
    lower = {str(v).lower(): v for v in vocab}
    for guess in (value.lower(), value.translate(_TRAD).lower()):
        if guess in lower and lower[guess] != value:
            return f"{lower[guess]!r} (the nearest allowed value) or "
    close = difflib.get_close_matches(value, [str(v) for v in vocab], n=1, cutoff=0.6)
    return f"{close[0]!r} (the nearest allowed value) or " if close else ""


def table_problems(df: pd.DataFrame, table, ctx: dict) -> list[dict]:
    """Every problem of one raw table, sorted by line: the column checks (pandera: type, vocabulary,
    pattern, uniqueness) of each cell, then the checks across its row (schema.row_problems).

    A cell may have several problems (a unit of the wrong dimension that also contradicts its
    value_text); the same expectation is never repeated for one cell.
    """
    import pandera.pandas as pa

    from kimi_research.data.schema import pandera_schema, row_problems

    schema, explain = pandera_schema(table, ctx)
    problems = []
    try:
        schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        for r in err.failure_cases.to_dict("records"):
            problems.append(_column_problem(r, df, table, ctx, explain))
    problems += row_problems(df, table, ctx)
    seen, out = set(), []
    for p in problems:
        key = (p["line"], p["column"], p["expected"])
        if key not in seen:
            seen.add(key)
            out.append(p)
    out.sort(key=lambda p: (p["line"] or 0, p["column"] or ""))  # stable: a column's own check first
    return out


def _column_problem(r: dict, df: pd.DataFrame, table, ctx: dict, explain: dict) -> dict:
    """One pandera failure case as {line, column, value, expected}."""
    check = str(r["check"])
    key = check.split("(")[0]
    col_name = r["column"] if isinstance(r["column"], str) else None
    if key in explain:
        column, expected = explain[key]
    elif col_name and f"col:{col_name}" in explain:
        column, expected = explain[f"col:{col_name}"]
        if "not_nullable" in check:
            expected = "a value (this column is required)"
        elif "field_uniqueness" in check or "unique" in check:
            expected = "a value not used on another line (ids must be unique)"
    else:
        column, expected = col_name, check
    idx = r["index"]
    line = int(idx) if idx is not None and not pd.isna(idx) else None
    value = cast(Any, df.at[line, column] if line is not None and column in df.columns else r["failure_case"])
    if value is not None and not isinstance(value, str) and pd.isna(value):
        value = None
    if (key.startswith("vocab:") or key == "isin") and column is not None and table.col(column).vocab is not None:
        vocab = table.col(column).vocab
        expected = _nearest(value, vocab(ctx) if callable(vocab) else vocab) + expected
    return {"line": line, "column": column, "value": value, "expected": expected}


def _typed(df: pd.DataFrame, table) -> pd.DataFrame:
    """Convert the (validated) numeric columns from their text."""
    df = df.copy()
    for col in table.columns:
        if col.kind == "float":
            df[col.name] = pd.to_numeric(df[col.name].astype(object), errors="raise").astype(float)
        elif col.kind == "int":
            df[col.name] = pd.to_numeric(df[col.name].astype(object), errors="raise").astype("Int64")
    return df


def validate(df: pd.DataFrame, table, ctx: dict, name: str) -> pd.DataFrame:
    problems = table_problems(df, table, ctx)
    if problems:
        raise DataError(name, problems)
    return _typed(df, table)


def _months_in_periods(start: pd.Series, end: pd.Series) -> pd.Series:
    """Months each period covers: whole calendar months counted, other spans in days / DAYS_PER_MONTH."""
    whole = (start.dt.day == 1) & ((end + pd.Timedelta(days=1)).dt.day == 1)
    calendar = (end.dt.year - start.dt.year) * 12 + end.dt.month - start.dt.month + 1
    days = ((end - start).dt.days + 1) / DAYS_PER_MONTH
    return days.where(~whole, calendar).astype(float)


def _derive_observations(obs: pd.DataFrame, metrics: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    obs = obs.copy()
    factor = obs["unit"].map({u: f for u, (f, _) in UNITS.items()})
    obs["dimension"] = obs["unit"].map({u: d for u, (_, d) in UNITS.items()})
    # round away binary noise (2.2 * 1e8 = 220000000.00000003) so results JSON stays clean
    obs["base_value"] = (obs["value"] * factor).round(6)
    obs["base_value_high"] = (obs["value_high"] * factor).round(6)
    obs["period_start"] = pd.to_datetime(obs["period_start"], format="%Y-%m-%d")
    obs["period_end"] = pd.to_datetime(obs["period_end"], format="%Y-%m-%d")
    obs["period_mid"] = obs["period_start"] + (obs["period_end"] - obs["period_start"]) / 2
    obs["period_months"] = _months_in_periods(obs["period_start"], obs["period_end"])
    kind = obs["metric"].map(metrics.set_index("metric_id")["kind"])
    obs["metric_kind"] = kind
    # per-month value of a flow (ad spend over a quarter -> per month); other metrics unchanged
    # a stated duration (20天烧钱1个亿) wins over the (often inferred) calendar period
    days = obs["duration_days"].astype(float)
    period_days = (obs["period_end"] - obs["period_start"]).dt.days + 1
    months = np.where(days.notna(), days / DAYS_PER_MONTH, obs["period_months"])
    day_count = np.where(days.notna(), days, period_days)
    flow = (kind == "flow") & (obs["value_kind"] != "change")
    obs["base_value_per_month"] = np.where(flow, obs["base_value"] / months, np.nan)
    obs["base_value_per_day"] = np.where(flow, obs["base_value"] / day_count, np.nan)
    obs["flag_list"] = obs["flags"].fillna("").map(lambda f: [x for x in f.split(";") if x])
    obs["tier"] = obs["source_id"].map(sources.set_index("source_id")["tier"]).astype(int)
    return obs


ALIASED_COLUMNS = {"observations": ["entity", "vendor"], "events": ["entity"], "capabilities": ["entity"]}


def alias_map(entities: pd.DataFrame) -> dict[str, str]:
    """Every name an entity may be written as -> its entity_id (ids, aliases, unambiguous names).

    Matching ignores case and surrounding white space. An alias that two entities claim is
    reported by :func:`alias_problems`; a name (name_en/name_zh) two entities share is not used.
    """
    out: dict[str, str] = {}
    names: dict[str, set[str]] = {}
    for _, r in entities.iterrows():
        eid = r["entity_id"]
        if not isinstance(eid, str):
            continue
        for n in (r.get("name_en"), r.get("name_zh")):
            if isinstance(n, str) and n.strip():
                names.setdefault(n.strip().lower(), set()).add(eid)
    for n, ids in names.items():
        if len(ids) == 1:
            out[n] = next(iter(ids))
    for _, r in entities.iterrows():
        eid = r["entity_id"]
        if not isinstance(eid, str):
            continue
        aliases = r.get("aliases")
        for a in (aliases if isinstance(aliases, str) else "").split(";"):
            if a.strip():
                out[a.strip().lower()] = eid
    for _, r in entities.iterrows():
        if isinstance(r["entity_id"], str):
            out[r["entity_id"].lower()] = r["entity_id"]
    return out


def alias_problems(entities: pd.DataFrame) -> list[dict]:
    ids = {e.lower() for e in entities["entity_id"].dropna()}
    seen: dict[str, tuple[str, int]] = {}
    problems = []
    for line, r in entities.iterrows():
        aliases = r.get("aliases")
        for a in (aliases if isinstance(aliases, str) else "").split(";"):
            a = a.strip()
            if not a:
                continue
            low = a.lower()
            if low in ids and low != str(r["entity_id"]).lower():
                problems.append(
                    {"line": line, "column": "aliases", "value": a, "expected": "an alias that is not another entity's id"}
                )
            elif low in seen and seen[low][0] != r["entity_id"]:
                problems.append(
                    {
                        "line": line,
                        "column": "aliases",
                        "value": a,
                        "expected": f"an alias used by one entity only (line {seen[low][1]} has it too)",
                    }
                )
            seen.setdefault(low, (r["entity_id"], cast(int, line)))
    return problems


def resolve_aliases(df: pd.DataFrame, columns: list[str], aliases: dict[str, str]) -> pd.DataFrame:
    df = df.copy()
    for c in columns:
        found = df[c].str.strip().str.lower().map(aliases)
        df[c] = df[c].where(found.isna(), found)
    return df


@dataclass
class Dataset:
    """The validated tables. Index of each frame is its id column."""

    sources: pd.DataFrame
    entities: pd.DataFrame
    metrics: pd.DataFrame
    observations: pd.DataFrame
    events: pd.DataFrame
    claims: pd.DataFrame
    capabilities: pd.DataFrame
    data_dir: Path
    evidence: str = "all"

    def name(self, entity_id: str, lang: str = "en") -> str:
        col = "name_zh" if lang == "zh" else "name_en"
        return str(self.entities.at[entity_id, col]) if entity_id in self.entities.index else entity_id

    def entity_id(self, name: str) -> str:
        """The entity id of an id, alias or name (文小言 -> wenxin); KeyError naming the choices."""
        found = alias_map(self.entities).get(str(name).strip().lower())
        if found is None:
            near = _nearest(name, list(self.entities.index)).replace(" or ", "")
            raise KeyError(
                f"unknown entity {name!r}; add it to data/entities.csv (or to an entity's aliases)"
                + (f"; nearest: {near}" if near else "")
            )
        return found

    def select(
        self, entity: str | list[str] | None = None, metric: str | list[str] | None = None, vendor: str | None = None
    ) -> pd.DataFrame:
        """Observations filtered by entity, metric and vendor ('' or None = any); aliases are accepted."""
        o = self.observations
        names = self.__dict__.get("_aliases")
        if names is None:
            names = self.__dict__["_aliases"] = alias_map(self.entities)

        def canon(x):
            return names.get(x.strip().lower(), x) if isinstance(x, str) else x

        entity = [canon(e) for e in entity] if isinstance(entity, list) else canon(entity)
        vendor = canon(vendor)
        if entity:
            o = o[o["entity"].isin([entity] if isinstance(entity, str) else entity)]
        if metric:
            o = o[o["metric"].isin([metric] if isinstance(metric, str) else metric)]
        if vendor:
            o = o[o["vendor"] == vendor]
        return o

    def measurements(self, rel_tol: float = 0.005) -> pd.DataFrame:
        """One row per measurement (a figure reported by several sources counts once); see
        :mod:`kimi_research.data.measurements`."""

        return measurements(self.observations, self.sources, rel_tol)

    def level_series(self, entity: str, metric: str, vendor: str | None = "*", **kw) -> pd.DataFrame:
        """Dated levels of one entity's metric, each measurement once; see :func:`kimi_research.data.series.level_series`."""

        return level_series(self.observations, entity, metric, vendor, **kw)

    def with_evidence(self, evidence: str) -> Dataset:
        """The dataset restricted to the articles (``"articles"``, tier-1 sources) or everything (``"all"``).

        Observations, events, claims and capabilities of other sources are left out, and so is a
        claim whose expression or target uses a row left out.
        """
        if evidence not in EVIDENCE:
            raise ValueError(f"evidence must be one of {', '.join(EVIDENCE)}, got {evidence!r}")
        if evidence == "all":
            return replace(self, evidence="all") if self.evidence != "all" else self

        keep = set(self.sources.index[self.sources["tier"].astype(int) == 1])
        obs = self.observations[self.observations["source_id"].isin(keep)].copy()

        obs["measurement"] = measurement_ids(obs)
        ev = self.events[self.events["source_id"].isin(keep)]
        known = set(obs.index) | set(ev.index) | {"DAYS_PER_MONTH"}

        def usable(r) -> bool:
            used = {re.sub(r"_(hi|pm)$", "", n) for n in expr_names(r["expression"])}
            target_ok = re.fullmatch(NUMBER, r["target"]) is not None or r["target"] in known
            return used <= known and target_ok

        cl = self.claims[self.claims["source_id"].isin(keep)]
        cl = cl[cl.apply(usable, axis=1)] if len(cl) else cl
        return replace(
            self,
            sources=self.sources.loc[sorted(keep)],
            observations=obs,
            events=ev,
            claims=cl,
            capabilities=self.capabilities[self.capabilities["source_id"].isin(keep)],
            evidence="articles",
        )

    def source_label(self, source_ids, lang: str = "en") -> str:
        """'<producer> (YYYY-MM-DD, s00N); ...' for a footnote (romanised unless lang='zh')."""
        col = "producer" if lang == "zh" else "producer_en"

        def date(s) -> str:
            d = self.sources.at[s, "date_published"]
            return d if isinstance(d, str) and d else "undated"

        return "; ".join(f"{self.sources.at[s, col]!s} ({date(s)}, {s})" for s in sorted(set(source_ids)))

    def vendor_label(self, vendors) -> str:
        names = sorted({self.name(v) for v in vendors if isinstance(v, str) and v})
        return ", ".join(names) if names else "no measurement firm named"


EVIDENCE = ("articles", "all")
NUMBER = r"-?\d+(\.\d+)?"


def _cache_key(d: Path) -> str | None:
    """Hash of the data files, the archive listing and the code that validates and derives them."""
    h = hashlib.sha256(str(d.resolve()).encode())
    here = Path(__file__).parent
    for f in [*(d / f"{n}.csv" for n in TABLE_FILES), *sorted(here.glob("*.py"))]:
        if not f.is_file():
            return None  # let the loader report the missing file
        h.update(f.name.encode() + f.read_bytes())
    archive = d / "sources"
    if archive.is_dir():
        for f in sorted(archive.iterdir()):
            h.update(f.name.encode() + str(f.stat().st_size).encode())
    h.update(pd.__version__.encode())
    return h.hexdigest()[:24]


def cache_dir() -> Path:
    """Validated datasets are cached in build/cache/dataset (shared by every build dir)."""
    return paths.ROOT / "build" / "cache" / "dataset"


def load(data_dir: Path | str | None = None, cache: bool = True, evidence: str = "all") -> Dataset:
    """Read and validate every table; raise DataError with file/line/column on any problem.

    A validated dataset is cached (pickle in build/cache/dataset) under a hash of the data
    files and of this loader's code, so each notebook does not validate the same bytes again;
    any change to a CSV or to the schema means a fresh validation. ``evidence="articles"``
    returns :meth:`Dataset.with_evidence` of the articles (tier 1).
    """
    if evidence not in EVIDENCE:
        raise ValueError(f"evidence must be one of {', '.join(EVIDENCE)}, got {evidence!r}")
    d = Path(data_dir) if data_dir else paths.data_dir()
    key = _cache_key(d) if cache and os.environ.get("KIMI_RESEARCH_NO_CACHE") != "1" else None
    cached = cache_dir() / f"{key}.pkl" if key else None
    ds = None
    if cached is not None and cached.exists():
        try:
            with cached.open("rb") as f:
                ds = pickle.load(f)
        except Exception:  # a corrupt or incompatible cache file: validate afresh
            cached.unlink(missing_ok=True)
    if ds is None:
        ds = _load_and_validate(d)
        if cached is not None:
            try:
                cached.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=cached.parent, suffix=".tmp")
                with os.fdopen(fd, "wb") as f:
                    pickle.dump(ds, f, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, cached)
            except OSError:  # a read-only or odd build dir: the cache is only an optimisation
                pass
    return ds.with_evidence(evidence)


# the tables that must have at least one row (the others may be empty)
REQUIRED_ROWS = ("sources", "entities", "metrics", "observations")


def check(d: Path) -> tuple[Dataset | None, list[DataError]]:
    """Validate every table, collecting one DataError per file (for `check-data`).

    Tables that others refer to (sources, entities, metrics) are checked first; when one of them
    is broken the tables that use it are not checked (their errors would only echo it).
    """
    try:
        return _load_and_validate(d, collect=True), []
    except _Collected as c:
        return None, c.errors
    except DataError as e:
        return None, [e]


class _Collected(Exception):
    def __init__(self, errors: list[DataError]):
        self.errors = errors


def _load_and_validate(d: Path, collect: bool = False) -> Dataset:
    from kimi_research.data.schema import DECIMAL_COMMA_LANGUAGES, TABLES

    def show(name: str) -> str:
        return _display(d / f"{name}.csv")

    errors: list[DataError] = []
    raw: dict[str, pd.DataFrame] = {}
    for name, t in TABLES.items():
        try:
            raw[name] = read_raw(d / t.file, t)
        except DataError as e:
            if not collect:
                raise
            errors.append(e)
    for name in REQUIRED_ROWS:
        if name in raw and raw[name].empty:
            empty = DataError(
                show(name),
                message="has a header but no rows; the other tables refer to its rows "
                f"(restore it, e.g. `git checkout {show(name)}`)",
            )
            if not collect:
                raise empty
            errors.append(empty)
            del raw[name]
    if errors and any(n not in raw for n in ("sources", "entities", "metrics")):
        raise _Collected(errors)

    def run(name: str, ctx: dict) -> pd.DataFrame | None:
        problems = table_problems(raw[name], TABLES[name], ctx)
        if name == "entities":
            problems += alias_problems(raw[name])
        if name == "sources":
            problems += _archive_problems(raw[name], d)
        if problems and collect and name in QUOTED_TABLES and out.get("sources") is not None:
            # check-data lists every problem of a row: a quote missing from its archived text too
            problems += _quote_problems(raw[name], cast(pd.DataFrame, out["sources"]), d)
        if problems:
            e = DataError(show(name), sorted(problems, key=lambda p: (p["line"] or 0, p["column"] or "")))
            if not collect:
                raise e
            errors.append(e)
            return None
        return _typed(raw[name], TABLES[name])

    ctx: dict = {"entity_ids": [e for e in raw["entities"]["entity_id"].dropna()]}
    out: dict[str, pd.DataFrame | None] = {}
    out["sources"] = run("sources", ctx)
    out["entities"] = run("entities", ctx)
    out["metrics"] = run("metrics", ctx)
    ents, src, mets = out["entities"], out["sources"], out["metrics"]
    if ents is None or src is None or mets is None:
        raise _Collected(errors)
    aliases = alias_map(ents)
    ctx.update(
        source_ids=list(src["source_id"]),
        metric_ids=list(mets["metric_id"]),
        firm_ids=list(ents.loc[ents["kind"] == "firm", "entity_id"]),
        metric_dimension=dict(zip(mets["metric_id"], mets["dimension"], strict=True)),
        decimal_comma_sources=set(src.loc[src["language"].isin(DECIMAL_COMMA_LANGUAGES), "source_id"]),
    )
    for name in ["observations", "events", "claims", "capabilities"]:
        if name not in raw:
            continue
        if name in ALIASED_COLUMNS:
            raw[name] = resolve_aliases(raw[name], ALIASED_COLUMNS[name], aliases)
        out[name] = run(name, ctx)
    if errors:
        raise _Collected(errors)
    tables = {k: v for k, v in out.items() if v is not None}  # every table validated (a failure raised above)

    obs = _derive_observations(tables["observations"], mets, src)
    ev = tables["events"].copy()
    ev["date"] = pd.to_datetime(ev["date"], format="%Y-%m-%d")
    # claims: parsed, restricted to the safe arithmetic, every name known, evaluated
    obs_i, ev_i = obs.set_index("obs_id", drop=False), ev.set_index("event_id", drop=False)
    ns = namespace(obs_i, ev_i)
    obs_ids = set(obs["obs_id"].tolist())
    problems = []
    for line, r in tables["claims"].iterrows():
        try:
            parse(r["expression"])
            used = expr_names(r["expression"])
        except ExpressionError as e:
            problems.append(
                {"line": line, "column": "expression", "value": r["expression"], "expected": f"arithmetic over ids; found {e}"}
            )
            used = None
        if used is not None:
            unknown = sorted(n for n in used if n not in ns)
            for n in unknown:
                problems.append(
                    {
                        "line": line,
                        "column": "expression",
                        "value": n,
                        "expected": "an obs_id from observations.csv (optionally with _hi or _pm), "
                        "an event_id from events.csv, or DAYS_PER_MONTH",
                    }
                )
            if not unknown:
                try:
                    evaluate(r["expression"], ns)
                except ExpressionError as e:
                    problems.append(
                        {
                            "line": line,
                            "column": "expression",
                            "value": r["expression"],
                            "expected": f"an expression that can be evaluated; found {e}",
                        }
                    )
        t = r["target"]
        if not re.fullmatch(NUMBER, t) and t not in obs_ids:
            problems.append(
                {"line": line, "column": "target", "value": t, "expected": "an obs_id from observations.csv or a plain number"}
            )
        if re.fullmatch(NUMBER, t) and not isinstance(r["relation"], str):
            problems.append(
                {"line": line, "column": "relation", "value": None, "expected": "a relation when the target is a plain number"}
            )
    if problems:
        bad = DataError(show("claims"), problems)
        if not collect:
            raise bad
        raise _Collected([bad])

    obs = obs.set_index("obs_id", drop=False)

    obs["measurement"] = measurement_ids(obs)
    return Dataset(
        sources=src.set_index("source_id", drop=False),
        entities=ents.set_index("entity_id", drop=False),
        metrics=mets.set_index("metric_id", drop=False),
        observations=obs,
        events=ev.set_index("event_id", drop=False).sort_values("date"),
        claims=tables["claims"].set_index("claim_id", drop=False),
        capabilities=tables["capabilities"].set_index("cap_id", drop=False),
        data_dir=d,
    )


QUOTED_TABLES = ("observations", "events", "claims", "capabilities")


def _quote_problems(df: pd.DataFrame, sources: pd.DataFrame, d: Path) -> list[dict]:
    """Rows whose quote is not in their source's archived text (as data.provenance judges it)."""

    folder = paths.seeds_dir(d)
    texts = {
        sid: provenance.fold((folder / a).read_text(encoding="utf-8"))
        for sid, a in zip(sources["source_id"], sources["archive"], strict=True)
        if isinstance(a, str) and a and (folder / a).is_file()
    }
    archives = dict(zip(sources["source_id"], sources["archive"], strict=True))
    flags = df["flags"] if "flags" in df.columns else pd.Series(None, index=df.index, dtype=object)
    problems = []
    for line, sid, quote, flag in zip(df.index, df["source_id"], df["quote"], flags, strict=True):
        text = texts.get(sid)
        if text is None or not isinstance(quote, str):
            continue
        q = provenance.fold(quote)
        glossed = isinstance(flag, str) and "gloss_removed" in flag.split(";")
        if q in text or (glossed and q in provenance.strip_glosses(text)):
            continue
        problems.append(
            {
                "line": line,
                "column": "quote",
                "value": quote if len(quote) <= 60 else quote[:57] + "...",
                "expected": f"text found in the archived text of {sid} ({archives[sid]}); copy the quote verbatim from it "
                "(white space may differ), or flag gloss_removed if pinyin glosses were removed",
            }
        )
    return problems


def _archive_problems(sources: pd.DataFrame, d: Path) -> list[dict]:
    """Each archive named in sources.csv is a readable file under data/sources/."""
    problems = []
    folder = d / "sources"
    for line, a in sources["archive"].items():
        if isinstance(a, str) and a and not (folder / a).is_file():
            problems.append(
                {
                    "line": line,
                    "column": "archive",
                    "value": a,
                    "expected": f"a file in {_display(folder / a).rsplit('/', 1)[0]}/ "
                    "(copy the full text there, or leave archive empty when only the quotes exist)",
                }
            )
    return problems
