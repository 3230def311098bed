"""The Playwright harness: the real server (uvicorn in a subprocess, the same command
`support-analytics serve` runs) over a private clone of the reference database per test
module, and Debian's Chromium driven by Playwright's sync API.

One server and one database per module keeps the suite fast; a test that writes data should
live in a module of its own (or tolerate its neighbours' writes). Every browser test carries
`@pytest.mark.browser` (added automatically for tests in this folder).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    ViewportSize,
    sync_playwright,
)

from support_analytics.db.engine import connect
from tests.conftest import QUICK_START, PgServer
from tests.fixtures.auth import Persona, TestUser, create_personas

CHROMIUM = Path(os.environ.get("SUPPORT_ANALYTICS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
PHONE_VIEWPORT: ViewportSize = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
REPO_ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 90.0  # the start-up under a loaded 2-core machine took over 30 s


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@dataclass(frozen=True)
class LiveServer:
    """A running app: `url("/path")` gives an absolute address; `database_url` is the
    SQLAlchemy URL of its private database (tests may read or write it directly)."""

    base_url: str
    database_url: str
    log: Path

    def url(self, path: str = "/") -> str:
        return self.base_url + path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server not healthy after {STARTUP_SECONDS}s:\n{log.read_text()}")


def start_server(database_url: str, *, env: dict[str, str] | None = None) -> Iterator[LiveServer]:
    """Serve the app on a free port until the generator is closed."""
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="sa-server-", suffix=".log")[1])
    environment = {
        **os.environ,
        "SUPPORT_ANALYTICS_DATABASE_URL": database_url,
        "SUPPORT_ANALYTICS_POOL_SIZE": "4",
        **QUICK_START,
        **(env or {}),
    }
    environment.pop("DATABASE_URL", None)
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "support_analytics.web.app:create_server_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=environment, stdout=sink, stderr=subprocess.STDOUT
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base_url, process, log)
        yield LiveServer(base_url=base_url, database_url=database_url, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def server_database(pg_server: PgServer, template_database: str) -> Iterator[str]:
    """A private clone of the reference database shared by the tests of one module."""
    with pg_server.scratch_database("sa_browser", template=template_database) as url:
        yield url


@pytest.fixture(scope="module")
def live_server(server_database: str) -> Iterator[LiveServer]:
    yield from start_server(server_database)


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: run `make system-deps`")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    try:
        yield browser
    finally:
        browser.close()


def _new_context(browser: Browser, live_server: LiveServer) -> BrowserContext:
    context = browser.new_context(
        base_url=live_server.base_url, viewport=VIEWPORT, locale="en-US", timezone_id="UTC"
    )
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    context = _new_context(browser, live_server)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def screenshot(page: Page, name: str, *, full_page: bool = False) -> Path:
    """Save `docs/screenshots/<name>.png` (the README shows these)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    return path


@pytest.fixture(scope="module")
def browser_users(live_server: LiveServer) -> dict[Persona, TestUser]:
    """The identity fixtures' personas (admin, manager, agent, client_a, client_b) created in
    this module's database; every password is `tests.fixtures.auth.PASSWORD`."""
    database = connect(live_server.database_url, pool_size=1)
    try:
        return create_personas(database)
    finally:
        database.engine.dispose()


Login = Callable[[Page, Persona], None]


@pytest.fixture
def login(browser_users: dict[Persona, TestUser]) -> Login:
    """`login(page, "manager")`: signs the page's browser context in through the JSON API
    (the cookie is shared by every page of the context)."""

    def sign_in(page: Page, persona: Persona) -> None:
        user = browser_users[persona]
        response = page.request.post(
            "/api/v1/auth/login", data={"email": user.email, "password": user.password}
        )
        assert response.status == 200, response.text()

    return sign_in


OpenAs = Callable[[Persona], Page]


@pytest.fixture
def open_as(browser: Browser, live_server: LiveServer, login: Login) -> Iterator[OpenAs]:
    """`open_as("agent")`: a new page in a browser context of its own, signed in as that
    persona, so several people can act side by side; every context closes after the test."""
    contexts: list[BrowserContext] = []

    def open_page(persona: Persona) -> Page:
        context = _new_context(browser, live_server)
        contexts.append(context)
        page = context.new_page()
        login(page, persona)
        return page

    yield open_page
    for context in contexts:
        context.close()
