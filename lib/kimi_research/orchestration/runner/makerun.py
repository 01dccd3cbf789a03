"""`make run`: the queue of out-of-date notebooks, JOBS at a time, from one process.

:func:`make_run` checks the quotes and the build folder, takes the run lock, reaps what a killed
run left, asks the Makefile (``make queue``) which notebooks are out of date and runs them in
forked workers (:func:`run_many`). It dies with make (``PR_SET_PDEATHSIG``; the Makefile
``exec``\\ s it, so make is its parent) and stops its workers when signalled: each keeps its
partial notebook as ``.failed.ipynb`` and kills its kernel.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing as mp
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

from kimi_research import paths, registry
from kimi_research.errors import KimiResearchError
from kimi_research.io import atomic_write_text
from kimi_research.orchestration.runner import warmkernels
from kimi_research.orchestration.runner.base import RunnerError, check_name
from kimi_research.orchestration.runner.build import reap, run_canonical, run_lock
from kimi_research.orchestration.runner.execute import run_notebook
from kimi_research.orchestration.runner.params import load_params, run_label
from kimi_research.orchestration.runner.preflight import check_before_running, describe_os_error
from kimi_research.orchestration.runner.process import STOP_SIGNALS, Stop, die_with_parent, raise_stop, stop_on_signals


def _run_one(spec: str) -> tuple[str, bool, str]:
    """Run one queued notebook: 'name' (a default run, promoted to build/) or 'name=params.yaml'
    (a run with parameters, in its own folder)."""
    import papermill as pm  # imported by run_many before it forks the workers

    name, _, pfile = spec.partition("=")
    if pfile:
        d = paths.new_run_dir(run_label(name, [pfile], None))
        failed = d / "executed" / f"{name}.failed.ipynb"
    else:
        failed = paths.executed_dir() / f"{name}.failed.ipynb"
    try:
        t0 = time.perf_counter()
        if pfile:
            # relative to the caller's folder: `make -C repo run PARAMS_x=mine.yaml` keeps $PWD
            run_notebook(name, load_params([pfile], [], cwd=os.environ.get("PWD")), d, html=True, quiet=True)
            return name, True, ""
        run_canonical(name, html=True, quiet=True)
        return name, True, f"{time.perf_counter() - t0:.1f}"  # a default run's time, for the order of the next queue
    except pm.PapermillExecutionError as e:
        return name, False, f"{e.ename}: {e.evalue}\n  executed copy kept: {paths.shown(failed)}"
    except KimiResearchError as e:
        return name, False, str(e)
    except OSError as e:  # a full disk, a folder made read-only mid-run: one line naming the path
        return name, False, describe_os_error(e)
    except Exception as e:  # noqa: BLE001 - report every failure, keep the other runs going
        return name, False, f"{type(e).__name__}: {e}"


def _worker(spec: str, conn, parent: int) -> None:
    die_with_parent(signal.SIGTERM, parent)  # the run-many process died (even by SIGKILL): stop too
    for s in STOP_SIGNALS:
        signal.signal(s, raise_stop)
    try:
        conn.send(_run_one(spec))
    except (Stop, KeyboardInterrupt):
        sys.exit(130)  # _run_one's cleanup has run: partial notebook kept, kernel killed


def seconds_file() -> Path:
    """How long each notebook's last default run took (kept with the tool caches, so that a clean
    build dir still knows): the queue runs the longest first."""
    return paths.ROOT / "build" / "cache" / "notebook-seconds.json"


def _seconds() -> dict[str, float]:
    try:
        data = json.loads(seconds_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): float(v) for k, v in data.items() if isinstance(v, int | float)} if isinstance(data, dict) else {}


def _record_seconds(new: dict[str, float]) -> None:
    if new:
        with contextlib.suppress(OSError):  # only an optimisation: a read-only cache is fine
            atomic_write_text(seconds_file(), json.dumps(_seconds() | new, indent=1, sort_keys=True) + "\n")


def _order(specs: list[str]) -> list[str]:
    """Longest first, so that the workers finish together: by each notebook's last recorded run;
    a notebook never timed goes first, the later ones before the earlier (they draw more charts)."""
    rank = {n: i for i, n in enumerate(registry.NAMES)}
    took = _seconds()

    def key(spec: str) -> tuple[int, float]:
        name = spec.partition("=")[0]
        return (1, -took[name]) if name in took else (0, -rank.get(name, -1))

    return sorted(specs, key=key)


def run_many(specs: list[str], jobs: int = 2) -> int:
    """Run several notebooks, ``jobs`` at a time, in forked workers of this process.

    papermill and nbconvert are imported once here and inherited by the workers; each notebook
    still gets its own kernel, forked by a kernel server that has imported the heavy libraries
    once (:mod:`.warmkernels`). SIGTERM, SIGHUP or Ctrl-C stops the workers (each keeps its
    partial notebook as .failed.ipynb and kills its kernel) and exits 130. Returns 1 if any
    notebook failed (after the others have finished)."""
    import nbconvert  # noqa: F401  (warm import, inherited by the workers)
    import papermill  # noqa: F401

    if not specs:
        return 0
    for spec in specs:
        check_name(spec.partition("=")[0])
    ctx = mp.get_context("fork")
    running: dict[Any, tuple[Any, str, Any]] = {}
    pending, failed = _order(specs), []
    took: dict[str, float] = {}
    warm = warmkernels.started() if len(specs) > 1 else contextlib.nullcontext()
    with stop_on_signals(), warm:  # a second signal is ignored until the cleanup below is done
        try:
            while pending or running:
                while pending and len(running) < max(1, jobs):
                    spec = pending.pop(0)
                    recv, send = ctx.Pipe(duplex=False)
                    proc = ctx.Process(target=_worker, args=(spec, send, os.getpid()), name=f"run {spec}")
                    proc.start()
                    send.close()
                    running[proc.sentinel] = (proc, spec, recv)
                for sentinel in wait(list(running)):
                    assert isinstance(sentinel, int)
                    proc, spec, recv = running.pop(sentinel)
                    try:
                        name, ok, msg = recv.recv()
                    except EOFError:
                        name, ok, msg = spec, False, "its worker died"
                    proc.join()
                    recv.close()
                    if ok and msg:  # successes are reported by the worker ("ran ... in ...")
                        took[name] = float(msg)
                    elif not ok:
                        failed.append(name)
                        print(f"FAILED {name}: {msg}", file=sys.stderr, flush=True)
        except (Stop, KeyboardInterrupt):
            for proc, _spec, _recv in running.values():
                with contextlib.suppress(OSError):
                    proc.terminate()
            for proc, _spec, _recv in running.values():
                proc.join(20)
                if proc.is_alive():
                    proc.kill()
                    proc.join()
            stopped = ", ".join(s for _p, s, _r in running.values())
            print(
                f"interrupted: stopped {stopped or 'nothing'}; partial notebooks are kept as "
                f"{paths.shown(paths.executed_dir())}/<notebook>.failed.ipynb",
                file=sys.stderr,
                flush=True,
            )
            return 130
    _record_seconds(took)
    if failed:
        print(f"{len(failed)} of {len(specs)} notebooks failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def _queue(names: list[str], what_if: list[str] | None = None) -> list[str]:
    """Ask make which notebooks are out of date (the Makefile's rules, build/deps/*.mk);
    ``what_if`` files are treated as just modified (make -W)."""
    fd, qfile = tempfile.mkstemp(prefix=".run-queue-", dir=paths.build_dir())
    os.close(fd)
    env = dict(os.environ)
    env["MAKEFLAGS"] = re.sub(r"--jobserver-(auth|fds)=\S+", "", env.get("MAKEFLAGS", ""))
    cmd = [
        os.environ.get("KIMI_RESEARCH_MAKE") or "make",
        "--no-print-directory",
        "-s",
        "queue",
        f"QUEUE={qfile}",
        f"NAMES={' '.join(names)}",
        *(f"--what-if={f}" for f in what_if or []),
    ]
    if "MAKELEVEL" not in os.environ and paths.build_dir() != paths.ROOT / "build":
        cmd.append(f"BUILD={paths.shown(paths.build_dir())}")
    try:
        proc = subprocess.run(cmd, cwd=paths.ROOT, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RunnerError(f"make could not work out which notebooks to run:\n{proc.stdout}{proc.stderr}")
        return [ln.strip() for ln in Path(qfile).read_text(encoding="utf-8").splitlines() if ln.strip()]
    finally:
        Path(qfile).unlink(missing_ok=True)


def _make_pid() -> int | None:
    """The pid of the make that runs this process (the Makefile passes it), else None."""
    if "MAKELEVEL" not in os.environ:
        return None
    pid = os.environ.get("KIMI_RESEARCH_MAKE_PID", "")
    return int(pid) if pid.isdigit() else os.getppid()


def make_run(jobs: int = 2, dry_run: bool = False, what_if: list[str] | None = None, only: list[str] | None = None) -> int:
    """`make run`: check the quotes and build/, then under the run lock reap what a killed run
    left, ask make which notebooks are out of date, run them. Dies with make (prctl) and stops
    its workers when signalled.

    ``what_if``: files to treat as edited (``make run WHAT_IF=lib/...py`` re-runs exactly the
    notebooks that an edit of that file would re-run). ``only``: consider just these notebooks."""
    make = _make_pid()
    if make is not None:
        die_with_parent(signal.SIGTERM, make)
    names = list(registry.NAMES)
    if only:
        for name in only:
            check_name(name)
        names = [n for n in names if n in only]
    # the kernel server imports its libraries (3 s) while this process checks, locks, asks make
    # and imports papermill: the first kernels wait for it less
    warm = contextlib.nullcontext() if dry_run else warmkernels.started()
    with warm:
        check_before_running(paths.build_dir(), quotes=not dry_run)
        with stop_on_signals():
            try:
                with run_lock():
                    for note in reap():
                        print(note, file=sys.stderr, flush=True)
                    queue = _queue(names, what_if)
                    if what_if:
                        to_run = ", ".join(sorted(q.partition("=")[0] for q in queue)) or "nothing"
                        print(f"as if {', '.join(what_if)} changed: {to_run} to run", flush=True)
                    if dry_run:
                        print("\n".join(queue))
                        return 0
                    return run_many(queue, jobs)
            except (Stop, KeyboardInterrupt):
                print("interrupted", file=sys.stderr)
                return 130
