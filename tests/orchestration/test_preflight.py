"""What the runner checks before any notebook runs (kimi_research.orchestration.runner.preflight).

Nothing unverified is published: a quote that is not in its source's archived text stops `run`,
`make-run` and `make run` before a kernel starts, naming each row, and leaves the build folder as
it was; quotes without an archived text (tier-2 web pages) do not stop a run. A build folder that
cannot be written is one line naming it. Every case works on a copy of the frozen data in a
temporary folder (KIMI_RESEARCH_DATA_DIR), never on data/.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

import kimi_research as kr
from kimi_research import paths
from kimi_research.__main__ import main
from kimi_research.data import provenance
from kimi_research.orchestration.runner import preflight

FROZEN_DATA = Path(__file__).parents[1] / "fixtures" / "data"
ROW, SOURCE, ARCHIVE = "o001_14", "s001", "001_c1d1912cf0fb53bb.txt"
# a number the article gives, in words it does not use: the quote is not in the archived text
MADE_UP = "11月达到2亿元人民币"


def edit_observation(data: Path, rid: str, **change: str) -> None:
    path = data / "observations.csv"
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        header, rows = list(reader.fieldnames or []), list(reader)
    (hit,) = [r for r in rows if r["obs_id"] == rid]
    hit.update(change)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


@pytest.fixture(autouse=True)
def _not_under_make(monkeypatch):
    """`make-run` in-process: not as a child of make (it would arm PR_SET_PDEATHSIG on pytest)."""
    for var in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS", "KIMI_RESEARCH_MAKE_PID"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def made_up_quote(tmp_path, monkeypatch):
    """A copy of the frozen data whose row o001_14 quotes its article in words the article does not use."""
    data = tmp_path / "data"
    shutil.copytree(FROZEN_DATA, data)
    edit_observation(data, ROW, quote=MADE_UP)
    monkeypatch.setenv("KIMI_RESEARCH_DATA_DIR", str(data))
    return data


@pytest.fixture
def no_kernel(monkeypatch):
    """Fail the test if a notebook starts executing."""

    def refuse(*a, **k):
        raise AssertionError("a notebook was executed")

    for module in ("build", "execute"):
        monkeypatch.setattr(f"kimi_research.orchestration.runner.{module}.execute", refuse)


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def expected_refusal(data: Path) -> str:
    return (
        "error: 1 quote is not in the archived text of its source; nothing was run and build/ is unchanged:\n"
        f"  {data / 'observations.csv'}: {ROW} (source {SOURCE}): quote '{MADE_UP}' is not in "
        f"{data / 'sources' / ARCHIVE}; copy it verbatim from that file\n"
        "  (white space may differ; flag the row gloss_removed if pinyin glosses were removed from the quote; "
        "`make check-data` checks every table and quote)\n"
    )


def test_the_made_up_quote_loads_but_is_not_in_its_article(made_up_quote):
    """The premise: the loader accepts the row (value_text is in the quote); only provenance sees it."""
    ds = kr.load(made_up_quote)
    status = provenance.quote_status(ds).set_index("id")
    assert status.at[ROW, "status"] == provenance.NOT_FOUND
    assert ds.sources.at[SOURCE, "archive"] == ARCHIVE


@pytest.mark.parametrize(
    "argv",
    [["run", "00_data_audit"], ["run", "00_data_audit", "-p", "tolerance", "0.1"], ["make-run"], ["run-many", "00_data_audit"]],
)
def test_a_quote_missing_from_its_article_stops_the_runner_before_anything_runs(
    made_up_quote, no_kernel, tmp_path, monkeypatch, capsys, argv
):
    build = tmp_path / "build"
    (build / "results").mkdir(parents=True)
    (build / "results" / "00_data_audit.json").write_text("{}", encoding="utf-8")
    before = tree(build)
    monkeypatch.setenv("KIMI_RESEARCH_BUILD_DIR", str(build))
    assert main(argv) == 2
    assert capsys.readouterr().err == expected_refusal(made_up_quote)
    assert tree(build) == before and sorted(p.name for p in build.iterdir()) == ["results"], "build/ untouched"


def test_every_row_is_named(made_up_quote, no_kernel):
    edit_observation(
        made_up_quote, "o002_03", quote="这句话不在文章里：" + kr.load(FROZEN_DATA).observations.at["o002_03", "value_text"]
    )
    with pytest.raises(preflight.UnverifiedQuotes) as e:
        preflight.check_quotes()
    lines = str(e.value).splitlines()
    assert lines[0] == "2 quotes are not in the archived text of their source; nothing was run and build/ is unchanged:"
    assert [ln.split(": ")[1].split(" ")[0] for ln in lines[1:3]] == ["o001_14", "o002_03"]
    assert "(source s002)" in lines[2] and "002_9429049f51b275d9.txt" in lines[2]


def test_quotes_without_an_archived_text_keep_their_status_and_do_not_stop_a_run(tmp_path, monkeypatch):
    """Tier-2 sources read online have no archived text: their quotes cannot be checked and pass."""
    data = tmp_path / "data"
    shutil.copytree(paths.ROOT / "data", data)
    monkeypatch.setenv("KIMI_RESEARCH_DATA_DIR", str(data))
    counts = provenance.summary(provenance.quote_status(kr.load(data)))
    if not counts[provenance.NO_ARCHIVE]:
        pytest.skip("the live data has no quote without an archived text")
    assert counts[provenance.NOT_FOUND] == 0
    preflight.check_quotes()  # passes
    # and a made-up quote of a source without an archived text is still only "no archived text"
    ds = kr.load(data)
    status = provenance.quote_status(ds)
    row = status[status["status"] == provenance.NO_ARCHIVE].iloc[0]
    if row["table"] == "observations":
        v = ds.observations.at[row["id"], "value_text"]
        edit_observation(data, row["id"], quote=f"不在任何存档里的话 {v}")
        preflight.check_quotes()


@pytest.mark.make
def test_make_run_refuses_before_a_kernel_starts(made_up_quote, tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
    env.pop(paths.RUN_DIR_ENV, None)
    runtime = tmp_path / "runtime"
    proc = subprocess.run(
        ["make", "--no-print-directory", "run", f"BUILD={build}", f"JUPYTER_RUNTIME_DIR={runtime}"],
        cwd=paths.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == "" and "Traceback" not in proc.stderr
    assert proc.stderr.startswith(expected_refusal(made_up_quote))
    assert list(build.iterdir()) == [], "build/ untouched: no lock, no staging, no output"
    assert not runtime.exists() or not list(runtime.iterdir()), "no kernel was started"


# --- a build folder that cannot be written -------------------------------------------------------
@pytest.mark.parametrize(
    ("err", "message"),
    [
        (errno.EACCES, "cannot write there (Permission denied); make it writable (chmod u+w, chattr -i) or point"),
        (errno.EPERM, "cannot write there (Operation not permitted); make it writable (chmod u+w, chattr -i) or point"),
        (errno.EROFS, "cannot write there (a read-only file system); point"),
        (errno.ENOSPC, "no space left on its disk (No space left on device); free some space or point"),
    ],
)
def test_a_build_folder_that_cannot_be_written_is_one_line(tmp_path, monkeypatch, capsys, no_kernel, err, message):
    """The OS refuses every new file in build/ (as a read-only, immutable or full folder does, even for root)."""
    build = tmp_path / "build"
    real = tempfile.mkstemp

    def refuse(*a, dir=None, **k):  # noqa: A002 - mkstemp's own keyword
        if dir is not None and Path(dir).is_relative_to(build):
            raise OSError(err, os.strerror(err), str(Path(dir) / "x"))
        return real(*a, dir=dir, **k)

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    monkeypatch.setenv("KIMI_RESEARCH_BUILD_DIR", str(build))
    for argv in (["run", "00_data_audit"], ["make-run"], ["run", "00_data_audit", "-p", "tolerance", "0.1"]):
        assert main(argv) == 2
        assert capsys.readouterr().err == f"error: {build}: {message} KIMI_RESEARCH_BUILD_DIR (make: BUILD=...) elsewhere\n"
    assert not (build / ".run.lock").exists()


def test_an_unwritable_file_in_a_run_is_one_line_naming_it(tmp_path, monkeypatch, capsys):
    """A write that fails after the checks (the disk filled up mid-run): the path, no traceback."""
    monkeypatch.setenv("KIMI_RESEARCH_BUILD_DIR", str(tmp_path / "build"))
    target = tmp_path / "build" / ".run.lock"
    real = os.open

    def full(path, *a, **k):
        if Path(path) == target:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))
        return real(path, *a, **k)

    monkeypatch.setattr(os, "open", full)
    assert main(["make-run", "--dry-run"]) == 2
    assert capsys.readouterr().err == (
        f"error: {target}: no space left on its disk (No space left on device); free some space or point "
        "KIMI_RESEARCH_BUILD_DIR (make: BUILD=...) elsewhere\n"
    )
