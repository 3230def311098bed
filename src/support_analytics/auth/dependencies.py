"""Request dependencies: the scoped database session and who is asking.

    @router.get("/api/v1/things")
    def things(db: DbSession, user: InternalUser) -> ...

`DbSession` is a SQLAlchemy session inside the request transaction (`tenancy.scope`): the
request role is set and the caller's token claimed, so PostgreSQL's policies decide what it
sees. It commits before the response is sent and rolls back on any error. `CurrentUser` and
the role aliases resolve the principal in that same transaction (FastAPI caches it per
request). Anonymous callers get 401 JSON under /api and a redirect to /login for pages;
the wrong kind of user gets 403.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from support_analytics.auth.sessions import token_from
from support_analytics.config import Settings
from support_analytics.db.engine import Database
from support_analytics.errors import Forbidden, Unauthenticated
from support_analytics.tenancy.claims import INTERNAL_ROLES, Principal, Role
from support_analytics.tenancy.scope import RequestScope, request_transaction

__all__ = [
    "AdminUser",
    "ClientUser",
    "CurrentUser",
    "DbSession",
    "InternalUser",
    "OptionalUser",
    "Principal",
    "Scope",
    "StaffWriter",
]


def _database(request: Request) -> Database:
    # The authenticator pool, not the owner's: see tenancy/connection.py.
    database: Database = request.app.state.request_database
    return database


def _ttl(request: Request) -> timedelta:
    settings: Settings = request.app.state.settings
    return timedelta(hours=settings.session_ttl_hours)


def _request_scope(request: Request) -> Iterator[RequestScope]:
    with request_transaction(_database(request), token_from(request), ttl=_ttl(request)) as scope:
        request.state.principal = scope.principal
        yield scope


# scope="function": commit (or roll back) before the response is sent, so a failed commit
# is the caller's error instead of a 200 for work that was lost.
Scope = Annotated[RequestScope, Depends(_request_scope, scope="function")]


def _db_session(scope: Scope) -> Session:
    return scope.session


def _optional_user(scope: Scope) -> Principal | None:
    return scope.principal


def _current_user(scope: Scope) -> Principal:
    # web/errors.py turns a 401 on a page into a redirect to /login?next=...
    if scope.principal is None:
        raise Unauthenticated("Sign in to continue.")
    return scope.principal


DbSession = Annotated[Session, Depends(_db_session)]
OptionalUser = Annotated[Principal | None, Depends(_optional_user)]
CurrentUser = Annotated[Principal, Depends(_current_user)]


def _internal_user(user: CurrentUser) -> Principal:
    if not user.is_internal:
        raise Forbidden("This page is for the support team.")
    return user


def _staff_writer(user: CurrentUser) -> Principal:
    if user.role not in INTERNAL_ROLES:
        raise Forbidden("Only agents, managers and admins can do this.")
    return user


def _admin_user(user: CurrentUser) -> Principal:
    if user.role is not Role.ADMIN:
        raise Forbidden("Only admins can do this.")
    return user


def _client_user(user: CurrentUser) -> Principal:
    if not user.is_client:
        raise Forbidden("This page is for client users.")
    return user


InternalUser = Annotated[Principal, Depends(_internal_user)]
StaffWriter = Annotated[Principal, Depends(_staff_writer)]
AdminUser = Annotated[Principal, Depends(_admin_user)]
ClientUser = Annotated[Principal, Depends(_client_user)]
