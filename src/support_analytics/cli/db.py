"""`support-analytics db ...`: schema, reference data, synthetic data, connection URL."""

from __future__ import annotations

from typing import Annotated

import typer

from support_analytics.cli.context import console, open_database
from support_analytics.cli.progress import generation_progress
from support_analytics.config import get_settings
from support_analytics.db import embedded, generate, reference
from support_analytics.db.engine import database_url, libpq_url

app = typer.Typer(help="Database: migrate, load data, connection URL.", no_args_is_help=True)


@app.command()
def upgrade() -> None:
    """Apply every pending migration (creates the schema on an empty database)."""
    with open_database():
        console.print("database schema is up to date")


@app.command("load-reference")
def load_reference(
    random_seed: Annotated[
        float,
        typer.Option(help="Seed for PostgreSQL's random() (setseed, -1..1); same seed, same rows."),
    ] = reference.DEFAULT_RANDOM_SEED,
    replace: Annotated[
        bool, typer.Option("--replace", help="Wipe the reference tables first.")
    ] = False,
) -> None:
    """Load database/seed.sql (50 clients, 15 team members, 14 types, 42,900 tickets)."""
    reference.check_seed(random_seed)
    with open_database() as database:
        with console.status("running seed.sql (a few seconds)..."):
            counts = reference.load(
                libpq_url(database.url), random_seed=random_seed, replace=replace
            )
        for table, count in counts.counts.items():
            console.print(f"{table:>16}: {count:>9,}")


@app.command("generate")
def generate_command(
    tickets: Annotated[
        int,
        typer.Option(min=1, help="How many tickets to generate (messages, feedback follow)."),
    ],
    random_seed: Annotated[
        int,
        typer.Option(
            min=0, max=generate.MAX_RANDOM_SEED, help="Same seed, same rows (0..2147483647)."
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
    for table, count in counts.counts.items():
        console.print(f"{table:>16}: {count:>11,}")


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
