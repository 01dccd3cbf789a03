"""Command line: ``python -m kimi_research {run,make-run,sweep,bench,params,check-data,...} ...``.

Input problems (a bad ``-f``/``-p``, a missing grid, a ``build`` that is a file or cannot be
written, a quote missing from its archived text) end in one line (or one line per row) on
stderr naming the option, the value or the path, and exit status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import sys

from kimi_research import paths, registry
from kimi_research.data import check
from kimi_research.errors import KimiResearchError
from kimi_research.orchestration import decks, paramcell
from kimi_research.orchestration.runner import benchmark, build, command, deps, makerun, sweeps
from kimi_research.orchestration.runner.preflight import check_before_running, describe_os_error


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m kimi_research")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser(
        "run",
        help="execute one notebook with papermill (+ HTML)",
        description="Without parameters: a default run, promoted to build/{executed,results,"
        "figures,html} (like `make run` for one notebook). With -f/-p or --output-dir: "
        "a run in its own folder (build/runs/<notebook>-<set>-<time>/ or DIR). Either way the "
        "quotes are checked against the archived texts first.",
    )
    r.add_argument("name", help="notebook name without .ipynb, e.g. 01_user_decline")
    r.add_argument("-f", "--file", action="append", help="YAML parameter file (repeatable; relative to the current folder)")
    r.add_argument(
        "-p",
        "--param",
        nargs=2,
        action="append",
        metavar=("NAME", "VALUE"),
        help="one parameter; VALUE is read as YAML (6, 0.3, 1e3, true, kimi, [kimi, doubao], 2025-06-01)",
    )
    r.add_argument("--output-dir", help="the run folder: executed/, results/, figures/, html/ go there")
    r.add_argument("--no-html", action="store_true")
    r.add_argument("-v", "--verbose", action="store_true", help="stream cell output")
    sub.add_parser("dictionary", help="print the data dictionary (Markdown)")
    c = sub.add_parser("check-data", help="validate data/ (tables, claims, quotes); each problem once, with the fix")
    c.add_argument("--data-dir", help="the data folder (default: data/, or KIMI_RESEARCH_DATA_DIR)")
    c.add_argument("-q", "--quiet", action="store_true", help="print nothing when all is well (for `make run`)")
    sub.add_parser("notebooks", help="print the registered notebooks, one name a line, in order")
    k = sub.add_parser("make-run", help="what `make run` calls: check, lock, reap, ask make what is out of date, run it")
    k.add_argument("--jobs", type=int, default=2)
    k.add_argument("--dry-run", action="store_true", help="print the notebooks that would run, run nothing")
    k.add_argument("--what-if", action="append", metavar="FILE", help="treat FILE as just edited (make -W)")
    k.add_argument("--only", nargs="+", metavar="NAME", help="consider only these notebooks")
    d = sub.add_parser("deps", help="print the files a notebook's run depends on (besides data/)")
    d.add_argument("name")
    m = sub.add_parser("run-many", help="run several notebooks, JOBS at a time, from one process")
    m.add_argument("specs", nargs="*", help="notebook names, or name=params.yaml")
    m.add_argument("--jobs", type=int, default=2)
    w = sub.add_parser("sweep", help="run a notebook over a grid of parameter sets in parallel")
    w.add_argument("name")
    w.add_argument("grid", help="YAML: parameter -> list of values, or a list of parameter mappings")
    w.add_argument("--jobs", type=int, default=2)
    b = sub.add_parser(
        "bench",
        help="time a clean and a no-op `make run` against a naive papermill loop, the scenario engine, loading at scale",
    )
    b.add_argument("--jobs", type=int, default=2)
    b.add_argument("--quick", action="store_true", help="one repetition, one notebook, one papermill run, 2,600 rows")
    b.add_argument("--repeats", type=int, default=1, help="repetitions of each timing (the median is reported)")
    b.add_argument("--only", nargs="+", choices=benchmark.PARTS, default=list(benchmark.PARTS), help="the parts to run")
    b.add_argument("--json", metavar="FILE", help="also write the figures as JSON to FILE")
    pc = sub.add_parser("params", help="regenerate each notebook's parameters cell from its pydantic model")
    pc.add_argument("--check", action="store_true", help="only name the notebooks whose cell is not their model's (exit 1)")
    s = sub.add_parser("slides", help="build reveal.js decks from executed notebooks")
    s.add_argument("names", nargs="+")
    return ap


def _dispatch(args) -> int:
    if args.cmd == "dictionary":
        # kept lazy: the schema imports pandera (about 0.3 s), which `notebooks` (the Makefile's
        # fallback in a no-op `make run`) must not pay for
        from kimi_research.data.schema import dictionary_markdown

        sys.stdout.write(dictionary_markdown())
        return 0
    if args.cmd == "check-data":
        return check.run(args.data_dir, quiet=args.quiet)
    if args.cmd == "notebooks":
        print("\n".join(registry.NAMES))
        return 0
    if args.cmd == "slides":
        return decks.build_decks(args.names)
    if args.cmd == "params":
        return paramcell.main(check=args.check)
    if args.cmd == "run":
        return command.main_run(args)
    if args.cmd == "make-run":
        return makerun.make_run(args.jobs, dry_run=args.dry_run, what_if=args.what_if, only=args.only)
    if args.cmd == "deps":
        print("\n".join(paths.shown(f) for f in deps.notebook_dependencies(args.name)))
        return 0
    if args.cmd == "run-many":  # default runs write the canonical outputs: same checks and lock as `make run`
        check_before_running(paths.build_dir())
        with build.run_lock():
            build.reap()
            return makerun.run_many(args.specs, args.jobs)
    if args.cmd == "sweep":
        return sweeps.sweep(args.name, args.grid, args.jobs)
    if args.cmd == "bench":
        return benchmark.bench(args.jobs, quick=args.quick, repeats=args.repeats, parts=tuple(args.only), json_out=args.json)
    return 2


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except KimiResearchError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except OSError as e:  # an output that cannot be written (read-only or full disk): the path, not a traceback
        if e.filename is None:
            raise
        print(f"error: {describe_os_error(e)}", file=sys.stderr)
        return 2


__all__ = ["main"]

if __name__ == "__main__":
    raise SystemExit(main())
