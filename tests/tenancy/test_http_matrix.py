"""The API-reachable cells of the same expectations table (matrix.py), over HTTP: each case
signs the persona in afresh, makes the request the app offers for that table and operation,
and reads back what actually happened. Bodies carry forged tenant/role fields where a route
takes a body, so "ignored, never trusted" is checked on every write."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from support_analytics.config import Settings
from support_analytics.db.engine import Database, connect
from support_analytics.tenancy.connection import connect_for_requests
from support_analytics.tenancy.scope import owner_transaction
from support_analytics.web.app import create_app
from tests.conftest import PgServer
from tests.fixtures.auth import PASSWORD
from tests.tenancy.conftest import build_world
from tests.tenancy.matrix import Case, MatrixPersona, World, cases

Params = Mapping[str, object]


@dataclass(frozen=True)
class Http:
    app: FastAPI
    owner: Database
    world: World


Probe = Callable[[TestClient, Params, Http], str]


def _scalar(http: Http, sql: str, params: Params) -> int:
    with owner_transaction(http.owner) as session:
        return int(session.execute(text(sql), dict(params)).scalar_one())


def _tickets_select(client: TestClient, p: Params, http: Http) -> str:
    response = client.get("/api/v1/tickets", params={"page_size": 1})
    if response.status_code != 200:
        return "-"
    total = response.json()["total"]
    everything = _scalar(http, "SELECT count(*) FROM tickets", p)
    own = _scalar(http, "SELECT count(*) FROM tickets WHERE client_id = :client", p)
    other_visible = client.get(f"/api/v1/tickets/{p['other_ticket']}").status_code == 200
    if total == everything and other_visible:
        return "all"
    if total == own and not other_visible:
        return "own"
    return f"total={total}"


def _messages_select(client: TestClient, p: Params, http: Http) -> str:
    own = client.get(f"/api/v1/tickets/{p['ticket']}")
    other = client.get(f"/api/v1/tickets/{p['other_ticket']}")
    if own.status_code != 200:
        return "-"
    if not own.json()["messages"]:
        return "no messages to compare"
    return "all" if other.status_code == 200 else ("own" if other.status_code == 404 else "?")


def _sla_select(client: TestClient, p: Params, http: Http) -> str:
    """The portal's promise reads `ticket_sla` (the ticket's `promises`)."""
    own = client.get(f"/api/v1/tickets/{p['ticket']}")
    if own.status_code != 200:
        return "-"
    if not own.json()["promises"]:
        return "no promises to compare"
    other = client.get(f"/api/v1/tickets/{p['other_ticket']}")
    if other.status_code == 200 and other.json()["promises"]:
        return "all"
    return "own" if other.status_code == 404 else "?"


def _create_ticket(client: TestClient, p: Params, extra: Mapping[str, object]) -> str:
    body = {"title": "http matrix", "ticket_type_id": 1, "priority": "low", "message": "hi"}
    response = client.post("/api/v1/tickets", json={**body, **extra})
    return "-" if response.status_code != 201 else str(response.json()["client_id"])


def _tickets_insert(client: TestClient, p: Params, http: Http) -> str:
    return "ok" if _create_ticket(client, p, {}) == str(p["client"]) else "-"


def _tickets_insert_other(client: TestClient, p: Params, http: Http) -> str:
    made = _create_ticket(client, p, {"client_id": p["other_client"]})
    return "ok" if made == str(p["other_client"]) else "-"


def _tickets_insert_preset(client: TestClient, p: Params, http: Http) -> str:
    extra = {"status": "resolved", "assigned_to": 1, "resolved_at": "2025-01-01T00:00:00Z"}
    body = {"title": "http preset", "ticket_type_id": 1, "priority": "low", "message": "x"}
    response = client.post("/api/v1/tickets", json={**body, **extra})
    if response.status_code != 201:
        return "-"
    ticket = response.json()
    preset = ticket["status"] != "open" or ticket["assigned_to"] is not None
    return "ok" if preset or ticket["resolved_at"] is not None else "-"


def _tickets_update(client: TestClient, p: Params, http: Http) -> str:
    response = client.patch(f"/api/v1/tickets/{p['ticket']}", json={"priority": "urgent"})
    return "ok" if response.status_code == 200 else "-"


def _message(
    client: TestClient, ticket: object, extra: Mapping[str, object]
) -> dict[str, object] | None:
    response = client.post(f"/api/v1/tickets/{ticket}/messages", json={"text": "hi", **extra})
    return response.json() if response.status_code == 201 else None


def _messages_insert(client: TestClient, p: Params, http: Http) -> str:
    return "ok" if _message(client, p["ticket"], {}) else "-"


def _messages_insert_other(client: TestClient, p: Params, http: Http) -> str:
    return "ok" if _message(client, p["other_ticket"], {}) else "-"


def _messages_impersonate(client: TestClient, p: Params, http: Http) -> str:
    forged = {"from_client": False, "from_team_member_id": p["someone_else"]}
    message = _message(client, p["ticket"], forged)
    return "ok" if message and message["from_team_member_id"] == p["someone_else"] else "-"


def _feedback(client: TestClient, ticket: object) -> str:
    response = client.post(
        f"/api/v1/tickets/{ticket}/feedback", json={"rating": 5, "text": "http matrix"}
    )
    return "ok" if response.status_code == 201 else "-"


def _users_select(client: TestClient, p: Params, http: Http) -> str:
    listing = client.get("/api/v1/admin/users")
    if listing.status_code == 200:
        everything = _scalar(http, "SELECT count(*) FROM users", p)
        return "all" if len(listing.json()["rows"]) == everything else "?"
    me = client.get("/api/v1/me")
    return "own" if me.status_code == 200 and me.json()["id"] == p["self_user"] else "-"


def _users_insert(client: TestClient, p: Params, http: Http) -> str:
    body = {
        "email": f"http-{uuid.uuid4().hex[:8]}@tests.example",
        "role": "agent",
        "team_member_id": 11,
    }
    return "ok" if client.post("/api/v1/admin/users", json=body).status_code == 201 else "-"


def _users_update(client: TestClient, p: Params, http: Http) -> str:
    response = client.patch(f"/api/v1/admin/users/{p['victim_user']}", json={"role": "admin"})
    return "ok" if response.status_code == 200 else "-"


def _sessions_update(client: TestClient, p: Params, http: Http) -> str:
    response = client.post(f"/api/v1/admin/users/{p['victim_user']}/revoke-sessions")
    return "ok" if response.status_code == 200 else "-"


def _sessions_update_self(client: TestClient, p: Params, http: Http) -> str:
    before = client.get("/api/v1/me").status_code
    client.post("/api/v1/auth/logout")
    after = client.get("/api/v1/me").status_code
    return "ok" if (before, after) == (200, 401) else "-"


def _tokens_insert(client: TestClient, p: Params, http: Http) -> str:
    response = client.post(f"/api/v1/admin/users/{p['victim_user']}/reset-link")
    return "ok" if response.status_code == 201 else "-"


PROBES: dict[tuple[str, str], Probe] = {
    ("tickets", "select"): _tickets_select,
    ("tickets", "insert"): _tickets_insert,
    ("tickets", "insert_other_tenant"): _tickets_insert_other,
    ("tickets", "insert_preset"): _tickets_insert_preset,
    ("tickets", "update"): _tickets_update,
    ("ticket_messages", "select"): _messages_select,
    ("ticket_sla", "select"): _sla_select,
    ("ticket_messages", "insert"): _messages_insert,
    ("ticket_messages", "insert_other_tenant"): _messages_insert_other,
    ("ticket_messages", "insert_impersonate"): _messages_impersonate,
    ("ticket_feedback", "insert"): lambda c, p, h: _feedback(c, p["resolved"]),
    ("ticket_feedback", "insert_other_tenant"): lambda c, p, h: _feedback(c, p["other_resolved"]),
    ("ticket_feedback", "insert_unresolved"): lambda c, p, h: _feedback(c, p["ticket"]),
    ("users", "select"): _users_select,
    ("users", "insert"): _users_insert,
    ("users", "update"): _users_update,
    ("sessions", "update"): _sessions_update,
    ("sessions", "update_self"): _sessions_update_self,
    ("auth_tokens", "insert"): _tokens_insert,
}
HTTP_PERSONAS: tuple[MatrixPersona, ...] = (
    "anonymous",
    "client_a",
    "client_b",
    "agent",
    "manager",
    "admin",
)
HTTP_CASES = [
    case for case in cases() if (case.table, case.op) in PROBES and case.persona in HTTP_PERSONAS
]


@pytest.fixture(scope="module")
def http(pg_server: PgServer, template_database: str) -> Iterator[Http]:
    with pg_server.scratch_database("sa_http", template=template_database) as url:
        owner = connect(url, pool_size=2)
        requests = connect_for_requests(url, pool_size=2)
        app = create_app(Settings(database_url=url))
        try:
            with TestClient(app):
                yield Http(app=app, owner=owner, world=build_world(owner, requests))
        finally:
            owner.engine.dispose()
            requests.engine.dispose()


def _signed_in(http: Http, persona: MatrixPersona) -> TestClient:
    client = TestClient(http.app, raise_server_exceptions=False)
    if persona != "anonymous":
        response = client.post(
            "/api/v1/auth/login",
            json={"email": f"{persona}@tests.example", "password": PASSWORD},
        )
        assert response.status_code == 200, response.text
    return client


def test_every_probe_has_a_row_in_the_table() -> None:
    assert {(c.table, c.op) for c in HTTP_CASES} == set(PROBES)
    assert len(HTTP_CASES) == len(PROBES) * len(HTTP_PERSONAS)


@pytest.mark.parametrize("case", HTTP_CASES, ids=[c.id for c in HTTP_CASES])
def test_http_case(http: Http, case: Case) -> None:
    params = http.world.params[case.persona]
    client = _signed_in(http, case.persona)  # no `with`: that would rerun the app's lifespan
    try:
        observed = PROBES[(case.table, case.op)](client, params, http)
    finally:
        client.close()
    assert observed == case.expected
