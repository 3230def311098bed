"""One tab, one event stream: the header's alert bell listens on the page's own stream, so an
open dashboard or inbox tab costs one `/api/v1/events` connection, counted by the server
(`/metrics`), and the bell still lights up live. (Its own module: it writes an alert.)"""

from __future__ import annotations

import time
import urllib.request

import pytest
from playwright.sync_api import BrowserContext, Page, Request, expect

from tests.browser.alert_helpers import fire_open_tickets_rule
from tests.browser.conftest import LiveServer, Login
from tests.browser.dashboard_helpers import wait_for_view
from tests.fixtures.auth import Persona, TestUser

pytestmark = pytest.mark.browser

GAUGE = "support_analytics_sse_connections "


def _open_streams(live_server: LiveServer) -> int:
    with urllib.request.urlopen(live_server.url("/metrics"), timeout=5) as response:
        body = response.read().decode()
    [line] = [line for line in body.splitlines() if line.startswith(GAUGE)]
    return int(float(line.removeprefix(GAUGE)))


def _settled_streams(live_server: LiveServer, at_least: int) -> int:
    """The server's count of open streams once it reached `at_least` and then stayed put for
    a second (room for a second stream per tab to show up)."""
    deadline = time.monotonic() + 15
    while (count := _open_streams(live_server)) < at_least:
        assert time.monotonic() < deadline, f"{count} streams, expected {at_least}"
        time.sleep(0.2)
    time.sleep(1.0)
    return _open_streams(live_server)


def _stream_requests(page: Page) -> list[str]:
    seen: list[str] = []

    def record(request: Request) -> None:
        if "/api/v1/events" in request.url:
            seen.append(request.url)

    page.on("request", record)
    return seen


def test_a_tab_with_the_bell_holds_one_stream_and_the_bell_lights_live(
    context: BrowserContext,
    page: Page,
    login: Login,
    live_server: LiveServer,
    browser_users: dict[Persona, TestUser],
) -> None:
    login(page, "manager")
    dashboard_streams = _stream_requests(page)
    page.goto("/dashboard")
    wait_for_view(page)
    expect(page.locator("[data-live-badge]")).to_have_text("live")
    expect(page.locator("[data-alert-bell]")).to_be_attached()
    assert _settled_streams(live_server, 1) == 1
    assert len(dashboard_streams) == 1, dashboard_streams

    inbox = context.new_page()
    inbox_streams = _stream_requests(inbox)
    inbox.goto("/tickets")
    expect(inbox.locator("[data-alert-bell]")).to_be_attached()
    assert _settled_streams(live_server, 2) == 2
    assert len(inbox_streams) == 1, inbox_streams

    rule_id = fire_open_tickets_rule(live_server, browser_users["manager"].id, "One stream")

    for tab in (page, inbox):
        bell = tab.locator("[data-alert-bell]")
        expect(bell).to_contain_text("One stream", timeout=5_000)
        assert bell.get_attribute("href", timeout=1_000) == f"/alerts/{rule_id}"
    assert _open_streams(live_server) == 2
