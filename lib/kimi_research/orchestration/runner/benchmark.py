"""The benchmark: ``python -m kimi_research bench [--quick] [--repeats N] [--only PART ...] [--json FILE]``.

Three parts (``make bench`` runs them all; ``make bench-scenarios`` the second):

* ``run``: a clean ``make run`` (JOBS at a time, with HTML) against the naive loop a user would
  write (one ``papermill`` process per notebook, one after the other, no HTML), their ratio (goal
  <= 0.5), the no-op ``make run`` (goal < 3 s), and where each notebook's time goes (kernel start
  and shut-down, imports, loading the data, figures, the rest, the HTML export);
* ``scenarios``: the scenario engine (:mod:`kimi_research.analysis.scenarios`, in-process) against
  papermill runs of notebook 02 on the same small grid (CPA x spend path): the throughput ratio,
  and the churn each gives for the same scenario;
* ``load``: validating and loading today's data, and synthetic data folders of 2,600 and 26,000
  observation rows (today's rows copied with fresh ids ``o_bench_000001``..., each copy's conflict
  groups renamed so that every group stays whole), each in its own process with a time limit.

``--quick`` (the test): one repetition, the first notebook only, one papermill run, the 2,600-row
load only. Times are medians over ``--repeats`` repetitions (the machine may be shared).
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kimi_research import paths, registry
from kimi_research.analysis import scenarios as S
from kimi_research.data.loader import load
from kimi_research.orchestration.reports import write_html
from kimi_research.orchestration.runner.base import RunnerError
from kimi_research.orchestration.runner.execute import run_notebook

PARTS = ("run", "scenarios", "load")
LOAD_SIZES = (2_600, 26_000)
QUICK_LOAD_SIZES = (2_600,)
LOAD_LIMIT = 600.0  # seconds one load may take before it is stopped (and reported as "> limit")
SCENARIO_VARY = ("cpa", "spend_path")
_MAKE_VARS = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _MAKE_VARS and k != paths.RUN_DIR_ENV}
    env.update(extra)
    return env


def _timed(cmd: list[str], env: dict | None = None) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=paths.ROOT, env=env or _env(), capture_output=True, text=True)
    if proc.returncode != 0:
        raise RunnerError(f"bench: {' '.join(cmd)} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return time.perf_counter() - t0


# --- where a notebook's time goes ---------------------------------------------------------------
def _kind(source: str, first: bool) -> str:
    if first and ("import " in source):
        return "imports"
    if "kr.load(" in source:
        return "load"
    if "plotting.save(" in source or "figures." in source or "plt." in source:
        return "figures"
    return "rest"


def breakdown(executed: Path) -> dict[str, float]:
    """Seconds of an executed notebook (papermill's cell timings): kernel start and shut-down
    (the notebook's time minus its cells'), imports (the first code cell), loading the data,
    figures (cells that draw) and the rest."""
    nb = json.loads(executed.read_text(encoding="utf-8"))
    out = {"kernel": 0.0, "imports": 0.0, "load": 0.0, "figures": 0.0, "rest": 0.0}
    first = True
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        seconds = (cell.get("metadata", {}).get("papermill") or {}).get("duration") or 0.0
        out[_kind("".join(cell["source"]), first)] += seconds
        first = False
    total = (nb["metadata"].get("papermill") or {}).get("duration") or 0.0
    out["kernel"] = max(0.0, total - sum(out.values()))
    out["total"] = total
    return out


def _html_seconds(executed: Path, work: Path) -> float:
    t0 = time.perf_counter()
    write_html(executed, work / "html-timing" / f"{executed.stem}.html")
    return time.perf_counter() - t0


# --- make run against the naive loop --------------------------------------------------------------
def bench_run(names: list[str], jobs: int, repeats: int, work: Path) -> dict[str, Any]:
    """Clean and no-op ``make run`` of ``names`` against one papermill process per notebook."""
    bin_dir = Path(sys.executable).parent
    clean, noop, naive = [], [], []
    for i in range(repeats):
        build = work / f"make{i}"
        make = ["make", "--no-print-directory", "run", f"BUILD={build}", f"JOBS={jobs}"]
        if names != list(registry.NAMES):
            make.append(f"ONLY={' '.join(names)}")
        clean.append(_timed(make))
        noop.append(_timed(make))
        folder = work / f"naive{i}"
        folder.mkdir()
        t0 = time.perf_counter()
        for n in names:
            _timed(
                [
                    str(bin_dir / "papermill"),
                    "--no-progress-bar",
                    str(paths.NOTEBOOKS_DIR / f"{n}.ipynb"),
                    str(folder / f"{n}.ipynb"),
                    "--cwd",
                    str(paths.NOTEBOOKS_DIR),
                ],
                env=_env(KIMI_RESEARCH_BUILD_DIR=str(folder)),
            )
        naive.append(time.perf_counter() - t0)
    last = repeats - 1
    per_notebook = {}
    for n in names:
        made = breakdown(work / f"make{last}" / "executed" / f"{n}.ipynb")
        made["html"] = _html_seconds(work / f"make{last}" / "executed" / f"{n}.ipynb", work)
        per_notebook[n] = {"make_run": made, "naive": breakdown(work / f"naive{last}" / f"{n}.ipynb")}
    c, nv = statistics.median(clean), statistics.median(naive)
    return {
        "notebooks": names,
        "jobs": jobs,
        "repeats": repeats,
        "clean_seconds": c,
        "naive_seconds": nv,
        "ratio": c / nv,
        "noop_seconds": statistics.median(noop),
        "all_clean_seconds": clean,
        "all_naive_seconds": naive,
        "per_notebook": per_notebook,
    }


# --- the scenario engine against papermill --------------------------------------------------------
def _find(d: Any, key: str) -> Any:
    """The value of ``key`` anywhere in a results JSON (a key may sit inside a section)."""
    if isinstance(d, dict):
        if key in d:
            return d[key]
        for v in d.values():
            found = _find(v, key)
            if found is not None:
                return found
    return None


def bench_scenarios(papermill_runs: int, repeats: int, work: Path) -> dict[str, Any]:
    """The engine on the small grid (best of ``repeats``, each from a freshly loaded dataset)
    against papermill runs of notebook 02 for the first ``papermill_runs`` of its scenarios."""
    spec = S.GridSpec(vary=SCENARIO_VARY, samples=1)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        ev = S.evaluate(load(), spec)
        best = min(best, time.perf_counter() - t0)
    table, reg = ev.table, ev.registry
    runs = []
    name = "02_ad_spend_bubble"
    t0 = time.perf_counter()
    for i, r in table.head(papermill_runs).iterrows():
        params = {"cpa_yuan": float(reg["cpa"].reading(r["cpa"]).value), "spend_path": r["spend_path"]}
        out = work / f"scenario-run{i}"
        run_notebook(name, params, output_dir=out, html=False)
        res = json.loads((out / "results" / f"{name}.json").read_text(encoding="utf-8"))
        runs.append(
            {
                "scenario": int(r["scenario"]),
                **params,
                "papermill_churn": _find(res, "fitted_monthly_churn"),
                "engine_churn": float(r["bought_churn"]),
            }
        )
    pm_seconds = time.perf_counter() - t0
    engine_rate, pm_rate = len(table) / best, len(runs) / pm_seconds
    return {
        "grid": list(SCENARIO_VARY),
        "engine_scenarios": len(table),
        "engine_seconds": best,
        "engine_scenarios_per_second": engine_rate,
        "papermill_runs": len(runs),
        "papermill_seconds": pm_seconds,
        "papermill_scenarios_per_second": pm_rate,
        "throughput_ratio": engine_rate / pm_rate,
        "agreement": runs,
    }


# --- loading at scale -----------------------------------------------------------------------------
def synthetic_data(rows: int, dest: Path, source: Path | None = None) -> int:
    """A copy of the data folder with ``rows`` observation rows: today's rows, then copies of them
    with fresh ids (``o_bench_000001`` ...). A copy of a row in a conflict group goes with the
    whole group, renamed per copy (``<group>_b1``), so that every group keeps at least two rows;
    ``same_as`` points at the copy of its row when that was copied too, else at the original.
    Returns the number of rows written."""
    source = Path(source) if source else paths.data_dir()
    shutil.copytree(source, dest)
    text = (source / "observations.csv").read_text(encoding="utf-8-sig")
    original = list(csv.DictReader(io.StringIO(text)))
    fields = list(original[0])
    units: dict[str, list[dict]] = {}
    for r in original:
        units.setdefault(r["conflict_group"] or r["obs_id"], []).append(r)
    blocks = sorted(units.values(), key=len, reverse=True)  # whole groups first, single rows fill up
    extra: list[dict] = []
    copy = 0
    while len(original) + len(extra) < rows:
        copy += 1
        room = rows - len(original) - len(extra)
        batch: list[dict] = []
        for block in blocks:
            if len(batch) + len(block) <= room:
                batch.extend(block)
        if not batch:
            break
        ids = {r["obs_id"]: f"o_bench_{len(extra) + i + 1:06d}" for i, r in enumerate(batch)}
        for r in batch:
            c = dict(r, obs_id=ids[r["obs_id"]])
            if c["same_as"]:
                c["same_as"] = ids.get(c["same_as"], c["same_as"])
            if c["conflict_group"]:
                c["conflict_group"] = f"{c['conflict_group']}_b{copy}"
            extra.append(c)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    w.writerows(original + extra)
    (dest / "observations.csv").write_text(buf.getvalue(), encoding="utf-8")
    return len(original) + len(extra)


_LOAD = (
    "import sys, time\n"
    "import kimi_research as kr\n"
    "t0 = time.perf_counter()\n"
    "ds = kr.load(sys.argv[1], cache=False)\n"
    "print(len(ds.observations), time.perf_counter() - t0)\n"
)


def _load_seconds(folder: Path, limit: float) -> tuple[int, float | None]:
    """(rows, seconds to validate and load ``folder``) in a fresh process; seconds None past ``limit``."""
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _LOAD, str(folder)], env=_env(), capture_output=True, text=True, timeout=limit
        )
    except subprocess.TimeoutExpired:
        return 0, None
    if proc.returncode != 0:
        raise RunnerError(f"bench: loading {folder} failed:\n{proc.stderr[-2000:]}")
    n, seconds = proc.stdout.split()
    return int(n), float(seconds)


def bench_load(sizes: tuple[int, ...], repeats: int, work: Path, limit: float = LOAD_LIMIT) -> list[dict[str, Any]]:
    """Load time of today's data and of synthetic folders of ``sizes`` rows (median of ``repeats``,
    once above 2,600 rows; a load past ``limit`` seconds is stopped and reported as such)."""
    out = []
    for size in (None, *sizes):
        folder = paths.data_dir()
        if size is not None:
            folder = work / f"data-{size}"
            synthetic_data(size, folder)
        times, rows = [], 0
        reps = repeats if size is None or size <= QUICK_LOAD_SIZES[-1] else 1  # the largest once: minutes
        for _ in range(reps):
            rows, seconds = _load_seconds(folder, limit)
            if seconds is None:
                break
            times.append(seconds)
        out.append(
            {
                "rows": size or rows,
                "synthetic": size is not None,
                "seconds": statistics.median(times) if len(times) == reps else None,
                "limit": limit,
            }
        )
    return out


# --- the report -----------------------------------------------------------------------------------
def _report_run(r: dict[str, Any], say: Callable[[str], None]) -> None:
    say(f"notebooks:                          {len(r['notebooks'])}  (JOBS={r['jobs']}, {os.cpu_count()} cores)")
    say(f"repetitions:                        {r['repeats']}  (medians)")
    say(f"naive sequential papermill loop:    {r['naive_seconds']:6.1f} s  (one papermill process a notebook, no HTML)")
    say(f"clean `make run` (with HTML):       {r['clean_seconds']:6.1f} s")
    say(f"ratio clean / naive:                {r['ratio']:6.2f}  (goal <= 0.5)")
    say(f"no-op `make run`:                   {r['noop_seconds']:6.2f} s  (goal < 3 s)")
    if r["repeats"] > 1:
        each = ", ".join(f"{c:.1f}/{n:.1f}" for c, n in zip(r["all_clean_seconds"], r["all_naive_seconds"], strict=True))
        say(f"each repetition, clean/naive (s):   {each}")
    say("where the time goes, per notebook (s; kernel = start and shut-down; html = the export after the run):")
    say(f"  {'notebook':<28}{'':>9}{'kernel':>8}{'imports':>8}{'load':>8}{'figures':>8}{'rest':>8}{'html':>8}{'total':>8}")
    for n, b in r["per_notebook"].items():
        for label, t in (("make run", b["make_run"]), ("naive", b["naive"])):
            html = f"{t['html']:8.1f}" if "html" in t else f"{'-':>8}"
            say(
                f"  {n if label == 'make run' else '':<28}{label:>9}{t['kernel']:8.1f}{t['imports']:8.1f}{t['load']:8.1f}"
                f"{t['figures']:8.1f}{t['rest']:8.1f}{html}{t['total']:8.1f}"
            )


def _report_scenarios(r: dict[str, Any], say: Callable[[str], None]) -> None:
    n = r["engine_scenarios"]
    say(f"small grid: {' x '.join(r['grid'])} = {n} scenarios ({os.cpu_count()} cores)")
    rate = r["engine_scenarios_per_second"]
    say(f"engine (in-process):       {r['engine_seconds']:7.2f} s for {n} scenarios = {rate:8.1f} scenarios/s")
    say(
        f"papermill (notebook 02):   {r['papermill_seconds']:7.2f} s for {r['papermill_runs']} scenarios = "
        f"{r['papermill_scenarios_per_second']:8.3f} scenarios/s"
    )
    say(f"throughput ratio:          {r['throughput_ratio']:7.0f}x  (target >= 100x)")
    for a in r["agreement"]:
        say(f"  scenario {a['scenario']}: churn papermill {a['papermill_churn']:.4f}, engine {a['engine_churn']:.4f}")


def _report_load(rows: list[dict[str, Any]], say: Callable[[str], None]) -> None:
    for r in rows:
        what = "synthetic" if r["synthetic"] else "today's data"
        t = f"{r['seconds']:7.2f} s" if r["seconds"] is not None else f"> {r['limit']:.0f} s (stopped)"
        say(f"load {r['rows']:>7,} observation rows ({what}): {t}")


def bench(
    jobs: int = 2, quick: bool = False, repeats: int = 1, parts: tuple[str, ...] = PARTS, json_out: str | None = None
) -> int:
    """Run the parts of the benchmark, print them (and write them as JSON to ``json_out``)."""
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        raise RunnerError(f"bench --only {' '.join(unknown)}: expected one or more of {', '.join(PARTS)}")
    repeats = 1 if quick else max(1, repeats)
    out: dict[str, Any] = {"quick": quick, "cores": os.cpu_count()}

    def say(line: str) -> None:
        print(line, flush=True)

    work = Path(tempfile.mkdtemp(prefix="bench-", dir=paths.ensure_dir(paths.build_dir())))
    old = os.environ.get("KIMI_RESEARCH_BUILD_DIR")
    try:
        if "run" in parts:
            say("== a clean `make run` against the naive papermill loop ==")
            names = list(registry.NAMES)[:1] if quick else list(registry.NAMES)
            out["run"] = bench_run(names, jobs, repeats, work)
            _report_run(out["run"], say)
        if "scenarios" in parts:
            say("== the scenario engine against papermill ==")
            os.environ["KIMI_RESEARCH_BUILD_DIR"] = str(work)  # run_notebook's folders, not build/runs
            out["scenarios"] = bench_scenarios(1 if quick else 2, 1 if quick else 3, work)
            _report_scenarios(out["scenarios"], say)
        if "load" in parts:
            say("== loading the data: validation time against the number of observation rows ==")
            out["load"] = bench_load(QUICK_LOAD_SIZES if quick else LOAD_SIZES, repeats, work)
            _report_load(out["load"], say)
    finally:
        if old is None:
            os.environ.pop("KIMI_RESEARCH_BUILD_DIR", None)
        else:
            os.environ["KIMI_RESEARCH_BUILD_DIR"] = old
        shutil.rmtree(work, ignore_errors=True)
    if json_out:
        Path(json_out).write_text(json.dumps(out, indent=2, default=float) + "\n", encoding="utf-8")
    return 0
