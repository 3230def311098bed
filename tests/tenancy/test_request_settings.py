"""Settings every request transaction runs with, whatever the server's defaults: JIT off,
no parallel workers; a read route's statements in one REPEATABLE READ READ ONLY snapshot
(the last test). A request reads a few thousand rollup rows: starting two parallel workers
for it costs more than it saves, and under load (a 2-core server busy with other requests)
made the 1M responsiveness reads' p95 1.5-2x slower.
On a server built with LLVM (Debian's PostgreSQL, most managed services) JIT is on by
default and compiles any plan above `jit_above_cost`: our rollup reads cross it at 1M
tickets and spend longer compiling than running (the PostgreSQL 15 test pass took twice as
long on the analytics suites with it). Transaction-local, so it holds behind PgBouncer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, text

from support_analytics.db.engine import Database, libpq_url
from support_analytics.tenancy.scope import owner_transaction, request_transaction
from tests.fixtures.auth import ApiClientFactory, Persona
from tests.tenancy.matrix import MatrixPersona, World

TTL = timedelta(hours=1)


@pytest.fixture
def jit_on_by_default(tenancy_database: Database, world: World) -> Iterator[None]:
    """The database's default as on a stock server (the embedded one turns JIT off)."""

    def default(value: str) -> None:
        with owner_transaction(tenancy_database) as session:
            name = session.execute(text("SELECT current_database()")).scalar_one()
            session.execute(text(f'ALTER DATABASE "{name}" {value}'))
        world.requests.engine.dispose()  # new connections take the database's default

    default("SET jit = on")
    try:
        yield
    finally:
        default("RESET jit")


@pytest.mark.usefixtures("jit_on_by_default")
@pytest.mark.parametrize("persona", ["admin", "client_a", None])
def test_a_request_transaction_runs_without_jit_or_parallel_workers(
    world: World, persona: MatrixPersona | None
) -> None:
    token = world.tokens[persona] if persona else None
    serial = text(
        "SELECT current_setting('jit'), current_setting('max_parallel_workers_per_gather')"
    )
    with request_transaction(world.requests, token, ttl=TTL) as scope:
        assert tuple(scope.session.execute(serial).one()) == ("off", "0")
        scope.session.commit()  # the next transaction of the same request too
        assert tuple(scope.session.execute(serial).one()) == ("off", "0")
    with request_transaction(world.requests, token, ttl=TTL, snapshot=True) as scope:
        # a read route's one snapshot (signed-in callers: the others read nothing)
        show = (
            "SELECT current_setting('transaction_isolation'),"
            " current_setting('transaction_read_only'), current_setting('jit'),"
            " current_setting('max_parallel_workers_per_gather')"
        )
        got = tuple(scope.session.execute(text(show)).one())
        assert got == (
            ("repeatable read", "on", "off", "0")
            if persona
            else ("read committed", "off", "off", "0")
        )
    with world.requests.engine.connect() as outside:  # the pool's connections keep the default
        assert tuple(outside.execute(serial).one()) == ("on", "2")


# Every first reply to a ticket created that day moves 30 s later: still inside the same
# one-minute FRT bin, so only the row read at the bin's offset tells the difference.
_DAY = {"date": "on:2025-03-14"}
_LATER_REPLIES = """
UPDATE ticket_messages m SET created_at = m.created_at + interval '30 seconds'
  FROM tickets t
 WHERE t.id = m.ticket_id AND NOT m.from_client
   AND t.created_at >= '2025-03-14' AND t.created_at < '2025-03-15'
"""


def _median(client: TestClient) -> object:
    response = client.get("/api/v1/analytics/responsiveness", params=_DAY)
    assert response.status_code == 200, response.text
    return response.json()["first_response"]["median_hours"]


def test_a_percentile_reads_its_bins_and_its_rows_in_one_snapshot(
    auth_app: FastAPI, api_client_factory: ApiClientFactory, fresh_database: str
) -> None:
    """An exact percentile is two statements: the bin counts from the rollups, then the row
    at an offset inside the bin from the facts. A write committed between them (forced here
    right before the second one) must not reach the second: under READ COMMITTED it did, and
    the median was a value that was never in the data the counts came from."""
    manager = api_client_factory("manager")
    assert _median(manager) == 0.5
    database: Database = auth_app.state.request_database
    wrote: list[str] = []

    def write_before_the_row_read(*args: object) -> None:
        statement = str(args[2])
        if not wrote and "frt_bin" in statement and "OFFSET" in statement:
            with psycopg.connect(libpq_url(fresh_database), autocommit=True) as other:
                other.execute(_LATER_REPLIES)
            wrote.append(statement)

    event.listen(database.engine, "before_cursor_execute", write_before_the_row_read)
    try:
        during = _median(manager)
    finally:
        event.remove(database.engine, "before_cursor_execute", write_before_the_row_read)
    assert wrote, "the percentile no longer reads rows by bin and offset: test the new way"
    assert during == 0.5
    assert _median(manager) == pytest.approx(0.5 + 30 / 3600)  # the write did move it
    with owner_transaction(database) as session:  # the pool's connections keep the default
        level = session.execute(text("SHOW transaction_isolation")).scalar_one()
        read_only = session.execute(text("SHOW transaction_read_only")).scalar_one()
    assert (level, read_only) == ("read committed", "off")


# (persona, path, reads in one snapshot): the read routes and the list pages; anything else as
# it was (here a GET outside them).
ROUTES: tuple[tuple[Persona, str, bool], ...] = (
    ("manager", "/api/v1/analytics/overview", True),
    ("manager", "/dashboard", True),
    ("manager", "/api/v1/tickets", True),
    ("manager", "/tickets", True),
    ("client_a", "/portal", True),
    ("client_a", "/portal/report", True),
    ("manager", "/api/v1/sla/policies", False),
)
_MODE = "SELECT current_setting('transaction_isolation'), current_setting('transaction_read_only')"


def _modes(database: Database, client: TestClient, path: str) -> set[tuple[str, str]]:
    """(isolation, read-only) of each statement `path` runs after the identity's and the
    role's, asked on its own connection just before it."""
    modes: set[tuple[str, str]] = set()

    def mode(_conn: object, cursor: psycopg.Cursor[object], statement: str, *_a: object) -> None:
        if "set_config(" not in statement:
            row = cursor.connection.execute(_MODE).fetchone()
            assert row is not None
            modes.add((str(row[0]), str(row[1])))

    event.listen(database.engine, "before_cursor_execute", mode)
    try:
        response = client.get(path)
    finally:
        event.remove(database.engine, "before_cursor_execute", mode)
    assert response.status_code == 200, (path, response.text[:300])
    return modes


def test_read_routes_and_list_pages_read_in_one_read_only_snapshot(
    auth_app: FastAPI, api_client_factory: ApiClientFactory
) -> None:
    database: Database = auth_app.state.request_database
    for persona, path, snapshot in ROUTES:
        expected = ("repeatable read", "on") if snapshot else ("read committed", "off")
        assert _modes(database, api_client_factory(persona), path) == {expected}, path
