"""`GET /api/v1/events`: a Server-Sent Events stream of the events the viewer may see.

The stream holds no database connection: the viewer's kind and client are read once, when the
request is authenticated, and every event is filtered against them. Streams end after
`max_age` seconds so a revoked session stops receiving events; EventSource reconnects by itself
(and re-authenticates) after `retry` milliseconds.

A reconnect needs no request connection: the viewer resolved for a session token (by its
hash) is trusted for `sse_viewer_cache_seconds`, so a wave of reconnects costs no connections.
While the process's LISTEN connection is down (the database is away) streams end and new ones
get 503 with Retry-After: the page shows "reconnecting", retries with backoff and refetches
once it is back. Streams are capped per session and per process; beyond a cap the answer is
429 or 503 with Retry-After. On shutdown every stream ends at once.

A reconnect with `Last-Event-ID` subscribes first, then reads what it missed from the
database in one short request transaction under the viewer's own role (live/replay.py), and
then skips live events it already replayed: nothing committed in between is lost, whichever
worker served the earlier stream and whatever restarted since.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from support_analytics.auth.dependencies import open_request_scope
from support_analytics.auth.sessions import token_from
from support_analytics.auth.tokens import token_hash
from support_analytics.config import Settings
from support_analytics.errors import (
    DatabaseUnavailable,
    TooManyRequests,
    Unauthenticated,
    error_responses,
)
from support_analytics.live import replay
from support_analytics.live.channels import Event, visible_to
from support_analytics.live.listener import CLOSING, RESYNC, Delivery, EventHub
from support_analytics.tenancy.gate import RequestGate

HEARTBEAT_SECONDS = 15.0
MAX_AGE_SECONDS = 300.0
RETRY_MS = 3000
LISTEN_WAIT_SECONDS = 2.0
CAP_RETRY_AFTER_SECONDS = 10
VIEWER_CACHE_ENTRIES = 10_000

# Reads the events after a seq for the stream's viewer; None when it cannot (database away).
ReplayFn = Callable[[int], Awaitable[replay.Replay | None]]


@dataclass(frozen=True)
class Viewer:
    kind: str
    client_id: int | None


@dataclass
class StreamRegistry:
    """Who is streaming: the caps, and the viewers recently resolved, per token hash."""

    max_streams: int
    max_per_session: int
    viewer_seconds: float
    replay_limit: int = replay.REPLAY_LIMIT
    open_by_session: dict[bytes, int] = field(default_factory=dict)
    viewers: dict[bytes, tuple[float, Viewer]] = field(default_factory=dict)

    @property
    def open_streams(self) -> int:
        return sum(self.open_by_session.values())

    @classmethod
    def of(cls, settings: Settings) -> StreamRegistry:
        return cls(
            max_streams=settings.sse_max_streams,
            max_per_session=settings.sse_max_streams_per_session,
            viewer_seconds=settings.sse_viewer_cache_seconds,
        )

    def cached_viewer(self, key: bytes) -> Viewer | None:
        entry = self.viewers.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def remember(self, key: bytes, viewer: Viewer) -> None:
        if self.viewer_seconds <= 0:
            return
        if len(self.viewers) >= VIEWER_CACHE_ENTRIES:
            now = time.monotonic()
            self.viewers = {k: v for k, v in self.viewers.items() if v[0] >= now}
            if len(self.viewers) >= VIEWER_CACHE_ENTRIES:
                self.viewers.clear()
        self.viewers[key] = (time.monotonic() + self.viewer_seconds, viewer)

    def forget(self, key: bytes) -> None:
        self.viewers.pop(key, None)

    def admit(self, key: bytes) -> None:
        if self.open_by_session.get(key, 0) >= self.max_per_session:
            raise TooManyRequests(
                f"at most {self.max_per_session} live streams per session; close another tab",
                retry_after=CAP_RETRY_AFTER_SECONDS,
            )
        if self.open_streams >= self.max_streams:
            raise DatabaseUnavailable(
                "too many live streams on this server", retry_after=CAP_RETRY_AFTER_SECONDS
            )
        self.open_by_session[key] = self.open_by_session.get(key, 0) + 1

    def release(self, key: bytes) -> None:
        left = self.open_by_session.get(key, 0) - 1
        if left > 0:
            self.open_by_session[key] = left
        else:
            self.open_by_session.pop(key, None)


def frame(delivery: Delivery) -> str:
    event = delivery.event
    # No id line for events that were never stored: the browser's last id stays the last
    # stored event's, which is what a replay needs.
    head = f"id: {delivery.event_id}\n" if delivery.event_id else ""
    return f"{head}event: {event.kind}\ndata: {event.as_json()}\n\n"


def _resync_frame() -> str:
    return f"event: bulk\ndata: {RESYNC.as_json()}\n\n"


def _visible(viewer: Viewer, event: Event) -> bool:
    if event == RESYNC:
        # A resync says nothing about anyone's data; every viewer should refetch.
        return True
    return visible_to(event, kind=viewer.kind, client_id=viewer.client_id)


async def _missed(
    hub: EventHub, viewer: Viewer, last_event_id: str, replay_missed: ReplayFn | None
) -> tuple[int | None, list[str]]:
    """The frames of what the viewer missed since `last_event_id`, and the last seq they
    cover; (None, [resync]) when the replay cannot be complete."""
    ids = hub.ids
    after = ids.decode(last_event_id) if ids is not None else None
    missed = None
    if ids is not None and after is not None and replay_missed is not None:
        missed = await replay_missed(after)
    if ids is None or after is None or missed is None or not missed.complete:
        return None, [_resync_frame()]
    frames: list[str] = []
    for event in missed.events:
        if event.seq is not None and _visible(viewer, event):
            after = max(after, event.seq)
            frames.append(frame(Delivery(event_id=ids.encode(event.seq), event=event)))
    return after, frames


async def stream(
    hub: EventHub,
    viewer: Viewer,
    *,
    last_event_id: str | None = None,
    replay_missed: ReplayFn | None = None,
    disconnected: Callable[[], Awaitable[bool]] | None = None,
    heartbeat: float = HEARTBEAT_SECONDS,
    max_age: float = MAX_AGE_SECONDS,
) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + max_age
    async with hub.subscribe() as subscription:
        # Right after start-up the listener may still be connecting; "connected" should mean
        # that the next committed write will arrive (if it never connects, the stream still
        # opens and the listener's reconnect sends a resync).
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(hub.listening.wait(), timeout=LISTEN_WAIT_SECONDS)
        yield f"retry: {RETRY_MS}\n: connected\n\n"
        # Live events up to `replayed` were sent by the replay (or before the reconnect).
        replayed: int | None = None
        if last_event_id:
            replayed, frames = await _missed(hub, viewer, last_event_id, replay_missed)
            for text in frames:
                yield text
        while (remaining := deadline - loop.time()) > 0:
            try:
                delivery = await asyncio.wait_for(
                    subscription.get(), timeout=min(heartbeat, remaining)
                )
            except TimeoutError:
                if disconnected is not None and await disconnected():
                    return
                yield ": heartbeat\n\n"
                continue
            if delivery is CLOSING:
                return
            if subscription.overflowed:
                subscription.overflowed = False
                yield _resync_frame()
            seq = delivery.event.seq
            if replayed is not None and seq is not None and seq <= replayed:
                continue
            if _visible(viewer, delivery.event):
                yield frame(delivery)


router = APIRouter(prefix="/api/v1", tags=["live"])


class _Stream(StreamingResponse):
    """Releases its slot however the response ends (finished, cancelled, never iterated)."""

    def __init__(self, content: AsyncIterator[str], release: Callable[[], None]) -> None:
        super().__init__(
            content,
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )
        self._release = release

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._release()


async def _viewer(request: Request, registry: StreamRegistry, key: bytes) -> Viewer:
    cached = registry.cached_viewer(key)
    if cached is not None:
        return cached
    async with open_request_scope(request) as scope:
        principal = scope.principal
    if principal is None:
        registry.forget(key)
        raise Unauthenticated("Sign in to continue.")
    viewer = Viewer(kind=principal.kind, client_id=principal.client_id)
    registry.remember(key, viewer)
    return viewer


def _replayer(request: Request, limit: int) -> ReplayFn:
    async def missed(after: int) -> replay.Replay | None:
        gate: RequestGate = request.app.state.request_gate
        try:
            async with open_request_scope(request) as scope:
                if scope.principal is None:
                    return None
                return await gate.run(partial(replay.missed, scope.session, after, limit))
        except DatabaseUnavailable:
            return None

    return missed


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}, **error_responses(401, 422, 429, 503)},
)
async def events(
    request: Request,
    last_event_id: Annotated[str | None, Header(max_length=64)] = None,
    last_event_id_query: Annotated[str | None, Query(alias="last_event_id", max_length=64)] = None,
) -> StreamingResponse:
    """Server-Sent Events: `ticket`, `message`, `feedback` events (`{kind, op, id, ticket_id,
    client_id}`) for tickets the caller may see, `alert` events (an alert fired; internal
    users only) and `bulk` ("refetch everything") events. Comment lines are heartbeats.
    Event ids are opaque; send the last one as `Last-Event-ID` to get what you missed (up to
    1000 events of the last day; past that, or for an id that is not yours, a `bulk` event
    with op `resync` says: refetch everything). A client that opens a new stream itself (a
    browser's EventSource sends the header only on its own reconnects) passes the id as the
    `last_event_id` query parameter instead; the header wins when both are sent."""
    hub: EventHub | None = getattr(request.app.state, "live_hub", None)
    registry: StreamRegistry | None = getattr(request.app.state, "live_streams", None)
    if hub is None or registry is None or hub.closing:
        raise DatabaseUnavailable("live updates are not running")
    token = token_from(request)
    if token is None:
        raise Unauthenticated("Sign in to continue.")
    key = token_hash(token)
    viewer = await _viewer(request, registry, key)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(hub.listening.wait(), timeout=LISTEN_WAIT_SECONDS)
    if not hub.listening.is_set():
        # The database is away: a stream now would say "live" and carry nothing.
        raise DatabaseUnavailable("live updates are reconnecting to the database", retry_after=2)
    registry.admit(key)
    return _Stream(
        stream(
            hub,
            viewer,
            # The header is the browser's newest id; the parameter is the one the page had
            # when it opened this stream, older once the stream has delivered anything.
            last_event_id=last_event_id or last_event_id_query,
            replay_missed=_replayer(request, registry.replay_limit),
            disconnected=request.is_disconnected,
        ),
        release=lambda: registry.release(key),
    )
