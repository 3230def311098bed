"""Request dependencies: the scoped database session and who is asking.

    @router.get("/api/v1/things")
    def things(db: DbSession, user: InternalUser) -> ...

`DbSession` is a SQLAlchemy session inside the request transaction (`tenancy.scope`): the
request role is set and the caller's token claimed, so PostgreSQL's policies decide what it
sees. It commits before the response is sent and rolls back on any error. The transaction
is opened only after the request gate (`tenancy.gate`) admits the request, and only for a
caller with a session cookie: anonymous requests never touch the database. `CurrentUser` and
the role aliases resolve the principal in that same transaction (FastAPI caches it per
request). Anonymous callers get 401 JSON under /api and a redirect to /login for pages;
the wrong kind of user gets 403.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Annotated
from zoneinfo import ZoneInfo

import anyio
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from support_analytics.app_settings import app_settings, session_ttl
from support_analytics.auth.preferences import user_zone
from support_analytics.auth.sessions import token_from
from support_analytics.db.engine import Database, is_unavailable
from support_analytics.errors import DatabaseUnavailable, Forbidden, Unauthenticated
from support_analytics.tenancy import replica
from support_analytics.tenancy.claims import INTERNAL_ROLES, Principal, Role
from support_analytics.tenancy.gate import RequestGate
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
    "display_zone",
]


def _database(request: Request) -> Database:
    # The authenticator pool, not the owner's: see tenancy/connection.py.
    database: Database = request.app.state.request_database
    return database


# What an anonymous caller's scope holds: a session bound to no database. Nothing reaches it
# (DbSession requires a signed-in caller), so a request without a session cookie never
# waits for, or takes, a connection.
_NO_DATABASE = Session()


@asynccontextmanager
async def open_request_scope(request: Request) -> AsyncIterator[RequestScope]:
    """The request transaction for the caller's session cookie (`tenancy.scope`), entered
    only after the request gate admits it (`tenancy.gate`); its blocking work runs on the
    gate's threads. Errors that mean "the database is away" leave as DatabaseUnavailable."""
    token = token_from(request)
    if token is None:
        request.state.principal = None
        yield RequestScope(session=_NO_DATABASE, principal=None)
        return
    standby = replica.standby_for(request)
    if standby is not None:
        # A read route with a standby configured (tenancy/replica.py): the session resolves
        # on the primary, the reading runs on the standby unless it is away or behind.
        principal = await replica.resolve_on_primary(request, token, session_ttl(request))
        if principal is not None:
            async with replica.read_scope(request, standby, token, principal) as read:
                if read is not None:
                    request.state.principal = principal
                    yield read
                    return
    gate: RequestGate = request.app.state.request_gate
    transaction = request_transaction(
        _database(request),
        token,
        ttl=session_ttl(request),
        snapshot=replica.reads_in_one_snapshot(request),
    )
    async with gate.admitted():
        try:
            scope = await gate.run(transaction.__enter__)
        except Exception as exc:
            if _unavailable(exc):
                raise DatabaseUnavailable("the database is not reachable right now") from exc
            raise
        request.state.principal = scope.principal
        try:
            yield scope
        except BaseException as exc:
            with anyio.CancelScope(shield=True):
                await gate.run(partial(transaction.__exit__, type(exc), exc, exc.__traceback__))
            if _unavailable(exc):
                raise DatabaseUnavailable("the database is not reachable right now") from exc
            raise
        with anyio.CancelScope(shield=True):
            await gate.run(partial(transaction.__exit__, None, None, None))


def _unavailable(exc: BaseException) -> bool:
    """A driver or pool error meaning "the database is away", not yet our 503."""
    return is_unavailable(exc) and not isinstance(exc, DatabaseUnavailable)


async def _request_scope(request: Request) -> AsyncIterator[RequestScope]:
    async with open_request_scope(request) as scope:
        yield scope


def display_zone(request: Request) -> ZoneInfo:
    """The zone the caller reads instants in: their own timezone (`auth.preferences`), else
    the reporting timezone. It costs no statement: the one that resolves the session returns
    it with the identity (`Principal.timezone`), so an error page after the rollback shows
    it too. Only instants move with it: what a day, week or month counts stays in the
    reporting timezone (`ReportingZone`), so every user sees the same numbers."""
    principal = getattr(request.state, "principal", None)
    own = principal.timezone if isinstance(principal, Principal) else None
    return user_zone(own, app_settings(request).reporting_timezone)


# scope="function": commit (or roll back) before the response is sent, so a failed commit
# is the caller's error instead of a 200 for work that was lost. The dependencies below are
# `async def` on purpose: they only look at the scope, and a sync one would cost a trip
# through the thread pool each.
Scope = Annotated[RequestScope, Depends(_request_scope, scope="function")]


async def _current_user(scope: Scope) -> Principal:
    # web/errors.py turns a 401 on a page into a redirect to /login?next=...
    if scope.principal is None:
        raise Unauthenticated("Sign in to continue.")
    return scope.principal


async def _db_session(scope: Scope) -> Session:
    # Every route that reads data is for a signed-in caller: anonymous scopes have no database.
    await _current_user(scope)
    return scope.session


async def _optional_user(scope: Scope) -> Principal | None:
    return scope.principal


DbSession = Annotated[Session, Depends(_db_session)]
OptionalUser = Annotated[Principal | None, Depends(_optional_user)]
CurrentUser = Annotated[Principal, Depends(_current_user)]


async def _internal_user(user: CurrentUser) -> Principal:
    if not user.is_internal:
        raise Forbidden("This page is for the support team.")
    return user


async def _staff_writer(user: CurrentUser) -> Principal:
    if user.role not in INTERNAL_ROLES:
        raise Forbidden("Only agents, managers and admins can do this.")
    return user


async def _admin_user(user: CurrentUser) -> Principal:
    if user.role is not Role.ADMIN:
        raise Forbidden("Only admins can do this.")
    return user


async def _client_user(user: CurrentUser) -> Principal:
    if not user.is_client:
        raise Forbidden("This page is for client users.")
    return user


InternalUser = Annotated[Principal, Depends(_internal_user)]
StaffWriter = Annotated[Principal, Depends(_staff_writer)]
AdminUser = Annotated[Principal, Depends(_admin_user)]
ClientUser = Annotated[Principal, Depends(_client_user)]
