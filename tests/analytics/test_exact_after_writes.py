"""Rollups stay exact after writes: single-row and bulk inserts, updates of every dimension,
feedback added, changed and removed, deletes; a TRUNCATE makes them stale (raw tables answer,
still exact) until `rebuild`."""

from __future__ import annotations

from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from support_analytics.analytics import rollups
from support_analytics.db.engine import libpq_url
from tests.analytics import oracle
from tests.analytics.oracle import FilterSpec
from tests.analytics.test_oracle import check_all
from tests.fixtures.auth import ApiClientFactory

UTC = ZoneInfo("UTC")
SPECS = (
    FilterSpec(),
    FilterSpec(team_member=("any_of", (None, 2))),
    FilterSpec(date=("between", "2025-06-10", "2025-08-05"), priority=("is_not", ("urgent",))),
    FilterSpec(ticket_type=("none_of", (1, 2)), date=("on_or_after", "2025-11-01", None)),
)

WRITES = (
    # one ticket, as the portal writes it: open, unassigned, now
    """INSERT INTO tickets (client_id, ticket_type_id, status, priority, title)
       VALUES (7, 3, 'open', 'urgent', 'one new ticket')""",
    # a bulk insert in one statement
    """INSERT INTO tickets (client_id, assigned_to, ticket_type_id, status, priority, title,
                           created_at, resolved_at)
       SELECT client_id, assigned_to, ticket_type_id, status, priority, 'copy',
              created_at + interval '17 days', resolved_at + interval '17 days'
       FROM tickets WHERE id % 61 = 0""",
    "UPDATE tickets SET assigned_to = NULL WHERE id % 43 = 0",
    "UPDATE tickets SET assigned_to = 4, priority = 'low' WHERE id % 47 = 1",
    "UPDATE tickets SET ticket_type_id = 9 WHERE id % 59 = 2",
    """UPDATE tickets SET status = 'resolved', resolved_at = created_at + interval '70 hours'
       WHERE id % 31 = 3 AND status IN ('open', 'in_progress')""",
    """UPDATE tickets SET status = 'closed', closed_at = resolved_at + interval '1 hour'
       WHERE id % 29 = 4 AND status = 'resolved'""",
    """UPDATE tickets SET status = 'in_progress', resolved_at = NULL
       WHERE id % 67 = 5 AND status = 'resolved'""",
    "UPDATE tickets SET created_at = created_at - interval '40 days' WHERE id % 71 = 6",
    """INSERT INTO ticket_feedback (ticket_id, rating, feedback_text)
       SELECT id, 1 + id % 5, 'late feedback' FROM tickets t
       WHERE id % 13 = 0 AND status IN ('resolved', 'closed')
         AND NOT EXISTS (SELECT 1 FROM ticket_feedback f WHERE f.ticket_id = t.id)""",
    "UPDATE ticket_feedback SET rating = 5 WHERE id % 11 = 0",
    "UPDATE ticket_feedback SET rating = NULL WHERE id % 97 = 0",
    "DELETE FROM ticket_feedback WHERE id % 17 = 0",
    """WITH gone AS (SELECT id FROM tickets WHERE id % 83 = 7),
       m AS (DELETE FROM ticket_messages WHERE ticket_id IN (SELECT id FROM gone)),
       f AS (DELETE FROM ticket_feedback WHERE ticket_id IN (SELECT id FROM gone))
       SELECT 1""",
    "DELETE FROM tickets WHERE id % 83 = 7",
)


@pytest.fixture
def session(fresh_database: str) -> Iterator[Session]:
    engine = create_engine(fresh_database)
    with Session(engine) as session:
        yield session
    engine.dispose()


def test_every_write_keeps_rollups_exact(fresh_database: str, session: Session) -> None:
    with oracle.connect(fresh_database) as conn:
        for number, statement in enumerate(WRITES):
            conn.execute(statement.encode())
            assert rollups.usable(session, UTC)
            check_all(session, conn, SPECS[number % len(SPECS)], UTC)
        for spec in SPECS:
            check_all(session, conn, spec, UTC)


def test_truncate_makes_stale_then_start_up_rebuilds(fresh_database: str, session: Session) -> None:
    """Stale rollups are never read; start-up rebuilds them, here in another reporting zone,
    and writes after that keep them exact in that zone."""
    zone = ZoneInfo("America/New_York")
    with oracle.connect(fresh_database) as conn:
        conn.execute(b"TRUNCATE ticket_feedback")
        assert not rollups.usable(session, UTC)
        session.rollback()
        check_all(session, conn, SPECS[2], UTC)  # answered from the raw tables, still exact
        conn.execute(b"INSERT INTO ticket_feedback (ticket_id, rating) VALUES (5, 4)")
        assert rollups.ensure_fresh(libpq_url(fresh_database), zone.key)
        assert not rollups.ensure_fresh(libpq_url(fresh_database), zone.key)
        assert rollups.usable(session, zone)
        assert not rollups.usable(session, UTC)
        session.rollback()
        conn.execute(WRITES[1].encode())
        conn.execute(WRITES[3].encode())
        for spec in SPECS:
            check_all(session, conn, spec, zone)


def test_portal_ticket_shows_in_the_numbers(
    api_client_factory: ApiClientFactory, fresh_database: str
) -> None:
    """A client's ticket, written under the client role and RLS, reaches the rollups."""
    manager = api_client_factory("manager")
    client_user: TestClient = api_client_factory("client_a")
    before = manager.get("/api/v1/analytics/overview?priority=is:urgent").json()
    created = client_user.post(
        "/api/v1/tickets",
        json={"title": "Down", "ticket_type_id": 3, "priority": "urgent", "message": "Help"},
    )
    assert created.status_code == 201, created.text
    after = manager.get("/api/v1/analytics/overview?priority=is:urgent").json()
    assert after["total_tickets"] == before["total_tickets"] + 1
    assert after["open_tickets"] == before["open_tickets"] + 1
    with oracle.connect(fresh_database) as conn:
        oracle.assert_close(
            after, oracle.overview_cards(conn, FilterSpec(priority=("is", ("urgent",))), "UTC")
        )
