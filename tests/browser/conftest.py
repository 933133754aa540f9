"""A real reader: the strictly built site, served on loopback, in Debian's headless Chromium.

One browser per test session (per xdist worker), started lazily; every page request that leaves
127.0.0.1 is blocked and counted as a failure, so the site must work offline.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tested_docs.pytest_plugin import skip_unless_ci

CHROMIUM = Path(os.environ.get("TESTED_DOCS_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
"""Every page, at desktop and phone width: `<lang>/<page>-desktop.png`, `<lang>/<page>-phone.png`."""
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 1,
}


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SCREENSHOTS.is_dir() and any(SCREENSHOTS.rglob("*.png")):
        terminalreporter.write_line(f"browser screenshots: {SCREENSHOTS}")


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        skip_unless_ci(f"no Chromium at {CHROMIUM} (./dev test installs Debian's chromium as root)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        skip_unless_ci("playwright is not installed (pip install -e '.[dev]')")
    return CHROMIUM


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def site_root(request: pytest.FixtureRequest) -> Path:
    """The strictly built site (`built_site`), or, to iterate on these tests, a folder built before:
    `TESTED_DOCS_PREBUILT_SITE=/tmp/site pytest tests/browser`."""
    prebuilt = os.environ.get("TESTED_DOCS_PREBUILT_SITE")
    if prebuilt:
        return Path(prebuilt)
    return request.getfixturevalue("built_site").path


@pytest.fixture(scope="session")
def site_url(site_root: Path) -> Iterator[str]:
    """The built site, served by `http.server` on 127.0.0.1 (a free port) from a thread."""
    handler = functools.partial(_QuietHandler, directory=str(site_root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser(chromium: Path):
    """One Chromium for the session (Playwright gives it a fresh temporary profile).

    A Chromium that is there but does not start is an error, not a skip.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as manager:
        browser = manager.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Reader:
    """A browser tab with everything that went wrong on it: console errors, failed requests."""

    page: object
    base: str
    problems: list[str] = field(default_factory=list)

    def open(self, path: str, wait_until: str = "networkidle") -> None:
        self.page.goto(self.base + path, wait_until=wait_until)
        self.wait_for_diagrams()

    def wait_for_diagrams(self) -> None:
        """Material swaps each `pre.mermaid` for a rendered `div.mermaid`; wait until all are."""
        if self.page.locator(".mermaid").count():
            self.page.wait_for_function(
                "() => !document.querySelector('pre.mermaid')", timeout=15_000
            )

    def take_problems(self) -> list[str]:
        problems, self.problems = self.problems, []
        return problems


def _watch(page, base: str) -> Reader:
    reader = Reader(page, base)
    origin = urlparse(base).netloc

    def route(route) -> None:
        if urlparse(route.request.url).netloc == origin or route.request.url.startswith("data:"):
            route.continue_()
        else:
            reader.problems.append(f"request off this machine: {route.request.url}")
            route.abort()

    page.route("**/*", route)
    page.on(
        "console",
        lambda message: (
            reader.problems.append(f"console {message.type}: {message.text}")
            if message.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: reader.problems.append(f"page error: {error}"))
    page.on(
        "requestfailed",
        lambda request: (
            reader.problems.append(f"request failed: {request.url} ({request.failure})")
            # cancelled because the tab moved on (search worker still loading): not a failure
            if request.failure != "net::ERR_ABORTED" or urlparse(request.url).netloc != origin
            else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            reader.problems.append(f"HTTP {response.status}: {response.url}")
            if response.status >= 400
            else None
        ),
    )
    return reader


@pytest.fixture(scope="session")
def _desktop_context(browser, site_url):
    context = browser.new_context(**DESKTOP)
    yield context
    context.close()


@pytest.fixture(scope="session")
def _phone_context(browser, site_url):
    context = browser.new_context(**PHONE)
    yield context
    context.close()


@pytest.fixture(scope="session")
def desktop_tab(_desktop_context, site_url) -> Reader:
    """One desktop-width tab reused by the page-by-page tests (fast: no new page per test)."""
    return _watch(_desktop_context.new_page(), site_url)


@pytest.fixture(scope="session")
def phone_tab(_phone_context, site_url) -> Reader:
    return _watch(_phone_context.new_page(), site_url)


@pytest.fixture
def reader(browser, site_url) -> Iterator[Reader]:
    """A fresh desktop browser profile (own storage, clipboard allowed) for one interaction test."""
    context = browser.new_context(**DESKTOP)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_url.rstrip("/"))
    reader = _watch(context.new_page(), site_url)
    yield reader
    context.close()
