"""Parameter sweeps: one notebook over every parameter set of a grid, ``jobs`` at a time.

``python -m kimi_research sweep NOTEBOOK GRID.yaml [--jobs N]`` (``make sweep``). Each run has its
own folder ``build/sweeps/<notebook>/<grid>/run-NNN/`` (params.yaml, executed/, results/,
figures/); the results of every run are collected into ``build/sweeps/<notebook>-<grid>.csv``
(failed runs with their error and the path of their kept notebook). The canonical build/
outputs are never touched.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import yaml

from kimi_research import paths
from kimi_research.io import atomic_write_text
from kimi_research.orchestration.runner import warmkernels
from kimi_research.orchestration.runner.base import check_name
from kimi_research.orchestration.runner.params import expand_grid, read_yaml_file
from kimi_research.orchestration.runner.preflight import check_before_running
from kimi_research.orchestration.runner.process import die_with_parent


def _flatten(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        elif isinstance(v, list):
            out[key] = json.dumps(v, ensure_ascii=False)
        else:
            out[key] = v
    return out


def sweep(name: str, grid_file: str, jobs: int = 2) -> int:
    """Run a notebook over every parameter set of a grid, ``jobs`` at a time; collect results.

    Returns 1 when a run failed (after the others have finished), else 0."""
    check_name(name)
    runs = expand_grid(read_yaml_file(grid_file, "grid"), f"grid {grid_file}")
    grid_path = Path(grid_file)
    check_before_running(paths.build_dir())
    root = paths.ensure_dir(paths.build_dir() / "sweeps" / name / grid_path.stem)
    total = len(runs)
    print(f"sweep {name}: {total} runs, {jobs} at a time -> {paths.shown(root)}", flush=True)
    parent = os.getpid()

    def one(i: int, params: dict) -> dict:
        rid = f"run-{i:03d}"
        d = root / rid
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
        (d / "params.yaml").write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "kimi_research", "run", name, "--no-html", "-f", str(d / "params.yaml")]
            + ["--output-dir", str(d)],
            capture_output=True,
            text=True,
            preexec_fn=lambda: die_with_parent(signal.SIGTERM, parent),
        )
        row = {
            "run": rid,
            "status": "ok" if proc.returncode == 0 else "failed",
            "seconds": round(time.perf_counter() - t0, 1),
            **{f"param.{k}": v for k, v in params.items()},
        }
        res = d / "results" / f"{name}.json"
        if proc.returncode == 0 and res.exists():
            data = json.loads(res.read_text(encoding="utf-8"))
            data.pop("parameters", None)
            row.update(_flatten(data))
        else:
            lines = [ln for ln in (proc.stderr or proc.stdout).splitlines() if ln.strip()]
            row["error"] = " | ".join(lines[:4]) if lines else f"exit {proc.returncode}"
            row["kept"] = str(d / "executed" / f"{name}.failed.ipynb")
        return row

    rows: list[dict] = []
    done = 0
    warm = warmkernels.started() if total > 1 else contextlib.nullcontext()  # kernels for every run's process
    with warm, cf.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(one, i, p): (i, p) for i, p in enumerate(runs)}
        for fut in cf.as_completed(futures):
            row = fut.result()
            done += 1
            shown = ", ".join(f"{k}={v}" for k, v in futures[fut][1].items())
            print(
                f"[{done}/{total}] {row['status']:6} {row['run']} ({shown}) {row['seconds']}s"
                + (f"\n    {row['error']}" if row["status"] != "ok" else ""),
                flush=True,
            )
            rows.append(row)
    # nullable dtypes: a failed run's empty cells must not turn counts into floats (46 -> 46.0)
    ordered = sorted(rows, key=lambda r: r["run"])
    table = pd.DataFrame(ordered).convert_dtypes()
    out = paths.build_dir() / "sweeps" / f"{name}-{grid_path.stem}.csv"
    atomic_write_text(out, table.to_csv(index=False))
    failed = (table["status"] != "ok").sum()
    print(f"{total - failed} ok, {failed} failed -> {paths.shown(out)}")
    return 1 if failed else 0
