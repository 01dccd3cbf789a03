"""Bookkeeping of the canonical outputs in build/: the run lock, the reaper, the promotion of a default run.

A **default run** executes the notebook in ``build/.staging/<notebook>-<pid>/`` and, when it
succeeded and its recorded parameters are the defaults, its outputs are promoted to the canonical
``build/{executed,results,figures,html}`` (the executed notebook last: it is make's target) and
``build/deps/<notebook>.mk`` is written. Default runs hold ``build/.run.lock``: a second one waits.
The next run reaps what a killed one left (staging folders, temp files, connection files).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from kimi_research import paths
from kimi_research.orchestration.reports import write_html
from kimi_research.orchestration.results import non_default
from kimi_research.orchestration.runner.base import RunnerError, check_name
from kimi_research.orchestration.runner.deps import write_depfile
from kimi_research.orchestration.runner.execute import execute, keep_failed
from kimi_research.orchestration.runner.process import alive


@contextlib.contextmanager
def run_lock() -> Iterator[None]:
    """Hold build/.run.lock (fcntl.flock) for a default run; a second one waits, and says so."""
    lock = paths.ensure_dir(paths.build_dir()) / ".run.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
            print(
                f"another `make run` is writing {paths.shown(paths.build_dir())} ({holder}); waiting for it to finish...",
                file=sys.stderr,
                flush=True,
            )
            fcntl.flock(fd, fcntl.LOCK_EX)
            print("the other run finished; continuing", file=sys.stderr, flush=True)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, started {time.strftime('%H:%M:%S')}".encode(), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        os.close(fd)  # releases the lock


def reap() -> list[str]:
    """Remove what an interrupted default run left behind (call while holding the run lock):
    staging folders (their partial notebook is kept as <name>.failed.ipynb) and temp files."""
    notes = []
    staging = paths.staging_dir()
    if staging.is_dir():
        for d in sorted(staging.iterdir()):
            for nb in sorted((d / "executed").glob("[0-9][0-9]_*.ipynb")):
                failed = paths.executed_dir() / f"{nb.stem}.failed.ipynb"
                if keep_failed(nb, failed):
                    notes.append(f"kept the partial notebook of an interrupted run as {paths.shown(failed)}")
            shutil.rmtree(d, ignore_errors=True) if d.is_dir() else d.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            staging.rmdir()
    _reap_connection_files()
    for d, pattern in (
        (paths.executed_dir(), ".*"),
        (paths.results_dir(), ".*.tmp"),
        (paths.html_dir(), ".*.tmp"),
        (paths.deps_dir(), ".*.tmp"),
        (paths.figures_dir(), "**/.*.tmp*"),
        (paths.figures_dir(), "**/*.tmp.png"),
    ):
        if d.is_dir():
            for f in d.glob(pattern):
                if f.is_file():
                    f.unlink(missing_ok=True)
    return notes


def _reap_connection_files() -> None:
    """Remove connection files of our kernels whose runner process is gone (killed by SIGKILL)."""
    runtime = os.environ.get("JUPYTER_RUNTIME_DIR")
    if not runtime or not Path(runtime).is_dir():
        return
    for f in Path(runtime).glob("kernel-kimi-*.json"):
        pid = f.name.split("-")[2]
        if pid.isdigit() and not alive(int(pid)):
            f.unlink(missing_ok=True)


def _promote(name: str, stage: Path, executed: Path, html: bool) -> None:
    """Move a successful default run's outputs from its staging folder to the canonical ones."""
    res = stage / "results" / f"{name}.json"
    if not res.is_file():
        raise RunnerError(
            f"{name} ran but wrote no results ({paths.shown(res)}): its last cell must call "
            f"kr.write_results; build/ left unchanged"
        )
    diff = non_default(name, json.loads(res.read_text(encoding="utf-8")).get("parameters"))
    if diff:
        kept = paths.new_run_dir(f"{name}-nondefault")
        os.replace(stage, kept / "run")
        raise RunnerError(
            f"{name} recorded non-default parameters ({', '.join(diff)}); its outputs were kept "
            f"in {paths.shown(kept)}, build/results left unchanged"
        )
    new_figs, figs = stage / "figures" / name, paths.figures_dir() / name
    paths.ensure_dir(paths.figures_dir())
    if figs.exists():
        os.replace(figs, stage / "old-figures")
    if new_figs.is_dir():
        os.replace(new_figs, figs)
    os.replace(res, paths.ensure_dir(paths.results_dir()) / f"{name}.json")
    if html:
        write_html(executed, paths.html_dir() / f"{name}.html")
    write_depfile(name)
    os.replace(executed, paths.ensure_dir(paths.executed_dir()) / f"{name}.ipynb")  # last: make's target
    (paths.executed_dir() / f"{name}.failed.ipynb").unlink(missing_ok=True)


def run_canonical(name: str, html: bool = True, quiet: bool = True) -> Path:
    """A default run of ``name``: staged, then promoted to build/{executed,results,figures,html}.

    Call it while holding :func:`run_lock`. Returns the executed notebook's path."""
    check_name(name)
    stage = paths.ensure_dir(paths.staging_dir()) / f"{name}-{os.getpid()}"
    shutil.rmtree(stage, ignore_errors=True)
    executed = stage / "executed" / f"{name}.ipynb"
    t0 = time.perf_counter()
    try:
        try:
            execute(name, {}, stage, executed, quiet)
        except BaseException:
            keep_failed(executed, paths.executed_dir() / f"{name}.failed.ipynb")
            raise
        _promote(name, stage, executed, html)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        with contextlib.suppress(OSError):
            paths.staging_dir().rmdir()
    final = paths.executed_dir() / f"{name}.ipynb"
    print(f"ran {name} in {time.perf_counter() - t0:.1f}s -> {paths.shown(final)}", flush=True)
    return final
