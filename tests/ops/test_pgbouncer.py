"""The HTTP suite's core through Debian's PgBouncer in transaction mode.

Every request transaction may land on a different server connection, so nothing a request
relies on may outlive its transaction (`SET LOCAL ROLE` and the session claim are
transaction-local) and psycopg must not prepare statements server-side (a prepared name
would be missing on the next server connection). LISTEN needs its own session, so it gets a
direct connection (SUPPORT_ANALYTICS_LISTEN_URL).
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg

from support_analytics.auth.sessions import COOKIE_NAME
from support_analytics.db.embedded import SUPERUSER
from support_analytics.db.engine import Database, libpq_url
from support_analytics.tenancy.connection import AUTHENTICATOR
from tests.fixtures.auth import CLIENT_A_ID, CLIENT_B_ID, Persona, TestUser
from tests.live.serving import serving
from tests.live.test_events_endpoint import Line, _listen, _wait_for
from tests.ops import pgbouncer

ANALYTICS = (
    "overview",
    "tickets-over-time",
    "team-performance",
    "ticket-types",
    "priorities",
    "clients",
    "resolution-times",
    "overdue",
    "responsiveness",
)


def _sign_in(base: str, user: TestUser) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=10)
    response = client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": user.password}
    )
    assert response.status_code == 200, response.text
    return client


def test_the_http_core_runs_through_pgbouncer_in_transaction_mode(
    fresh_database: str, owner_database: Database, personas: dict[Persona, TestUser]
) -> None:
    owner = str(owner_database.engine.url.username or SUPERUSER)
    with (
        pgbouncer.running(fresh_database, (owner, AUTHENTICATOR)) as bouncer,
        serving(bouncer.url(fresh_database), listen_url=fresh_database) as base,
    ):
        manager = _sign_in(base, personas["manager"])
        client_a = _sign_in(base, personas["client_a"])
        client_b = _sign_in(base, personas["client_b"])
        assert manager.get("/api/v1/me").json()["role"] == "manager"
        assert client_a.get("/api/v1/me").json()["client_id"] == CLIENT_A_ID

        # Four app connections share two server connections (the pooler's pool size), each
        # statement more often than psycopg's prepare threshold (5): a statement prepared on
        # one server connection would be missing on, or clash with, the next one.
        def analytics_round(_: int) -> list[tuple[str, int]]:
            return [
                (name, manager.get(f"/api/v1/analytics/{name}").status_code) for name in ANALYTICS
            ]

        with ThreadPoolExecutor(4) as pool:
            rounds = list(pool.map(analytics_round, range(8)))
        assert {status for round_ in rounds for _, status in round_} == {200}, rounds
        assert client_a.get("/api/v1/analytics/overview").status_code == 403

        stop = threading.Event()
        lines: queue.Queue[Line] = queue.Queue()
        token = client_a.cookies[COOKIE_NAME]
        threading.Thread(
            target=_listen, args=(f"{base}/api/v1/events", token, lines, stop), daemon=True
        ).start()
        _wait_for(lines, ": connected", 10)

        created = client_a.post(
            "/api/v1/tickets",
            json={
                "title": "through the pooler",
                "ticket_type_id": 1,
                "priority": "low",
                "message": "hello",
            },
        )
        assert created.status_code == 201, created.text
        ticket = created.json()["id"]
        assert created.json()["client_id"] == CLIENT_A_ID
        _wait_for(lines, f'"ticket_id":{ticket}', 5)
        stop.set()

        reply = client_a.post(f"/api/v1/tickets/{ticket}/messages", json={"text": "more"})
        assert reply.status_code == 201, reply.text
        # Row-level security between two clients, many times over pooled server connections
        # that the other client's transactions used just before.
        for _ in range(6):
            assert client_b.get(f"/api/v1/tickets/{ticket}").status_code == 404
            listed = client_b.get("/api/v1/tickets", params={"page_size": 100}).json()
            assert {row["client_id"] for row in listed["rows"]} == {CLIENT_B_ID}
            assert client_a.get(f"/api/v1/tickets/{ticket}").status_code == 200
        assert len(client_a.get(f"/api/v1/tickets/{ticket}").json()["messages"]) == 2
        for client in (manager, client_a, client_b):
            client.close()
    with psycopg.connect(libpq_url(fresh_database)) as conn:
        found = conn.execute(
            "SELECT count(*) FROM tickets WHERE title = 'through the pooler'"
        ).fetchone()
    assert found == (1,)
