"""One LISTEN connection per process, fanned out to any number of in-process subscribers.

Browsers never get a database connection of their own: a thousand open dashboards cost one
connection per worker. A stored event (one with a `seq`, migration 0016_live_events) gets
its seq, encrypted (live/ids.py), as its id: the same in every worker and after any restart,
so a reconnecting EventSource that sends `Last-Event-ID` gets what it missed from the
database (live/replay.py). Events that were never stored carry no id.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import psycopg
from psycopg import sql

from support_analytics.db.engine import libpq_url, normalise_url
from support_analytics.live import replay
from support_analytics.live.channels import CHANNEL, Event, parse
from support_analytics.live.ids import EventIds

log = logging.getLogger(__name__)

# Each listener deletes events older than replay.KEEP_HOURS this often (every worker does it;
# the delete is idempotent and finds nothing most of the time).
PRUNE_SECONDS = 3600.0

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
    def __init__(
        self, conninfo: str, *, queue_size: int = 256, prune_every: float = PRUNE_SECONDS
    ) -> None:
        self._conninfo = conninfo
        self._prune_every = prune_every
        self._queue_size = queue_size
        self._subscribers: set[Subscription] = set()
        # Known once the listener has read the channel's name (the ids' key).
        self.ids: EventIds | None = None
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

    def publish(self, event: Event) -> Delivery:
        """Offer `event` to every stream of this process (each filters what its viewer may
        see). Stored events (with a `seq`) get their wire id; others go without one."""
        event_id = ""
        if event.seq is not None and self.ids is not None:
            event_id = self.ids.encode(event.seq)
        delivery = Delivery(event_id=event_id, event=event)
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
                    self.ids = EventIds(channel.encode())
                    await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                    if not first:
                        # Anything written while we were away was never delivered.
                        self.publish(RESYNC)
                    first = False
                    delay = 0.5
                    self.listening.set()
                    while True:
                        # Between two batches the connection keeps what arrives meanwhile
                        # (psycopg's backlog) for the next one.
                        async for notify in conn.notifies(timeout=self._prune_every):
                            event = parse(notify.payload)
                            if event is not None:
                                self.publish(event)
                        await conn.execute(replay.PRUNE, {"hours": replay.KEEP_HOURS})
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
