"""The benchmark runs (``make bench``; here its quick mode) and its synthetic data are valid data.

``bench --quick`` times a clean and a no-op `make run` of one notebook against papermill, the
scenario engine against one papermill run of notebook 02 (whose results it reads from that run's
own folder), and loading 2,600 synthetic observation rows; it must finish and report every figure.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections import Counter

import pytest

import kimi_research as kr
from kimi_research import paths
from kimi_research.orchestration.runner.benchmark import breakdown, synthetic_data


def test_synthetic_data_copies_rows_with_fresh_ids_and_whole_conflict_groups(tmp_path):
    live = kr.load(paths.ROOT / "data")
    n = len(live.observations) * 2 + 7  # two whole copies would overshoot by a partial one: groups must stay whole
    assert synthetic_data(n, tmp_path / "data") == n
    with (tmp_path / "data" / "observations.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == n and len({r["obs_id"] for r in rows}) == n
    copies = [r for r in rows if r["obs_id"].startswith("o_bench_")]
    assert [r["obs_id"] for r in copies[:2]] == ["o_bench_000001", "o_bench_000002"]
    groups = Counter(r["conflict_group"] for r in rows if r["conflict_group"])
    assert min(groups.values()) >= 2, "every conflict group keeps at least two rows"
    ds = kr.load(tmp_path / "data", cache=False)  # the loader accepts the copy as it is
    assert len(ds.observations) == n
    assert ds.observations.loc[[r["obs_id"] for r in copies], "metric"].tolist() == [r["metric"] for r in copies]


def test_breakdown_splits_a_notebooks_time(tmp_path):
    nb = {
        "metadata": {"papermill": {"duration": 10.0}},
        "cells": [
            {"cell_type": "markdown", "source": ["# t"], "metadata": {}},
            {"cell_type": "code", "source": ["import kimi_research as kr"], "metadata": {"papermill": {"duration": 3.0}}},
            {"cell_type": "code", "source": ["ds = kr.load()"], "metadata": {"papermill": {"duration": 0.5}}},
            {
                "cell_type": "code",
                "source": ["plotting.save(figures.x(an), NB, 'x')"],
                "metadata": {"papermill": {"duration": 2}},
            },
            {"cell_type": "code", "source": ["an = m.analyse(ds, P)"], "metadata": {"papermill": {"duration": 1.5}}},
        ],
    }
    f = tmp_path / "nb.ipynb"
    f.write_text(json.dumps(nb), encoding="utf-8")
    assert breakdown(f) == {"kernel": 3.0, "imports": 3.0, "load": 0.5, "figures": 2.0, "rest": 1.5, "total": 10.0}


@pytest.mark.notebook
def test_quick_bench_completes_and_reports_every_figure(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
    env.pop(paths.RUN_DIR_ENV, None)
    env["KIMI_RESEARCH_BUILD_DIR"] = str(tmp_path / "build")
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, "-m", "kimi_research", "bench", "--quick", "--json", str(out)],
        cwd=paths.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    r = json.loads(out.read_text(encoding="utf-8"))
    run, sc, load = r["run"], r["scenarios"], r["load"]
    assert run["notebooks"] == ["00_data_audit"] and run["repeats"] == 1
    assert 0 < run["noop_seconds"] < run["clean_seconds"] and run["naive_seconds"] > 0
    assert run["ratio"] == pytest.approx(run["clean_seconds"] / run["naive_seconds"])
    parts = run["per_notebook"]["00_data_audit"]["make_run"]
    assert parts["total"] > 0 and parts["imports"] > 0 and parts["html"] > 0
    assert sc["papermill_runs"] == 1 and sc["engine_scenarios"] > 1 and sc["throughput_ratio"] > 1
    (agree,) = sc["agreement"]
    assert agree["papermill_churn"] == pytest.approx(agree["engine_churn"], rel=1e-3), "the engine gives the notebook's churn"
    assert [x["rows"] for x in load] == [len(kr.load().observations), 2600]
    assert all(x["seconds"] is not None and x["seconds"] > 0 for x in load)
    text = proc.stdout
    for line in ("ratio clean / naive:", "no-op `make run`:", "throughput ratio:", "load   2,600 observation rows (synthetic):"):
        assert line in text, text
    assert not (tmp_path / "build").exists() or not [p for p in (tmp_path / "build").iterdir() if p.name != "cache"]
