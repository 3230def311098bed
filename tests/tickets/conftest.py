"""One database, app and set of personas per test module (not per test): the ticket tests
each create their own tickets and compare counts before and after, so they can share, and a
fresh clone + app + five users per test cost ~3.5 s each.

The fixtures keep the identity fixtures' names (`fresh_database`, `owner_database`,
`personas`, `auth_app`, `api_client_factory`) and override them for this folder only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from support_analytics.config import Settings
from support_analytics.db.engine import Database, connect
from support_analytics.web.app import create_app
from tests.conftest import PgServer
from tests.fixtures.auth import ApiClientFactory, Persona, TestUser, create_personas, sign_in

Count = Callable[[str], int]


@pytest.fixture(scope="module")
def fresh_database(pg_server: PgServer, template_database: str) -> Iterator[str]:
    with pg_server.scratch_database("sa_tickets", template=template_database) as url:
        yield url


@pytest.fixture(scope="module")
def owner_database(fresh_database: str) -> Iterator[Database]:
    database = connect(fresh_database, pool_size=2)
    try:
        yield database
    finally:
        database.engine.dispose()


@pytest.fixture(scope="module")
def personas(owner_database: Database) -> dict[Persona, TestUser]:
    return create_personas(owner_database)


@pytest.fixture(scope="module")
def auth_app(fresh_database: str) -> Iterator[FastAPI]:
    app = create_app(Settings(database_url=fresh_database))
    with TestClient(app):
        yield app


@pytest.fixture(scope="module")
def _signed_in(auth_app: FastAPI, personas: dict[Persona, TestUser]) -> Iterator[ApiClientFactory]:
    clients: dict[Persona, TestClient] = {}

    def factory(persona: Persona) -> TestClient:
        if persona not in clients:
            clients[persona] = (
                TestClient(auth_app, raise_server_exceptions=False)
                if persona == "anonymous"
                else sign_in(auth_app, personas[persona])
            )
        return clients[persona]

    yield factory
    for client in clients.values():
        client.close()


@pytest.fixture
def api_client_factory(_signed_in: ApiClientFactory) -> ApiClientFactory:
    """A signed-in TestClient per persona, shared by the module's tests (sessions persist)."""
    return _signed_in


@pytest.fixture
def client_a(api_client_factory: ApiClientFactory) -> TestClient:
    return api_client_factory("client_a")


@pytest.fixture
def client_b(api_client_factory: ApiClientFactory) -> TestClient:
    return api_client_factory("client_b")


@pytest.fixture
def agent(api_client_factory: ApiClientFactory) -> TestClient:
    return api_client_factory("agent")


@pytest.fixture
def count(owner_database: Database) -> Count:
    """`count("tickets")`: rows as the owner sees them (RLS bypassed), for before/after."""

    def rows(table: str) -> int:
        with owner_database.engine.connect() as conn:
            return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())

    return rows


NEW_TICKET = {
    "title": "Printer on fire",
    "ticket_type_id": 1,
    "priority": "high",
    "message": "It is on fire. Please advise.",
}


def create(client: TestClient, **overrides: object) -> dict[str, object]:
    response = client.post("/api/v1/tickets", json={**NEW_TICKET, **overrides})
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body
