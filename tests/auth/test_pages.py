"""The HTML side of authentication: sign-in form, landing per role, sign-out, invite and
reset links, changing one's own password."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from support_analytics.db.engine import Database
from support_analytics.tenancy.claims import Role
from support_analytics.tenancy.scope import owner_transaction
from tests.fixtures.auth import (
    PASSWORD,
    ApiClientFactory,
    Persona,
    TestUser,
    UserFactory,
    issue_link,
)


def _browser(app: FastAPI) -> TestClient:
    return TestClient(app, follow_redirects=False, raise_server_exceptions=False)


def _form_login(
    client: TestClient, user: TestUser, password: str = PASSWORD, next_: str = ""
) -> str:
    response = client.post(
        "/login", data={"email": user.email, "password": password, "next": next_}
    )
    assert response.status_code == 303, response.text
    return response.headers["location"]


def test_login_page_renders_without_a_session(auth_app: FastAPI) -> None:
    response = _browser(auth_app).get("/login?next=/dashboard/team")
    assert response.status_code == 200
    assert 'name="password"' in response.text
    assert 'value="/dashboard/team"' in response.text


def test_each_kind_lands_on_its_home(auth_app: FastAPI, personas: dict[Persona, TestUser]) -> None:
    assert _form_login(_browser(auth_app), personas["agent"]) == "/tickets"
    assert _form_login(_browser(auth_app), personas["client_a"]) == "/portal"
    client = _browser(auth_app)
    _form_login(client, personas["manager"])
    assert client.get("/").headers["location"] == "/dashboard"
    assert _browser(auth_app).get("/").headers["location"] == "/login"


def test_agents_land_on_the_inbox_managers_and_admins_on_the_dashboard(
    auth_app: FastAPI, personas: dict[Persona, TestUser]
) -> None:
    # Issue 11: an agent's work is the ticket queue; the dashboard is for those who manage it.
    homes: list[tuple[Persona, str]] = [
        ("agent", "/tickets"),
        ("manager", "/dashboard"),
        ("admin", "/dashboard"),
    ]
    for persona, home in homes:
        client = _browser(auth_app)
        assert _form_login(client, personas[persona]) == home
        assert client.get("/").headers["location"] == home
    # a safe `next` still wins
    agent = personas["agent"]
    assert _form_login(_browser(auth_app), agent, next_="/dashboard/team") == "/dashboard/team"


def test_next_is_followed_only_on_this_site(
    auth_app: FastAPI, personas: dict[Persona, TestUser]
) -> None:
    admin = personas["admin"]
    assert _form_login(_browser(auth_app), admin, next_="/dashboard/team") == "/dashboard/team"
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        assert _form_login(_browser(auth_app), admin, next_=evil) == "/dashboard"
    # A client is never sent to an internal page, whatever `next` says.
    assert _form_login(_browser(auth_app), personas["client_a"], next_="/dashboard") == "/portal"


def test_wrong_password_rerenders_the_form_with_one_message(
    auth_app: FastAPI, personas: dict[Persona, TestUser]
) -> None:
    client = _browser(auth_app)
    response = client.post(
        "/login", data={"email": personas["agent"].email, "password": "wrong-password"}
    )
    assert response.status_code == 401
    assert "Invalid email or password." in response.text
    assert "sa_session" not in response.headers.get("set-cookie", "")


def test_pages_send_anonymous_users_to_login_and_clients_get_403(
    auth_app: FastAPI, personas: dict[Persona, TestUser]
) -> None:
    anonymous = _browser(auth_app)
    response = anonymous.get("/account/password")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")
    client = _browser(auth_app)
    _form_login(client, personas["client_a"])
    forbidden = client.get("/dashboard")
    assert forbidden.status_code == 403
    assert forbidden.headers["content-type"].startswith("text/html")


def test_logout_revokes_and_redirects(auth_app: FastAPI, personas: dict[Persona, TestUser]) -> None:
    client = _browser(auth_app)
    _form_login(client, personas["agent"])
    assert client.get("/api/v1/me").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 303
    assert client.get("/api/v1/me").status_code == 401


def test_invite_link_sets_the_password_once(
    auth_app: FastAPI, owner_database: Database, user_factory: UserFactory
) -> None:
    invited = user_factory.create(Role.AGENT, status="invited", team_member_id=6)
    with owner_transaction(owner_database) as session:
        link = issue_link(session, invited.id, "invite", "http://testserver")
    path = link.url.removeprefix("http://testserver")
    client = _browser(auth_app)
    page = client.get(path)
    assert page.status_code == 200
    assert invited.email in page.text
    short = client.post(path, data={"password": "short", "confirm": "short"})
    assert short.status_code == 422
    done = client.post(path, data={"password": "a-new-password-1", "confirm": "a-new-password-1"})
    assert done.status_code == 303
    assert client.get(path).status_code == 400
    again = client.post(path, data={"password": "another-pass-22", "confirm": "another-pass-22"})
    assert again.status_code == 400
    login = client.post(
        "/api/v1/auth/login", json={"email": invited.email, "password": "a-new-password-1"}
    )
    assert login.status_code == 200


def test_reset_link_signs_out_existing_sessions(
    auth_app: FastAPI, owner_database: Database, personas: dict[Persona, TestUser]
) -> None:
    user = personas["client_b"]
    signed_in = _browser(auth_app)
    _form_login(signed_in, user)
    with owner_transaction(owner_database) as session:
        link = issue_link(session, user.id, "reset")
    client = _browser(auth_app)
    assert (
        client.post(
            link.url, data={"password": "reset-pass-123", "confirm": "reset-pass-123"}
        ).status_code
        == 303
    )
    assert signed_in.get("/api/v1/me").status_code == 401
    assert (
        client.post(
            link.url, data={"password": "reset-pass-456", "confirm": "reset-pass-456"}
        ).status_code
        == 400
    )


def test_expired_link_is_refused(
    auth_app: FastAPI, owner_database: Database, user_factory: UserFactory
) -> None:
    invited = user_factory.create(Role.CLIENT, status="invited")
    with owner_transaction(owner_database) as session:
        link = issue_link(session, invited.id, "invite")
        session.execute(text("UPDATE auth_tokens SET expires_at = now() - interval '1 second'"))
    assert _browser(auth_app).get(link.url).status_code == 400


def test_change_own_password(
    api_client_factory: ApiClientFactory, personas: dict[Persona, TestUser]
) -> None:
    client = api_client_factory("agent")
    other_session = api_client_factory("agent")
    wrong = client.post(
        "/account/password",
        data={
            "current": "not-it-at-all",
            "password": "brand-new-pass",
            "confirm": "brand-new-pass",
        },
    )
    assert wrong.status_code == 422
    ok = client.post(
        "/account/password",
        data={"current": PASSWORD, "password": "brand-new-pass", "confirm": "brand-new-pass"},
    )
    assert ok.status_code == 200
    assert client.get("/api/v1/me").status_code == 200  # this session survives
    assert other_session.get("/api/v1/me").status_code == 401  # the others are signed out
    relogin = client.post(
        "/api/v1/auth/login",
        json={"email": personas["agent"].email, "password": "brand-new-pass"},
    )
    assert relogin.status_code == 200
