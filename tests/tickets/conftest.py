"""Signed-in API clients per persona, and owner-side counting to prove what was (not) written."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from support_analytics.db.engine import Database

Count = Callable[[str], int]


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
