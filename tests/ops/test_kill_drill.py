"""Drill: the database is killed (`kill -9` of the postmaster) under a write load and started
again, with the app left running. While it is away writes are answered 503 with Retry-After
(never a 500); writers retry with the same Idempotency-Key; afterwards every write that was
acknowledged with 201 exists, and none exists twice."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import psycopg
import pytest

from support_analytics.auth.sessions import COOKIE_NAME
from support_analytics.db import embedded, migrate
from support_analytics.db.engine import connect, libpq_url
from tests.conftest import PgServer
from tests.fixtures.auth import create_personas, open_session
from tests.load.harness import server_process
from tests.ops.test_read_replica import MINIMAL_DATA

pytestmark = pytest.mark.timeout(280)

WRITERS = 4
BEFORE_KILL = 12  # acknowledged writes before the kill
AFTER_RESTART = 12  # acknowledged writes after the restart
BOUND = 60.0


class Writers:
    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.token = token
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acknowledged: list[str] = []
        self.statuses: Counter[str] = Counter()
        self.wrong: list[str] = []
        self.unavailable_at: list[float] = []  # when each 503 came

    def run(self, writer: int) -> None:
        with httpx.Client(
            base_url=self.base, cookies={COOKIE_NAME: self.token}, timeout=10
        ) as http:
            number = 0
            while not self.stop.is_set():
                key = f"drill-{writer}-{number}"
                while not self.stop.is_set() and not self._write(http, key):
                    time.sleep(0.2)  # the same key again, as a client honouring Retry-After
                number += 1

    def _write(self, http: httpx.Client, key: str) -> bool:
        try:
            response = http.post(
                "/api/v1/tickets",
                json={"title": key, "ticket_type_id": 1, "priority": "low", "message": "drill"},
                headers={"Idempotency-Key": key},
            )
        except httpx.TransportError as exc:
            with self.lock:
                self.statuses[type(exc).__name__] += 1
            return False
        with self.lock:
            self.statuses[str(response.status_code)] += 1
            if response.status_code == 201:
                self.acknowledged.append(key)
                return True
            if response.status_code == 503:
                self.unavailable_at.append(time.monotonic())
            if response.status_code != 503 or not response.headers.get("retry-after"):
                self.wrong.append(f"{response.status_code} {response.text[:200]}")
        return False

    def count(self) -> int:
        with self.lock:
            return len(self.acknowledged)

    def wait_for(self, total: int, what: str) -> None:
        deadline = time.monotonic() + BOUND
        while self.count() < total:
            assert time.monotonic() < deadline, f"{what}: {self.statuses}"
            time.sleep(0.1)


def test_kill_9_under_write_load_loses_and_duplicates_no_acknowledged_write() -> None:
    home = Path(tempfile.mkdtemp(prefix="sa-kill-", dir="/tmp"))
    try:
        server, _ = embedded.start(home)
        url = PgServer(server.url("postgres")).create_database("sa_drill")
        migrate.upgrade(url)
        with psycopg.connect(libpq_url(url), autocommit=True) as conn:
            conn.execute(MINIMAL_DATA.encode())
        owner = connect(url, pool_size=1)
        try:
            token = open_session(owner, create_personas(owner)["client_a"])
        finally:
            owner.engine.dispose()

        with server_process(url) as port:
            writers = Writers(f"http://127.0.0.1:{port}", token)
            threads = [
                threading.Thread(target=writers.run, args=(n,), daemon=True) for n in range(WRITERS)
            ]
            for thread in threads:
                thread.start()
            try:
                writers.wait_for(BEFORE_KILL, "writes before the kill")
                postmaster = int((server.pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
                os.kill(postmaster, signal.SIGKILL)
                killed_at = writers.count()
                time.sleep(2)  # writes keep coming while it is away
                embedded.start(home)
                writers.wait_for(killed_at + AFTER_RESTART, "writes after the restart")
            finally:
                writers.stop.set()
                for thread in threads:
                    thread.join(timeout=15)

        with psycopg.connect(libpq_url(url)) as conn:
            rows = conn.execute(
                "SELECT title, count(*) FROM tickets WHERE title LIKE 'drill-%' GROUP BY title"
            ).fetchall()
    finally:
        embedded.stop(home)
        shutil.rmtree(home, ignore_errors=True)

    stored = {str(title): int(n) for title, n in rows}
    away = max(writers.unavailable_at, default=0.0) - min(writers.unavailable_at, default=0.0)
    print(  # the figures docs/operations.md quotes
        f"drill: {dict(writers.statuses)}, 503s over {away:.1f} s, "
        f"{len(writers.acknowledged)} acknowledged, {len(stored)} stored"
    )
    assert writers.wrong == []
    assert writers.statuses["503"] > 0  # it really was away while writes came in
    assert "ReadTimeout" not in writers.statuses  # answered, never left hanging
    assert {key for key in writers.acknowledged if key not in stored} == set()
    assert {key: n for key, n in stored.items() if n > 1} == {}
