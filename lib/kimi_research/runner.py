"""Execute notebooks with papermill and export HTML, writing every output atomically.

``python -m kimi_research run NAME [-f params.yaml] [-p key value] [--output-dir DIR]``.
A failed run keeps the executed notebook as ``build/executed/NAME.failed.ipynb`` (for
inspection) and exits 1; it never leaves a half-written ``NAME.ipynb`` that looks complete.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import yaml

from kimi_research import paths


def _kernel_manager_class():
    """A kernel manager that encrypts the kernel's ZMQ traffic when it can.

    jupyter_client >= 8.10 provisions CurveZMQ keys only when asked (``transport_encryption``);
    without them ipykernel warns that it runs over TCP without encryption.
    """
    import zmq
    from jupyter_client.manager import AsyncKernelManager

    if not hasattr(AsyncKernelManager, "transport_encryption") or not zmq.has("curve"):
        return AsyncKernelManager
    from traitlets import default

    class CurveKernelManager(AsyncKernelManager):
        @default("transport_encryption")
        def _default_transport_encryption(self):
            return "auto"

    return CurveKernelManager


def _html(executed: Path, out: Path) -> None:
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(executed, as_version=4)
    body, _ = HTMLExporter().from_notebook_node(nb)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(body, encoding="utf-8")
    tmp.replace(out)


def run_notebook(name: str, parameters: dict | None = None, output_dir: Path | None = None,
                 html: bool = True, quiet: bool = True) -> Path:
    """Run notebooks/<name>.ipynb; return the executed copy's path. Raises on failure."""
    import papermill as pm

    src = paths.NOTEBOOKS_DIR / f"{name}.ipynb"
    if not src.exists():
        known = sorted(p.stem for p in paths.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
        raise SystemExit(f"no notebook {src}; known: {', '.join(known)}")
    out_dir = Path(output_dir) if output_dir else paths.executed_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / f"{name}.ipynb"
    failed = out_dir / f"{name}.failed.ipynb"
    fd, tmp_name = tempfile.mkstemp(dir=out_dir, prefix=f".{name}.", suffix=".ipynb")
    os.close(fd)
    tmp = Path(tmp_name)
    t0 = time.perf_counter()
    try:
        pm.execute_notebook(str(src), str(tmp), parameters=parameters or {}, cwd=str(paths.NOTEBOOKS_DIR),
                            progress_bar=False, log_output=not quiet, kernel_name="python3",
                            kernel_manager_class=_kernel_manager_class())
    except BaseException:
        if tmp.exists() and tmp.stat().st_size:
            tmp.replace(failed)
        else:
            tmp.unlink(missing_ok=True)
        raise
    tmp.replace(final)
    failed.unlink(missing_ok=True)
    if html:
        _html(final, paths.html_dir() / f"{name}.html")
    shown = final.relative_to(paths.ROOT) if final.is_relative_to(paths.ROOT) else final
    print(f"ran {name} in {time.perf_counter() - t0:.1f}s -> {shown}", flush=True)
    return final


def load_params(files: list[str], pairs: list[list[str]]) -> dict:
    params: dict = {}
    for f in files or []:
        data = yaml.safe_load(Path(f).read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise SystemExit(f"{f}: expected a mapping of parameter names to values")
        params.update(data)
    for k, v in pairs or []:
        params[k] = yaml.safe_load(v)
    return params


def main_run(args) -> int:
    import papermill as pm

    params = load_params(args.file, args.param)
    try:
        run_notebook(args.name, params, Path(args.output_dir) if args.output_dir else None,
                     html=not args.no_html, quiet=not args.verbose)
    except pm.PapermillExecutionError as e:
        out = Path(args.output_dir) if args.output_dir else paths.executed_dir()
        print(f"FAILED {args.name}: {e.ename}: {e.evalue}\n  executed copy kept: {out / (args.name + '.failed.ipynb')}",
              file=sys.stderr)
        return 1
    return 0
