"""A rich progress display for `db generate` and `db load-reference` (and so `demo`): one bar
per phase, rows per second, ETA."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from support_analytics.db.reference import Progress as ProgressCallback

_LABELS = {
    "seed": "reference data (seed.sql)",
    "shift": "timestamps moved to --as-of",
    "tickets": "tickets, messages, feedback",
    "indexes": "indexes and foreign keys",
    "activity": "activity log",
    "rollups": "analytics rollups",
    "analyze": "vacuum and analyze",
    "dump": "tables dumped",
    "restore": "archive entries restored",
}


class RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = (task.finished_speed or task.speed) if task.fields.get("rate") else None
        return Text(f"{speed:>9,.0f}/s" if speed else " " * 11, style="progress.data.speed")


@contextmanager
def generation_progress(console: Console) -> Iterator[ProgressCallback]:
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description:<28}"),
        BarColumn(bar_width=24),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        tasks: dict[str, TaskID] = {}

        def report(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(
                    _LABELS.get(step, step), total=total, rate=step == "tickets"
                )
            bar.update(tasks[step], completed=done, total=total)

        yield report
