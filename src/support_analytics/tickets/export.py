"""Ticket lists as CSV, streamed: rows come from a server-side cursor `BATCH_ROWS` at a time
and go out as they are written, so memory stays flat whatever the list's size (45 exports of
every ticket used to hold 2.8 GB).

The request's own transaction commits before the response is sent (auth/dependencies.py), so
the stream opens a transaction of its own with the caller's session token (`tenancy.scope`):
the same role, the same row-level security, checked again when the stream starts. Each export
holds a pooled connection while it streams, so at most `csv_export_concurrency` run at once
per process; beyond that the request is answered 503 with Retry-After before anything is sent.
Every step of the stream runs admitted by the request gate (`tenancy.gate`) on its threads,
so an export's connection is one of the gate's slots, never one more than the pool has.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncGenerator, Generator
from datetime import timedelta
from functools import partial

import anyio
from starlette.datastructures import State

from support_analytics.db.engine import Database
from support_analytics.errors import AppError
from support_analytics.export import lines
from support_analytics.tenancy.gate import RequestGate
from support_analytics.tenancy.scope import request_transaction
from support_analytics.tickets import queries
from support_analytics.tickets.queries import TicketQuery, TicketRow

BATCH_ROWS = 1000
RETRY_AFTER_SECONDS = 5

COLUMNS = (
    "id",
    "client_id",
    "client",
    "title",
    "status",
    "priority",
    "ticket_type_id",
    "ticket_type",
    "assigned_to",
    "assignee",
    "created_at",
    "resolved_at",
    "closed_at",
)


def cells(r: TicketRow) -> list[object]:
    return [
        r.id,
        r.client_id,
        r.client_name,
        r.title,
        r.status,
        r.priority,
        r.ticket_type_id,
        r.type_name,
        r.assigned_to,
        r.assignee_name,
        r.created_at,
        r.resolved_at,
        r.closed_at,
    ]


class ExportsBusy(AppError):
    status_code = 503
    code = "busy"

    def __init__(self) -> None:
        super().__init__(
            "Too many exports are running; retry in a moment.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )


class Slot:
    """One export's share of the limit; releasing twice is harmless (the stream's end and the
    response's background task both release, whichever runs)."""

    def __init__(self, semaphore: threading.BoundedSemaphore) -> None:
        self._semaphore = semaphore
        self._lock = threading.Lock()
        self._held = True

    def release(self) -> None:
        with self._lock:
            if self._held:
                self._held = False
                self._semaphore.release()


class ExportLimit:
    """Thread-safe: handlers and stream bodies run on worker threads."""

    def __init__(self, slots: int) -> None:
        self._semaphore = threading.BoundedSemaphore(slots)

    def take(self) -> Slot:
        if not self._semaphore.acquire(blocking=False):
            raise ExportsBusy
        return Slot(self._semaphore)


_LIMIT_LOCK = threading.Lock()


def limit_for(state: State, slots: int) -> ExportLimit:
    """The process's export limit, made on first use (one app, one limit)."""
    with _LIMIT_LOCK:
        found = getattr(state, "csv_export_limit", None)
        if isinstance(found, ExportLimit):
            return found
        made = ExportLimit(slots)
        state.csv_export_limit = made
        return made


def stream(
    database: Database,
    token: str | None,
    query: TicketQuery,
    *,
    ttl: timedelta,
    slot: Slot,
    batch: int = BATCH_ROWS,
) -> Generator[str, None, None]:
    """The CSV text of every matching row, in the list's order, a batch at a time."""
    try:
        with request_transaction(database, token, ttl=ttl) as scope:
            rows = (
                cells(row)
                for chunk in queries.stream_rows(scope.session, query, batch=batch)
                for row in chunk
            )
            yield from lines(COLUMNS, rows)
    finally:
        slot.release()


async def through_gate(
    gate: RequestGate, chunks: Generator[str, None, None], slot: Slot
) -> AsyncGenerator[str, None]:
    """`chunks` (a `stream`) stepped on the gate's threads while holding one gate slot."""
    try:
        async with gate.admitted():
            try:
                while (chunk := await gate.run(partial(next, chunks, None))) is not None:
                    yield chunk
            finally:
                # Ends the transaction at once when the client goes away mid-stream.
                with anyio.CancelScope(shield=True):
                    await gate.run(chunks.close)
    finally:
        slot.release()  # also when the gate never admitted it (the stream never started)
