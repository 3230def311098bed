"""Live-update drills on a PostgreSQL of the module's own (it gets killed): with
`serve --workers 2`, an event written through one worker reaches a stream held by the other;
after the database is killed and restarted, a client that reconnects with Last-Event-ID gets
every event it missed, only its own tenant's, then live ones."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest

from support_analytics.auth.sessions import COOKIE_NAME
from support_analytics.db import embedded, migrate
from support_analytics.db.engine import connect, libpq_url
from tests.conftest import PgServer
from tests.fixtures.auth import CLIENT_A_ID, CLIENT_B_ID, create_personas, open_session
from tests.live.serving import serving
from tests.live.sse_client import SseStream, last_id, sse, ticket_ids
from tests.load.serve_process import both_workers_started, serve
from tests.ops.test_read_replica import MINIMAL_DATA

pytestmark = pytest.mark.timeout(280)


@dataclass(frozen=True)
class Drill:
    home: Path
    pgdata: Path
    url: str
    tokens: dict[str, str]

    def new_tickets(self, *client_ids: int) -> list[int]:
        with psycopg.connect(libpq_url(self.url), autocommit=True) as conn:
            ids: list[int] = []
            for client_id in client_ids:
                row = conn.execute(
                    "INSERT INTO tickets (client_id, ticket_type_id, priority, title)"
                    " VALUES (%s, 1, 'low', 'drill') RETURNING id",
                    (client_id,),
                ).fetchone()
                assert row is not None
                ids.append(int(row[0]))
            return ids


@pytest.fixture(scope="module")
def drill() -> Iterator[Drill]:
    home = Path(tempfile.mkdtemp(prefix="sa-live-", dir="/tmp"))
    try:
        server, _ = embedded.start(home)
        url = PgServer(server.url("postgres")).create_database("sa_live_drill")
        migrate.upgrade(url)
        with psycopg.connect(libpq_url(url), autocommit=True) as conn:
            conn.execute(MINIMAL_DATA.encode())
        owner = connect(url, pool_size=1)
        try:
            personas = create_personas(owner)
            tokens = {p: open_session(owner, personas[p]) for p in ("client_a", "agent")}
            # More sessions of client A: streams are capped at 6 per session and worker.
            tokens |= {f"client_a_{n}": open_session(owner, personas["client_a"]) for n in range(2)}
        finally:
            owner.engine.dispose()
        yield Drill(home, server.pgdata, url, tokens)
    finally:
        embedded.stop(home)
        shutil.rmtree(home, ignore_errors=True)


def _sse_connections(http: httpx.Client) -> int:
    for line in http.get("/metrics").text.splitlines():
        if line.startswith("support_analytics_sse_connections "):
            return int(float(line.split()[1]))
    raise AssertionError("no support_analytics_sse_connections in /metrics")


def test_an_event_written_through_one_worker_reaches_a_stream_on_the_other(drill: Drill) -> None:
    token = drill.tokens["client_a"]
    with (
        serve(drill.url, workers=2) as served,
        httpx.Client(
            base_url=f"http://127.0.0.1:{served.port}", cookies={COOKIE_NAME: token}, timeout=10
        ) as http,
        ExitStack() as streams,
    ):
        base = f"http://127.0.0.1:{served.port}"
        # One keep-alive connection is served by one worker throughout ("this worker"): it
        # counts the streams it holds, so a stream it does not count is on the other one.
        here = _sse_connections(http)
        other: SseStream | None = None
        sessions = [token, drill.tokens["client_a_0"], drill.tokens["client_a_1"]]
        for attempt in range(12):  # at most 4 per session: under the cap of 6 per worker
            stream = streams.enter_context(sse(base, sessions[attempt % len(sessions)]))
            now = _sse_connections(http)
            if now == here:
                other = stream
                break
            here = now
        assert other is not None, "every stream landed on the worker of the keep-alive connection"
        answer = http.post(
            "/api/v1/tickets",
            json={
                "title": "across workers",
                "ticket_type_id": 1,
                "priority": "low",
                "message": "x",
            },
        )
        assert answer.status_code == 201, answer.text
        ticket = answer.json()["id"]
        assert _sse_connections(http) == here  # the write went through this worker
        other.wait(lambda frames: ticket in ticket_ids(frames), timeout=10)
    both_workers_started(served.text())  # and neither was lost or restarted meanwhile


def _stream_opens(base: str, token: str) -> bool:
    try:
        with httpx.stream(
            "GET", f"{base}/api/v1/events", cookies={COOKIE_NAME: token}, timeout=5
        ) as response:
            return response.status_code == 200
    except httpx.HTTPError:
        return False


def _restart(home: Path) -> None:
    """Start the killed server again, once its orphaned backends have gone (until then the
    old socket's lock file is still held)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            embedded.start(home)
            return
        except embedded.EmbeddedPostgresError:
            assert time.monotonic() < deadline, "the database did not start again"
            time.sleep(0.5)


def test_after_the_database_is_killed_and_restarted_a_reconnect_gets_every_missed_event(
    drill: Drill,
) -> None:
    token = drill.tokens["client_a"]
    with serving(drill.url) as base:
        with sse(base, token) as first:
            (seen,) = drill.new_tickets(CLIENT_A_ID)
            resume = last_id(first.wait(lambda frames: seen in ticket_ids(frames), timeout=10))
            before_kill = drill.new_tickets(CLIENT_A_ID, CLIENT_B_ID)
            first.wait(lambda frames: before_kill[0] in ticket_ids(frames), timeout=10)
            pidfile = drill.pgdata / "postmaster.pid"
            os.kill(int(pidfile.read_text().split("\n", 1)[0]), signal.SIGKILL)
            first.wait(lambda _: first.ended, timeout=15)  # the stream ends with the listener
        _restart(drill.home)
        after_restart = drill.new_tickets(CLIENT_B_ID, CLIENT_A_ID)
        deadline = time.monotonic() + 30
        while not _stream_opens(base, token):  # 503 until the listener is back
            assert time.monotonic() < deadline, "live streams did not come back"
            time.sleep(0.5)
        with sse(base, token, last_event_id=resume) as again:
            again.wait(lambda frames: after_restart[1] in ticket_ids(frames), timeout=10)
            (live,) = drill.new_tickets(CLIENT_A_ID)
            frames = again.wait(lambda frames: live in ticket_ids(frames), timeout=10)
            frames = again.settle(0.5)
    assert ticket_ids(frames) == [before_kill[0], after_restart[1], live]
    assert not any(frame.resync for frame in frames)
