"""Digests over a real SMTP server on loopback: computed under the recipient's own role (a
client's covers only its company's tickets), equal to the analytics API for the same filters,
sent once per slot even with two schedulers and two workers, and stopped by a signed link."""

from __future__ import annotations

import csv
import io
import json
import threading
from datetime import date, datetime
from urllib.parse import quote

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from support_analytics.db.engine import Database
from support_analytics.digests import subscriptions
from support_analytics.digests.tasks import build_digest_mail, schedule_due
from support_analytics.mail.message import Mail
from support_analytics.tenancy.claims import Role
from support_analytics.tenancy.connection import connect_for_requests
from support_analytics.tenancy.scope import owner_transaction
from tests.digests.helpers import MONDAY, WEEK, numbers
from tests.fixtures.auth import CLIENT_A_ID, ApiClientFactory, UserFactory
from tests.jobs.helpers import job_rows, run_worker_until_idle, write_before
from tests.mail.conftest import PUBLIC_URL
from tests.mail.smtp import Mailbox

FILTERS = "priority=any_of:high,urgent"


def _subscribe(client: TestClient, filters: str = "") -> int:
    response = client.put(
        "/api/v1/digests/weekly", json={"local_hour": 8, "weekday": 1, "filters": filters}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["frequency"] == "weekly"
    return int(body["id"])


def test_a_managers_digest_equals_the_analytics_api_for_the_same_filters(
    smtp: Mailbox,
    api_client_factory: ApiClientFactory,
    fresh_database: str,
    owner_database: Database,
) -> None:
    manager = api_client_factory("manager")
    # 08:00 in Berlin is 07:00 UTC: due at MONDAY (08:05 UTC).
    zone = manager.patch("/api/v1/me/preferences", json={"timezone": "Europe/Berlin"})
    assert zone.status_code == 200, zone.text
    _subscribe(manager, "priority=any_of:urgent,high")

    assert schedule_due(owner_database, MONDAY) == 1
    assert job_rows(owner_database) == [("digests.send", "todo", 0)]
    run_worker_until_idle(fresh_database)

    [mail] = smtp.wait_for(1)
    assert mail.recipients == ("manager@tests.example",)
    assert "3 Mar 2025 to 9 Mar 2025" in mail.message["Subject"]
    api = manager.get(
        "/api/v1/analytics/overview",
        params={"date": f"between:{WEEK[0]},{WEEK[1]}", "priority": "any_of:high,urgent"},
    ).json()
    got = numbers(mail)
    assert got["total_tickets"] == (
        str(api["total_tickets"]),
        str(api["previous"]["total_tickets"]),
    )
    assert got["open_tickets"][0] == str(api["open_tickets"])
    assert api["total_tickets"] > 0
    if api["avg_resolution_hours"] is not None:
        assert float(got["avg_resolution_hours"][0]) == round(api["avg_resolution_hours"], 2)
    dashboard = f"{PUBLIC_URL}/dashboard?date={quote(f'between:{WEEK[0]},{WEEK[1]}')}"
    assert dashboard in mail.part("plain")
    # The subscription's filters, as stored, on the same dashboard address.
    assert f"{dashboard}&priority=any_of%3Aurgent%2Chigh\r\n" in mail.part("plain")
    assert "SLA breaches" in mail.part("plain")
    assert "Times are in Europe/Berlin" in mail.part("plain")
    assert mail.message["List-Unsubscribe"].startswith(f"<{PUBLIC_URL}/digests/unsubscribe/")
    assert job_rows(owner_database) == []
    # The worker's session for the manager was revoked once the digest was computed.
    with owner_transaction(owner_database) as session:
        live = session.execute(
            text(
                "SELECT count(*) FROM sessions WHERE user_agent LIKE '%worker%'"
                " AND revoked_at IS NULL"
            )
        ).scalar_one()
    assert live == 0


def test_a_client_users_digest_covers_only_its_companys_tickets(
    smtp: Mailbox,
    api_client_factory: ApiClientFactory,
    fresh_database: str,
    owner_database: Database,
) -> None:
    client = api_client_factory("client_a")
    _subscribe(client)
    # A zone this server cannot load (an older release wrote it, or tzdata dropped it): the
    # digest is scheduled and written in the reporting zone instead of failing every digest.
    with owner_transaction(owner_database) as session:
        session.execute(
            text(
                "INSERT INTO user_preferences (user_id, timezone)"
                " SELECT id, 'Mars/Olympus_Mons' FROM users WHERE email = 'client_a@tests.example'"
            )
        )
    assert schedule_due(owner_database, MONDAY) == 1
    run_worker_until_idle(fresh_database)

    [mail] = smtp.wait_for(1)
    assert mail.recipients == ("client_a@tests.example",)
    with owner_transaction(owner_database) as session:
        counts = session.execute(
            text(
                "SELECT count(*) FILTER (WHERE client_id = :client), count(*) FROM tickets"
                " WHERE (created_at AT TIME ZONE 'UTC')::date BETWEEN :start AND :end"
            ),
            {"client": CLIENT_A_ID, "start": WEEK[0], "end": WEEK[1]},
        ).one()
    own, everyone = int(counts[0]), int(counts[1])
    assert own < everyone
    assert numbers(mail)["total_tickets"][0] == str(own)
    text_part = mail.part("plain")
    assert "SLA breaches" not in text_part
    assert f"{PUBLIC_URL}/portal" in text_part
    assert "/dashboard" not in text_part
    assert "Times are in UTC" in text_part


def test_two_schedulers_and_two_workers_send_each_digest_once(
    smtp: Mailbox,
    api_client_factory: ApiClientFactory,
    fresh_database: str,
    owner_database: Database,
) -> None:
    _subscribe(api_client_factory("manager"), FILTERS)
    _subscribe(api_client_factory("client_a"))
    # Two deferrals of the same slot (procrastinate itself defers a slot once; this is the
    # worse case of two schedulers both running it).
    with owner_transaction(owner_database) as session:
        for _ in range(2):
            session.execute(
                text(
                    "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW('digests', 'digests.schedule',"
                    " 0, NULL, NULL, CAST(:args AS jsonb), NULL)::procrastinate_job_to_defer_v1])"
                ),
                {"args": json.dumps({"timestamp": int(MONDAY.timestamp())})},
            )
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            run_worker_until_idle(fresh_database)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert errors == []
    run_worker_until_idle(fresh_database)  # whatever one worker deferred after the other stopped

    mails = smtp.wait_for(2)
    assert sorted(m.recipients[0] for m in mails) == [
        "client_a@tests.example",
        "manager@tests.example",
    ]
    assert schedule_due(owner_database, MONDAY) == 0
    run_worker_until_idle(fresh_database)
    assert len(smtp.received) == 2
    with owner_transaction(owner_database) as session:
        sent = session.execute(text("SELECT count(*) FROM digest_sends")).scalar_one()
    assert sent == 2


def test_the_signed_link_stops_exactly_that_digest(
    smtp: Mailbox,
    api_client_factory: ApiClientFactory,
    auth_app: FastAPI,
    fresh_database: str,
    owner_database: Database,
) -> None:
    manager = api_client_factory("manager")
    mine = _subscribe(manager)
    other = _subscribe(api_client_factory("agent"))
    schedule_due(owner_database, MONDAY)
    run_worker_until_idle(fresh_database)
    mails = smtp.wait_for(2)
    [mail] = [m for m in mails if m.recipients == ("manager@tests.example",)]
    link = mail.message["List-Unsubscribe"].strip("<>").removeprefix(PUBLIC_URL)
    sig = link.split("sig=", 1)[1]
    visitor = TestClient(auth_app, raise_server_exceptions=False)

    page = visitor.get(link)  # opening it (a mail scanner) changes nothing
    assert page.status_code == 200
    assert "<form" in page.text
    assert mine in [row["id"] for row in manager.get("/api/v1/digests").json()["rows"]]
    assert (
        visitor.post(link.replace(sig, sig[:-1] + ("0" if sig[-1] != "0" else "1"))).status_code
        == 404
    )
    assert visitor.post(f"/digests/unsubscribe/{other}?sig={sig}").status_code == 404
    assert visitor.post(link).status_code == 200
    assert manager.get("/api/v1/digests").json()["rows"] == []
    assert visitor.post(link).status_code == 404  # gone: the link has nothing left to do
    agent_rows = api_client_factory("agent").get("/api/v1/digests").json()["rows"]
    assert [row["id"] for row in agent_rows] == [other]


# A low-priority ticket of the week before WEEK becomes urgent: it joins the digest's
# filters in the previous period.
_ONE_MORE_BEFORE = """
UPDATE tickets SET priority = 'urgent'
 WHERE id = (SELECT min(id) FROM tickets WHERE priority = 'low'
              AND created_at >= '2025-02-24' AND created_at < '2025-03-03')
"""
_PREVIOUS_WEEK = (date(2025, 2, 24), date(2025, 3, 2))


def _reads_the_previous_week(_statement: str, parameters: object) -> bool:
    values = parameters.values() if isinstance(parameters, dict) else ()
    days = [v.date() if isinstance(v, datetime) else v for v in values]
    return any(isinstance(d, date) and _PREVIOUS_WEEK[0] <= d <= _PREVIOUS_WEEK[1] for d in days)


def _csv_numbers(mail: Mail | None) -> dict[str, tuple[str, str]]:
    assert mail is not None
    rows = csv.DictReader(io.StringIO(mail.attachments[0].content))
    return {row["metric"]: (row["current"], row["previous"]) for row in rows}


def test_a_digest_reads_its_periods_in_one_snapshot(
    fresh_database: str, owner_database: Database, user_factory: UserFactory
) -> None:
    """The digest reads the period, then the period before, then the breakdowns: a write
    committed right before its first read of the previous week must not reach it. Under
    READ COMMITTED it did, and the comparison was between two moments."""
    manager = user_factory.create(Role.MANAGER)
    with owner_transaction(owner_database) as session:
        subscription = subscriptions.subscribe(
            session, manager.id, frequency="weekly", local_hour=8, weekday=1, query=FILTERS
        ).id
    requests = connect_for_requests(fresh_database, pool_size=1)
    try:

        def digest() -> dict[str, tuple[str, str]]:
            mail = build_digest_mail(owner_database, requests, subscription, *WEEK)
            return _csv_numbers(mail)

        before = digest()
        with write_before(
            requests.engine, fresh_database, _ONE_MORE_BEFORE, _reads_the_previous_week
        ) as wrote:
            during = digest()
        after = digest()
    finally:
        requests.engine.dispose()
    assert wrote, "the digest no longer reads the previous week with its dates: test anew"
    assert during == before
    # The write did land, in the previous week's count only.
    assert after["total_tickets"] == (
        before["total_tickets"][0],
        str(int(before["total_tickets"][1]) + 1),
    )
