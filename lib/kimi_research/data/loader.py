"""Load and validate the curated tables in ``data/``.

:func:`load` reads every table with Python's csv module (so a malformed row is reported by
its line number, not as a pandas ParserError), validates it against :mod:`kimi_research.data.schema`
with pandera, checks the keys between tables, and adds computed columns (base values, period
midpoints, monthly rates). Every problem is raised as one :class:`~kimi_research.errors.DataError`
naming the file, line, column, value and what was expected.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import pickle
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from kimi_research import paths
from kimi_research.data.units import DAYS_PER_MONTH, UNITS
from kimi_research.errors import DataError

# Schema and pandera are imported when data is actually validated (not on a cache hit).
TABLE_FILES = ["sources", "entities", "metrics", "observations", "events", "claims", "capabilities"]


def read_raw(path: Path, table) -> pd.DataFrame:
    """Read a CSV as strings; index = line number in the file. Structural errors -> DataError."""
    name = f"data/{path.name}" if path.parent.name == "data" else str(path)
    if not path.exists():
        raise DataError(name, message="file not found")
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raise DataError(name, [{"line": 1, "expected": "UTF-8 without a byte-order mark (BOM); "
                                "re-save the file as plain UTF-8"}])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise DataError(name, [{"line": line, "value": raw[e.start:e.end + 8].decode("latin-1"),
                                "expected": "UTF-8 text (the file seems to be in another encoding, e.g. GBK)"}]) from None
    if not text.strip():
        raise DataError(name, message=f"file is empty; expected a header line with columns: "
                        f"{', '.join(c.name for c in table.columns)}")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    want = [c.name for c in table.columns]
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
    rows, index = [], []
    start = 2
    for row in reader:
        line = start
        start = reader.line_num + 1
        if not row or all(not f.strip() for f in row):
            continue
        if len(row) != len(header):
            problems.append({"line": line, "value": ",".join(row)[:60],
                             "expected": f"{len(header)} fields, found {len(row)} (a comma inside a field needs quotes)"})
            continue
        rows.append(row)
        index.append(line)
    if problems:
        raise DataError(name, problems, "malformed rows")
    df = pd.DataFrame(rows, columns=header, index=pd.Index(index, name="line"), dtype=object)
    df = df[want]
    for col in df.columns:
        df[col] = df[col].map(lambda v: v.strip() if isinstance(v, str) else v)
        df[col] = df[col].where(df[col] != "", None)
    return df


def validate(df: pd.DataFrame, table, ctx: dict, name: str) -> pd.DataFrame:
    import pandera.pandas as pa

    from kimi_research.data.schema import pandera_schema

    schema, explain = pandera_schema(table, ctx)
    try:
        return schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        fc = err.failure_cases
        problems, seen = [], set()
        for _, r in fc.iterrows():
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
            if (line, column, key) in seen:
                continue
            seen.add((line, column, key))
            value = df.at[line, column] if line is not None and column in df.columns else r["failure_case"]
            problems.append({"line": line, "column": column, "value": value, "expected": expected})
        problems.sort(key=lambda p: (p["line"] or 0, p["column"] or ""))
        raise DataError(name, problems) from None


def _months_in_period(start: pd.Timestamp, end: pd.Timestamp) -> float:
    if pd.isna(start) or pd.isna(end):
        return np.nan
    if start.day == 1 and (end + pd.Timedelta(days=1)).day == 1:
        return float((end.year - start.year) * 12 + end.month - start.month + 1)
    return ((end - start).days + 1) / DAYS_PER_MONTH


def _derive_observations(obs: pd.DataFrame, metrics: pd.DataFrame) -> pd.DataFrame:
    obs = obs.copy()
    factor = obs["unit"].map(lambda u: UNITS[u][0])
    obs["dimension"] = obs["unit"].map(lambda u: UNITS[u][1])
    # round away binary noise (2.2 * 1e8 = 220000000.00000003) so results JSON stays clean
    obs["base_value"] = (obs["value"] * factor).round(6)
    obs["base_value_high"] = (obs["value_high"] * factor).round(6)
    obs["period_start"] = pd.to_datetime(obs["period_start"], format="%Y-%m-%d")
    obs["period_end"] = pd.to_datetime(obs["period_end"], format="%Y-%m-%d")
    obs["period_mid"] = obs["period_start"] + (obs["period_end"] - obs["period_start"]) / 2
    obs["period_months"] = [_months_in_period(s, e) for s, e in zip(obs["period_start"], obs["period_end"], strict=True)]
    kind = obs["metric"].map(metrics.set_index("metric_id")["kind"])
    obs["metric_kind"] = kind
    # per-month value of a flow (ad spend over a quarter -> per month); other metrics unchanged
    # a stated duration (20天烧钱1个亿) wins over the (often inferred) calendar period
    days = obs["duration_days"].astype(float)
    period_days = (obs["period_end"] - obs["period_start"]).dt.days + 1
    months = np.where(days.notna(), days / DAYS_PER_MONTH, obs["period_months"])
    days = np.where(days.notna(), days, period_days)
    obs["base_value_per_month"] = np.where(kind == "flow", obs["base_value"] / months, np.nan)
    obs["base_value_per_day"] = np.where(kind == "flow", obs["base_value"] / days, np.nan)
    obs["flag_list"] = obs["flags"].fillna("").map(lambda f: [x for x in f.split(";") if x])
    return obs


def repeated_figures(rows: pd.DataFrame, rel_tol: float = 0.005) -> dict[str, str]:
    """Figures that repeat a longer-period figure of the same entity, metric and vendor.

    A row whose period lies inside another row's longer period (a month inside a quarter) and
    whose value agrees with it within ``rel_tol`` is most likely the same number reported twice
    (QuestMobile's 1408万 for May 2025 and 1407.2万 for Q2 2025). Fits should count it once.
    Returns {obs_id of the shorter-period row: obs_id of the longer-period row kept}.
    """
    out: dict[str, str] = {}
    dated = rows[rows["period_start"].notna()]
    keys = [dated[c].fillna("") for c in ("entity", "metric", "vendor") if c in dated.columns]
    groups = dated.groupby(keys) if keys else [(None, dated)]
    for _, g in groups:
        length = g["period_end"] - g["period_start"]
        for a, r in g.iterrows():
            for b, q in g.iterrows():
                inside = q["period_start"] <= r["period_start"] and r["period_end"] <= q["period_end"]
                if (a != b and length[b] > length[a] and inside
                        and abs(r["base_value"] / q["base_value"] - 1) <= rel_tol):
                    out[a] = b
    return out


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

    def name(self, entity_id: str, lang: str = "en") -> str:
        col = "name_zh" if lang == "zh" else "name_en"
        return str(self.entities.at[entity_id, col]) if entity_id in self.entities.index else entity_id

    def select(self, entity: str | list[str] | None = None, metric: str | list[str] | None = None,
               vendor: str | None = None) -> pd.DataFrame:
        """Observations filtered by entity, metric and vendor ('' or None = any)."""
        o = self.observations
        if entity:
            o = o[o["entity"].isin([entity] if isinstance(entity, str) else entity)]
        if metric:
            o = o[o["metric"].isin([metric] if isinstance(metric, str) else metric)]
        if vendor:
            o = o[o["vendor"] == vendor]
        return o

    def source_label(self, source_ids, lang: str = "en") -> str:
        """'<producer> (YYYY-MM-DD, s00N); ...' for a footnote (romanised unless lang='zh')."""
        col = "producer" if lang == "zh" else "producer_en"
        return "; ".join(f"{self.sources.at[s, col]} ({self.sources.at[s, 'date_published']}, {s})"
                         for s in sorted(set(source_ids)))

    def vendor_label(self, vendors) -> str:
        names = sorted({self.name(v) for v in vendors if isinstance(v, str) and v})
        return ", ".join(names) if names else "no measurement firm named"


def _cache_key(d: Path) -> str | None:
    """Hash of the data files and of the code that validates and derives them."""
    h = hashlib.sha256(str(d.resolve()).encode())
    here = Path(__file__).parent
    for f in [*(d / f"{n}.csv" for n in TABLE_FILES), here / "loader.py", here / "schema.py", here / "units.py"]:
        if not f.exists():
            return None  # let the loader report the missing file
        h.update(f.name.encode() + f.read_bytes())
    h.update(pd.__version__.encode())
    return h.hexdigest()[:24]


def cache_dir() -> Path:
    """Validated datasets are cached in build/cache/dataset (shared by every build dir)."""
    return paths.ROOT / "build" / "cache" / "dataset"


def load(data_dir: Path | str | None = None, cache: bool = True) -> Dataset:
    """Read and validate every table; raise DataError with file/line/column on any problem.

    A validated dataset is cached (pickle in build/cache/dataset) under a hash of the data
    files and of this loader's code, so each notebook does not validate the same bytes again;
    any change to a CSV or to the schema means a fresh validation.
    """
    d = Path(data_dir) if data_dir else paths.data_dir()
    key = _cache_key(d) if cache and os.environ.get("KIMI_RESEARCH_NO_CACHE") != "1" else None
    cached = cache_dir() / f"{key}.pkl" if key else None
    if cached is not None and cached.exists():
        try:
            with cached.open("rb") as f:
                return pickle.load(f)
        except Exception:  # a corrupt or incompatible cache file: validate afresh
            cached.unlink(missing_ok=True)
    ds = _load_and_validate(d)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cached.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(ds, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cached)
    return ds


def _load_and_validate(d: Path) -> Dataset:
    from kimi_research.data.schema import TABLES

    raw = {name: read_raw(d / t.file, t) for name, t in TABLES.items()}

    def show(name: str) -> str:
        return f"data/{name}.csv" if d == paths.ROOT / "data" else str(d / f"{name}.csv")

    ctx: dict = {}
    out: dict[str, pd.DataFrame] = {}
    out["sources"] = validate(raw["sources"], TABLES["sources"], ctx, show("sources"))
    ctx["entity_ids"] = [e for e in raw["entities"]["entity_id"].dropna()]
    out["entities"] = validate(raw["entities"], TABLES["entities"], ctx, show("entities"))
    out["metrics"] = validate(raw["metrics"], TABLES["metrics"], ctx, show("metrics"))
    ents = out["entities"]
    ctx.update(
        source_ids=list(out["sources"]["source_id"]),
        metric_ids=list(out["metrics"]["metric_id"]),
        firm_ids=list(ents.loc[ents["kind"] == "firm", "entity_id"]),
        metric_dimension=dict(zip(out["metrics"]["metric_id"], out["metrics"]["dimension"], strict=True)),
    )
    for name in ["observations", "events", "claims", "capabilities"]:
        out[name] = validate(raw[name], TABLES[name], ctx, show(name))

    obs = _derive_observations(out["observations"], out["metrics"])
    ev = out["events"].copy()
    ev["date"] = pd.to_datetime(ev["date"], format="%Y-%m-%d")
    # claims: every identifier in the expression and target must exist
    known = set(obs["obs_id"]) | set(ev["event_id"])
    problems = []
    for line, r in out["claims"].iterrows():
        names = set(re.findall(r"\b[oe]_?[a-z0-9_]+\b", r["expression"]))
        for n in names:
            base = re.sub(r"_(hi|pm)$", "", n)
            if base not in known:
                problems.append({"line": line, "column": "expression", "value": n,
                                 "expected": "an obs_id from observations.csv or an event_id from events.csv"})
        t = r["target"]
        if not re.fullmatch(r"-?\d+(\.\d+)?", t) and t not in set(obs["obs_id"]):
            problems.append({"line": line, "column": "target", "value": t, "expected": "an obs_id or a number"})
        if re.fullmatch(r"-?\d+(\.\d+)?", t) and not isinstance(r["relation"], str):
            problems.append({"line": line, "column": "relation", "value": None,
                             "expected": "a relation when the target is a plain number"})
    if problems:
        raise DataError(show("claims"), problems)

    return Dataset(
        sources=out["sources"].set_index("source_id", drop=False),
        entities=out["entities"].set_index("entity_id", drop=False),
        metrics=out["metrics"].set_index("metric_id", drop=False),
        observations=obs.set_index("obs_id", drop=False),
        events=ev.set_index("event_id", drop=False).sort_values("date"),
        claims=out["claims"].set_index("claim_id", drop=False),
        capabilities=out["capabilities"].set_index("cap_id", drop=False),
        data_dir=d,
    )
