"""Garbage collection between requests, not during them (the `serve` process only).

CPython collects reference cycles when allocations pile up, which is in the middle of a
request: an analytics request allocates tens of thousands of container objects (statement
trees, whose subqueries and columns refer to each other, result rows, models), and each
collection during a request moves what the request still holds up a generation. Those
objects die soon after, but in the oldest generation, which only a full collection visits:
measured with `bench` at 1M tickets, the server ran a full collection every ~40 requests,
each 100-470 ms and longer as the heap grew, and whichever request it landed in took that
long (the p95 of several endpoints was a collection, not a query).

So the server process (`take_over`, from the app's start-up):
- collects once and freezes what start-up built (routes, schemas, templates: about 260,000
  objects no collection needs to visit again), then turns automatic collection off;
- after each request that ends with no other request running and left at least
  `YOUNG_MIN` new objects, collects the young generations: everything the request
  allocated is garbage by then, so that is cheap and nothing is promoted; a request that
  ends while others run collects the youngest one only once `YOUNG_LIMIT` allocations
  piled up, so memory stays bounded under constant load;
- collects everything about every `FULL_EVERY_SECONDS`: when the first request ends after
  that time, or at the next check (every `CHECK_SECONDS`: a server only streaming live
  events still collects).
Streams (`text/event-stream`) do not count as running once their headers are sent: they
last as long as a dashboard is open.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# CPython's own threshold for a young collection: a request that left fewer new objects
# (a session check, a health probe) is not worth one.
YOUNG_MIN = 700
YOUNG_LIMIT = 50_000
FULL_EVERY_SECONDS = 300.0
CHECK_SECONDS = 10.0


@dataclass
class Collector:
    """Counts the requests running and collects when they allow it (`active` only after
    `take_over`: an app built by tests keeps the interpreter's automatic collection)."""

    active: bool = False
    running: int = 0
    last_full: float = field(default_factory=time.monotonic)

    def request_ended(self) -> None:
        if self.active:
            self.collect(idle=self.running == 0)

    def collect(self, *, idle: bool) -> None:
        if time.monotonic() - self.last_full > FULL_EVERY_SECONDS:
            gc.collect()
            self.last_full = time.monotonic()
        elif idle and gc.get_count()[0] >= YOUNG_MIN:
            gc.collect(1)
        elif gc.get_count()[0] > YOUNG_LIMIT:
            gc.collect(0)


class CollectBetweenRequests:
    """Pure ASGI middleware: counts running requests for `Collector`, a stream only until
    its headers are sent."""

    def __init__(self, app: ASGIApp, collector: Collector) -> None:
        self.app = app
        self.collector = collector

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        collector = self.collector
        collector.running += 1
        counted = True

        async def watch(message: Message) -> None:
            nonlocal counted
            if message["type"] == "http.response.start" and counted and _streams(message):
                collector.running -= 1
                counted = False
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            if counted:
                collector.running -= 1
            collector.request_ended()


def _streams(start: Message) -> bool:
    return any(
        name.lower() == b"content-type" and value.startswith(b"text/event-stream")
        for name, value in start.get("headers", ())
    )


@asynccontextmanager
async def take_over(collector: Collector) -> AsyncIterator[None]:
    """Collection between requests for as long as the server runs; the interpreter's own
    automatic collection is back afterwards."""
    gc.collect()
    gc.freeze()
    gc.disable()
    collector.active = True
    collector.last_full = time.monotonic()

    async def check() -> None:
        while True:
            await asyncio.sleep(CHECK_SECONDS)
            collector.collect(idle=collector.running == 0)

    task = asyncio.create_task(check())
    try:
        yield
    finally:
        task.cancel()
        collector.active = False
        gc.unfreeze()
        gc.enable()
