"""The activity log (`ticket_events`, migration 0007) through real sessions and RLS: every kind
of write through the API logs its event with the right actor, clients see their own tickets'
events without emails, nobody writes events directly, and a client message on a resolved
ticket reopens it."""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from support_analytics import maintenance
from support_analytics.db.engine import Database, libpq_url
from support_analytics.people import display_name
from support_analytics.tenancy.scope import request_transaction
from tests.conftest import PgServer
from tests.fixtures.auth import (
    AGENT_TEAM_MEMBER_ID,
    Persona,
    TestUser,
    open_session,
)
from tests.tickets.conftest import create


def _events(client: TestClient, ticket_id: object) -> list[dict[str, object]]:
    response = client.get(f"/api/v1/tickets/{ticket_id}")
    assert response.status_code == 200, response.text
    events: list[dict[str, object]] = response.json()["events"]
    return events


def _lines(events: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [
        (e["kind"], e["old_value"], e["new_value"], e["actor_kind"], e["actor_name"])
        for e in events
    ]


def _username(owner_database: Database, team_member_id: int) -> str:
    with owner_database.engine.connect() as conn:
        return str(
            conn.execute(
                text("SELECT username FROM team_members WHERE id = :id"), {"id": team_member_id}
            ).scalar_one()
        )


def _client_name(owner_database: Database) -> str:
    """What the log calls client_a's user: its display name (never its email)."""
    with owner_database.engine.connect() as conn:
        name = conn.execute(
            text("SELECT display_name FROM users WHERE email = 'client_a@tests.example'")
        ).scalar_one()
    assert name
    assert "@" not in name
    return str(name)


def _facts(owner_database: Database, ticket_id: object) -> dict[str, object]:
    with owner_database.engine.connect() as conn:
        row = (
            conn.execute(
                text("SELECT * FROM ticket_response_facts WHERE ticket_id = :id"),
                {"id": ticket_id},
            )
            .mappings()
            .one()
        )
    return dict(row)


def test_every_kind_of_write_is_logged_with_its_actor(
    client_a: TestClient, agent: TestClient, owner_database: Database
) -> None:
    ticket_id = create(client_a)["id"]
    me = display_name(_username(owner_database, AGENT_TEAM_MEMBER_ID))
    them = _client_name(owner_database)
    assert agent.post(f"/api/v1/tickets/{ticket_id}/messages", json={"text": "On it"}).is_success
    changed = agent.patch(
        f"/api/v1/tickets/{ticket_id}",
        json={"status": "in_progress", "priority": "urgent", "assigned_to": AGENT_TEAM_MEMBER_ID},
    )
    assert changed.status_code == 200, changed.text
    assert agent.patch(f"/api/v1/tickets/{ticket_id}", json={"assigned_to": None}).is_success
    assert agent.patch(f"/api/v1/tickets/{ticket_id}", json={"status": "resolved"}).is_success
    given = client_a.post(f"/api/v1/tickets/{ticket_id}/feedback", json={"rating": 4})
    assert given.status_code == 201, given.text
    assert _lines(_events(agent, ticket_id)) == [
        ("created", None, "open", "client", them),
        ("client_message", None, _lines_message_id(agent, ticket_id, 0), "client", them),
        ("reply", None, _lines_message_id(agent, ticket_id, 1), "internal", me),
        ("status", "open", "in_progress", "internal", me),
        ("priority", "high", "urgent", "internal", me),
        ("assignee", None, str(AGENT_TEAM_MEMBER_ID), "internal", me),
        ("assignee", str(AGENT_TEAM_MEMBER_ID), None, "internal", me),
        ("status", "in_progress", "resolved", "internal", me),
        ("feedback", None, "4", "client", them),
    ]
    facts = _facts(owner_database, ticket_id)
    assert (facts["replies"], facts["client_messages"], facts["reopens"]) == (1, 1, 0)
    assert facts["last_from_client"] is False
    assert facts["status"] == "resolved"
    assert isinstance(facts["frt_hours"], float)
    assert facts["frt_hours"] >= 0


def _lines_message_id(client: TestClient, ticket_id: object, index: int) -> str:
    messages = client.get(f"/api/v1/tickets/{ticket_id}").json()["messages"]
    return str(messages[index]["id"])


def test_a_client_message_on_a_resolved_ticket_reopens_it(
    client_a: TestClient, agent: TestClient, owner_database: Database
) -> None:
    ticket_id = create(client_a)["id"]
    them = _client_name(owner_database)
    assert agent.patch(f"/api/v1/tickets/{ticket_id}", json={"status": "resolved"}).is_success
    sent = client_a.post(f"/api/v1/tickets/{ticket_id}/messages", json={"text": "Still broken"})
    assert sent.status_code == 201, sent.text
    ticket = client_a.get(f"/api/v1/tickets/{ticket_id}").json()
    assert (ticket["status"], ticket["resolved_at"]) == ("open", None)
    assert _lines(ticket["events"])[-2:] == [
        ("client_message", None, str(sent.json()["id"]), "client", them),
        ("status", "resolved", "open", "client", them),
    ]
    assert _facts(owner_database, ticket_id)["reopens"] == 1
    # An agent reopening is a reopen too; an agent's reply on a resolved ticket is not.
    assert agent.patch(f"/api/v1/tickets/{ticket_id}", json={"status": "resolved"}).is_success
    assert agent.post(f"/api/v1/tickets/{ticket_id}/messages", json={"text": "Fixed"}).is_success
    assert client_a.get(f"/api/v1/tickets/{ticket_id}").json()["status"] == "resolved"
    assert agent.patch(f"/api/v1/tickets/{ticket_id}", json={"status": "in_progress"}).is_success
    assert _facts(owner_database, ticket_id)["reopens"] == 2


def test_a_client_message_on_a_closed_ticket_does_not_reopen_it(
    client_a: TestClient, agent: TestClient
) -> None:
    ticket_id = create(client_a)["id"]
    assert agent.patch(f"/api/v1/tickets/{ticket_id}", json={"status": "closed"}).is_success
    sent = client_a.post(f"/api/v1/tickets/{ticket_id}/messages", json={"text": "Hello?"})
    assert sent.status_code == 201, sent.text
    assert client_a.get(f"/api/v1/tickets/{ticket_id}").json()["status"] == "closed"


def test_the_portal_reopens_and_shows_the_timeline(client_a: TestClient, agent: TestClient) -> None:
    ticket_id = create(client_a)["id"]
    assert agent.patch(f"/api/v1/tickets/{ticket_id}", json={"status": "resolved"}).is_success
    url = f"/portal/tickets/{ticket_id}"
    sent = client_a.post(f"{url}/messages", data={"text": "Not fixed"}, follow_redirects=False)
    assert sent.status_code == 303
    page = client_a.get(url).text
    assert 'id="timeline"' in page
    assert "Status resolved → open" in page
    assert "@" not in page.split('id="timeline"', 1)[1].split("</section>", 1)[0]
    assert client_a.get(f"/api/v1/tickets/{ticket_id}").json()["status"] == "open"
    inbox = agent.get(f"/tickets/{ticket_id}").text
    assert 'id="timeline"' in inbox
    assert "Status resolved → open" in inbox


def test_the_portal_offers_a_follow_up_for_a_closed_ticket(
    client_a: TestClient, client_b: TestClient, agent: TestClient
) -> None:
    ticket_id = str(create(client_a, title="Printer jammed", priority="urgent")["id"])
    page = client_a.get(f"/portal/tickets/{ticket_id}").text
    assert "follow_up=" not in page
    assert agent.patch(f"/api/v1/tickets/{ticket_id}", json={"status": "resolved"}).is_success
    assert "Replying reopens this ticket." in client_a.get(f"/portal/tickets/{ticket_id}").text
    assert agent.patch(f"/api/v1/tickets/{ticket_id}", json={"status": "closed"}).is_success
    page = client_a.get(f"/portal/tickets/{ticket_id}").text
    assert f'href="/portal/tickets/new?follow_up={ticket_id}"' in page
    form = client_a.get("/portal/tickets/new", params={"follow_up": ticket_id})
    assert form.status_code == 200
    assert f"Follow-up to #{ticket_id}: Printer jammed" in form.text
    assert f"Follow-up to ticket #{ticket_id} (Printer jammed)" in form.text
    # Another client's ticket, an open one, or nonsense: 404, no hint.
    assert client_b.get("/portal/tickets/new", params={"follow_up": ticket_id}).status_code == 404
    open_one = str(create(client_a)["id"])
    assert client_a.get("/portal/tickets/new", params={"follow_up": open_one}).status_code == 404
    assert client_a.get("/portal/tickets/new", params={"follow_up": "x²"}).status_code == 404


def test_clients_see_their_own_tickets_events_without_emails(
    client_a: TestClient, client_b: TestClient, agent: TestClient
) -> None:
    ticket_id = create(client_a)["id"]
    assert agent.patch(f"/api/v1/tickets/{ticket_id}", json={"status": "in_progress"}).is_success
    events = _events(client_a, ticket_id)
    assert [e["kind"] for e in events] == ["created", "client_message", "status"]
    assert all("@" not in str(value) for e in events for value in e.values())
    assert client_b.get(f"/api/v1/tickets/{ticket_id}").status_code == 404
    # Reference tickets: one "created" at created_at and one "resolved" at resolved_at.
    reference = agent.get("/api/v1/tickets/1").json()
    assert _lines(reference["events"]) == [
        ("created", None, None, None, None),
        ("status", None, "resolved", None, None),
    ]
    assert [e["created_at"] for e in reference["events"]] == [
        reference["created_at"],
        reference["resolved_at"],
    ]


WRITES = (
    "INSERT INTO ticket_events (ticket_id, kind) VALUES (:ticket, 'created')",
    "UPDATE ticket_events SET new_value = 'x' WHERE ticket_id = :ticket",
    "DELETE FROM ticket_events WHERE ticket_id = :ticket",
)


@pytest.mark.parametrize("statement", WRITES)
@pytest.mark.parametrize("persona", ["client_a", "agent", "admin"])
def test_nobody_writes_events_directly(
    owner_database: Database,
    personas: dict[Persona, TestUser],
    persona: Persona,
    statement: str,
) -> None:
    user = personas[persona]
    with owner_database.engine.connect() as conn:
        ticket = conn.execute(
            text("SELECT min(id) FROM tickets WHERE client_id = coalesce(:c, client_id)"),
            {"c": user.client_id},
        ).scalar_one()
    token = open_session(owner_database, user)
    with (
        pytest.raises(DBAPIError, match="permission denied"),
        request_transaction(owner_database, token, ttl=timedelta(hours=1)) as scope,
    ):
        scope.session.execute(text(statement), {"ticket": ticket})


def test_a_truncate_outside_the_loaders_is_backfilled_at_start_up(
    pg_server: PgServer, template_database: str
) -> None:
    with (
        pg_server.scratch_database("sa_events", template=template_database) as url,
        psycopg.connect(libpq_url(url), autocommit=True) as conn,
    ):
        conn.execute("TRUNCATE tickets CASCADE")
        conn.execute(
            "INSERT INTO tickets (client_id, ticket_type_id, status, priority, title)"
            " VALUES (1, 1, 'open', 'low', 'after the truncate')"
        )
        # While a load is pending the triggers stand aside...
        assert conn.execute("SELECT count(*) FROM ticket_events").fetchone() == (0,)
        maintenance.at_startup(libpq_url(url), "UTC")
        # ...and the next start-up writes the history and turns them back on.
        assert conn.execute("SELECT kind FROM ticket_events").fetchall() == [("created",)]
        assert conn.execute("SELECT loading FROM ticket_events_state").fetchone() == (False,)
        conn.execute("UPDATE tickets SET status = 'in_progress' WHERE title = 'after the truncate'")
        assert conn.execute("SELECT count(*) FROM ticket_events").fetchone() == (2,)
        assert conn.execute("SELECT count(*) FROM ticket_response_facts").fetchone() == (1,)
