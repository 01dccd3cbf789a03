"""Parameter files and values: ``-f`` YAML files, ``-p NAME VALUE`` pairs, named sets, sweep grids.

Values are read as papermill reads YAML, plus: numbers in any notation (1e3, 1e308, nan, inf)
are numbers, not text; an impossible date (2025-02-30) is an error with its position; dates
become ISO strings (papermill cannot write a date object into a notebook). Every problem is one
:class:`RunnerError` naming the option and the value.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
from pathlib import Path

import yaml

from kimi_research import paths
from kimi_research.orchestration.runner.base import RunnerError


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


def expand_grid(grid, label: str = "grid") -> list[dict]:
    """A grid YAML is a mapping of parameter -> list of values (Cartesian product), a mapping
    with a ``runs`` list of parameter mappings, or such a list itself."""
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
