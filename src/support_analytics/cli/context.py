"""What every command needs: settings, a database URL (embedded started on demand), errors
turned into one readable line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from support_analytics.config import Settings, get_settings
from support_analytics.db import migrate
from support_analytics.db.engine import Database, connect, database_url

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


@contextmanager
def open_database(
    settings: Settings | None = None, *, keep_running: bool = False, migrated: bool = True
) -> Iterator[Database]:
    """A connected database for one command; upgrades the schema first unless told not to."""
    settings = settings or get_settings()
    with database_url(settings, keep_running=keep_running) as url:
        database = connect(url, pool_size=2)
        try:
            if migrated:
                migrate.upgrade(url)
            yield database
        finally:
            database.engine.dispose()
