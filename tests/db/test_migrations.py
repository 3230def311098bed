"""Migrations: revision 0001 builds exactly what database/schema.sql builds, and every
migration can go down and up again to the same schema."""

from __future__ import annotations

import psycopg

from support_analytics.db import migrate, reference
from support_analytics.db.engine import libpq_url
from tests.conftest import PgServer
from tests.db.catalog import snapshot

UUID_OSSP = 'CREATE EXTENSION IF NOT EXISTS "uuid-ossp";'


def _apply_schema_sql(url: str) -> None:
    schema = reference.reference_sql("schema.sql")
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        available = conn.execute(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'uuid-ossp'"
        ).fetchone()
        if available is None:
            # The one statement the embedded server cannot run; nothing else is skipped.
            assert schema.count(UUID_OSSP) == 1
            schema = schema.replace(UUID_OSSP, "")
        conn.execute(schema.encode())


def test_revision_0001_equals_schema_sql(pg_server: PgServer, empty_database: str) -> None:
    _apply_schema_sql(empty_database)
    name = "sa_test_migrated_0001"
    pg_server.drop_database(name)
    migrated = pg_server.create_database(name)
    try:
        migrate.upgrade(migrated, "0001")
        expected, actual = snapshot(empty_database), snapshot(migrated)
    finally:
        pg_server.drop_database(name)
    assert len(expected["tables"]) == 7
    # Primary keys, the three UNIQUE columns, the eight CREATE INDEX of schema.sql.
    assert len(expected["indexes"]) == 7 + 3 + 8
    for part, rows in expected.items():
        assert actual[part] == rows, part


def test_migrations_go_down_and_up_again(migrated_database: str) -> None:
    before = snapshot(migrated_database)
    migrate.downgrade(migrated_database, "base")
    emptied = snapshot(migrated_database)
    for part in ("tables", "columns", "sequences", "triggers", "policies", "functions"):
        assert emptied[part] == [], part
    migrate.upgrade(migrated_database)
    assert snapshot(migrated_database) == before
