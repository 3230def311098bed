"""`support-analytics db ...`: schema, reference data, synthetic data, connection URL."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from support_analytics import maintenance
from support_analytics.cli.context import console, fail, open_database
from support_analytics.cli.progress import generation_progress
from support_analytics.config import get_settings
from support_analytics.db import backup as backups
from support_analytics.db import embedded, generate, reference
from support_analytics.db.engine import Database, database_url, libpq_url
from support_analytics.db.reference import Progress as ProgressCallback

app = typer.Typer(help="Database: migrate, load data, connection URL.", no_args_is_help=True)


def _rollups(database: Database, progress: ProgressCallback) -> None:
    """After a load: the analytics rollups rebuilt in the reporting zone, and vacuumed."""
    progress("rollups", 0, 1)
    maintenance.after_bulk_load(libpq_url(database.url), get_settings().reporting_timezone)
    progress("rollups", 1, 1)


@app.command()
def upgrade() -> None:
    """Apply every pending migration (creates the schema on an empty database)."""
    with open_database():
        console.print("database schema is up to date")


@app.command("load-reference")
def load_reference(
    random_seed: Annotated[
        int,
        typer.Option(
            min=0,
            max=reference.MAX_RANDOM_SEED,
            help="Same seed, same rows (0..2147483647); the default gives the reference counts.",
        ),
    ] = reference.DEFAULT_RANDOM_SEED,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Wipe clients, team members, ticket types, tickets, messages, feedback and "
            "payments (and form-submission tokens and activity of the old tickets) first. "
            "User accounts, their sessions and tokens are kept, linked to the same team "
            "members and clients.",
        ),
    ] = False,
    as_of: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="Shift every timestamp so the data ends on this date (counts unchanged); "
            "default: the seed's own 2025-12-01.",
        ),
    ] = None,
) -> None:
    """Load database/seed.sql (50 clients, 15 team members, 14 types, 42,900 tickets)."""
    anchor = as_of.date() if as_of else reference.SEED_AS_OF
    with open_database() as database:
        with generation_progress(console) as progress:
            counts = reference.load(
                libpq_url(database.url),
                random_seed=random_seed,
                replace=replace,
                as_of=anchor,
                progress=progress,
            )
            _rollups(database, progress)
        for table, count in counts.counts.items():
            console.print(f"{table:>16}: {count:>9,}")
        console.print(f"data ends on {anchor.isoformat()}")
        if counts.accounts_kept:
            console.print(f"user accounts kept: {counts.accounts_kept:,}")


@app.command("generate")
def generate_command(
    tickets: Annotated[
        int,
        typer.Option(min=1, help="How many tickets to generate (messages, feedback follow)."),
    ],
    random_seed: Annotated[
        int,
        typer.Option(
            min=0, max=reference.MAX_RANDOM_SEED, help="Same seed, same rows (0..2147483647)."
        ),
    ] = generate.DEFAULT_RANDOM_SEED,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Wipe tickets, messages, feedback and payments first."),
    ] = False,
) -> None:
    """Generate synthetic data of the reference shape: any number of tickets, same distributions
    as seed.sql, with the reference clients, team members and ticket types."""
    with open_database() as database, generation_progress(console) as progress:
        counts = generate.generate(
            libpq_url(database.url),
            tickets=tickets,
            random_seed=random_seed,
            replace=replace,
            progress=progress,
        )
        _rollups(database, progress)
    for table, count in counts.counts.items():
        console.print(f"{table:>16}: {count:>11,}")


@app.command()
def backup(
    file: Annotated[
        Path, typer.Argument(help="Where to write the backup (pg_dump custom format).")
    ],
) -> None:
    """Back up the whole database to FILE with pg_dump of the server's major version (the
    embedded server's own when embedded)."""
    with open_database(migrated=False) as database, generation_progress(console) as progress:
        try:
            tools = backups.backup(libpq_url(database.url), file, progress=progress)
        except backups.BackupError as exc:
            raise fail(str(exc)) from exc
    console.print(
        f"backed up to {file} ({file.stat().st_size:,} bytes, {tools.pg_dump})", soft_wrap=True
    )


@app.command()
def restore(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="A file `db backup` wrote.")
    ],
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Drop every schema of the database (public included: all tables, data, "
            "views, functions and extensions, user accounts too) before restoring; the list "
            "is printed first. Without it a non-empty database is refused.",
        ),
    ] = False,
) -> None:
    """Restore FILE into an empty database in one transaction with pg_restore of the server's
    major version; the request roles are created if the cluster lacks them."""
    with open_database(migrated=False) as database:
        url = libpq_url(database.url)
        if replace:
            for line in backups.describe_contents(url):
                console.print(f"dropping {line}")
        try:
            with generation_progress(console) as progress:
                tools = backups.restore(url, file, replace=replace, progress=progress)
        except backups.BackupError as exc:
            raise fail(str(exc)) from exc
    console.print(f"restored {file} ({tools.pg_restore})", soft_wrap=True)


@app.command()
def url() -> None:
    """Print a URL psql accepts (starts the embedded database and leaves it running)."""
    settings = get_settings()
    with database_url(settings, keep_running=True) as sa_url:
        console.print(libpq_url(sa_url), soft_wrap=True)


@app.command()
def stop() -> None:
    """Stop the embedded database if it is running."""
    settings = get_settings()
    if settings.database_url:
        console.print("DATABASE_URL is set: there is no embedded database to stop")
        return
    embedded.stop(settings.home)
    console.print("embedded database stopped")
