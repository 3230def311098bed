"""The request transaction: the only way a request reaches data.

One SQLAlchemy session, one transaction at a time, each one opened by storing the caller's
raw session token (`set_config(..., is_local => true)`) and switching to the request role
(`set_config('role', ..., true)`, i.e. `SET LOCAL ROLE`), in the same statement that resolves
the session. Both are transaction-local, so nothing survives into the connection pool. If
code inside the request commits and carries on, the `after_begin` hook applies the same role
and token to the next transaction, so there is no window running as the owner.

`owner_transaction` is the other door, for what must happen before an identity exists or
outside any request: checking a password and opening a session, redeeming invite tokens, the
CLI. It runs as the connecting owner, which bypasses row-level security; keep it in
`auth/service.py` and maintenance code, never behind user-supplied SQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Connection, event, text
from sqlalchemy.orm import Session, SessionTransaction

from support_analytics.db.engine import Database
from support_analytics.tenancy.claims import SESSION_TOKEN_SETTING, Principal, Role
from support_analytics.tenancy.roles import RequestRole


@dataclass(frozen=True)
class RequestScope:
    session: Session
    principal: Principal | None

    @property
    def role(self) -> RequestRole:
        return self.principal.request_role if self.principal else RequestRole.ANONYMOUS


# Claim the token, resolve the session and switch role in one round trip. The lateral
# reference to `c` makes PostgreSQL store the token before sa_resolve_session reads it, and
# `set_config('role', ..., true)` is `SET LOCAL ROLE` as an expression, so the role can
# follow from the row: a session that does not resolve leaves the request anonymous.
# JIT goes off for the transaction: where the server has it on (the default where PostgreSQL
# is built with LLVM) it compiles our rollup reads at 1M tickets for longer than they run.
# So do parallel workers: a request reads a few thousand rollup rows, and starting workers
# for that cost more than it saved (at 1M on 2 busy cores the responsiveness reads' p95
# was 1.5-2x that of serial plans); concurrent requests are the server's parallelism.
_OPEN = text(
    """
    SELECT r.user_id, r.email, r.kind, r.role, r.client_id, r.team_member_id, r.display_name,
           r.timezone,
           set_config('role', CASE r.kind WHEN 'internal' THEN :internal
                                          WHEN 'client' THEN :client
                                          ELSE :anonymous END, true) AS request_role
      FROM (SELECT set_config(:setting, :token, true) AS claimed,
                   set_config('jit', 'off', true) AS jit,
                   set_config('max_parallel_workers_per_gather', '0', true) AS serial) AS c
      LEFT JOIN LATERAL (
          SELECT * FROM sa_resolve_session(:ttl) WHERE c.claimed IS NOT NULL
      ) AS r ON true
    """
)
# The same claim for a later transaction of the same request (after a commit), and for the
# one snapshot of a read (`SNAPSHOT`), which it also makes read-only: READ ONLY goes in here,
# not as a connection setting, because SQLAlchemy resets that one to READ WRITE on check-in
# and a standby refuses every transaction that asks for it.
_RECLAIM = text(
    "SELECT set_config(:setting, :token, true), set_config('role', :role, true),"
    " set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true)"
)
_RECLAIM_READ_ONLY = text(
    "SELECT set_config(:setting, :token, true), set_config('role', :role, true),"
    " set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true),"
    " set_config('transaction_read_only', 'on', true)"
)
_ROLES = {
    "internal": RequestRole.INTERNAL.value,
    "client": RequestRole.CLIENT.value,
    "anonymous": RequestRole.ANONYMOUS.value,
}


def _reclaim(
    connection: Connection, token: str, role: RequestRole, *, read_only: bool = False
) -> None:
    connection.execute(
        _RECLAIM_READ_ONLY if read_only else _RECLAIM,
        {"setting": SESSION_TOKEN_SETTING, "token": token, "role": role.value},
    )


def open_scope(session: Session, token: str, ttl: timedelta) -> Principal | None:
    """Claim `token`, resolve it (sliding its expiry; the user's timezone comes with it) and
    switch to the request role it earns: one statement. Returns the principal, or None when
    the token resolves to nobody."""
    row = (
        session.execute(
            _OPEN, {"setting": SESSION_TOKEN_SETTING, "token": token, "ttl": ttl, **_ROLES}
        )
        .mappings()
        .one()
    )
    if row["user_id"] is None:
        return None
    return Principal(
        user_id=row["user_id"],
        email=row["email"],
        kind="internal" if row["kind"] == "internal" else "client",
        role=Role(row["role"]),
        client_id=row["client_id"],
        team_member_id=row["team_member_id"],
        display_name=row["display_name"] or row["email"],
        timezone=row["timezone"],
    )


# A read that answers with several statements (an exact percentile's bin counts, then the
# row at an offset inside the bin; a page of rows and its total) must see one state of the
# data: under READ COMMITTED a write committed between them gives answers that were never
# true. psycopg sends this as `BEGIN ISOLATION LEVEL REPEATABLE READ`: it lasts one
# transaction, so it holds behind a transaction-mode pooler, and SQLAlchemy puts the
# connection back to the server's default level when it returns to the pool.
SNAPSHOT: dict[str, object] = {"isolation_level": "REPEATABLE READ"}


@contextmanager
def request_transaction(
    database: Database, token: str | None, *, ttl: timedelta, snapshot: bool = False
) -> Iterator[RequestScope]:
    """Resolve the token, switch role, yield; commit on success, roll back on any error.

    `snapshot`: the caller only reads, in one REPEATABLE READ READ ONLY transaction (and
    read-only in any later one). The
    session resolves first in a transaction of its own, since resolving slides its expiry
    (a write, and under REPEATABLE READ two requests of one browser sliding the same row at
    once would fail to serialize)."""
    session = database.sessions()
    claimed = token or ""
    try:
        if claimed:
            principal = open_scope(session, claimed, ttl)
        else:
            principal = None
            _reclaim(session.connection(), claimed, RequestRole.ANONYMOUS)
        scope = RequestScope(session=session, principal=principal)

        read_only = False

        @event.listens_for(session, "after_begin")
        def _after_begin(_s: Session, _t: SessionTransaction, connection: Connection) -> None:
            _reclaim(connection, claimed, scope.role, read_only=read_only)

        if snapshot and principal is not None:
            session.commit()
            read_only = True
            session.connection(execution_options=SNAPSHOT)  # begins: _after_begin reclaims
        yield scope
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def owner_transaction(database: Database) -> Iterator[Session]:
    """A transaction as the connecting owner (bypasses RLS): authentication and maintenance."""
    session = database.sessions()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def unclaimed_transaction(database: Database) -> Iterator[Session]:
    """A read-only transaction as the internal request role with no session claimed: every
    policy asks for a resolved session, so it sees no row. For preparing statements at
    start-up (`analytics.responsiveness.warm_statements`); always rolled back."""
    session = database.sessions()
    try:
        _reclaim(session.connection(), "", RequestRole.INTERNAL, read_only=True)
        yield session
    finally:
        session.rollback()
        session.close()
