"""The inbox's "SLA due" and "Customer wrote" columns show what the API returns for the same
rows (state in words, not only a colour; the countdown), both sort from their headers, and the
"At risk" quick view lists exactly the API's `sla=at_risk` tickets, with its chip."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import text

from support_analytics.db.engine import Database
from tests.fixtures.auth import ApiClientFactory
from tests.web.test_inbox_quick_views import quick_views

ROW = re.compile(r'<td class="num" data-label="#">(\d+)</td>.*?</tr>', re.S)
STATE = re.compile(r'data-label="SLA due" data-sla-state="([a-z_]*)"')


def _young_urgent(owner_database: Database) -> int:
    with owner_database.engine.begin() as conn:
        ticket_id = conn.execute(
            text(
                "INSERT INTO tickets (client_id, ticket_type_id, status, priority, title,"
                " created_at) SELECT 1, id, 'open', 'urgent', 'Down since 10 min',"
                " now() - interval '10 minutes'"
                " FROM ticket_types ORDER BY avg_resolution_hours DESC, id LIMIT 1 RETURNING id"
            )
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO ticket_messages (ticket_id, from_client, message_text, created_at)"
                " VALUES (:i, true, 'help', now() - interval '10 minutes')"
            ),
            {"i": ticket_id},
        )
    return int(ticket_id)


def test_columns_quick_view_and_sorts(
    api_client_factory: ApiClientFactory, owner_database: Database
) -> None:
    ticket_id = _young_urgent(owner_database)
    agent = api_client_factory("agent")

    html = agent.get("/tickets?status=open").text
    api = {r["id"]: r for r in agent.get("/api/v1/tickets?status=open").json()["rows"]}
    for found in ROW.finditer(html):
        state = STATE.search(found.group(0))
        assert state is not None
        assert state.group(1) == (api[int(found.group(1))]["sla_state"] or "")
    assert "Breached" in html  # the reference data's open tickets are long overdue
    assert "overdue by" in html

    link = re.search(r'<a href="([^"]*)"[^>]*>At risk</a>', html)
    assert link is not None
    assert quick_views(html)["At risk"] == {"status": "open", "sla": "at_risk"}
    listed = agent.get(unescape(link.group(1))).text
    total = agent.get("/api/v1/tickets?status=open&sla=at_risk").json()["total"]
    assert total == 1
    assert re.search(rf"<strong>{total}</strong> ticket\b", listed)
    assert f'data-label="#">{ticket_id}</td>' in listed
    assert "At risk</span>" in listed
    assert "due in 50 min" in listed or "due in 49 min" in listed
    assert "SLA at risk" in listed  # the chip and the summary line
    assert 'aria-current="page">At risk</a>' in listed
    assert "10 min ago" in listed or "11 min ago" in listed  # the customer wrote 10 min ago

    for column in ("sla_due", "client_message"):
        assert f"sort={column}" in html
        sorted_page = agent.get(f"/tickets?sort=-{column}")
        assert sorted_page.status_code == 200
        assert 'aria-sort="descending"' in sorted_page.text


def _answered_late(owner_database: Database) -> int:
    """Resolved, its first reply 3 h after an urgent ticket opened (target 1 h)."""
    with owner_database.engine.begin() as conn:
        ticket_id = conn.execute(
            text(
                "INSERT INTO tickets (client_id, ticket_type_id, status, priority, title,"
                " created_at, resolved_at) SELECT 1, id, 'resolved', 'urgent', 'Slow answer',"
                " now() - interval '5 hours', now() - interval '1 hour'"
                " FROM ticket_types ORDER BY id LIMIT 1 RETURNING id"
            )
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO ticket_messages (ticket_id, from_client, from_team_member_id,"
                " message_text, created_at) VALUES (:i, false, 1, 'on it',"
                " now() - interval '2 hours')"
            ),
            {"i": ticket_id},
        )
    return int(ticket_id)


def test_first_response_breached_quick_view_is_the_apis_list(
    api_client_factory: ApiClientFactory, owner_database: Database
) -> None:
    ticket_id = _answered_late(owner_database)
    agent = api_client_factory("agent")
    html = agent.get("/tickets?priority=is:urgent").text
    assert quick_views(html)["First response breached"] == {
        "priority": "is:urgent",
        "sla": "first_response:breached",
    }
    query = "priority=is:urgent&sla=first_response:breached"
    listed = agent.get(f"/tickets?{query}").text
    api = agent.get(f"/api/v1/tickets?{query}").json()
    assert ticket_id in [r["id"] for r in api["rows"]]
    assert re.search(rf"<strong>{api['total']:,}</strong> tickets?\b", listed)
    assert [int(m.group(1)) for m in ROW.finditer(listed)] == [r["id"] for r in api["rows"]]
    assert "First response SLA breached" in listed  # the chip names the target
    assert 'aria-current="page">First response breached</a>' in listed
