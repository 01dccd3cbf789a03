"""Warm kernels: Jupyter kernels forked from a process that has already imported the heavy libraries.

A notebook's kernel normally starts a fresh Python, imports ipykernel (about 1 s) and then the
notebook imports pandas, statsmodels, scipy and matplotlib (about 3 s on this kind of machine): the
same 4 s for every notebook of a `make run`. :func:`started` starts a *kernel server* once per run:
a process that imports ipykernel and those libraries (:data:`PRELOAD`) and then forks one child per
kernel on request; each child becomes an ``ipykernel`` kernel with the connection file, environment
and working folder that jupyter_client prepared, exactly as ``python -m ipykernel_launcher -f ...``
would. Everything the notebook itself imports (the package ``kimi_research``) is imported by the
notebook, in the child, as before: the server imports nothing of the package and nothing that
reacts to IPython at import (the inline matplotlib backend, ipywidgets), so a forked kernel
behaves as a fresh one and the results are the same bytes.

The server listens on an abstract Unix socket (no file to clean up) and forks a kernel only for
a process of the same user (``SO_PEERCRED``). Lifetimes: the server dies with the runner
(``PR_SET_PDEATHSIG``); a kernel dies with the server and with the worker that asked for it (it
watches that worker's pid), so no kill leaves one behind.
A kernel that cannot be forked (no server, Linux-only features missing, a kernel spec that is not
``ipykernel_launcher``) is started the usual way.

This file is also the server's program: it is run by path (``python -c`` + runpy), so that the
server imports nothing but the standard library and :data:`PRELOAD` (no ``kimi_research``).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import ctypes
import importlib
import json
import os
import secrets
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from pathlib import Path

# Imported once by the server: the libraries the notebooks import (pandas, numpy, scipy, statsmodels,
# matplotlib without choosing a backend, pydantic, pandera, pyarrow, PIL) and the kernel machinery.
# Never what hooks into the IPython shell when it is imported, which must happen in the kernel
# (_HOOKS: the inline matplotlib backend; ipywidgets, which seaborn imports, so seaborn is left to
# the kernel too: 0.15 s), and never kimi_research (its import reads the environment of the run).
PRELOAD = (
    "IPython",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "jupyter_client.session",
    "numpy",
    "pandas",
    "pyarrow",
    "scipy.optimize",
    "scipy.stats",
    "scipy.interpolate",
    "statsmodels.api",
    "matplotlib",
    "matplotlib.pyplot",
    "matplotlib.dates",
    "matplotlib.ticker",
    "matplotlib.patches",
    "PIL.Image",
    "pydantic",
    "pandera.pandas",
    "yaml",
)
_HOOKS = ("matplotlib_inline.backend_inline", "ipywidgets")
INLINE = "module://matplotlib_inline.backend_inline"  # the backend ipykernel chooses for a kernel
_LAUNCHER = ("-m", "ipykernel_launcher")


# --- both sides ----------------------------------------------------------------------------------
def _die_with(sig: int, parent: int) -> None:
    """PR_SET_PDEATHSIG (Linux): ``sig`` when the parent dies; at once if it already has."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, int(sig), 0, 0, 0)
    if os.getppid() != parent:
        os.kill(os.getpid(), sig)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace").rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


# --- the server ----------------------------------------------------------------------------------
def _reap(_signum=None, _frame=None) -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _watch(pid: int) -> None:
    """In a kernel: SIGKILL this process when ``pid`` (the worker that asked for it) ends."""

    def run() -> None:
        try:
            fd = os.pidfd_open(pid)
            select.select([fd], [], [])
        except (OSError, AttributeError):  # no pidfd (old kernel): poll
            while _alive(pid):
                time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=run, name="kimi-watch-runner", daemon=True).start()


def _become_kernel(request: dict, server: int) -> None:
    """In the forked child: become the kernel ``python -m ipykernel_launcher ARGS`` would start."""
    code = 0
    try:
        for s in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(s, signal.SIG_DFL)
        os.setsid()  # its own process group, as jupyter_client gives a kernel (interrupts, kills)
        _die_with(signal.SIGKILL, server)
        _watch(int(request["requester"]))
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        # ipykernel read JPY_PARENT_PID when the server imported it: give the kernel its own
        parent = f"--IPKernelApp.parent_handle={int(request['env'].get('JPY_PARENT_PID') or 0)}"
        sys.argv = ["ipykernel_launcher", *request["argv"], parent]
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 0
    except BaseException:  # noqa: BLE001 - a kernel that cannot start says why, and exits
        traceback.print_exc()
        code = 1
    finally:
        with contextlib.suppress(Exception):
            atexit._run_exitfuncs()  # what a kernel's interpreter would run at exit (IPython history)
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def serve(address: str, parent: int, ready: int) -> None:
    """The server: listen on ``address``, say so on the file descriptor ``ready``, import
    :data:`PRELOAD`, then fork a kernel per request (requests wait in the queue meanwhile)."""
    _die_with(signal.SIGKILL, parent)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind("\0" + address)
    listener.listen(16)
    os.write(ready, b"listening\n")
    os.close(ready)
    os.environ.setdefault("MPLBACKEND", INLINE)
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]  # as ipykernel_launcher: the working folder comes back in the kernel (IPython's init_path)
    for name in PRELOAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    hooks = [m for m in _HOOKS if m in sys.modules]
    if hooks:  # a library started importing one: kernels forked from here would differ from fresh ones
        print(f"kernel server: {', '.join(hooks)} imported by a preloaded library; kernels start the usual way", file=sys.stderr)
        return
    signal.signal(signal.SIGCHLD, _reap)
    server = os.getpid()
    while True:
        conn, _ = listener.accept()
        with conn:
            if not _same_user(conn):  # an abstract socket has no file permissions: check who asks
                continue
            try:
                request = json.loads(_read_all(conn))
            except (OSError, ValueError):
                continue
            pid = os.fork()
            if pid == 0:
                listener.close()
                conn.close()
                _become_kernel(request, server)
            with contextlib.suppress(OSError):
                conn.sendall(str(pid).encode())


def _same_user(conn: socket.socket) -> bool:
    """Whether the process at the other end of ``conn`` runs as this user (SO_PEERCRED)."""
    try:
        _pid, uid, _gid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))
    except (OSError, AttributeError, struct.error):
        return False
    return uid == os.getuid()


def _read_all(conn: socket.socket) -> bytes:
    chunks = []
    while chunk := conn.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


# --- the runner's side ---------------------------------------------------------------------------
ADDRESS_ENV = "KIMI_RESEARCH_KERNEL_SERVER"  # set while a server runs: forked workers and sweep runs use it


@contextlib.contextmanager
def started() -> Iterator[str | None]:
    """Start a kernel server for the kernels this process, its forked workers and its child
    processes start; stop it afterwards. Yields its address, or None where there cannot be one
    (then kernels start as usual)."""
    if not sys.platform.startswith("linux") or os.environ.get(ADDRESS_ENV):
        yield os.environ.get(ADDRESS_ENV)  # not Linux; or a server of an enclosing run serves us too
        return
    address = f"kimi-research-kernels-{os.getpid()}-{secrets.token_hex(4)}"  # abstract socket: no file to clean up
    ready_r, ready_w = os.pipe()
    program = (
        f"import runpy, sys; sys.argv = ['kernel-server', {address!r}, '{os.getpid()}', '{ready_w}']; "
        f"runpy.run_path({__file__!r}, run_name='__main__')"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", program],
        env={k: v for k, v in os.environ.items() if k != "KIMI_RESEARCH_RUN_DIR"},
        stdin=subprocess.DEVNULL,
        pass_fds=(ready_w,),
    )
    os.close(ready_w)
    try:
        with os.fdopen(ready_r, "rb") as ready:
            listening = select.select([ready], [], [], 60)[0] and ready.readline().strip() == b"listening"
        if listening:
            os.environ[ADDRESS_ENV] = address
        yield address if listening else None
    finally:
        os.environ.pop(ADDRESS_ENV, None)
        with contextlib.suppress(OSError):
            proc.kill()
        proc.wait()


def _request(argv: list[str], env: dict[str, str], cwd: str) -> bytes:
    env = {k: v for k, v in env.items() if k != ADDRESS_ENV}  # the kernel's environment, as without a server
    env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client's launcher sets it (else ipykernel prints a banner)
    return json.dumps({"argv": argv, "env": env, "cwd": cwd, "requester": os.getpid()}).encode()


async def fork_kernel(argv: list[str], env: dict[str, str], cwd: str, timeout: float = 180) -> int | None:
    """Ask the kernel server for a kernel; its pid, or None (no server, or it did not answer).

    Asynchronous, in the event loop that starts the kernel: a signal that stops the run while
    the server is still importing its libraries stops this wait at once (a thread would hold up
    the process's exit)."""
    address = os.environ.get(ADDRESS_ENV)
    if not address:
        return None
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_unix_connection("\0" + address)
            try:
                writer.write(_request(argv, env, cwd))
                await writer.drain()
                writer.write_eof()
                answer = await reader.read()
            finally:
                writer.close()
    except (OSError, TimeoutError):
        return None
    return int(answer) if answer.isdigit() else None


def launcher_args(kernel_cmd: list[str]) -> list[str] | None:
    """The arguments after ``python -m ipykernel_launcher`` in a kernel command, else None."""
    if len(kernel_cmd) >= 3 and tuple(kernel_cmd[1:3]) == _LAUNCHER:
        return list(kernel_cmd[3:])
    return None


class ForkedKernel:
    """What jupyter_client's provisioner needs of a ``subprocess.Popen`` for a kernel it did not fork."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and not _alive(self.pid):
            self.returncode = 0  # reaped by the server, which alone knows the status
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0)
            time.sleep(0.05)
        return self.returncode or 0

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
