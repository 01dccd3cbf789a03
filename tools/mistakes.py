"""The three mistakes of issue 24, and fresh mutations of the same kind, each applied to a copy of the package:
the fast tests of the module must fail on every one (``python tools/mistakes.py``; about four minutes).

Each mistake is one textual edit of one file (the edit must match exactly once, or the script says the source
changed and the mistake must be rewritten). The tests run on the copy (``PYTHONPATH`` puts its ``lib/`` first)
with the fast tier's markers, and the failing tests are printed: a mistake that no test catches is reported
and the script exits 1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FAST = "not notebook and not browser and not make"

# (name, file under lib/kimi_research, text, replacement, test files)
UNITS_TESTS = [
    "tests/data/test_units.py",
    "tests/data/test_units_properties.py",
    "tests/data/test_units_written.py",
    "tests/data/test_value_text.py",
]
MEASUREMENT_TESTS = ["tests/data/test_measurements.py"]
GRADING_TESTS = ["tests/analysis/test_grading.py"]
MISTAKES = [
    ("亿 as a count worth 1e7 (the unit table)", "data/units.py", '"亿": (1e8, "count")', '"亿": (1e7, "count")', UNITS_TESTS),
    ("亿 worth 1e7 when read in a value_text", "data/units.py", '    "亿": 1e8,', '    "亿": 1e7,', UNITS_TESTS),
    ("千万 as a count worth 1e6", "data/units.py", '"千万": (1e7, "count")', '"千万": (1e6, "count")', UNITS_TESTS),
    ("one-measurement tolerance 0.5% -> 5%", "data/measurements.py", "ROUNDING = 0.005", "ROUNDING = 0.05", MEASUREMENT_TESTS),
    ("one-measurement tolerance 0.5% -> 1%", "data/measurements.py", "ROUNDING = 0.005", "ROUNDING = 0.01", MEASUREMENT_TESTS),
    (
        "tolerance widened ten times where pairs are compared",
        "data/measurements.py",
        "within = (ref > 0) & (np.abs(a - b) / ref <= rel_tol)",
        "within = (ref > 0) & (np.abs(a - b) / ref <= 10 * rel_tol)",
        MEASUREMENT_TESTS,
    ),
    (
        "'every' when it holds in 60% of the combinations",
        "analysis/conclusions.py",
        'elif (ev["status"] == HOLDS).all():',
        'elif (ev["status"] == HOLDS).mean() >= 0.6:',
        GRADING_TESTS,
    ),
    (
        "'every' when it holds in any combination",
        "analysis/conclusions.py",
        'elif (ev["status"] == HOLDS).all():',
        'elif (ev["status"] == HOLDS).any():',
        GRADING_TESTS,
    ),
    (
        "'every' when the share of scenarios holding is 60% or more",
        "analysis/conclusions.py",
        'elif (ev["status"] == HOLDS).all():',
        "elif share is not None and share >= 0.6:",
        GRADING_TESTS,
    ),
]


def _copy(dst: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    for name in ("lib", "tests", "data", "docs", "notebooks"):
        shutil.copytree(ROOT / name, dst / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md", "CHANGELOG.md", "environment.yml", "jupytext.toml"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, dst / name)


def main() -> int:
    missed = []
    for name, module, text, new, tests in MISTAKES:
        with tempfile.TemporaryDirectory(prefix="mistake-") as tmp:
            copy = Path(tmp)
            _copy(copy)
            path = copy / "lib" / "kimi_research" / module
            source = path.read_text(encoding="utf-8")
            if source.count(text) != 1:
                print(f"!! {name}: {module} no longer contains {text!r} exactly once; rewrite this mistake")
                missed.append(name)
                continue
            path.write_text(source.replace(text, new), encoding="utf-8")
            env = dict(os.environ, PYTHONPATH=str(copy / "lib"), PYTHONDONTWRITEBYTECODE="1", KIMI_RESEARCH_NO_CACHE="1")
            cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", FAST, "-rf", "--tb=no", *tests]
            proc = subprocess.run(cmd, cwd=copy, env=env, capture_output=True, text=True)
            failed = [line.split(" ", 2)[1] for line in proc.stdout.splitlines() if line.startswith("FAILED ")]
            print(f"== {name} ({module}: {text!r} -> {new!r})")
            if proc.returncode == 1 and failed:
                print(f"   caught by {len(failed)} failing test(s):")
                for f in failed:
                    print(f"     {f}")
            else:
                print(f"   NOT CAUGHT (pytest exited {proc.returncode})")
                print(proc.stdout[-2000:])
                missed.append(name)
    if missed:
        print(f"\n{len(missed)} mistake(s) not caught: {'; '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
