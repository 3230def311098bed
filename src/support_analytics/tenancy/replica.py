"""Reads on a streaming-replication standby (SUPPORT_ANALYTICS_DATABASE_READ_URL).

Which requests: GET requests of the analytics API, the dashboard pages and the ticket list
(`is_read_route`). Everything else - writes, sign-in, `/me`, ticket pages, LISTEN - stays on
the primary.

How one of them runs:

1. The session is resolved on the primary, in a short request transaction of its own under
   the primary's gate: resolving slides the session's expiry, a write a standby cannot take.
2. On the standby, under the standby's own gate (one slot per connection of the standby
   pool, as on the primary), a transaction claims the same token and switches to the role the
   primary resolved (`SET LOCAL`, as `tenancy.scope` does). Row-level security then decides
   what it sees from the replicated `sessions` and `users` rows, exactly as on the primary.
   If the standby does not know the session yet (a sign-in it has not replayed), the request
   is read on the primary instead.
3. The standby is used only while it answers and its replay lag is at most
   SUPPORT_ANALYTICS_READ_MAX_LAG_SECONDS, checked at most once a second per process;
   otherwise the request reads on the primary. Either way `request.state.read_source` says
   where it read and why, for the freshness line and the `X-Read-Source` header.

The two gates never nest: the primary slot is released before a standby slot is taken, so a
request holds one connection at a time and neither pool can starve the other.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from fastapi import Request
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from starlette.routing import BaseRoute

from support_analytics.db.engine import Database, is_unavailable, make_engine, normalise_url
from support_analytics.errors import DatabaseUnavailable
from support_analytics.tenancy.claims import SESSION_TOKEN_SETTING, Principal
from support_analytics.tenancy.gate import RequestGate
from support_analytics.tenancy.scope import SNAPSHOT, RequestScope, request_transaction

HEADER = "X-Read-Source"
RECHECK_SECONDS = 1.0
READ_PREFIXES = ("/api/v1/analytics/", "/dashboard")
READ_PATHS = frozenset({"/api/v1/tickets"})

# Replay lag: 0 while everything received is replayed (an idle primary sends nothing, and
# the last replayed commit's age would grow without anything being behind).
_LAG = text(
    """
    SELECT pg_is_in_recovery() AS in_recovery,
           CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())
           END AS lag
    """
)
_CLAIM = text("SELECT set_config(:setting, :token, true), set_config('role', :role, true)")
_WHO = text("SELECT sa_session_user_id()")


@dataclass(frozen=True)
class ReadSource:
    """Where a read request read, and why not on the standby when it did not."""

    standby: bool
    lag_seconds: float | None
    reason: str = ""

    @property
    def note(self) -> str:
        """The freshness line's addition."""
        if self.standby:
            return f"read from a standby {self.lag_seconds or 0:.1f} s behind the primary"
        return f"read from the primary: {self.reason}"

    @property
    def header(self) -> str:
        if self.standby:
            return f"standby; lag={self.lag_seconds or 0:.3f}"
        return f"primary; reason={self.reason}"


class Standby:
    def __init__(self, database: Database, gate: RequestGate, *, max_lag_seconds: float) -> None:
        self.database = database
        self.gate = gate
        self.max_lag_seconds = max_lag_seconds
        self._lock = threading.Lock()
        self._checked_at = -math.inf
        self._source = ReadSource(standby=False, lag_seconds=None, reason="not checked yet")

    def source(self) -> ReadSource:
        """The standby's state, measured at most once per RECHECK_SECONDS (blocking)."""
        with self._lock:
            if time.monotonic() - self._checked_at < RECHECK_SECONDS:
                return self._source
            self._source = self._measure()
            self._checked_at = time.monotonic()
            return self._source

    def _measure(self) -> ReadSource:
        try:
            with self.database.engine.connect() as conn:
                row = conn.execute(_LAG).one()
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            return ReadSource(standby=False, lag_seconds=None, reason="the standby is unreachable")
        if not row.in_recovery:
            return ReadSource(False, None, "the read database is not a standby")
        if row.lag is None:
            return ReadSource(False, None, "the standby has not replayed anything yet")
        lag = max(float(row.lag), 0.0)
        if lag > self.max_lag_seconds:
            return ReadSource(
                False,
                lag,
                f"the standby is {lag:.1f} s behind (limit {self.max_lag_seconds:g} s)",
            )
        return ReadSource(True, lag)

    def dispose(self) -> None:
        self.database.engine.dispose()


def connect_standby(
    read_url: str, *, pool_size: int, pool_timeout: float, wait_seconds: float, max_lag: float
) -> Standby:
    """The standby's request pool (the URL names the authenticator's login on it) and its own
    gate of the same size. Nothing connects yet: a standby that is down when the app starts
    only means reads go to the primary until it is back."""
    url = normalise_url(read_url)
    engine = make_engine(url, pool_size=pool_size, max_overflow=0, pool_timeout=pool_timeout)
    database = Database(
        url=url, engine=engine, sessions=sessionmaker(engine, expire_on_commit=False)
    )
    return Standby(
        database, RequestGate(pool_size, wait_seconds=wait_seconds), max_lag_seconds=max_lag
    )


# Read-only pages that answer with a list and its total like the ticket list, but stay on
# the primary (a standby serves the API's list only): they read in one snapshot too.
SNAPSHOT_PATHS = frozenset({"/tickets", "/portal", "/portal/report"})


def _route_path(request: Request) -> str | None:
    if request.method not in {"GET", "HEAD"}:
        return None
    route = request.scope.get("route")
    path = route.path if isinstance(route, BaseRoute) and hasattr(route, "path") else None
    return path if isinstance(path, str) else None


def is_read_route(request: Request) -> bool:
    path = _route_path(request)
    return path is not None and (path in READ_PATHS or path.startswith(READ_PREFIXES))


def reads_in_one_snapshot(request: Request) -> bool:
    """The requests whose statements must agree (tenancy.scope's `snapshot`): the read
    routes and the list pages of SNAPSHOT_PATHS."""
    return is_read_route(request) or _route_path(request) in SNAPSHOT_PATHS


def standby_for(request: Request) -> Standby | None:
    standby: Standby | None = getattr(request.app.state, "standby", None)
    return standby if standby is not None and is_read_route(request) else None


async def resolve_on_primary(request: Request, token: str, ttl: timedelta) -> Principal | None:
    """Step 1: resolve (and slide) the session in a short primary transaction."""
    gate: RequestGate = request.app.state.request_gate
    transaction = request_transaction(request.app.state.request_database, token, ttl=ttl)
    async with gate.admitted():
        try:
            scope = await gate.run(transaction.__enter__)
            await gate.run(partial(transaction.__exit__, None, None, None))
        except Exception as exc:
            if is_unavailable(exc) and not isinstance(exc, DatabaseUnavailable):
                raise DatabaseUnavailable("the database is not reachable right now") from exc
            raise
    return scope.principal


def _claim(session: Session, token: str, principal: Principal) -> bool:
    session.execute(
        _CLAIM,
        {"setting": SESSION_TOKEN_SETTING, "token": token, "role": principal.request_role.value},
    )
    return session.execute(_WHO).scalar_one_or_none() == principal.user_id


@asynccontextmanager
async def read_scope(
    request: Request, standby: Standby, token: str, principal: Principal
) -> AsyncIterator[RequestScope | None]:
    """Step 2: the request transaction on the standby, or None when the request must read on
    the primary (standby away, too far behind, or without this session yet)."""
    async with standby.gate.admitted():
        source = await standby.gate.run(standby.source)
        request.state.read_source = source
        if not source.standby:
            yield None
            return
        session = standby.database.sessions()
        try:
            try:
                # One snapshot for the request's statements, as on the primary (scope.py).
                session.connection(execution_options=SNAPSHOT)
                known = await standby.gate.run(partial(_claim, session, token, principal))
                why = "the standby has not replayed this session yet"
            except Exception as exc:
                if not is_unavailable(exc):
                    raise
                known, why = False, "the standby is unreachable"
            if not known:
                request.state.read_source = ReadSource(False, source.lag_seconds, why)
                yield None
                return
            yield RequestScope(session=session, principal=principal)
        finally:
            # Nothing to keep (it only read); closing rolls back and returns the connection.
            await standby.gate.run(session.close)
