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
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import Select, create_engine, except_all, select, text
from sqlalchemy.orm import Session

from support_analytics.analytics.resolution_times import overdue_count_from_tickets
from support_analytics.analytics.tables import tickets
from support_analytics.db import tables
from support_analytics.filters import TicketFilters
from support_analytics.sla import state
from support_analytics.sla.plain import plain_sla
from tests.analytics import oracle
from tests.analytics.conftest import edge_case_database
from tests.analytics.edge_fixtures import edge_fixtures
from tests.analytics.oracle import Conn, FilterSpec
from tests.analytics.strategies import filter_specs
from tests.conftest import PgServer
from tests.examples import HEALTH, examples
from tests.sla import walk
from tests.sla.recompute_helpers import finish_recompute
from tests.sla.test_business_time import calendars
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


# The bench's plain-SQL source (`sla.plain`) against the rows the triggers keep: tickets
# reopened with their `resolved_at` kept, tickets without a status, a client without a plan,
# messages without a sender (not replies: the facts count `from_client IS FALSE`).
PLAIN_EDGES = """
UPDATE tickets SET status = CASE WHEN id % 2 = 0 THEN 'open' ELSE 'in_progress' END
  WHERE id % 401 = 0 AND status IN ('resolved', 'closed');
UPDATE tickets SET status = NULL WHERE id % 409 = 0;
UPDATE clients SET plan_type = NULL WHERE client_name = 'Quiet Co';
UPDATE tickets SET client_id = (SELECT id FROM clients WHERE client_name = 'Quiet Co')
  WHERE id % 419 = 0;
INSERT INTO ticket_messages (ticket_id, from_client, message_text, created_at)
  SELECT id, NULL, 'sender unknown', created_at + interval '1 minute' FROM tickets
  WHERE id % 421 = 0
"""
# Refreshing every ticket under business-hour targets would take most of a minute: a sample
# with every kind of edge (replies stamped before creation are among its ids).
PLAIN_SAMPLE = (
    "id % 10 = 0 OR id % 401 = 0 OR id % 409 = 0 OR id % 419 = 0 OR id % 421 = 0"
    " OR title LIKE 'young ticket %'"
)
SLA_KEYS = tuple(column.key for column in tables.ticket_sla.c)
policy_hours = st.one_of(
    st.none(), st.decimals(Decimal("0.0001"), Decimal("200"), places=4), st.sampled_from((1, 8))
)
Hours = Decimal | int | None
Rule = tuple[str | None, int | None, str | None, Hours, str, Hours, str]


@st.composite
def policies(draw: st.DrawFn) -> list[Rule]:
    """Rules keyed by (priority, type, plan): always an any-row, some priorities, type and plan
    overrides with or without a priority, each target's hours and basis drawn."""
    priorities = st.sampled_from((None, "low", "medium", "high", "urgent"))
    types = st.integers(1, 14)
    plans = st.sampled_from(("starter", "professional", "enterprise"))
    # Each level of precedence at least once: any, a priority, a plan, a type.
    keys: set[tuple[str | None, int | None, str | None]] = {
        (None, None, None),
        (draw(priorities.filter(bool)), None, None),
        (None, None, draw(plans)),
        (None, draw(types), None),
    }
    keys |= {(p, None, None) for p in draw(st.sets(priorities, max_size=4))}
    keys |= draw(st.sets(st.tuples(priorities, types, st.none()), max_size=3))
    keys |= draw(st.sets(st.tuples(priorities, st.one_of(st.none(), types), plans), max_size=3))
    basis = st.sampled_from(("calendar", "business"))
    return [
        (*key, draw(policy_hours), draw(basis), draw(policy_hours), draw(basis))
        for key in sorted(keys, key=str)
    ]


def _plain_mismatches(
    session: Session, sample: str = "true"
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """`ticket_sla` rows the plain selectable does not give, and the other way round (five
    of each at most), for the tickets `sample` admits."""
    plain = plain_sla()
    ids = select(tickets.c.id).where(text(sample))
    stored: Select[*tuple[object, ...]] = select(*(tables.ticket_sla.c[k] for k in SLA_KEYS))
    computed: Select[*tuple[object, ...]] = select(*(plain.c[k] for k in SLA_KEYS))
    stored = stored.where(tables.ticket_sla.c.ticket_id.in_(ids))
    computed = computed.where(plain.c.ticket_id.in_(ids))
    only: list[list[tuple[object, ...]]] = [
        [tuple(row) for row in session.execute(except_all(a, b).limit(5))]
        for a, b in ((stored, computed), (computed, stored))
    ]
    return only[0], only[1]


def _add_calendar(session: Session, calendar: WalkCalendar) -> int:
    """A new calendar like `calendar` (a new one: rebuilding calendar 1 in the transaction
    would leave its old boundary rows in the index for every due time to step over), its
    boundary rows built for the data's years only (the migration's 61 take seconds)."""
    calendar_id = session.execute(
        text("INSERT INTO business_calendars (name, timezone) VALUES ('drawn', :tz) RETURNING id"),
        {"tz": calendar.timezone},
    ).scalar_one()
    for weekday, intervals in calendar.hours.items():
        for start, end in intervals:
            session.execute(
                text(
                    "INSERT INTO business_hours (calendar_id, weekday, start_time, end_time)"
                    " VALUES (:c, :d, make_time(:sh, :sm, 0), make_time(:eh, :em, 0))"
                ),
                {"c": calendar_id, "d": weekday, "sh": start // 60, "sm": start % 60}
                | {"eh": end // 60, "em": end % 60},
            )
    for day in calendar.holidays:
        session.execute(
            text("INSERT INTO business_holidays (calendar_id, day) VALUES (:c, :day)"),
            {"c": calendar_id, "day": day},
        )
    session.execute(
        text("SELECT business_calendar_rebuild(:c, '2023-01-01', '2029-01-01')"), {"c": calendar_id}
    )
    return int(calendar_id)


# No shrinking: an example takes seconds, and the failure shows the differing rows.
@settings(
    max_examples=examples(2),
    deadline=None,
    suppress_health_check=HEALTH,
    phases=[Phase.explicit, Phase.generate],
)
@given(rules=policies(), calendar=calendars())
def test_plain_sla_equals_ticket_sla(
    session: Session, rules: list[Rule], calendar: WalkCalendar
) -> None:
    """Every `ticket_sla` row, computed from the raw tables by `sla.plain` (the bench's
    baseline): under the default policy, then under random rules with overrides, business
    hours and a random calendar (rows refreshed by the triggers' own function). Rolled back."""
    try:
        for statement in PLAIN_EDGES.strip().split(";\n"):
            session.execute(text(statement))
        assert _plain_mismatches(session) == ([], []), "default"
        calendar_id = _add_calendar(session, calendar)
        session.execute(text("DELETE FROM sla_policies"))
        for rule in rules:
            session.execute(
                text(
                    "INSERT INTO sla_policies (priority, ticket_type_id, plan,"
                    " first_response_hours, first_response_basis, resolution_hours,"
                    " resolution_basis, calendar_id) VALUES (:p, :y, :pl, :fh, :fb, :rh, :rb, :c)"
                ),
                dict(zip(("p", "y", "pl", "fh", "fb", "rh", "rb"), rule, strict=True))
                | {"c": calendar_id},
            )
        # The SLA cube's trigger plan cached from the small writes above would join the
        # refresh's transition tables by a nested loop (minutes): plan it for this statement.
        session.execute(text("DISCARD PLANS"))
        session.execute(
            text(f"SELECT ticket_sla_refresh(ARRAY(SELECT id FROM tickets WHERE {PLAIN_SAMPLE}))")
        )
        assert _plain_mismatches(session, PLAIN_SAMPLE) == ([], [])
    finally:
        session.rollback()
