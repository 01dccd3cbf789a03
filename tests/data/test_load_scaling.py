"""Loading grows linearly with the table (issue 21.4): validation works on whole columns.

The observations of data/ are copied, with fresh ids (o_syn_000001 ...; conflict_group kept,
same_as emptied), to ten times their number, and loading them (cache off) must cost at most a
few times loading data/ as it is: a ratio of CPU times, so that a loaded machine slows both
alike. Quadratic validation made it 3-4x at 2,600 rows and 20x at 26,000 (2.6 s of validation
at 10,000 rows); folding rows into measurements was quadratic too (10x at 2,600 rows) until
data.measurements was vectorised. Both are timed: the whole load, and the load without
measurement_ids (the validation and derived columns alone).
"""

from __future__ import annotations

import csv
import io
import shutil
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import kimi_research as kr
from kimi_research import paths


def synthetic_copy(src: Path, dst: Path, rows: int) -> Path:
    """A copy of the data folder ``src`` whose observations.csv has ``rows`` rows (copies, fresh ids)."""
    shutil.copytree(src, dst)
    p = dst / "observations.csv"
    with p.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        header, real = list(reader.fieldnames or []), list(reader)
    out, i = list(real), 0
    while len(out) < rows:
        row = dict(real[i % len(real)])
        i += 1
        row.update(obs_id=f"o_syn_{i:06d}", same_as="")
        out.append(row)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    w.writeheader()
    w.writerows(out)
    p.write_text(buf.getvalue(), encoding="utf-8")
    return dst


def _cpu_seconds(d: Path, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        ds = kr.load(d, cache=False)
        best = min(best, time.process_time() - t0)
    assert len(ds.observations) > 0
    return best


@pytest.fixture(params=["whole load", "without measurement_ids"])
def part(request, monkeypatch):
    if request.param == "without measurement_ids":
        measurements = sys.modules["kimi_research.data.measurements"]
        monkeypatch.setattr(measurements, "measurement_ids", lambda obs, *a, **k: pd.Series(obs.index, index=obs.index))
    return request.param


@pytest.mark.slow  # a timing of ten times the rows: the whole suite checks it, not the edit-test loop
def test_ten_times_the_rows_load_in_at_most_a_few_times_the_time(tmp_path, part):
    live = paths.ROOT / "data"
    n = sum(1 for _ in csv.reader(io.StringIO((live / "observations.csv").read_text(encoding="utf-8")))) - 1
    big = synthetic_copy(live, tmp_path / "data", 10 * n)
    kr.load(live, cache=False)  # imports and first-call costs out of the timing
    today, ten_times = _cpu_seconds(live), _cpu_seconds(big)
    assert len(kr.load(big, cache=False).observations) == 10 * n
    assert ten_times <= 2.5 * today, f"{part}: {n} rows: {today:.2f} s, {10 * n} rows: {ten_times:.2f} s"
