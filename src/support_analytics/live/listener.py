"""One LISTEN connection per process, fanned out to any number of in-process subscribers.

Browsers never get a database connection of their own: a thousand open dashboards cost one
connection per worker. Each event gets an opaque id (`<boot>-<random>`: a counter shared by
every tenant would tell a client how busy the others are) and the last few are kept in order,
so a reconnecting EventSource that sends `Last-Event-ID` gets what it missed from the same
process; from another process, after too long, or for an id we never issued, it gets a
`resync` event instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import psycopg
from psycopg import sql

from support_analytics.db.engine import libpq_url, normalise_url
from support_analytics.live.channels import CHANNEL, Event, parse

log = logging.getLogger(__name__)

RESYNC = Event(kind="bulk", op="resync", ticket_id=None, client_id=None)


@dataclass(frozen=True)
class Delivery:
    event_id: str
    event: Event


# Put into every subscription when the process shuts down: the stream ends at once and the
# browser reconnects (to another worker, or to this server once it is back).
CLOSING = Delivery(
    event_id="", event=Event(kind="bulk", op="closing", ticket_id=None, client_id=None)
)


class Subscription:
    """A bounded queue of deliveries. A subscriber too slow to keep up is told to resync
    rather than being allowed to grow memory without bound."""

    def __init__(self, size: int) -> None:
        self._queue: asyncio.Queue[Delivery] = asyncio.Queue(maxsize=size)
        self.overflowed = False

    def offer(self, delivery: Delivery) -> None:
        try:
            self._queue.put_nowait(delivery)
        except asyncio.QueueFull:
            self.overflowed = True

    def close(self) -> None:
        while self._queue.full():  # the closing notice must get in; a resync is moot now
            self._queue.get_nowait()
        self._queue.put_nowait(CLOSING)

    async def get(self) -> Delivery:
        return await self._queue.get()


class EventHub:
    def __init__(self, conninfo: str, *, keep: int = 512, queue_size: int = 256) -> None:
        self._conninfo = conninfo
        self._keep: deque[Delivery] = deque(maxlen=keep)
        self._queue_size = queue_size
        self._subscribers: set[Subscription] = set()
        self._boot = secrets.token_hex(4)
        self._counter = 0
        # Opaque id -> position, for the deliveries still in `_keep`.
        self._positions: dict[str, int] = {}
        self._task: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()
        self.closing = False
        self.delivered = 0  # deliveries offered to streams, for /metrics

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="live-listener")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.listening.clear()

    def close_streams(self) -> None:
        """Shutting down: end every stream now and refuse new ones."""
        self.closing = True
        for subscription in tuple(self._subscribers):
            subscription.close()

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[Subscription]:
        subscription = Subscription(self._queue_size)
        if self.closing:
            subscription.close()
        self._subscribers.add(subscription)
        try:
            yield subscription
        finally:
            self._subscribers.discard(subscription)

    def missed_since(self, last_event_id: str | None) -> list[Delivery] | None:
        """Deliveries after `last_event_id`; [] when there is nothing to replay, None when we
        cannot tell (another process's id, one that fell out of the buffer, or one we never
        issued) - the caller resyncs."""
        if not last_event_id:
            return []
        seen = self._positions.get(last_event_id)
        if seen is None:
            return None
        return [d for d in self._keep if self._positions[d.event_id] > seen]

    def publish(self, event: Event) -> Delivery:
        self._counter += 1
        delivery = Delivery(event_id=f"{self._boot}-{secrets.token_urlsafe(9)}", event=event)
        if len(self._keep) == self._keep.maxlen:
            self._positions.pop(self._keep[0].event_id, None)
        self._keep.append(delivery)
        self._positions[delivery.event_id] = self._counter
        for subscription in tuple(self._subscribers):
            subscription.offer(delivery)
        self.delivered += len(self._subscribers)
        return delivery

    async def _run(self) -> None:
        delay = 0.5
        first = True
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self._conninfo, autocommit=True
                ) as conn:
                    # The channel's name is the secret (NOTIFY and LISTEN have no privileges):
                    # readable by the owner only, see migration 0006_hardening.
                    row = await (await conn.execute("SELECT name FROM live_channel")).fetchone()
                    channel = str(row[0]) if row else CHANNEL
                    await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                    if not first:
                        # Anything written while we were away was never delivered.
                        self.publish(RESYNC)
                    first = False
                    delay = 0.5
                    self.listening.set()
                    async for notify in conn.notifies():
                        event = parse(notify.payload)
                        if event is not None:
                            self.publish(event)
            except asyncio.CancelledError:
                raise
            except (psycopg.Error, OSError) as exc:
                log.warning("live listener lost its connection (%s); retrying in %.1fs", exc, delay)
            if self.listening.is_set():
                # Nothing will arrive until we are back: end the streams so pages say
                # "reconnecting" instead of "live"; they come back (and resync) with us.
                for subscription in tuple(self._subscribers):
                    subscription.close()
            self.listening.clear()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


def listen_conninfo(listen_url: str | None, database_url: str) -> str:
    """Where LISTEN connects: SUPPORT_ANALYTICS_LISTEN_URL when set (a transaction-mode pooler
    in DATABASE_URL would hand the LISTEN session's server connection to other clients, and
    notifications would stop arriving), else the database URL itself."""
    return libpq_url(normalise_url(listen_url) if listen_url else database_url)


@asynccontextmanager
async def running(conninfo: str) -> AsyncIterator[EventHub]:
    """The process's hub for the app's lifetime (started in the FastAPI lifespan)."""
    hub = EventHub(conninfo)
    await hub.start()
    try:
        yield hub
    finally:
        await hub.stop()
