"""The runner: execute notebooks with papermill, one canonical result per notebook.

``python -m kimi_research run|make-run|run-many|sweep|bench|deps ...`` (see ``__main__``). One module
a job:

* :mod:`.params`: parameter files and values (``-f`` YAML, ``-p NAME VALUE``, named sets, grids);
* :mod:`.execute`: executing one notebook (papermill, a kernel that dies with its run, kept
  ``.failed.ipynb``) into a run folder; :mod:`.process`: signals and dying with the parent;
* :mod:`.preflight`: what is checked before any notebook runs (quotes against the archived texts,
  a writable build folder);
* :mod:`.deps` and :mod:`.build`: bookkeeping of build/ (dependency files for make, the run lock,
  the reaper, the promotion of a default run to the canonical folders);
* :mod:`.command` (the ``run`` command), :mod:`.makerun` (``make run``: the queue, JOBS at a time),
  :mod:`.sweeps` (a grid of parameter sets) and :mod:`.benchmark` (the benchmark).

A **default run** (``make run``, or ``run NAME`` without parameters) is promoted to
``build/{executed,results,figures,html}``; a **run with parameters** (``-f``/``-p``,
``--output-dir``, a sweep, ``PARAMS_<nb>=`` in make) writes everything to its own folder,
``build/runs/<notebook>-<set>-<time>/`` or DIR, and says where.

This module re-exports the entry points; import from the modules themselves in new code.
"""

from kimi_research.orchestration.runner.base import RunnerError
from kimi_research.orchestration.runner.benchmark import bench
from kimi_research.orchestration.runner.build import reap, run_canonical, run_lock
from kimi_research.orchestration.runner.command import main_run
from kimi_research.orchestration.runner.deps import module_closure, notebook_dependencies, write_depfile
from kimi_research.orchestration.runner.execute import run_notebook
from kimi_research.orchestration.runner.makerun import make_run, run_many
from kimi_research.orchestration.runner.params import (
    expand_grid,
    load_param_set,
    load_params,
    parse_value,
    read_yaml_file,
    run_label,
)
from kimi_research.orchestration.runner.preflight import check_quotes, check_writable
from kimi_research.orchestration.runner.sweeps import sweep

__all__ = [
    "RunnerError",
    "bench",
    "check_quotes",
    "check_writable",
    "expand_grid",
    "load_param_set",
    "load_params",
    "main_run",
    "make_run",
    "module_closure",
    "notebook_dependencies",
    "parse_value",
    "read_yaml_file",
    "reap",
    "run_canonical",
    "run_label",
    "run_lock",
    "run_many",
    "run_notebook",
    "sweep",
    "write_depfile",
]
