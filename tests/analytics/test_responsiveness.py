"""Responsiveness equals an independent plain-SQL oracle over the raw tables for random filter
bars (Hypothesis), on generated data with edge cases (no replies, replies stamped before
creation, unassigned, closed, reopened, NULL priority) and after writes of every kind (the
rollups then also equal the facts counted by plain SQL, slice by slice); over HTTP: the
reference numbers, CSV, 401/403."""

from __future__ import annotations

import csv
import dataclasses
import io
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from psycopg import _queries as psycopg_queries
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session

from support_analytics.analytics import bench, response_rollups, responsiveness
from support_analytics.db import statements
from support_analytics.db.engine import libpq_url
from support_analytics.filters import TicketFilters
from support_analytics.people import display_name
from support_analytics.sla import state as sla_state
from support_analytics.tenancy.connection import connect_for_requests
from support_analytics.tenancy.scope import unclaimed_transaction
from tests.analytics import oracle
from tests.analytics.conftest import generated_edge_case_database
from tests.analytics.edge_fixtures import edge_fixtures
from tests.analytics.oracle import Conn, DateSpec, FilterSpec
from tests.analytics.strategies import filter_specs
from tests.conftest import PgServer
from tests.examples import HEALTH, examples
from tests.fixtures.auth import ApiClientFactory

UTC_ZONE = ZoneInfo("UTC")
OTHER_ZONE = ZoneInfo("America/New_York")

# Beyond the shared edge cases: resolved tickets nobody replied to, a reopened ticket (a client
# message on a resolved ticket), a ticket whose only reply came long after, one-touch tickets.
MORE_EDGES = """
DELETE FROM ticket_messages WHERE ticket_id IN (SELECT id FROM tickets WHERE id % 97 = 0)
  AND from_client IS FALSE;
INSERT INTO ticket_messages (ticket_id, from_client, message_text, created_at)
  SELECT id, true, 'still broken', resolved_at + interval '1 hour'
  FROM tickets WHERE status = 'resolved' AND id % 89 = 0;
INSERT INTO ticket_messages (ticket_id, from_client, from_team_member_id, message_text, created_at)
  SELECT id, false, assigned_to, 'late answer', created_at + interval '3 days 5 hours'
  FROM tickets WHERE id % 83 = 0 AND assigned_to IS NOT NULL;
"""


def _oracle_facts(spec: FilterSpec, tz: str, params: list[object]) -> str:
    """Per filtered ticket: FRT hours (never below 0), replies, status; plain SQL."""
    return f"""
        SELECT t.id, t.priority, t.status, t.assigned_to, m.replies,
               greatest(0, extract(epoch FROM m.first_reply - t.created_at) / 3600)::float8 AS frt
        FROM tickets t
        LEFT JOIN (
            SELECT ticket_id, count(*) AS replies, min(created_at) AS first_reply
            FROM ticket_messages WHERE from_client = false GROUP BY ticket_id
        ) m ON m.ticket_id = t.id
        WHERE {oracle.where(spec, tz, params)}
    """


def _num(value: object) -> float | None:
    return None if value is None else float(str(value))


def oracle_responsiveness(conn: Conn, spec: FilterSpec, tz: str) -> dict[str, object]:
    params: list[object] = []
    rows = conn.execute(
        f"""
        SELECT f.priority, count(f.frt),
               count(*) FILTER (WHERE f.replies IS NULL AND f.status IN ('open', 'in_progress')),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY f.frt),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY f.frt),
               avg(f.frt),
               count(*) FILTER (WHERE f.status IN ('resolved', 'closed')),
               count(*) FILTER (WHERE f.status IN ('resolved', 'closed') AND f.replies = 1),
               GROUPING(f.priority)
        FROM ({_oracle_facts(spec, tz, params)}) f
        GROUP BY GROUPING SETS ((f.priority), ())
        """.encode(),
        params,
    ).fetchall()
    total = next(r for r in rows if r[8] == 1)
    by = {r[0]: r for r in rows if r[8] == 0 and r[0] is not None}

    def stats(r: tuple[object, ...] | None) -> dict[str, object]:
        if r is None:
            return {
                "count": 0,
                "awaiting": 0,
                "median_hours": None,
                "p90_hours": None,
                "avg_hours": None,
            }
        return {
            "count": r[1],
            "awaiting": r[2],
            "median_hours": _num(r[3]),
            "p90_hours": _num(r[4]),
            "avg_hours": _num(r[5]),
        }

    resolved, one_touch = int(str(total[6])), int(str(total[7]))
    return {
        "first_response": stats(total),
        "by_priority": [
            {"priority": p, **stats(by.get(p))}
            for p in oracle.PRIORITIES
            if oracle.admits(spec.priority, p)
        ],
        "one_touch": {
            "resolved": resolved,
            "one_touch": one_touch,
            "pct": None if resolved == 0 else 100.0 * one_touch / resolved,
        },
    }


def oracle_team(conn: Conn, spec: FilterSpec, tz: str) -> list[dict[str, object]]:
    params: list[object] = []
    rows = conn.execute(
        f"""
        SELECT tm.id, tm.username, count(f.frt),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY f.frt)
        FROM team_members tm
        LEFT JOIN ({_oracle_facts(spec, tz, params)}) f ON f.assigned_to = tm.id
        GROUP BY tm.id ORDER BY tm.id
        """.encode(),
        params,
    ).fetchall()
    return [
        {
            "team_member_id": r[0],
            "name": display_name(str(r[1])),
            "first_replies": r[2],
            "median_first_response_hours": _num(r[3]),
        }
        for r in rows
        if oracle.admits(spec.team_member, r[0])
    ]


# Generated tickets: free-running reply delays, so nearly every FRT is distinct and the
# percentiles are read inside bins, not off one constant as on the reference data (whose
# numbers the HTTP test below checks); and an oracle query reads 1.6k tickets, not 42.9k.
SMALL_TICKETS = 1_500

database, session, conn = edge_fixtures(MORE_EDGES, generated=SMALL_TICKETS)


def check(
    session: Session,
    conn: Conn,
    spec: FilterSpec,
    tz: ZoneInfo,
    cap: int = responsiveness.DISTINCT_CAP,
    *,
    rollups: bool = True,
    both: bool = False,
) -> None:
    """`rollups=True` reads the rollups where they are bucketed in `tz`: from the histogram
    (as on data this small) and, `both`, from its wide bins too (as from a million tickets);
    otherwise the facts table: `cap=0` takes the percentile_cont path, the default the
    frequency-table path (the data here has a few hundred distinct FRT values)."""
    filters = TicketFilters.from_query(spec.params())
    want = oracle_responsiveness(conn, spec, tz.key)
    want_team = oracle_team(conn, spec, tz.key)
    for wide in (False, True) if rollups and both else (False,):
        with wide_bins(wide):
            got = responsiveness.responsiveness(session, filters, tz, cap=cap, rollups=rollups)
            oracle.assert_close(got.model_dump(mode="json"), want, f"responsiveness {wide=}")
            team = responsiveness.team(session, filters, tz, cap=cap, rollups=rollups)
            oracle.assert_close(team.model_dump(mode="json")["rows"], want_team, f"team {wide=}")
            assert response_rollups.wide_pays(session) == wide
            session.rollback()


@contextmanager
def wide_bins(on: bool) -> Iterator[None]:
    """Percentile reads through the wide bins (`on`) or the histogram, whatever its size."""
    was = response_rollups.WIDE_FROM_ROWS
    response_rollups.WIDE_FROM_ROWS = -(2**62) if on else 2**62
    try:
        yield
    finally:
        response_rollups.WIDE_FROM_ROWS = was


def assert_the_edge_cases_are_there(conn: Conn) -> None:
    """The data really has what the edge cases name."""
    row = conn.execute(
        """
        SELECT count(*) FILTER (WHERE replies = 0 AND status IN ('open', 'in_progress')),
               count(*) FILTER (WHERE replies = 0 AND status IN ('resolved', 'closed')),
               count(*) FILTER (WHERE frt_hours = 0),
               count(*) FILTER (WHERE assigned_to IS NULL AND replies > 0),
               count(*) FILTER (WHERE status = 'closed'),
               count(*) FILTER (WHERE reopens > 0),
               count(*) FILTER (WHERE frt_hours > 72),
               count(*) FILTER (WHERE priority IS NULL)
        FROM ticket_response_facts
        """
    ).fetchone()
    assert row is not None
    assert all(int(str(n)) > 0 for n in row), row


def test_the_edge_cases_are_there(conn: Conn) -> None:
    assert_the_edge_cases_are_there(conn)


def test_the_folded_counts_have_a_place_for_every_wide_bin(conn: Conn) -> None:
    """`analytics_frt_counts.wide` has one place per wide bin (migration 0032): the last
    histogram bin, that of any first response beyond the last edge, is in the last place."""
    last = conn.execute("SELECT analytics_frt_bin(1e9)").fetchone()
    assert last is not None
    assert int(str(last[0])) // response_rollups.WIDTH == response_rollups.WIDE_BINS - 1


def test_the_rollups_answer_in_their_zone_only(session: Session) -> None:
    """The oracle tests in UTC read the rollups (bucketed in UTC here); another zone, or a
    filter on a dimension they do not carry, reads the facts table."""
    assert response_rollups.usable(session, TicketFilters(), UTC_ZONE)
    assert not response_rollups.usable(session, TicketFilters(), OTHER_ZONE)
    session.rollback()


@settings(max_examples=examples(200), deadline=None, suppress_health_check=HEALTH)
@given(spec=filter_specs())
def test_equals_the_oracle(session: Session, conn: Conn, spec: FilterSpec) -> None:
    check(session, conn, spec, UTC_ZONE, both=True)


def test_warm_statements_keep_every_statement_the_readers_use(
    database: str, session: Session
) -> None:
    """`serve` prepares the kept statements before its first request (`warm_statements`, in
    a transaction that sees no row): the readers then build none for the bars `bench` draws
    (every operator of assignee, type and priority, dates or none), on data, whichever way
    they read the bins."""
    statements.forget()
    requests = connect_for_requests(database)
    try:
        with unclaimed_transaction(requests) as unclaimed:
            prepared = responsiveness.warm_statements(unclaimed, UTC_ZONE)
    finally:
        requests.engine.dispose()
    assert prepared == statements.kept()
    dims = bench.dimensions(session, UTC_ZONE)
    rng = random.Random(7)
    for _ in range(examples(60)):
        filters = bench.random_filters(rng, dims)
        for wide in (False, True):
            with wide_bins(wide):
                responsiveness.responsiveness(session, filters, UTC_ZONE)
                responsiveness.team(session, filters, UTC_ZONE)
                sla_state.sla_block(session, filters, UTC_ZONE)
                session.rollback()
        assert statements.kept() == prepared, filters.to_query_string()


def test_the_driver_converts_a_kept_statement_once(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """psycopg converts the placeholders of a text too long for its cache on every execution
    (db/engine.py raises its limits): a second request with the same filter converts none."""
    filters = TicketFilters.from_query({"team_member": "none_of:1,2", "ticket_type": "is_not:3"})

    def both_ways() -> None:
        # The wide path's first step is the longest statement (89 sums, ~170 parameters).
        for wide in (False, True):
            with wide_bins(wide):
                responsiveness.responsiveness(session, filters, UTC_ZONE)
                responsiveness.team(session, filters, UTC_ZONE)

    both_ways()
    converted: list[int] = []
    uncached = psycopg_queries._query2pg_nocache

    def counted(query: bytes, encoding: str) -> object:
        converted.append(len(query))
        return uncached(query, encoding)

    monkeypatch.setattr(psycopg_queries, "_query2pg_nocache", counted)
    both_ways()
    assert converted == []


@contextmanager
def every_read_checks_its_bins_ends() -> Iterator[None]:
    """Every percentile read first reads its bin's two ends (`response_rollups.dominant`),
    as reads in a bin that holds most of its group do."""
    was = response_rollups.DOMINANT_ROWS, response_rollups.DOMINANT_SHARE
    response_rollups.DOMINANT_ROWS, response_rollups.DOMINANT_SHARE = 0, 2**62
    try:
        yield
    finally:
        response_rollups.DOMINANT_ROWS, response_rollups.DOMINANT_SHARE = was


@settings(max_examples=examples(60), deadline=None, suppress_health_check=HEALTH)
@given(spec=filter_specs())
def test_equals_the_oracle_when_every_read_checks_its_bins_ends(
    session: Session, conn: Conn, spec: FilterSpec
) -> None:
    """Bins of one value (a single row, or every row alike) answer from their ends, the
    others from the read at an offset: both exact."""
    with every_read_checks_its_bins_ends():
        check(session, conn, spec, UTC_ZONE, both=True)


def test_a_bin_that_holds_most_of_its_group_checks_its_ends() -> None:
    bins = {3: 10, 7: 200, 9: 30}
    reads = response_rollups.locate(0, None, bins, [5, 120, 235])
    assert [r[5] for r in reads] == [False, True, False]
    assert not any(r[5] for r in response_rollups.locate(0, None, {1: 40, 2: 50}, [45]))


def test_a_request_reads_the_clients_plans_once(session: Session) -> None:
    """Each read of a plan filter asks which clients it admits; the request's transaction
    answers it once."""
    seen: list[str] = []

    def record(*args: object) -> None:
        seen.append(str(args[2]))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        filters = TicketFilters.from_query({"plan": "is_not:starter", "priority": "is_not:low"})
        responsiveness.responsiveness(session, filters, UTC_ZONE)
        sla_state.sla_block(session, filters, UTC_ZONE)
    finally:
        event.remove(engine, "before_cursor_execute", record)
        session.rollback()
    reads = [s for s in seen if s.startswith("SELECT clients.id, clients.plan_type")]
    assert len(reads) == 1, len(reads)


def client_bar(spec: FilterSpec, plan: bool) -> FilterSpec:
    """`spec` without an assignee or type condition and with a client or plan filter: a bar
    the rollups' rows grouped by client answer."""
    spec = dataclasses.replace(spec, team_member=None, ticket_type=None)
    if spec.client is None and spec.plan is None:
        if plan:
            return dataclasses.replace(spec, plan=("none_of", ("starter",)))
        return dataclasses.replace(spec, client=("any_of", (3, 7, 51)))
    return spec


@settings(max_examples=examples(150), deadline=None, suppress_health_check=HEALTH)
@given(spec=filter_specs(), plan=st.booleans())
def test_client_and_plan_filters_read_the_rollups_exactly(
    session: Session, conn: Conn, spec: FilterSpec, plan: bool
) -> None:
    """Client and plan filters (is / is not / any of / none of) without an assignee or type
    condition are read from the rollups' rows grouped by client; the team table, grouped by
    assignee, reads the facts under them."""
    filters = TicketFilters.from_query(client_bar(spec, plan).params())
    assert filters.by_client
    assert response_rollups.usable(session, filters, UTC_ZONE)
    assert response_rollups.mask(filters) == response_rollups.CLIENT_MASK
    assert not response_rollups.usable(session, filters, UTC_ZONE, by_member=True)
    check(session, conn, client_bar(spec, plan), UTC_ZONE)


def test_client_filters_with_an_assignee_or_type_read_the_facts(session: Session) -> None:
    for query in (
        {"client": "is:3", "team_member": "is:4"},
        {"plan": "is:starter", "ticket_type": "is:2"},
    ):
        assert not response_rollups.usable(session, TicketFilters.from_query(query), UTC_ZONE)
    session.rollback()


def test_long_date_ranges_read_every_row_less_the_days_outside(
    session: Session, conn: Conn
) -> None:
    """A range with a few days left out at both ends, bounds past the data's first or last
    day, under assignee, type and priority filters: read as the all-time rows less the days
    outside (random bars rarely draw these), and equal to the oracle."""
    row = conn.execute(
        "SELECT min(created_at AT TIME ZONE 'UTC')::date, max(created_at AT TIME ZONE 'UTC')::date"
        " FROM tickets"
    ).fetchone()
    assert row is not None
    first, last = (date.fromisoformat(str(day)) for day in row)
    dates: list[DateSpec] = [
        ("between", str(first + timedelta(days=3)), str(last - timedelta(days=40))),
        ("between", str(first - timedelta(days=9)), str(last + timedelta(days=9))),
        ("on_or_before", None, str(last + timedelta(days=30))),
        ("on_or_after", str(first - timedelta(days=2)), None),
    ]
    dimensions = (
        FilterSpec(),
        FilterSpec(team_member=("none_of", (3, None)), priority=("is", ("high",))),
        FilterSpec(ticket_type=("is_not", (2,)), priority=("none_of", ("low",))),
    )
    for when in dates:
        for base in dimensions:
            spec = dataclasses.replace(base, date=when)
            flt = TicketFilters.from_query(spec.params()).date
            assert response_rollups.outside(session, flt) is not None, spec
            check(session, conn, spec, UTC_ZONE, both=True)


@settings(max_examples=examples(40), deadline=None, suppress_health_check=HEALTH)
@given(spec=filter_specs())
def test_equals_the_oracle_when_percentile_cont_sorts(
    session: Session, conn: Conn, spec: FilterSpec
) -> None:
    check(session, conn, spec, UTC_ZONE, cap=0, rollups=False)


@settings(max_examples=examples(60), deadline=None, suppress_health_check=HEALTH)
@given(spec=filter_specs())
def test_equals_the_oracle_from_the_facts_table(
    session: Session, conn: Conn, spec: FilterSpec
) -> None:
    check(session, conn, spec, UTC_ZONE, rollups=False)


@settings(max_examples=examples(200), deadline=None, suppress_health_check=HEALTH)
@given(
    values=st.lists(
        st.tuples(st.floats(0, 1e4, allow_nan=False), st.integers(1, 5)), min_size=1, max_size=30
    ),
    q=st.sampled_from((0.0, 0.1, 0.5, 0.9, 1.0)),
)
def test_percentile_from_counts_is_postgresqls(
    conn: Conn, values: list[tuple[float, int]], q: float
) -> None:
    merged: dict[float, int] = {}
    for value, count in values:
        merged[value] = merged.get(value, 0) + count
    pairs = sorted(merged.items())
    flat = [value for value, count in pairs for _ in range(count)]
    row = conn.execute(
        "SELECT percentile_cont(%s) WITHIN GROUP (ORDER BY v) FROM unnest(%s::float8[]) v",
        (q, flat),
    ).fetchone()
    assert row is not None
    assert responsiveness.percentile_cont(pairs, q) == row[0]


@settings(max_examples=examples(25), deadline=None, suppress_health_check=HEALTH)
@given(spec=filter_specs())
def test_equals_the_oracle_in_another_zone(session: Session, conn: Conn, spec: FilterSpec) -> None:
    check(session, conn, spec, OTHER_ZONE)


WRITES = (
    # a new ticket and its first (client) message: awaiting a first reply
    "INSERT INTO tickets (client_id, ticket_type_id, status, priority, title)"
    " VALUES (3, 2, 'open', 'high', 'new one') RETURNING id",
    "INSERT INTO ticket_messages (ticket_id, from_client, message_text)"
    " SELECT max(id), true, 'help' FROM tickets",
    # its first reply, stamped before its creation (FRT 0), then a second reply
    "INSERT INTO ticket_messages (ticket_id, from_client, from_team_member_id, message_text,"
    " created_at) SELECT max(id), false, 4, 'early', now() - interval '1 hour' FROM tickets",
    "INSERT INTO ticket_messages (ticket_id, from_client, from_team_member_id, message_text)"
    " SELECT max(id), false, 4, 'more' FROM tickets",
    "UPDATE tickets SET assigned_to = 4 WHERE id = (SELECT max(id) FROM tickets)",
    "UPDATE tickets SET priority = 'urgent', ticket_type_id = 3"
    " WHERE id = (SELECT max(id) FROM tickets)",
    "UPDATE tickets SET status = 'resolved', resolved_at = now()"
    " WHERE id = (SELECT max(id) FROM tickets)",
    # a client message on the resolved ticket reopens it
    "INSERT INTO ticket_messages (ticket_id, from_client, message_text)"
    " SELECT max(id), true, 'not fixed' FROM tickets",
    "UPDATE tickets SET status = 'closed', resolved_at = now(), closed_at = now()"
    " WHERE id = (SELECT max(id) FROM tickets)",
    "DELETE FROM ticket_messages WHERE id = (SELECT max(id) FROM ticket_messages"
    " WHERE from_client = false)",
    "UPDATE ticket_messages SET from_client = true WHERE id = (SELECT min(id) FROM"
    " ticket_messages WHERE ticket_id = 5 AND from_client = false)",
    "UPDATE ticket_messages SET created_at = created_at + interval '2 days'"
    " WHERE ticket_id BETWEEN 10 AND 400 AND from_client = false",
    "UPDATE tickets SET assigned_to = NULL WHERE id BETWEEN 500 AND 900",
    # other clients (their rows grouped by client move); a client's plan (the plan filter
    # follows it at read time)
    "UPDATE tickets SET client_id = 7 WHERE id BETWEEN 100 AND 300",
    "UPDATE clients SET plan_type = 'enterprise' WHERE id = 3",
    "DELETE FROM ticket_messages WHERE ticket_id IN (SELECT max(id) FROM tickets)",
    "DELETE FROM ticket_feedback WHERE ticket_id IN (SELECT max(id) FROM tickets);"
    " DELETE FROM tickets WHERE id = (SELECT max(id) FROM tickets)",
)


# Keys with NULLs made comparable (ids start at 1, priorities are never empty) for a FULL JOIN.
_KEY = (
    "gmask, grain, coalesce(bucket, '-infinity') AS bucket, coalesce(client_id, 0) AS"
    " client_id, coalesce(assigned_to, 0) AS"
    " assigned_to, coalesce(ticket_type_id, 0) AS ticket_type_id, coalesce(priority, '') AS"
    " priority"
)
_KEY_NAMES = "gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority"
# As a differing row is shown ('-infinity' has no Python date).
_SHOWN = "gmask, grain, bucket::text, client_id, assigned_to, ticket_type_id, priority"

# Every (grouping, grain, bucket) each fact counts in, written apart from the migrations'
# GROUPING SETS: a week segment is the Monday-to-Sunday week cut at the month's first day.
_FACTS_KEYED = """
WITH f AS (
    SELECT f.*, (f.created_at AT TIME ZONE s.timezone)::date AS day
    FROM ticket_response_facts f CROSS JOIN analytics_response_state s
)
SELECT g.gmask, b.grain, b.bucket,
       CASE WHEN g.gmask = 4 THEN f.client_id END AS client_id,
       CASE WHEN g.gmask IN (1, 3) THEN f.assigned_to END AS assigned_to,
       CASE WHEN g.gmask IN (2, 3) THEN f.ticket_type_id END AS ticket_type_id,
       f.priority, f.frt_hours, f.frt_bin AS bin, f.replies, f.status
FROM f
CROSS JOIN (VALUES (0), (1), (2), (3), (4)) g (gmask)
CROSS JOIN LATERAL (VALUES
    ('d', f.day),
    ('w', greatest(f.day - (extract(isodow FROM f.day)::int - 1),
                   date_trunc('month', f.day)::date)),
    ('m', date_trunc('month', f.day)::date),
    ('a', NULL::date)) b (grain, bucket)
"""

# Rows of both rollups that differ from the facts counted by plain SQL: counts exactly, the
# FRT sum to 1e-9 (the triggers add and subtract in another order). Rows whose counts went
# back to 0 stay in the rollups; the facts never produce them.
_ROLLUPS_OFF = f"""
WITH got_cube AS (
    SELECT {_KEY}, n_frt, frt_sum, n_awaiting, n_done, n_one_touch
    FROM analytics_response_cube
    WHERE n_frt <> 0 OR n_awaiting <> 0 OR n_done <> 0 OR n_one_touch <> 0
), want_cube AS (
    SELECT * FROM (
        SELECT {_KEY}, count(frt_hours) AS n_frt, coalesce(sum(frt_hours), 0) AS frt_sum,
            count(*) FILTER (WHERE replies = 0 AND status IN ('open', 'in_progress')) AS n_awaiting,
            count(*) FILTER (WHERE status IN ('resolved', 'closed')) AS n_done,
            count(*) FILTER (WHERE status IN ('resolved', 'closed') AND replies = 1) AS n_one_touch
        FROM ({_FACTS_KEYED}) k GROUP BY {_KEY_NAMES}
    ) c
    WHERE n_frt <> 0 OR n_awaiting <> 0 OR n_done <> 0 OR n_one_touch <> 0
), got_hist AS (
    SELECT {_KEY}, bin, n FROM analytics_frt_hist WHERE n <> 0
), want_hist AS (
    SELECT {_KEY}, bin, count(*) AS n FROM ({_FACTS_KEYED}) k
    WHERE frt_hours IS NOT NULL GROUP BY {_KEY_NAMES}, bin
), got_any AS (
    SELECT {_KEY.replace("coalesce(client_id, 0)", "0")}, bin, n
    FROM analytics_frt_hist_any_priority WHERE n <> 0
), want_any AS (
    SELECT {_KEY.replace("coalesce(priority, '')", "''")}, bin, count(*) AS n
    FROM ({_FACTS_KEYED}) k
    -- no rows grouped by client: it sums over priorities only the others
    WHERE frt_hours IS NOT NULL AND gmask < 4
    GROUP BY gmask, grain, bucket, client_id, assigned_to, ticket_type_id, bin
), got_wide AS (
    -- the wide bins' fine counts, each at its histogram bin
    SELECT {_KEY}, w.bin * 16 + u.i - 1 AS bin, u.n
    FROM analytics_frt_wide w CROSS JOIN unnest(w.fine) WITH ORDINALITY u (n, i) WHERE u.n <> 0
), got_wide_any AS (
    SELECT {_KEY.replace("coalesce(client_id, 0)", "0")}, w.bin * 16 + u.i - 1 AS bin, u.n
    FROM analytics_frt_wide_any_priority w CROSS JOIN unnest(w.fine) WITH ORDINALITY u (n, i)
    WHERE u.n <> 0
), got_counts AS (
    -- each key's wide-bin counts, each at its wide bin
    SELECT {_KEY}, u.i - 1 AS bin, u.n
    FROM analytics_frt_counts c CROSS JOIN unnest(c.wide) WITH ORDINALITY u (n, i)
    WHERE u.n <> 0
), got_counts_any AS (
    SELECT {_KEY.replace("coalesce(client_id, 0)", "0")}, u.i - 1 AS bin, u.n
    FROM analytics_frt_counts_any_priority c
    CROSS JOIN unnest(c.wide) WITH ORDINALITY u (n, i) WHERE u.n <> 0
), want_counts AS (
    SELECT {_KEY_NAMES}, bin / 16 AS bin, sum(n) AS n FROM want_hist
    GROUP BY {_KEY_NAMES}, bin / 16
), want_counts_any AS (
    SELECT {_KEY_NAMES}, bin / 16 AS bin, sum(n) AS n FROM want_any
    GROUP BY {_KEY_NAMES}, bin / 16
), wide_sums AS (
    SELECT 'analytics_frt_wide' AS t, {_KEY}, bin, n, fine FROM analytics_frt_wide
    UNION ALL
    SELECT 'analytics_frt_wide_any_priority', {_KEY.replace("coalesce(client_id, 0)", "0")},
           bin, n, fine
    FROM analytics_frt_wide_any_priority
)
SELECT 'cube', {_SHOWN}, NULL::int, to_jsonb(g), to_jsonb(w)
FROM got_cube g FULL JOIN want_cube w USING ({_KEY_NAMES})
WHERE (g.n_frt, g.n_awaiting, g.n_done, g.n_one_touch)
      IS DISTINCT FROM (w.n_frt, w.n_awaiting, w.n_done, w.n_one_touch)
   OR abs(g.frt_sum - w.frt_sum) > 1e-9 * greatest(1, abs(w.frt_sum))
UNION ALL
SELECT 'hist', {_SHOWN}, bin, to_jsonb(g.n), to_jsonb(w.n)
FROM got_hist g FULL JOIN want_hist w USING ({_KEY_NAMES}, bin)
WHERE g.n IS DISTINCT FROM w.n
UNION ALL
SELECT 'any priority', {_SHOWN}, bin, to_jsonb(g.n), to_jsonb(w.n)
FROM got_any g FULL JOIN want_any w USING ({_KEY_NAMES}, bin)
WHERE g.n IS DISTINCT FROM w.n
UNION ALL
SELECT 'wide', {_SHOWN}, bin, to_jsonb(g.n), to_jsonb(w.n)
FROM got_wide g FULL JOIN want_hist w USING ({_KEY_NAMES}, bin)
WHERE g.n IS DISTINCT FROM w.n
UNION ALL
SELECT 'wide any priority', {_SHOWN}, bin, to_jsonb(g.n), to_jsonb(w.n)
FROM got_wide_any g FULL JOIN want_any w USING ({_KEY_NAMES}, bin)
WHERE g.n IS DISTINCT FROM w.n
UNION ALL
SELECT 'counts', {_SHOWN}, bin, to_jsonb(g.n), to_jsonb(w.n)
FROM got_counts g FULL JOIN want_counts w USING ({_KEY_NAMES}, bin)
WHERE g.n IS DISTINCT FROM w.n
UNION ALL
SELECT 'counts any priority', {_SHOWN}, bin, to_jsonb(g.n), to_jsonb(w.n)
FROM got_counts_any g FULL JOIN want_counts_any w USING ({_KEY_NAMES}, bin)
WHERE g.n IS DISTINCT FROM w.n
UNION ALL
SELECT t, {_SHOWN}, bin, to_jsonb(n), to_jsonb(fine)
FROM wide_sums WHERE n <> (SELECT sum(x) FROM unnest(fine) x)
LIMIT 10
"""


def assert_rollups_equal_the_facts(conn: Conn, after: str) -> None:
    """What the triggers maintained equals the facts (which the oracle checks against the raw
    tables) counted by plain SQL, slice by slice (the histogram with the priority summed away
    too, and both in wide bins, fine count by fine count, each wide row's count their sum, and
    in each key's array of wide-bin counts): the slices the oracle's filter bars never read
    (types, weeks, single days) included. One statement: only differences come back."""
    off = conn.execute(_ROLLUPS_OFF.encode()).fetchall()
    assert off == [], (after, off)


@contextmanager
def small_database(pg_server: PgServer) -> Iterator[str]:
    """A database of its own for the writes: as this module's (`SMALL_TICKETS` generated
    tickets, the shared edge cases and this module's)."""
    with generated_edge_case_database(pg_server, SMALL_TICKETS) as url:
        with psycopg.connect(libpq_url(url), autocommit=True) as conn:
            conn.execute(MORE_EDGES.encode())
        yield url


def test_exact_after_writes_of_every_kind(pg_server: PgServer) -> None:
    with small_database(pg_server) as url:
        engine = create_engine(url, connect_args={"options": "-c timezone=UTC"})
        specs = (
            FilterSpec(),
            FilterSpec(priority=("any_of", ("high", "urgent"))),
            FilterSpec(team_member=("is", (4,))),
            # Every row less the days before it (the young edge tickets end the data today).
            FilterSpec(date=("on_or_after", "2025-11-01", None)),
            # The rows grouped by client: a client, several (one of them moved), a plan.
            FilterSpec(client=("is", (7,))),
            FilterSpec(client=("none_of", (3, 7))),
            FilterSpec(plan=("is", ("enterprise",)), date=("on_or_after", "2025-11-01", None)),
        )
        try:
            with oracle.connect(url) as conn, Session(engine) as session:
                assert_the_edge_cases_are_there(conn)
                for statement in WRITES:
                    # A write that matched nothing here would check nothing.
                    cursor = conn.execute(statement.encode())
                    changed = [cursor.rowcount]
                    while cursor.nextset():
                        changed.append(cursor.rowcount)
                    assert max(changed) > 0, statement
                    for spec in specs:
                        filters = TicketFilters.from_query(spec.params())
                        assert response_rollups.usable(session, filters, UTC_ZONE), spec
                        check(session, conn, spec, UTC_ZONE, both=True)
                        check(session, conn, spec, UTC_ZONE, cap=0, rollups=False)
                    assert_rollups_equal_the_facts(conn, statement)
                conn.execute(
                    "SELECT analytics_response_rebuild(timezone) FROM analytics_response_state"
                )
                assert_rollups_equal_the_facts(conn, "a rebuild")
                # Moving the main rollups to another zone moves these too, and they answer there.
                conn.execute(f"SELECT analytics_rebuild('{OTHER_ZONE.key}')".encode())
                for spec in specs:
                    filters = TicketFilters.from_query(spec.params())
                    assert response_rollups.usable(session, filters, OTHER_ZONE)
                    check(session, conn, spec, OTHER_ZONE, both=True)
        finally:
            engine.dispose()


def test_reference_numbers_over_http(api_client_factory: ApiClientFactory) -> None:
    manager = api_client_factory("manager")
    body = manager.get("/api/v1/analytics/responsiveness").json()
    assert body["first_response"]["count"] == 42_900
    assert body["first_response"]["median_hours"] == 0.5
    assert body["first_response"]["awaiting"] == 0
    assert sum(row["count"] for row in body["by_priority"]) == 42_900
    for target in ("first_response", "resolution"):
        sla = body["sla"][target]
        assert sla["met"] + sla["breached"] + sla["pending"] == 42_900, target
    team = manager.get("/api/v1/analytics/responsiveness/team").json()["rows"]
    assert len(team) == 15
    assert sum(row["first_replies"] for row in team) == 42_900
    filtered = manager.get(
        "/api/v1/analytics/responsiveness",
        params={"priority": "is:urgent", "date": "on:2025-03-14"},
    ).json()
    assert [row["priority"] for row in filtered["by_priority"]] == ["urgent"]
    as_csv = manager.get("/api/v1/analytics/responsiveness", params={"format": "csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [r["priority"] for r in rows] == ["all", "low", "medium", "high", "urgent"]
    assert rows[0]["count"] == "42900"
    team_csv = manager.get("/api/v1/analytics/responsiveness/team", params={"format": "csv"})
    assert len(list(csv.DictReader(io.StringIO(team_csv.text)))) == 15
    bad = manager.get("/api/v1/analytics/responsiveness", params={"priority": "is:critical"})
    assert bad.status_code == 422
    assert "priority" in bad.text


@pytest.mark.parametrize("endpoint", ["responsiveness", "responsiveness/team"])
def test_only_internal_users(api_client_factory: ApiClientFactory, endpoint: str) -> None:
    url = f"/api/v1/analytics/{endpoint}"
    assert api_client_factory("anonymous").get(url).status_code == 401
    assert api_client_factory("client_a").get(url).status_code == 403
    assert api_client_factory("agent").get(url).status_code == 200
