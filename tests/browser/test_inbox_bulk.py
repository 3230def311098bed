"""The inbox's bulk action bar in a browser: "select all on this page" ticks every row, the
count follows, and one submit changes every ticked ticket and comes back to the same
filtered list (issue 11)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import VIEWPORT, LiveServer, Login
from tests.browser.dashboard_helpers import api_json
from tests.fixtures.auth import AGENT_TEAM_MEMBER_ID

MARK = "Bulkbrowser"


def _page(browser: Browser, live_server: LiveServer) -> Page:
    context = browser.new_context(base_url=live_server.base_url, viewport=VIEWPORT)
    context.set_default_timeout(10_000)
    return context.new_page()


def test_select_all_and_apply_changes_every_row_and_keeps_the_filters(
    browser: Browser, live_server: LiveServer, login: Login
) -> None:
    client = _page(browser, live_server)
    agent = _page(browser, live_server)
    try:
        login(client, "client_a")
        for i in range(3):
            created = client.request.post(
                "/api/v1/tickets",
                data={
                    "title": f"{MARK} {i}",
                    "ticket_type_id": 1,
                    "priority": "low",
                    "message": "m",
                },
            )
            assert created.status == 201, created.text()
        login(agent, "agent")
        listing = f"/tickets?q={MARK}&status=open"
        agent.goto(listing)
        expect(agent.locator("#inbox-summary")).to_contain_text("3 tickets")
        count = agent.locator("[data-bulk-count]")

        agent.get_by_role("button", name="Apply to selected").click()
        expect(count).to_have_text("Tick at least one ticket first")
        agent.get_by_label("Select all tickets on this page").check()
        expect(count).to_have_text("3 tickets selected")
        agent.get_by_label("Select ticket #", exact=False).first.uncheck()
        expect(count).to_have_text("2 tickets selected")
        agent.get_by_label("Select all tickets on this page").check()
        agent.get_by_label("Mark as").select_option("in_progress")
        agent.get_by_label("Assign to").select_option(str(AGENT_TEAM_MEMBER_ID))
        agent.get_by_role("button", name="Apply to selected").click()

        expect(agent.locator("#inbox-summary")).to_contain_text("0 tickets")
        back = urlsplit(agent.url)
        assert (back.path, parse_qs(back.query)) == ("/tickets", {"q": [MARK], "status": ["open"]})
        rows = api_json(agent, f"/api/v1/tickets?q={MARK}")["rows"]
        assert isinstance(rows, list)
        assert len(rows) == 3
        changed = {(r["status"], r["assigned_to"]) for r in rows if isinstance(r, dict)}
        assert changed == {("in_progress", AGENT_TEAM_MEMBER_ID)}
    finally:
        client.context.close()
        agent.context.close()
