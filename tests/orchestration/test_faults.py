"""Fault injection for the runner: every bad command-line input is one line naming the option
and the value (never a traceback), runs with parameters never touch the canonical results, and
a killed `make run` leaves nothing behind and recovers to byte-identical results.

The command-line cases run in-process (``kimi_research.__main__.main``); the lock, `build`-is-
a-file, read-only, full-disk and kill cases drive `make run` in a temporary build folder
(BUILD=...), marked ``make`` (or ``notebook`` when notebooks run) so that `make test-fast` skips them."""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kimi_research import paths, registry
from kimi_research.__main__ import main
from kimi_research.errors import KimiResearchError
from kimi_research.orchestration import runner
from kimi_research.orchestration.results import ResultsError, atomic_write_text, default_parameters, read_canonical, write_results

ROOT = paths.ROOT
NB = "01_user_decline"


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    env.pop(paths.RUN_DIR_ENV, None)
    env.update(extra)
    return env


@pytest.fixture(autouse=True)
def _results_unchecked(monkeypatch):
    """These tests are about where results go, not what they hold: the results models (tested in
    tests/orchestration/test_results_models.py) would refuse the one-key payloads written here."""
    monkeypatch.setattr("kimi_research.orchestration.results.validate_results", lambda notebook, payload: None)


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """Run the command line in-process from a scratch folder; returns (exit status, stderr)."""
    work = tmp_path / "elsewhere"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("KIMI_RESEARCH_BUILD_DIR", str(tmp_path / "build"))

    def _run(*argv: str) -> tuple[int, str]:
        code = main(list(argv))
        err = capsys.readouterr().err
        return code, err

    return _run


# --- -f / -p / grid / build: one line naming the option and the value --------------------------
def test_missing_file(cli, tmp_path):
    code, err = cli("run", NB, "-f", "nope.yaml")
    assert code == 2
    assert err == (
        f"error: -f nope.yaml: no such file (relative paths are read from the folder you run "
        f"the command in: {tmp_path / 'elsewhere'})\n"
    )


def test_relative_file_from_another_folder_is_read_from_there_or_named(cli, tmp_path):
    rel = f"notebooks/params/{NB}/doubao.yaml"
    code, err = cli("run", NB, "-f", rel)
    assert code == 2
    assert err == (
        f"error: -f {rel}: no such file (relative paths are read from the folder you run the command "
        f"in: {tmp_path / 'elsewhere'}); did you mean {ROOT / rel}?\n"
    )
    # and a relative path that exists in the caller's folder is read from there
    (tmp_path / "elsewhere" / "mine.yaml").write_text("forecast_months: 1e1\n", encoding="utf-8")
    assert runner.load_params(["mine.yaml"], None) == {"forecast_months": 10.0}


def test_directory(cli, tmp_path):
    (tmp_path / "elsewhere" / "set.yaml").mkdir()
    assert cli("run", NB, "-f", "set.yaml") == (2, "error: -f set.yaml: is a folder, not a YAML file\n")


def test_non_utf8_file(cli, tmp_path):
    (tmp_path / "elsewhere" / "gbk.yaml").write_bytes("entity: 豆包\n".encode("gbk"))
    code, err = cli("run", NB, "-f", "gbk.yaml")
    assert (code, err) == (2, "error: -f gbk.yaml: not UTF-8 text (byte 0xb6 at offset 8); save the file as UTF-8\n")


def test_yaml_syntax_error_in_file(cli, tmp_path):
    (tmp_path / "elsewhere" / "bad.yaml").write_text("entity: kimi\nmetric: [mau\n", encoding="utf-8")
    code, err = cli("run", NB, "-f", "bad.yaml")
    assert (code, err) == (
        2,
        "error: -f bad.yaml: YAML syntax error (line 3, column 1): while parsing a flow "
        "sequence, expected ',' or ']', but got '<stream end>'\n",
    )


def test_file_that_is_not_a_mapping(cli, tmp_path):
    (tmp_path / "elsewhere" / "list.yaml").write_text("- kimi\n", encoding="utf-8")
    code, err = cli("run", NB, "-f", "list.yaml")
    assert (code, err) == (2, "error: -f list.yaml: expected a mapping of parameter names to values (name: value), got a list\n")


def test_yaml_syntax_error_in_p(cli):
    code, err = cli("run", "04_competitor_comparison", "-p", "entities", "[kimi, doubao")
    assert (code, err) == (
        2,
        "error: -p entities [kimi, doubao: YAML syntax error: while parsing a flow sequence, "
        "expected ',' or ']', but got '<stream end>'\n",
    )


def test_impossible_date_in_p_and_in_file(cli, tmp_path):
    code, err = cli("run", NB, "-p", "start", "2025-02-30")
    assert (code, err) == (2, "error: -p start 2025-02-30: '2025-02-30' is not a real date (day is out of range for month)\n")
    (tmp_path / "elsewhere" / "dates.yaml").write_text("start: 2025-01-01\nend: 2025-13-01\n", encoding="utf-8")
    code, err = cli("run", NB, "-f", "dates.yaml")
    assert (code, err) == (
        2,
        "error: -f dates.yaml: '2025-13-01' is not a real date (month must be in 1..12) (line 2, column 6)\n",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1e3", 1000.0),
        ("1E3", 1000.0),
        ("1e308", 1e308),
        ("-2.5e-3", -0.0025),
        ("1_000", 1000),
        ("inf", math.inf),
        ("-inf", -math.inf),
        ("Infinity", math.inf),
        ("0.3", 0.3),
        ("6", 6),
        ("'1e3'", "1e3"),
        ("kimi", "kimi"),
        ("2025-06-01", "2025-06-01"),
        ("[kimi, doubao]", ["kimi", "doubao"]),
    ],
)
def test_numbers_in_any_notation_are_numbers(text, expected):
    value = runner.parse_value("x", text)
    assert value == expected and type(value) is type(expected)


def test_nan_is_a_number_in_p_and_in_files(tmp_path):
    assert math.isnan(runner.parse_value("x", "nan"))
    f = tmp_path / "p.yaml"
    f.write_text("a: 1e3\nb: NaN\nc: '2e2'\n", encoding="utf-8")
    got = runner.load_params([str(f)], [["d", "1e-2"]])
    assert got["a"] == 1000.0 and math.isnan(got["b"]) and got["c"] == "2e2" and got["d"] == 0.01


def test_missing_and_malformed_sweep_grid(cli, tmp_path):
    code, err = cli("sweep", "00_data_audit", "grid.yaml")
    assert (code, err) == (
        2,
        f"error: grid grid.yaml: no such file (relative paths are read from the folder you "
        f"run the command in: {tmp_path / 'elsewhere'})\n",
    )
    (tmp_path / "elsewhere" / "grid.yaml").write_text("runs: [1, 2]\n", encoding="utf-8")
    code, err = cli("sweep", "00_data_audit", "grid.yaml")
    assert (code, err) == (2, "error: grid grid.yaml: a grid list must hold parameter mappings ({name: value, ...})\n")


def test_unknown_notebook(cli):
    code, err = cli("run", "05_nothing")
    assert (code, err) == (2, f"error: no notebook '05_nothing'; known: {', '.join(registry.NAMES)}\n")


def test_build_is_a_file(cli, tmp_path):
    (tmp_path / "build").write_text("not a folder\n", encoding="utf-8")
    b = tmp_path / "build"
    expected = (
        f"error: {b} is a file, but outputs need a folder there (to create {b}); move or delete that file, "
        f"or point KIMI_RESEARCH_BUILD_DIR (make: BUILD=...) elsewhere\n"
    )
    assert cli("run", "00_data_audit") == (2, expected)
    assert cli("run", "00_data_audit", "-p", "tolerance", "0.1") == (2, expected)


@pytest.mark.make
def test_build_is_a_file_through_make(tmp_path):
    b = tmp_path / "build"
    b.write_text("x\n", encoding="utf-8")
    proc = subprocess.run(
        ["make", "--no-print-directory", "run", f"BUILD={b}"],
        cwd=ROOT,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert (
        f"error: {b} is a file, but outputs need a folder there (to create {b}); move or delete that file, "
        f"or point KIMI_RESEARCH_BUILD_DIR (make: BUILD=...) elsewhere"
    ) in proc.stderr.splitlines()


@pytest.mark.make
def test_the_real_command_line_prints_no_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "kimi_research", "run", NB, "-p", "start", "2025-02-30"],
        cwd=tmp_path,
        env=clean_env(KIMI_RESEARCH_BUILD_DIR=str(tmp_path / "b")),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr == ("error: -p start 2025-02-30: '2025-02-30' is not a real date (day is out of range for month)\n")


def _in_a_private_mount(setup: str, build: Path) -> list[str] | None:
    """A command prefix that runs a command after ``setup`` (a mount on ``build``, written BUILD) in
    a mount namespace of its own (as root, or in an unprivileged user namespace), or None where
    neither is allowed. The mount is gone when the command ends."""
    script = setup.replace("BUILD", shlex.quote(str(build)))
    for unshare in (["unshare", "-m"], ["unshare", "-r", "-m"]):
        try:
            probe = subprocess.run([*unshare, "sh", "-c", script], capture_output=True, text=True, timeout=30)
        except OSError:  # no unshare at all
            return None
        if probe.returncode == 0:
            return [*unshare, "sh", "-c", script + ' && exec "$@"', "sh"]
    return None


def _make_run_in(prefix: list[str], build: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*prefix, "make", "--no-print-directory", "run", f"BUILD={build}"],
        cwd=ROOT,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.make
def test_a_read_only_build_is_one_line_from_make_run(tmp_path):
    """A read-only bind mount of build/ (refuses root too); as a user without namespaces, chmod."""
    build = tmp_path / "build"
    build.mkdir()
    prefix = _in_a_private_mount("mount --bind -o ro BUILD BUILD", build)
    expected = (
        f"error: {build}: cannot write there (a read-only file system); point KIMI_RESEARCH_BUILD_DIR (make: BUILD=...) elsewhere"
    )
    if prefix is None:
        if os.geteuid() == 0:
            pytest.skip("no mount namespace here, and chmod does not stop root")
        build.chmod(0o555)
        prefix = []
        expected = (
            f"error: {build}: cannot write there (Permission denied); make it writable (chmod u+w, chattr -i) "
            "or point KIMI_RESEARCH_BUILD_DIR (make: BUILD=...) elsewhere"
        )
    try:
        proc = _make_run_in(prefix, build)
    finally:
        build.chmod(0o755)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.splitlines()[0] == expected
    assert list(build.iterdir()) == []


@pytest.mark.make
def test_a_full_build_disk_is_one_line_from_make_run(tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    prefix = _in_a_private_mount("mount -t tmpfs -o size=256k tmpfs BUILD", build)
    if prefix is None:
        pytest.skip("no mount namespace here to mount a small file system")
    proc = _make_run_in(prefix, build)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.splitlines()[0] == (
        f"error: {build}: no space left on its disk (No space left on device); free some space or point "
        "KIMI_RESEARCH_BUILD_DIR (make: BUILD=...) elsewhere"
    )


# --- one canonical result per notebook ---------------------------------------------------------
@pytest.fixture
def build(tmp_path, monkeypatch):
    b = tmp_path / "build"
    monkeypatch.setenv("KIMI_RESEARCH_BUILD_DIR", str(b))
    monkeypatch.delenv(paths.RUN_DIR_ENV, raising=False)
    paths.begin_run()
    yield b
    paths.begin_run()


def test_results_of_a_run_go_to_its_own_folder_every_time(build, capsys):
    first = write_results("00_data_audit", {"x": 1}, default_parameters("00_data_audit"))
    assert first.parent.parent.parent == build / "runs" and re.fullmatch(
        r"00_data_audit-\d{8}-\d{6}(-\d+)?", first.parent.parent.name
    )
    assert f"writes its results and figures to {first.parent.parent}" in capsys.readouterr().out
    paths.begin_run()  # what a successful validation cell does
    second = write_results("00_data_audit", {"x": 1}, default_parameters("00_data_audit"))
    assert second.parent.parent != first.parent.parent
    assert not (build / "results").exists(), "only a default `make run` writes build/results"


def test_runner_run_dir_and_failed_validation(build, monkeypatch):
    monkeypatch.setenv(paths.RUN_DIR_ENV, str(build / "mine"))
    assert write_results("00_data_audit", {}, {}) == build / "mine" / "results" / "00_data_audit.json"
    paths.invalidate_run("the parameters failed validation")
    with pytest.raises(KimiResearchError) as e:
        write_results("00_data_audit", {}, {})
    assert str(e.value) == (
        "00_data_audit: nothing written: the parameters failed validation. Fix the parameters "
        "and run the notebook again from the top (Run All)"
    )


def test_a_kernel_whose_validation_cell_failed_writes_nothing(build):
    """A Run All that stops at the validation cell, in a kernel holding an earlier run's state."""
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    try:
        paths._RUN["hooked"] = False
        paths._hook_ipython()
        ok = ip.run_cell("import kimi_research as kr\nkr.write_results('00_data_audit', {'x': 1}, {})")
        assert ok.success
        bad = ip.run_cell("def validate_parameters():\n    raise ValueError('tolerance = 2')\nvalidate_parameters()")
        assert not bad.success
        again = ip.run_cell("kr.write_results('00_data_audit', {'x': 2}, {})")
        assert not again.success and "nothing written: the parameters failed validation" in str(again.error_in_exec)
        fixed = ip.run_cell("def validate_parameters():\n    return 1\nvalidate_parameters()")
        assert fixed.success
        assert ip.run_cell("kr.write_results('00_data_audit', {'x': 3}, {})").success
        written = sorted(json.loads(p.read_text(encoding="utf-8"))["x"] for p in (build / "runs").rglob("*.json"))
        assert written == [1, 3], "two runs, two folders; nothing written by the failed one"
    finally:
        for cb in list(ip.events.callbacks["post_run_cell"]):
            ip.events.unregister("post_run_cell", cb)
        InteractiveShell.clear_instance()
        paths._RUN["hooked"] = True


def test_read_canonical_refuses_missing_and_non_default_results(build):
    name = "02_ad_spend_bubble"
    res = build / "results" / f"{name}.json"
    with pytest.raises(ResultsError) as e:
        read_canonical(name)
    assert str(e.value) == (f"{res}: no default results for {name}; run `make run` (only a default run writes build/results)")
    params = default_parameters(name)
    atomic_write_text(res, json.dumps({"notebook": name, "parameters": {**params, "cpa_yuan": 30.0}, "x": 1}))
    with pytest.raises(ResultsError) as e:
        read_canonical(name)
    assert str(e.value) == (
        f"{res} was made with non-default parameters: cpa_yuan=30.0 (default "
        f"{params['cpa_yuan']!r}); run `make run` to restore the default results"
    )
    atomic_write_text(res, json.dumps({"notebook": name, "parameters": params, "x": 1}))
    assert read_canonical(name)["x"] == 1


def test_outputs_get_normal_permissions(tmp_path):
    out = tmp_path / "r.json"
    atomic_write_text(out, "{}")
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


# --- concurrency and kills -------------------------------------------------------------------
def _holder(lock: Path) -> subprocess.Popen:
    """A process holding the run lock until a line arrives on its stdin."""
    code = (
        "import fcntl, os, sys\n"
        "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\nfcntl.flock(fd, fcntl.LOCK_EX)\n"
        "os.write(fd, b'pid 1, started 00:00:00')\nprint('locked', flush=True)\nsys.stdin.readline()\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(lock)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


@pytest.mark.make
def test_a_second_make_run_waits_for_the_first(tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    holder = _holder(build / ".run.lock")
    second = subprocess.Popen(
        [sys.executable, "-m", "kimi_research", "make-run", "--dry-run"],
        cwd=ROOT,
        env=clean_env(KIMI_RESEARCH_BUILD_DIR=str(build)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first_line = second.stderr.readline()  # blocks until the second run reports that it waits
    assert first_line == (f"another `make run` is writing {build} (pid 1, started 00:00:00); waiting for it to finish...\n")
    time.sleep(1)
    assert second.poll() is None, "it waits while the lock is held"
    assert not [p for p in build.rglob("*") if p.name != ".run.lock"], "nothing done while waiting"
    holder.communicate("release\n", timeout=30)
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert err == "the other run finished; continuing\n"
    assert set(out.split()) == set(registry.NAMES), "an empty build: every notebook is due"
    assert not [p for p in build.rglob("*") if p.name != ".run.lock"], "the queue is private and removed"


def processes_of(build: Path) -> list[int]:
    """Processes (any descendant of a run: make, runner, workers, kernels) working on ``build``."""
    marker = f"KIMI_RESEARCH_BUILD_DIR={build}\0".encode()
    pids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit() and int(d.name) != os.getpid():
            try:
                if marker in (d / "environ").read_bytes():
                    pids.append(int(d.name))
            except OSError:
                continue
    return pids


def _start_make_run(build: Path, runtime: Path, tmp: Path) -> subprocess.Popen:
    return subprocess.Popen(
        ["make", "--no-print-directory", "run", f"BUILD={build}", "JOBS=2", f"JUPYTER_RUNTIME_DIR={runtime}"],
        cwd=ROOT,
        env=clean_env(TMPDIR=str(tmp)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _wait_for(proc: subprocess.Popen, cond, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if proc.poll() is not None:
            pytest.fail(f"make run ended before it could be killed:\n{proc.communicate()[0][-2000:]}")
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            pytest.fail("make run never reached the point to kill it")
        time.sleep(0.2)


def _gone_within(build: Path, seconds: float) -> float:
    t0 = time.monotonic()
    while processes_of(build) and time.monotonic() - t0 < seconds:
        time.sleep(0.1)
    return time.monotonic() - t0


def stray_files(build: Path) -> list[str]:
    return sorted(
        str(p.relative_to(build))
        for p in build.rglob("*")
        if (p.name.startswith(".") and p.name != ".run.lock") or ".tmp" in p.name
    )


@pytest.mark.notebook
def test_killed_make_run_leaves_nothing_and_recovers(tmp_path, capsys):
    """SIGTERM to make (as `kill <pid>` does) mid-run: workers and kernels die with it, partial
    notebooks are kept as .failed.ipynb, no temp file remains; the next run re-runs only what
    did not finish and gives byte-identical results."""
    build, runtime, tmp = tmp_path / "build", tmp_path / "runtime", tmp_path / "tmp"
    tmp.mkdir()
    t0 = time.monotonic()
    proc = _start_make_run(build, runtime, tmp)
    results, executed = build / "results", build / "executed"

    def done() -> list[str]:  # the executed notebook is promoted last: make's target
        return sorted(p.stem for p in executed.glob("[0-9][0-9]_*.ipynb") if not p.name.endswith(".failed.ipynb"))

    _wait_for(proc, lambda: bool(done()) and any(runtime.glob("kernel-*.json")))
    killed_at = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    finished = done()  # after the kill: a notebook may have finished just before the signal
    gone = _gone_within(build, 60)
    assert not processes_of(build), f"processes survived the kill: {processes_of(build)}"
    assert "interrupted" in out, out
    assert stray_files(build) == [], "temp files or staging folders left behind"
    assert not list(runtime.glob("kernel-*.json")) and not list(tmp.iterdir()), "connection or temp files left"
    kept = sorted(p.name.removesuffix(".failed.ipynb") for p in (build / "executed").glob("*.failed.ipynb"))
    assert kept and not set(kept) & set(finished), "the interrupted notebooks are kept as .failed.ipynb"
    for name in kept:
        json.loads((build / "executed" / f"{name}.failed.ipynb").read_text(encoding="utf-8"))

    t1 = time.monotonic()
    again = subprocess.run(
        ["make", "--no-print-directory", "run", f"BUILD={build}", "JOBS=2", f"JUPYTER_RUNTIME_DIR={runtime}"],
        cwd=ROOT,
        env=clean_env(TMPDIR=str(tmp)),
        capture_output=True,
        text=True,
        timeout=900,
    )
    recovered = time.monotonic() - t1
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    reran = set(re.findall(r"^ran (\S+)", again.stdout, flags=re.M))
    assert reran == set(registry.NAMES) - set(finished), "only what had not finished runs again"
    assert sorted(p.stem for p in results.glob("*.json")) == sorted(registry.NAMES)
    assert not list((build / "executed").glob("*.failed.ipynb")) and stray_files(build) == []
    assert not processes_of(build) and not list(tmp.iterdir())
    compared = 0
    for name in registry.NAMES:
        try:
            read_canonical(name)  # build/ of the checkout holds the default results (make test runs make run)
        except ResultsError:
            continue
        assert (results / f"{name}.json").read_bytes() == (paths.results_dir() / f"{name}.json").read_bytes(), name
        compared += 1
    with capsys.disabled():
        print(
            f"\n[kill/recover] killed after {killed_at - t0:.1f}s ({len(finished)} done), processes gone "
            f"{gone:.1f}s after the kill, recovery run {recovered:.1f}s ({len(reran)} notebooks), "
            f"{compared} results compared byte for byte with build/results"
        )


@pytest.mark.notebook
def test_sigkill_of_the_whole_run_is_reaped_by_the_next(tmp_path):
    """SIGKILL to make and the runner (no cleanup can run): kernels still die (PR_SET_PDEATHSIG)
    and the next run reaps the staging folder, keeping the partial notebook as .failed.ipynb."""
    build, runtime, tmp = tmp_path / "build", tmp_path / "runtime", tmp_path / "tmp"
    tmp.mkdir()
    proc = _start_make_run(build, runtime, tmp)
    staging = build / ".staging"
    _wait_for(proc, lambda: any(runtime.glob("kernel-*.json")) and any(staging.glob("*/executed/*.ipynb")))
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert _gone_within(build, 30) < 30 and not processes_of(build), "kernels must not outlive the run"
    started = sorted({p.stem for p in staging.glob("*/executed/*.ipynb")})
    reap = subprocess.run(
        [sys.executable, "-m", "kimi_research", "make-run", "--dry-run"],
        cwd=ROOT,
        env=clean_env(KIMI_RESEARCH_BUILD_DIR=str(build), JUPYTER_RUNTIME_DIR=str(runtime)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert reap.returncode == 0, reap.stderr
    assert not staging.exists() and stray_files(build) == []
    assert not list(runtime.glob("kernel-kimi-*.json")), "connection files of killed kernels are reaped"
    kept = sorted(p.name.removesuffix(".failed.ipynb") for p in (build / "executed").glob("*.failed.ipynb"))
    assert kept == started
    for name in kept:
        assert (
            f"kept the partial notebook of an interrupted run as {build / 'executed' / (name + '.failed.ipynb')}"
            in reap.stderr.splitlines()
        )


@pytest.mark.notebook
def test_sigkill_of_make_alone_leaves_no_worker(tmp_path, capsys):
    """SIGKILL to make only (not its process group), as `kill -9 <make>` does: the recipe execs the
    runner, so make is its parent and PR_SET_PDEATHSIG reaches it; the runner stops its workers,
    which kill their kernels. Nothing of that run is left a few seconds later."""
    build, runtime, tmp = tmp_path / "build", tmp_path / "runtime", tmp_path / "tmp"
    tmp.mkdir()
    proc = _start_make_run(build, runtime, tmp)
    _wait_for(proc, lambda: any(runtime.glob("kernel-*.json")))
    assert processes_of(build)
    os.kill(proc.pid, signal.SIGKILL)
    gone = _gone_within(build, 15)
    left = processes_of(build)
    for pid in left:  # do not leave them running for the rest of the suite
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert not left, f"processes of the killed run still there after {gone:.0f}s: {left}"
    with capsys.disabled():
        print(f"\n[sigkill make] every process of the run gone {gone:.1f}s after make was killed")


@pytest.mark.notebook
def test_a_checkout_path_with_spaces(tmp_path):
    """`make run` in a checkout whose path has spaces: it works and creates nothing outside it."""
    import shutil

    parent = tmp_path / "my projects"
    repo = parent / "kimi research"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for d in ("lib", "notebooks", "data"):
        shutil.copytree(ROOT / d, repo / d, ignore=ignore)
    for f in ("Makefile", "pyproject.toml"):
        shutil.copy2(ROOT / f, repo / f)
    (repo / ".venv").symlink_to(ROOT / ".venv")
    env = clean_env(PYTHONPATH=str(repo / "lib"), KIMI_RESEARCH_SEEDS_DIR=str(paths.seeds_dir()))
    for var in (
        "KIMI_RESEARCH_BUILD_DIR",
        "KIMI_RESEARCH_DATA_DIR",
        "MPLCONFIGDIR",
        "IPYTHONDIR",
        "JUPYTER_RUNTIME_DIR",
        "JUPYTER_CONFIG_DIR",
    ):
        env.pop(var, None)
    proc = subprocess.run(
        ["make", "--no-print-directory", "run", "ONLY=00_data_audit"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "ran 00_data_audit" in proc.stdout
    res = json.loads((repo / "build" / "results" / "00_data_audit.json").read_text(encoding="utf-8"))
    assert res["parameters"] == default_parameters("00_data_audit")
    assert (repo / "build" / "deps" / "00_data_audit.mk").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my projects"]
    assert sorted(p.name for p in parent.iterdir()) == ["kimi research"], "nothing created outside the checkout"
    assert not list((repo / "build" / "cache" / "jupyter-runtime").glob("kernel-*.json"))
