"""Notebook execution: papermill with a kernel that cannot outlive its run, into a run folder.

The kernel manager encrypts the kernel's ZMQ traffic when it can, puts its connection file in
``JUPYTER_RUNTIME_DIR`` (jupyter_client would use the system temp folder) and makes the kernel
die with the process that started it (no orphan kernels after a kill); while a kernel server runs
(:mod:`.warmkernels`: `make run`, sweeps) the kernel is a warm one forked by it. A failed or
interrupted run keeps its executed notebook as ``<notebook>.failed.ipynb`` and never leaves a
half-written ``<notebook>.ipynb`` that looks complete.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
import uuid
from pathlib import Path

from kimi_research import paths
from kimi_research.io import umask
from kimi_research.orchestration.reports import write_html
from kimi_research.orchestration.runner import warmkernels
from kimi_research.orchestration.runner.base import check_name
from kimi_research.orchestration.runner.process import die_with_parent

_KERNELS: list = []  # kernel managers this process started and has not cleaned up yet


def kernel_manager_class():
    """The kernel manager class papermill uses (built on first use: jupyter_client and zmq are
    imported only when a notebook runs, so a refused command line stays fast).

    jupyter_client >= 8.10 provisions CurveZMQ keys only when asked (``transport_encryption``);
    without them ipykernel warns that it runs over TCP without encryption.
    """
    import zmq
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.paths import jupyter_runtime_dir

    class KimiKernelManager(AsyncKernelManager):
        def __init__(self, **kw):
            super().__init__(**kw)
            if not self.connection_file:
                runtime = paths.ensure_dir(Path(jupyter_runtime_dir()))
                self.connection_file = str(runtime / f"kernel-kimi-{os.getpid()}-{uuid.uuid4()}.json")
            _KERNELS.append(self)

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            args = warmkernels.launcher_args(kernel_cmd)
            if args is not None and self.provisioner is not None:
                env, cwd = kw.get("env") or dict(os.environ), str(kw.get("cwd") or os.getcwd())
                pid = await warmkernels.fork_kernel(args, env, cwd)
                if pid is not None:  # a warm kernel, forked by the kernel server of this run
                    prov = self.provisioner
                    prov.process, prov.pid, prov.pgid, prov.cwd = warmkernels.ForkedKernel(pid), pid, pid, cwd
                    self._reconcile_connection_info(prov.connection_info)
                    return
            parent = os.getpid()
            kw.setdefault("preexec_fn", lambda: die_with_parent(signal.SIGKILL, parent))
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    if hasattr(AsyncKernelManager, "transport_encryption") and zmq.has("curve"):
        from traitlets import default

        class CurveKernelManager(KimiKernelManager):
            @default("transport_encryption")
            def _default_transport_encryption(self):
                return "auto"

        return CurveKernelManager
    return KimiKernelManager


def kill_kernels() -> None:
    """Kill the kernels this process started and remove their connection files."""
    while _KERNELS:
        km = _KERNELS.pop()
        proc = getattr(getattr(km, "provisioner", None), "process", None)
        with contextlib.suppress(Exception):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait(5)
        with contextlib.suppress(Exception):
            km.cleanup_connection_file()


def normal_mode(path: Path) -> None:
    """A normal file's mode (0644 under the usual umask), not a temp file's 0600."""
    with contextlib.suppress(OSError):
        os.chmod(path, 0o666 & ~umask())


def keep_failed(partial: Path, failed: Path) -> bool:
    """Keep a failed or interrupted run's executed notebook as ``<name>.failed.ipynb``."""
    if partial.exists() and partial.stat().st_size:
        paths.ensure_dir(failed.parent)
        os.replace(partial, failed)
        normal_mode(failed)
        return True
    partial.unlink(missing_ok=True)
    return False


def execute(name: str, parameters: dict, run_dir: Path, out: Path, quiet: bool) -> None:
    """papermill ``name`` into ``out``; the kernel writes results and figures to ``run_dir``."""
    import papermill as pm  # 0.7 s: paid only when a notebook runs

    src = check_name(name)
    paths.ensure_dir(out.parent)
    old = os.environ.get(paths.RUN_DIR_ENV)
    os.environ[paths.RUN_DIR_ENV] = str(run_dir)
    try:
        pm.execute_notebook(
            str(src),
            str(out),
            parameters=parameters or {},
            cwd=str(paths.NOTEBOOKS_DIR),
            progress_bar=False,
            log_output=not quiet,
            kernel_name="python3",
            start_timeout=180,  # a loaded 2-core machine can take over a minute
            kernel_manager_class=kernel_manager_class(),
        )
    finally:
        kill_kernels()  # normally already shut down; after an interrupt, never leave one running
        if old is None:
            os.environ.pop(paths.RUN_DIR_ENV, None)
        else:
            os.environ[paths.RUN_DIR_ENV] = old
    normal_mode(out)


def run_notebook(
    name: str,
    parameters: dict | None = None,
    output_dir: Path | None = None,
    html: bool = True,
    quiet: bool = True,
    label: str | None = None,
) -> Path:
    """Run a notebook into its own run folder (``output_dir``, or a new build/runs/<label>-<time>/).

    The folder gets executed/<name>.ipynb (or .failed.ipynb), results/, figures/ and html/;
    nothing is written to the canonical build/ outputs. Returns the executed notebook's path."""
    check_name(name)
    d = paths.ensure_dir(Path(output_dir).resolve()) if output_dir else paths.new_run_dir(label or name)
    final = d / "executed" / f"{name}.ipynb"
    failed = d / "executed" / f"{name}.failed.ipynb"
    print(f"{name}: this run writes to {paths.shown(d)} (build/results keeps the default results)", flush=True)
    t0 = time.perf_counter()
    try:
        execute(name, parameters or {}, d, final, quiet)
    except BaseException:
        keep_failed(final, failed)
        raise
    failed.unlink(missing_ok=True)
    if html:
        write_html(final, d / "html" / f"{name}.html")
    print(f"ran {name} in {time.perf_counter() - t0:.1f}s -> {paths.shown(d)}", flush=True)
    return final
