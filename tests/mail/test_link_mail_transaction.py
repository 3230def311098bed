"""Invite and password mails are queued in the transaction of the request that mints the
link: when that request fails, nothing is sent; when it commits, the mail always goes."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import text

from support_analytics.db.engine import Database
from support_analytics.tenancy.scope import owner_transaction
from tests.fixtures.auth import ApiClientFactory, Persona, TestUser
from tests.jobs.helpers import job_rows, run_worker_until_idle
from tests.mail.smtp import Mailbox

DOOMED = "doomed@tests.example"

# Fails the transaction at COMMIT, after the request has done all its work (mail included).
_FAIL_AT_COMMIT = f"""
CREATE FUNCTION test_refuse_doomed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.email = '{DOOMED}' THEN RAISE EXCEPTION 'refused at commit'; END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER test_refuse_doomed AFTER INSERT OR UPDATE ON users
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_refuse_doomed();
"""


def _fail_at_commit(database: Database) -> None:
    with owner_transaction(database) as session:
        session.execute(text(_FAIL_AT_COMMIT))


def _invite(admin: TestClient, email: str) -> int:
    response = admin.post(
        "/api/v1/admin/users",
        json={"email": email, "role": "agent", "team_member_id": 5},
    )
    return response.status_code


def test_an_invite_whose_request_fails_sends_no_mail(
    smtp: Mailbox,
    api_client_factory: ApiClientFactory,
    fresh_database: str,
    owner_database: Database,
) -> None:
    admin = api_client_factory("admin")
    _fail_at_commit(owner_database)

    assert _invite(admin, DOOMED) >= 500

    with owner_transaction(owner_database) as session:
        assert session.execute(text("SELECT count(*) FROM mail_outbox")).scalar_one() == 0
    assert job_rows(owner_database) == []
    run_worker_until_idle(fresh_database)
    assert smtp.received == []

    # The same request that commits sends its mail.
    assert _invite(admin, "kept@tests.example") == 201
    run_worker_until_idle(fresh_database)
    [mail] = smtp.wait_for(1)
    assert mail.recipients == ("kept@tests.example",)


def test_a_reset_link_whose_request_fails_sends_no_mail(
    smtp: Mailbox,
    api_client_factory: ApiClientFactory,
    personas: dict[Persona, TestUser],
    fresh_database: str,
    owner_database: Database,
) -> None:
    admin = api_client_factory("admin")
    agent = personas["agent"]
    with owner_transaction(owner_database) as session:
        session.execute(
            text("UPDATE users SET email = :doomed WHERE id = :id"),
            {"doomed": DOOMED, "id": agent.id},
        )
    _fail_at_commit(owner_database)
    # The deferred trigger fires on any write to the row in the request: touch it.
    with owner_transaction(owner_database) as session:
        session.execute(
            text(
                "CREATE OR REPLACE FUNCTION test_touch_user() RETURNS trigger LANGUAGE plpgsql"
                " SECURITY DEFINER"
                " AS $$ BEGIN UPDATE users SET updated_at = now() WHERE id = NEW.user_id;"
                " RETURN NULL; END $$;"
                " CREATE TRIGGER test_touch_user AFTER INSERT ON auth_tokens"
                " FOR EACH ROW EXECUTE FUNCTION test_touch_user();"
            )
        )

    response = admin.post(f"/api/v1/admin/users/{agent.id}/reset-link")
    assert response.status_code >= 500

    run_worker_until_idle(fresh_database)
    assert smtp.received == []
    assert job_rows(owner_database) == []
