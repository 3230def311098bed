"""Saved dashboard views: CRUD over /api/v1/views and the dashboard header's panel; a private
view is invisible to everyone else, in SQL under the request role and over HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import CursorResult, text

from support_analytics.db.engine import Database
from support_analytics.tenancy.connection import connect_for_requests
from support_analytics.tenancy.scope import request_transaction
from tests.fixtures.auth import ApiClientFactory, Persona, TestUser, open_session

STATE = "/dashboard/team?status=open&priority=high"


def _save(client: TestClient, name: str, url: str = STATE, **extra: object) -> dict[str, object]:
    response = client.post("/api/v1/views", json={"name": name, "url": url, **extra})
    assert response.status_code == 201, response.text
    body = response.json()
    assert isinstance(body, dict)
    return body


def _names(client: TestClient) -> list[str]:
    response = client.get("/api/v1/views")
    assert response.status_code == 200, response.text
    return [row["name"] for row in response.json()["rows"]]


def test_private_views_are_the_owners_and_shared_views_everyones(
    api_client_factory: ApiClientFactory,
) -> None:
    agent, manager = api_client_factory("agent"), api_client_factory("manager")
    mine = _save(agent, "My open highs")
    assert mine["url"] == STATE
    assert (mine["shared"], mine["mine"], mine["is_default"]) == (False, True, False)
    team = _save(manager, "Team board", "/dashboard?date=last-30-days", shared=True)

    assert _names(agent) == ["My open highs", "Team board"]
    assert _names(manager) == ["Team board"]
    # Another's private view does not exist for you; a shared one you cannot change.
    assert manager.get(f"/api/v1/views/{mine['id']}").status_code in {404, 405}
    assert manager.patch(f"/api/v1/views/{mine['id']}", json={"name": "x"}).status_code == 404
    assert manager.delete(f"/api/v1/views/{mine['id']}").status_code == 404
    refused = agent.patch(f"/api/v1/views/{team['id']}", json={"name": "mine now"})
    assert refused.status_code == 403
    assert agent.delete(f"/api/v1/views/{team['id']}").status_code == 403

    renamed = agent.patch(f"/api/v1/views/{mine['id']}", json={"name": "Highs", "shared": True})
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["name"], renamed.json()["shared"]) == ("Highs", True)
    assert "Highs" in _names(manager)
    assert agent.delete(f"/api/v1/views/{mine['id']}").status_code == 204
    assert _names(manager) == ["Team board"]


def test_one_default_per_user_own_or_shared(api_client_factory: ApiClientFactory) -> None:
    agent, manager = api_client_factory("agent"), api_client_factory("manager")
    own = _save(agent, "Own", default=True)
    assert own["is_default"] is True
    private = _save(manager, "Manager only")
    shared = _save(manager, "Shared", shared=True)

    response = agent.put("/api/v1/views/default", json={"view_id": shared["id"]})
    assert response.status_code == 200, response.text
    defaults = [row["name"] for row in response.json()["rows"] if row["is_default"]]
    assert defaults == ["Shared"]
    assert agent.put("/api/v1/views/default", json={"view_id": private["id"]}).status_code == 404
    cleared = agent.put("/api/v1/views/default", json={"view_id": None})
    assert [row for row in cleared.json()["rows"] if row["is_default"]] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "", "url": STATE}, "name"),
        ({"name": "   ", "url": STATE}, "name"),
        ({"name": "x" * 81, "url": STATE}, "name"),
        ({"name": "ok", "url": "/tickets?status=open"}, "url"),
        ({"name": "ok", "url": "https://evil.example/admin"}, "url"),
        ({"name": "ok"}, "url"),
        ({"name": "a\u0000b", "url": STATE}, "name"),
        ({"name": "ok", "url": "/dashboard?q=a\u0000"}, "url"),
        ({"name": "ok", "url": STATE, "owner_id": 1}, "owner_id"),
        ({"name": "ok", "url": STATE, "shared": "maybe"}, "shared"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(
    api_client_factory: ApiClientFactory, body: dict[str, object], field: str
) -> None:
    agent = api_client_factory("agent")
    response = agent.post("/api/v1/views", json=body)
    assert response.status_code == 422, response.text
    assert field in response.text
    assert _names(agent) == []


def test_a_duplicate_name_is_a_409_naming_the_field(api_client_factory: ApiClientFactory) -> None:
    agent = api_client_factory("agent")
    first = _save(agent, "Mine")
    other = _save(agent, "Other")
    assert agent.post("/api/v1/views", json={"name": "Mine", "url": STATE}).status_code == 409
    clash = agent.patch(f"/api/v1/views/{other['id']}", json={"name": "Mine"})
    assert clash.status_code == 409
    assert "name: you already have a view with this name" in clash.text
    assert sorted(_names(agent)) == ["Mine", "Other"]
    assert first["id"] != other["id"]


@pytest.mark.parametrize(("persona", "status"), [("anonymous", 401), ("client_a", 403)])
def test_clients_and_strangers_have_no_views(
    api_client_factory: ApiClientFactory, persona: Persona, status: int
) -> None:
    client = api_client_factory(persona)
    assert client.get("/api/v1/views").status_code == status
    assert client.post("/api/v1/views", json={"name": "x", "url": STATE}).status_code == status


def test_a_private_view_is_invisible_in_sql_under_another_users_role(
    api_client_factory: ApiClientFactory,
    owner_database: Database,
    personas: dict[Persona, TestUser],
) -> None:
    secret = _save(api_client_factory("agent"), "Agent's secret")
    requests = connect_for_requests(owner_database.url, pool_size=1)
    try:
        cases: tuple[tuple[Persona, bool], ...] = (
            ("manager", False),
            ("admin", False),
            ("agent", True),
        )
        for persona, visible in cases:
            token = open_session(owner_database, personas[persona])
            with request_transaction(requests, token, ttl=timedelta(hours=1)) as scope:
                ids = set(scope.session.execute(text("SELECT id FROM saved_views")).scalars())
                assert (secret["id"] in ids) is visible, persona
                changed = scope.session.execute(
                    text("UPDATE saved_views SET name = 'stolen' WHERE id = :id"),
                    {"id": secret["id"]},
                )
                assert isinstance(changed, CursorResult)
                assert changed.rowcount == (1 if visible else 0), persona
                scope.session.rollback()
    finally:
        requests.engine.dispose()


def test_the_dashboard_header_saves_the_address_bar_state(
    api_client_factory: ApiClientFactory,
) -> None:
    manager = api_client_factory("manager")
    page = manager.get("/dashboard")
    assert page.status_code == 200
    assert 'id="saved-views"' in page.text
    assert manager.get("/dashboard/saved-views").text.count("No saved views yet") == 1

    saved = manager.post(
        "/dashboard/saved-views",
        data={"name": "Urgent this month", "shared": "true", "current": "/dashboard"},
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{STATE}"},
    )
    assert saved.status_code == 200, saved.text
    assert f'href="{STATE.replace("&", "&amp;")}"' in saved.text
    [row] = manager.get("/api/v1/views").json()["rows"]
    assert (row["name"], row["url"], row["shared"]) == ("Urgent this month", STATE, True)

    renamed = manager.post(f"/dashboard/saved-views/{row['id']}/rename", data={"name": "Urgent"})
    assert ">Urgent</a>" in renamed.text
    made_default = manager.post(f"/dashboard/saved-views/{row['id']}/default")
    assert "default</span>" in made_default.text
    refused = manager.post(
        "/dashboard/saved-views",
        data={"name": "Not a dashboard", "current": "/admin"},
    )
    assert "only dashboard pages can be saved" in refused.text
    deleted = manager.post(f"/dashboard/saved-views/{row['id']}/delete")
    assert "No saved views yet" in deleted.text
