"""Run the scenario grid on a ``concurrent.futures`` executor and write ``build/scenarios/``.

``python -m kimi_research.orchestration.scenarios run [--workers N] [--scheduler ADDRESS] [--samples K]
[--seed S] [--vary a,b,...] [--evidence articles|all] [--force]`` (``make scenarios``):

* the engine (:mod:`kimi_research.analysis.scenarios`) splits the grid into tasks (one analysis, one
  combination of the readings it reads); they run on local worker processes
  (``ProcessPoolExecutor``, ``--workers``, default 2) or, given ``--scheduler tcp://host:8786``, on a
  Dask distributed cluster through its ``concurrent.futures`` executor (``Client.get_executor``);
* it writes ``scenarios.parquet`` (one row per scenario: its readings and every output),
  ``conclusions.csv`` and ``conclusions.json`` (each conclusion's inputs read, grade, condition, solved
  thresholds and observation ids) and ``parameters.json`` (the grid's parameters, the input hash, row
  count, wall time);
* it is incremental like ``make run``: when the data, the package and the parameters are unchanged
  since the last run, it says so and does nothing (``--force`` reruns).

``make bench-scenarios`` (``python -m kimi_research bench --only scenarios``, in
:mod:`kimi_research.orchestration.runner.benchmark`) times the engine against papermill runs of notebook 02
on the same small grid and prints the throughput ratio.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path

from kimi_research import paths
from kimi_research.analysis import conclusions as K
from kimi_research.analysis import scenarios as S
from kimi_research.orchestration.results import atomic_write_text, to_jsonable

TABLE = "scenarios.parquet"


def out_dir() -> Path:
    return paths.build_dir() / "scenarios"


@contextlib.contextmanager
def executor(workers: int = 2, scheduler: str | None = None) -> Iterator[Executor | None]:
    """A concurrent.futures executor: a Dask cluster's when ``scheduler`` is an address (or a
    ``distributed.Client``), else local worker processes; ``None`` (in this process) for 0 or 1 workers."""
    if scheduler is not None:
        from distributed import Client

        if isinstance(scheduler, Client):
            yield scheduler.get_executor()
            return
        with Client(scheduler) as client:
            yield client.get_executor()
        return
    if workers <= 1:
        yield None
        return
    import multiprocessing as mp

    with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork")) as ex:
        yield ex


def inputs_hash(spec: S.GridSpec) -> str:
    """Hash of the data files, the package's source and the grid's parameters."""
    h = hashlib.sha256(json.dumps(to_jsonable(vars(spec)), sort_keys=True).encode())
    files = sorted(paths.data_dir().glob("*.csv")) + sorted((paths.ROOT / "lib").rglob("*.py"))
    for f in files:
        h.update(f.name.encode() + f.read_bytes())
    return h.hexdigest()[:24]


class Progress:
    """'tasks done/total' on stderr, at most every half second, and at the end."""

    def __init__(self, stream=sys.stderr, every: float = 0.5):
        self.stream, self.every, self.last = stream, every, 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if done == total or now - self.last >= self.every:
            self.last = now
            end = "\n" if done == total else ""
            print(f"\r  scenario tasks {done}/{total}", end=end, file=self.stream, flush=True)


def evaluate(spec: S.GridSpec, workers: int = 2, scheduler=None, progress=None):
    from kimi_research.data.loader import load

    ds = load()
    with executor(workers, scheduler) as ex:
        return S.evaluate(ds, spec, executor=ex, progress=progress, data_dir=paths.data_dir())


def run(
    spec: S.GridSpec, workers: int = 2, scheduler=None, force: bool = False, quiet: bool = False, target: Path | None = None
) -> dict:
    """Evaluate and grade the grid, write build/scenarios/; skip when the inputs are unchanged."""
    d = target or out_dir()
    key = inputs_hash(spec)
    meta_path = d / "parameters.json"
    if not force and meta_path.exists() and (d / TABLE).exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("inputs_hash") == key:
            if not quiet:
                print(f"scenarios up to date ({meta['n_scenarios']} scenarios in {d}); --force to rerun")
            return meta | {"skipped": True}
    t0 = time.perf_counter()
    ev = evaluate(spec, workers, scheduler, None if quiet else Progress())
    graded = K.grade_evaluation(ev)[K.RECORD_COLUMNS]
    wall = time.perf_counter() - t0
    d.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=d, prefix=f".{TABLE}.", suffix=".tmp")
    os.close(fd)
    ev.table.to_parquet(tmp, index=False)
    os.chmod(tmp, 0o644)
    os.replace(tmp, d / TABLE)
    atomic_write_text(d / "conclusions.csv", graded.drop(columns=["thresholds"]).to_csv(index=False))
    atomic_write_text(
        d / "conclusions.json", json.dumps(to_jsonable(graded.to_dict(orient="records")), ensure_ascii=False, indent=2) + "\n"
    )
    meta = {
        "parameters": to_jsonable(vars(spec)),
        "inputs_hash": key,
        "n_scenarios": len(ev.table),
        "n_tasks": ev.n_tasks,
        "wall_seconds": round(wall, 2),
        "executor": f"dask {scheduler}" if scheduler else f"processes x{workers}" if workers > 1 else "in-process",
        "grades": K.counts(graded),
    }
    atomic_write_text(meta_path, json.dumps(meta, ensure_ascii=False, indent=2) + "\n")
    if not quiet:
        print(f"{len(ev.table)} scenarios ({ev.n_tasks} tasks) in {wall:.1f} s -> {d}")
        for _, r in graded.iterrows():  # grades and conditions; a share of the grid is never quoted
            print(f"  {r['id']:<30} {r['grade']}")
    return meta | {"skipped": False}


def spec_from_args(a) -> S.GridSpec:
    from kimi_research.params.conclusions import ConclusionsParameters

    p = ConclusionsParameters.from_mapping(
        {
            k: v
            for k, v in {
                "vary": a.vary.split(",") if a.vary else None,
                "samples": a.samples,
                "seed": a.seed,
                "evidence": a.evidence,
            }.items()
            if v is not None
        }
    )
    return p.grid_spec()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kimi_research.orchestration.scenarios")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="evaluate the scenario grid into build/scenarios (incremental)")
    r.add_argument("--workers", type=int, default=2, help="local worker processes (default 2; 1 = in-process)")
    r.add_argument("--scheduler", help="a Dask distributed scheduler address, e.g. tcp://10.0.0.5:8786")
    r.add_argument("--samples", type=int, help="draws of the range inputs per discrete combination")
    r.add_argument("--seed", type=int)
    r.add_argument("--vary", help="comma-separated contested inputs to vary (default: all)")
    r.add_argument("--evidence", choices=S.EVIDENCE)
    r.add_argument("--force", action="store_true", help="rerun even when the inputs are unchanged")
    a = ap.parse_args(argv)
    from kimi_research.errors import KimiResearchError

    try:
        run(spec_from_args(a), a.workers, a.scheduler, a.force)
    except KimiResearchError as e:
        print(f"{type(e).__name__}: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["evaluate", "executor", "inputs_hash", "main", "run"]
