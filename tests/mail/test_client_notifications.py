"""Client users get one mail when an agent replies to or resolves their company's ticket,
unless they opted out; the mail holds what their portal shows and links to it."""

from __future__ import annotations

import json

from fastapi import FastAPI
from sqlalchemy import text

from support_analytics.db.engine import Database
from support_analytics.tenancy.claims import Role
from support_analytics.tenancy.scope import owner_transaction
from tests.fixtures.auth import CLIENT_A_ID, ApiClientFactory, create_user, sign_in
from tests.jobs.helpers import job_rows, run_worker_until_idle
from tests.mail.conftest import PUBLIC_URL
from tests.mail.smtp import Mailbox

REPLY = "We restarted the export; it should work again."


def _client_a_ticket(database: Database) -> int:
    with owner_transaction(database) as session:
        found = session.execute(
            text("SELECT id FROM tickets WHERE client_id = :c ORDER BY id LIMIT 1"),
            {"c": CLIENT_A_ID},
        ).scalar_one()
    return int(found)


def test_an_agent_reply_and_a_resolution_each_mail_the_opted_in_client_users_once(
    smtp: Mailbox,
    api_client_factory: ApiClientFactory,
    auth_app: FastAPI,
    fresh_database: str,
    owner_database: Database,
) -> None:
    ticket = _client_a_ticket(owner_database)
    quiet = create_user(
        owner_database, Role.CLIENT, client_id=CLIENT_A_ID, email="quiet@tests.example"
    )
    opted_out = sign_in(auth_app, quiet)
    assert (
        opted_out.patch("/api/v1/me/preferences", json={"notify_ticket_replies": False}).status_code
        == 200
    )
    api_client_factory("client_b")  # another tenant's user: never mailed
    agent = api_client_factory("agent")

    posted = agent.post(f"/api/v1/tickets/{ticket}/messages", json={"text": REPLY})
    assert posted.status_code == 201, posted.text
    assert job_rows(owner_database) == [("notify.ticket_event", "todo", 0)]
    run_worker_until_idle(fresh_database)

    [mail] = smtp.wait_for(1)
    assert mail.recipients == ("client_a@tests.example",)
    assert mail.message["Subject"].startswith(f"New reply on your ticket #{ticket}: ")
    assert REPLY in mail.part("plain")
    assert f"{PUBLIC_URL}/portal/tickets/{ticket}" in mail.part("html")

    # The same event again (a retried job): nobody is mailed twice.
    with owner_transaction(owner_database) as session:
        event = session.execute(
            text("SELECT max(id) FROM ticket_events WHERE ticket_id = :t AND kind = 'reply'"),
            {"t": ticket},
        ).scalar_one()
        session.execute(
            text(
                "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW('mail', 'notify.ticket_event', 0,"
                " NULL, NULL, CAST(:args AS jsonb), NULL)::procrastinate_job_to_defer_v1])"
            ),
            {"args": json.dumps({"event_id": event})},
        )
    run_worker_until_idle(fresh_database)
    assert len(smtp.received) == 1

    # The client's own message mails nobody; a resolution mails both (the quiet user only
    # opted out of replies).
    client = api_client_factory("client_a")
    assert (
        client.post(f"/api/v1/tickets/{ticket}/messages", json={"text": "Thanks"}).status_code
        == 201
    )
    resolved = agent.patch(f"/api/v1/tickets/{ticket}", json={"status": "resolved"})
    assert resolved.status_code == 200, resolved.text
    run_worker_until_idle(fresh_database)
    mails = smtp.wait_for(3)
    assert len(mails) == 3
    assert sorted(m.recipients[0] for m in mails[1:]) == [
        "client_a@tests.example",
        "quiet@tests.example",
    ]
    assert all("is resolved" in m.message["Subject"] for m in mails[1:])
    assert job_rows(owner_database) == []
