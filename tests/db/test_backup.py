"""`db backup` / `db restore`: a round trip of the reference database keeps every row, the
accounts, and a working request path (roles, grants, row-level security)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from support_analytics.config import Settings
from support_analytics.db import backup, embedded
from support_analytics.db.engine import connect, libpq_url
from support_analytics.web.app import create_app
from tests.conftest import PgServer
from tests.fixtures.auth import Persona, TestUser, create_personas, sign_in

TICKETS_CHECKSUM = "SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) FROM tickets t"


def _scalar(url: str, query: str) -> object:
    with psycopg.connect(url) as conn:
        row = conn.execute(query.encode()).fetchone()
    assert row is not None
    return row[0]


def _counts(url: str) -> dict[str, object]:
    with psycopg.connect(url) as conn:
        tables = [
            str(row[0])
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            ).fetchall()
        ]
    return {table: _scalar(url, f'SELECT count(*) FROM "{table}"') for table in tables}


@pytest.fixture
def source(fresh_database: str) -> Iterator[tuple[str, dict[Persona, TestUser]]]:
    """The reference database with an account of every role."""
    database = connect(fresh_database, pool_size=2)
    try:
        yield fresh_database, create_personas(database)
    finally:
        database.engine.dispose()


def test_round_trip_keeps_every_row_and_the_request_path(
    source: tuple[str, dict[Persona, TestUser]],
    empty_database: str,
    tmp_path: Path,
) -> None:
    source_url, personas = source
    file = tmp_path / "support.dump"
    steps: list[tuple[str, int, int]] = []

    backup.backup(libpq_url(source_url), file, progress=lambda *step: steps.append(step))
    backup.restore(libpq_url(empty_database), file, progress=lambda *step: steps.append(step))

    before, after = _counts(libpq_url(source_url)), _counts(libpq_url(empty_database))
    assert after == before
    assert int(str(after["tickets"])) == 42_900
    assert int(str(after["users"])) >= len(personas)
    assert _scalar(libpq_url(empty_database), TICKETS_CHECKSUM) == _scalar(
        libpq_url(source_url), TICKETS_CHECKSUM
    )
    assert {step for step, _, _ in steps} == {"dump", "restore"}
    assert all(done == total for step, done, total in steps[-1:])

    # The restored database serves requests through the authenticator and the request roles:
    # a client sees its own tickets only, the agent all of them.
    app = create_app(Settings(database_url=empty_database))
    with TestClient(app):
        client = sign_in(app, personas["client_a"])
        mine = client.get("/api/v1/tickets").json()
        agent = sign_in(app, personas["agent"]).get("/api/v1/tickets").json()
    client_id = personas["client_a"].client_id
    expected = _scalar(
        libpq_url(empty_database), f"SELECT count(*) FROM tickets WHERE client_id = {client_id}"
    )
    assert mine["total"] == expected
    assert agent["total"] == 42_900


def test_restore_refuses_a_database_with_content_unless_replace(
    fresh_database: str, pg_server: PgServer, tmp_path: Path
) -> None:
    file = tmp_path / "support.dump"
    url = libpq_url(fresh_database)
    backup.backup(url, file)
    with pg_server.scratch_database("sa_test") as target:
        with psycopg.connect(libpq_url(target), autocommit=True) as conn:
            conn.execute("CREATE TABLE keep_me (id int)")
            conn.execute("CREATE SCHEMA extra")
            conn.execute("CREATE TABLE extra.other (id int)")

        with pytest.raises(backup.BackupError, match=r"not empty.*--replace") as refused:
            backup.restore(libpq_url(target), file)
        assert "schema public: 1 tables" in str(refused.value)
        assert _scalar(libpq_url(target), "SELECT count(*) FROM keep_me") == 0

        backup.restore(libpq_url(target), file, replace=True)
        assert _counts(libpq_url(target)) == _counts(url)
        assert _scalar(libpq_url(target), "SELECT to_regclass('extra.other')") is None


def test_a_file_that_is_not_a_backup_is_refused_and_nothing_is_written(
    empty_database: str, tmp_path: Path
) -> None:
    file = tmp_path / "not-a-backup"
    file.write_text("hello")
    with pytest.raises(backup.BackupError, match="not a backup"):
        backup.restore(libpq_url(empty_database), file)
    assert backup.contents(libpq_url(empty_database)) == {"public": 0}


def test_tools_of_another_major_version_are_refused_by_name() -> None:
    with pytest.raises(backup.BackupError, match=r"PostgreSQL 9 .*postgresql-client-9"):
        backup.find_tools(9)


def test_restore_into_a_new_cluster_creates_the_request_roles(
    fresh_database: str, tmp_path: Path
) -> None:
    """A fresh cluster has none of the cluster-level roles the dump's grants and policies
    name; restore creates them, and a signed-in request works through the authenticator."""
    database = connect(fresh_database, pool_size=2)
    try:
        personas = create_personas(database)
    finally:
        database.engine.dispose()
    file = tmp_path / "support.dump"
    backup.backup(libpq_url(fresh_database), file)

    home = Path(tempfile.mkdtemp(prefix="sa-bk-", dir="/tmp"))
    try:
        server, _ = embedded.start(home)
        with psycopg.connect(libpq_url(server.url("postgres")), autocommit=True) as conn:
            conn.execute("CREATE DATABASE restored")
        target = server.url("restored")
        assert (
            _scalar(
                libpq_url(target),
                "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'support_analytics_%'",
            )
            == 0
        )

        backup.restore(libpq_url(target), file)

        app = create_app(Settings(database_url=target))
        with TestClient(app) as anonymous:
            assert anonymous.get("/healthz").status_code == 200
            agent = sign_in(app, personas["agent"])
            assert agent.get("/api/v1/tickets").json()["total"] == 42_900
            client = sign_in(app, personas["client_a"])
            own = client.get("/api/v1/tickets").json()["rows"]
            assert {row["client_id"] for row in own} <= {personas["client_a"].client_id}
            sessions = _scalar(
                libpq_url(target),
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE usename = 'support_analytics_authenticator'",
            )
            assert int(str(sessions)) >= 1
    finally:
        embedded.stop(home)
        shutil.rmtree(home, ignore_errors=True)
