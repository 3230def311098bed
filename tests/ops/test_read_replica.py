"""SUPPORT_ANALYTICS_DATABASE_READ_URL against a real streaming-replication standby:
analytics, dashboard and ticket-list reads run there (row-level security included), writes
and sign-in stay on the primary, the freshness line shows the replay lag, and a standby that
falls behind the limit or goes away sends reads back to the primary, saying so."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Protocol

import psycopg
from fastapi.testclient import TestClient

from support_analytics.config import Settings
from support_analytics.db import migrate
from support_analytics.db.engine import connect
from support_analytics.tenancy.connection import AUTHENTICATOR
from support_analytics.tenancy.replica import HEADER
from support_analytics.web.app import create_app
from tests.fixtures.auth import CLIENT_A_ID, CLIENT_B_ID, create_personas, sign_in
from tests.ops import standby as replication

DATABASE = "sa_replica"
MAX_LAG = 0.5
MINIMAL_DATA = """
INSERT INTO clients (id, client_name, email) VALUES (1, 'A', 'a@x.test'), (2, 'B', 'b@x.test');
INSERT INTO team_members (id, username, email, department)
VALUES (1, 'admin', 'admin@x.test', 'support'), (2, 'manager', 'manager@x.test', 'support'),
       (3, 'agent', 'agent@x.test', 'support');
INSERT INTO ticket_types (id, type_name, department, priority)
VALUES (1, 'Question', 'support', 'low');
INSERT INTO tickets (client_id, ticket_type_id, priority, title)
SELECT 1 + n % 2, 1, 'low', 'replicated ' || n FROM generate_series(1, 9) AS n;
"""


def _until(check: Callable[[], bool], what: str, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"not within {seconds}s: {what}"
        time.sleep(0.1)


class _Response(Protocol):
    @property
    def status_code(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def headers(self) -> Mapping[str, str]: ...


def _source(response: _Response) -> str:
    assert response.status_code == 200, response.text
    return response.headers.get(HEADER, "")


def test_reads_on_the_standby_with_lag_shown_and_fallback_to_the_primary() -> None:
    with replication.primary_and_standby() as (primary, standby):
        with psycopg.connect(primary.libpq("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
        migrate.upgrade(primary.url(DATABASE))
        owner = connect(primary.url(DATABASE), pool_size=1)
        with psycopg.connect(primary.libpq(DATABASE), autocommit=True) as conn:
            conn.execute(MINIMAL_DATA.encode())
            conn.execute("SELECT setval('tickets_id_seq', 100)")
        personas = create_personas(owner)
        owner.engine.dispose()
        with psycopg.connect(standby.libpq(DATABASE), autocommit=True) as replica:

            def replayed_users() -> bool:
                row = replica.execute("SELECT count(*) FROM users").fetchone()
                return row is not None and row[0] == len(personas)

            _until(replayed_users, "the standby replays the users")
            settings = Settings(
                database_url=primary.url(DATABASE),
                database_read_url=standby.url(DATABASE, user=AUTHENTICATOR),
                read_max_lag_seconds=MAX_LAG,
            )
            app = create_app(settings)
            with TestClient(app):
                manager = sign_in(app, personas["manager"])
                client_a = sign_in(app, personas["client_a"])
                client_b = sign_in(app, personas["client_b"])

                # Routing: analytics, the dashboard and the ticket list read on the standby
                # (once it has replayed the sign-ins; until then they read on the primary).
                _until(
                    lambda: _source(client_b.get("/api/v1/tickets")).startswith("standby"),
                    "the standby knows the newest session",
                )
                assert _source(manager.get("/api/v1/analytics/overview")).startswith("standby")
                assert HEADER not in manager.get("/api/v1/me").headers
                page = manager.get("/dashboard")
                assert _source(page).startswith("standby")
                assert "read from a standby" in page.text
                assert "s behind the primary" in page.text

                metrics = TestClient(app, client=("127.0.0.1", 5000)).get("/metrics").text
                assert 'support_analytics_db_pool_idle{pool="read"}' in metrics

                # Row-level security holds on the standby.
                for client, own, total in ((client_a, CLIENT_A_ID, 4), (client_b, CLIENT_B_ID, 5)):
                    listed = client.get("/api/v1/tickets")
                    assert _source(listed).startswith("standby")
                    assert {row["client_id"] for row in listed.json()["rows"]} == {own}
                    assert listed.json()["total"] == total

                # A write goes to the primary and shows up on the standby after replay.
                created = client_a.post(
                    "/api/v1/tickets",
                    json={
                        "title": "written on the primary",
                        "ticket_type_id": 1,
                        "priority": "low",
                        "message": "hi",
                    },
                )
                assert created.status_code == 201, created.text
                assert HEADER not in created.headers
                _until(
                    lambda: any(
                        row["title"] == "written on the primary"
                        for row in client_a.get("/api/v1/tickets").json()["rows"]
                    ),
                    "the new ticket is listed from the standby",
                )

                # Behind the limit: replay paused while the primary writes.
                replica.execute("SELECT pg_wal_replay_pause()")
                with psycopg.connect(primary.libpq(DATABASE), autocommit=True) as conn:
                    conn.execute(
                        "INSERT INTO tickets (client_id, ticket_type_id, priority, title) "
                        "VALUES (1, 1, 'low', 'while paused')"
                    )
                _until(
                    lambda: (
                        "behind (limit 0.5 s)" in _source(manager.get("/api/v1/analytics/overview"))
                    ),
                    "reads fall back to the primary while the standby is behind",
                )
                page = manager.get("/dashboard")
                assert _source(page).startswith("primary")
                assert "read from the primary: the standby is" in page.text
                titles = [r["title"] for r in client_a.get("/api/v1/tickets").json()["rows"]]
                assert "while paused" in titles  # read on the primary
                replica.execute("SELECT pg_wal_replay_resume()")
                _until(
                    lambda: _source(manager.get("/api/v1/analytics/overview")).startswith(
                        "standby"
                    ),
                    "reads return to the standby once it caught up",
                )

            # Away: the standby stops; reads carry on from the primary.
            standby.stop()
            with TestClient(app):
                manager = sign_in(app, personas["manager"])
                _until(
                    lambda: "unreachable" in _source(manager.get("/api/v1/analytics/overview")),
                    "reads fall back to the primary while the standby is away",
                )
                assert _source(manager.get("/api/v1/tickets")).startswith("primary")
