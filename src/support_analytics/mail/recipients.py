"""How the worker reads data as a mail's recipient would: a short session for that user
(opened as the owner, like sign-in), the request transaction on the request login with the
recipient's own role and claims (`tenancy.scope.request_transaction`), then the session is
deleted. Row-level security therefore decides what a digest or a notification may say,
exactly as it decides what the recipient's own pages show; the alert evaluator reads as
each rule's owner the same way."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import procrastinate
from procrastinate import JobContext
from sqlalchemy import text

from support_analytics.auth import sessions
from support_analytics.auth.tokens import token_hash
from support_analytics.config import Settings
from support_analytics.db.engine import Database, connect, normalise_url
from support_analytics.tenancy.connection import connect_for_requests
from support_analytics.tenancy.scope import RequestScope, owner_transaction, request_transaction

# Long enough for the slowest digest; deleted as soon as the work is done.
SESSION_TTL = timedelta(minutes=10)
WORKER_AGENT = "support-analytics worker (mail)"

_pools: dict[str, tuple[Database, Database]] = {}
_pools_lock = threading.Lock()


def conninfo(context: JobContext) -> str:
    connector = context.app.connector
    if not isinstance(connector, procrastinate.PsycopgConnector):
        raise TypeError("mail jobs need the worker's psycopg connector")
    value = connector.pool.conninfo
    if not isinstance(value, str):
        raise TypeError("the worker's pool has no plain connection string")
    return value


def databases(context: JobContext, settings: Settings) -> tuple[Database, Database]:
    """(owner, requests) pools on the worker's own database, made once per process."""
    url = conninfo(context)
    with _pools_lock:
        found = _pools.get(url)
        if found is None:
            owner_url = normalise_url(url)
            found = (
                connect(owner_url, pool_size=2),
                connect_for_requests(
                    owner_url, explicit_url=settings.request_database_url, pool_size=2
                ),
            )
            _pools[url] = found
        return found


@contextmanager
def as_recipient(owner: Database, requests: Database, user_id: int) -> Iterator[RequestScope]:
    """A request transaction as `user_id` (scope.principal is None when the user cannot
    sign in any more, e.g. disabled since). It only reads, in one REPEATABLE READ READ ONLY
    snapshot like a read route (`tenancy.scope.SNAPSHOT`): a digest, an alert owner's rule
    values or a notification's ticket take several statements, and a write committed between
    them must not make them describe two moments. Whatever the work writes afterwards
    (firings, state, the outbox) goes through the owner's own transaction."""
    with owner_transaction(owner) as session:
        token = sessions.create(
            session, user_id=user_id, ttl=SESSION_TTL, user_agent=WORKER_AGENT, ip_address=None
        )
    try:
        with request_transaction(requests, token, ttl=SESSION_TTL, snapshot=True) as scope:
            if scope.principal is not None and scope.principal.user_id != user_id:
                raise AssertionError("the session resolved to another user")
            yield scope
    finally:
        with owner_transaction(owner) as session:
            # Deleted, not just revoked: the alert evaluator opens one a minute per rule
            # owner, and revoked rows would pile up in `sessions`.
            session.execute(
                text("DELETE FROM sessions WHERE token_hash = :hash"), {"hash": token_hash(token)}
            )
