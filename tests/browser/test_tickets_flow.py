"""A ticket's whole life in the browser: a client opens it in the portal, an agent finds it in
the inbox, replies and resolves it, the client sees the reply arrive live and rates it, and the
dashboard's numbers move by exactly that ticket and that rating. Then isolation: another
client gets 404 for the ticket's address, and a client cannot open the inbox (while an open
inbox shows the new ticket live)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import OpenAs, screenshot
from tests.browser.dashboard_helpers import api_json

TITLE = "Export to <b>CSV</b> fails since Monday"
FIRST_MESSAGE = "Clicking Export shows <script>alert(1)</script> and nothing downloads."
REPLY = "Thanks — a fix is deployed; please try again."
AGENT_TEAM_MEMBER_ID = "3"


def _number(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


def test_client_opens_agent_resolves_client_rates_dashboard_moves(open_as: OpenAs) -> None:
    manager = open_as("manager")
    before = api_json(manager, "/api/v1/analytics/overview")

    client = open_as("client_a")
    client.goto("/portal/tickets/new")
    client.get_by_role("button", name="Create ticket").click()
    expect(client.get_by_text("Enter a title of 1 to 255 characters.")).to_be_visible()
    screenshot(client, "portal-new-ticket-errors")
    client.get_by_label("Type").select_option(label="Technical Issue")
    client.get_by_label("Priority").select_option("high")
    client.get_by_label("Title").fill(TITLE)
    client.get_by_label("Message").fill(FIRST_MESSAGE)
    client.get_by_role("button", name="Create ticket").click()
    expect(client.get_by_text("Ticket created")).to_be_visible()
    expect(client.locator("h1")).to_contain_text(TITLE)  # as text, not markup
    expect(client.locator(".message-text").first).to_have_text(FIRST_MESSAGE)
    ticket_path = urlsplit(client.url).path
    ticket_id = int(ticket_path.rsplit("/", 1)[1])
    client.goto("/portal")
    expect(client.get_by_role("link", name=TITLE)).to_be_visible()
    screenshot(client, "portal-tickets")

    agent = open_as("agent")
    agent.goto("/tickets")
    agent.get_by_label("Search", exact=True).fill("Export to <b>CSV")
    agent.get_by_label("Status").select_option("open,in_progress")  # applies at once
    expect(agent.locator("#inbox-summary")).to_contain_text("1 ticket")
    screenshot(agent, "inbox-tickets")
    agent.get_by_role("link", name=TITLE).click()
    expect(agent.locator("h1")).to_contain_text(TITLE)

    client.goto(ticket_path)  # left open: the reply must arrive without a reload
    expect(client.get_by_text("once the ticket is resolved")).to_be_visible()
    agent.get_by_label(re.compile(r"^Reply as")).fill(REPLY)
    agent.get_by_role("button", name="Send reply").click()
    expect(agent.locator(".message.from-team .message-text")).to_have_text(REPLY)
    agent.get_by_label("Status").select_option("resolved")
    agent.get_by_label("Assignee").select_option(AGENT_TEAM_MEMBER_ID)
    agent.get_by_role("button", name="Save").click()
    expect(agent.get_by_text("Saved.")).to_be_visible()
    expect(agent.locator("#ticket-facts")).to_contain_text("Resolved")
    screenshot(agent, "inbox-ticket", full_page=True)

    expect(client.locator(".message.from-team .message-text")).to_have_text(REPLY)
    expect(client.locator("#ticket-facts")).to_contain_text("Resolved")
    # The feedback form replaces "once the ticket is resolved" live, too.
    client.get_by_label("5", exact=True).check()
    client.get_by_label("Comment (optional)").fill("Fast and clear.")
    screenshot(client, "portal-ticket-feedback", full_page=True)
    client.get_by_role("button", name="Send feedback").click()
    expect(client.get_by_text("5 / 5")).to_be_visible()
    expect(client.get_by_role("button", name="Send feedback")).to_have_count(0)

    after = api_json(manager, "/api/v1/analytics/overview")
    total, n, avg = before["total_tickets"], before["feedback_count"], before["csat_avg"]
    assert isinstance(total, int)
    assert isinstance(n, int)
    assert isinstance(avg, float)
    assert after["total_tickets"] == total + 1
    assert after["feedback_count"] == n + 1
    assert after["csat_avg"] == pytest.approx((avg * n + 5) / (n + 1), rel=1e-9)
    manager.goto("/dashboard")
    card = manager.locator("[data-metric=total_tickets]")
    assert _number(card.inner_text()) == after["total_tickets"]
    expect(manager.locator("[data-metric=csat_detail]")).to_contain_text(f"{n + 1:,}")
    detail = api_json(manager, f"/api/v1/tickets/{ticket_id}")
    assert detail["assigned_to"] == int(AGENT_TEAM_MEMBER_ID)


def test_another_client_gets_404_and_a_client_cannot_open_the_inbox(open_as: OpenAs) -> None:
    agent = open_as("agent")
    agent.goto("/tickets?q=Private+matter")
    expect(agent.locator("#inbox-summary")).to_contain_text("0 tickets")
    client_a = open_as("client_a")
    created = client_a.request.post(
        "/api/v1/tickets",
        data={"title": "Private matter", "ticket_type_id": 1, "priority": "low", "message": "x"},
    )
    assert created.status == 201, created.text()
    ticket_id = created.json()["id"]
    # The open inbox picks the new ticket up from the event stream, without a reload.
    expect(agent.locator("#inbox-summary")).to_contain_text("1 ticket")

    client_b = open_as("client_b")
    response = client_b.goto(f"/portal/tickets/{ticket_id}")
    assert response is not None
    assert response.status == 404
    expect(client_b.get_by_text("Private matter")).to_have_count(0)
    screenshot(client_b, "portal-other-clients-ticket-404")

    inbox = client_a.goto("/tickets")
    assert inbox is not None
    assert inbox.status == 403
    expect(client_a.get_by_role("link", name="Tickets")).to_have_count(0)
