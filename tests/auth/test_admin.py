"""Admin pages and /api/v1/admin: only admins, links handed back, disabling is immediate."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from support_analytics.tenancy.claims import Role
from tests.fixtures.auth import (
    CLIENT_B_ID,
    PASSWORD,
    ApiClientFactory,
    Persona,
    TestUser,
    UserFactory,
)


def _path(url: str) -> str:
    return url.removeprefix("http://testserver")


def _accept(app: FastAPI, url: str, password: str) -> None:
    client = TestClient(app, follow_redirects=False)
    response = client.post(_path(url), data={"password": password, "confirm": password})
    assert response.status_code == 303, response.text


def _login(app: FastAPI, email: str, password: str) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return client


def test_only_admins_reach_the_admin_api(api_client_factory: ApiClientFactory) -> None:
    expectations: tuple[tuple[Persona, int], ...] = (
        ("anonymous", 401),
        ("client_a", 403),
        ("agent", 403),
        ("manager", 403),
        ("admin", 200),
    )
    for persona, expected in expectations:
        response = api_client_factory(persona).get("/api/v1/admin/users")
        assert response.status_code == expected, persona


def test_admin_page_per_persona(api_client_factory: ApiClientFactory) -> None:
    anonymous = api_client_factory("anonymous").get("/admin", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=%2Fadmin"
    assert api_client_factory("manager").get("/admin").status_code == 403
    page = api_client_factory("admin").get("/admin")
    assert page.status_code == 200
    assert "admin@tests.example" in page.text
    assert "Invite a client user" in page.text


def test_invite_internal_user_end_to_end(
    auth_app: FastAPI, api_client_factory: ApiClientFactory
) -> None:
    admin = api_client_factory("admin")
    response = admin.post(
        "/api/v1/admin/users",
        json={"email": "New.Person@Tests.example", "role": "manager", "team_member_id": 8},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["user"]["status"] == "invited"
    assert body["user"]["email"] == "new.person@tests.example"
    assert body["link"]["purpose"] == "invite"
    _accept(auth_app, body["link"]["url"], "welcome-aboard-1")
    me = _login(auth_app, "new.person@tests.example", "welcome-aboard-1").get("/api/v1/me")
    assert me.json()["role"] == "manager"
    assert me.json()["team_member_id"] == 8


def test_invite_rejects_tenant_fields_it_does_not_take(
    api_client_factory: ApiClientFactory,
) -> None:
    admin = api_client_factory("admin")
    forged = admin.post(
        "/api/v1/admin/users",
        json={"email": "x@tests.example", "role": "client", "client_id": 3, "kind": "internal"},
    )
    assert forged.status_code == 422
    mixed = admin.post(
        "/api/v1/admin/users",
        json={"email": "y@tests.example", "role": "client", "client_id": 3, "team_member_id": 2},
    )
    assert mixed.status_code == 201
    assert mixed.json()["user"]["team_member_id"] is None
    assert mixed.json()["user"]["client_id"] == 3
    duplicate = admin.post(
        "/api/v1/admin/users", json={"email": "Y@tests.example", "role": "client", "client_id": 3}
    )
    assert duplicate.status_code == 409
    no_link = admin.post("/api/v1/admin/users", json={"email": "z@tests.example", "role": "agent"})
    assert no_link.status_code == 422


def test_disabling_stops_sessions_at_once_and_enabling_restores_sign_in(
    auth_app: FastAPI, api_client_factory: ApiClientFactory, personas: dict[Persona, TestUser]
) -> None:
    admin = api_client_factory("admin")
    victim = api_client_factory("client_b")
    assert victim.get("/api/v1/me").status_code == 200
    user_id = personas["client_b"].id
    response = admin.patch(f"/api/v1/admin/users/{user_id}", json={"status": "disabled"})
    assert response.json()["status"] == "disabled"
    assert victim.get("/api/v1/me").status_code == 401
    refused = TestClient(auth_app).post(
        "/api/v1/auth/login", json={"email": personas["client_b"].email, "password": PASSWORD}
    )
    assert refused.status_code == 401
    admin.patch(f"/api/v1/admin/users/{user_id}", json={"status": "active"})
    _login(auth_app, personas["client_b"].email, PASSWORD)


def test_change_role_and_not_on_oneself(
    api_client_factory: ApiClientFactory, personas: dict[Persona, TestUser]
) -> None:
    admin = api_client_factory("admin")
    agent = api_client_factory("agent")
    promoted = admin.patch(f"/api/v1/admin/users/{personas['agent'].id}", json={"role": "manager"})
    assert promoted.status_code == 200
    assert agent.get("/api/v1/me").json()["role"] == "manager"
    to_client = admin.patch(f"/api/v1/admin/users/{personas['agent'].id}", json={"role": "client"})
    assert to_client.status_code == 422
    self_demote = admin.patch(f"/api/v1/admin/users/{personas['admin'].id}", json={"role": "agent"})
    assert self_demote.status_code == 409
    missing = admin.patch("/api/v1/admin/users/999999", json={"role": "agent"})
    assert missing.status_code == 404


def test_revoke_sessions_and_reset_link(
    auth_app: FastAPI, api_client_factory: ApiClientFactory, personas: dict[Persona, TestUser]
) -> None:
    admin = api_client_factory("admin")
    manager = api_client_factory("manager")
    user_id = personas["manager"].id
    revoked = admin.post(f"/api/v1/admin/users/{user_id}/revoke-sessions")
    assert revoked.json()["revoked"] >= 1
    assert manager.get("/api/v1/me").status_code == 401
    link = admin.post(f"/api/v1/admin/users/{user_id}/reset-link").json()
    assert link["purpose"] == "reset"
    _accept(auth_app, link["url"], "quiet-harbour-lantern-7")
    _login(auth_app, personas["manager"].email, "quiet-harbour-lantern-7")


def test_non_admins_cannot_use_admin_actions(
    api_client_factory: ApiClientFactory, personas: dict[Persona, TestUser]
) -> None:
    target = personas["client_a"].id
    for persona in ("agent", "manager", "client_a", "client_b"):
        client = api_client_factory(persona)
        assert (
            client.patch(f"/api/v1/admin/users/{target}", json={"role": "admin"}).status_code == 403
        )
        assert client.post(f"/api/v1/admin/users/{target}/reset-link").status_code == 403
        assert (
            client.post(
                "/admin/invite", data={"email": "a@b.example", "kind": "client", "client_id": "1"}
            ).status_code
            == 403
        )


def test_admin_page_forms(api_client_factory: ApiClientFactory, user_factory: UserFactory) -> None:
    admin = api_client_factory("admin")
    created = admin.post(
        "/admin/invite",
        data={
            "email": "portal.user@tests.example",
            "kind": "client",
            "client_id": str(CLIENT_B_ID),
        },
    )
    assert [r.status_code for r in created.history] == [303]  # then shown once on /admin
    assert "/set-password/" in created.text
    other = user_factory.create(Role.AGENT, email="paged@tests.example")
    disabled = admin.post(
        f"/admin/users/{other.id}/status", data={"status": "disabled"}, follow_redirects=False
    )
    assert disabled.status_code == 303
    page = admin.get(disabled.headers["location"])
    assert "Account disabled" in page.text
    bad = admin.post(
        "/admin/invite", data={"email": "not-an-email", "kind": "internal", "team_member_id": "2"}
    )
    assert bad.status_code == 422
    assert "not a valid email" in bad.text
