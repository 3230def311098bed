"""Admission to the request pool: at most one request per pooled connection touches the
database at a time, and the rest wait here, on the event loop, not in a thread.

Without it a flood deadlocked the process: every worker thread sat waiting for a pooled
connection while the requests holding the connections needed one more thread to finish. A
request now takes a slot first (async, no thread), so a thread that asks the pool for a
connection always gets one at once; a request that cannot get a slot within
`request_queue_seconds` is answered 503 with Retry-After instead of hanging. The scope's own
database work runs on a thread limiter of the same size, so it never waits for the shared
thread pool either.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import anyio
import anyio.to_thread

from support_analytics.errors import DatabaseUnavailable

T = TypeVar("T")

RETRY_AFTER_SECONDS = 2


class Busy(DatabaseUnavailable):
    """Every connection of the process is in use and stayed so for the whole wait."""

    code = "busy"


class RequestGate:
    def __init__(self, slots: int, *, wait_seconds: float) -> None:
        self.slots = slots
        self.wait_seconds = wait_seconds
        self._semaphore = anyio.Semaphore(slots)
        self._limiter = anyio.CapacityLimiter(slots)
        self.waiting = 0  # requests queued for a slot now (for /metrics)

    @property
    def in_use(self) -> int:
        return self.slots - self._semaphore.value

    @asynccontextmanager
    async def admitted(self, *, wait_seconds: float | None = None) -> AsyncIterator[None]:
        acquired = False
        self.waiting += 1
        try:
            with anyio.move_on_after(self.wait_seconds if wait_seconds is None else wait_seconds):
                await self._semaphore.acquire()
                acquired = True
        finally:
            self.waiting -= 1
        if not acquired:
            raise Busy("the server is busy; retry in a moment", retry_after=RETRY_AFTER_SECONDS)
        try:
            yield
        finally:
            self._semaphore.release()

    async def run(self, function: Callable[[], T]) -> T:
        """Run blocking database work of an admitted request on the gate's own threads."""
        return await anyio.to_thread.run_sync(function, limiter=self._limiter)
