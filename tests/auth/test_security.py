"""Cross-site refusal on unsafe methods and the security headers (web/security.py)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.fixtures.auth import ApiClientFactory


def test_cross_site_posts_are_refused(api_client_factory: ApiClientFactory) -> None:
    client = api_client_factory("admin")
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ):
        response = client.post("/api/v1/auth/logout", headers=headers)
        assert response.status_code == 403, headers
        assert response.json()["error"]["code"] == "cross_site_request"
    # Still signed in: none of those reached the route.
    assert client.get("/api/v1/me").status_code == 200


def test_same_origin_and_non_browser_posts_pass(api_client_factory: ApiClientFactory) -> None:
    client = api_client_factory("agent")
    same = client.post(
        "/api/v1/auth/logout",
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
    )
    assert same.status_code == 204
    assert api_client_factory("agent").post("/api/v1/auth/logout").status_code == 204


def test_cross_site_login_is_refused_too(api_client_factory: ApiClientFactory) -> None:
    response = api_client_factory("anonymous").post(
        "/login", data={"email": "a@b.c", "password": "x"}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert response.status_code == 403


def test_safe_methods_are_not_checked(api_client_factory: ApiClientFactory) -> None:
    client: TestClient = api_client_factory("manager")
    response = client.get("/api/v1/me", headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 200


def test_security_headers(api_client_factory: ApiClientFactory) -> None:
    response = api_client_factory("anonymous").get("/login")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["referrer-policy"] == "same-origin"
