"""Bulk changes from the inbox (issue 11): `POST /api/v1/tickets/bulk` applies one status and/or
assignee to many tickets through the single-ticket update, in one transaction, and the inbox
form posts to `/tickets/bulk`, which answers 303 back to the same filtered list."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import bindparam, text

from support_analytics.db.engine import Database
from support_analytics.tickets.status import Status, Timestamps, consistent
from tests.fixtures.auth import AGENT_TEAM_MEMBER_ID, ApiClientFactory
from tests.tickets.conftest import create

Stored = tuple[str, int | None, datetime | None, datetime | None]
MISSING = 2_000_000_000


def _stored(owner: Database, ids: list[int]) -> dict[int, Stored]:
    """Status, assignee and timestamps as the owner sees them (RLS bypassed)."""
    with owner.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT id, status, assigned_to, resolved_at, closed_at FROM tickets"
                " WHERE id IN :ids"
            ).bindparams(bindparam("ids", expanding=True)),
            {"ids": ids},
        )
        return {r.id: (r.status, r.assigned_to, r.resolved_at, r.closed_at) for r in rows}


def _new_tickets(api_client_factory: ApiClientFactory, n: int) -> list[int]:
    client_a = api_client_factory("client_a")
    return [int(str(create(client_a, title=f"Bulk {i}")["id"])) for i in range(n)]


def test_bulk_update_changes_every_ticket_with_consistent_timestamps(
    api_client_factory: ApiClientFactory, owner_database: Database
) -> None:
    agent = api_client_factory("agent")
    ids = _new_tickets(api_client_factory, 3)

    response = agent.post(
        "/api/v1/tickets/bulk",
        json={"ids": [*ids, ids[0]], "status": "resolved", "assigned_to": AGENT_TEAM_MEMBER_ID},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["updated"] == 3
    assert [r["id"] for r in body["rows"]] == ids
    stored = _stored(owner_database, ids)
    assert {s[0] for s in stored.values()} == {"resolved"}
    assert {s[1] for s in stored.values()} == {AGENT_TEAM_MEMBER_ID}
    resolved_at = {s[2] for s in stored.values()}
    assert len(resolved_at) == 1  # one transaction, one instant
    assert None not in resolved_at
    assert all(consistent(Status(s[0]), Timestamps(s[2], s[3])) for s in stored.values())

    closed = agent.post("/api/v1/tickets/bulk", json={"ids": ids, "status": "closed"})
    assert closed.status_code == 200, closed.text
    stored = _stored(owner_database, ids)
    assert all(s[0] == "closed" and s[2] in resolved_at for s in stored.values())
    assert all(consistent(Status(s[0]), Timestamps(s[2], s[3])) for s in stored.values())

    reopened = agent.post(
        "/api/v1/tickets/bulk", json={"ids": ids, "status": "open", "assigned_to": None}
    )
    assert reopened.status_code == 200, reopened.text
    assert set(_stored(owner_database, ids).values()) == {("open", None, None, None)}


def test_a_bad_id_writes_nothing(
    api_client_factory: ApiClientFactory, owner_database: Database
) -> None:
    agent = api_client_factory("agent")
    ids = _new_tickets(api_client_factory, 2)
    before = _stored(owner_database, ids)

    missing = agent.post(
        "/api/v1/tickets/bulk", json={"ids": [*ids, MISSING], "status": "in_progress"}
    )
    assert missing.status_code == 404, missing.text
    assert missing.json()["error"]["message"].startswith("ids[2]: ")
    assert str(MISSING) not in missing.text
    assert _stored(owner_database, ids) == before

    agent.patch(f"/api/v1/tickets/{ids[1]}", json={"status": "closed"})
    before = _stored(owner_database, ids)
    stuck = agent.post("/api/v1/tickets/bulk", json={"ids": ids, "status": "resolved"})
    assert stuck.status_code == 409, stuck.text
    assert stuck.json()["error"]["message"].startswith("ids[1]: ")
    assert _stored(owner_database, ids) == before

    nobody = agent.post("/api/v1/tickets/bulk", json={"ids": ids, "assigned_to": MISSING})
    assert nobody.status_code == 422
    assert [f["name"] for f in nobody.json()["error"]["fields"]] == ["assigned_to"]
    assert _stored(owner_database, ids) == before


def test_a_client_gets_403_and_changes_nothing(
    api_client_factory: ApiClientFactory, owner_database: Database
) -> None:
    ids = _new_tickets(api_client_factory, 1)
    before = _stored(owner_database, ids)
    response = api_client_factory("client_a").post(
        "/api/v1/tickets/bulk", json={"ids": ids, "status": "closed"}
    )
    assert response.status_code == 403, response.text
    assert _stored(owner_database, ids) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ids": [], "status": "open"}, "ids"),
        ({"ids": list(range(1, 202)), "status": "open"}, "ids"),
        ({"ids": [1, "2"], "status": "open"}, "ids"),
        ({"ids": [0], "status": "open"}, "ids"),
        ({"ids": [1], "status": "done"}, "status"),
        ({"ids": [1]}, "status"),
        ({"status": "open"}, "ids"),
    ],
)
def test_bad_bodies_are_422_naming_the_field(
    api_client_factory: ApiClientFactory, body: dict[str, object], field: str
) -> None:
    response = api_client_factory("agent").post("/api/v1/tickets/bulk", json=body)
    assert response.status_code == 422, response.text
    names = {f["name"].split(".")[0].split("[")[0] for f in response.json()["error"]["fields"]}
    assert names == {field}


def test_the_inbox_form_changes_the_selection_and_303s_to_the_same_list(
    api_client_factory: ApiClientFactory, owner_database: Database
) -> None:
    agent = api_client_factory("agent")
    ids = _new_tickets(api_client_factory, 2)
    listing = "/tickets?status=open&q=Bulk&page=1"
    page = agent.get(listing)
    assert page.status_code == 200
    assert 'action="/tickets/bulk"' in page.text
    assert f'name="ids" value="{ids[0]}"' in page.text

    form = {"ids": [str(i) for i in ids], "status": "in_progress", "assigned_to": "unassigned"}
    response = agent.post("/tickets/bulk", data={**form, "back": listing}, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == listing
    assert set(_stored(owner_database, ids).values()) == {("in_progress", None, None, None)}

    kept = agent.post(
        "/tickets/bulk",
        data={
            "ids": [str(ids[0])],
            "status": "",
            "assigned_to": str(AGENT_TEAM_MEMBER_ID),
            "back": "https://evil.example/tickets?x=1",
        },
        follow_redirects=False,
    )
    assert kept.status_code == 303
    assert kept.headers["location"] == "/tickets?x=1"
    assert _stored(owner_database, ids)[ids[0]][:2] == ("in_progress", AGENT_TEAM_MEMBER_ID)

    before = _stored(owner_database, ids)
    missing = agent.post(
        "/tickets/bulk",
        data={"ids": [str(ids[1]), "999999999"], "status": "closed", "back": listing},
        follow_redirects=False,
    )
    assert missing.status_code == 404
    assert "ids[1]: Ticket not found" in missing.text
    assert _stored(owner_database, ids) == before

    refused = agent.post(
        "/tickets/bulk", data={"ids": ["x"], "status": "open"}, follow_redirects=False
    )
    assert refused.status_code == 422
    assert (
        api_client_factory("client_a")
        .post("/tickets/bulk", data=form, follow_redirects=False)
        .status_code
        == 403
    )
