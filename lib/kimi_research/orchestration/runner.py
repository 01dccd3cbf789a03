"""Execute notebooks with papermill and export HTML, writing every output atomically.

``python -m kimi_research run NAME [-f params.yaml] [-p key value] [--output-dir DIR]``.
A failed run keeps the executed notebook as ``build/executed/NAME.failed.ipynb`` (for
inspection) and exits 1; it never leaves a half-written ``NAME.ipynb`` that looks complete.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import yaml

from kimi_research import paths
from kimi_research.orchestration.reports import write_html as _html


def _kernel_manager_class():
    """A kernel manager that encrypts the kernel's ZMQ traffic when it can.

    jupyter_client >= 8.10 provisions CurveZMQ keys only when asked (``transport_encryption``);
    without them ipykernel warns that it runs over TCP without encryption.
    """
    import zmq
    from jupyter_client.manager import AsyncKernelManager

    if not hasattr(AsyncKernelManager, "transport_encryption") or not zmq.has("curve"):
        return AsyncKernelManager
    from traitlets import default

    class CurveKernelManager(AsyncKernelManager):
        @default("transport_encryption")
        def _default_transport_encryption(self):
            return "auto"

    return CurveKernelManager


def run_notebook(name: str, parameters: dict | None = None, output_dir: Path | None = None,
                 html: bool = True, quiet: bool = True) -> Path:
    """Run notebooks/<name>.ipynb; return the executed copy's path. Raises on failure."""
    import papermill as pm

    src = paths.NOTEBOOKS_DIR / f"{name}.ipynb"
    if not src.exists():
        known = sorted(p.stem for p in paths.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
        raise SystemExit(f"no notebook {src}; known: {', '.join(known)}")
    out_dir = Path(output_dir) if output_dir else paths.executed_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / f"{name}.ipynb"
    failed = out_dir / f"{name}.failed.ipynb"
    fd, tmp_name = tempfile.mkstemp(dir=out_dir, prefix=f".{name}.", suffix=".ipynb")
    os.close(fd)
    tmp = Path(tmp_name)
    t0 = time.perf_counter()
    try:
        pm.execute_notebook(str(src), str(tmp), parameters=parameters or {}, cwd=str(paths.NOTEBOOKS_DIR),
                            progress_bar=False, log_output=not quiet, kernel_name="python3",
                            kernel_manager_class=_kernel_manager_class())
    except BaseException:
        if tmp.exists() and tmp.stat().st_size:
            tmp.replace(failed)
        else:
            tmp.unlink(missing_ok=True)
        raise
    tmp.replace(final)
    failed.unlink(missing_ok=True)
    if html:
        _html(final, paths.html_dir() / f"{name}.html")
    shown = final.relative_to(paths.ROOT) if final.is_relative_to(paths.ROOT) else final
    print(f"ran {name} in {time.perf_counter() - t0:.1f}s -> {shown}", flush=True)
    return final


def load_params(files: list[str], pairs: list[list[str]]) -> dict:
    params: dict = {}
    for f in files or []:
        data = yaml.safe_load(Path(f).read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise SystemExit(f"{f}: expected a mapping of parameter names to values")
        params.update(data)
    for k, v in pairs or []:
        params[k] = yaml.safe_load(v)
    # YAML reads an unquoted 2025-06-01 as a date, which papermill cannot write into a notebook
    import datetime as dt

    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in params.items()}


def run_label(name: str, files: list[str] | None, pairs: list[list[str]] | None) -> str:
    """Folder name for a run with parameters: <notebook>-<yaml stems>[-custom]."""
    parts = [Path(f).stem for f in files or []] + (["custom"] if pairs else [])
    return "-".join([name, *parts])


def load_param_set(notebook: str, name: str) -> dict:
    """The named parameter set notebooks/params/<notebook>/<name>.yaml, read as ``-f`` reads it."""
    path = paths.PARAMS_DIR / notebook / f"{name}.yaml"
    if not path.exists():
        known = sorted(p.stem for p in path.parent.glob("*.yaml"))
        raise SystemExit(f"no parameter set {path}; {notebook} has: {', '.join(known) or 'none'}")
    return load_params([str(path)], [])


def main_run(args) -> int:
    import papermill as pm

    params = load_params(args.file, args.param)
    if params and not args.output_dir and not args.in_place:
        # a run with parameters must not pass for the default run that make tracks in build/
        label = run_label(args.name, args.file, args.param)
        os.environ["KIMI_RESEARCH_BUILD_DIR"] = str(paths.build_dir() / "runs" / label)
        print(f"parameters given: outputs go to {paths.build_dir()}", flush=True)
    try:
        run_notebook(args.name, params, Path(args.output_dir) if args.output_dir else None,
                     html=not args.no_html, quiet=not args.verbose)
    except pm.PapermillExecutionError as e:
        out = Path(args.output_dir) if args.output_dir else paths.executed_dir()
        print(f"FAILED {args.name}: {e.ename}: {e.evalue}\n  executed copy kept: {out / (args.name + '.failed.ipynb')}",
              file=sys.stderr)
        return 1
    return 0


# --- parameter sweeps -------------------------------------------------------------------
def expand_grid(grid) -> list[dict]:
    """A grid YAML is a mapping of parameter -> list of values (Cartesian product), a mapping
    with a ``runs`` list of parameter mappings, or such a list itself."""
    import itertools

    if isinstance(grid, dict) and "runs" in grid:
        grid = grid["runs"]
    if isinstance(grid, list):
        if not all(isinstance(g, dict) for g in grid):
            raise SystemExit("a grid list must hold parameter mappings")
        return [dict(g) for g in grid]
    if isinstance(grid, dict):
        keys = list(grid)
        values = [v if isinstance(v, list) else [v] for v in grid.values()]
        return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*values)]
    raise SystemExit("a grid must be a mapping of parameter -> list of values, or a list of mappings")


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
    """Run a notebook over every parameter set of a grid, ``jobs`` at a time; collect results."""
    import concurrent.futures as cf
    import subprocess

    import pandas as pd

    from kimi_research.orchestration.results import atomic_write_text

    grid_path = Path(grid_file)
    runs = expand_grid(yaml.safe_load(grid_path.read_text(encoding="utf-8")))
    root = paths.build_dir() / "sweeps" / name / grid_path.stem
    root.mkdir(parents=True, exist_ok=True)
    total = len(runs)
    print(f"sweep {name}: {total} runs, {jobs} at a time -> {root}", flush=True)

    def one(i: int, params: dict) -> dict:
        rid = f"run-{i:03d}"
        d = root / rid
        d.mkdir(parents=True, exist_ok=True)
        (d / "params.yaml").write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
        env = dict(os.environ, KIMI_RESEARCH_BUILD_DIR=str(d))
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "kimi_research", "run", name, "--no-html", "-f", str(d / "params.yaml"),
                               "--output-dir", str(d / "executed")], env=env, capture_output=True, text=True)
        row = {"run": rid, "status": "ok" if proc.returncode == 0 else "failed",
               "seconds": round(time.perf_counter() - t0, 1), **{f"param.{k}": v for k, v in params.items()}}
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

    rows, done = [], 0
    with cf.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(one, i, p): (i, p) for i, p in enumerate(runs)}
        for fut in cf.as_completed(futures):
            row = fut.result()
            done += 1
            shown = ", ".join(f"{k}={v}" for k, v in futures[fut][1].items())
            print(f"[{done}/{total}] {row['status']:6} {row['run']} ({shown}) {row['seconds']}s"
                  + (f"\n    {row['error']}" if row["status"] != "ok" else ""), flush=True)
            rows.append(row)
    # nullable dtypes: a failed run's empty cells must not turn counts into floats (46 -> 46.0)
    table = pd.DataFrame(sorted(rows, key=lambda r: r["run"])).convert_dtypes()
    out = paths.build_dir() / "sweeps" / f"{name}-{grid_path.stem}.csv"
    atomic_write_text(out, table.to_csv(index=False))
    failed = (table["status"] != "ok").sum()
    print(f"{total - failed} ok, {failed} failed -> {out}")
    return 1 if failed else 0


# --- benchmark -------------------------------------------------------------------------
def bench(jobs: int = 2) -> int:
    """Clean parallel `make run` vs a naive sequential papermill loop, and a no-op `make run`."""
    import shutil
    import subprocess

    names = sorted(p.stem for p in paths.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
    work = Path(tempfile.mkdtemp(prefix="bench-", dir=paths.build_dir()))
    bin_dir = Path(sys.executable).parent

    def timed(cmd: list[str], env: dict | None = None) -> float:
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=paths.ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
        return time.perf_counter() - t0

    try:
        clean = timed(["make", "run", f"BUILD={work / 'make'}", f"JOBS={jobs}"])
        noop = timed(["make", "run", f"BUILD={work / 'make'}", f"JOBS={jobs}"])
        naive_dir = work / "naive"
        naive_dir.mkdir()
        t0 = time.perf_counter()
        for n in names:
            timed([str(bin_dir / "papermill"), "--no-progress-bar", str(paths.NOTEBOOKS_DIR / f"{n}.ipynb"),
                   str(naive_dir / f"{n}.ipynb"), "--cwd", str(paths.NOTEBOOKS_DIR)],
                  env={"KIMI_RESEARCH_BUILD_DIR": str(naive_dir)})
        naive = time.perf_counter() - t0
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"notebooks:                         {len(names)}  (JOBS={jobs}, {os.cpu_count()} cores)")
    print(f"naive sequential papermill loop:   {naive:6.1f} s  (no HTML)")
    print(f"clean `make run` (with HTML):      {clean:6.1f} s")
    print(f"ratio clean / naive:               {clean / naive:6.2f}  (target <= 0.5)")
    print(f"no-op `make run`:                  {noop:6.2f} s  (target < 1 s)")
    return 0


# --- several notebooks in one process ------------------------------------------------------
def _run_one(spec: str) -> tuple[str, bool, str, float]:
    """Worker: run one notebook ('name' or 'name=params.yaml', parameters written in place)."""
    import papermill as pm

    name, _, pfile = spec.partition("=")
    t0 = time.perf_counter()
    try:
        run_notebook(name, load_params([pfile], []) if pfile else {}, html=True, quiet=True)
        return name, True, "", time.perf_counter() - t0
    except pm.PapermillExecutionError as e:
        kept = paths.executed_dir() / f"{name}.failed.ipynb"
        return name, False, f"{e.ename}: {e.evalue}\n  executed copy kept: {kept}", time.perf_counter() - t0
    except BaseException as e:  # noqa: BLE001 - report every failure, keep the other runs going
        return name, False, f"{type(e).__name__}: {e}", time.perf_counter() - t0


def run_many(specs: list[str], jobs: int = 2) -> int:
    """Run several notebooks, ``jobs`` at a time, from one process.

    papermill and nbconvert are imported once here and inherited by forked workers, instead
    of once per notebook; each notebook still gets its own fresh kernel. Returns 1 if any
    notebook failed (after the others have finished)."""
    import multiprocessing as mp

    import nbconvert  # noqa: F401  (warm import, inherited by the workers)
    import papermill  # noqa: F401

    if not specs:
        return 0
    failed = []
    ctx = mp.get_context("fork")
    with ctx.Pool(processes=max(1, min(jobs, len(specs)))) as pool:
        for name, ok, msg, _secs in pool.imap_unordered(_run_one, specs):
            if not ok:  # successes are reported by the worker ("ran ... in ...")
                failed.append(name)
                print(f"FAILED {name}: {msg}", file=sys.stderr, flush=True)
    if failed:
        print(f"{len(failed)} of {len(specs)} notebooks failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0
