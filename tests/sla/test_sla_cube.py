"""The SLA cube (migration 0019) answers exactly what counting the `ticket_sla` rows answers:
the SLA block, the breakdowns and the breaches list equal their plain-SQL versions for random
filter bars at instants inside the data (many running clocks due after the instant, so the
subtraction of the not-yet-due ones matters) and now; after writes of every kind the cube
equals its rebuild. And the finer first-response bins: percentiles that fall on bin edges,
bins left empty between values, and a reply moved across bins equal the plain-SQL oracle.

The data is small on purpose: generated tickets (reply delays drawn, a year of met, late and
running clocks) and the shared edge cases, 3,200 SLA rows instead of the reference data's
86,000, so each of the thousands of comparisons reads little and every path still runs."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, event, func, select, update
from sqlalchemy.orm import Session

from support_analytics import maintenance
from support_analytics.analytics.tables import ticket_types
from support_analytics.db import generate, statements
from support_analytics.db.engine import libpq_url
from support_analytics.filters import TicketFilters
from support_analytics.sla import breakdown, state
from tests.analytics import oracle
from tests.analytics.conftest import EDGE_CASES
from tests.analytics.oracle import Conn, FilterSpec
from tests.analytics.strategies import filter_specs
from tests.analytics.test_responsiveness import check as check_responsiveness
from tests.conftest import PgServer
from tests.examples import HEALTH, examples

UTC_ZONE = ZoneInfo("UTC")
# Instants inside the reference data's year, and now (the young open tickets' clocks).
INSIDE = datetime(2025, 7, 15, 12, 30, tzinfo=UTC)
INSTANTS = st.sampled_from(
    (
        datetime(2025, 3, 1, tzinfo=UTC),
        INSIDE,
        datetime(2025, 12, 31, 23, 0, tzinfo=UTC),
        None,
    )
)


SMALL_TICKETS = 1_500


@contextmanager
def small_database(pg_server: PgServer, template_database: str) -> Iterator[str]:
    """A copy of the migrated template with its tickets replaced by `SMALL_TICKETS` generated
    ones, then the shared edge cases (young open tickets not due yet, no priority, no
    assignee, closed) as plain SQL, so the triggers keep `ticket_sla` and the cube."""
    with pg_server.scratch_database("sa_sla_cube", template=template_database) as url:
        raw = libpq_url(url)
        generate.generate(raw, tickets=SMALL_TICKETS, random_seed=14, zone="UTC", replace=True)
        maintenance.after_bulk_load(raw, "UTC")
        with psycopg.connect(raw, autocommit=True) as conn:
            conn.execute(EDGE_CASES.encode())
        yield url


@pytest.fixture(scope="module")
def database(pg_server: PgServer, template_database: str) -> Iterator[str]:
    with small_database(pg_server, template_database) as url:
        yield url


@pytest.fixture(scope="module")
def session(database: str) -> Iterator[Session]:
    engine = create_engine(database, connect_args={"options": "-c timezone=UTC"})
    with Session(engine) as session:
        yield session
    engine.dispose()


def assert_cube_equals_rows(
    session: Session, filters: TicketFilters, tz: ZoneInfo, as_of: datetime
) -> None:
    got = state.sla_block(session, filters, tz, as_of=as_of)
    assert got == state.sla_block_from_rows(session, filters, tz, as_of=as_of)
    for by in breakdown.BYS:
        for grain in ("month", "week", "day") if by == "period" else ("month",):
            cube = breakdown.breakdown(session, filters, tz, by=by, grain=grain, as_of=as_of)
            rows = breakdown.from_rows(session, filters, tz, by=by, grain=grain, as_of=as_of)
            assert cube == rows, (by, grain)
            if by in breakdown.PAIR_BYS and state.pairs_usable(session, filters, tz):
                # Under any bar, with or without an assignee or type condition.
                pairs = breakdown.from_pairs(session, filters, tz, by=by, as_of=as_of)
                assert pairs == rows, (by, "pairs")
    for target in state.TARGETS:
        for page, size in ((1, 20), (3, 7), (1, 2000)):
            fast = state.breaches(
                session,
                filters,
                tz,
                which="breached",
                target=target,
                page=page,
                page_size=size,
                as_of=as_of,
            )
            plain = state.breaches_from_rows(
                session,
                filters,
                tz,
                which="breached",
                target=target,
                page=page,
                page_size=size,
                as_of=as_of,
            )
            assert fast == plain, (target, page, size)
        assert fast.total == getattr(got, target).breached
    session.rollback()


@settings(max_examples=examples(80), deadline=None, suppress_health_check=HEALTH)
@given(spec=filter_specs(), instant=INSTANTS)
def test_cube_equals_the_rows(session: Session, spec: FilterSpec, instant: datetime | None) -> None:
    # A client or plan filter with an assignee or type condition reads the rows on both sides.
    filters = TicketFilters.from_query(spec.params())
    assert_cube_equals_rows(session, filters, UTC_ZONE, instant or datetime.now(UTC))


@settings(max_examples=examples(60), deadline=None, suppress_health_check=HEALTH)
@given(spec=filter_specs(), instant=INSTANTS, plan=st.booleans())
def test_client_and_plan_filters_read_the_cube_exactly(
    session: Session, spec: FilterSpec, instant: datetime | None, plan: bool
) -> None:
    """Client and plan filters without an assignee or type condition, and the breakdown by
    client under any such bar, are read from the cube's rows grouped by client."""
    spec = dataclasses.replace(spec, team_member=None, ticket_type=None)
    if spec.client is None and spec.plan is None:
        spec = dataclasses.replace(spec, plan=("none_of", ("starter",)) if plan else None)
    filters = TicketFilters.from_query(spec.params())
    assert state.cube_mask(session, filters, UTC_ZONE, by_client=True) == state.CLIENT_MASK
    if filters.by_client:
        assert state.cube_mask(session, filters, UTC_ZONE) == state.CLIENT_MASK
    assert_cube_equals_rows(session, filters, UTC_ZONE, instant or datetime.now(UTC))


def test_every_state_and_stream_occurs(session: Session) -> None:
    """The comparisons above see late and running breaches, and running clocks not due yet."""
    now = datetime.now(UTC)
    block = state.sla_block(session, TicketFilters(), UTC_ZONE, as_of=now)
    for target in (block.first_response, block.resolution):
        assert min(target.met, target.breached, target.pending) > 0, target
    c = state.ticket_sla.c
    row = session.execute(
        select(
            func.count().filter(c.done_at > c.due_at),
            func.count().filter(c.running, c.due_at < now),
            func.count().filter(c.running, c.due_at >= now),
        )
    ).one()
    assert min(int(n) for n in row) > 0, row
    session.rollback()


_CUBE_ROWS = (
    "SELECT gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, target, n,"
    " n_met, n_late, n_running_due FROM analytics_sla_cube"
    " WHERE n <> 0 OR n_met <> 0 OR n_late <> 0 OR n_running_due <> 0"
)
_RESPONSE_ROWS = (
    "SELECT gmask, grain, bucket, assigned_to, ticket_type_id, priority, n_frt,"
    " round(frt_sum::numeric, 6), n_awaiting, n_done, n_one_touch FROM analytics_response_cube"
    " WHERE n_frt <> 0 OR n_awaiting <> 0 OR n_done <> 0 OR n_one_touch <> 0",
    "SELECT gmask, grain, bucket, assigned_to, ticket_type_id, priority, bin, n"
    " FROM analytics_frt_hist WHERE n <> 0",
)


def assert_equal_their_rebuild(conn: Conn, rows: tuple[str, ...], rebuild: str, after: str) -> None:
    """The rollup rows (`rows`, one query per table) the triggers kept equal the rows after
    `rebuild`, compared in one statement per table (no copy read into Python). The rebuild is
    rolled back: the next write goes on from the triggers' rows, so a wrong delta shows even
    where a later write would hide it."""
    with conn.transaction(force_rollback=True):
        for i, query in enumerate(rows):
            conn.execute(f"CREATE TEMP TABLE kept_{i} ON COMMIT DROP AS {query}".encode())
        conn.execute(rebuild.encode())
        for i, query in enumerate(rows):
            row = conn.execute(
                f"""SELECT count(*) FROM ((TABLE kept_{i} EXCEPT ALL {query})
                    UNION ALL ({query} EXCEPT ALL TABLE kept_{i})) d""".encode()
            ).fetchone()
            assert row is not None
            assert row[0] == 0, (after, query)


def assert_cube_equals_its_rebuild(conn: Conn, after: str) -> None:
    assert_equal_their_rebuild(conn, (_CUBE_ROWS,), "SELECT analytics_sla_rebuild()", after)


WRITES = (
    # A reply to an unanswered open ticket; resolving; reopening by a client message.
    """INSERT INTO ticket_messages (ticket_id, from_client, message_text)
       SELECT id, false, 'answer' FROM tickets WHERE title LIKE 'young ticket %'
       ORDER BY id LIMIT 2""",
    """UPDATE tickets SET status = 'resolved', resolved_at = now()
       WHERE id IN (SELECT id FROM tickets WHERE status = 'open' ORDER BY id LIMIT 3)""",
    """INSERT INTO ticket_messages (ticket_id, from_client, message_text)
       SELECT id, true, 'again' FROM tickets WHERE status = 'resolved' ORDER BY id LIMIT 2""",
    "UPDATE tickets SET priority = 'urgent' WHERE id IN (5, 6, 7)",
    "UPDATE tickets SET assigned_to = NULL WHERE id BETWEEN 20 AND 40",
    # Another client (its rows in the cube move); a client's plan (the plan filter follows).
    "UPDATE tickets SET client_id = CASE WHEN client_id = 7 THEN 8 ELSE 7 END WHERE id IN (70, 71)",
    "UPDATE clients SET plan_type = CASE WHEN plan_type = 'starter' THEN 'enterprise'"
    " ELSE 'starter' END"
    " WHERE id = (SELECT client_id FROM tickets WHERE id = 90)",
    # Moves tickets to another creation day, week and month (other buckets).
    "UPDATE tickets SET created_at = created_at - interval '40 days' WHERE id BETWEEN 50 AND 60",
    "UPDATE tickets SET resolved_at = resolved_at + interval '30 days' WHERE id = 11",
    "DELETE FROM ticket_messages WHERE ticket_id = 12 AND from_client = false",
    "UPDATE ticket_types SET avg_resolution_hours = 3 WHERE id = 2",
    "INSERT INTO tickets (client_id, ticket_type_id, priority, title) VALUES (3, 2, 'high', 'n')",
    "DELETE FROM ticket_feedback WHERE ticket_id IN (SELECT max(id) FROM tickets);"
    " DELETE FROM ticket_messages WHERE ticket_id IN (SELECT max(id) FROM tickets);"
    " DELETE FROM tickets WHERE id = (SELECT max(id) FROM tickets)",
)


def _run(conn: Conn, statements: str) -> None:
    """Run `statements`; a write that matched no row would check nothing."""
    cursor = conn.execute(statements.encode())
    changed = [cursor.rowcount]
    while cursor.nextset():
        changed.append(cursor.rowcount)
    assert max(changed) > 0, statements


def test_writes_keep_the_cube_exact(pg_server: PgServer, template_database: str) -> None:
    """After each write the cube equals its rebuild (every slice: days, weeks, types) and the
    readers equal the rows for the filter bars; the rebuild is rolled back, so the triggers'
    deltas accumulate over all the writes."""
    with small_database(pg_server, template_database) as url:
        engine = create_engine(url, connect_args={"options": "-c timezone=UTC"})
        bars = (
            TicketFilters(),
            TicketFilters.from_query({"priority": "any_of:high,urgent"}),
            TicketFilters.from_query({"team_member": "is:4", "date": "on_or_after:2025-06-01"}),
            TicketFilters.from_query({"client": "any_of:7,8", "priority": "is_not:low"}),
            TicketFilters.from_query({"plan": "is:starter", "date": "on_or_after:2025-06-01"}),
        )
        try:
            with oracle.connect(url) as conn, Session(engine) as session:
                for bar in bars:
                    assert state.cube_mask(session, bar, UTC_ZONE) is not None, bar
                session.rollback()
                for i, write in enumerate(WRITES):
                    _run(conn, write)
                    assert_cube_equals_its_rebuild(conn, write)
                    # No filter, and each bar in turn (all of them after the last write).
                    for bar in (bars[0], bars[1 + i % (len(bars) - 1)]):
                        assert_cube_equals_rows(session, bar, UTC_ZONE, datetime.now(UTC))
                for bar in bars:
                    assert_cube_equals_rows(session, bar, UTC_ZONE, datetime.now(UTC))
                # Another reporting zone: the cube is rebuilt there with the response rollups.
                conn.execute(b"SELECT analytics_rebuild('America/New_York')")
                new_york = ZoneInfo("America/New_York")
                for bar in bars:
                    assert_cube_equals_rows(session, bar, new_york, datetime.now(UTC))
        finally:
            engine.dispose()


# A day of its own: tickets whose first replies come exactly on bin edges (whole minutes, the
# display edges), with empty bins between them, in two priorities.
EDGE_DAY = "2024-06-03"
EDGE_TICKETS = f"""
INSERT INTO tickets (client_id, assigned_to, ticket_type_id, status, priority, title, created_at)
SELECT 1 + g % 5, 1 + g % 3, 1 + g % 4, 'resolved',
       CASE WHEN g % 2 = 0 THEN 'high' ELSE 'low' END, 'edge ' || g,
       timestamptz '{EDGE_DAY} 08:00+00' + g * interval '1 second'
FROM generate_series(1, 41) g;
UPDATE tickets SET resolved_at = created_at + interval '9 days' WHERE title LIKE 'edge %';
INSERT INTO ticket_messages (ticket_id, from_client, from_team_member_id, message_text,
                             created_at)
SELECT t.id, false, t.assigned_to, 'on an edge',
       t.created_at + (ARRAY[0, 1, 15, 30, 60, 61, 120, 240, 480, 485, 1440, 2880, 10080])
                      [1 + (t.id % 13)] * interval '1 minute'
FROM tickets t WHERE t.title LIKE 'edge %';
"""
ON_EDGE_DAY = ("on", EDGE_DAY, EDGE_DAY)
EDGE_SPECS = (
    FilterSpec(date=ON_EDGE_DAY),
    FilterSpec(date=ON_EDGE_DAY, priority=("is", ("high",))),
    FilterSpec(date=("between", EDGE_DAY, "2024-06-30")),
    FilterSpec(date=ON_EDGE_DAY, team_member=("is_not", (2,))),
)


def test_percentiles_on_bin_edges_and_across_bins(
    pg_server: PgServer, template_database: str
) -> None:
    with small_database(pg_server, template_database) as url:
        engine = create_engine(url, connect_args={"options": "-c timezone=UTC"})
        try:
            with oracle.connect(url) as conn, Session(engine) as session:
                conn.execute(EDGE_TICKETS.encode())
                on_edges = conn.execute(
                    f"""SELECT count(*) FROM ticket_response_facts
                        WHERE (created_at AT TIME ZONE 'UTC')::date = '{EDGE_DAY}'
                          AND abs(frt_hours * 60 - round(frt_hours * 60)) < 1e-9""".encode()
                ).fetchone()
                assert on_edges is not None
                assert on_edges[0] == 41
                for spec in EDGE_SPECS:
                    check_responsiveness(session, conn, spec, UTC_ZONE)
                # Move replies across bins (one minute later, then a day earlier than that).
                for shift in ("1 minute", "-1 day"):
                    conn.execute(
                        f"""UPDATE ticket_messages SET created_at = greatest(
                                created_at + interval '{shift}',
                                (SELECT created_at FROM tickets WHERE id = ticket_id))
                            WHERE message_text = 'on an edge' AND ticket_id % 3 = 0""".encode()
                    )
                    assert_equal_their_rebuild(
                        conn,
                        _RESPONSE_ROWS,
                        "SELECT analytics_response_rebuild(timezone) FROM analytics_response_state",
                        shift,
                    )
                    for spec in EDGE_SPECS:
                        check_responsiveness(session, conn, spec, UTC_ZONE)
        finally:
            engine.dispose()


def test_at_risk_reads_the_running_clocks_by_due_time(session: Session) -> None:
    """The at-risk page and its total read the running clocks' partial indexes along the due
    time (the clocks due within the window), not every row: `running IS TRUE` does not match
    their predicate `running`, and at 1M the scan of `ticket_sla` took 200-400 ms a request.
    Sequential scans are disabled, so the plan shows an index whenever one can serve it."""
    engine = session.get_bind()
    statements: list[tuple[str, dict[str, object]]] = []

    def record(*args: object) -> None:
        statement, parameters = args[2], args[3]
        assert isinstance(statement, str)
        assert isinstance(parameters, dict)
        if "ticket_sla" in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        for target in state.TARGETS:
            state.breaches(
                session, TicketFilters(), UTC_ZONE, which="at_risk", target=target, as_of=INSIDE
            )
    finally:
        event.remove(engine, "before_cursor_execute", record)
    conn = session.connection()
    conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
    assert len(statements) == 4
    for statement, parameters in statements:
        plan = "\n".join(conn.exec_driver_sql(f"EXPLAIN {statement}", parameters).scalars())
        assert "idx_ticket_sla_overdue" in plan or "idx_ticket_sla_running" in plan, plan
    session.rollback()


def test_breaches_pages_cover_every_breach_once(session: Session) -> None:
    """Paging through the breached list returns each breached ticket once, worst first."""
    as_of = datetime.now(UTC)
    filters = TicketFilters.from_query({"priority": "any_of:urgent,high"})
    seen: list[int] = []
    overs: list[float] = []
    page = 1
    while True:
        got = state.breaches(
            session,
            filters,
            UTC_ZONE,
            which="breached",
            target="resolution",
            page=page,
            page_size=50,
            as_of=as_of,
        )
        seen += [row.ticket_id for row in got.rows]
        overs += [row.over_by_hours for row in got.rows]
        if len(got.rows) < 50:
            break
        page += 1
    assert len(seen) == len(set(seen)) == got.total > 50
    assert overs == sorted(overs, reverse=True)
    session.rollback()


def test_the_breached_list_keeps_its_statements(session: Session) -> None:
    """The list's statements are kept per process and take the filter, target, instant and
    page as parameters: another filter of the same shape builds nothing (built per request,
    building and compiling them was most of the list's time at 1M)."""
    statements.forget()
    as_of = datetime.now(UTC)

    def read(query: dict[str, str], target: state.Target, page: int) -> None:
        filters = TicketFilters.from_query(query)
        state.breaches(
            session,
            filters,
            UTC_ZONE,
            which="breached",
            target=target,
            page=page,
            page_size=20,
            as_of=as_of,
        )

    read({"team_member": "is:3", "date": "on_or_after:2025-06-01"}, "resolution", 1)
    kept = statements.kept()
    assert kept >= 2  # the counts and the page
    read({"team_member": "is:5", "date": "on_or_after:2025-03-01"}, "first_response", 2)
    assert statements.kept() == kept
    session.rollback()


@pytest.mark.parametrize("by", ["priority", "team_member"])
def test_the_breakdowns_by_a_column_keep_their_statement(
    session: Session, by: breakdown.By
) -> None:
    """Grouped by a cube column (priority, team member), a breakdown's statement is kept as
    the SLA block's is: another filter of the same shape builds nothing."""
    statements.forget()
    as_of = datetime.now(UTC)

    def read(member: str, since: str) -> None:
        filters = TicketFilters.from_query({"team_member": member, "date": f"on_or_after:{since}"})
        breakdown.breakdown(session, filters, UTC_ZONE, by=by, as_of=as_of)

    read("is_not:3", "2025-06-01")
    kept = statements.kept()
    assert kept >= 1
    read("is_not:5", "2025-02-01")
    assert statements.kept() == kept
    session.rollback()


DATED = (
    {"date": "on_or_after:2025-06-01"},
    {"date": "between:2025-03-01,2025-04-15", "priority": "is_not:low"},
    {"date": "on:2025-09-10", "team_member": "is_not:2"},
)


@pytest.mark.parametrize("type_hours", [None, -2000])
def test_walks_from_the_first_day_miss_no_breach(
    session: Session, monkeypatch: pytest.MonkeyPatch, type_hours: int | None
) -> None:
    """Under a date filter the running stream's walk starts at the filter's first day, as a
    due time is never before creation; a ticket type with negative hours breaks that, and
    then the walk starts at the oldest due time. Walking is forced; the pages equal sorting
    every breached row."""
    monkeypatch.setattr(state, "WALK_LIMIT", 10**9)
    if type_hours is not None:
        types = ticket_types.c
        session.execute(
            update(ticket_types).where(types.id == 3).values(avg_resolution_hours=type_hours)
        )
        c = state.ticket_sla.c
        early = session.execute(
            select(func.count()).where(
                c.running,
                c.due_at < c.created_at - timedelta(days=2),
                c.created_at >= datetime(2025, 6, 1, tzinfo=UTC),
            )
        ).scalar_one()
        assert early > 0  # running clocks due before their ticket's creation day
    as_of = datetime.now(UTC)
    for query in DATED:
        filters = TicketFilters.from_query(query)
        for page, size in ((1, 20), (2, 300)):
            fast, plain = (
                read(
                    session,
                    filters,
                    UTC_ZONE,
                    which="breached",
                    target="resolution",
                    page=page,
                    page_size=size,
                    as_of=as_of,
                )
                for read in (state.breaches, state.breaches_from_rows)
            )
            assert fast == plain, (query, page, size)
    session.rollback()


# A ticket write fires statement triggers that compare a statement's old and new rows
# (transition tables): which tickets changed, which SLA rows changed.
_FLIP = (
    "UPDATE tickets SET priority = CASE priority WHEN 'low' THEN 'medium' ELSE 'low' END"
    " WHERE id BETWEEN %s AND %s"
)
_CHANGED = 300


def test_a_bulk_update_compares_old_and_new_rows_by_hashing(database: str) -> None:
    """Transition tables have no statistics: the planner takes each for one row, and the
    triggers' joins of old and new rows were planned as nested loops, every old row against
    every new one (36 million comparisons in the SLA cube's trigger for a 3,000-ticket
    priority change on the reference data, 7 of its 9 s; minutes for a bulk change at 1M).
    PL/pgSQL keeps those plans for the session, so a bulk write after a few small ones on the
    same connection (any pooled connection) paid it in the other triggers too. Every join a
    bulk write runs must compare a bounded number of rows per changed row."""
    plans: list[str] = []
    with psycopg.connect(libpq_url(database)) as conn:
        conn.add_notice_handler(lambda diag: plans.append(diag.message_primary or ""))
        for first in (1, 2, 3):  # small writes first: the session's cached plans
            conn.execute(_FLIP.encode(), (first, first))
        conn.rollback()
        for setting in (
            "LOAD 'auto_explain'",
            "SET auto_explain.log_min_duration = 0",
            "SET auto_explain.log_analyze = on",
            "SET auto_explain.log_timing = off",
            "SET auto_explain.log_nested_statements = on",
            "SET auto_explain.log_level = notice",
        ):
            conn.execute(setting.encode())
        conn.execute(_FLIP.encode(), (1, _CHANGED))
        conn.rollback()
    assert any("INSERT INTO analytics_sla_cube" in plan for plan in plans), (
        "the update no longer reaches the SLA cube's trigger: test the new way"
    )
    removed = [
        int(line.split(":")[1])
        for plan in plans
        for line in plan.splitlines()
        if "Rows Removed by Join Filter:" in line
    ]
    assert max(removed, default=0) <= 10 * _CHANGED, max(removed)
