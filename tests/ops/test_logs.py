"""Logs in production shape: `serve` with SUPPORT_ANALYTICS_LOG_FORMAT=json writes one JSON
object per line carrying the request id, and nothing a reader of the logs could sign in with:
no password (right or wrong), no session token or cookie, no invite or reset token."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import httpx
import pytest

from support_analytics.auth.sessions import COOKIE_NAME
from tests.fixtures.auth import Persona, TestUser
from tests.load.harness import cli_server

WRONG_PASSWORD = "Wrong-but-close-horse-42"


def test_json_logs_carry_the_request_id_and_no_secret(
    fresh_database: str, personas: dict[Persona, TestUser], capfd: pytest.CaptureFixture[str]
) -> None:
    env = {
        "SUPPORT_ANALYTICS_LOG_FORMAT": "json",
        # Unset, mail is written to the log (development); production has a mail server.
        # Nothing listens on the discard port: sending fails, which is logged without the mail.
        "SUPPORT_ANALYTICS_SMTP_URL": "smtp://127.0.0.1:9?starttls=off",
    }
    admin, manager = personas["admin"], personas["manager"]
    with (
        cli_server(fresh_database, env=env) as (port, _),
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http,
    ):
        failed = http.post(
            "/api/v1/auth/login", json={"email": manager.email, "password": WRONG_PASSWORD}
        )
        assert failed.status_code == 401
        signed_in = http.post(
            "/api/v1/auth/login",
            json={"email": admin.email, "password": admin.password},
            headers={"X-Request-ID": "login-trace-1"},
        )
        assert signed_in.status_code == 200, signed_in.text
        cookie = http.cookies[COOKIE_NAME]
        invite = http.post(
            "/api/v1/admin/users",
            json={"email": "new-agent@tests.example", "role": "agent", "team_member_id": 3},
        )
        assert invite.status_code == 201, invite.text
        reset = http.post(f"/api/v1/admin/users/{manager.id}/reset-link")
        assert reset.status_code == 201, reset.text
        links = [invite.json()["link"]["url"], reset.json()["url"]]
        for link in links:  # the tokens travel in these paths
            assert http.get(urlsplit(link).path).status_code == 200
    captured = capfd.readouterr()
    output = captured.out + captured.err
    secrets = {
        "the session cookie": cookie,
        "the right password": admin.password,
        "the wrong password": WRONG_PASSWORD,
        **{f"link token {n}": link.rsplit("/", 1)[1] for n, link in enumerate(links)},
    }
    for what, secret in secrets.items():
        assert secret not in output, f"{what} is in the log"
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "uvicorn.access"]
    assert any(
        line["request_id"] == "login-trace-1"
        and line["path"] == "/api/v1/auth/login"
        and line["status"] == 200
        for line in access
    ), access
    assert any(line["path"].startswith("/set-password/[redacted]") for line in access), access
    assert lines
    assert all(
        {"time", "level", "logger", "request_id", "message"} <= line.keys() for line in lines
    )
