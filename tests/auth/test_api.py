"""The JSON auth API: login, the one 401 message, /me, logout revokes, rate limits."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from support_analytics.auth import ratelimit
from support_analytics.tenancy.claims import Role
from tests.fixtures.auth import (
    CLIENT_A_ID,
    PASSWORD,
    ApiClientFactory,
    Persona,
    TestUser,
    UserFactory,
)


def test_me_describes_each_persona(
    api_client_factory: ApiClientFactory, personas: dict[Persona, TestUser]
) -> None:
    for persona in ("admin", "manager", "agent", "client_a", "client_b"):
        me = api_client_factory(persona).get("/api/v1/me")
        assert me.status_code == 200
        user = personas[persona]
        assert me.json() == {
            "id": user.id,
            "email": user.email,
            "kind": "client" if persona.startswith("client") else "internal",
            "role": user.role.value,
            "client_id": user.client_id,
            "team_member_id": user.team_member_id,
            "display_name": me.json()["display_name"],
        }


def test_anonymous_me_is_401_json(api_client_factory: ApiClientFactory) -> None:
    response = api_client_factory("anonymous").get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_login_sets_a_hardened_cookie(auth_app: FastAPI, personas: dict[Persona, TestUser]) -> None:
    client = TestClient(auth_app)
    user = personas["agent"]
    response = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie  # plain http here
    https = TestClient(auth_app, base_url="https://testserver")
    response = https.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert "secure" in response.headers["set-cookie"].lower()


def test_unknown_email_and_wrong_password_read_the_same(
    auth_app: FastAPI, personas: dict[Persona, TestUser]
) -> None:
    client = TestClient(auth_app)
    wrong = client.post(
        "/api/v1/auth/login", json={"email": personas["admin"].email, "password": "nope-nope-nope"}
    )
    unknown = client.post(
        "/api/v1/auth/login", json={"email": "nobody@tests.example", "password": PASSWORD}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert "set-cookie" not in wrong.headers


def test_email_is_case_insensitive(auth_app: FastAPI, personas: dict[Persona, TestUser]) -> None:
    client = TestClient(auth_app)
    response = client.post(
        "/api/v1/auth/login", json={"email": personas["admin"].email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 200


def test_invited_and_disabled_users_cannot_sign_in(
    auth_app: FastAPI, user_factory: UserFactory
) -> None:
    client = TestClient(auth_app)
    for status in ("invited", "disabled"):
        user = user_factory.create(Role.AGENT, status=status)
        response = client.post(
            "/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}
        )
        assert response.status_code == 401


def test_logout_revokes_the_session_server_side(api_client_factory: ApiClientFactory) -> None:
    client = api_client_factory("manager")
    token = client.cookies.get("sa_session")
    assert token
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert client.get("/api/v1/me").status_code == 401
    # Replaying the old cookie does not bring the session back.
    client.cookies.clear()
    client.cookies.set("sa_session", token)
    assert client.get("/api/v1/me").status_code == 401


def test_role_and_client_in_login_body_are_ignored(
    auth_app: FastAPI, personas: dict[Persona, TestUser]
) -> None:
    client = TestClient(auth_app)
    user = personas["client_b"]
    response = client.post(
        "/api/v1/auth/login",
        json={
            "email": user.email,
            "password": PASSWORD,
            "role": "admin",
            "kind": "internal",
            "client_id": CLIENT_A_ID,
        },
    )
    assert response.status_code == 200
    me = client.get("/api/v1/me").json()
    assert (me["role"], me["kind"], me["client_id"]) == ("client", "client", user.client_id)


def test_rate_limit_per_account_and_address_gives_429_with_retry_after(
    auth_app: FastAPI, personas: dict[Persona, TestUser]
) -> None:
    client = TestClient(auth_app)
    email = personas["agent"].email
    for _ in range(ratelimit.MAX_FAILURES_PER_ACCOUNT_AND_IP):
        bad = client.post("/api/v1/auth/login", json={"email": email, "password": "wrong-wrong"})
        assert bad.status_code == 401
    limited = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 15 * 60
    # Another account from another address is not affected.
    other = TestClient(auth_app, client=("10.0.0.2", 5000))
    ok = other.post(
        "/api/v1/auth/login", json={"email": personas["admin"].email, "password": PASSWORD}
    )
    assert ok.status_code == 200


def test_rate_limit_per_ip(auth_app: FastAPI, personas: dict[Persona, TestUser]) -> None:
    client = TestClient(auth_app, client=("10.0.0.9", 5000))
    for attempt in range(ratelimit.MAX_FAILURES_PER_IP):
        response = client.post(
            "/api/v1/auth/login",
            json={"email": f"spray{attempt}@tests.example", "password": "wrong-wrong"},
        )
        assert response.status_code == 401
    blocked = client.post(
        "/api/v1/auth/login", json={"email": personas["admin"].email, "password": PASSWORD}
    )
    assert blocked.status_code == 429
    assert "retry-after" in blocked.headers
