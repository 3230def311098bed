"""Invites and password resets travel by mail: queued by the request, sent by the job worker
through a real SMTP server on loopback, with links built from the public URL."""

from __future__ import annotations

import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from support_analytics.config import get_settings
from support_analytics.db.engine import Database
from tests.fixtures.auth import ApiClientFactory, Persona, TestUser
from tests.jobs.helpers import job_rows, run_worker_until_idle
from tests.mail.conftest import PUBLIC_URL
from tests.mail.smtp import PASSWORD, USER, Mailbox, smtp_server

NEW_PASSWORD = "violet-harbour-kettle-92"


def _invite(admin: TestClient, email: str, **headers: str) -> str:
    response = admin.post(
        "/api/v1/admin/users",
        json={"email": email, "role": "manager", "team_member_id": 8},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    url = response.json()["link"]["url"]
    assert isinstance(url, str)
    return url


def test_an_invite_is_mailed_and_its_link_sets_a_password_and_signs_in(
    smtp: Mailbox,
    api_client_factory: ApiClientFactory,
    auth_app: FastAPI,
    fresh_database: str,
    owner_database: Database,
) -> None:
    admin = api_client_factory("admin")
    # A forged Host header does not move the link: it comes from the public URL.
    shown = _invite(admin, "New.Person@Tests.example", host="evil.example")
    assert shown.startswith(f"{PUBLIC_URL}/set-password/")
    # Queued, not sent, by the request.
    assert job_rows(owner_database) == [("mail.send", "todo", 0)]
    assert smtp.received == []

    run_worker_until_idle(fresh_database)

    [mail] = smtp.wait_for(1)
    assert mail.recipients == ("new.person@tests.example",)
    assert mail.message["Subject"] == "You are invited to Support Analytics"
    assert shown in mail.part("plain")
    assert f'href="{shown}"' in mail.part("html")
    assert "7 days" in mail.part("plain")
    assert job_rows(owner_database) == []  # sent: job and queued body deleted

    visitor = TestClient(auth_app, follow_redirects=False)
    accepted = visitor.post(
        shown.removeprefix(PUBLIC_URL),
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert accepted.status_code == 303, accepted.text
    signed_in = visitor.post(
        "/api/v1/auth/login", json={"email": "new.person@tests.example", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 200, signed_in.text


def test_a_password_reset_link_is_mailed(
    smtp: Mailbox,
    api_client_factory: ApiClientFactory,
    personas: dict[Persona, TestUser],
    fresh_database: str,
) -> None:
    admin = api_client_factory("admin")
    agent = personas["agent"]
    response = admin.post(f"/api/v1/admin/users/{agent.id}/reset-link")
    assert response.status_code == 201, response.text
    shown = response.json()["url"]

    run_worker_until_idle(fresh_database)

    [mail] = smtp.wait_for(1)
    assert mail.recipients == (agent.email,)
    assert mail.message["Subject"] == "Set a new Support Analytics password"
    assert shown.startswith(f"{PUBLIC_URL}/set-password/")
    assert shown in mail.part("plain")
    assert "2 hours" in mail.part("html")


def test_without_an_smtp_url_the_mail_is_written_to_the_log(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    api_client_factory: ApiClientFactory,
    fresh_database: str,
    owner_database: Database,
) -> None:
    monkeypatch.delenv("SUPPORT_ANALYTICS_SMTP_URL", raising=False)
    get_settings.cache_clear()
    shown = _invite(api_client_factory("admin"), "logged@tests.example")
    with caplog.at_level(logging.INFO, logger="support_analytics.mail"):
        run_worker_until_idle(fresh_database)
    logged = [r.getMessage() for r in caplog.records if r.name.startswith("support_analytics")]
    assert any("SMTP_URL is unset" in line and shown in line for line in logged), logged
    assert job_rows(owner_database) == []


def test_smtp_credentials_and_links_never_reach_the_log(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    api_client_factory: ApiClientFactory,
    fresh_database: str,
) -> None:
    with smtp_server(with_auth=True) as (mailbox, port):
        monkeypatch.setenv(
            "SUPPORT_ANALYTICS_SMTP_URL", f"smtp://{USER}:{PASSWORD}@127.0.0.1:{port}?starttls=off"
        )
        get_settings.cache_clear()
        try:
            shown = _invite(api_client_factory("admin"), "quiet@tests.example")
            with caplog.at_level(logging.DEBUG):
                run_worker_until_idle(fresh_database)
            [mail] = mailbox.wait_for(1)
        finally:
            get_settings.cache_clear()
    assert mailbox.logins == [USER]
    assert shown in mail.part("plain")
    token = shown.rsplit("/", 1)[1]
    # Everything the app and procrastinate logged; aiosmtpd's own log is the far side's.
    everything = "\n".join(
        record.getMessage() for record in caplog.records if not record.name.startswith("mail.")
    )
    assert "mail sent to=quiet@tests.example" in everything
    assert PASSWORD not in everything
    assert token not in everything
