"""`support-analytics bench`: the performance benchmark of SPEC section 8."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.progress import Progress
from rich.table import Table

from support_analytics.analytics import bench as benchmark
from support_analytics.analytics import rollups
from support_analytics.analytics.baseline import PRODUCT
from support_analytics.cli.context import console, open_database
from support_analytics.config import get_settings


def bench(
    rounds: Annotated[
        int, typer.Option(min=1, help="Random filter bars; each endpoint answers every one.")
    ] = 50,
    json_file: Annotated[
        Path | None,
        typer.Option(
            "--json",
            help="Also write {endpoint: {p50_ms, p95_ms, baseline_p50_ms, speedup}} here.",
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the random filter bars.")] = 42,
    baseline: Annotated[
        bool,
        typer.Option(
            help="Also answer every bar with plain SQL. --no-baseline: the product only (on "
            "data larger than memory the baseline's scans evict the rollups between calls)."
        ),
    ] = True,
) -> None:
    """p50/p95 per analytics endpoint over random filter bars, beside plain SQL over the raw
    tables for the same bars (the baseline) and the speed-up, on the configured database."""
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
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("measuring", total=rounds * len(PRODUCT))
            results = benchmark.run(
                session,
                tz,
                rounds=rounds,
                seed=seed,
                baseline=baseline,
                progress=lambda done, _total: progress.update(task, completed=done),
            )
    table = Table(title=f"{rounds} random filter bars, server side (ms)")
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


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"
