"""Running the real job worker inside a test, bounded in time; committing a write in the
middle of a job's reads."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy import Engine, event, text

from support_analytics.db.engine import Database, libpq_url
from support_analytics.jobs import worker as job_worker
from support_analytics.tenancy.scope import owner_transaction


def run_worker_until_idle(url: str, *, seconds: float = 60.0) -> None:
    """The production worker, stopped once no job is due (a retry waiting for its time is
    not due)."""
    coroutine = job_worker.run(
        libpq_url(url), concurrency=1, install_signal_handlers=False, name="test", wait=False
    )
    asyncio.run(asyncio.wait_for(coroutine, timeout=seconds))


def job_rows(database: Database) -> list[tuple[str, str, int]]:
    """(task, status, attempts) of every job left in the queue, oldest first."""
    with owner_transaction(database) as session:
        return [
            (str(r.task_name), str(r.status), int(r.attempts))
            for r in session.execute(
                text(
                    "SELECT task_name, status::text AS status, attempts FROM procrastinate_jobs"
                    " ORDER BY id"
                )
            )
        ]


@contextmanager
def write_before(
    engine: Engine, url: str, sql: str, when: Callable[[str, object], bool]
) -> Iterator[list[str]]:
    """Commit `sql` on a connection of its own right before the first statement `engine`
    runs for which `when(statement, parameters)` holds, once. Yields the statement it was
    written before, in a list (empty: it never was, and the test says nothing)."""
    wrote: list[str] = []

    def hook(
        _conn: object, _cursor: object, statement: str, parameters: object, *_rest: object
    ) -> None:
        if not wrote and when(statement, parameters):
            with psycopg.connect(libpq_url(url), autocommit=True) as other:
                other.execute(sql.encode())
            wrote.append(statement)

    event.listen(engine, "before_cursor_execute", hook)
    try:
        yield wrote
    finally:
        event.remove(engine, "before_cursor_execute", hook)
