"""Command line: ``python -m kimi_research {run,make-run,run-many,sweep,notebooks,check-data,dictionary,slides,...} ...``.

Input problems (a bad ``-f``/``-p``, a missing grid, a ``build`` that is a file) end in one
line on stderr naming the option and the value, and exit status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import sys


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m kimi_research")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser(
        "run",
        help="execute one notebook with papermill (+ HTML)",
        description="Without parameters: a default run, promoted to build/{executed,results,"
        "figures,html} (like `make run` for one notebook). With -f/-p or --output-dir: "
        "a run in its own folder (build/runs/<notebook>-<set>-<time>/ or DIR).",
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
    k = sub.add_parser("make-run", help="what `make run` calls: lock, reap, ask make what is out of date, run it")
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
    b = sub.add_parser("bench", help="time clean and no-op `make run` against a naive papermill loop")
    b.add_argument("--jobs", type=int, default=2)
    s = sub.add_parser("slides", help="build reveal.js decks from executed notebooks")
    s.add_argument("names", nargs="+")
    return ap


def _dispatch(args) -> int:
    if args.cmd == "dictionary":
        from kimi_research.data.schema import dictionary_markdown

        sys.stdout.write(dictionary_markdown())
        return 0
    if args.cmd == "check-data":
        from kimi_research.data.check import run

        return run(args.data_dir, quiet=args.quiet)
    if args.cmd == "notebooks":
        from kimi_research.registry import NAMES

        print("\n".join(NAMES))
        return 0
    if args.cmd == "slides":
        from kimi_research.orchestration.decks import build_decks

        return build_decks(args.names)
    from kimi_research.orchestration import runner

    if args.cmd == "run":
        return runner.main_run(args)
    if args.cmd == "make-run":
        return runner.make_run(args.jobs, dry_run=args.dry_run, what_if=args.what_if, only=args.only)
    if args.cmd == "deps":
        from kimi_research import paths

        print("\n".join(paths.shown(f) for f in runner.notebook_dependencies(args.name)))
        return 0
    if args.cmd == "run-many":  # default runs write the canonical outputs: same lock as `make run`
        with runner.run_lock():
            runner.reap()
            return runner.run_many(args.specs, args.jobs)
    if args.cmd == "sweep":
        return runner.sweep(args.name, args.grid, args.jobs)
    if args.cmd == "bench":
        return runner.bench(args.jobs)
    return 2


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from kimi_research.errors import KimiResearchError

    try:
        return _dispatch(args)
    except KimiResearchError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
