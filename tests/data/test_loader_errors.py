"""Malformed data gives one clear DataError naming file, line, column, value and expectation.

Each case changes a copy of the frozen fixture data (tests/fixtures/data), so its ids and line
numbers stay put however data/ grows."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

import kimi_research as kr
from kimi_research.errors import DataError

FROZEN_DATA = Path(__file__).parents[1] / "fixtures" / "data"


@pytest.fixture
def data_copy(tmp_path) -> Path:
    d = tmp_path / "data"
    shutil.copytree(FROZEN_DATA, d)
    return d


def rows(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(encoding="utf-8", newline="") as f:
        r = csv.DictReader(f)
        return list(r.fieldnames), list(r)


def write(path: Path, header: list[str], data: list[dict]) -> None:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    w.writeheader()
    w.writerows(data)
    path.write_text(buf.getvalue(), encoding="utf-8")


def mutate(d: Path, table: str, row_id: str, **changes) -> int:
    """Change one row (found by its id); return its line number in the file."""
    header, data = rows(d / f"{table}.csv")
    key = header[0]
    for i, r in enumerate(data):
        if r[key] == row_id:
            r.update(changes)
            write(d / f"{table}.csv", header, data)
            return i + 2
    raise KeyError(row_id)


def load_error(d: Path) -> str:
    with pytest.raises(DataError) as e:
        kr.load(d, cache=False)
    return str(e.value)


@pytest.mark.parametrize(
    "changes,column,expected",
    [
        ({"value": "2,2"}, "value", "a number written with ASCII digits"),
        ({"unit": "亿日元"}, "unit", "one of: count, 万"),
        ({"entity": "kimmi"}, "entity", "one of:"),
        ({"metric": "ad_spent"}, "metric", "one of:"),
        ({"source_id": "s_unknown_test"}, "source_id", "one of: s000"),
        ({"vendor": "kimi"}, "vendor", "one of:"),
        ({"qualifier": "about"}, "qualifier", "one of: =, >"),
        ({"flags": "conflict;doubtful"}, "flags", "flags from:"),
        ({"period_end": "2024-09-30"}, "period_end", "end >= start"),
        ({"period_start": "2024/10/01"}, "period_start", "a real date YYYY-MM-DD"),
        ({"value_text": "3.2亿元"}, "value_text", "appears in the quote"),
        ({"value": "3.2"}, "value", "the number(s) written in value_text"),
        ({"unit": "亿美元"}, "unit", "dimension matches the metric"),
        ({"qualifier": "range"}, "value_high", "value_high > value"),
        ({"flags": ""}, "conflict_group", "exactly when flags has 'conflict'"),
    ],
)
def test_bad_observation_value(data_copy, changes, column, expected):
    line = mutate(data_copy, "observations", "o001_13", **changes)
    msg = load_error(data_copy)
    assert "observations.csv" in msg
    assert f"line {line}, column '{column}'" in msg
    assert expected in msg
    assert "Traceback" not in msg and "pandas" not in msg.lower()


def test_duplicate_id(data_copy):
    line = mutate(data_copy, "observations", "o001_14", obs_id="o001_13")
    msg = load_error(data_copy)
    assert f"line {line}, column 'obs_id'" in msg and "unique" in msg


def test_missing_required_value(data_copy):
    line = mutate(data_copy, "observations", "o001_13", quote="")
    msg = load_error(data_copy)
    assert f"line {line}, column 'quote'" in msg and "required" in msg


def test_missing_column(data_copy):
    header, data = rows(data_copy / "observations.csv")
    header.remove("vendor")
    for r in data:
        r.pop("vendor")
    write(data_copy / "observations.csv", header, data)
    msg = load_error(data_copy)
    assert "line 1, column 'vendor'" in msg and "this column in the header" in msg


def test_wrong_field_count(data_copy):
    p = data_copy / "entities.csv"
    lines = p.read_text(encoding="utf-8").splitlines()
    n = len(lines[0].split(","))
    lines[3] = lines[3] + ",extra"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    msg = load_error(data_copy)
    assert "entities.csv" in msg and "line 4" in msg and f"{n} fields, found {n + 1}" in msg


def test_empty_file(data_copy):
    (data_copy / "events.csv").write_text("", encoding="utf-8")
    msg = load_error(data_copy)
    assert "events.csv: file is empty" in msg and "event_id" in msg


def test_bom(data_copy):
    p = data_copy / "sources.csv"
    p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes())
    msg = load_error(data_copy)
    assert "sources.csv" in msg and "line 1" in msg and "byte-order mark" in msg


def test_not_utf8(data_copy):
    p = data_copy / "metrics.csv"
    text = p.read_text(encoding="utf-8") + "gbk_metric,名字,说明,users,count,stock\n"
    p.write_bytes(text.encode("gbk"))
    first_non_ascii = next(i for i, line in enumerate(text.splitlines(), 1) if not line.isascii())
    msg = load_error(data_copy)
    assert "metrics.csv" in msg and f"line {first_non_ascii}:" in msg and "UTF-8" in msg


def test_missing_file(data_copy):
    (data_copy / "claims.csv").unlink()
    assert "claims.csv: file not found" in load_error(data_copy)


def test_claim_with_unknown_observation(data_copy):
    line = mutate(data_copy, "claims", "c02", expression="o004_99 / o004_16 - 1")
    msg = load_error(data_copy)
    assert f"line {line}, column 'expression'" in msg and "'o004_99'" in msg


def test_unknown_owner_in_entities(data_copy):
    line = mutate(data_copy, "entities", "kimi", owner="moon")
    msg = load_error(data_copy)
    assert "entities.csv" in msg and f"line {line}, column 'owner'" in msg


def test_error_renders_without_stack_in_ipython(data_copy):
    mutate(data_copy, "observations", "o001_13", value="abc")
    with pytest.raises(DataError) as e:
        kr.load(data_copy, cache=False)
    lines = e.value._render_traceback_()
    assert lines[0].startswith("DataError: ") and not any("File " in x for x in lines)
