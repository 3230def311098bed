"""Generated reply delays: log-normal by priority, slower outside office hours, some open
tickets never answered, some with a second exchange, nothing after the data's end."""

from __future__ import annotations

import math
from collections.abc import Iterator

import psycopg
import pytest
from psycopg.rows import tuple_row

from support_analytics.db import generate
from support_analytics.db.engine import libpq_url
from support_analytics.db.reference import AS_OF
from tests.conftest import PgServer

SAMPLE = 6_000
Conn = psycopg.Connection[tuple[object, ...]]

# Per ticket: its first reply's delay in hours (NULL: none), whether it was created in office
# hours in UTC (the zone generated with), replies and client messages.
FACTS = """
SELECT t.id, t.priority, t.status, t.assigned_to, t.created_at, t.resolved_at,
       extract(epoch FROM min(m.created_at) FILTER (WHERE NOT m.from_client) - t.created_at)
         / 3600 AS delay,
       extract(isodow FROM t.created_at) < 6 AND t.created_at::time >= '09:00'
         AND t.created_at::time < '18:00' AS office,
       count(*) FILTER (WHERE NOT m.from_client) AS replies,
       count(*) FILTER (WHERE m.from_client) AS client_messages,
       (array_agg(m.from_client ORDER BY m.created_at DESC, m.id DESC))[1] AS last_from_client
FROM tickets t LEFT JOIN ticket_messages m ON m.ticket_id = t.id
GROUP BY t.id
"""


@pytest.fixture(scope="module")
def sample(pg_server: PgServer, migrated_template: str) -> Iterator[Conn]:
    with pg_server.scratch_database("sa_delays", template=migrated_template) as url:
        generate.generate(libpq_url(url), tickets=SAMPLE, random_seed=99, zone="UTC")
        with psycopg.connect(libpq_url(url), row_factory=tuple_row) as conn:
            conn.execute("SET TimeZone = 'UTC'")
            yield conn


def _median(conn: Conn, where: str) -> float:
    row = conn.execute(
        f"SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY delay) FROM ({FACTS}) f"
        f" WHERE delay IS NOT NULL AND status IN ('open', 'in_progress') AND {where}".encode()
    ).fetchone()
    assert row is not None
    return float(str(row[0]))


def test_first_replies_are_slower_for_lower_priorities(sample: Conn) -> None:
    """Open tickets (no resolution caps their delay): medians in priority order, each near
    its log-normal median times the office / off-hours mix."""
    medians = [_median(sample, f"priority = '{p}'") for p in ("urgent", "high", "medium", "low")]
    assert medians == sorted(medians), medians
    for priority, got in zip(("urgent", "high", "medium", "low"), medians, strict=True):
        base = generate.FIRST_REPLY_MEDIAN_HOURS[priority]
        assert base * 0.6 < got < base * generate.OFF_HOURS_FACTOR * 1.3, (priority, got)


def test_outside_office_hours_replies_are_slower(sample: Conn) -> None:
    ratio = _median(sample, "priority = 'medium' AND NOT office") / _median(
        sample, "priority = 'medium' AND office"
    )
    assert 1.8 < ratio < 5.0, ratio


def test_delays_are_log_normal(sample: Conn) -> None:
    """ln(delay / median) of open, in-office medium tickets: mean ~0, sd ~sigma (the data's
    end truncates the longest, so the sd is checked loosely)."""
    row = sample.execute(
        f"SELECT avg(ln(delay / 3.0)), stddev(ln(delay / 3.0)), count(*) FROM ({FACTS}) f"
        " WHERE delay > 0 AND status IN ('open', 'in_progress') AND priority = 'medium'"
        " AND office".encode()
    ).fetchone()
    assert row is not None
    mean, sd, n = float(str(row[0])), float(str(row[1])), int(str(row[2]))
    assert n > 50
    assert abs(mean) < 5 * generate.REPLY_SIGMA / math.sqrt(n) + 0.1, mean
    assert 0.6 * generate.REPLY_SIGMA < sd < 1.2 * generate.REPLY_SIGMA, sd


def test_some_open_tickets_are_never_answered_and_some_wait_for_a_reply(sample: Conn) -> None:
    row = sample.execute(
        f"""
        SELECT count(*) FILTER (WHERE status = 'open' AND assigned_to IS NOT NULL),
               count(*) FILTER (WHERE status = 'open' AND assigned_to IS NOT NULL
                                AND replies = 0),
               count(*) FILTER (WHERE status IN ('open', 'in_progress') AND replies > 0
                                AND last_from_client),
               count(*) FILTER (WHERE replies >= 2 AND client_messages >= 2),
               count(*)
        FROM ({FACTS}) f
        """.encode()
    ).fetchone()
    assert row is not None
    open_assigned, silent, awaiting_reply, multi, total = (int(str(v)) for v in row)
    assert silent / open_assigned > generate.SILENT_SHARE_OF_OPEN * 0.8
    assert awaiting_reply > 0
    assert 0.05 < multi / total < 0.3


def test_replies_never_follow_the_closing_reply_or_the_data_end(sample: Conn) -> None:
    row = sample.execute(
        f"""
        SELECT count(*) FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id
        WHERE m.created_at > '{AS_OF}'
           OR (t.resolved_at IS NOT NULL AND m.created_at > t.resolved_at - interval '15 minutes'
               AND NOT m.from_client)
        """.encode()
    ).fetchone()
    assert row is not None
    assert row[0] == 0
