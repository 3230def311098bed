"""What every command needs: settings, a database URL (embedded started on demand), errors
turned into one readable line."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from types import FrameType

import typer
from alembic.util import CommandError
from rich.console import Console

from support_analytics.config import Settings, get_settings
from support_analytics.db import migrate
from support_analytics.db.engine import Database, connect, database_url
from support_analytics.errors import AppError

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def _raise_exit(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def _as_sigterm(_signum: int, _frame: FrameType | None) -> None:
    os.kill(os.getpid(), signal.SIGTERM)


def exit_cleanly_on_termination() -> None:
    """Turn SIGTERM (and SIGHUP, a closed terminal) into SystemExit, so `finally` blocks run
    and the embedded database this command started is stopped. Python's default is to die on
    the spot. While serving, uvicorn handles SIGTERM itself and re-raises it after its graceful
    shutdown, which lands here; SIGHUP is passed on as SIGTERM so it takes the same path."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _raise_exit)
        signal.signal(signal.SIGHUP, _as_sigterm)


@contextmanager
def open_database(
    settings: Settings | None = None, *, keep_running: bool = False, migrated: bool = True
) -> Iterator[Database]:
    """A connected database for one command; upgrades the schema first unless told not to."""
    settings = settings or get_settings()
    exit_cleanly_on_termination()
    starting = "connecting to the database..."
    if not settings.database_url:
        starting = "starting the embedded PostgreSQL..."
        if not (settings.home / "pgdata" / "PG_VERSION").exists():
            console.print(f"creating the embedded PostgreSQL in {settings.home} (first run only)")
    with ExitStack() as stack:
        with console.status(starting):
            url = stack.enter_context(database_url(settings, keep_running=keep_running))
        database = connect(url, pool_size=2)
        try:
            if migrated:
                try:
                    with console.status("applying database migrations..."):
                        migrate.upgrade(url)
                except CommandError as exc:
                    # e.g. a database migrated by a newer or different version of the code
                    raise AppError(f"cannot upgrade the database schema: {exc}") from exc
            yield database
        finally:
            database.engine.dispose()
