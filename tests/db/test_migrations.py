"""Migrations: revision 0001 builds exactly what database/schema.sql builds, and every
migration can go down and up again to the same schema."""

from __future__ import annotations

import psycopg
from sqlalchemy import text

from support_analytics.alerts import webhooks
from support_analytics.auth import signing_keys
from support_analytics.db import migrate, reference
from support_analytics.db.engine import connect, libpq_url
from support_analytics.tenancy.scope import owner_transaction
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


def test_the_alert_key_moves_to_signing_keys_unchanged(migrated_database: str) -> None:
    """Migration 0024 moves the alert webhooks' key into `signing_keys` by copying it: a
    webhook secret handed out before the upgrade is the one the app derives after it (and
    after going down and up again)."""
    salt = b"0123456789abcdef"
    migrate.downgrade(migrated_database, "0021_client_response_facts")
    database = connect(migrated_database, pool_size=1)
    try:
        with owner_transaction(database) as session:
            before = bytes(session.execute(text("SELECT key FROM alert_signing_key")).scalar_one())
        migrate.upgrade(migrated_database)
        with owner_transaction(database) as session:
            assert signing_keys.key(session, "alert-webhook") == before
            assert session.execute(text("SELECT to_regclass('alert_signing_key')")).scalar() is None
        migrate.downgrade(migrated_database, "0021_client_response_facts")
        with owner_transaction(database) as session:
            again = session.execute(text("SELECT key FROM alert_signing_key")).scalar_one()
            left = session.execute(
                text("SELECT count(*) FROM signing_keys WHERE purpose = 'alert-webhook'")
            ).scalar_one()
        assert (bytes(again), left) == (before, 0)
        migrate.upgrade(migrated_database)
        with owner_transaction(database) as session:
            after = signing_keys.key(session, "alert-webhook")
    finally:
        database.engine.dispose()
    assert webhooks.derive_secret(after, salt) == webhooks.derive_secret(before, salt)
