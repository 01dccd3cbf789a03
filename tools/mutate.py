"""Mutation score of the modules that make numbers and claims (issue 24): ``make mutate``.

Runs mutmut 3 (its [tool.mutmut] settings are in pyproject.toml) one module at a time, each against the fast
tests that cover it (``MODULES`` below), and prints per module the mutants, killed, survived, the score and the
run time, then the surviving mutants (``mutmut show NAME`` in this folder prints a diff).

    python tools/mutate.py                          # every module of MODULES, one after the other
    python tools/mutate.py data/units.py analysis/sustainability.py
    python tools/mutate.py --max-children 1 data/units.py
    python tools/mutate.py --report                 # the table of the last runs again, running nothing
    python tools/mutate.py --survivors data/units.py  # after adding tests: only what the last run left alive

mutmut copies the project into ``mutants/`` (git-ignored) and runs pytest there. Two things it cannot be told
in pyproject.toml are set here: the package lives in ``lib/`` (mutmut puts only ``mutants/`` and
``mutants/src`` on sys.path), and the module to mutate and its tests change from run to run. So each module runs
in a fresh interpreter (``--one``) that puts ``mutants/lib`` first on sys.path and sets ``only_mutate`` and the
test selection before calling mutmut's ``run``. mutmut 3 mutates the bodies of functions and methods, not
module-level constants (a unit table is checked by tests/data/test_units.py against a table written by hand).

A mutant counts as killed when a test fails or times out; survived, no tests (no mapped test calls the
function) and suspicious are not killed. The score is killed / mutants.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = "lib/kimi_research"

# module (under lib/kimi_research) -> the fast test files that cover it, and optionally the functions to
# mutate (None: every function of the module). Only in-process tests: a notebook run per mutant would take hours.
MODULES: dict[str, tuple[list[str], list[str] | None]] = {
    "data/units.py": (
        [
            "tests/data/test_units.py",
            "tests/data/test_units_properties.py",
            "tests/data/test_units_written.py",
            "tests/data/test_value_text.py",
        ],
        None,
    ),
    # the formula, the frontier, the cost base, paying users, the alternative reading and the runway (the
    # sections and the Monte Carlo plumbing are checked by the notebook's tests)
    "analysis/sustainability.py": (
        [
            "tests/analysis/test_sustainability.py",
            "tests/analysis/test_sustainability_rules.py",
            "tests/analysis/test_properties.py",
        ],
        [
            "_arr",
            "_out",
            "sustainable_growth_rate",
            "ratio_to_threshold_firm",
            "frontier_factor",
            "required_revenue_cost_ratio",
            "implied_total_cost",
            "implied_non_ad_cost",
            "max_share_for_cost",
            "paying_users_needed",
            "rate_share_of_revenue",
            "alternative_reading",
            "resolve_target",
            "runway_months",
            "range_position",
            "cash_out_date",
        ],
    ),
    "data/measurements.py": (["tests/data/test_measurements.py"], None),
    "data/series.py": (["tests/data/test_series_levels.py", "tests/analysis/test_decline.py", "tests/data/test_data.py"], None),
    "analysis/claims.py": (["tests/analysis/test_claims.py", "tests/analysis/test_claims_rules.py"], None),
    # the grading rule of notebook 05 (the engine that computes the scenario table is tested by
    # tests/analysis/test_scenarios.py, whose module fixtures evaluate the whole grid: minutes per mutant)
    "analysis/conclusions.py": (
        [
            "tests/analysis/test_grading.py",
            "tests/analysis/test_grading_rules.py",
            "tests/analysis/test_conclusions_grade_one.py",
        ],
        [
            "inputs_read",
            "varied_inputs",
            "_scan",
            "_range_outcome",
            "outcomes",
            "_where_not_evaluable",
            "_candidates",
            "grade_one",
            "grade",
            "counts",
            "allows",
        ],
    ),
    # notebook 01's decay fit and what is read from it (the package analysis/decline/, one entry per file that
    # makes numbers; notebook.py's sections and the presentation are checked by the notebook's tests). mutmut
    # does not mutate @property methods (DecayFit.n_dates, monthly_change, half_life...): they are not listed.
    # test_decline_fit.py (hand-made series, milliseconds) first; for fit.py a survivor also runs test_decline.py's
    # analyses (about a minute a mutant) and test_properties.py's Hypothesis tests of the fit. common.py and
    # legacy.py (small rules every analysis calls) run against test_decline_fit.py alone: test_decline.py reaches
    # them only through whole-notebook analyses, a minute for each surviving mutant
    "analysis/decline/fit.py": (
        ["tests/analysis/test_decline_fit.py", "tests/analysis/test_decline.py", "tests/analysis/test_properties.py"],
        [
            "DecayFit.predict",
            "DecayFit.date_of",
            "fit_decay",
            "redate_to_last_month",
            "dating_sensitivity",
            "leave_one_out",
            "forecast",
            "_by_date",
            "segments_of",
            "segment_rates",
            "accelerating",
            "weekly_floor",
            "flag_below_floor",
        ],
    ),
    # the vocabulary the fit reads: a qualifier's kind, months between dates, the study window
    "analysis/decline/common.py": (
        ["tests/analysis/test_decline_fit.py"],
        ["window", "in_window", "point_kind", "with_kind", "months_between"],
    ),
    # the peak the fit starts from (and notebook 05's scenario engine reads), the rows it is chosen among
    "analysis/decline/legacy.py": (
        ["tests/analysis/test_decline_fit.py"],
        ["_prepare", "placeable", "resolve_vendor", "peak_latest"],
    ),
    # unit economics, the stock-flow model and its fit: test_adspend_rules.py (hand-made inputs, under a second a
    # mutant) first; a survivor also runs test_adspend.py, whose tests fit the model to the frozen data
    "analysis/adspend.py": (
        ["tests/analysis/test_adspend_rules.py", "tests/analysis/test_adspend.py"],
        [
            "cost_per_retained_user",
            "daily_burn_per_month",
            "users_per_budget",
            "cpa_per_month",
            "simulate",
            "model_at_targets",
            "half_life",
            "_residuals",
            "_least_squares",
            "fit_churn",
        ],
    ),
    # the ranks, the figure chosen per app and the ranking of 04 on hand-made lists (tests/analysis/test_competitors.py
    # runs the whole analysis of 04, seconds a test; its ranking assertions are repeated on synthetic lists)
    "analysis/competitors/ranking.py": (
        [
            "tests/analysis/test_competitors_ranking_rules.py",
            "tests/analysis/test_properties.py::test_derived_ranks_do_not_depend_on_row_order_and_contain_the_true_rank",
            "tests/analysis/test_properties.py::test_values_alone_rank_by_size",
        ],
        ["split_lists", "derive_ranks", "choose_values", "ranking", "value_bounds_from_ranks", "ratios_to_kimi"],
    ),
}

PYTEST_MARKERS = "not notebook and not browser and not make"
KILLED = {"killed", "timeout"}


def _dotted(module: str) -> str:
    return "kimi_research." + module.removesuffix(".py").replace("/", ".")


def _mangled(function: str) -> str:
    """mutmut's name of a function ('fit_decay' -> 'x_fit_decay') or method ('DecayFit.predict' -> 'xǁDecayFitǁpredict')."""
    cls, _, name = function.rpartition(".")
    return f"xǁ{cls}ǁ{name}" if cls else f"x_{name}"


def run_one(module: str, max_children: int, only: list[str] | None = None, tests: list[str] | None = None) -> None:
    """In a fresh interpreter: mutate ``module`` and run its tests (mutmut's ``run``)."""
    os.chdir(ROOT)
    # the mutated copy must win over the editable install of lib/ (see the module docstring)
    # (made now: a folder missing when first searched is cached as missing and never searched again)
    (ROOT / "mutants" / "lib").mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT / "mutants" / "lib"))
    from mutmut import __main__ as mm
    from mutmut.configuration import config
    from mutmut.mutation import file_mutation
    from mutmut.utils import format_utils

    # mutmut names a mutant by its file's path with 'src.' stripped; here the import name has 'lib.' stripped
    # (lib.kimi_research.data.units -> kimi_research.data.units), or no test would ever be found to reach it
    plain = format_utils.get_mutant_name

    def mutant_name(relative_source_path: Path, mutant_method_name: str) -> str:
        return format_utils.strip_prefix(plain(relative_source_path, mutant_method_name), prefix="lib.")

    mm.get_mutant_name = file_mutation.get_mutant_name = format_utils.get_mutant_name = mutant_name

    # What a mutant's tests compute must come from the mutant: no dataset pickled by an earlier run of the
    # unmutated code (kimi_research.load caches one per data folder and loader code, the same for every
    # mutant), and no function cache filled before the worker was forked (units.read_value_text)
    os.environ["KIMI_RESEARCH_NO_CACHE"] = "1"
    from mutmut.runners.harness import PytestRunner

    run_tests = PytestRunner.run_tests

    def run_tests_with_cold_caches(self, *, mutant_name, tests):  # type: ignore[no-untyped-def]
        import functools
        import gc

        for obj in gc.get_objects():
            if isinstance(obj, functools._lru_cache_wrapper) and getattr(obj, "__module__", "").startswith("kimi_research"):
                obj.cache_clear()
        return run_tests(self, mutant_name=mutant_name, tests=tests)

    PytestRunner.run_tests = run_tests_with_cold_caches  # type: ignore[method-assign]

    mapped, functions = MODULES[module]
    tests = tests or mapped
    cfg = config()
    cfg.only_mutate = [f"{PKG}/{module}"]
    cfg.pytest_add_cli_args_test_selection = list(tests)
    names = tuple(only or (f"{_dotted(module)}.{_mangled(f)}__mutmut_*" for f in functions or ()))
    # mutmut mutates a file only when its copy in mutants/ is not newer than the source; the copy left by the
    # run of another module is (mutmut copies the files it does not mutate), so remove it
    (ROOT / "mutants" / PKG / module).unlink(missing_ok=True)
    # mutmut's record of which test calls which function is kept between runs and only new tests are added to it:
    # a test that ran for another module was recorded without this module's functions ("no tests" for every
    # mutant), so the record is made again for each run
    (ROOT / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
    mm._run(names, max_children)


def results(module: str) -> dict[str, str]:
    """{mutant name: status} of ``module`` from mutmut's record in mutants/."""
    meta = ROOT / "mutants" / PKG / (module + ".meta")
    if not meta.exists():
        return {}
    from mutmut.stats import status_by_exit_code

    codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
    _, functions = MODULES[module]
    keep = None if functions is None else {_mangled(f) for f in functions}
    out = {}
    for name, code in codes.items():
        func = name.rsplit(".", 1)[-1].split("__mutmut_")[0]
        if keep is None or func in keep:
            out[name] = status_by_exit_code[code]
    return out


def diffs(module: str, names: list[str]) -> dict[str, list[str]]:
    """{mutant name: its changed lines ('- old', '+ new')}, from mutmut's mutation of the module's source
    (what ``mutmut show`` prints; mutants/ holds the mutated copy of the last module run only)."""
    import difflib
    import re

    from mutmut.mutation.file_mutation import mutate_file_contents

    path = f"{PKG}/{module}"
    src = mutate_file_contents(path, (ROOT / path).read_text(encoding="utf-8")).code

    def block(fn: str) -> list[str]:
        start = re.search(r"^( *)def " + re.escape(fn) + r"\(", src, re.M)
        if not start:
            return []
        # to the next line at the same or a lower indentation (nested functions stay inside)
        end = re.compile(rf"^ {{0,{len(start.group(1))}}}(?!\))\S", re.M).search(src, start.end())
        text = src[start.start() : end.start() if end else len(src)]
        return text.replace(fn, "f", 1).splitlines()  # the signature too (default values)

    out = {}
    for name in names:
        mangled = name.rsplit(".", 1)[1]
        orig = block(mangled.partition("__mutmut_")[0] + "__mutmut_orig")
        changed = difflib.unified_diff(orig, block(mangled), lineterm="", n=0)
        out[name] = [f"{d[0]} {d[1:].strip()}" for d in changed if d[:1] in "+-" and not d.startswith(("+++", "---"))]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("modules", nargs="*", help="modules under lib/kimi_research (default: all of MODULES)")
    ap.add_argument("--max-children", type=int, default=int(os.environ.get("JOBS", "2")))
    ap.add_argument("--report", action="store_true", help="print the table of the last runs, run nothing")
    ap.add_argument(
        "--survivors",
        action="store_true",
        help="run again only the mutants the last run did not kill (after adding tests: killed ones stay killed)",
    )
    ap.add_argument(
        "--tests",
        nargs="+",
        help="with --survivors: run the survivors against these test files only (the new ones: a survivor of the "
        "last run survived its mapped tests, and an unchanged test file gives the same verdict again)",
    )
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--only", nargs="*", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.tests and not a.one:  # '--tests FILE... MODULE': a module after the files is a module
        a.modules += [t for t in a.tests if not t.startswith("tests/")]
        a.tests = [t for t in a.tests if t.startswith("tests/")]
    if a.one:
        run_one(a.one, a.max_children, a.only, a.tests)
        return 0
    modules = a.modules or [m for m in MODULES if (ROOT / PKG / m).exists()]
    unknown = [m for m in modules if m not in MODULES]
    if a.tests and not a.survivors:
        ap.error("--tests goes with --survivors (a first run uses the mapped tests)")
    if unknown:
        ap.error(f"unknown module {', '.join(unknown)}; choose among: {', '.join(MODULES)}")
    summary_file = ROOT / "mutants" / "mutate-summary.json"
    summary = json.loads(summary_file.read_text(encoding="utf-8")) if summary_file.exists() else {}
    rows = []
    for m in modules:
        if a.report:  # the last run of each module, as recorded
            seconds, rc = summary.get(m, {}).get("seconds", float("nan")), summary.get(m, {}).get("returncode", 0)
        else:
            print(f"== {m}: mutating against {' '.join(a.tests or MODULES[m][0])}", flush=True)
            before = results(m) if a.survivors else {}
            left = [n for n, st in before.items() if st not in KILLED]
            if a.survivors and not left:
                print("   nothing to run again: no mutant survived the last run")
                continue
            t0 = time.monotonic()
            cmd = [sys.executable, __file__, "--one", m, "--max-children", str(a.max_children)]
            extra = (["--only", *left] if a.survivors else []) + (["--tests", *a.tests] if a.tests else [])
            proc = subprocess.run(cmd + extra, cwd=ROOT)
            seconds, rc = time.monotonic() - t0, proc.returncode
            if a.survivors:  # mutmut forgets every verdict when the tests change: keep the kills of the last run
                meta_path = ROOT / "mutants" / PKG / (m + ".meta")
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
                for n, st in before.items():
                    if st in KILLED:
                        meta["exit_code_by_key"][n] = 1
                meta_path.write_text(json.dumps(meta), encoding="utf-8")
                seconds += summary.get(m, {}).get("seconds", 0)
            summary[m] = {"seconds": round(seconds), "returncode": rc, "finished": time.strftime("%Y-%m-%d %H:%M")}
            summary_file.write_text(json.dumps(summary, indent=1), encoding="utf-8")
        res = results(m)
        killed = sum(s in KILLED for s in res.values())
        rows.append((m, len(res), killed, seconds, rc, res))
    print("\nmodule                              mutants  killed  survived  score   time")
    for m, n, killed, seconds, rc, _ in rows:
        score = f"{100 * killed / n:5.1f}%" if n else "   - "
        note = "" if rc == 0 else f"  (mutmut exited {rc})"
        print(f"{m:36s} {n:7d} {killed:7d} {n - killed:9d}  {score}  {seconds / 60:4.1f} min{note}")
    for m, *_, res in rows:
        left = sorted((n, s) for n, s in res.items() if s not in KILLED)
        if left:
            print(f"\nnot killed in {m}:")
            changes = diffs(m, [n for n, _ in left])
            for n, s in left:
                print(f"  {s:12s} {n.rsplit('.', 1)[1]}")
                for line in changes.get(n, []):
                    print(f"      {line[:160]}")
    return 0 if all(r[4] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
