"""Process lifetime: the signals that stop a run, dying with the parent, telling whether a process runs.

A run unwinds on SIGTERM, SIGHUP or SIGINT (:func:`stop_on_signals` turns the first into
:class:`Stop`, raised in the main thread, and ignores the later ones so that the cleanup is not
interrupted). A process that must not outlive its parent asks the kernel for a signal when the
parent dies (:func:`die_with_parent`, Linux ``PR_SET_PDEATHSIG``): a SIGKILL of ``make`` reaches the
runner, its workers and their kernels.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
_PR_SET_PDEATHSIG = 1


class Stop(BaseException):  # noqa: N818 - a signal, not an error
    """Raised in the main thread by SIGTERM/SIGHUP/SIGINT: unwind, clean up, exit."""


def raise_stop(signum, _frame):
    for s in STOP_SIGNALS:  # the first signal unwinds; later ones must not interrupt the cleanup
        signal.signal(s, signal.SIG_IGN)
    raise Stop(signum)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn SIGTERM, SIGHUP and SIGINT into :class:`Stop` while the block runs; restore after."""
    old = {s: signal.signal(s, raise_stop) for s in STOP_SIGNALS}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def die_with_parent(sig: int = signal.SIGTERM, parent: int | None = None) -> None:
    """Linux: ask the kernel to send ``sig`` to this process when its parent dies (prctl).

    ``parent``: the pid the parent should have; when it is already gone (the parent died before
    prctl took effect), the signal is sent at once."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    except (OSError, AttributeError):
        return
    if parent is not None and os.getppid() != parent:
        os.kill(os.getpid(), sig)


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie, killed but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
        return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return True
