"""The three module-scoped fixtures of a test module that checks numbers against the oracle on
its own edge-case database: `database` (the reference data, the shared edge cases and the
module's extra SQL), `session` (SQLAlchemy as the owner, in UTC) and `conn` (the oracle's
connection). A module binds them with `database, session, conn = edge_fixtures(MORE_EDGES)`;
pytest finds them under those names and scopes them to that module."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from support_analytics.db.engine import libpq_url
from tests.analytics import oracle
from tests.analytics.conftest import edge_case_database, generated_edge_case_database
from tests.analytics.oracle import Conn
from tests.conftest import PgServer


# Typed as `object`: only pytest uses them (pytest's own fixture type is not public).
def edge_fixtures(more_edges: str, *, generated: int = 0) -> tuple[object, object, object]:
    """`database`, `session` and `conn` fixtures over a copy of the reference database (or,
    with `generated`, a database of that many generated tickets) with the shared edge cases
    and then `more_edges` (plain SQL as the owner) applied."""

    def _database(url: str) -> Iterator[str]:
        with psycopg.connect(libpq_url(url), autocommit=True) as conn:
            conn.execute(more_edges.encode())
        yield url

    if generated:

        @pytest.fixture(scope="module")
        def database(pg_server: PgServer) -> Iterator[str]:
            with generated_edge_case_database(pg_server, generated) as url:
                yield from _database(url)

    else:

        @pytest.fixture(scope="module")
        def database(pg_server: PgServer, template_database: str) -> Iterator[str]:
            with edge_case_database(pg_server, template_database) as url:
                yield from _database(url)

    @pytest.fixture(scope="module")
    def session(database: str) -> Iterator[Session]:
        engine = create_engine(database, connect_args={"options": "-c timezone=UTC"})
        with Session(engine) as session:
            yield session
        engine.dispose()

    @pytest.fixture(scope="module")
    def conn(database: str) -> Iterator[Conn]:
        with oracle.connect(database) as conn:
            yield conn

    return database, session, conn
