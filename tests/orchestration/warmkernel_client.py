"""Helper of tests/orchestration/test_warmkernels.py, run in a process of its own (a kernel talks TCP on localhost,
which pytest-socket blocks in the test process): start a kernel server, get a kernel through the
runner's kernel manager, report what the kernel sees as one JSON line."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from kimi_research import paths
from kimi_research.orchestration.runner import warmkernels
from kimi_research.orchestration.runner.execute import kernel_manager_class, kill_kernels

CODE = """
import json, os, sys
print(json.dumps({
    "warm": "pandas" in sys.modules and "kimi_research" not in sys.modules,
    "hooked": "matplotlib_inline.backend_inline" in sys.modules or "ipywidgets" in sys.modules,
    "cwd": os.getcwd(),
    "value": os.environ.get("KIMI_TEST_VALUE"),
    "backend": os.environ.get("MPLBACKEND"),
    "parent": os.getppid(),
}))
import matplotlib.pyplot as plt
plt.plot([1, 2, 3])
"""


async def run() -> list[dict]:
    km = kernel_manager_class()(kernel_name="python3")
    await km.start_kernel(cwd=str(paths.NOTEBOOKS_DIR), env={**os.environ, "KIMI_TEST_VALUE": "from the worker"})
    kc = km.client()
    kc.start_channels()
    out: list[dict] = []
    try:
        await kc.wait_for_ready(timeout=120)
        await kc.execute_interactive(CODE, output_hook=out.append, timeout=120)
    finally:
        kc.stop_channels()
        await km.shutdown_kernel()
    return out


def main() -> None:
    with warmkernels.started() as address:
        out = asyncio.run(run())
        seen = json.loads("".join(m["content"].get("text", "") for m in out if m["msg_type"] == "stream"))
        seen["parent_is_server"] = b"kernel-server" in (Path("/proc") / str(seen["parent"]) / "cmdline").read_bytes()
    kill_kernels()
    seen["address"] = address
    seen["figure"] = any("image/png" in m["content"].get("data", {}) for m in out if m["msg_type"] == "display_data")
    seen["server_gone"] = warmkernels.ADDRESS_ENV not in os.environ
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
