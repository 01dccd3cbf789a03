"""Headless Chromium driven by Playwright: ``make pdf`` prints the decks and reports with it, and
the browser test walks every slide with → and measures it.

The browser is Debian's ``chromium`` (``make setup`` installs it as root), launched through
Playwright's ``executable_path``: Playwright's own browser download needs the internet, so it is
never used. ``KIMI_RESEARCH_CHROMIUM`` names another executable (a path that does not exist
stands for "no browser", which is how the tests check the message a missing browser gives).

Nothing leaves the machine: every request of every page (popups such as the speaker view
included) is routed through :meth:`Browser._route`, which lets ``file:`` URLs through and
aborts and records everything else in ``Page.blocked``; WebSockets are closed and recorded
too, and the flags below make every host name unresolvable and switch off Chromium's own
background traffic. Console errors, uncaught exceptions and failed loads go to ``Page.errors``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from playwright.sync_api import ConsoleMessage, Playwright, Route, WebSocketRoute, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page as PwPage
from playwright.sync_api import Request as PwRequest

from kimi_research.errors import KimiResearchError
from kimi_research.io import atomic_write_bytes

ENV = "KIMI_RESEARCH_CHROMIUM"
FLAGS = [
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
    # a name that escapes the request routing still cannot resolve
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--allow-file-access-from-files",
]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
A4 = {"format": "A4", "margin": {"top": "0.5in", "bottom": "0.5in", "left": "0.5in", "right": "0.5in"}}


class BrowserError(KimiResearchError):
    pass


def find_chromium() -> str | None:
    """The Chromium executable: ``$KIMI_RESEARCH_CHROMIUM`` when set (None if it is not an
    executable file), else ``chromium`` or ``chromium-browser`` on PATH."""
    if ENV in os.environ:
        exe = os.environ[ENV]
        return exe if os.path.isfile(exe) and os.access(exe, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def in_ci() -> bool:
    """``CI`` is set (and not 0/false): a missing browser is then an error, never a skip."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing_message() -> str:
    """One line: which browser is missing and how to install it."""
    where = f"{ENV}={os.environ[ENV]} is not an executable file" if ENV in os.environ else "no chromium on PATH"
    return (
        f"chromium is not installed ({where}): as root `make setup` installs Debian's chromium, "
        "otherwise run `sudo apt-get install chromium` (or point KIMI_RESEARCH_CHROMIUM at a Chromium)"
    )


class Page:
    """A tab: the Playwright page (``raw``) with what it tried to fetch and what went wrong."""

    def __init__(self, raw: PwPage):
        self.raw = raw
        self.blocked: list[str] = []
        self.errors: list[str] = []
        raw.on("console", self._console)
        raw.on("pageerror", lambda exc: self.errors.append(f"exception: {exc}"))
        raw.on("requestfailed", self._failed)

    def _console(self, msg: ConsoleMessage) -> None:
        if msg.type in ("error", "assert"):
            url = (msg.location or {}).get("url", "")
            self.errors.append(f"console: {msg.text}" + (f" ({url})" if url else ""))

    def _failed(self, request: PwRequest) -> None:
        if request.url not in self.blocked:  # a blocked request is reported as blocked, once
            self.errors.append(f"failed to load {request.url}: {request.failure}")

    def goto(self, url: str) -> None:
        self.raw.goto(url, wait_until="load")

    def eval(self, expression: str) -> Any:
        """The value of a JavaScript expression (a promise is awaited)."""
        try:
            return self.raw.evaluate(expression)
        except PlaywrightError as e:
            raise BrowserError(f"{expression.strip()[:80]}...: {e.message.splitlines()[0]}") from None

    def wait_for(self, expression: str, timeout: float = 30, what: str = "") -> None:
        try:
            self.raw.wait_for_function(expression, timeout=timeout * 1000, polling=50)
        except PlaywrightError:
            raise BrowserError(f"timed out after {timeout:.0f} s waiting for {what or expression}") from None

    def settle(self, seconds: float) -> None:
        """Let the page run (and its events arrive) for ``seconds``."""
        self.raw.wait_for_timeout(seconds * 1000)

    def key(self, key: str) -> None:
        """Press a key as a person would (``"ArrowRight"``, ``"s"``)."""
        self.raw.keyboard.press(key)

    def screenshot(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.raw.screenshot(path=path)
        return path

    def pdf(self, path: Path, slides: bool = False) -> Path:
        """Print the page: slides at the page size their CSS asks for (reveal's print mode), else A4."""
        opts: dict[str, Any] = {"prefer_css_page_size": True} if slides else dict(A4)
        return atomic_write_bytes(path, self.raw.pdf(print_background=True, **opts))

    def close(self) -> None:
        self.raw.close()


class Browser:
    """One headless Chromium with one browser context at ``width``x``height``; ``page()`` opens a
    tab. Use as a context manager."""

    def __init__(self, width: int = 1280, height: int = 720, executable: str | None = None):
        exe = executable or find_chromium()
        if not exe:
            raise BrowserError(missing_message())
        self.width, self.height = width, height
        self.pages: list[Page] = []
        self._pw: Playwright = sync_playwright().start()
        try:
            self._browser = self._pw.chromium.launch(executable_path=exe, args=FLAGS, headless=True)
            self.context = self._browser.new_context(
                viewport={"width": width, "height": height}, device_scale_factor=1, accept_downloads=False
            )
        except PlaywrightError as e:
            self._pw.stop()
            raise BrowserError(f"could not start {exe}: {e.message.splitlines()[0]}") from None
        self.context.set_default_timeout(60_000)
        self.context.route("**/*", self._route)
        self.context.route_web_socket("**/*", self._websocket)
        self.context.on("page", self._on_page)  # popups (the speaker view) get the same listeners

    def adopt(self, raw: PwPage) -> Page:
        """The :class:`Page` of a Playwright page of this browser (a popup too), made once."""
        for p in self.pages:
            if p.raw is raw:
                return p
        p = Page(raw)
        self.pages.append(p)
        return p

    def _on_page(self, raw: PwPage) -> None:
        self.adopt(raw)

    def _owner(self, request: PwRequest) -> Page | None:
        try:
            return self.adopt(request.frame.page)
        except PlaywrightError:  # a worker's request has no frame
            return self.pages[-1] if self.pages else None

    def _route(self, route: Route) -> None:
        url = route.request.url
        if url.startswith(LOCAL_SCHEMES):
            route.continue_()
            return
        page = self._owner(route.request)
        if page is not None and url not in page.blocked:
            page.blocked.append(url)
        route.abort("blockedbyclient")

    def _websocket(self, ws: WebSocketRoute) -> None:
        if self.pages and ws.url not in self.pages[-1].blocked:
            self.pages[-1].blocked.append(ws.url)
        ws.close()

    def page(self) -> Page:
        return self.adopt(self.context.new_page())

    def close(self) -> None:
        try:
            self.context.close()
            self._browser.close()
        except PlaywrightError:
            pass
        finally:
            self._pw.stop()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
