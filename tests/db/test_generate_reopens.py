"""Generated reopened tickets: resolved, reopened by a client message, resolved again, with the
activity log the triggers would have written and reopen counts that follow from it;
deterministic per seed."""

from __future__ import annotations

import math
from collections.abc import Iterator

import psycopg
import pytest
from psycopg.rows import tuple_row

from support_analytics.db import generate
from support_analytics.db.engine import libpq_url
from tests.conftest import PgServer

SAMPLE = 4_000
Conn = psycopg.Connection[tuple[object, ...]]

# The status events of every ticket in order, as text: "->resolved|resolved->open|..."
HISTORY = """
SELECT t.id, t.status, t.resolved_at,
       string_agg(coalesce(e.old_value, '') || '->' || e.new_value, '|'
                  ORDER BY e.created_at, e.id) AS history,
       array_agg(e.created_at ORDER BY e.created_at, e.id) AS times
FROM tickets t JOIN ticket_events e ON e.ticket_id = t.id AND e.kind = 'status'
GROUP BY t.id
"""


def _events(url: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url, row_factory=tuple_row) as conn:
        return conn.execute(
            "SELECT ticket_id, kind, old_value, new_value, actor_user_id, created_at"
            " FROM ticket_events ORDER BY ticket_id, created_at, kind, new_value"
        ).fetchall()


@pytest.fixture(scope="module")
def sample(pg_server: PgServer, migrated_template: str) -> Iterator[Conn]:
    with pg_server.scratch_database("sa_reopens", template=migrated_template) as url:
        generate.generate(libpq_url(url), tickets=SAMPLE, random_seed=5, zone="UTC")
        with psycopg.connect(libpq_url(url), row_factory=tuple_row) as conn:
            conn.execute("SET TimeZone = 'UTC'")
            yield conn


def _one(conn: Conn, query: str) -> tuple[object, ...]:
    row = conn.execute(query.encode()).fetchone()
    assert row is not None
    return row


def test_a_few_resolved_tickets_were_reopened_once(sample: Conn) -> None:
    resolved, reopened = (
        int(str(v))
        for v in _one(
            sample,
            "SELECT count(*) FILTER (WHERE resolved_at IS NOT NULL),"
            " count(*) FILTER (WHERE reopens > 0)"
            " FROM tickets t JOIN ticket_response_facts f ON f.ticket_id = t.id",
        )
    )
    expected = generate.REOPENED_SHARE_OF_RESOLVED
    # Tickets resolved too quickly for a reopen inside their span are left alone: a little less.
    assert reopened > 0
    tolerance = 5 * math.sqrt(expected * (1 - expected) / resolved)
    assert expected * 0.7 - tolerance < reopened / resolved < expected + tolerance
    assert _one(sample, "SELECT max(reopens) FROM ticket_response_facts")[0] == 1


def test_reopened_history_is_resolved_reopened_resolved_in_time_order(sample: Conn) -> None:
    rows = sample.execute(
        f"SELECT h.* FROM ({HISTORY}) h JOIN ticket_response_facts f ON f.ticket_id = h.id"
        " WHERE f.reopens > 0".encode()
    ).fetchall()
    assert rows
    for ticket_id, status, resolved_at, history, times in rows:
        assert status in ("resolved", "closed"), ticket_id
        assert history == "in_progress->resolved|resolved->open|open->resolved", ticket_id
        assert isinstance(times, list)
        assert times == sorted(times), ticket_id
        assert times[-1] == resolved_at, ticket_id  # the final resolution is the ticket's own
        assert len(set(times)) == 3, ticket_id


def test_a_client_message_reopens_and_the_team_answers_before_resolving(sample: Conn) -> None:
    """Each reopen follows a client message logged at the same instant (by the loader: no
    actor), and no reply of the team falls between the first resolution and that message."""
    missing, answered_early, with_actor = (
        int(str(v))
        for v in _one(
            sample,
            """
            WITH reopen AS (
              SELECT e.ticket_id, e.created_at AS at,
                     (SELECT max(p.created_at) FROM ticket_events p
                      WHERE p.ticket_id = e.ticket_id AND p.kind = 'status'
                        AND p.new_value = 'resolved' AND p.created_at < e.created_at) AS first_done
              FROM ticket_events e
              WHERE e.kind = 'status' AND e.old_value = 'resolved' AND e.new_value = 'open'
            )
            SELECT
              count(*) FILTER (WHERE NOT EXISTS (
                SELECT 1 FROM ticket_messages m JOIN ticket_events c
                  ON c.ticket_id = m.ticket_id AND c.kind = 'client_message'
                 AND c.new_value = m.id::text AND c.created_at = m.created_at
                WHERE m.ticket_id = r.ticket_id AND m.from_client AND m.created_at = r.at)),
              count(*) FILTER (WHERE EXISTS (
                SELECT 1 FROM ticket_messages m
                WHERE m.ticket_id = r.ticket_id AND NOT m.from_client
                  AND m.created_at > r.first_done AND m.created_at < r.at)),
              (SELECT count(*) FROM ticket_events WHERE actor_user_id IS NOT NULL
                 OR actor_kind IS NOT NULL)
            FROM reopen r
            """,
        )
    )
    assert (missing, answered_early, with_actor) == (0, 0, 0)


def test_reopen_counts_equal_the_status_events(sample: Conn) -> None:
    differing = _one(
        sample,
        """
        SELECT count(*) FROM ticket_response_facts f
        LEFT JOIN (SELECT ticket_id, count(*) AS n FROM ticket_events
                   WHERE kind = 'status' AND old_value IN ('resolved', 'closed')
                     AND new_value IN ('open', 'in_progress')
                   GROUP BY ticket_id) e ON e.ticket_id = f.ticket_id
        WHERE f.reopens <> coalesce(e.n, 0)
        """,
    )[0]
    assert differing == 0


def test_same_seed_same_history_different_seed_another(
    pg_server: PgServer, migrated_template: str
) -> None:
    with pg_server.scratch_database("sa_reopen_seed", template=migrated_template) as url:
        raw = libpq_url(url)
        generate.generate(raw, tickets=1_500, random_seed=11, zone="UTC")
        first = _events(raw)
        assert any(row[2] == "resolved" and row[3] == "open" for row in first)
        generate.generate(
            raw, tickets=1_500, random_seed=11, zone="UTC", replace=True, batch_size=97
        )
        assert _events(raw) == first
        generate.generate(raw, tickets=1_500, random_seed=12, zone="UTC", replace=True)
        assert _events(raw) != first
