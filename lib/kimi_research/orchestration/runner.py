"""Execute notebooks with papermill and export HTML; one canonical result per notebook.

``python -m kimi_research run NAME [-f params.yaml] [-p key value] [--output-dir DIR]``.

- A **default run** (``make run``, or ``run NAME`` without parameters) executes the notebook in
  ``build/.staging/<notebook>-<pid>/`` and, when it succeeded and its recorded parameters are
  the defaults, promotes its outputs to the canonical ``build/{executed,results,figures,html}``
  and writes ``build/deps/<notebook>.mk`` (the modules it imports, for make). Default runs hold
  ``build/.run.lock``: a second ``make run`` waits for the first.
- A **run with parameters** (``-f``/``-p``, ``--output-dir``, a sweep, ``PARAMS_<nb>=`` in make)
  writes everything to its own folder, ``build/runs/<notebook>-<set>-<time>/`` or DIR, and
  says where.
- A failed or interrupted run keeps its executed notebook as ``<notebook>.failed.ipynb`` and
  never leaves a half-written ``<notebook>.ipynb`` that looks complete. A killed ``make run``
  takes its workers and kernels with it; the next run reaps what a SIGKILL left behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from kimi_research import paths, registry
from kimi_research.errors import KimiResearchError
from kimi_research.io import umask
from kimi_research.orchestration.reports import write_html as _html


class RunnerError(KimiResearchError):
    """A command-line input or run state the runner cannot use; the message says which and why."""


class _Stop(BaseException):  # noqa: N818 - a signal, not an error
    """Raised in the main thread by SIGTERM/SIGHUP: unwind, clean up, exit."""


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


def _raise_stop(signum, _frame):
    for s in _STOP_SIGNALS:  # the first signal unwinds; later ones must not interrupt the cleanup
        signal.signal(s, signal.SIG_IGN)
    raise _Stop(signum)


def _die_with_parent(sig: int = signal.SIGTERM, parent: int | None = None) -> None:
    """Linux: ask the kernel to send ``sig`` to this process when its parent dies (prctl)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, int(sig), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if parent is not None and os.getppid() != parent:  # the parent died before prctl took effect
        os.kill(os.getpid(), sig)


def _kernel_manager_class():
    """A kernel manager that encrypts the kernel's ZMQ traffic when it can, puts its connection
    file in JUPYTER_RUNTIME_DIR (jupyter_client would use the system temp folder) and makes the
    kernel die with the process that started it (no orphan kernels after a kill).

    jupyter_client >= 8.10 provisions CurveZMQ keys only when asked (``transport_encryption``);
    without them ipykernel warns that it runs over TCP without encryption.
    """
    import uuid

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
            parent = os.getpid()
            kw.setdefault("preexec_fn", lambda: _die_with_parent(signal.SIGKILL, parent))
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    if hasattr(AsyncKernelManager, "transport_encryption") and zmq.has("curve"):
        from traitlets import default

        class CurveKernelManager(KimiKernelManager):
            @default("transport_encryption")
            def _default_transport_encryption(self):
                return "auto"

        return CurveKernelManager
    return KimiKernelManager


_KERNELS: list = []


def _kill_kernels() -> None:
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


def _normal_mode(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.chmod(path, 0o666 & ~umask())


# --- parameters from the command line -------------------------------------------------------
class _ParamLoader(yaml.SafeLoader):
    """YAML as papermill reads it, plus: numbers in any notation (1e3, 1e308, nan, inf) are
    numbers, not text, and an impossible date (2025-02-30) is an error with its position."""


_ParamLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+|[-+]?(?:inf|infinity|nan))$", re.I),
    list("-+0123456789.iInN"),
)


def _timestamp(loader, node):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as e:
        raise yaml.constructor.ConstructorError(None, None, f"{node.value!r} is not a real date ({e})", node.start_mark) from None


_ParamLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def _yaml_problem(e: yaml.YAMLError, with_position: bool = True) -> str:
    problem = getattr(e, "problem", None) or str(e).splitlines()[0]
    mark = getattr(e, "problem_mark", None)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None and with_position else ""
    if "real date" in problem:
        return f"{problem}{where}"
    context = getattr(e, "context", None)
    return f"YAML syntax error{where}: {context + ', ' if context else ''}{problem}"


def _plain(v):
    import datetime as dt

    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date):  # papermill cannot write a date object into a notebook
        return v.isoformat()
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


def read_yaml_file(path: str, option: str = "-f", cwd: str | None = None):
    """Read a YAML file named on the command line; any problem is one line naming ``option``."""
    given = path
    p = Path(os.path.expanduser(path))
    if not p.is_absolute():
        p = Path(cwd or os.getcwd()) / p
    label = f"{option} {given}"
    if not p.exists():
        hint = f" (relative paths are read from the folder you run the command in: {Path(cwd or os.getcwd())})"
        guess = [c for c in (paths.ROOT / given, paths.PARAMS_DIR / given) if c.is_file()]
        if guess:
            hint += f"; did you mean {guess[0]}?"
        raise RunnerError(f"{label}: no such file{hint if not Path(given).is_absolute() else ''}")
    if p.is_dir():
        raise RunnerError(f"{label}: is a folder, not a YAML file")
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise RunnerError(f"{label}: cannot be read ({e.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise RunnerError(
            f"{label}: not UTF-8 text (byte 0x{raw[e.start]:02x} at offset {e.start}); save the file as UTF-8"
        ) from None
    try:
        return _plain(yaml.load(text, Loader=_ParamLoader))  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as e:
        raise RunnerError(f"{label}: {_yaml_problem(e)}") from None


def parse_value(name: str, value: str):
    """One ``-p NAME VALUE``: VALUE read as YAML (6, 0.3, 1e3, true, kimi, [a, b], 2025-06-01)."""
    try:
        return _plain(yaml.load(value, Loader=_ParamLoader))  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as e:
        raise RunnerError(f"-p {name} {value}: {_yaml_problem(e, with_position=False)}") from None


def load_params(files: list[str] | None, pairs: list[list[str]] | None, cwd: str | None = None) -> dict:
    """Parameters from ``-f`` files (in order) then ``-p`` pairs; errors name the option and value."""
    params: dict = {}
    for f in files or []:
        data = read_yaml_file(f, "-f", cwd)
        if data is None:
            continue
        if not isinstance(data, dict):
            raise RunnerError(
                f"-f {f}: expected a mapping of parameter names to values (name: value), got a {type(data).__name__}"
            )
        params.update({str(k): v for k, v in data.items()})
    for k, v in pairs or []:
        params[k] = parse_value(k, v)
    return params


def run_label(name: str, files: list[str] | None, pairs: list[list[str]] | None) -> str:
    """Folder-name stem for a run with parameters: <notebook>-<yaml stems>[-custom]."""
    parts = [Path(f).stem for f in files or []] + (["custom"] if pairs else [])
    return re.sub(r"[^\w.-]+", "_", "-".join([name, *parts]))


def load_param_set(notebook: str, name: str) -> dict:
    """The named parameter set notebooks/params/<notebook>/<name>.yaml, read as ``-f`` reads it."""
    path = paths.PARAMS_DIR / notebook / f"{name}.yaml"
    if not path.exists():
        known = sorted(p.stem for p in path.parent.glob("*.yaml"))
        raise SystemExit(f"no parameter set {path}; {notebook} has: {', '.join(known) or 'none'}")
    return load_params([str(path)], [])


# --- executing one notebook --------------------------------------------------------------------
def _check_name(name: str) -> Path:
    src = paths.NOTEBOOKS_DIR / f"{name}.ipynb"
    if name not in registry.NAMES or not src.exists():
        raise RunnerError(f"no notebook {name!r}; known: {', '.join(registry.NAMES)}")
    return src


def _keep_failed(partial: Path, failed: Path) -> bool:
    """Keep a failed or interrupted run's executed notebook as ``<name>.failed.ipynb``."""
    if partial.exists() and partial.stat().st_size:
        paths.ensure_dir(failed.parent)
        os.replace(partial, failed)
        _normal_mode(failed)
        return True
    partial.unlink(missing_ok=True)
    return False


def _execute(name: str, parameters: dict, run_dir: Path, out: Path, quiet: bool) -> None:
    """papermill ``name`` into ``out``; the kernel writes results and figures to ``run_dir``."""
    import papermill as pm

    src = _check_name(name)
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
            kernel_manager_class=_kernel_manager_class(),
        )
    finally:
        _kill_kernels()  # normally already shut down; after an interrupt, never leave one running
        if old is None:
            os.environ.pop(paths.RUN_DIR_ENV, None)
        else:
            os.environ[paths.RUN_DIR_ENV] = old
    _normal_mode(out)


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
    _check_name(name)
    d = paths.ensure_dir(Path(output_dir).resolve()) if output_dir else paths.new_run_dir(label or name)
    final = d / "executed" / f"{name}.ipynb"
    failed = d / "executed" / f"{name}.failed.ipynb"
    print(f"{name}: this run writes to {paths.shown(d)} (build/results keeps the default results)", flush=True)
    t0 = time.perf_counter()
    try:
        _execute(name, parameters or {}, d, final, quiet)
    except BaseException:
        _keep_failed(final, failed)
        raise
    failed.unlink(missing_ok=True)
    if html:
        _html(final, d / "html" / f"{name}.html")
    print(f"ran {name} in {time.perf_counter() - t0:.1f}s -> {paths.shown(d)}", flush=True)
    return final


# --- dependencies, for precise incremental runs ------------------------------------------------
def _module_file(mod: str) -> Path | None:
    if mod != "kimi_research" and not mod.startswith("kimi_research."):
        return None
    base = paths.ROOT / "lib" / Path(*mod.split("."))
    for f in (base.with_suffix(".py"), base / "__init__.py"):
        if f.is_file():
            return f
    return None


def _imports(tree, package: str) -> set[str]:
    """Every module an AST imports, anywhere (function-level imports included)."""
    import ast

    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            out.add(base)
            out.update(f"{base}.{a.name}" for a in node.names)
    return out


def module_closure(roots: set[str]) -> set[Path]:
    """Files of the kimi_research modules ``roots`` import, transitively (with parent packages)."""
    import ast

    seen: set[str] = set()
    files: set[Path] = set()
    todo = list(roots)
    while todo:
        mod = todo.pop()
        if mod in seen:
            continue
        seen.add(mod)
        f = _module_file(mod)
        if f is None:
            continue
        files.add(f)
        parts = mod.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))  # importing a.b runs a/__init__
        package = mod if f.name == "__init__.py" else ".".join(parts[:-1])
        todo.extend(_imports(ast.parse(f.read_text(encoding="utf-8")), package))
    return files


def notebook_dependencies(name: str) -> list[Path]:
    """The files a notebook's run depends on besides the data: the notebook and every module of
    the package it imports (its cells' imports and its registered analysis and parameter
    modules, which are imported by name), transitively."""
    import ast

    src = _check_name(name)
    nb = json.loads(src.read_text(encoding="utf-8"))
    roots = {registry.BY_NAME[name].analysis, registry.BY_NAME[name].params}
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        code = "".join(cell.get("source", []))
        code = "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln for ln in code.splitlines())
        try:
            roots |= _imports(ast.parse(code), "")
        except SyntaxError:
            continue
    return [src, *sorted(module_closure(roots))]


def write_depfile(name: str) -> Path:
    """build/deps/<name>.mk: ``DEPS_<name> := <files>`` (relative to the checkout) for make."""
    from kimi_research.orchestration.results import atomic_write_text

    files = [paths.shown(f) for f in notebook_dependencies(name)]
    out = paths.deps_dir() / f"{name}.mk"
    atomic_write_text(out, f"# written by the runner after a default run of {name}\nDEPS_{name} := {' '.join(files)}\n")
    return out


# --- the canonical (default) run -----------------------------------------------------------------
@contextlib.contextmanager
def run_lock():
    """Hold build/.run.lock (fcntl.flock) for a default run; a second one waits, and says so."""
    import fcntl

    lock = paths.ensure_dir(paths.build_dir()) / ".run.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
            print(
                f"another `make run` is writing {paths.shown(paths.build_dir())} ({holder}); waiting for it to finish...",
                file=sys.stderr,
                flush=True,
            )
            fcntl.flock(fd, fcntl.LOCK_EX)
            print("the other run finished; continuing", file=sys.stderr, flush=True)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, started {time.strftime('%H:%M:%S')}".encode(), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        os.close(fd)  # releases the lock


def reap() -> list[str]:
    """Remove what an interrupted default run left behind (call while holding the run lock):
    staging folders (their partial notebook is kept as <name>.failed.ipynb) and temp files."""
    notes = []
    staging = paths.staging_dir()
    if staging.is_dir():
        for d in sorted(staging.iterdir()):
            for nb in sorted((d / "executed").glob("[0-9][0-9]_*.ipynb")):
                failed = paths.executed_dir() / f"{nb.stem}.failed.ipynb"
                if _keep_failed(nb, failed):
                    notes.append(f"kept the partial notebook of an interrupted run as {paths.shown(failed)}")
            shutil.rmtree(d, ignore_errors=True) if d.is_dir() else d.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            staging.rmdir()
    _reap_connection_files()
    for d, pattern in (
        (paths.executed_dir(), ".*"),
        (paths.results_dir(), ".*.tmp"),
        (paths.html_dir(), ".*.tmp"),
        (paths.deps_dir(), ".*.tmp"),
        (paths.figures_dir(), "**/.*.tmp*"),
        (paths.figures_dir(), "**/*.tmp.png"),
    ):
        if d.is_dir():
            for f in d.glob(pattern):
                if f.is_file():
                    f.unlink(missing_ok=True)
    return notes


def _reap_connection_files() -> None:
    """Remove connection files of our kernels whose runner process is gone (killed by SIGKILL)."""
    runtime = os.environ.get("JUPYTER_RUNTIME_DIR")
    if not runtime or not Path(runtime).is_dir():
        return
    for f in Path(runtime).glob("kernel-kimi-*.json"):
        pid = f.name.split("-")[2]
        if pid.isdigit() and not _alive(int(pid)):
            f.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
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


def _promote(name: str, stage: Path, executed: Path, html: bool) -> None:
    """Move a successful default run's outputs from its staging folder to the canonical ones."""
    from kimi_research.orchestration.results import non_default

    res = stage / "results" / f"{name}.json"
    if not res.is_file():
        raise RunnerError(
            f"{name} ran but wrote no results ({paths.shown(res)}): its last cell must call "
            f"kr.write_results; build/ left unchanged"
        )
    diff = non_default(name, json.loads(res.read_text(encoding="utf-8")).get("parameters"))
    if diff:
        kept = paths.new_run_dir(f"{name}-nondefault")
        os.replace(stage, kept / "run")
        raise RunnerError(
            f"{name} recorded non-default parameters ({', '.join(diff)}); its outputs were kept "
            f"in {paths.shown(kept)}, build/results left unchanged"
        )
    new_figs, figs = stage / "figures" / name, paths.figures_dir() / name
    paths.ensure_dir(paths.figures_dir())
    if figs.exists():
        os.replace(figs, stage / "old-figures")
    if new_figs.is_dir():
        os.replace(new_figs, figs)
    os.replace(res, paths.ensure_dir(paths.results_dir()) / f"{name}.json")
    if html:
        _html(executed, paths.html_dir() / f"{name}.html")
    write_depfile(name)
    os.replace(executed, paths.ensure_dir(paths.executed_dir()) / f"{name}.ipynb")  # last: make's target
    (paths.executed_dir() / f"{name}.failed.ipynb").unlink(missing_ok=True)


def run_canonical(name: str, html: bool = True, quiet: bool = True) -> Path:
    """A default run of ``name``: staged, then promoted to build/{executed,results,figures,html}.

    Call it while holding :func:`run_lock`. Returns the executed notebook's path."""
    _check_name(name)
    stage = paths.ensure_dir(paths.staging_dir()) / f"{name}-{os.getpid()}"
    shutil.rmtree(stage, ignore_errors=True)
    executed = stage / "executed" / f"{name}.ipynb"
    t0 = time.perf_counter()
    try:
        try:
            _execute(name, {}, stage, executed, quiet)
        except BaseException:
            _keep_failed(executed, paths.executed_dir() / f"{name}.failed.ipynb")
            raise
        _promote(name, stage, executed, html)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        with contextlib.suppress(OSError):
            paths.staging_dir().rmdir()
    final = paths.executed_dir() / f"{name}.ipynb"
    print(f"ran {name} in {time.perf_counter() - t0:.1f}s -> {paths.shown(final)}", flush=True)
    return final


def main_run(args) -> int:
    params = load_params(args.file, args.param)
    _check_name(args.name)
    paths.ensure_dir(paths.build_dir())
    html, quiet = not args.no_html, not args.verbose
    failed_at: Path
    if params or args.output_dir:
        label = run_label(args.name, args.file, args.param)
        d = Path(args.output_dir).resolve() if args.output_dir else paths.new_run_dir(label)
        failed_at = d / "executed" / f"{args.name}.failed.ipynb"
        runner = lambda: run_notebook(args.name, params, d, html=html, quiet=quiet)  # noqa: E731
    else:
        failed_at = paths.executed_dir() / f"{args.name}.failed.ipynb"

        def runner():
            with run_lock():
                reap()
                return run_canonical(args.name, html=html, quiet=quiet)

    import papermill as pm

    old = {s: signal.signal(s, _raise_stop) for s in _STOP_SIGNALS}
    try:
        runner()
    except pm.PapermillExecutionError as e:
        print(f"FAILED {args.name}: {e.ename}: {e.evalue}\n  executed copy kept: {paths.shown(failed_at)}", file=sys.stderr)
        return 1
    except (_Stop, KeyboardInterrupt):
        kept = f"; partial notebook kept: {paths.shown(failed_at)}" if failed_at.exists() else ""
        print(f"interrupted {args.name}{kept}", file=sys.stderr)
        return 130
    finally:
        for s, h in old.items():
            signal.signal(s, h)
    return 0


# --- parameter sweeps -------------------------------------------------------------------
def expand_grid(grid, label: str = "grid") -> list[dict]:
    """A grid YAML is a mapping of parameter -> list of values (Cartesian product), a mapping
    with a ``runs`` list of parameter mappings, or such a list itself."""
    import itertools

    if isinstance(grid, dict) and "runs" in grid:
        grid = grid["runs"]
    if isinstance(grid, list):
        if not grid or not all(isinstance(g, dict) for g in grid):
            raise RunnerError(f"{label}: a grid list must hold parameter mappings ({{name: value, ...}})")
        return [dict(g) for g in grid]
    if isinstance(grid, dict) and grid:
        keys = list(grid)
        values = [v if isinstance(v, list) else [v] for v in grid.values()]
        return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*values)]
    raise RunnerError(f"{label}: a grid must be a mapping of parameter -> list of values, or a list of mappings")


def _flatten(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        elif isinstance(v, list):
            out[key] = json.dumps(v, ensure_ascii=False)
        else:
            out[key] = v
    return out


def sweep(name: str, grid_file: str, jobs: int = 2) -> int:
    """Run a notebook over every parameter set of a grid, ``jobs`` at a time; collect results.

    Each run has its own folder build/sweeps/<notebook>/<grid>/run-NNN/ (params.yaml, executed/,
    results/, figures/); the canonical build/ outputs are never touched."""
    import concurrent.futures as cf
    import subprocess

    import pandas as pd

    from kimi_research.orchestration.results import atomic_write_text

    _check_name(name)
    runs = expand_grid(read_yaml_file(grid_file, "grid"), f"grid {grid_file}")
    grid_path = Path(grid_file)
    root = paths.ensure_dir(paths.build_dir() / "sweeps" / name / grid_path.stem)
    total = len(runs)
    print(f"sweep {name}: {total} runs, {jobs} at a time -> {paths.shown(root)}", flush=True)
    parent = os.getpid()

    def one(i: int, params: dict) -> dict:
        rid = f"run-{i:03d}"
        d = root / rid
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
        (d / "params.yaml").write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
        t0 = time.perf_counter()
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "kimi_research",
                "run",
                name,
                "--no-html",
                "-f",
                str(d / "params.yaml"),
                "--output-dir",
                str(d),
            ],
            capture_output=True,
            text=True,
            preexec_fn=lambda: _die_with_parent(signal.SIGTERM, parent),
        )
        row = {
            "run": rid,
            "status": "ok" if proc.returncode == 0 else "failed",
            "seconds": round(time.perf_counter() - t0, 1),
            **{f"param.{k}": v for k, v in params.items()},
        }
        res = d / "results" / f"{name}.json"
        if proc.returncode == 0 and res.exists():
            data = json.loads(res.read_text(encoding="utf-8"))
            data.pop("parameters", None)
            row.update(_flatten(data))
        else:
            lines = [ln for ln in (proc.stderr or proc.stdout).splitlines() if ln.strip()]
            row["error"] = " | ".join(lines[:4]) if lines else f"exit {proc.returncode}"
            row["kept"] = str(d / "executed" / f"{name}.failed.ipynb")
        return row

    rows, done = [], 0
    with cf.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(one, i, p): (i, p) for i, p in enumerate(runs)}
        for fut in cf.as_completed(futures):
            row = fut.result()
            done += 1
            shown = ", ".join(f"{k}={v}" for k, v in futures[fut][1].items())
            print(
                f"[{done}/{total}] {row['status']:6} {row['run']} ({shown}) {row['seconds']}s"
                + (f"\n    {row['error']}" if row["status"] != "ok" else ""),
                flush=True,
            )
            rows.append(row)
    # nullable dtypes: a failed run's empty cells must not turn counts into floats (46 -> 46.0)
    table = pd.DataFrame(sorted(rows, key=lambda r: r["run"])).convert_dtypes()
    out = paths.build_dir() / "sweeps" / f"{name}-{grid_path.stem}.csv"
    atomic_write_text(out, table.to_csv(index=False))
    failed = (table["status"] != "ok").sum()
    print(f"{total - failed} ok, {failed} failed -> {paths.shown(out)}")
    return 1 if failed else 0


# --- benchmark -------------------------------------------------------------------------
def bench(jobs: int = 2) -> int:
    """Clean parallel `make run` vs a naive sequential papermill loop, and a no-op `make run`."""
    import subprocess

    names = list(registry.NAMES)
    work = Path(tempfile.mkdtemp(prefix="bench-", dir=paths.ensure_dir(paths.build_dir())))
    bin_dir = Path(sys.executable).parent
    env0 = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}

    def timed(cmd: list[str], env: dict | None = None) -> float:
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=paths.ROOT, env={**env0, **(env or {})}, capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
        return time.perf_counter() - t0

    try:
        clean = timed(["make", "run", f"BUILD={work / 'make'}", f"JOBS={jobs}"])
        noop = timed(["make", "run", f"BUILD={work / 'make'}", f"JOBS={jobs}"])
        naive_dir = work / "naive"
        naive_dir.mkdir()
        t0 = time.perf_counter()
        for n in names:
            timed(
                [
                    str(bin_dir / "papermill"),
                    "--no-progress-bar",
                    str(paths.NOTEBOOKS_DIR / f"{n}.ipynb"),
                    str(naive_dir / f"{n}.ipynb"),
                    "--cwd",
                    str(paths.NOTEBOOKS_DIR),
                ],
                env={"KIMI_RESEARCH_BUILD_DIR": str(naive_dir)},
            )
        naive = time.perf_counter() - t0
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"notebooks:                         {len(names)}  (JOBS={jobs}, {os.cpu_count()} cores)")
    print(f"naive sequential papermill loop:   {naive:6.1f} s  (no HTML)")
    print(f"clean `make run` (with HTML):      {clean:6.1f} s")
    print(f"ratio clean / naive:               {clean / naive:6.2f}  (target <= 0.5)")
    print(f"no-op `make run`:                  {noop:6.2f} s  (target < 3 s)")
    return 0


# --- `make run`: the queue of out-of-date notebooks, JOBS at a time, from one process ------------
def _run_one(spec: str) -> tuple[str, bool, str]:
    """Run one queued notebook: 'name' (a default run, promoted to build/) or 'name=params.yaml'
    (a run with parameters, in its own folder)."""
    import papermill as pm

    name, _, pfile = spec.partition("=")
    if pfile:
        d = paths.new_run_dir(run_label(name, [pfile], None))
        failed = d / "executed" / f"{name}.failed.ipynb"
    else:
        failed = paths.executed_dir() / f"{name}.failed.ipynb"
    try:
        if pfile:
            # relative to the caller's folder: `make -C repo run PARAMS_x=mine.yaml` keeps $PWD
            run_notebook(name, load_params([pfile], [], cwd=os.environ.get("PWD")), d, html=True, quiet=True)
        else:
            run_canonical(name, html=True, quiet=True)
        return name, True, ""
    except pm.PapermillExecutionError as e:
        return name, False, f"{e.ename}: {e.evalue}\n  executed copy kept: {paths.shown(failed)}"
    except KimiResearchError as e:
        return name, False, str(e)
    except Exception as e:  # noqa: BLE001 - report every failure, keep the other runs going
        return name, False, f"{type(e).__name__}: {e}"


def _worker(spec: str, conn, parent: int) -> None:
    _die_with_parent(signal.SIGTERM, parent)  # the run-many process died (even by SIGKILL): stop too
    for s in _STOP_SIGNALS:
        signal.signal(s, _raise_stop)
    try:
        conn.send(_run_one(spec))
    except (_Stop, KeyboardInterrupt):
        sys.exit(130)  # _run_one's cleanup has run: partial notebook kept, kernel killed


def _order(specs: list[str]) -> list[str]:
    """Heaviest first (the later notebooks draw the most charts): two workers finish together."""
    rank = {n: i for i, n in enumerate(registry.NAMES)}
    return sorted(specs, key=lambda s: -rank.get(s.partition("=")[0], -1))


def run_many(specs: list[str], jobs: int = 2) -> int:
    """Run several notebooks, ``jobs`` at a time, in forked workers of this process.

    papermill and nbconvert are imported once here and inherited by the workers; each notebook
    still gets its own fresh kernel. SIGTERM, SIGHUP or Ctrl-C stops the workers (each keeps its
    partial notebook as .failed.ipynb and kills its kernel) and exits 130. Returns 1 if any
    notebook failed (after the others have finished)."""
    import multiprocessing as mp
    from multiprocessing.connection import wait

    import nbconvert  # noqa: F401  (warm import, inherited by the workers)
    import papermill  # noqa: F401

    if not specs:
        return 0
    for spec in specs:
        _check_name(spec.partition("=")[0])
    ctx = mp.get_context("fork")
    running: dict[Any, tuple[Any, str, Any]] = {}
    pending, failed = _order(specs), []
    old = {s: signal.signal(s, _raise_stop) for s in _STOP_SIGNALS}
    try:
        while pending or running:
            while pending and len(running) < max(1, jobs):
                spec = pending.pop(0)
                recv, send = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=_worker, args=(spec, send, os.getpid()), name=f"run {spec}")
                proc.start()
                send.close()
                running[proc.sentinel] = (proc, spec, recv)
            for sentinel in wait(list(running)):
                assert isinstance(sentinel, int)
                proc, spec, recv = running.pop(sentinel)
                try:
                    name, ok, msg = recv.recv()
                except EOFError:
                    name, ok, msg = spec, False, "its worker died"
                proc.join()
                recv.close()
                if not ok:  # successes are reported by the worker ("ran ... in ...")
                    failed.append(name)
                    print(f"FAILED {name}: {msg}", file=sys.stderr, flush=True)
    except (_Stop, KeyboardInterrupt):
        for proc, _spec, _recv in running.values():
            with contextlib.suppress(OSError):
                proc.terminate()
        for proc, _spec, _recv in running.values():
            proc.join(20)
            if proc.is_alive():
                proc.kill()
                proc.join()
        stopped = ", ".join(s for _p, s, _r in running.values())
        print(
            f"interrupted: stopped {stopped or 'nothing'}; partial notebooks are kept as "
            f"{paths.shown(paths.executed_dir())}/<notebook>.failed.ipynb",
            file=sys.stderr,
            flush=True,
        )
        return 130
    finally:
        for s, h in old.items():
            signal.signal(s, h)
    if failed:
        print(f"{len(failed)} of {len(specs)} notebooks failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def _queue(names: list[str], what_if: list[str] | None = None) -> list[str]:
    """Ask make which notebooks are out of date (the Makefile's rules, build/deps/*.mk);
    ``what_if`` files are treated as just modified (make -W)."""
    import subprocess

    fd, qfile = tempfile.mkstemp(prefix=".run-queue-", dir=paths.build_dir())
    os.close(fd)
    env = dict(os.environ)
    env["MAKEFLAGS"] = re.sub(r"--jobserver-(auth|fds)=\S+", "", env.get("MAKEFLAGS", ""))
    cmd = [
        os.environ.get("KIMI_RESEARCH_MAKE") or "make",
        "--no-print-directory",
        "-s",
        "queue",
        f"QUEUE={qfile}",
        f"NAMES={' '.join(names)}",
        *(f"--what-if={f}" for f in what_if or []),
    ]
    if "MAKELEVEL" not in os.environ and paths.build_dir() != paths.ROOT / "build":
        cmd.append(f"BUILD={paths.shown(paths.build_dir())}")
    try:
        proc = subprocess.run(cmd, cwd=paths.ROOT, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RunnerError(f"make could not work out which notebooks to run:\n{proc.stdout}{proc.stderr}")
        return [ln.strip() for ln in Path(qfile).read_text(encoding="utf-8").splitlines() if ln.strip()]
    finally:
        Path(qfile).unlink(missing_ok=True)


def make_run(jobs: int = 2, dry_run: bool = False, what_if: list[str] | None = None, only: list[str] | None = None) -> int:
    """`make run`: under the run lock, reap what a killed run left, ask make which notebooks are
    out of date, run them. Dies with make (prctl) and stops its workers when signalled.

    ``what_if``: files to treat as edited (``make run WHAT_IF=lib/...py`` re-runs exactly the
    notebooks that an edit of that file would re-run). ``only``: consider just these notebooks."""
    if "MAKELEVEL" in os.environ:
        _die_with_parent(signal.SIGTERM, os.getppid())
    names = list(registry.NAMES)
    if only:
        for name in only:
            _check_name(name)
        names = [n for n in names if n in only]
    paths.ensure_dir(paths.build_dir())
    for var in ("MPLCONFIGDIR", "IPYTHONDIR", "JUPYTER_RUNTIME_DIR"):
        if os.environ.get(var):
            paths.ensure_dir(Path(os.environ[var]))
    old = {s: signal.signal(s, _raise_stop) for s in _STOP_SIGNALS}
    try:
        with run_lock():
            for note in reap():
                print(note, file=sys.stderr, flush=True)
            queue = _queue(names, what_if)
            if what_if:
                to_run = ", ".join(sorted(q.partition("=")[0] for q in queue)) or "nothing"
                print(f"as if {', '.join(what_if)} changed: {to_run} to run", flush=True)
            if dry_run:
                print("\n".join(queue))
                return 0
            return run_many(queue, jobs)
    except (_Stop, KeyboardInterrupt):
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        for s, h in old.items():
            signal.signal(s, h)
