"""The request transaction: the only way a request reaches data.

One SQLAlchemy session, one transaction at a time, each one opened by storing the caller's
raw session token (`set_config(..., is_local => true)`) and switching to the request role
with `SET LOCAL ROLE`. Both are transaction-local, so nothing survives into the connection
pool. If code inside the request commits and carries on, the `after_begin` hook applies the
same role and token to the next transaction, so there is no window running as the owner.

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


def _claim(connection: Connection, token: str, role: RequestRole) -> None:
    connection.execute(
        text("SELECT set_config(:name, :token, true)"),
        {"name": SESSION_TOKEN_SETTING, "token": token},
    )
    # The role comes from our enum, never from input: identifiers cannot be bound.
    connection.execute(text(f"SET LOCAL ROLE {RequestRole(role).value}"))


def resolve_principal(session: Session, ttl: timedelta) -> Principal | None:
    """Look the stored token up (and slide its expiry). Runs before the role switch."""
    row = (
        session.execute(text("SELECT * FROM sa_resolve_session(:ttl)"), {"ttl": ttl})
        .mappings()
        .first()
    )
    if row is None:
        return None
    return Principal(
        user_id=row["user_id"],
        email=row["email"],
        kind="internal" if row["kind"] == "internal" else "client",
        role=Role(row["role"]),
        client_id=row["client_id"],
        team_member_id=row["team_member_id"],
        display_name=row["display_name"] or row["email"],
    )


@contextmanager
def request_transaction(
    database: Database, token: str | None, *, ttl: timedelta
) -> Iterator[RequestScope]:
    """Resolve the token, switch role, yield; commit on success, roll back on any error."""
    session = database.sessions()
    claimed = token or ""
    try:
        session.execute(
            text("SELECT set_config(:name, :token, true)"),
            {"name": SESSION_TOKEN_SETTING, "token": claimed},
        )
        principal = resolve_principal(session, ttl) if claimed else None
        scope = RequestScope(session=session, principal=principal)
        _claim(session.connection(), claimed, scope.role)

        @event.listens_for(session, "after_begin")
        def _reclaim(_s: Session, _t: SessionTransaction, connection: Connection) -> None:
            _claim(connection, claimed, scope.role)

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
