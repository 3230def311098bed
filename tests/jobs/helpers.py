"""Running the real job worker inside a test, bounded in time."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

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
