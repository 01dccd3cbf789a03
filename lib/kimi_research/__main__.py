"""Command line: ``python -m kimi_research {run,check-data,dictionary,slides} ...``."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kimi_research")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="execute one notebook with papermill (+ HTML)")
    r.add_argument("name", help="notebook name without .ipynb, e.g. 01_user_decline")
    r.add_argument("-f", "--file", action="append", help="YAML parameter file (repeatable)")
    r.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"),
                   help="one parameter; VALUE is read as YAML (6, 0.3, true, kimi)")
    r.add_argument("--output-dir", help="where the executed notebook goes (default build/executed)")
    r.add_argument("--no-html", action="store_true")
    r.add_argument("--in-place", action="store_true",
                   help="with parameters, still write to build/ (default: build/runs/<notebook>-<set>/)")
    r.add_argument("-v", "--verbose", action="store_true", help="stream cell output")
    sub.add_parser("dictionary", help="print the data dictionary (Markdown)")
    c = sub.add_parser("check-data", help="validate data/ (tables, claims, quotes); each problem once, with the fix")
    c.add_argument("--data-dir", help="the data folder (default: data/, or KIMI_RESEARCH_DATA_DIR)")
    c.add_argument("-q", "--quiet", action="store_true", help="print nothing when all is well (for `make run`)")
    sub.add_parser("notebooks", help="print the registered notebooks, one name a line, in order")
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
    args = ap.parse_args(argv)
    if args.cmd == "run":
        from kimi_research.orchestration.runner import main_run
        return main_run(args)
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
    if args.cmd == "run-many":
        from kimi_research.orchestration.runner import run_many
        return run_many(args.specs, args.jobs)
    if args.cmd == "sweep":
        from kimi_research.orchestration.runner import sweep
        return sweep(args.name, args.grid, args.jobs)
    if args.cmd == "bench":
        from kimi_research.orchestration.runner import bench
        return bench(args.jobs)
    if args.cmd == "slides":
        from kimi_research.orchestration.decks import build_decks
        return build_decks(args.names)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
