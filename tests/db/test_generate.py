"""The generator: the seed's distributions at any size, deterministic per seed."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator

import psycopg
import pytest
from hypothesis import given
from hypothesis import strategies as st
from psycopg.rows import tuple_row

from support_analytics.db import generate, reference
from support_analytics.db.engine import libpq_url
from tests.conftest import PgServer

SAMPLE = 20_000
Conn = psycopg.Connection[tuple[int]]


def _assert_share(actual: int, total: int, expected: float, what: str) -> None:
    # Five standard deviations of a proportion: holds for any seed, not only the one used.
    tolerance = 5 * math.sqrt(expected * (1 - expected) / total)
    share = actual / total
    assert abs(share - expected) <= tolerance, (what, share, expected)


def _count(conn: Conn, query: str) -> int:
    row = conn.execute(query.encode()).fetchone()
    assert row is not None
    return int(row[0])


def _dump(url: str) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    with psycopg.connect(libpq_url(url)) as conn:
        for table in reference.REFERENCE_TABLES:
            rows.extend(conn.execute(f"SELECT '{table}', t.* FROM {table} t ORDER BY id"))
    return rows


@pytest.fixture(scope="module")
def sample(pg_server: PgServer, migrated_template: str) -> Iterator[Conn]:
    """One generated database of SAMPLE tickets shared by the distribution tests (read only)."""
    name = "sa_test_generated_sample"
    pg_server.drop_database(name)
    url = pg_server.create_database(name, template=migrated_template)
    generate.generate(libpq_url(url), tickets=SAMPLE, random_seed=1234)
    try:
        with psycopg.connect(libpq_url(url)) as conn:
            conn.execute("SET TimeZone = 'UTC'")
            yield conn
    finally:
        pg_server.drop_database(name)


def test_counts_and_dimensions(sample: Conn) -> None:
    counts = reference.table_counts(sample).counts
    assert counts["tickets"] == SAMPLE
    assert (counts["clients"], counts["team_members"], counts["ticket_types"]) == (50, 15, 14)
    assert _count(sample, "SELECT count(*) FROM clients WHERE email = 'admin@techstart.com'") == 1
    # As in the seed: the client's opening message on every ticket and a closing reply on
    # every resolved one; between them the drawn replies (tests/db/test_reply_delays.py).
    openings = _count(
        sample,
        "SELECT count(*) FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id"
        " WHERE m.from_client AND m.created_at = t.created_at + interval '5 minutes'",
    )
    closings = _count(
        sample,
        "SELECT count(*) FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id"
        " WHERE NOT m.from_client AND m.created_at = t.resolved_at - interval '15 minutes'",
    )
    assert openings == SAMPLE
    assert closings == _count(sample, "SELECT count(resolved_at) FROM tickets")


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("status IN ('resolved', 'closed')", 0.70),
        ("status = 'closed'", 0.70 * generate.CLOSED_SHARE_OF_RESOLVED),
        ("status = 'in_progress'", 0.30 * 0.85),
        ("status = 'open'", 0.30 * 0.15),
        ("priority = 'urgent'", 0.10),
        ("priority = 'high'", 0.90 * 0.35),
        ("priority = 'medium'", 0.90 * 0.65 * 0.70),
        ("priority = 'low'", 0.90 * 0.65 * 0.30),
        ("assigned_to IS NULL", 0.30 * 0.15 * generate.UNASSIGNED_SHARE_OF_OPEN),
        ("ticket_type_id = 3", 1 / 14),
        ("assigned_to = 15", (1 - 0.30 * 0.15 * generate.UNASSIGNED_SHARE_OF_OPEN) / 15),
    ],
)
def test_ticket_proportions(sample: Conn, where: str, expected: float) -> None:
    _assert_share(
        _count(sample, f"SELECT count(*) FROM tickets WHERE {where}"), SAMPLE, expected, where
    )


def test_months_follow_the_seed_and_clients_appear_over_time(sample: Conn) -> None:
    rows = (
        sample.cursor(row_factory=tuple_row)
        .execute(
            "SELECT extract(month FROM created_at)::int, count(*), min(client_id),"
            " max(client_id), min(extract(day FROM created_at))::int,"
            " max(created_at - date_trunc('month', created_at))"
            " FROM tickets GROUP BY 1 ORDER BY 1"
        )
        .fetchall()
    )
    assert [row[0] for row in rows] == list(range(1, 12))
    total = sum(generate.REFERENCE_MONTH_TICKETS)
    for (month, count, low, high, first_day, span), base in zip(
        rows, generate.REFERENCE_MONTH_TICKETS, strict=True
    ):
        assert abs(count - SAMPLE * base / total) <= 1, month
        assert low == 1
        assert high == min(month * 5, 50)
        assert first_day >= 1
        assert span.days < 28


def test_resolution_and_closing_times(sample: Conn) -> None:
    row = (
        sample.cursor(row_factory=tuple_row)
        .execute(
            "SELECT min(resolved_at - created_at), max(resolved_at - created_at),"
            " count(*) FILTER (WHERE status IN ('resolved', 'closed') AND resolved_at IS NULL),"
            " count(*) FILTER (WHERE status IN ('open', 'in_progress')"
            " AND resolved_at IS NOT NULL),"
            " count(*) FILTER (WHERE (status = 'closed') <> (closed_at IS NOT NULL)),"
            " count(*) FILTER (WHERE closed_at < resolved_at OR closed_at > resolved_at + '24 h'),"
            " count(*) FILTER (WHERE assigned_to IS NULL AND status <> 'open'),"
            " min(created_at), max(created_at)"
            " FROM tickets"
        )
        .fetchone()
    )
    assert row is not None
    shortest, longest, unresolved, early, inconsistent, out_of_order, unassigned, first, last = row
    assert shortest.total_seconds() >= 0
    assert longest.total_seconds() <= 48 * 3600
    assert (unresolved, early, inconsistent, out_of_order, unassigned) == (0, 0, 0, 0, 0)
    assert first.isoformat() >= "2025-01-01"
    assert last.isoformat() < "2025-11-29"


def test_feedback_distribution(sample: Conn) -> None:
    closed = _count(sample, "SELECT count(*) FROM tickets WHERE status IN ('resolved', 'closed')")
    feedback = _count(sample, "SELECT count(*) FROM ticket_feedback")
    _assert_share(feedback, closed, 0.60 + 0.40 * 0.15, "feedback rate")
    low = _count(sample, "SELECT count(*) FROM ticket_feedback WHERE rating <= 2")
    _assert_share(low, feedback, 0.40 * 0.15 / 0.66, "ratings 1-2")
    for rating in (3, 4, 5):
        count = _count(sample, f"SELECT count(*) FROM ticket_feedback WHERE rating = {rating}")
        _assert_share(count, feedback, 0.60 / 0.66 / 3, f"rating {rating}")
    happy = _count(sample, "SELECT count(*) FROM ticket_feedback WHERE rating >= 3")
    great = _count(
        sample, "SELECT count(*) FROM ticket_feedback WHERE feedback_text = 'Great support!'"
    )
    helpful = _count(
        sample,
        "SELECT count(*) FROM ticket_feedback"
        " WHERE feedback_text = 'Very helpful and quick response.'",
    )
    _assert_share(great, happy, 0.30, "Great support!")
    _assert_share(helpful, happy, 0.70 * 0.60, "Very helpful")
    orphans = _count(
        sample,
        "SELECT count(*) FROM ticket_feedback f JOIN tickets t ON t.id = f.ticket_id"
        " WHERE t.status NOT IN ('resolved', 'closed')"
        " OR f.created_at <> t.resolved_at + interval '1 hour'",
    )
    assert orphans == 0


def test_payments_follow_the_seed(sample: Conn) -> None:
    subscriptions = _count(
        sample,
        "SELECT count(*) FROM payments WHERE payment_type = 'subscription' AND amount_usd > 0",
    )
    assert subscriptions == 210  # one per active client and month, as in the seed
    refunds = _count(sample, "SELECT count(*) FROM payments WHERE status = 'refunded'")
    assert 0 <= refunds <= 10
    assert _count(sample, "SELECT count(*) FROM payments WHERE amount_usd < 0") == refunds
    top_ups = _count(sample, "SELECT count(*) FROM payments WHERE payment_type = 'top-up'")
    assert 5 <= top_ups <= 35
    late = _count(sample, f"SELECT count(*) FROM payments WHERE created_at > '{reference.AS_OF}'")
    assert late == 0


def test_same_seed_same_rows_whatever_the_batch_size(
    pg_server: PgServer, migrated_database: str
) -> None:
    url = libpq_url(migrated_database)
    generate.generate(url, tickets=3_000, random_seed=7)
    first = _dump(migrated_database)
    generate.generate(url, tickets=3_000, random_seed=7, replace=True, batch_size=257)
    assert _dump(migrated_database) == first
    generate.generate(url, tickets=3_000, random_seed=8, replace=True)
    assert _dump(migrated_database) != first


def test_refuses_data_without_replace_and_keeps_dimensions_with_it(fresh_database: str) -> None:
    url = libpq_url(fresh_database)
    with pytest.raises(reference.DatabaseNotEmpty, match="--replace"):
        generate.generate(url, tickets=10)
    with psycopg.connect(url) as conn:
        clients_before = conn.execute("SELECT * FROM clients ORDER BY id").fetchall()
    counts = generate.generate(url, tickets=500, replace=True).counts
    assert counts["tickets"] == 500
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT * FROM clients ORDER BY id").fetchall() == clients_before
        # Sequences continue after the generated ids, so the portal can create tickets.
        new_id = _count(
            conn,
            "INSERT INTO tickets (client_id, ticket_type_id, title)"
            " VALUES (1, 1, 'x') RETURNING id",
        )
        assert new_id == 501
        # Indexes and foreign keys set aside during the load are back.
        indexes = _count(conn, "SELECT count(*) FROM pg_indexes WHERE tablename = 'tickets'")
        assert indexes >= 6
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            conn.execute("INSERT INTO ticket_messages (ticket_id, message_text) VALUES (0, 'x')")


@pytest.mark.parametrize(("tickets", "seed"), [(0, 1), (-5, 1), (10, -1), (10, 2**31)])
def test_rejects_bad_arguments(tickets: int, seed: int) -> None:
    with pytest.raises(generate.GenerateError):
        generate.check_arguments(tickets, seed)


@given(st.integers(min_value=1, max_value=50_000_000))
def test_month_slices_cover_every_id_once(tickets: int) -> None:
    slices = generate.month_slices(tickets)
    assert slices[0].first_id == 1
    assert slices[-1].last_id == tickets
    for before, after in itertools.pairwise(slices):
        assert after.first_id == before.last_id + 1
        assert after.month > before.month
