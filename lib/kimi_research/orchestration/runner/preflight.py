"""What is checked before any notebook runs: every quote against its archived text, and that build/ can be written.

* **Nothing unverified is published.** A quote whose source has an archived text
  (``data/sources/``) must be in that text (:func:`kimi_research.data.provenance.quote_status`,
  about a second with the data validated): otherwise the run is refused, naming each row, before
  anything is executed or written. A quote whose source has no archived text (a tier-2 web page
  read online) keeps its status "no archived text" and does not stop a run.
* **A build folder that cannot be written** (read-only, immutable, a read-only file system, a full
  disk) is one line naming the folder, not a ``PermissionError`` traceback from deep inside a run.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path
from typing import cast

from kimi_research import paths
from kimi_research.data import provenance
from kimi_research.data.loader import load
from kimi_research.orchestration.runner.base import RunnerError

PROBE_BYTES = 1 << 20  # a run writes megabytes; a folder without even 1 MiB free is full
_NO_SPACE = (errno.ENOSPC, errno.EDQUOT)
_READ_ONLY = (errno.EACCES, errno.EPERM, errno.EROFS)
_ELSEWHERE = "or point KIMI_RESEARCH_BUILD_DIR (make: BUILD=...) elsewhere"


class UnverifiedQuotes(RunnerError):
    """Quotes that are not in the archived text of their source: nothing may be run."""


class NotWritable(RunnerError):
    """An output folder the run cannot write (permissions, read-only file system, full disk)."""


def _clip(text: str, width: int = 40) -> str:
    text = provenance.fold(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def check_quotes(data_dir: Path | None = None) -> None:
    """Refuse (UnverifiedQuotes) when a quote is not in its source's archived text.

    The data are loaded (validated, or from the loader's cache): a table that does not validate
    stops here too, with the loader's message."""
    ds = load(data_dir)
    status = provenance.quote_status(ds)
    missing = status[status["status"] == provenance.NOT_FOUND]
    if missing.empty:
        return
    archive = provenance.archive_dir(ds)
    rows = []
    for _, r in missing.iterrows():
        table = getattr(ds, r["table"])
        text = paths.shown(archive / cast(str, ds.sources.at[r["source_id"], "archive"]))
        rows.append(
            f"  {paths.shown(ds.data_dir / (r['table'] + '.csv'))}: {r['id']} (source {r['source_id']}): "
            f"quote {_clip(table.at[r['id'], 'quote'])!r} is not in {text}; copy it verbatim from that file"
        )
    n = len(rows)
    raise UnverifiedQuotes(
        f"{n} quote{'s are' if n > 1 else ' is'} not in the archived text of {'their' if n > 1 else 'its'} source; "
        "nothing was run and build/ is unchanged:\n"
        + "\n".join(rows)
        + "\n  (white space may differ; flag the row gloss_removed if pinyin glosses were removed from the quote; "
        "`make check-data` checks every table and quote)"
    )


def describe_os_error(e: OSError, folder: Path | None = None) -> str:
    """One line for an error writing an output: the path, what went wrong, what to do."""
    where = paths.shown(Path(folder if folder is not None else e.filename or "."))
    if e.errno in _NO_SPACE:
        return f"{where}: no space left on its disk ({e.strerror}); free some space {_ELSEWHERE}"
    if e.errno == errno.EROFS:
        return f"{where}: cannot write there (a read-only file system); point KIMI_RESEARCH_BUILD_DIR (make: BUILD=...) elsewhere"
    if e.errno in _READ_ONLY:
        return f"{where}: cannot write there ({e.strerror}); make it writable (chmod u+w, chattr -i) {_ELSEWHERE}"
    return f"{where}: {e.strerror or e}"


def _probe(folder: Path) -> None:
    d = paths.ensure_dir(folder)
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".write-probe-", suffix=".tmp")
    try:
        try:
            os.posix_fallocate(fd, 0, PROBE_BYTES)  # reserves the blocks: a full disk says so here
        except (OSError, AttributeError) as e:  # a file system (or an OS) without fallocate: write
            if isinstance(e, OSError) and e.errno in _NO_SPACE:
                raise
            os.write(fd, b"\0" * PROBE_BYTES)
    finally:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def check_writable(*folders: Path) -> None:
    """Create each folder and write (then remove) a 1 MiB file in it; NotWritable naming the first
    folder that refuses. A folder that is a file is the OutputPathError of :func:`paths.ensure_dir`."""
    for folder in folders:
        try:
            _probe(Path(folder))
        except OSError as e:
            raise NotWritable(describe_os_error(e, folder)) from None


def tool_folders() -> list[Path]:
    """The folders the tools write while a notebook runs (set by the Makefile under build/cache)."""
    return [Path(os.environ[v]) for v in ("MPLCONFIGDIR", "IPYTHONDIR", "JUPYTER_RUNTIME_DIR") if os.environ.get(v)]


def check_before_running(output: Path, quotes: bool = True) -> None:
    """Everything a run checks before it executes a notebook: quotes, then the output folders."""
    if quotes:
        check_quotes()
    check_writable(output, *tool_folders())
