"""Whole runs: deterministic, never touching data/ or notebooks/, precisely incremental, failing
cleanly, with one canonical result per notebook.

One full `make run` into a temporary build dir serves every test here (module-scoped; the
suite runs with --dist loadfile so the module stays on one worker)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from kimi_research import paths, registry
from kimi_research.orchestration.results import ResultsError, read_canonical

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
    proc = subprocess.run(
        ["make", "--no-print-directory", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env
    )
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
    names = sorted(registry.NAMES)
    built = full_run["build"]
    assert sorted(p.stem for p in (built / "executed").glob("*.ipynb")) == names
    assert sorted(p.stem for p in (built / "html").glob("*.html")) == names
    assert sorted(p.stem for p in (built / "results").glob("*.json")) == names
    assert sorted(p.stem for p in (built / "deps").glob("*.mk")) == names
    assert sorted(p.name for p in (built / "figures").iterdir()) == names
    stray = [p for p in built.rglob("*") if (p.name.startswith(".") and p.name != ".run.lock") or ".tmp" in p.name]
    assert not stray, f"temp files or staging folders left: {stray}"
    assert not (built / "runs").exists(), "a default run writes only the canonical outputs"
    umask = os.umask(0)
    os.umask(umask)
    modes = {
        oct(p.stat().st_mode & 0o777)
        for d in ("executed", "html", "results", "deps", "figures")
        for p in (built / d).rglob("*")
        if p.is_file()
    }
    assert modes == {oct(0o666 & ~umask)}, "outputs get normal permissions"


def test_results_are_deterministic(full_run):
    """Two independent full runs (this one and `make run`'s build/) give byte-identical results."""
    compared = 0
    for res in sorted((full_run["build"] / "results").glob("*.json")):
        try:
            read_canonical(res.stem)
        except ResultsError:
            continue  # build/ holds no default results for this notebook
        assert res.read_bytes() == (paths.results_dir() / res.name).read_bytes(), f"{res.name} differs between two runs"
        compared += 1
    assert compared >= 1, "no default results in build/results to compare with: run `make run`"


def test_second_run_is_a_no_op(full_run):
    proc, seconds = make("run", f"BUILD={full_run['build']}", "JOBS=2")
    assert proc.returncode == 0
    assert proc.stdout == "nothing to run: every notebook is up to date\n", proc.stdout
    assert seconds < 5, f"no-op make run took {seconds:.1f}s"


def queue_if_edited(build: Path, *files: str) -> list[str]:
    proc = subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "python"),
            "-m",
            "kimi_research",
            "make-run",
            "--dry-run",
            *(f"--what-if={f}" for f in files),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))},
            "KIMI_RESEARCH_BUILD_DIR": str(build),
        },
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return sorted(ln for ln in proc.stdout.splitlines() if ln and not ln.startswith("as if "))


def test_a_module_edit_reruns_only_the_notebooks_that_import_it(full_run):
    """Precise incremental runs: the queue follows each notebook's own imports (build/deps)."""
    build = full_run["build"]
    names = sorted(registry.NAMES)
    importers = {
        f: sorted(n for n in names if f in (build / "deps" / f"{n}.mk").read_text(encoding="utf-8"))
        for f in (
            "lib/kimi_research/analysis/competitors/ranking.py",
            "lib/kimi_research/presentation/narrative/competitors.py",
            "lib/kimi_research/analysis/decline/fit.py",
            "lib/kimi_research/data/loader.py",
            "lib/kimi_research/orchestration/decks.py",
        )
    }
    # 04 imports it, and so does 05 (its scenario engine evaluates 04's ranking); nothing else does
    assert importers["lib/kimi_research/analysis/competitors/ranking.py"] == ["04_competitor_comparison", "05_conclusions"]
    assert importers["lib/kimi_research/presentation/narrative/competitors.py"] == ["04_competitor_comparison"]
    assert importers["lib/kimi_research/data/loader.py"] == names
    assert importers["lib/kimi_research/orchestration/decks.py"] == []
    for f, expected in importers.items():
        assert queue_if_edited(build, f) == expected, f
    assert queue_if_edited(build, "notebooks/01_user_decline.ipynb") == ["01_user_decline"]
    assert queue_if_edited(build, "data/observations.csv") == names


def test_a_module_that_no_longer_exists_reruns_its_importers(full_run, tmp_path):
    """A module recorded in a notebook's deps that has been renamed or deleted (analysis/competitors.py became a
    package) must re-run that notebook; make used to reject its pattern rule and call the notebook up to date."""
    build = tmp_path / "build"
    shutil.copytree(full_run["build"], build)  # copy2 keeps mtimes: everything up to date
    assert queue_if_edited(build) == []
    deps = build / "deps" / "04_competitor_comparison.mk"
    deps.write_text(
        deps.read_text(encoding="utf-8").rstrip("\n") + " lib/kimi_research/analysis/gone_module.py\n", encoding="utf-8"
    )
    assert queue_if_edited(build) == ["04_competitor_comparison"]


def test_editing_the_competitor_module_reruns_only_its_importers(full_run):
    """analysis/competitors/ (here its ranking module) is imported by notebook 04 and by notebook 05's scenario engine."""
    build = full_run["build"]
    before = {p.name: p.read_bytes() for p in (build / "results").glob("*.json")}
    mtimes = {p.name: p.stat().st_mtime_ns for p in (build / "executed").glob("*.ipynb")}
    proc, seconds = make("run", f"BUILD={build}", "JOBS=2", "WHAT_IF=lib/kimi_research/analysis/competitors/ranking.py")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    ran = set(re.findall(r"^ran (\S+)", proc.stdout, flags=re.M))
    assert ran == {"04_competitor_comparison", "05_conclusions"}, proc.stdout
    after = {p.name: p.stat().st_mtime_ns for p in (build / "executed").glob("*.ipynb")}
    assert {n for n in after if after[n] != mtimes[n]} == {"04_competitor_comparison.ipynb", "05_conclusions.ipynb"}
    assert {p.name: p.read_bytes() for p in (build / "results").glob("*.json")} == before, "same inputs, same bytes"


def test_bad_parameters_fail_cleanly(full_run, tmp_path):
    """PARAMS_<nb>= in make: a run in its own folder; the canonical outputs stay as they were."""
    build = tmp_path / "build"
    shutil.copytree(full_run["build"], build)  # copy2 keeps mtimes: everything up to date
    canonical = {str(p.relative_to(build)): p.read_bytes() for p in build.rglob("*") if p.is_file()}
    bad = tmp_path / "bad.yaml"
    bad.write_text("tolerance: 2.0\nentity: all\n", encoding="utf-8")
    proc, _ = make("run", f"BUILD={build}", "JOBS=2", f"PARAMS_00_data_audit={bad}")
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    assert "ParameterError" in out and "'tolerance' = 2.0" in out
    (run,) = (build / "runs").iterdir()
    assert re.fullmatch(r"00_data_audit-bad-\d{8}-\d{6}", run.name)
    assert (run / "executed" / "00_data_audit.failed.ipynb").exists() and not (run / "results").exists()
    after = {str(p.relative_to(build)): p.read_bytes() for p in build.rglob("*") if p.is_file() and "runs" not in p.parts}
    assert after == canonical, "a run with parameters must not touch the canonical outputs"


def test_a_run_with_parameters_writes_its_own_folder(full_run, tmp_path):
    build = tmp_path / "build"
    shutil.copytree(full_run["build"], build)
    canonical = {str(p.relative_to(build)): p.read_bytes() for p in build.rglob("*") if p.is_file()}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
    env["KIMI_RESEARCH_BUILD_DIR"] = str(build)
    cmd = [
        str(ROOT / ".venv" / "bin" / "python"),
        "-m",
        "kimi_research",
        "run",
        "00_data_audit",
        "--no-html",
        "-p",
        "tolerance",
        "1e-1",
    ]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    (run,) = (build / "runs").iterdir()
    assert f"00_data_audit: this run writes to {run}" in proc.stdout
    res = json.loads((run / "results" / "00_data_audit.json").read_text(encoding="utf-8"))
    assert res["parameters"]["tolerance"] == 0.1, "1e-1 is a number"
    assert sorted(p.name for p in (run / "figures" / "00_data_audit").iterdir()) == sorted(
        p.name for p in (build / "figures" / "00_data_audit").iterdir()
    )
    after = {str(p.relative_to(build)): p.read_bytes() for p in build.rglob("*") if p.is_file() and "runs" not in p.parts}
    assert after == canonical
    # papermill directly, no runner: a run folder of its own as well, announced in the notebook
    out = tmp_path / "pm.ipynb"
    pm = subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "papermill"),
            "--no-progress-bar",
            "--cwd",
            str(paths.NOTEBOOKS_DIR),
            str(paths.NOTEBOOKS_DIR / "00_data_audit.ipynb"),
            str(out),
            "-p",
            "tolerance",
            "0.1",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert pm.returncode == 0, pm.stderr[-2000:]
    (new,) = set((build / "runs").iterdir()) - {run}
    assert re.fullmatch(r"00_data_audit-\d{8}-\d{6}", new.name) and (new / "results" / "00_data_audit.json").exists()
    assert f"writes its results and figures to {new}" in out.read_text(encoding="utf-8")
    assert {
        str(p.relative_to(build)): p.read_bytes() for p in build.rglob("*") if p.is_file() and "runs" not in p.parts
    } == canonical


def test_sweep_reports_failures_and_collects_results(tmp_path):
    import csv
    import io
    import sys

    grid = tmp_path / "grid.yaml"
    grid.write_text("runs:\n  - {entity: kimi}\n  - {entity: nobody}\n  - {entity: doubao, tolerance: 0.02}\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    env["KIMI_RESEARCH_BUILD_DIR"] = str(tmp_path / "build")
    proc = subprocess.run(
        [sys.executable, "-m", "kimi_research", "sweep", "00_data_audit", str(grid), "--jobs", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 1, "a failed run makes the sweep fail, after the others complete"
    assert "[3/3]" in proc.stdout and "2 ok, 1 failed" in proc.stdout
    text = (tmp_path / "build" / "sweeps" / "00_data_audit-grid.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    by_entity = {r["param.entity"]: r for r in rows}
    assert by_entity["nobody"]["status"] == "failed"
    assert "no entity with observations named 'nobody'" in by_entity["nobody"]["error"]
    assert Path(by_entity["nobody"]["kept"]).exists()
    from kimi_research.data import loader as data

    ds = data.load().with_evidence("articles")  # the default evidence of the sweep's runs
    assert int(by_entity["kimi"]["n_observations"]) == (ds.observations["entity"] == "kimi").sum()
    assert int(by_entity["doubao"]["n_observations"]) == (ds.observations["entity"] == "doubao").sum()
