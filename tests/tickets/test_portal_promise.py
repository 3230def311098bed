"""The portal's promise: each ticket says what response and resolution its client can expect
(the targets of the policy row that applies) and, once stopped, whether each was met. The
API's `promises` equal plain SQL from the default policy (never read from `ticket_sla`); a
reply turns "pending" into "met"; another client's ticket stays a 404 with no promise."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

from sqlalchemy import text

from support_analytics.db.engine import Database
from support_analytics.web.pages.ticket_times import target_phrase
from tests.fixtures.auth import CLIENT_A_ID, ApiClientFactory
from tests.tickets.conftest import create
from tests.tickets.sla_oracle import clocks

# Per ticket and target: hours, due time, and the state now, from the default policy.
ORACLE = (
    clocks("t.id = ANY(:ids)")
    + """
SELECT id, target, hours, due,
       CASE WHEN done IS NOT NULL AND done <= due THEN 'met'
            WHEN done IS NOT NULL OR (running AND due < now()) THEN 'breached'
            ELSE 'pending' END
FROM clocks WHERE hours IS NOT NULL ORDER BY id, target
"""
)


def test_promises_equal_plain_sql_and_follow_a_reply(
    api_client_factory: ApiClientFactory, owner_database: Database
) -> None:
    client_a = api_client_factory("client_a")
    agent = api_client_factory("agent")
    fresh = create(client_a, priority="high")
    with owner_database.engine.connect() as conn:
        ids = [
            int(i)
            for i in conn.execute(
                text(
                    "SELECT id FROM tickets WHERE client_id = :c ORDER BY"
                    " status, priority NULLS FIRST, id LIMIT 40"
                ),
                {"c": CLIENT_A_ID},
            ).scalars()
        ] + [int(str(fresh["id"]))]
        expected = conn.execute(text(ORACLE), {"ids": ids}).all()
    by_ticket: dict[int, list[tuple[str, float, datetime, str]]] = {}
    for ticket_id, target, hours, due, state in expected:
        by_ticket.setdefault(int(ticket_id), []).append((target, float(hours), due, state))
    for ticket_id in ids:
        body = client_a.get(f"/api/v1/tickets/{ticket_id}").json()
        got = [
            (p["target"], p["target_hours"], datetime.fromisoformat(p["due_at"]), p["state"])
            for p in body["promises"]
        ]
        assert got == by_ticket.get(ticket_id, []), ticket_id
        assert {p["basis"] for p in body["promises"]} <= {"calendar"}
        assert set(body["promises"][0]) == {"target", "target_hours", "basis", "due_at", "state"}

    page = client_a.get(f"/portal/tickets/{fresh['id']}").text
    assert "We aim to reply within 4 hours." in page
    assert "Expect a reply by" in page
    listed = client_a.get("/portal").text
    row = re.search(rf'data-label="#">{fresh["id"]}</td>.*?</tr>', listed, re.S)
    assert row is not None
    assert 'data-reply-state="pending"' in row.group(0)
    assert "In progress</span> Reply within 4 hours" in row.group(0)
    assert agent.post(f"/api/v1/tickets/{fresh['id']}/messages", json={"text": "On it"}).is_success
    promised = client_a.get(f"/api/v1/tickets/{fresh['id']}").json()["promises"]
    assert promised[0]["target"] == "first_response"
    assert promised[0]["state"] == "met"
    page = client_a.get(f"/portal/tickets/{fresh['id']}").text
    assert "on time." in page
    assert 'data-target="first_response" data-state="met"' in page


def test_another_clients_ticket_has_no_promise(api_client_factory: ApiClientFactory) -> None:
    ticket = create(api_client_factory("client_a"))
    client_b = api_client_factory("client_b")
    response = client_b.get(f"/api/v1/tickets/{ticket['id']}")
    assert response.status_code == 404
    assert "promises" not in response.text
    assert client_b.get(f"/portal/tickets/{ticket['id']}").status_code == 404


def test_target_phrases() -> None:
    assert target_phrase(Decimal("4.0000"), "business") == "4 business hours"
    assert target_phrase(Decimal("1"), "calendar") == "1 hour"
    assert target_phrase(Decimal("0.5000"), "calendar") == "0.5 hours"
