"""Forwarded headers believed only from configured proxies; invite and reset tokens kept out
of the access log; links built from the configured public URL (issue 12, items 13 and 15)."""

from __future__ import annotations

import asyncio
import logging
import logging.config

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from support_analytics.config import Settings
from support_analytics.web import server_options
from support_analytics.web.app import create_app
from tests.fixtures.auth import Persona, TestUser


def _client_seen_by_app(settings: Settings, peer: str) -> tuple[str, str]:
    """Send one request from `peer` claiming to come from 203.0.113.7 over https, through
    uvicorn's app wrapping configured as `serve` configures it; (client, scheme) the app saw."""
    seen: list[tuple[str, str]] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append((scope["client"][0], scope["scheme"]))
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    options = server_options.forwarding(settings)
    config = uvicorn.Config(
        app,
        proxy_headers=options.proxy_headers,
        forwarded_allow_ips=options.forwarded_allow_ips,
        log_config=None,
    )
    config.load()
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/",
        "raw_path": b"/",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"x-forwarded-for", b"203.0.113.7"), (b"x-forwarded-proto", b"https")],
        "client": (peer, 40000),
        "server": ("127.0.0.1", 8000),
    }

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        return None

    asyncio.run(config.loaded_app(scope, receive, send))
    return seen[0]


def test_forwarded_headers_are_ignored_by_default_even_from_loopback() -> None:
    assert _client_seen_by_app(Settings(), "127.0.0.1") == ("127.0.0.1", "http")


def test_forwarded_headers_are_believed_from_a_configured_proxy_only() -> None:
    settings = Settings(trusted_proxies="10.1.0.0/16, 127.0.0.1")
    assert _client_seen_by_app(settings, "127.0.0.1") == ("203.0.113.7", "https")
    assert _client_seen_by_app(settings, "10.1.2.3") == ("203.0.113.7", "https")
    assert _client_seen_by_app(settings, "192.0.2.1") == ("192.0.2.1", "http")


# The app's loggers write to the server's handler, bound to this test's captured stream.
RESET_LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "loggers": {"support_analytics": {"handlers": [], "level": "NOTSET"}},
}


def test_the_access_log_never_shows_a_link_token(capsys: pytest.CaptureFixture[str]) -> None:
    logging.config.dictConfig(server_options.log_config())
    try:
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d',
            "127.0.0.1:5000",
            "GET",
            "/set-password/Zm9vYmFyLXNlY3JldC10b2tlbi12YWx1ZQ?x=1",
            "1.1",
            200,
        )
        out = capsys.readouterr().out
    finally:
        logging.config.dictConfig(RESET_LOGGING)
    assert "Zm9vYmFy" not in out
    assert "/set-password/[redacted]?x=1" in out


@pytest.mark.parametrize(
    ("settings", "base"),
    [
        (Settings(public_url="https://support.example.com/"), "https://support.example.com"),
        (Settings(host="0.0.0.0", port=8123), "http://localhost:8123"),
    ],
)
def test_links_follow_the_configured_public_url_not_the_host_header(
    fresh_database: str,
    personas: dict[Persona, TestUser],
    settings: Settings,
    base: str,
) -> None:
    app: FastAPI = create_app(settings.model_copy(update={"database_url": fresh_database}))
    with TestClient(app) as client:
        admin = personas["admin"]
        assert (
            client.post(
                "/api/v1/auth/login", json={"email": admin.email, "password": admin.password}
            ).status_code
            == 200
        )
        response = client.post(
            "/api/v1/admin/users",
            json={"email": "newcomer@tests.example", "role": "agent", "team_member_id": 12},
            headers={"Host": "evil.example"},
        )
        assert response.status_code == 201, response.text
        assert response.json()["link"]["url"].startswith(f"{base}/set-password/")
