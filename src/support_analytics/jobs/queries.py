"""What the admin sees of the job queue, read as the owner (request roles cannot read it).

A mail job shows its recipient's domain only (the queued mail itself holds a single-use
link); the row of a sent mail is gone, so is its domain."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import text

from support_analytics.db.engine import Database
from support_analytics.tenancy.scope import owner_transaction

LIMIT = 200


class JobRow(BaseModel):
    id: int
    task: str
    queue: str
    status: str
    attempts: int
    scheduled_at: datetime | None
    last_event: str | None
    last_event_at: datetime | None
    recipient_domain: str | None


class JobList(BaseModel):
    counts: dict[str, int]
    rows: list[JobRow]


def list_jobs(database: Database, *, limit: int = LIMIT) -> JobList:
    """Counts per status and the newest `limit` jobs: queued, running, retrying, failed (a
    successful job's row is deleted by the worker)."""
    with owner_transaction(database) as session:
        counts = {
            str(row.status): int(row.n)
            for row in session.execute(
                text(
                    "SELECT status::text AS status, count(*) AS n FROM procrastinate_jobs"
                    " GROUP BY status"
                )
            )
        }
        rows = session.execute(
            text(
                "SELECT j.id, j.task_name, j.queue_name, j.status::text AS status, j.attempts,"
                " j.scheduled_at, e.type::text AS last_event, e.at AS last_event_at,"
                " nullif(split_part(m.recipient, '@', 2), '') AS recipient_domain"
                " FROM procrastinate_jobs j"
                " LEFT JOIN mail_outbox m ON m.id = (j.args ->> 'mail_id')::bigint"
                " LEFT JOIN LATERAL (SELECT type, at FROM procrastinate_events"
                "   WHERE job_id = j.id ORDER BY id DESC LIMIT 1) e ON true"
                " ORDER BY j.id DESC LIMIT :limit"
            ),
            {"limit": limit},
        ).all()
    return JobList(
        counts=counts,
        rows=[
            JobRow(
                id=row.id,
                task=row.task_name,
                queue=row.queue_name,
                status=row.status,
                attempts=row.attempts,
                scheduled_at=row.scheduled_at,
                last_event=row.last_event,
                last_event_at=row.last_event_at,
                recipient_domain=row.recipient_domain,
            )
            for row in rows
        ],
    )


def queue_depth(database: Database) -> dict[tuple[str, str], int]:
    """Jobs per (queue, status) still to finish: waiting ('todo') and running ('doing')."""
    with owner_transaction(database) as session:
        return {
            (str(row.queue_name), str(row.status)): int(row.n)
            for row in session.execute(
                text(
                    "SELECT queue_name, status::text AS status, count(*) AS n"
                    " FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"
                    " GROUP BY queue_name, status"
                )
            )
        }
