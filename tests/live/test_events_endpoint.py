"""GET /api/v1/events over real HTTP (uvicorn, cookies, the request's own authentication):
a committed write reaches the right streams within a second and no other."""

from __future__ import annotations

import json
import queue
import threading
import time

import httpx
import psycopg

from support_analytics.auth.sessions import COOKIE_NAME
from support_analytics.db.engine import Database, libpq_url
from tests.fixtures.auth import CLIENT_A_ID, CLIENT_B_ID, Persona, TestUser, open_session
from tests.live.serving import serving

Line = tuple[float, str]


def _listen(url: str, token: str, lines: queue.Queue[Line], stop: threading.Event) -> None:
    try:
        with httpx.stream(
            "GET", url, cookies={COOKIE_NAME: token}, timeout=httpx.Timeout(5, read=None)
        ) as response:
            lines.put((time.monotonic(), f"status {response.status_code}"))
            for line in response.iter_lines():
                lines.put((time.monotonic(), line))
                if stop.is_set():
                    return
    except httpx.HTTPError:
        return


def _wait_for(lines: queue.Queue[Line], predicate: str, timeout: float) -> list[Line]:
    seen: list[Line] = []
    deadline = time.monotonic() + timeout
    while not any(predicate in line for _, line in seen):
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no {predicate!r} within {timeout}s; saw {seen}"
        try:
            seen.append(lines.get(timeout=remaining))
        except queue.Empty:
            continue
    return seen


def _client_ids(seen: list[Line]) -> set[int]:
    return {
        json.loads(line.removeprefix("data: "))["client_id"]
        for _, line in seen
        if line.startswith("data: ") and '"kind":"ticket"' in line
    }


def test_events_reach_only_the_streams_allowed_to_see_them(
    fresh_database: str, owner_database: Database, personas: dict[Persona, TestUser]
) -> None:
    tokens = {
        p: open_session(owner_database, personas[p]) for p in ("client_a", "client_b", "agent")
    }
    with serving(fresh_database) as base:
        assert httpx.get(f"{base}/api/v1/events", timeout=5).status_code == 401
        stop = threading.Event()
        streams = {p: queue.Queue[Line]() for p in tokens}
        for persona, token in tokens.items():
            threading.Thread(
                target=_listen,
                args=(f"{base}/api/v1/events", token, streams[persona], stop),
                daemon=True,
            ).start()
        for persona in tokens:
            assert "status 200" in str(_wait_for(streams[persona], ": connected", 10))
        with psycopg.connect(libpq_url(fresh_database)) as conn:
            for client_id in (CLIENT_A_ID, CLIENT_B_ID):
                conn.execute(
                    "INSERT INTO tickets (client_id, ticket_type_id, priority, title) "
                    "VALUES (%s, 1, 'low', 'over http')",
                    (client_id,),
                )
            committed = time.monotonic()
        got = {
            "client_a": _wait_for(streams["client_a"], "data: ", 1.0),
            "client_b": _wait_for(streams["client_b"], "data: ", 1.0),
            "agent": _wait_for(streams["agent"], f'"client_id":{CLIENT_B_ID}', 1.0),
        }
        time.sleep(0.3)  # room for a leak to arrive
        for persona, lines in streams.items():
            while not lines.empty():
                got[persona].append(lines.get())
        stop.set()
    assert _client_ids(got["client_a"]) == {CLIENT_A_ID}
    assert _client_ids(got["client_b"]) == {CLIENT_B_ID}
    assert _client_ids(got["agent"]) == {CLIENT_A_ID, CLIENT_B_ID}
    first_a = min(t for t, line in got["client_a"] if line.startswith("data: "))
    assert first_a - committed < 1.0
    assert any(line.startswith("id: ") for _, line in got["client_a"])
