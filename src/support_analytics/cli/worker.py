"""`worker`: runs background jobs (mail, schedules) until stopped."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from support_analytics.cli.context import console, open_database
from support_analytics.db.engine import libpq_url
from support_analytics.jobs import worker as job_worker

ConcurrencyOption = Annotated[
    int, typer.Option(min=1, max=32, help="Jobs run at once by this worker.")
]


def worker(concurrency: ConcurrencyOption = 2) -> None:
    """Run background jobs (mail, scheduled work) until Ctrl-C or SIGTERM. Any number of
    workers may run against one database; each scheduled slot runs once."""
    with open_database() as database:
        console.print(f"job worker running, {concurrency} at once (Ctrl-C to stop)")
        asyncio.run(job_worker.run(libpq_url(database.url), concurrency=concurrency))
