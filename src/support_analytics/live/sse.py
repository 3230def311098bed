"""`GET /api/v1/events`: a Server-Sent Events stream of the events the viewer may see.

The stream holds no database connection: the viewer's kind and client are read once, when the
request is authenticated, and every event is filtered against them. Streams end after
`max_age` seconds so a revoked session stops receiving events; EventSource reconnects by itself
(and re-authenticates) after `retry` milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import StreamingResponse

from support_analytics.auth.dependencies import CurrentUser
from support_analytics.errors import DatabaseUnavailable
from support_analytics.live.channels import Event, visible_to
from support_analytics.live.listener import RESYNC, Delivery, EventHub

HEARTBEAT_SECONDS = 15.0
MAX_AGE_SECONDS = 300.0
RETRY_MS = 3000
LISTEN_WAIT_SECONDS = 5.0


@dataclass(frozen=True)
class Viewer:
    kind: str
    client_id: int | None


def frame(delivery: Delivery) -> str:
    event = delivery.event
    return f"id: {delivery.event_id}\nevent: {event.kind}\ndata: {event.as_json()}\n\n"


def _resync_frame() -> str:
    return f"event: bulk\ndata: {RESYNC.as_json()}\n\n"


def _visible(viewer: Viewer, event: Event) -> bool:
    if event == RESYNC:
        # A resync says nothing about anyone's data; every viewer should refetch.
        return True
    return visible_to(event, kind=viewer.kind, client_id=viewer.client_id)


async def stream(
    hub: EventHub,
    viewer: Viewer,
    *,
    last_event_id: str | None = None,
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
        missed = hub.missed_since(last_event_id)
        if missed is None:
            yield _resync_frame()
        else:
            for delivery in missed:
                if _visible(viewer, delivery.event):
                    yield frame(delivery)
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
            if subscription.overflowed:
                subscription.overflowed = False
                yield _resync_frame()
            if _visible(viewer, delivery.event):
                yield frame(delivery)


router = APIRouter(prefix="/api/v1", tags=["live"])


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}, 401: {"description": "Not signed in"}},
)
async def events(
    request: Request,
    user: CurrentUser,
    last_event_id: Annotated[str | None, Header(max_length=64)] = None,
) -> StreamingResponse:
    """Server-Sent Events: `ticket`, `message`, `feedback` events (`{kind, op, id, ticket_id,
    client_id}`) for tickets the caller may see, and `bulk` ("refetch everything") events.
    Comment lines are heartbeats."""
    hub: EventHub | None = getattr(request.app.state, "live_hub", None)
    if hub is None:
        raise DatabaseUnavailable("live updates are not running")
    viewer = Viewer(kind=user.kind, client_id=user.client_id)
    return StreamingResponse(
        stream(hub, viewer, last_event_id=last_event_id, disconnected=request.is_disconnected),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
