"""Where the database is (embedded or DATABASE_URL) and the engine that talks to it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import psycopg
from psycopg import _queries
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from support_analytics.config import Settings
from support_analytics.db import embedded
from support_analytics.errors import DatabaseUnavailable

_DRIVER = "postgresql+psycopg"
MIN_SERVER_VERSION = 150000


class DatabaseConfigError(DatabaseUnavailable):
    """DATABASE_URL is malformed or names something we cannot reach."""


def normalise_url(raw: str) -> str:
    """Accept the spellings hosting platforms hand out (postgres://, postgresql://) and pin
    the psycopg 3 driver; anything that is not a PostgreSQL URL is refused with a reason."""
    try:
        url = make_url(raw.strip())
    except ArgumentError as exc:
        raise DatabaseConfigError(f"DATABASE_URL is not a valid URL: {raw!r}") from exc
    if url.get_backend_name() not in {"postgres", "postgresql"}:
        raise DatabaseConfigError(
            f"DATABASE_URL must be a postgresql:// URL, got scheme {url.drivername!r}"
        )
    if not url.database:
        raise DatabaseConfigError("DATABASE_URL names no database (postgresql://user@host/DBNAME)")
    return url.set(drivername=_DRIVER).render_as_string(hide_password=False)


def libpq_url(url: str) -> str:
    """The same URL for psql and plain psycopg (no SQLAlchemy driver suffix)."""
    parsed = make_url(url)
    # A multi-host URL may repeat host= (and port=); SQLAlchemy joins them for its own
    # connections, but libpq keeps only the last, so join them here as libpq's `host=a,b`.
    query = {
        key: ",".join(value) if isinstance(value, tuple) and key in _LISTS else value
        for key, value in parsed.query.items()
    }
    return parsed.set(drivername="postgresql", query=query).render_as_string(hide_password=False)


_LISTS = frozenset({"host", "hostaddr", "port"})


def _ensure_embedded_database(server: embedded.EmbeddedServer) -> None:
    with psycopg.connect(libpq_url(server.url("postgres")), autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (embedded.DATABASE,)
        ).fetchone()
        if exists is None:
            conn.execute(f'CREATE DATABASE "{embedded.DATABASE}"')


@contextmanager
def database_url(settings: Settings, *, keep_running: bool = False) -> Iterator[str]:
    """Yield a SQLAlchemy URL. Embedded: start the server if needed and stop it on the way out
    when this command started it and is its last user (unless `keep_running`), so Ctrl-C and
    SIGTERM leave nothing behind."""
    if settings.database_url:
        yield normalise_url(settings.database_url)
        return
    with ExitStack() as stack:
        try:
            server = stack.enter_context(embedded.running(settings.home, keep_running=keep_running))
            _ensure_embedded_database(server)
        except (embedded.EmbeddedPostgresError, OSError, psycopg.Error) as exc:
            raise DatabaseUnavailable(f"embedded PostgreSQL: {exc}") from exc
        yield server.url()


# psycopg turns a statement's %(name)s placeholders into $n on every execution unless the text
# is at most 4,096 characters with at most 50 parameters (psycopg/_queries.py; the limits keep
# ORMs' one-off multi-row INSERTs out of its LRU cache of 128). The analytics statements kept
# per reader (analytics/response_rollups.py) are 5,600-31,000 characters with 30-100
# parameters and run on every request: converting them cost 0.6-1.1 ms each, 3-5 ms of a
# responsiveness request. psycopg reads both limits when it converts and has no setting for
# them, so the process raises them once; the cache stays psycopg's (<= 128 texts of <= 64 KiB).
_queries.MAX_CACHED_STATEMENT_LENGTH = 64 * 1024
_queries.MAX_CACHED_STATEMENT_PARAMS = 256


def make_engine(
    url: str, *, pool_size: int = 10, max_overflow: int | None = None, pool_timeout: float = 5.0
) -> Engine:
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size if max_overflow is None else max_overflow,
        # A backstop only: requests wait for a connection in the request gate
        # (tenancy/gate.py), never here; a wait that long means the database is in trouble.
        pool_timeout=pool_timeout,
        pool_pre_ping=True,
        # No server-side prepared statements (psycopg prepares a query run 5 times): behind
        # a transaction-mode pooler the next transaction may run on a server connection
        # where the name is missing or means another client's statement.
        connect_args={"connect_timeout": 10, "prepare_threshold": None},
    )
    event.listen(engine, "connect", _in_utc)
    event.listen(engine, "handle_error", _unavailable_instead)
    return engine


def _in_utc(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    # Each pooled connection reports times in UTC; display zones are applied in Python. Not
    # the `options` startup parameter: PgBouncer refuses that one. TimeZone is among the
    # parameters PgBouncer tracks per client and sets on every server connection it lends
    # it, so this one session-level SET holds behind a transaction-mode pooler too.
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SET TIME ZONE 'UTC'")
    finally:
        cursor.close()
    dbapi_connection.commit()


# SQLSTATE classes that say "the server is not there (or not accepting work)", not "your SQL
# is wrong": connection exceptions, insufficient resources, operator intervention (shutdown).
_UNAVAILABLE_CLASSES = ("08", "53", "57P")


def is_unavailable(exc: BaseException) -> bool:
    """True for errors that mean the database cannot be reached right now (retry later)."""
    if isinstance(exc, DatabaseUnavailable | PoolTimeout):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        exc = exc.orig if exc.orig is not None else exc
    if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
        state = exc.sqlstate
        return state is None or state.startswith(_UNAVAILABLE_CLASSES)
    return False


def _unavailable_instead(context: ExceptionContext) -> BaseException | None:
    # Raised in place of the driver error (SQLAlchemy still invalidates dead connections
    # first), so every caller - request, login, health check - answers 503 with Retry-After.
    # Not during pre-ping: there a dead pooled connection (the database restarted) is to be
    # replaced by a fresh one, which SQLAlchemy does only while it sees its own error.
    if context.is_pre_ping:
        return None
    if context.is_disconnect or is_unavailable(context.original_exception):
        return DatabaseUnavailable("the database is not reachable right now")
    return None


def check_connection(engine: Engine) -> int:
    """Connect once and return the server version number, or raise one clear error."""
    try:
        with engine.connect() as conn:
            version = int(conn.execute(text("SHOW server_version_num")).scalar_one())
    except Exception as exc:  # any driver failure becomes one readable line
        # _unavailable_instead replaced the driver error; its cause says what happened.
        cause = exc.__cause__ if isinstance(exc, DatabaseUnavailable) and exc.__cause__ else exc
        reason = (str(getattr(cause, "orig", cause)).strip().splitlines() or ["unknown"])[0]
        raise DatabaseConfigError(f"cannot connect to the database: {reason}") from exc
    if version < MIN_SERVER_VERSION:
        raise DatabaseConfigError(f"PostgreSQL >= 15 is required, the server is {version}")
    return version


def ping(database: Database) -> None:
    """One round trip on a pooled connection (the health check)."""
    with database.engine.connect() as conn:
        conn.execute(text("SELECT 1"))


@dataclass(frozen=True)
class Database:
    url: str
    engine: Engine
    sessions: sessionmaker[Session]


def connect(
    url: str, *, pool_size: int = 10, max_overflow: int | None = None, pool_timeout: float = 5.0
) -> Database:
    engine = make_engine(
        url, pool_size=pool_size, max_overflow=max_overflow, pool_timeout=pool_timeout
    )
    check_connection(engine)
    return Database(url=url, engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))
