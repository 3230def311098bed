"""Post/Redirect/Get (issue 11 item 10): every successful form POST answers 303 See Other,
also right after a failed attempt, so Back or reload never lands on the browser's
"resubmit the form?" page or repeats the action."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from support_analytics.tenancy.claims import Role
from tests.fixtures.auth import PASSWORD, ApiClientFactory, UserFactory, sign_in
from tests.tickets.conftest import create


def _token(html: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _post(client: TestClient, path: str, data: dict[str, str]) -> tuple[int, str]:
    response = client.post(path, data=data, follow_redirects=False)
    return response.status_code, response.headers.get("location", "")


def test_portal_forms_redirect_after_a_failed_attempt(
    api_client_factory: ApiClientFactory,
) -> None:
    client_a = api_client_factory("client_a")
    token = _token(client_a.get("/portal/tickets/new").text)
    form = {"ticket_type_id": "2", "priority": "low", "title": "", "message": "m", "token": token}
    assert _post(client_a, "/portal/tickets/new", form)[0] == 422
    status, location = _post(client_a, "/portal/tickets/new", {**form, "title": "Fixed"})
    assert status == 303, location
    ticket = location.split("?")[0]
    assert _post(client_a, f"{ticket}/messages", {"text": ""})[0] == 422
    assert _post(client_a, f"{ticket}/messages", {"text": "more"})[0] == 303

    resolved = create(client_a)["id"]
    agent = api_client_factory("agent")
    agent.patch(f"/api/v1/tickets/{resolved}", json={"status": "resolved"})
    feedback = f"/portal/tickets/{resolved}/feedback"
    assert _post(client_a, feedback, {"rating": "9"})[0] == 422
    assert _post(client_a, feedback, {"rating": "5", "text": "thanks"})[0] == 303


def test_inbox_forms_redirect_after_a_failed_attempt(
    api_client_factory: ApiClientFactory,
) -> None:
    ticket = create(api_client_factory("client_a"))["id"]
    agent = api_client_factory("agent")
    assert _post(agent, f"/tickets/{ticket}/messages", {"text": " "})[0] == 422
    assert _post(agent, f"/tickets/{ticket}/messages", {"text": "on it"})[0] == 303
    assert _post(agent, f"/tickets/{ticket}", {"priority": "extreme"})[0] == 422
    assert _post(agent, f"/tickets/{ticket}", {"priority": "urgent"})[0] == 303


def test_admin_forms_redirect_and_show_a_new_link_once(
    api_client_factory: ApiClientFactory, user_factory: UserFactory
) -> None:
    admin = api_client_factory("admin")
    bad = {"email": "not-an-email", "kind": "internal", "team_member_id": "2"}
    assert _post(admin, "/admin/invite", bad)[0] == 422
    status, location = _post(
        admin,
        "/admin/invite",
        {"email": "prg.user@tests.example", "kind": "client", "client_id": "2"},
    )
    assert status == 303
    page = admin.get(location)
    assert "/set-password/" in page.text
    assert "prg.user@tests.example" in page.text
    assert "/set-password/" not in admin.get("/admin").text  # shown once
    assert "/set-password/" not in location  # never in a URL or an access log

    other = user_factory.create(Role.AGENT, email="prg.other@tests.example")
    status, location = _post(admin, f"/admin/users/{other.id}/reset-link", {})
    assert status == 303
    assert "Password reset link for prg.other@tests.example" in admin.get(location).text
    assert _post(admin, f"/admin/users/{other.id}/role", {"role": "manager"})[0] == 303
    assert _post(admin, f"/admin/users/{other.id}/status", {"status": "disabled"})[0] == 303
    assert _post(admin, f"/admin/users/{other.id}/revoke-sessions", {})[0] == 303


def test_a_forged_link_cookie_is_not_shown(api_client_factory: ApiClientFactory) -> None:
    admin = api_client_factory("admin")
    admin.cookies.set(
        "sa_issued_link",
        "eyJlbWFpbCI6ICJ4QHkueiIsICJwdXJwb3NlIjogImludml0ZSIsICJ1cmwiOiAiaHR0cHM6Ly9ldmlsLmV4YW1wbGUvIn0=",
        path="/admin",
    )
    assert "evil.example" not in admin.get("/admin").text


def test_sign_in_and_password_change_redirect_after_a_failed_attempt(
    auth_app: FastAPI, user_factory: UserFactory
) -> None:
    user = user_factory.create(Role.AGENT, email="prg.agent@tests.example")
    browser = TestClient(auth_app, raise_server_exceptions=False)
    assert _post(browser, "/login", {"email": user.email, "password": "wrong-one-x"})[0] == 401
    assert _post(browser, "/login", {"email": user.email, "password": PASSWORD})[0] == 303

    client = sign_in(auth_app, user)
    change = {"current": "not-it-at-all", "password": "brand-new-pass", "confirm": "x"}
    assert _post(client, "/account/password", change)[0] == 422
    status, location = _post(
        client,
        "/account/password",
        {"current": PASSWORD, "password": "brand-new-pass-2", "confirm": "brand-new-pass-2"},
    )
    assert status == 303
    assert "Password changed" in client.get(location).text
