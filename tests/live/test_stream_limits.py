"""Live streams are capped per session and per process (issue 12 item 1): beyond a cap the
answer is 429 or 503 with Retry-After, and a closed stream frees its place."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from support_analytics.db.engine import Database
from tests.fixtures.auth import Persona, TestUser, open_session
from tests.live.serving import serving
from tests.load.harness import OpenStream, close_streams, fetch, open_stream


def _port(base: str) -> int:
    port = urlsplit(base).port
    assert port is not None
    return port


def test_streams_beyond_the_caps_are_refused_with_retry_after(
    fresh_database: str, owner_database: Database, personas: dict[Persona, TestUser]
) -> None:
    first, second = (open_session(owner_database, personas[p]) for p in ("agent", "client_a"))
    with serving(fresh_database, sse_max_streams_per_session=2, sse_max_streams=3) as base:
        port = _port(base)

        async def scenario() -> tuple[list[int], int, int, int]:
            streams: list[OpenStream] = [
                await open_stream(port, "/api/v1/events", first) for _ in range(3)
            ]
            per_session = [s.status for s in streams]
            streams.append(await open_stream(port, "/api/v1/events", second))
            total = await open_stream(port, "/api/v1/events", second)
            streams.append(total)
            refused = await fetch(port, "/api/v1/events", token=second)
            assert refused.headers.get("retry-after", "").isdigit()
            close_streams(streams)
            await asyncio.sleep(0.5)
            again = await open_stream(port, "/api/v1/events", second)
            close_streams([again])
            return per_session, total.status, refused.status, again.status

        per_session, total, refused, again = asyncio.run(scenario())
    assert per_session == [200, 200, 429]
    assert (total, refused) == (503, 503)
    assert again == 200
