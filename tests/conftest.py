"""Shared fixtures: run a notebook with papermill into a temporary run folder, read its results.

``run_notebook(name, params)`` executes ``notebooks/<name>.ipynb`` in a subprocess with the
runner's ``--output-dir`` (the run folder: executed/, results/, figures/) and
``KIMI_RESEARCH_BUILD_DIR`` pointing at a fresh temporary folder, so test runs never touch
``build/`` and can run in parallel (pytest-xdist). ``default_results(name)`` reads the
canonical results of ``make run`` through ``results.read_canonical`` (which refuses results
made with other than the default parameters) when they are newer than every input the runner
records for the notebook, and otherwise executes the notebook with its default parameters.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from kimi_research import paths
from kimi_research.errors import KimiResearchError
from kimi_research.orchestration.results import read_canonical
from kimi_research.orchestration.runner import notebook_dependencies


@dataclass
class NotebookRun:
    name: str
    returncode: int
    stdout: str
    stderr: str
    build_dir: Path
    results: dict | None

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def executed(self) -> Path:
        d = self.build_dir / "executed"
        ok = d / f"{self.name}.ipynb"
        return ok if ok.exists() else d / f"{self.name}.failed.ipynb"


def _inputs_mtime(name: str) -> float:
    """Newest input of a default run of ``name``: the files make tracks for it."""
    files = [*notebook_dependencies(name), *paths.data_dir().rglob("*")]
    return max(f.stat().st_mtime for f in files if f.is_file())


def execute(name: str, params: dict | None, build_dir: Path) -> NotebookRun:
    build_dir.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "kimi_research", "run", name, "--no-html", "--output-dir", str(build_dir)]
    if params:
        pfile = build_dir / "params.yaml"
        pfile.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
        cmd += ["-f", str(pfile)]
    env = dict(os.environ, KIMI_RESEARCH_BUILD_DIR=str(build_dir))
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900, cwd=paths.ROOT)
    res_file = build_dir / "results" / f"{name}.json"
    results = json.loads(res_file.read_text(encoding="utf-8")) if res_file.exists() else None
    return NotebookRun(name, proc.returncode, proc.stdout, proc.stderr, build_dir, results)


@pytest.fixture
def run_notebook(tmp_path):
    """Execute a notebook with parameters; returns a NotebookRun (check .returncode yourself)."""
    counter = iter(range(1000))

    def _run(name: str, params: dict | None = None) -> NotebookRun:
        return execute(name, params, tmp_path / f"run{next(counter)}")

    return _run


@pytest.fixture(scope="session")
def default_results(tmp_path_factory):
    """Results JSON of a notebook run with its default parameters (from `make run` if fresh)."""
    cache: dict[str, dict] = {}

    def _get(name: str) -> dict:
        if name in cache:
            return cache[name]
        executed = paths.executed_dir() / f"{name}.ipynb"
        if executed.exists() and executed.stat().st_mtime >= _inputs_mtime(name):
            try:
                cache[name] = read_canonical(name)
                return cache[name]
            except KimiResearchError:
                pass  # missing or not the defaults: compute them below
        run = execute(name, None, tmp_path_factory.mktemp(name))
        assert run.returncode == 0, f"{name} failed with default parameters:\n{run.output[-3000:]}"
        cache[name] = run.results
        return run.results

    return _get


# A frozen copy of data/ (taken when the evidence base was migrated): exact-value tests run on it,
# so they keep asserting real numbers however data/ grows. Tests about the live data use live_ds
# and derive what they expect from it.
FROZEN_DATA = Path(__file__).parent / "fixtures" / "data"


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "frozen_data: run with KIMI_RESEARCH_DATA_DIR pointing at tests/fixtures/data "
        "(notebooks executed by the test read the frozen copy too)",
    )


@pytest.fixture(autouse=True)
def _frozen_data_marker(request, monkeypatch):
    if request.node.get_closest_marker("frozen_data"):
        monkeypatch.setenv("KIMI_RESEARCH_DATA_DIR", str(FROZEN_DATA))


@pytest.fixture(scope="session")
def ds():
    """The frozen fixture copy of data/ (tests/fixtures/data): for tests that assert exact values."""
    import kimi_research as kr

    return kr.load(FROZEN_DATA)


@pytest.fixture(scope="session")
def live_ds():
    """The live data/ (what notebooks and `make run` read): for tests that derive what they expect."""
    import kimi_research as kr

    return kr.load(paths.ROOT / "data")


@pytest.fixture(scope="session")
def analysed():
    """``analysed(name, data, overrides=None, **kwargs)`` -> (analysis, P): notebook ``name``'s analysis of
    ``data`` with its default parameters updated by ``overrides`` (validated against ``data``), computed once per
    test worker. A whole analysis takes one to three seconds and many tests read the same one; the tests that use
    this only read it (the sections are frozen; their tables must not be modified in place)."""
    from kimi_research import registry, validate_parameters
    from kimi_research.params import defaults

    cache: dict[tuple, tuple] = {}

    def _get(name: str, data, overrides: dict | None = None, **kwargs):
        key = (name, id(data), tuple(sorted((overrides or {}).items())), tuple(sorted(kwargs.items())))
        if key not in cache:
            P = validate_parameters(name, {**defaults(name), **(overrides or {})}, data)
            cache[key] = (registry.get(name).module().analyse(data, P, **kwargs), P, data)  # data kept: id stays unique
        an, P, _ = cache[key]
        return an, P

    return _get
