"""SLA states (met / breached / pending) against independent answers, on the reference data
with the analytics edge cases (no replies, closed, NULL priority, young open tickets):

- default policy, random filter bars: resolution `breached` equals today's overdue count
  (analytics' own function and the oracle's plain SQL), met + breached + pending equals the
  ticket total, and first-response numbers equal plain SQL over the raw tables;
- after writes of every kind (reply, resolve, reopen, priority, type hours, client plan,
  policy) the numbers still equal the plain SQL;
- Mon-Fri 09:00-17:00 Europe/Berlin with a holiday and business-hours targets: every due
  time of a day's tickets equals the brute-force walk, and the counts follow.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from support_analytics.analytics.resolution_times import overdue_count_from_tickets
from support_analytics.filters import TicketFilters
from support_analytics.sla import state
from tests.analytics import oracle
from tests.analytics.conftest import edge_case_database
from tests.analytics.edge_fixtures import edge_fixtures
from tests.analytics.oracle import Conn, FilterSpec
from tests.analytics.strategies import filter_specs
from tests.conftest import PgServer
from tests.examples import HEALTH, examples
from tests.sla import walk
from tests.sla.recompute_helpers import finish_recompute
from tests.sla.walk import WalkCalendar

UTC_ZONE = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")
DEFAULT_FIRST_RESPONSE = {"urgent": 1, "high": 4, "medium": 8, "low": 24}

# Tickets nobody answered (open and resolved), a late answer, so every state occurs.
MORE_EDGES = """
DELETE FROM ticket_messages WHERE ticket_id IN (SELECT id FROM tickets WHERE id % 97 = 0)
  AND from_client IS FALSE;
DELETE FROM ticket_messages WHERE from_client IS FALSE AND ticket_id IN
  (SELECT id FROM tickets WHERE title LIKE 'young ticket %' AND id % 2 = 0);
INSERT INTO ticket_messages (ticket_id, from_client, from_team_member_id, message_text, created_at)
  SELECT id, false, assigned_to, 'late answer', created_at + interval '3 days 5 hours'
  FROM tickets WHERE id % 83 = 0 AND assigned_to IS NOT NULL;
"""


def oracle_first_response(conn: Conn, spec: FilterSpec, tz: str, as_of: datetime) -> list[int]:
    """[met, breached, pending] from the raw tables and the default first-response hours."""
    params: list[object] = [as_of]
    hours = " ".join(f"WHEN '{p}' THEN {h}" for p, h in DEFAULT_FIRST_RESPONSE.items())
    row = conn.execute(
        f"""
        SELECT count(*) FILTER (WHERE done IS NOT NULL AND (due IS NULL OR done <= due)),
               count(*) FILTER (WHERE (done IS NOT NULL AND done > due)
                                   OR (done IS NULL AND open AND due < n)),
               count(*)
        FROM (
            SELECT %s::timestamptz AS n,
                   t.created_at + (CASE t.priority {hours} END) * interval '1 hour' AS due,
                   coalesce(
                       r.first_reply,
                       CASE WHEN t.status IN ('open', 'in_progress') THEN NULL
                            ELSE t.resolved_at END) AS done,
                   r.first_reply IS NULL AND t.status IN ('open', 'in_progress') AS open
            FROM tickets t
            -- Every ticket's first reply in one pass over the replies (a subquery per ticket
            -- was most of this test's time).
            LEFT JOIN (SELECT ticket_id, min(created_at) AS first_reply FROM ticket_messages
                       WHERE from_client = false GROUP BY ticket_id) r ON r.ticket_id = t.id
            WHERE {oracle.where(spec, tz, params)}
        ) x
        """.encode(),
        params,
    ).fetchone()
    assert row is not None
    met, breached, total = (int(str(v)) for v in row)
    return [met, breached, total - met - breached]


def ticket_total(conn: Conn, spec: FilterSpec, tz: str) -> int:
    params: list[object] = []
    row = conn.execute(
        f"SELECT count(*) FROM tickets t WHERE {oracle.where(spec, tz, params)}".encode(), params
    ).fetchone()
    assert row is not None
    return int(str(row[0]))


database, session, conn = edge_fixtures(MORE_EDGES)


def check(session: Session, conn: Conn, spec: FilterSpec, tz: ZoneInfo) -> None:
    as_of = datetime.now(UTC)
    filters = TicketFilters.from_query(spec.params())
    block = state.sla_block(session, filters, tz, as_of=as_of)
    resolution = block.resolution
    total = ticket_total(conn, spec, tz.key)
    assert resolution.met + resolution.breached + resolution.pending == total
    assert resolution.breached == overdue_count_from_tickets(session, filters, tz, as_of)
    assert resolution.breached == oracle.overdue(conn, spec, tz.key, as_of)["total"]
    first = block.first_response
    assert [first.met, first.breached, first.pending] == oracle_first_response(
        conn, spec, tz.key, as_of
    )
    session.rollback()


def test_every_state_occurs(session: Session) -> None:
    """The data really has met, breached and pending tickets for both targets."""
    block = state.sla_block(session, TicketFilters(), UTC_ZONE)
    for target in (block.first_response, block.resolution):
        assert min(target.met, target.breached, target.pending) > 0, target
    session.rollback()


def test_unfiltered(session: Session, conn: Conn) -> None:
    check(session, conn, FilterSpec(), UTC_ZONE)


@settings(max_examples=examples(200), deadline=None, suppress_health_check=HEALTH)
@given(spec=filter_specs())
def test_random_filter_bars(session: Session, conn: Conn, spec: FilterSpec) -> None:
    check(session, conn, spec, UTC_ZONE)


@settings(max_examples=examples(25), deadline=None, suppress_health_check=HEALTH)
@given(spec=filter_specs())
def test_random_filter_bars_in_another_zone(session: Session, conn: Conn, spec: FilterSpec) -> None:
    check(session, conn, spec, ZoneInfo("America/New_York"))


WRITES = (
    # A reply to an unanswered open ticket; resolving one; reopening one (a client message).
    """INSERT INTO ticket_messages (ticket_id, from_client, message_text)
       SELECT id, false, 'answer' FROM tickets WHERE id % 97 = 0
         AND status IN ('open', 'in_progress') ORDER BY id LIMIT 2""",
    """UPDATE tickets SET status = 'resolved', resolved_at = now()
       WHERE id IN (SELECT id FROM tickets WHERE status = 'open' ORDER BY id LIMIT 3)""",
    """INSERT INTO ticket_messages (ticket_id, from_client, message_text)
       SELECT id, true, 'again' FROM tickets WHERE status = 'resolved' ORDER BY id LIMIT 2""",
    "UPDATE tickets SET priority = 'urgent' WHERE id IN (5, 6, 7)",
    "UPDATE tickets SET resolved_at = resolved_at + interval '30 days' WHERE id = 11",
    "DELETE FROM ticket_messages WHERE ticket_id = 12 AND from_client = false",
    "INSERT INTO tickets (client_id, ticket_type_id, priority, title) VALUES (3, 2, 'high', 'n')",
)


@pytest.fixture(scope="module")
def writable(pg_server: PgServer, template_database: str) -> Iterator[str]:
    with edge_case_database(pg_server, template_database) as url:
        yield url


def test_writes_keep_the_numbers_exact(writable: str) -> None:
    engine = create_engine(writable, connect_args={"options": "-c timezone=UTC"})
    try:
        with oracle.connect(writable) as conn, Session(engine) as session:
            for write in WRITES:
                conn.execute(write.encode())
                check(session, conn, FilterSpec(), UTC_ZONE)
    finally:
        engine.dispose()


def test_type_hours_plan_and_policy_changes_follow(writable: str) -> None:
    """A type's hours move resolution due times at once; a plan override and a policy edit
    apply to every ticket once their recompute job ran (the oracle recomputes from the raw
    tables)."""
    engine = create_engine(writable, connect_args={"options": "-c timezone=UTC"})
    try:
        with oracle.connect(writable) as conn, Session(engine) as session:
            conn.execute(b"UPDATE ticket_types SET avg_resolution_hours = 3 WHERE id = 2")
            check(session, conn, FilterSpec(), UTC_ZONE)
            # Enterprise clients: first response within 30 minutes whatever the priority.
            conn.execute(
                b"INSERT INTO sla_policies (plan, first_response_hours, calendar_id)"
                b" VALUES ('enterprise', 0.5, 1)"
            )
            finish_recompute(writable)
            row = conn.execute(
                b"""SELECT count(*) FILTER (WHERE s.due_at = t.created_at + interval '30 minutes'),
                           count(*)
                    FROM ticket_sla s JOIN tickets t ON t.id = s.ticket_id
                    JOIN clients c ON c.id = t.client_id
                    WHERE s.target = 'first_response' AND c.plan_type = 'enterprise'
                      AND t.priority IS NULL"""
            ).fetchone()
            # A NULL-priority enterprise ticket: the plan row (more specific than "any").
            assert row is not None
            assert row[0] == row[1]
            assert int(str(row[1])) > 0
            conn.execute(b"UPDATE clients SET plan_type = 'starter' WHERE plan_type = 'enterprise'")
            row = conn.execute(
                b"""SELECT count(*) FROM ticket_sla WHERE target = 'first_response'
                    AND plan = 'enterprise'"""
            ).fetchone()
            assert row is not None
            assert row[0] == 0
            conn.execute(b"DELETE FROM sla_policies WHERE plan = 'enterprise'")
            finish_recompute(writable)
            check(session, conn, FilterSpec(), UTC_ZONE)
    finally:
        engine.dispose()


BERLIN_CALENDAR = WalkCalendar(
    timezone="Europe/Berlin",
    hours={d: [(9 * 60, 17 * 60)] for d in range(1, 6)},
    holidays=frozenset({date(2025, 10, 3)}),
)
DAY = date(2025, 10, 1)  # tickets of this day run into the holiday and the DST change


def test_berlin_business_hours_equal_the_walk(writable: str) -> None:
    with oracle.connect(writable) as conn:
        with conn.transaction():
            conn.execute(b"UPDATE business_calendars SET timezone = 'Europe/Berlin' WHERE id = 1")
            conn.execute(
                b"INSERT INTO business_holidays (calendar_id, day) VALUES (1, '2025-10-03')"
            )
            conn.execute(
                b"UPDATE sla_policies SET first_response_basis = 'business',"
                b" resolution_basis = 'business'"
            )
        finish_recompute(writable)
        rows = conn.execute(
            b"""SELECT t.id, t.created_at, t.priority, y.avg_resolution_hours, s.target, s.due_at
                FROM tickets t JOIN ticket_types y ON y.id = t.ticket_type_id
                JOIN ticket_sla s ON s.ticket_id = t.id
                WHERE (t.created_at AT TIME ZONE 'Europe/Berlin')::date = %s
                ORDER BY t.id, s.target""",
            (DAY,),
        ).fetchall()
        assert len(rows) > 100
        for ticket_id, created, priority, type_hours, target, due_at in rows:
            assert isinstance(created, datetime)
            hours = (
                DEFAULT_FIRST_RESPONSE.get(str(priority))
                if target == "first_response"
                else int(str(type_hours))
            )
            if hours is None:
                assert due_at is None, ticket_id
                continue
            want = walk.due(BERLIN_CALENDAR, created, hours * 3600 * walk.MICROS)
            assert due_at == want, (ticket_id, target, created, hours)
        # The calendar change moved due times: business hours are later than calendar hours.
        later = conn.execute(
            b"""SELECT count(*) FROM ticket_sla s JOIN tickets t ON t.id = s.ticket_id
                WHERE s.target = 'resolution' AND s.due_at > t.created_at
                  + (SELECT avg_resolution_hours FROM ticket_types y
                     WHERE y.id = t.ticket_type_id) * interval '1 hour'"""
        ).fetchone()
        assert later is not None
        assert int(str(later[0])) > 0


def test_at_risk_is_pending_and_due_within_the_window(session: Session) -> None:
    as_of = datetime.now(UTC)
    for target in state.TARGETS:
        at_risk = state.breaches(
            session,
            TicketFilters(),
            UTC_ZONE,
            which="at_risk",
            target=target,
            page_size=1000,
            window=timedelta(hours=6),
            as_of=as_of,
        )
        for row in at_risk.rows:
            assert -6 <= row.over_by_hours <= 0
        if target == "resolution":
            # Young open tickets with 1..8 hour types are due within six hours.
            assert at_risk.total > 0
        breached = state.breaches(
            session, TicketFilters(), UTC_ZONE, which="breached", target=target, as_of=as_of
        )
        block = state.sla_block(session, TicketFilters(), UTC_ZONE, as_of=as_of)
        assert breached.total == getattr(block, target).breached
        overs = [row.over_by_hours for row in breached.rows]
        assert overs == sorted(overs, reverse=True)
        assert all(o > 0 for o in overs)
    session.rollback()
