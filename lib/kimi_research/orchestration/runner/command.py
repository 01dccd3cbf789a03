"""``python -m kimi_research run NAME [-f params.yaml] [-p key value] [--output-dir DIR]``: one notebook.

Without parameters it is a default run, promoted to ``build/{executed,results,figures,html}``
under the run lock (like `make run` for one notebook); with ``-f``/``-p`` or ``--output-dir`` it
is a run in its own folder (``build/runs/<notebook>-<set>-<time>/`` or DIR) that says where.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from kimi_research import paths
from kimi_research.orchestration.runner.base import check_name
from kimi_research.orchestration.runner.build import reap, run_canonical, run_lock
from kimi_research.orchestration.runner.execute import run_notebook
from kimi_research.orchestration.runner.params import load_params, run_label
from kimi_research.orchestration.runner.preflight import check_before_running
from kimi_research.orchestration.runner.process import Stop, stop_on_signals


def main_run(args) -> int:
    """The ``run`` command (``args`` from the command line): exit status 0, 1 (the notebook
    failed; its executed copy is kept) or 130 (interrupted); input problems raise RunnerError."""
    params = load_params(args.file, args.param)
    check_name(args.name)
    html, quiet = not args.no_html, not args.verbose
    failed_at: Path
    runner: Callable[[], Path]
    if params or args.output_dir:
        label = run_label(args.name, args.file, args.param)
        given = Path(args.output_dir).resolve() if args.output_dir else None
        check_before_running(given or paths.build_dir())
        d = given or paths.new_run_dir(label)
        failed_at = d / "executed" / f"{args.name}.failed.ipynb"

        def runner() -> Path:
            return run_notebook(args.name, params, d, html=html, quiet=quiet)

    else:
        check_before_running(paths.build_dir())
        failed_at = paths.executed_dir() / f"{args.name}.failed.ipynb"

        def runner() -> Path:
            with run_lock():
                reap()
                return run_canonical(args.name, html=html, quiet=quiet)

    import papermill as pm  # 0.7 s: after the checks, so that a refused run answers at once

    with stop_on_signals():
        try:
            runner()
        except pm.PapermillExecutionError as e:
            print(f"FAILED {args.name}: {e.ename}: {e.evalue}\n  executed copy kept: {paths.shown(failed_at)}", file=sys.stderr)
            return 1
        except (Stop, KeyboardInterrupt):
            kept = f"; partial notebook kept: {paths.shown(failed_at)}" if failed_at.exists() else ""
            print(f"interrupted {args.name}{kept}", file=sys.stderr)
            return 130
    return 0
