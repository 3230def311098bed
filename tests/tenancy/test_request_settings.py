"""Settings every request transaction runs with, whatever the server's defaults: JIT off.
On a server built with LLVM (Debian's PostgreSQL, most managed services) JIT is on by
default and compiles any plan above `jit_above_cost`: our rollup reads cross it at 1M
tickets and spend longer compiling than running (the PostgreSQL 15 test pass took twice as
long on the analytics suites with it). Transaction-local, so it holds behind PgBouncer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import text

from support_analytics.db.engine import Database
from support_analytics.tenancy.scope import owner_transaction, request_transaction
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
def test_a_request_transaction_runs_without_jit(
    world: World, persona: MatrixPersona | None
) -> None:
    token = world.tokens[persona] if persona else None
    with request_transaction(world.requests, token, ttl=TTL) as scope:
        assert scope.session.execute(text("SHOW jit")).scalar_one() == "off"
        scope.session.commit()  # the next transaction of the same request too
        assert scope.session.execute(text("SHOW jit")).scalar_one() == "off"
    with request_transaction(world.requests, token, ttl=TTL):
        pass
    with world.requests.engine.connect() as outside:  # the pool's connections keep the default
        assert outside.execute(text("SHOW jit")).scalar_one() == "on"
