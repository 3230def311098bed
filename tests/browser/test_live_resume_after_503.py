"""A page whose stream was refused with a 503 opens a new one itself, and that one resumes
from the last event the page saw: an event written while the page was away arrives on the new
stream (what the browser received is read from Chromium's own network events). (Its own
module: it writes tickets and cuts the server's LISTEN connection.)"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable

import psycopg
import pytest
from playwright.sync_api import BrowserContext, Page, Request, Route, expect

from support_analytics.db.engine import libpq_url
from tests.browser.conftest import LiveServer, Login
from tests.browser.dashboard_helpers import wait_for_view

pytestmark = pytest.mark.browser

EVENTS = re.compile(r"/api/v1/events")
Message = dict[str, object]


def _new_ticket(live_server: LiveServer, title: str) -> int:
    with psycopg.connect(libpq_url(live_server.database_url), autocommit=True) as conn:
        row = conn.execute(
            "INSERT INTO tickets (client_id, ticket_type_id, priority, title)"
            " VALUES (1, 1, 'low', %s) RETURNING id",
            (title,),
        ).fetchone()
    assert row is not None
    return int(row[0])


def _cut_listen_connection(live_server: LiveServer) -> None:
    """The server's LISTEN connection drops (as when the database restarts): its streams end
    and the browser reconnects."""
    with psycopg.connect(libpq_url(live_server.database_url), autocommit=True) as conn:
        cut = conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND query LIKE 'LISTEN %%'"
            " AND pid <> pg_backend_pid()"
        ).fetchone()
    assert cut is not None
    assert cut[0] == 1, cut


def _wait(page: Page, predicate: Callable[[], bool], what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"not within {seconds}s: {what}"
        page.wait_for_timeout(100)


def _ticket_message(messages: list[Message], ticket_id: int) -> Message | None:
    for message in messages:
        data = json.loads(str(message.get("data", "{}")))
        if message.get("eventName") == "ticket" and data.get("ticket_id") == ticket_id:
            return message
    return None


def test_a_new_stream_after_a_503_resumes_from_the_last_event_seen(
    context: BrowserContext, page: Page, login: Login, live_server: LiveServer
) -> None:
    messages: list[Message] = []
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")

    def received(message: Message) -> None:
        messages.append(message)

    cdp.on("Network.eventSourceMessageReceived", received)
    requests: list[str] = []

    def record(request: Request) -> None:
        if EVENTS.search(request.url):
            requests.append(request.url)

    page.on("request", record)
    login(page, "manager")
    page.goto("/dashboard")
    wait_for_view(page)
    badge = page.locator("[data-live-badge]")
    expect(badge).to_have_text("live")

    seen = _new_ticket(live_server, "Seen live")
    _wait(page, lambda: _ticket_message(messages, seen) is not None, "the live event")
    seen_message = _ticket_message(messages, seen)
    assert seen_message is not None
    last_id = str(seen_message["eventId"])
    assert last_id

    refused: list[str] = []

    def unavailable(route: Route) -> None:
        refused.append(route.request.url)
        route.fulfill(status=503, headers={"Retry-After": "1"}, body="restarting")

    page.route(EVENTS, unavailable)
    _cut_listen_connection(live_server)
    expect(badge).to_have_text("reconnecting", timeout=10_000)
    # The browser's own reconnect is refused: its EventSource is closed for good now.
    _wait(page, lambda: len(refused) >= 1, "a refused reconnect")
    missed = _new_ticket(live_server, "Written while the page was away")
    page.unroute(EVENTS)

    expect(badge).to_have_text("live", timeout=30_000)
    _wait(page, lambda: _ticket_message(messages, missed) is not None, "the missed event")
    assert requests[-1].endswith(f"/api/v1/events?last_event_id={last_id}"), requests
