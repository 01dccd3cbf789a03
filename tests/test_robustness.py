"""Whole runs: deterministic, never touching data/ or notebooks/, incremental, failing cleanly.

One full `make run` into a temporary build dir serves every test here (module-scoped; the
suite runs with --dist loadfile so the module stays on one worker)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from kimi_research import paths
from kimi_research.params import defaults

pytestmark = pytest.mark.notebook
ROOT = paths.ROOT


def tree_hashes(*dirs: str) -> dict[str, str]:
    out = {}
    for d in dirs:
        for p in sorted((ROOT / d).rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts:
                out[str(p.relative_to(ROOT))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def make(*args: str, timeout: int = 900) -> tuple[subprocess.CompletedProcess, float]:
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    t0 = time.perf_counter()
    proc = subprocess.run(["make", "--no-print-directory", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env=env)
    return proc, time.perf_counter() - t0


@pytest.fixture(scope="module")
def full_run(tmp_path_factory):
    before = tree_hashes("data", "notebooks", "lib")
    build = tmp_path_factory.mktemp("fullrun") / "build"
    proc, seconds = make("run", f"BUILD={build}", "JOBS=2")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return {"build": build, "before": before, "seconds": seconds, "stdout": proc.stdout}


def test_runs_never_modify_sources(full_run):
    assert tree_hashes("data", "notebooks", "lib") == full_run["before"]


def test_every_notebook_ran(full_run):
    names = sorted(p.stem for p in paths.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
    built = full_run["build"]
    assert sorted(p.stem for p in (built / "executed").glob("*.ipynb")) == names
    assert sorted(p.stem for p in (built / "html").glob("*.html")) == names
    assert sorted(p.stem for p in (built / "results").glob("*.json")) == names
    assert not list(built.rglob(".*.tmp")) and not list((built / "executed").glob(".*"))


def test_results_are_deterministic(full_run):
    """Two independent full runs (this one and `make run`'s build/) give identical results."""
    compared = 0
    for res in sorted((full_run["build"] / "results").glob("*.json")):
        mine = json.loads(res.read_text(encoding="utf-8"))
        other = paths.ROOT / "build" / "results" / res.name
        if not other.exists():
            continue
        theirs = json.loads(other.read_text(encoding="utf-8"))
        if theirs.get("parameters") != json.loads(json.dumps(defaults(res.stem))):
            continue  # build/ holds a run with other parameters
        assert mine == theirs, f"{res.name} differs between two runs"
        compared += 1
    assert compared >= 1, "no default results in build/results to compare with: run `make run`"


def test_second_run_is_a_no_op(full_run):
    proc, seconds = make("run", f"BUILD={full_run['build']}", "JOBS=2")
    assert proc.returncode == 0
    assert "ran " not in proc.stdout, proc.stdout
    assert seconds < 5, f"no-op make run took {seconds:.1f}s"


def test_bad_parameters_fail_cleanly(full_run, tmp_path):
    build = tmp_path / "build"
    shutil.copytree(full_run["build"], build)  # copy2 keeps mtimes: everything up to date
    others = {p.name: p.read_bytes() for p in (build / "executed").glob("*.ipynb") if not p.name.startswith("00_")}
    bad = tmp_path / "bad.yaml"
    bad.write_text("tolerance: 2.0\nentity: all\n", encoding="utf-8")
    proc, _ = make("run", f"BUILD={build}", "JOBS=2", f"PARAMS_00_data_audit={bad}")
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    assert "ParameterError" in out and "'tolerance' = 2.0" in out
    assert (build / "executed" / "00_data_audit.failed.ipynb").exists()
    after = {p.name: p.read_bytes() for p in (build / "executed").glob("*.ipynb") if not p.name.startswith("00_")}
    assert after == others, "other notebooks' outputs must be untouched"


def test_sweep_reports_failures_and_collects_results(tmp_path):
    import csv
    import io
    import sys

    grid = tmp_path / "grid.yaml"
    grid.write_text("runs:\n  - {entity: kimi}\n  - {entity: nobody}\n  - {entity: doubao, tolerance: 0.02}\n",
                    encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    env["KIMI_RESEARCH_BUILD_DIR"] = str(tmp_path / "build")
    proc = subprocess.run([sys.executable, "-m", "kimi_research", "sweep", "00_data_audit", str(grid), "--jobs", "2"],
                          cwd=ROOT, capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 1, "a failed run makes the sweep fail, after the others complete"
    assert "[3/3]" in proc.stdout and "2 ok, 1 failed" in proc.stdout
    text = (tmp_path / "build" / "sweeps" / "00_data_audit-grid.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    by_entity = {r["param.entity"]: r for r in rows}
    assert by_entity["nobody"]["status"] == "failed"
    assert "no entity with observations named 'nobody'" in by_entity["nobody"]["error"]
    assert Path(by_entity["nobody"]["kept"]).exists()
    from kimi_research.data import loader as data

    ds = data.load()
    assert int(by_entity["kimi"]["n_observations"]) == (ds.observations["entity"] == "kimi").sum()
    assert int(by_entity["doubao"]["n_observations"]) == (ds.observations["entity"] == "doubao").sum()
