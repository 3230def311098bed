"""`support-analytics bench`: p50/p95 per analytics endpoint, end to end over HTTP as a
signed-in internal user (or server side with --direct), beside plain SQL for the same bars."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.progress import Progress
from rich.table import Table

from support_analytics.analytics import bench as benchmark
from support_analytics.analytics import rollups
from support_analytics.analytics.baseline import READERS
from support_analytics.auth.temporary import Credentials, temporary_internal_user
from support_analytics.cli.bench_server import Client, local_server
from support_analytics.cli.context import console, fail, open_database
from support_analytics.config import get_settings
from support_analytics.db.engine import Database

# Requests that read no analytics: the floor every signed-in request stands on.
PROBES = {"me": "/api/v1/me", "healthz": "/healthz"}


def bench(
    *,
    rounds: Annotated[
        int, typer.Option(min=1, help="Random filter bars; each endpoint answers every one.")
    ] = 50,
    json_file: Annotated[
        Path | None,
        typer.Option(
            "--json",
            help="Also write {endpoint: {p50_ms, p95_ms, baseline_p50_ms, baseline_p95_ms, "
            "speedup}} here.",
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the random filter bars.")] = 42,
    warm_up: Annotated[
        int,
        typer.Option(
            min=0,
            help="Unmeasured bars first (other bars than the measured ones): the pages a "
            "running deployment keeps in memory are read once before timing.",
        ),
    ] = 3,
    baseline: Annotated[
        bool,
        typer.Option(
            help="Also answer every bar with plain SQL. --no-baseline: the product only (on "
            "data larger than memory the baseline's scans evict the rollups between calls)."
        ),
    ] = True,
    http: Annotated[
        bool,
        typer.Option(
            "--http/--direct",
            help="--http: start the web app on a free loopback port and time each endpoint's "
            "HTTP request as a signed-in internal user (session lookup, row-level security), "
            "plus GET /api/v1/me and /healthz. --direct: call the analytics functions in one "
            "owner transaction each (no HTTP, no RLS).",
        ),
    ] = True,
    email: Annotated[
        str | None,
        typer.Option(
            help="With --http: sign in as this internal user. Default: a temporary manager "
            "account, created for the run and deleted afterwards."
        ),
    ] = None,
    password: Annotated[
        str | None, typer.Option(help="The --email user's password; prompted when omitted.")
    ] = None,
    endpoint: Annotated[
        list[str] | None,
        typer.Option(
            help="Measure only this endpoint (repeatable), as the results name it, e.g. "
            "`responsiveness` or `sla/breakdown?by=client`. Default: every endpoint."
        ),
    ] = None,
) -> None:
    """p50/p95 per analytics endpoint over random filter bars, end to end over HTTP, beside
    plain SQL over the raw tables for the same bars (the baseline) and the speed-up, on the
    configured database."""
    if email is not None and not http:
        raise fail("--email signs in over HTTP: drop --direct", code=2)
    unknown = sorted(set(endpoint or ()) - set(READERS))
    if unknown:
        known = ", ".join(READERS)
        raise fail(f"--endpoint: unknown {', '.join(unknown)}; known: {known}", code=2)
    if email is not None and password is None:
        password = typer.prompt(f"password for {email}", hide_input=True)
    settings = get_settings()
    tz = ZoneInfo(settings.reporting_timezone)
    with open_database() as database, database.sessions() as session:
        tickets = benchmark.count_tickets(session)
        fresh = rollups.usable(session, tz)
        session.rollback()
        console.print(
            f"{tickets:,} tickets, reporting zone {tz.key}, rollups "
            + ("fresh" if fresh else "NOT usable (stale or another zone): raw tables answer")
        )
        console.print(f"load average at start: {_load()}")
        with ExitStack() as stack:
            client = None
            if http:
                given = None if email is None else Credentials(email, password or "")
                client = stack.enter_context(_signed_in(database, given))
            probes = PROBES if client is not None else {}
            with Progress(console=console, transient=True) as progress:
                measured = len(set(endpoint)) if endpoint else len(READERS)
                task = progress.add_task(
                    "measuring", total=(warm_up + rounds) * (measured + len(probes))
                )
                results = benchmark.run(
                    session,
                    tz,
                    rounds=rounds,
                    seed=seed,
                    warm_up=warm_up,
                    baseline=baseline,
                    progress=lambda done, _total: progress.update(task, completed=done),
                    http=None if client is None else client.get,
                    probes=probes,
                    endpoints=endpoint or None,
                )
        console.print(f"load average at end: {_load()}")
    how = "end to end over HTTP, signed in" if http else "server side, no HTTP"
    table = Table(title=f"{rounds} random filter bars, {how} (ms)")
    for column in ("endpoint", "p50", "p95", "plain SQL p50", "plain SQL p95", "speed-up"):
        table.add_column(column, justify="left" if column == "endpoint" else "right")
    for name, r in results.items():
        table.add_row(
            name,
            f"{r.p50_ms:.1f}",
            f"{r.p95_ms:.1f}",
            _ms(r.baseline_p50_ms),
            _ms(r.baseline_p95_ms),
            "-" if r.speedup is None else f"{r.speedup:.1f}x",
        )
    console.print(table)
    if json_file is not None:
        json_file.write_text(
            json.dumps({name: r.model_dump() for name, r in results.items()}, indent=2) + "\n",
            encoding="utf-8",
        )
        console.print(f"wrote {json_file}")


@contextmanager
def _signed_in(database: Database, given: Credentials | None) -> Iterator[Client]:
    """The app on a loopback port and a client signed in to it, as `given` or as a
    temporary user; everything started here is stopped and removed on the way out."""
    with ExitStack() as stack:
        credentials = given or stack.enter_context(temporary_internal_user(database))
        with console.status("starting the web app on a loopback port..."):
            port = stack.enter_context(local_server(database.url))
        client = Client(port)
        stack.callback(client.close)
        client.sign_in(credentials.email, credentials.password)
        console.print(f"serving on 127.0.0.1:{port}, signed in as {credentials.email}")
        yield client


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"
