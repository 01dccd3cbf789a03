"""Warm kernels (kimi_research.orchestration.runner.warmkernels): forked by a kernel server that has
imported the heavy libraries, they behave as fresh kernels (environment, folder, inline figures)
and never outlive the worker that asked for them.

`make run` itself (tests/orchestration/test_robustness.py, tests/orchestration/test_faults.py) runs every notebook on warm
kernels and compares the results byte for byte with the canonical ones.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from kimi_research import paths
from kimi_research.orchestration.runner import warmkernels


def test_only_ipykernel_commands_are_forked():
    assert warmkernels.launcher_args(["/v/bin/python", "-m", "ipykernel_launcher", "-f", "k.json"]) == ["-f", "k.json"]
    assert warmkernels.launcher_args(["/v/bin/python", "-m", "other_kernel", "-f", "k.json"]) is None
    assert warmkernels.launcher_args(["julia", "-i"]) is None


def test_a_forked_kernel_looks_like_a_process_to_jupyter_client():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    k = warmkernels.ForkedKernel(proc.pid)
    assert k.poll() is None
    with pytest.raises(subprocess.TimeoutExpired):
        k.wait(0.1)
    k.kill()
    proc.wait()
    assert k.wait(5) == 0 and k.poll() == 0


@pytest.mark.slow  # a kernel server in a process of its own
def test_the_server_forks_kernels_for_its_own_user_only():
    a, b = socket.socketpair(socket.AF_UNIX)
    with a, b:
        assert warmkernels._same_user(a)
    if os.geteuid() != 0:
        pytest.skip("asking as another user needs root")
    program = (  # the module needs only the standard library: any python3 runs it, given on stdin
        "import asyncio, sys; ns = {'__name__': 'client'}; exec(compile(sys.stdin.read(), 'warmkernels', 'exec'), ns); "
        "print(asyncio.run(ns['fork_kernel'](['-f', '/nonexistent.json'], {}, '/')))"
    )
    python = shutil.which("python3", path="/usr/bin:/bin")
    if python is None:
        pytest.skip("no system python3 to run as another user")
    source = Path(warmkernels.__file__).read_text(encoding="utf-8")
    with warmkernels.started():
        other = subprocess.run(
            [python, "-c", program], input=source, user=65534, cwd="/", capture_output=True, text=True, timeout=120
        )
    assert other.returncode == 0, other.stderr
    assert other.stdout.strip() == "None", "no kernel for a process of another user"


def test_without_a_server_kernels_start_as_usual(monkeypatch):
    monkeypatch.delenv(warmkernels.ADDRESS_ENV, raising=False)
    assert asyncio.run(warmkernels.fork_kernel(["-f", "x.json"], {}, ".")) is None


@pytest.mark.notebook
def test_a_warm_kernel_is_a_fresh_kernel_that_has_the_libraries_already():
    env = {k: v for k, v in os.environ.items() if k != warmkernels.ADDRESS_ENV}
    client = Path(__file__).with_name("warmkernel_client.py")
    proc = subprocess.run([sys.executable, str(client)], env=env, capture_output=True, text=True, timeout=300, cwd=paths.ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = json.loads(proc.stdout.splitlines()[-1])
    assert seen["address"] and seen["parent_is_server"], "the kernel was forked by the kernel server"
    assert seen["warm"] and not seen["hooked"], "pandas already there; nothing that hooks into IPython at import"
    assert (seen["cwd"], seen["value"], seen["backend"]) == (str(paths.NOTEBOOKS_DIR), "from the worker", warmkernels.INLINE)
    assert seen["figure"], "the inline backend shows the figure, as in a fresh kernel"
    assert seen["server_gone"]


@pytest.mark.notebook
def test_a_warm_kernel_dies_with_the_worker_that_asked_for_it(tmp_path):
    """SIGKILL the worker (no cleanup can run): its kernel follows within seconds."""
    worker = textwrap.dedent(
        f"""
        import asyncio, os, sys
        from jupyter_client.connect import write_connection_file
        sys.path.insert(0, {str(paths.ROOT / "lib")!r})
        from kimi_research.orchestration.runner import warmkernels
        cf, _ = write_connection_file({str(tmp_path / "k.json")!r})
        pid = asyncio.run(warmkernels.fork_kernel(["-f", cf], dict(os.environ), {str(paths.NOTEBOOKS_DIR)!r}))
        print(pid, flush=True)
        sys.stdin.readline()
        """
    )
    with warmkernels.started():
        proc = subprocess.Popen([sys.executable, "-c", worker], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        kernel = int(proc.stdout.readline())
        time.sleep(1)
        assert warmkernels._alive(kernel), "the kernel runs while its worker does"
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        deadline = time.monotonic() + 10
        while warmkernels._alive(kernel) and time.monotonic() < deadline:
            time.sleep(0.1)
        alive = warmkernels._alive(kernel)
        if alive:
            os.kill(kernel, signal.SIGKILL)
    assert not alive, "the kernel outlived its worker"
