import psycopg
import pytest

from support_analytics.db import reference
from support_analytics.db.engine import libpq_url
from support_analytics.errors import AppError
from tests.conftest import PgServer

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


def test_same_seed_gives_identical_rows(fresh_database: str, pg_server: PgServer) -> None:
    before = _dump(fresh_database)
    reference.load(libpq_url(fresh_database), replace=True)
    assert _dump(fresh_database) == before


def test_other_seed_gives_other_rows(fresh_database: str) -> None:
    before = _dump(fresh_database)
    reference.load(libpq_url(fresh_database), random_seed=-0.3, replace=True)
    assert _dump(fresh_database) != before


def test_refuses_non_empty_database_without_replace(fresh_database: str) -> None:
    with pytest.raises(reference.DatabaseNotEmpty, match="--replace"):
        reference.load(libpq_url(fresh_database))


@pytest.mark.parametrize("seed", [1.5, -2.0])
def test_rejects_seed_out_of_range(seed: float) -> None:
    with pytest.raises(AppError, match="between -1 and 1"):
        reference.check_seed(seed)
