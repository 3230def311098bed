from datetime import date, datetime

import psycopg
import pytest

from support_analytics import maintenance
from support_analytics.db import reference
from support_analytics.db.engine import libpq_url
from support_analytics.errors import AppError

SPEC_COUNTS = {"clients": 50, "team_members": 15, "ticket_types": 14, "tickets": 42_900}
# Measured on PostgreSQL 18 with setseed(0.42) (SPEC section 2); other majors draw differently.
SPEC_COUNTS_PG18 = {"ticket_messages": 115_867, "ticket_feedback": 19_911, "payments": 236}


def _server_major(url: str) -> int:
    with psycopg.connect(libpq_url(url)) as conn:
        row = conn.execute("SHOW server_version_num").fetchone()
        assert row is not None
        return int(row[0]) // 10000


def _dump(url: str) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    with psycopg.connect(libpq_url(url)) as conn:
        for table in reference.REFERENCE_TABLES:
            rows.extend(
                conn.execute(f"SELECT '{table}', t.* FROM {table} t ORDER BY id").fetchall()
            )
    return rows


def test_reference_counts_match_spec(fresh_database: str) -> None:
    with psycopg.connect(libpq_url(fresh_database)) as conn:
        counts = reference.table_counts(conn).counts
    for table, expected in SPEC_COUNTS.items():
        assert counts[table] == expected, table
    if _server_major(fresh_database) == 18:
        for table, expected in SPEC_COUNTS_PG18.items():
            assert counts[table] == expected, table


def test_the_defaults_spelled_out_give_identical_rows_and_keep_the_accounts(
    fresh_database: str,
) -> None:
    # The fresh database was loaded with the defaults; loading again (`replace`) with the seed
    # 42 and the seed's own date spelled out shows at once that a load is deterministic, that
    # the integer seed's default is 42 (setseed 0.42), that the default `as_of` is the seed's
    # own date, and that a replacing load keeps the accounts, their sessions and tokens (one
    # load of the reference data, ~15 s, instead of one per property).
    assert reference.DEFAULT_RANDOM_SEED == 42
    assert reference.setseed_value(42) == 0.42
    before = _dump(fresh_database)
    with psycopg.connect(libpq_url(fresh_database)) as conn:
        user_id = conn.execute(
            "INSERT INTO users (email, kind, role, team_member_id) "
            "VALUES ('keep@example.com', 'internal', 'agent', 4) RETURNING id"
        ).fetchone()
        assert user_id is not None
        conn.execute(
            "INSERT INTO sessions (user_id, token_hash, expires_at) "
            "VALUES (%s, sha256('s'), now() + interval '1 day')",
            user_id,
        )
        conn.execute(
            "INSERT INTO auth_tokens (user_id, purpose, token_hash, expires_at) "
            "VALUES (%s, 'invite', sha256('t'), now() + interval '1 day')",
            user_id,
        )
    reference.load(libpq_url(fresh_database), random_seed=42, replace=True, as_of=date(2025, 12, 1))
    assert _dump(fresh_database) == before
    assert _scalar(fresh_database, "SELECT team_member_id FROM users") == 4
    assert _scalar(fresh_database, "SELECT count(*) FROM sessions") == 1
    assert _scalar(fresh_database, "SELECT count(*) FROM auth_tokens") == 1
    # the links are still enforced
    with (
        psycopg.connect(libpq_url(fresh_database)) as conn,
        pytest.raises(psycopg.errors.ForeignKeyViolation),
    ):
        conn.execute("UPDATE users SET team_member_id = 999")


def test_other_seed_gives_other_rows(fresh_database: str) -> None:
    before = _dump(fresh_database)
    reference.load(libpq_url(fresh_database), random_seed=7, replace=True)
    assert _dump(fresh_database) != before


def test_refuses_non_empty_database_without_replace(fresh_database: str) -> None:
    with pytest.raises(reference.DatabaseNotEmpty, match="--replace"):
        reference.load(libpq_url(fresh_database))


@pytest.mark.parametrize("seed", [-1, 2**31])
def test_rejects_seed_out_of_range(seed: int) -> None:
    with pytest.raises(AppError, match="between 0 and 2147483647"):
        reference.check_seed(seed)


def _scalar(url: str, query: str) -> object:
    with psycopg.connect(libpq_url(url)) as conn:
        row = conn.execute(query).fetchone()
        assert row is not None
        return row[0]


def test_replace_refuses_when_an_account_would_lose_its_link(fresh_database: str) -> None:
    with psycopg.connect(libpq_url(fresh_database)) as conn:
        conn.execute(
            "INSERT INTO clients (id, client_name, email, status, plan_type) "
            "VALUES (900, 'Extra', 'x@example.com', 'active', 'starter')"
        )
        conn.execute(
            "INSERT INTO users (email, kind, role, client_id) "
            "VALUES ('extra@example.com', 'client', 'client', 900)"
        )
    before = _dump(fresh_database)
    with pytest.raises(AppError, match=r"extra@example\.com"):
        reference.load(libpq_url(fresh_database), replace=True)
    assert _dump(fresh_database) == before  # nothing written half-way


def test_setseed_mapping_is_injective_and_in_range() -> None:
    values = [reference.setseed_value(n) for n in [*range(0, 300), 2**31 - 1, 2**31 - 2]]
    assert len(set(values)) == len(values)
    assert all(-1.0 <= v <= 1.0 for v in values)


def test_as_of_shifts_every_timestamp_and_keeps_counts(fresh_database: str) -> None:
    url = libpq_url(fresh_database)
    with psycopg.connect(url) as conn:
        before = reference.table_counts(conn).counts
    latest = "SELECT max(created_at) FROM tickets"
    first_before = _scalar(fresh_database, latest)
    assert isinstance(first_before, datetime)
    counts = reference.load(url, replace=True, as_of=date(2026, 11, 29))
    assert counts.counts == before
    shift = date(2026, 11, 29) - date(2025, 12, 1)
    assert _scalar(fresh_database, latest) == first_before + shift
    # the loader leaves the rollups stale (views read the raw tables) for the caller's rebuild
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT fresh FROM analytics_rollup_state").fetchone() == (False,)
    maintenance.after_bulk_load(url, "UTC")
    # the rollups rebuilt on the shifted data: analytics equal plain SQL
    with psycopg.connect(url) as conn:
        cube = conn.execute(
            "SELECT bucket, sum(n) FROM analytics_cube WHERE basis = 'c' AND gmask = 0 "
            "AND grain = 'm' GROUP BY bucket ORDER BY bucket"
        ).fetchall()
        tz = conn.execute("SELECT timezone FROM analytics_rollup_state").fetchone()
        assert tz is not None
        raw = conn.execute(
            "SELECT date_trunc('month', created_at AT TIME ZONE %s)::date, count(*) "
            "FROM tickets GROUP BY 1 ORDER BY 1",
            (tz[0],),
        ).fetchall()
    assert cube == raw
    assert cube[-1][0] == date(2026, 11, 1)
