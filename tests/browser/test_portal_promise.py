"""The portal's promise in a browser: a client's new ticket says what reply it can expect
(the policy's target for its priority) with the due time; when an agent replies, the open
page turns it into "met" without a reload, as the API says. (Its own module: it writes.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import VIEWPORT, LiveServer, Login

pytestmark = pytest.mark.browser


@pytest.fixture
def agent(browser: Browser, live_server: LiveServer, login: Login) -> Iterator[Page]:
    context: BrowserContext = browser.new_context(base_url=live_server.base_url, viewport=VIEWPORT)
    context.set_default_timeout(10_000)
    page = context.new_page()
    login(page, "agent")
    yield page
    context.close()


def test_the_promise_and_its_outcome(page: Page, login: Login, agent: Page) -> None:
    login(page, "client_a")
    created = page.request.post(
        "/api/v1/tickets",
        data={"title": "Invoice missing", "ticket_type_id": 1, "priority": "high", "message": "Hi"},
    )
    assert created.status == 201, created.text()
    ticket_id = created.json()["id"]
    page.goto(f"/portal/tickets/{ticket_id}")
    reply = page.locator("#promise [data-target=first_response]")
    expect(reply).to_contain_text("We aim to reply within 4 hours.")
    expect(reply).to_contain_text("Expect a reply by")
    expect(reply).to_have_attribute("data-state", "pending")
    api = page.request.get(f"/api/v1/tickets/{ticket_id}").json()["promises"]
    assert next((p["target"], p["target_hours"], p["state"]) for p in api) == (
        "first_response",
        4.0,
        "pending",
    )
    expect(page.locator("#promise [data-target=resolution]")).to_contain_text(
        "We aim to resolve it within"
    )

    sent = agent.request.post(f"/api/v1/tickets/{ticket_id}/messages", data={"text": "On it."})
    assert sent.status == 201, sent.text()
    expect(reply).to_have_attribute("data-state", "met", timeout=5_000)
    expect(reply).to_contain_text("on time.")
    api = page.request.get(f"/api/v1/tickets/{ticket_id}").json()["promises"]
    assert api[0]["state"] == "met"
    assert page.url.endswith(f"/portal/tickets/{ticket_id}")  # no reload was needed
