"""Only the internal request role may read the rollups: they hold every client's numbers."""

from __future__ import annotations

import psycopg
import pytest

from support_analytics.db.engine import libpq_url

ROLLUPS = (
    "analytics_cube",
    "analytics_resolution",
    "analytics_hours_hist",
    "analytics_rollup_state",
)


def denied(conn: psycopg.Connection[tuple[object, ...]], role: str, statement: str) -> bool:
    try:
        with conn.transaction():
            conn.execute(f"SET LOCAL ROLE {role}".encode())
            conn.execute(statement.encode())
    except psycopg.errors.InsufficientPrivilege:
        return True
    return False


@pytest.mark.parametrize("role", ["support_analytics_client", "support_analytics_anonymous"])
def test_other_roles_cannot_read_or_write_rollups(fresh_database: str, role: str) -> None:
    with psycopg.connect(libpq_url(fresh_database), autocommit=True) as conn:
        for table in ROLLUPS:
            assert denied(conn, role, f"SELECT 1 FROM {table} LIMIT 1"), table
            assert denied(conn, role, f"DELETE FROM {table}"), table
        assert denied(conn, role, "SELECT analytics_rebuild('UTC')")


def test_internal_role_reads_but_cannot_write(fresh_database: str) -> None:
    internal = "support_analytics_internal"
    with psycopg.connect(libpq_url(fresh_database), autocommit=True) as conn:
        for table in ROLLUPS:
            assert not denied(conn, internal, f"SELECT 1 FROM {table} LIMIT 1"), table
            assert denied(conn, internal, f"DELETE FROM {table}"), table
        assert denied(conn, internal, "SELECT analytics_rebuild('UTC')")
