"""Behind a TLS-terminating proxy: `serve` believes X-Forwarded-Proto only from the proxies
in SUPPORT_ANALYTICS_TRUSTED_PROXIES; then the session cookie is Secure and responses carry
HSTS. From anyone else the header changes nothing."""

from __future__ import annotations

import httpx

from tests.fixtures.auth import Persona, TestUser
from tests.load.harness import cli_server


def _sign_in_forwarded_as_https(port: int, user: TestUser) -> httpx.Response:
    response = httpx.post(
        f"http://127.0.0.1:{port}/api/v1/auth/login",
        json={"email": user.email, "password": user.password},
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response


def test_secure_cookie_and_hsts_only_through_a_trusted_proxy(
    fresh_database: str, personas: dict[Persona, TestUser]
) -> None:
    user = personas["agent"]
    with cli_server(fresh_database, env={"SUPPORT_ANALYTICS_TRUSTED_PROXIES": "127.0.0.1"}) as (
        port,
        _,
    ):
        trusted = _sign_in_forwarded_as_https(port, user)
    with cli_server(fresh_database, env={"SUPPORT_ANALYTICS_TRUSTED_PROXIES": ""}) as (port, _):
        untrusted = _sign_in_forwarded_as_https(port, user)
    assert "secure" in trusted.headers["set-cookie"].lower()
    assert trusted.headers["strict-transport-security"] == "max-age=31536000"
    assert "secure" not in untrusted.headers["set-cookie"].lower()
    assert "strict-transport-security" not in untrusted.headers
