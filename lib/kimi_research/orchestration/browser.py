"""Headless Chromium driven over the DevTools protocol through a pipe (no network, no extra
package): used by ``make pdf`` to print the decks and reports, and by the browser test to walk
every slide with → and measure it.

Every http(s) request the page makes is failed before it leaves the machine and recorded in
``Page.blocked``; console errors and uncaught exceptions go to ``Page.errors``.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from kimi_research.errors import KimiResearchError

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
    "--hide-scrollbars",
    # a name that escapes the request blocking still cannot resolve
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--allow-file-access-from-files",
]


def find_chromium() -> str | None:
    return (
        os.environ.get("CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
        or shutil.which("google-chrome")
    )


class BrowserError(KimiResearchError):
    pass


class Browser:
    """One headless Chromium; ``page()`` opens a tab. Use as a context manager."""

    def __init__(self, width: int = 1280, height: int = 720, executable: str | None = None):
        exe = executable or find_chromium()
        if not exe:
            raise BrowserError("chromium is not installed (apt-get install chromium)")
        self.width, self.height = width, height
        self._profile = tempfile.TemporaryDirectory(prefix="kimi-chromium-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        # the child reads commands on fd 3 and writes replies on fd 4
        hi_r, hi_w = (fcntl.fcntl(to_child_r, fcntl.F_DUPFD_CLOEXEC, 10), fcntl.fcntl(from_child_w, fcntl.F_DUPFD_CLOEXEC, 10))
        os.close(to_child_r)
        os.close(from_child_w)

        def child_fds():  # dup2 makes 3 and 4 inheritable; every other fd is close-on-exec
            os.dup2(hi_r, 3)
            os.dup2(hi_w, 4)

        self.proc = subprocess.Popen(
            [
                exe,
                *FLAGS,
                "--remote-debugging-pipe",
                f"--user-data-dir={self._profile.name}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=None if os.environ.get("KIMI_BROWSER_DEBUG") else subprocess.DEVNULL,
            close_fds=False,
            preexec_fn=child_fds,
        )
        os.close(hi_r)
        os.close(hi_w)
        self._buf = b""
        self._id = 0
        self._events: list[dict] = []
        self.pages: dict[str, Page] = {}

    # -- protocol -----------------------------------------------------------------------
    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 60) -> dict:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_child, json.dumps(msg).encode() + b"\0")
        want = self._id
        deadline = time.monotonic() + timeout
        while True:
            m = self._read(deadline - time.monotonic())
            if m is None:
                raise BrowserError(f"chromium did not answer {method} within {timeout:.0f} s")
            if m.get("id") == want:
                if "error" in m:
                    raise BrowserError(f"{method}: {m['error'].get('message')}")
                return m.get("result", {})
            self._dispatch(m)

    def _read(self, timeout: float) -> dict | None:
        while b"\0" not in self._buf:
            ready, _, _ = select.select([self._from_child], [], [], max(timeout, 0))
            if not ready:
                return None
            chunk = os.read(self._from_child, 1 << 20)
            if not chunk:
                raise BrowserError("chromium exited")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def pump(self, seconds: float) -> None:
        """Handle events for ``seconds``."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            m = self._read(left)
            if m is None:
                return
            self._dispatch(m)

    def _dispatch(self, m: dict) -> None:
        page = self.pages.get(m.get("sessionId", ""))
        if page is not None:
            page._event(m["method"], m.get("params", {}))
        else:
            self._events.append(m)

    def page(self) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        p = Page(self, session, target)
        self.pages[session] = p
        p._setup()
        return p

    def targets(self) -> list[dict]:
        return self.send("Target.getTargets")["targetInfos"]

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except (BrowserError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_child, self._from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        self._profile.cleanup()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Page:
    def __init__(self, browser: Browser, session: str, target: str):
        self.browser, self.session, self.target = browser, session, target
        self.blocked: list[str] = []
        self.errors: list[str] = []

    def send(self, method: str, params: dict | None = None, timeout: float = 60) -> dict:
        return self.browser.send(method, params, self.session, timeout)

    def _setup(self) -> None:
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")
        self.send("Fetch.enable", {"patterns": [{"urlPattern": "http*://*"}, {"urlPattern": "ws*://*"}]})
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": self.browser.width, "height": self.browser.height, "deviceScaleFactor": 1, "mobile": False},
        )

    def _event(self, method: str, p: dict) -> None:
        if method == "Fetch.requestPaused":
            if p["request"]["url"] not in self.blocked:
                self.blocked.append(p["request"]["url"])
            self.browser.send("Fetch.failRequest", {"requestId": p["requestId"], "errorReason": "BlockedByClient"}, self.session)
        elif method == "Network.requestWillBeSent":
            url = p["request"]["url"]
            if not url.startswith(("file:", "data:", "blob:", "about:")) and url not in self.blocked:
                self.blocked.append(url)
        elif method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            self.errors.append("console: " + " ".join(str(a.get("value", a.get("description", ""))) for a in p["args"]))
        elif method == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            self.errors.append("exception: " + d.get("exception", {}).get("description", d.get("text", "")))
        elif method == "Log.entryAdded" and p["entry"].get("level") == "error":
            self.errors.append(f"log: {p['entry'].get('text')} {p['entry'].get('url', '')}".strip())

    def goto(self, url: str) -> None:
        self.send("Page.navigate", {"url": url})

    def eval(self, expression: str, timeout: float = 60):
        r = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}, timeout)
        if "exceptionDetails" in r:
            raise BrowserError(f"{expression[:80]}...: {r['exceptionDetails'].get('exception', {}).get('description')}")
        return r["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 30, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.eval(f"!!({expression})"):
                return
            self.browser.pump(0.05)
        raise BrowserError(f"timed out after {timeout:.0f} s waiting for {what or expression}")

    def key(self, key: str, code: int, text: str = "") -> None:
        base = {
            "key": key,
            "code": key if len(key) > 1 else f"Key{key.upper()}",
            "windowsVirtualKeyCode": code,
            "nativeVirtualKeyCode": code,
        }
        self.send("Input.dispatchKeyEvent", {"type": "keyDown", **base, **({"text": text} if text else {})})
        self.send("Input.dispatchKeyEvent", {"type": "keyUp", **base})

    def screenshot(self, path: Path) -> Path:
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def pdf(self, path: Path, landscape_slides: bool = False) -> Path:
        opts: dict = {"printBackground": True, "preferCSSPageSize": True}
        if not landscape_slides:
            opts.update(
                {
                    "paperWidth": 8.27,
                    "paperHeight": 11.69,
                    "marginTop": 0.5,
                    "marginBottom": 0.5,
                    "marginLeft": 0.5,
                    "marginRight": 0.5,
                    "preferCSSPageSize": False,
                }
            )
        data = self.send("Page.printToPDF", opts, timeout=180)["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(base64.b64decode(data))
        tmp.replace(path)
        return path
