"""The database goes away and comes back (issue 12 items 20 and 21), on a PostgreSQL of the
test's own that it can stop: every API route answers 503 JSON with Retry-After and closes the
connection cleanly, a live-stream reconnect is refused at once (503, the page retries), and
the app recovers by itself, live streams included."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from support_analytics.db import embedded
from tests.load.harness import (
    Answer,
    admin_token,
    close_streams,
    fetch,
    open_stream,
    server_process,
    stoppable_database,
)

pytestmark = pytest.mark.timeout(240)

API_ROUTES = (
    "/api/v1/me",
    "/api/v1/analytics/overview",
    "/api/v1/analytics/priorities",
    "/api/v1/tickets",
    "/api/v1/admin/users",
)


def _answers(port: int, token: str) -> dict[str, Answer]:
    async def all_routes() -> dict[str, Answer]:
        answers = {p: await fetch(port, p, token=token) for p in API_ROUTES}
        answers["/healthz"] = await fetch(port, "/healthz")
        answers["/dashboard"] = await fetch(port, "/dashboard", token=token, accept="text/html")
        return answers

    return asyncio.run(all_routes())


def _stream_status(port: int, token: str) -> int:
    async def open_and_close() -> int:
        stream = await open_stream(port, "/api/v1/events", token, bound=15.0)
        close_streams([stream])
        return stream.status

    return asyncio.run(open_and_close())


def test_a_database_outage_is_503_with_retry_after_and_the_app_recovers() -> None:
    with stoppable_database() as (stoppable_home, url), server_process(url) as port:
        token = admin_token(url)
        before = _answers(port, token)
        assert {p: a.status for p, a in before.items()} == dict.fromkeys(before, 200)
        assert _stream_status(port, token) == 200

        embedded.stop(stoppable_home)
        during = _answers(port, token)
        reconnect = _stream_status(port, token)

        embedded.start(stoppable_home)
        deadline = time.monotonic() + 30
        while (after := _answers(port, token)) and any(a.status != 200 for a in after.values()):
            assert time.monotonic() < deadline, {p: a.status for p, a in after.items()}
            time.sleep(0.5)
        while _stream_status(port, token) != 200:
            assert time.monotonic() < deadline, "live streams did not come back"
            time.sleep(0.5)

    assert {p: a.status for p, a in during.items()} == dict.fromkeys(during, 503)
    for path, answer in during.items():
        assert answer.headers.get("retry-after", "").isdigit(), path
        assert answer.headers.get("connection") == "close", path
        if path != "/dashboard":
            assert answer.headers["content-type"].startswith("application/json"), path
            assert json.loads(answer.body)["error"]["code"] in {"database_unavailable", "busy"}
    assert "text/html" in during["/dashboard"].headers["content-type"]
    assert reconnect == 503  # quickly, with no database: the page retries with backoff
