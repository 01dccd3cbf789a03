"""Editing a copy of the data folder in a test: read and write a table, change a row, add a source or an
observation, and run ``make check-data`` on the copy in this process. Shared by the tests of every layer (the
tests/ folder is on sys.path through its conftest.py)."""

from __future__ import annotations

import contextlib
import csv
import io
import subprocess
from pathlib import Path

from kimi_research import paths

#: the frozen copy of data/: exact-value tests run on it (tests/conftest.py's ds fixture loads it)
FROZEN_DATA = paths.ROOT / "tests" / "fixtures" / "data"


def rows(p):
    with p.open(encoding="utf-8", newline="") as f:
        r = csv.DictReader(f)
        return list(r.fieldnames), list(r)


def write(p, header, data):
    b = io.StringIO()
    w = csv.DictWriter(b, fieldnames=header, lineterminator="\n")
    w.writeheader()
    w.writerows(data)
    p.write_text(b.getvalue(), encoding="utf-8")


def mutate(table, rid, **ch):
    def f(d):
        p = d / f"{table}.csv"
        h, data = rows(p)
        hit = [r for r in data if r[h[0]] == rid]
        assert hit, rid
        hit[0].update(ch)
        write(p, h, data)

    return f


def add_source(d: Path, sid: str, **kw) -> None:
    h, data = rows(d / "sources.csv")
    row = dict.fromkeys(h, "")
    row.update(
        source_id=sid,
        kind="web_page",
        tier="2",
        producer_en="Test page",
        producer="Test page",
        date_inferred="false",
        title="A synthetic test source",
        url="https://example.org/test",
        language="zh",
        script="simplified",
        date_accessed="2026-11-30",
    )
    row.update(kw)
    write(d / "sources.csv", h, [*data, row])


def add_row(
    d: Path,
    oid: str,
    *,
    entity,
    metric,
    start,
    end,
    value,
    unit,
    value_text,
    vendor,
    source,
    quote,
    value_kind="period_value",
    **kw,
) -> None:
    h, data = rows(d / "observations.csv")
    row = dict.fromkeys(h, "")
    row.update(
        obs_id=oid,
        entity=entity,
        metric=metric,
        period_start=start,
        period_end=end,
        value=value,
        unit=unit,
        qualifier="=",
        value_text=value_text,
        vendor=vendor,
        value_kind=value_kind,
        source_id=source,
        quote=quote,
    )
    row.update(kw)
    write(d / "observations.csv", h, [*data, row])


def check_data(d: Path) -> subprocess.CompletedProcess:
    """``make check-data --data-dir d`` in this process (``check.run``, what the command line calls): its exit
    status and what it prints. The command line itself runs in a subprocess once, in the next test."""
    from kimi_research.data import check

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = check.run(d)
    return subprocess.CompletedProcess(["check-data", "--data-dir", str(d)], code, out.getvalue(), err.getvalue())
