"""The internal inbox pages: the filter bar's parameters, replies as the team member,
status/priority/assignee changes, and who may not get in."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.fixtures.auth import AGENT_TEAM_MEMBER_ID, CLIENT_A_ID, ApiClientFactory
from tests.tickets.conftest import Count, create

SCRIPT = "<script>alert('pwned')</script>"


def _summary_total(html: str) -> int:
    found = re.search(r'id="inbox-summary"><strong>([\d,]+)</strong>', html)
    assert found is not None, html[:2000]
    return int(found.group(1).replace(",", ""))


def test_the_inbox_counts_what_the_api_counts_for_the_same_filters(agent: TestClient) -> None:
    for params in (
        {},
        {"status": "open,in_progress"},
        {"priority": "any_of:high,urgent", "date": "between:2025-03-01,2025-03-31"},
        {"team_member": "is_not:3", "ticket_type": "none_of:1,2", "client": "any_of:1,2,3"},
        {"q": "refund"},
    ):
        api_total = agent.get("/api/v1/tickets", params=params).json()["total"]
        page = agent.get("/tickets", params=params)
        assert page.status_code == 200, params
        assert _summary_total(page.text) == api_total, params


def test_filter_bar_swap_returns_the_results_fragment(agent: TestClient) -> None:
    fragment = agent.get(
        "/tickets",
        params={"priority": "is:urgent"},
        headers={"HX-Request": "true", "HX-Target": "view"},
    )
    assert "<html" not in fragment.text
    assert 'id="inbox-summary"' in fragment.text
    assert 'hx-swap-oob="true"' in fragment.text


def test_bad_filters_are_a_readable_422_page(agent: TestClient) -> None:
    page = agent.get("/tickets", params={"priority": "is:critical"})
    assert page.status_code == 422
    assert "priority" in page.text


def test_reply_and_workflow_from_the_ticket_page(
    agent: TestClient, api_client_factory: ApiClientFactory, count: Count
) -> None:
    client_a = api_client_factory("client_a")
    ticket_id = create(client_a, title=SCRIPT)["id"]
    url = f"/tickets/{ticket_id}"
    page = agent.get(url)
    assert page.status_code == 200
    assert SCRIPT not in page.text
    assert "&lt;script&gt;" in page.text
    before = count("ticket_messages")
    assert agent.post(f"{url}/messages", data={"text": ""}).status_code == 422
    assert count("ticket_messages") == before
    sent = agent.post(f"{url}/messages", data={"text": "Looking now."}, follow_redirects=False)
    assert sent.status_code == 303
    detail = client_a.get(f"/api/v1/tickets/{ticket_id}").json()
    assert detail["messages"][-1]["from_team_member_id"] == AGENT_TEAM_MEMBER_ID
    saved = agent.post(
        url,
        data={"status": "resolved", "priority": "urgent", "assigned_to": str(AGENT_TEAM_MEMBER_ID)},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    after = client_a.get(f"/api/v1/tickets/{ticket_id}").json()
    assert (after["status"], after["priority"], after["assigned_to"]) == (
        "resolved",
        "urgent",
        AGENT_TEAM_MEMBER_ID,
    )
    assert after["resolved_at"] is not None
    agent.post(url, data={"status": "closed"})
    refused = agent.post(url, data={"status": "resolved"})
    assert refused.status_code == 409
    assert "reopen it first" in refused.text
    unassigned = agent.post(url, data={"status": "open", "assigned_to": "unassigned"})
    assert unassigned.status_code == 200
    reopened = client_a.get(f"/api/v1/tickets/{ticket_id}").json()
    assert (reopened["status"], reopened["resolved_at"], reopened["closed_at"]) == (
        "open",
        None,
        None,
    )
    assert reopened["assigned_to"] is None
    assert agent.post(url, data={"assigned_to": "999"}).status_code == 422


def test_clients_cannot_reach_the_inbox(api_client_factory: ApiClientFactory) -> None:
    client_a = api_client_factory("client_a")
    ticket_id = create(client_a)["id"]
    assert client_a.get("/tickets").status_code == 403
    assert client_a.get(f"/tickets/{ticket_id}").status_code == 403
    before = client_a.get(f"/api/v1/tickets/{ticket_id}").json()
    assert client_a.post(f"/tickets/{ticket_id}", data={"status": "closed"}).status_code == 403
    assert client_a.get(f"/api/v1/tickets/{ticket_id}").json() == before
    assert before["client_id"] == CLIENT_A_ID
